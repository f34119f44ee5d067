"""The gate: every update passes here first (handler group -1).

It drops what must not be answered (groups, channels, floods, unknown
accounts) and stores the caller's identity for the handlers after it.
"""

from __future__ import annotations

import contextlib
import logging
from collections import OrderedDict
from datetime import datetime

from telegram import Chat, MessageEntity, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import texts
from bot.commands import publish_commands
from bot.context import BotApplication, BotContext
from bot.db.types import ContactStatus
from bot.handlers.common import reply, say
from bot.outgoing.letters import deliver_open_letters, heard_again
from bot.services import coordinators, flows, membership
from bot.services.access import FloodVerdict, HeardAgain, Identity, Role, identify
from bot.services.deadlines import format_deadline
from bot.throughput import PerChatUpdateProcessor

log = logging.getLogger(__name__)
GATE_GROUP = -1
AFTER_GROUP = 1  # after every feature handler (group 0)


LEFT_CHATS_KEY = "gate:left_chats"
MAX_LEFT_CHATS = 10_000


def _left_chats(context: BotContext) -> OrderedDict[int, None]:
    """Groups left since the start: messages sent there before the bot was out still
    arrive, and need no second leaveChat (Telegram answers it with 403)."""
    left: OrderedDict[int, None] = context.services.extras.setdefault(LEFT_CHATS_KEY, OrderedDict())
    return left


async def _leave(update: Update, context: BotContext, chat: Chat) -> None:
    left = _left_chats(context)
    member_update = update.my_chat_member
    if member_update is not None:
        if member_update.new_chat_member.status in ("left", "kicked"):
            left[chat.id] = None  # already out
            return
        left.pop(chat.id, None)  # added (again): leave again
    elif chat.id in left:
        return
    try:
        await context.bot.leave_chat(chat.id)
        log.info("left %s %s", chat.type, chat.id)
    except TelegramError as error:
        log.warning("could not leave %s %s: %s", chat.type, chat.id, error)
        return
    left[chat.id] = None
    while len(left) > MAX_LEFT_CHATS:
        left.popitem(last=False)


def _is_invite_start(update: Update, bot_username: str) -> bool:
    """A real ``/start <token>`` (or ``/start@<this bot> <token>``): the only thing of a
    stranger's that goes further than the gate. ``/startx foo``, ``/start@other_bot foo``
    or ``/startle`` are not it."""
    message = update.message
    if message is None or not message.text:
        return False
    entity = next(
        (e for e in message.entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0),
        None,
    )
    if entity is None:
        return False
    # Offsets are UTF-16; a command is ASCII, so code units equal characters.
    name, _, addressee = message.text[1 : entity.length].partition("@")
    if name.lower() != "start" or (addressee and addressee.lower() != bot_username.lower()):
        return False
    return bool(message.text[entity.length :].split())


async def answer_press(update: object) -> None:
    """Answers a button press the moment it arrives, beside its wait for its chat's turn
    (``PerChatUpdateProcessor.on_arrival``): the spinner stops at once, and Telegram's few
    seconds for an answer hold even while the chat has a queue (a coordinator is never
    paused, so theirs can be long). Refusals and results follow as messages."""
    if isinstance(update, Update) and update.callback_query is not None:
        # Best effort: a press that cannot be answered (too late, the bot shutting down) is
        # still handled; only the spinner runs on.
        with contextlib.suppress(TelegramError, RuntimeError):
            await update.callback_query.answer()


async def _answer_silently(update: Update, context: BotContext) -> None:
    """A press is answered once: here only if no update processor did it on arrival."""
    processor = context.application.update_processor
    if update.callback_query is None or (
        isinstance(processor, PerChatUpdateProcessor) and processor.on_arrival is not None
    ):
        return
    await answer_press(update)


