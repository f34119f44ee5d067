"""A letter's life after the sign-off (issue 17): /publish, /collect, /list, and the
members' Original button under a translation.

Publishing and collecting are record-changing actions: they go through the approvals
engine (``approvals.request``), done at once by a single coordinator, else waiting for a
second one. What a list's execution cannot do inside its transaction — upload its files
to Telegram and tell members with the PDF — is ``published_lists.deliver_list``, which
the approvals handlers' ``after_action`` calls whoever's press made the list.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, texts
from bot.context import BotApplication, BotContext
from bot.handlers.approvals import act
from bot.handlers.common import (
    command_argument,
    coordinators_only,
    parse_ref,
    reply,
    say,
)
from bot.handlers.letters import send_text_again
from bot.handlers.published_lists import announce, send_files
from bot.services import approvals, org_names, publication, translations
from bot.services.deadlines import format_deadline, parse_deadline
from bot.services.publication import Collecting

# --- /publish, /list --------------------------------------------------------------------------


@coordinators_only
async def publish(update: Update, context: BotContext) -> None:
    letter_id = parse_ref(command_argument(update.message).split(" ")[0])
    if letter_id is None:
        await reply(update, context, say(context, texts.USAGE_PUBLISH))
        return
    # Done at once: the list's files come in ``after_action``; else the request waits.
    await act(update, context, approvals.PublishList(letter_id), letter_id=letter_id)


@coordinators_only
async def list_files(update: Update, context: BotContext) -> None:
    """``/list 4 [2] [ru]``: a published list's files again (any co-publisher's copy)."""
    words = command_argument(update.message).split()
    letter_id = parse_ref(words[0]) if words else None
    number: int | None = None
    language: str | None = None
    for word in words[1:]:
        if number is None and parse_ref(word) is not None:
            number = parse_ref(word)
        else:
            language = org_names.check_language(word)
    if letter_id is None:
        await reply(update, context, say(context, texts.USAGE_LIST))
        return
    published = await publication.published_list(context.db, letter_id, number)
    lang = language or published.letter.language
    translations_ = await translations.texts_of(context.db, published.version.id)
    translations_.exactly_in(lang)  # refused when the list has no text in that language
    text = say(
        context, texts.LIST_FILES, number=published.number, letter_id=letter_id,
        language=texts.LANGUAGE_NAMES.get(lang, lang),
        date=format_deadline(published.publication.published_at, context.zone, context.language),
        named=len(published.named(lang)), anonymous=published.anonymous_count,
    )  # fmt: skip
    await reply(update, context, text)
    chat = update.effective_chat
    assert chat is not None
    await send_files(context, chat.id, published, lang, pdf_only=False)
    if language is None:  # and the PDF in each other language (members get theirs)
        for other in translations_.languages:
            if other != lang:
                await send_files(context, chat.id, published, other, pdf_only=True)
    # Members are told once per list (queueing again queues nothing).
    await announce(context, published)


# --- /collect ---------------------------------------------------------------------------------


@coordinators_only
async def collect(update: Update, context: BotContext) -> None:
    raw = command_argument(update.message)
    head, _, rest = raw.partition(" ")
    letter_id = parse_ref(head)
    if letter_id is None or not rest.strip():
        await reply(update, context, say(context, texts.USAGE_COLLECT))
        return
    deadline = parse_deadline(rest, default_zone=context.settings.zone, now=context.clock.now())
    ask = approvals.CollectSignatories(letter_id, deadline)
    result = await act(update, context, ask, letter_id=letter_id)
    if not isinstance(result, Collecting):
        return
    text = say(
        context, texts.COLLECT_DONE, letter_id=letter_id, count=len(result.invited),
        deadline=format_deadline(result.letter.deadline, context.zone, context.language),
    )  # fmt: skip
    await reply(update, context, text)


# --- members: the Original button -------------------------------------------------------------


async def original(update: Update, context: BotContext) -> None:
    """Under a translation: the authoritative text, checked like Full text."""
    await send_text_again(update, context, callback_data.ORIGINAL, original=True)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("publish", publish))
    app.add_handler(CommandHandler("list", list_files))
    app.add_handler(CommandHandler("collect", collect))
    app.add_handler(CallbackQueryHandler(original, pattern=rf"^{callback_data.ORIGINAL}:"))
