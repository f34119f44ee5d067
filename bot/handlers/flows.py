"""Routes plain messages and Done/Cancel presses to the caller's guided flow, if any.

A feature declares each of its flows as a ``FlowKind``: its name (the ``kind`` stored in
the flows table), its state (a frozen ``FlowState`` dataclass, kept as JSON) and its steps.
The handler registry (``bot.handlers.register``) hands the kinds, in one ordered list, to
this module's ``register``, with the handlers tried for a plain message when no flow is
active. Without an active flow, a plain message gets a polite pointer to /help (a
member's: to the Comment button, the way to reach the coordinators). /cancel leaves any
flow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callback_data, texts
from bot.context import BotApplication, BotContext
from bot.handlers.common import reply, say
from bot.services import flows
from bot.services.flows import FlowState

S = TypeVar("S", bound=FlowState)


@dataclass(frozen=True)
class Resumed(Generic[S]):
    """A flow in progress, its state read once (when the caller's next input arrives)."""

    telegram_user_id: int
    kind: str
    state: S


Step = Callable[[Update, BotContext, Resumed[S]], Awaitable[None]]
# Tried in order for a plain message when no flow is active; True means "handled".
Unprompted = Callable[[Update, BotContext], Awaitable[bool]]


@dataclass(frozen=True)
class FlowKind(Generic[S]):
    name: str  # the flow's kind in the flows table
    state: type[S]
    on_message: Step[S]  # a text or a document arrived
    on_done: Step[S] | None = None  # the Done button
    on_choice: Step[S] | None = None  # another flow button (e.g. material/minor)


@dataclass(frozen=True)
class _Registry:
    kinds: Mapping[str, FlowKind[Any]]
    unprompted: tuple[Unprompted, ...]


_REGISTRY_KEY = "coalition_flows"


def _registry(context: BotContext) -> _Registry:
    registry = context.bot_data[_REGISTRY_KEY]
    assert isinstance(registry, _Registry)
    return registry


async def _active(update: Update, context: BotContext) -> tuple[Resumed[Any], FlowKind[Any]] | None:
    """The caller's flow and its kind; None without one (or with one this version of the
    bot can't read: an unknown kind or a state that does not fit, dropped as if expired)."""
    user_id = context.who.telegram_user_id
    flow = await flows.current(context.db, user_id, now=context.clock.now())
    if flow is None:
        return None
    kind = _registry(context).kinds.get(flow.kind)
    state = None if kind is None else flows.read(flow, kind.state)
    if kind is None or state is None:
        await flows.finish(context.db, user_id)
        return None
    return Resumed(flow.telegram_user_id, flow.kind, state), kind


async def on_message(update: Update, context: BotContext) -> None:
    active = await _active(update, context)
    if active is None:
        for handler in _registry(context).unprompted:
            if await handler(update, context):
                return
        message = update.effective_message
        pointer = texts.NOT_A_COMMAND if message and message.text else texts.UNSUPPORTED_MESSAGE
        if context.who.is_member:  # likely meant for the coordinators: say how to reach them
            pointer = texts.MEMBER_WHERE_TO_COMMENT
        await reply(update, context, say(context, pointer))
        return
    flow, kind = active
    await kind.on_message(update, context, flow)


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    data = query.data or ""
    if data == callback_data.FLOW_CANCEL:
        await cancel(update, context)
        return
    active = await _active(update, context)
    if active is None:
        await reply(update, context, say(context, texts.FLOW_STALE))
        return
    flow, kind = active
    step = kind.on_done if data == callback_data.FLOW_DONE else kind.on_choice
    if step is None:
        await reply(update, context, say(context, texts.FLOW_STALE))
        return
    await step(update, context, flow)


async def cancel(update: Update, context: BotContext) -> None:
    left = await flows.finish(context.db, context.who.telegram_user_id)
    await reply(
        update, context, say(context, texts.FLOW_CANCELLED if left else texts.NOTHING_TO_CANCEL)
    )


def register(
    app: BotApplication, kinds: Sequence[FlowKind[Any]], unprompted: Sequence[Unprompted]
) -> None:
    """Takes every plain message: registered after the features, before the fallback."""
    names = [kind.name for kind in kinds]
    if len(set(names)) != len(names):
        raise ValueError(f"two flows share a name: {names}")
    app.bot_data[_REGISTRY_KEY] = _Registry({k.name: k for k in kinds}, tuple(unprompted))
    app.add_handler(CommandHandler("cancel", cancel))
    buttons = (
        callback_data.FLOW_DONE,
        callback_data.FLOW_CANCEL,
        rf"{callback_data.REVISION_KIND}:\d+",
        rf"{callback_data.LETTER_LANGUAGE}:\d+",
    )
    pattern = rf"^({'|'.join(buttons)})$"
    app.add_handler(CallbackQueryHandler(on_button, pattern=pattern))
    # Every non-command message of a private chat (texts, files, anything else).
    app.add_handler(MessageHandler(~filters.COMMAND & filters.UpdateType.MESSAGE, on_message))