async def gate(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if chat is None:
        raise ApplicationHandlerStop  # inline queries, polls: nothing for this bot
    if chat.type != Chat.PRIVATE:
        await _leave(update, context, chat)
        raise ApplicationHandlerStop
    user = update.effective_user
    if user is None or user.is_bot:
        raise ApplicationHandlerStop
    await _answer_silently(update, context)
    if update.my_chat_member is not None:  # the user blocked the bot, or unblocked it
        blocked = update.my_chat_member.new_chat_member.status == ChatMemberStatus.BANNED
        identity = await identify(context.db, user.id)
        await _record_reachability(context, identity, reachable=not blocked)
        raise ApplicationHandlerStop

    now = context.clock.now()
    identity = await identify(context.db, user.id)  # the flood guard's question too
    owed = await _flood_guard(update, context, identity, now)
    if identity.is_coordinator and identity.contact and identity.contact.joined_at is None:
        contact = await coordinators.first_heard(  # their first update
            context.db, identity.contact, display_name=user.full_name[:100],
            language=texts.language_for(user.language_code), now=now,
        )  # fmt: skip
        identity = Identity(user.id, Role.COORDINATOR, contact)
        # Their chat with the bot exists from now on: their own menu can be set.
        await publish_commands(context.application, only_chat=user.id)
    context.identity = identity
    if identity.contact is not None and identity.contact.status is ContactStatus.UNREACHABLE:
        await _record_reachability(context, identity, reachable=True)  # writing again: back
    if identity.role is Role.UNKNOWN:
        if _is_invite_start(update, context.bot.username):
            return  # the start handler tries the invite
        await send_neutral(update, context)
        raise ApplicationHandlerStop
    afterwords = []
    if identity.is_member:
        context.services.flood.note_member(user.id)
        owed += context.services.flood.heard_again(now, user.id)
        afterwords += [heard_again(notice) for notice in owed]
    dropped = _dropped_updates(context, chat.id)
    if dropped:
        afterwords.append(say(context, texts.FLOOD_QUEUE_FULL, count=dropped))
    context.afterwords = tuple(afterwords)  # after this update's answer (``afterwards``)
    if update.edited_message is not None:
        raise ApplicationHandlerStop  # an edit never re-runs a command


async def _flood_guard(
    update: Update, context: BotContext, identity: Identity, now: datetime
) -> list[HeardAgain]:
    """Stops an account sending too much, unless what it sends must not be lost.

    Coordinators are never paused: their updates wait their turn in their own chat
    (``PerChatUpdateProcessor``, which holds no overall slot for them and caps the queue),
    so a paste of many parts arrives whole and a runaway account slows only itself. A
    member's input to a flow they started is never dropped either. Everyone else over the
    limit is paused: a member is told until when, and told again when it is over
    (``HeardAgain``); a stranger learns nothing. Returns what a forgiven member is owed.
    """
    account = identity.telegram_user_id
    if identity.is_coordinator:  # a live coordinator contact, read for this very update
        return []
    guard = context.services.flood
    verdict = guard.check(account, now)
    if verdict is FloodVerdict.ALLOW:
        return []
    in_flow = guard.is_member(account) and _flow_input(update)
    if in_flow and await flows.current(context.db, account, now=now) is not None:
        owed = guard.forgive(account, now)
        return [owed] if owed else []
    # Strangers learn nothing.
    if verdict is FloodVerdict.NOTIFY and identity.is_member and identity.contact is not None:
        context.identity = identity  # the caller's language and zone
        until = now + guard.pause
        when = format_deadline(until, context.zone, context.language)
        await reply(update, context, say(context, texts.FLOOD_PAUSED, until=when))
        guard.owe(
            HeardAgain(account, identity.contact.id, context.language, context.zone.key, now, until)
        )
    raise ApplicationHandlerStop


def _flow_input(update: Update) -> bool:
    """What a guided flow takes: a message that is no command (a text, a file)."""
    message = update.message
    return message is not None and not (message.text or "").startswith("/")


def _dropped_updates(context: BotContext, chat_id: int) -> int:
    processor = context.application.update_processor
    return processor.take_dropped(chat_id) if isinstance(processor, PerChatUpdateProcessor) else 0


async def _record_reachability(context: BotContext, identity: Identity, *, reachable: bool) -> None:
    """Keeps a member's state true; one who is back gets the open letters they missed."""
    contact, organisation = identity.contact, identity.organisation
    if contact is None or organisation is None:
        return
    changed = await membership.set_reachable(
        context.db, contact, reachable, now=context.clock.now()
    )
    if changed and reachable:
        await deliver_open_letters(context, contact.id, organisation.id)


async def send_neutral(update: Update, context: BotContext) -> None:
    """The one sentence strangers get, at most once an hour per account."""
    user = update.effective_user
    if user is None:
        return
    if context.services.neutral_replies.should_reply(user.id, context.clock.now()):
        # In the language of their Telegram app: that reveals nothing about the coalition.
        language = texts.language_for(user.language_code)
        await reply(update, context, texts.render(texts.NEUTRAL, language))


async def afterwards(update: Update, context: BotContext) -> None:
    """What the gate kept for after the answer: the answer to what the person just sent
    comes first, then e.g. that what they sent while paused was not read."""
    for text in context.afterwords:
        await reply(update, context, text)


def register(app: BotApplication) -> None:
    app.add_handler(TypeHandler(Update, gate), group=GATE_GROUP)
    app.add_handler(TypeHandler(Update, afterwards), group=AFTER_GROUP)
