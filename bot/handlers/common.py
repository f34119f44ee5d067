"""Small pieces every handler module uses: arguments, role guards, replies, paging."""

from __future__ import annotations

import functools
import hashlib
import logging
import uuid
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot import keyboards, texts
from bot.callback_data import decode
from bot.context import BotContext
from bot.outgoing.common import html_notice
from bot.services import coordinators, outbox
from bot.services.letter_text import telegram_length
from bot.services.outbox import OutgoingMessage

log = logging.getLogger(__name__)

# Page bodies stay under this, leaving room for a header under Telegram's 4096.
PAGE_LIMIT = 3600

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, Any]]


def command_argument(message: Message | None) -> str:
    """Everything after the command, exactly as typed (``context.args`` loses spacing)."""
    if message is None or not message.text:
        return ""
    text = message.text
    for entity in message.entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            # Offsets are UTF-16; a command is ASCII, so code units equal characters.
            return text[entity.length :].strip()
    return ""


def parse_ref(raw: str) -> int | None:
    """``12`` or ``#12`` → 12; anything else → None."""
    value = raw.strip().removeprefix("#")
    if value.isascii() and value.isdigit() and len(value) <= 12:
        return int(value)
    return None


async def reply(update: Update, context: BotContext, message: str, /, **kwargs: Any) -> None:
    """Reply in the caller's chat with a rendered catalog text."""
    chat = update.effective_chat
    if chat is None:
        return
    await context.bot.send_message(
        chat.id,
        message,
        parse_mode=ParseMode.HTML,
        disable_web_page_preview=True,
        **kwargs,
    )


def actor(context: BotContext) -> str:
    """How the audit log names the caller."""
    who = context.who
    if who.is_coordinator:
        return f"coordinator:{who.telegram_user_id}"
    return f"contact:{who.contact.id if who.contact else 0}"


def say(context: BotContext, message: str, /, **params: object) -> str:
    return texts.render(message, context.language, **params)


def coordinators_only(handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> Any:
        if not context.who.is_coordinator:
            await reply(update, context, say(context, texts.COORDINATORS_ONLY))
            return None
        return await handler(update, context)

    return guarded


def pack_pages(blocks: Sequence[Sequence[str]], limit: int = PAGE_LIMIT) -> list[str]:
    """Lays blocks of lines out as pages under Telegram's limit, never cutting a line.

    Pages break between blocks; a block too big for one page continues on the
    next. Sizes are measured like Telegram does (UTF-16) on the HTML itself,
    which can only overestimate.
    """
    budget = limit
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for block in blocks:
        block_size = sum(telegram_length(line) + 1 for line in block)
        if current and size + block_size > budget and block_size <= budget:
            pages.append("\n".join(current))
            current, size = [], 0
        for line in block:
            line_size = telegram_length(line) + 1
            if current and size + line_size > budget:
                pages.append("\n".join(current))
                current, size = [], 0
            current.append(line)
            size += line_size
    if current:
        pages.append("\n".join(current))
    return pages or [""]


async def tell(
    context: BotContext,
    chat_id: int,
    text: str,
    /,
    *,
    about_letter: int | None = None,
    to_contact: int | None = None,
    **kwargs: Any,
) -> bool:
    """Sends a notice to someone other than the caller, through the outbox: a crash or an
    outage loses nothing, and Telegram's refusals are recorded (coordinators see them).

    ``about_letter``: the letter it is about (a purge clears it); ``to_contact``: the
    contact it goes to (a removed contact does not get it). False when it could not be queued.
    """
    return await _queue(context, [(chat_id, html_notice(text, **kwargs))], about_letter, to_contact)


async def notify_coordinators(
    context: BotContext,
    message: str,
    /,
    reply_markup: Any = None,
    *,
    about_letter: int | None = None,
    **params: object,
) -> None:
    """Tells every coordinator in their language, through the outbox (one who never
    started the bot is recorded as unreachable there).

    ``reply_markup`` may be a function of the language (buttons are translated too);
    ``about_letter``: the letter it is about (a purge clears it).
    """
    notices = []
    for coordinator_id, language in (await coordinators.languages(context.db)).items():
        text = texts.render(message, language, **params)
        markup = reply_markup(language) if callable(reply_markup) else reply_markup
        notices.append((coordinator_id, html_notice(text, reply_markup=markup)))
    await _queue(context, notices, about_letter, None)


def _notice_key(context: BotContext, chat_id: int, message: OutgoingMessage) -> str:
    """The same notice from the same update is queued once (Telegram may deliver an update
    again after a restart); a notice outside an update is its own."""
    if context.update_id is None:
        return f"notice:{uuid.uuid4().hex}"
    digest = hashlib.sha256(message.to_payload().encode()).hexdigest()[:24]
    return f"notice:u{context.update_id}:c{chat_id}:{digest}"


async def _queue(
    context: BotContext,
    messages: Sequence[tuple[int, OutgoingMessage]],
    letter_id: int | None,
    contact_id: int | None,
) -> bool:
    notices = [
        outbox.Notice(
            chat_id, message, _notice_key(context, chat_id, message), letter_id, contact_id
        )
        for chat_id, message in messages
    ]
    try:
        await outbox.queue_notices(context.db, notices, now=context.clock.now())
    except Exception:  # the notice is lost, not the answer to the caller: say so in the log
        log.exception("could not queue a notice to %s", [chat for chat, _ in messages])
        return False
    return True


async def show_page(
    update: Update,
    context: BotContext,
    *,
    kind: str,
    pages: list[str],
    header: Callable[[int, int], str],
    page: int = 1,
    extra: tuple[int, ...] = (),
) -> None:
    """Sends page ``page`` of a list, or edits the message when a pager button was pressed."""
    page = min(max(page, 1), len(pages))
    text = f"{header(page, len(pages))}\n\n{pages[page - 1]}"
    markup = keyboards.pager(kind, page, len(pages), context.language, *extra)
    query = update.callback_query
    if query is None:
        await reply(update, context, text, reply_markup=markup)
        return
    try:
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
        )
    except BadRequest as error:
        if "not modified" not in str(error):  # pressing the page already shown
            raise


async def confirmed(update: Update, context: BotContext, kind: str, kept: str) -> int | None:
    """The id a confirmation button (``kind``: id, 1 yes / 0 no) was pressed for, when the
    answer was yes; a no edits the question into ``kept`` (a text with ``{letter_id}``)."""
    query = update.callback_query
    assert query is not None
    args = decode(query.data, kind, 2)
    if args is None:
        await reply(update, context, say(context, texts.STALE_BUTTON))
        return None
    ref, yes = args
    if not yes:
        await answer_in_place(update, say(context, kept, letter_id=ref))
        return None
    return ref


async def answer_in_place(
    update: Update, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """The pressed question becomes its answer (its buttons go, unless ``reply_markup``
    offers others); pressing again (a forged or repeated press) changes nothing."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=reply_markup)
    except BadRequest as error:
        if "not modified" not in str(error):
            raise


async def requested_page(update: Update, kind: str) -> int | None:
    """The page a list command or its pager button asks for; None for forged data."""
    query = update.callback_query
    if query is None:
        return 1
    args = decode(query.data, kind, 1)
    return None if args is None else args[0]
