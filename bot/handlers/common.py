"""Small pieces every handler module uses: arguments, role guards, replies, paging."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import keyboards, texts
from bot.callback_data import decode
from bot.context import BotContext
from bot.services import languages
from bot.services.letter_text import telegram_length

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


async def tell(context: BotContext, chat_id: int, text: str, /, **kwargs: Any) -> bool:
    """Sends a notice to someone other than the caller; a failure is logged, not raised."""
    try:
        await context.bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, disable_web_page_preview=True, **kwargs
        )
    except Forbidden:
        log.warning("chat %s has not started the bot or blocked it", chat_id)
        return False
    except TelegramError as error:
        log.warning("could not send a notice to chat %s: %s", chat_id, error)
        return False
    return True


async def notify_coordinators(
    context: BotContext, message: str, /, reply_markup: Any = None, **params: object
) -> None:
    """Tells every coordinator in their language; one who never started the bot is logged.

    ``reply_markup`` may be a function of the language (buttons are translated too).
    """
    coordinators = await languages.languages_of(context.db, context.settings.coordinator_ids)
    for coordinator_id, language in sorted(coordinators.items()):
        text = texts.render(message, language, **params)
        markup = reply_markup(language) if callable(reply_markup) else reply_markup
        await tell(context, coordinator_id, text, reply_markup=markup)


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
