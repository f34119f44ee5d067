"""Routes plain messages and Done/Cancel presses to the caller's guided flow, if any.

Feature modules register a ``FlowKind`` per flow (``/newletter``, ``/revise``, …).
Without an active flow, a plain message gets a polite pointer to /help (a member's: to
the Comment button, the way to reach the coordinators). /cancel leaves any flow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callback_data, texts
from bot.context import BotApplication, BotContext
from bot.handlers.common import reply, say
from bot.services import flows
from bot.services.flows import Flow

Step = Callable[[Update, BotContext, Flow], Awaitable[None]]


@dataclass(frozen=True)
class FlowKind:
    on_message: Step  # a text or a document arrived
    on_done: Step | None = None  # the Done button
    on_choice: Step | None = None  # another flow button (e.g. material/minor)


KINDS: dict[str, FlowKind] = {}
# Tried in order for a plain message when no flow is active; True means "handled".
UNPROMPTED: list[Callable[[Update, BotContext], Awaitable[bool]]] = []


def register_kind(name: str, kind: FlowKind) -> None:
    KINDS[name] = kind


async def _active(update: Update, context: BotContext) -> tuple[Flow, FlowKind] | None:
    flow = await flows.current(context.db, context.who.telegram_user_id, now=context.clock.now())
    if flow is None or flow.kind not in KINDS:
        return None
    return flow, KINDS[flow.kind]


async def on_message(update: Update, context: BotContext) -> None:
    active = await _active(update, context)
    if active is None:
        for handler in UNPROMPTED:
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
    active = await _active(update, context)
    data = query.data or ""
    if data == callback_data.FLOW_CANCEL:
        await cancel(update, context)
        return
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


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("cancel", cancel))
    kinds = (
        callback_data.FLOW_DONE,
        callback_data.FLOW_CANCEL,
        rf"{callback_data.REVISION_KIND}:\d+",
        rf"{callback_data.LETTER_LANGUAGE}:\d+",
    )
    pattern = rf"^({'|'.join(kinds)})$"
    app.add_handler(CallbackQueryHandler(on_button, pattern=pattern))
    # Every non-command message of a private chat (texts, files, anything else).
    app.add_handler(MessageHandler(~filters.COMMAND & filters.UpdateType.MESSAGE, on_message))
