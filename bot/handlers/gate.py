"""The gate: every update passes here first (handler group -1).

It drops what must not be answered (groups, channels, floods, unknown
accounts) and stores the caller's identity for the handlers after it.
"""

from __future__ import annotations

import contextlib
import logging
from collections import OrderedDict

from telegram import Chat, MessageEntity, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import texts
from bot.commands import publish_commands
from bot.context import BotApplication, BotContext
from bot.handlers.common import reply
from bot.handlers.letters import deliver_open_letters
from bot.services import languages, membership
from bot.services.access import FloodVerdict, Identity, Role, identify

log = logging.getLogger(__name__)
GATE_GROUP = -1


LEFT_CHATS_KEY = "gate:left_chats"
MAX_LEFT_CHATS = 10_000


def _left_chats(context: BotContext) -> OrderedDict[int, None]:
    """Groups left since the start: messages sent there before the bot was out still
    arrive, and need no second leaveChat (Telegram answers it with 403)."""
    return context.services.extras.setdefault(LEFT_CHATS_KEY, OrderedDict())


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


def is_invite_start(update: Update, bot_username: str) -> bool:
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


async def _answer_silently(update: Update) -> None:
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()


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
    # Every button press is answered at once, before any database work: the spinner
    # stops within milliseconds; refusals and results follow as messages.
    await _answer_silently(update)
    if update.my_chat_member is not None:  # the user blocked the bot, or unblocked it
        blocked = update.my_chat_member.new_chat_member.status == ChatMemberStatus.BANNED
        identity = await identify(context.db, context.settings.coordinator_ids, user.id)
        await _record_reachability(context, identity, reachable=not blocked)
        raise ApplicationHandlerStop

    services = context.services
    now = context.clock.now()
    verdict = services.flood.check(user.id, now)
    if verdict is not FloodVerdict.ALLOW:
        if verdict is FloodVerdict.NOTIFY:
            identity = await identify(context.db, context.settings.coordinator_ids, user.id)
            if identity.role is not Role.UNKNOWN:  # strangers learn nothing, not even this
                minutes = max(1, int(services.flood.pause.total_seconds() // 60))
                await reply(
                    update,
                    context,
                    texts.render(texts.FLOOD_NOTICE, identity.language, minutes=minutes),
                )
        raise ApplicationHandlerStop

    identity = await identify(context.db, context.settings.coordinator_ids, user.id)
    if identity.is_coordinator and identity.contact is None:  # their first update
        contact = await languages.ensure_coordinator(
            context.db, user.id, display_name=user.full_name[:100],
            language=texts.language_for(user.language_code), now=now,
        )  # fmt: skip
        identity = Identity(user.id, Role.COORDINATOR, contact)
        # Their chat with the bot exists from now on: their own menu can be set.
        await publish_commands(context.application, only_chat=user.id)
    context.identity = identity
    if identity.contact is not None and identity.contact.status == "unreachable":
        await _record_reachability(context, identity, reachable=True)  # writing again: back
    if identity.role is Role.UNKNOWN:
        if is_invite_start(update, context.bot.username):
            return  # the start handler tries the invite
        await send_neutral(update, context)
        raise ApplicationHandlerStop
    if update.edited_message is not None:
        raise ApplicationHandlerStop  # an edit never re-runs a command


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


def register(app: BotApplication) -> None:
    app.add_handler(TypeHandler(Update, gate), group=GATE_GROUP)
