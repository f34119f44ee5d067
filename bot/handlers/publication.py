"""A letter's life after the sign-off (issue 17): /publish, /collect, /list, and the
members' Original button under a translation.

Publishing and collecting are record-changing actions: they go through the approvals
engine (``approvals.request``), done at once by a single coordinator, else waiting for a
second one. What a list's execution cannot do inside its transaction — upload its files
to Telegram and tell members with the PDF — is ``deliver_list``: the direct answer of
/publish when it is done at once, and ``after_approval`` when a second coordinator's
Approve made it (the approvals handler calls it with the result).
"""

from __future__ import annotations

from datetime import datetime

from telegram import InputFile, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, texts
from bot.context import BotApplication, BotContext
from bot.db.types import FileKind
from bot.handlers.common import (
    command_argument,
    coordinators_only,
    parse_ref,
    reply,
    say,
)
from bot.jobs.outbox import wake_outbox
from bot.jobs.schedule import wake_scheduler
from bot.messages import LetterComposer, label
from bot.services import approvals, org_names, publication, translations
from bot.services.approvals import ActionContext, ActionResult, Done, Requested
from bot.services.deadlines import format_deadline, parse_deadline
from bot.services.publication import Collecting, PublishedList
from bot.settings import Settings


def action_context_for(
    settings: Settings, now: datetime, composer: LetterComposer | None = None
) -> ActionContext:
    """The approvals engine's context with issue 17's composers (recorded answers, collect's
    invitations, translation notices) and the letter notices every kind shares."""
    composer = composer or LetterComposer(settings)
    return ActionContext(
        now=now,
        approval_ttl=settings.approval_ttl,
        invite_ttl=settings.invite_ttl,
        default_offsets=settings.reminder_offsets,
        reopened=composer.reopened_notice,
        deadline=composer.deadline_notice,
        revision=composer.revision_notice,
        recorded=composer.recorded_notice,
        invite=composer.collect_invitation,
        tell_signed=composer.collect_signed_notice,
        translation=composer.translation_notice,
    )


async def composer_for(context: BotContext, letter_id: int) -> LetterComposer:
    """A composer that gives members the letter in their language where it has it."""
    return LetterComposer(context.settings, await translations.of_letter(context.db, letter_id))


async def act(
    update: Update, context: BotContext, ask: approvals.Ask, *, letter_id: int | None = None
) -> ActionResult | None:
    """Asks the engine for an action: its result when done now; None when it waits for a
    second coordinator (the requester is told here, the others through the outbox)."""
    composer = await composer_for(context, letter_id) if letter_id else None
    ctx = action_context_for(context.settings, context.clock.now(), composer)
    outcome = await approvals.request(context.db, ask, by=context.who.telegram_user_id, ctx=ctx)
    wake_outbox(context.application)
    if isinstance(outcome, Requested):
        expires = format_deadline(
            outcome.request.approval.expires_at, context.zone, context.language
        )
        text = say(
            context, texts.ACTION_WAITS, approval_id=outcome.request.approval.id, expires=expires
        )
        await reply(update, context, text)
        return None
    assert isinstance(outcome, Done)
    return outcome.result


# --- /publish, /list --------------------------------------------------------------------------


@coordinators_only
async def publish(update: Update, context: BotContext) -> None:
    letter_id = parse_ref(command_argument(update.message).split(" ")[0])
    if letter_id is None:
        await reply(update, context, say(context, texts.USAGE_PUBLISH))
        return
    result = await act(update, context, approvals.PublishList(letter_id), letter_id=letter_id)
    chat = update.effective_chat
    if isinstance(result, PublishedList) and chat is not None:
        await deliver_list(context, chat.id, result)


async def after_approval(context: BotContext, chat_id: int, result: ActionResult) -> None:
    """What an approved issue-17 action still needs after its transaction (the approvals
    handler calls this with the Approve presser's chat): a list's files and the members'
    announcement; a collection's scheduler."""
    if isinstance(result, PublishedList):
        await deliver_list(context, chat_id, result)
    elif isinstance(result, Collecting):
        wake_scheduler(context.application)
        wake_outbox(context.application)
    else:
        wake_outbox(context.application)


def _names(names: list[str]) -> str:
    return ", ".join(names)


async def deliver_list(context: BotContext, chat_id: int, published: PublishedList) -> None:
    """List N's report and files to a coordinator's chat (the PDF, .docx, .md and CSV in the
    letter's language; the PDF in each other language the text has), then every member who
    has the letter is told, with the PDF in their language (protected)."""
    letter = published.letter
    number = published.number
    language = context.language
    changes = ""
    added, withdrawn = published.added(language), published.withdrawn(language)
    if added:
        changes += "\n" + say(
            context, texts.PUBLISHED_ADDED, number=number - 1, names=_names(added)
        )
    if withdrawn:
        changes += "\n" + say(
            context, texts.PUBLISHED_WITHDRAWN, number=number - 1, names=_names(withdrawn)
        )
    named = len(published.named(letter.language))
    report = say(
        context, texts.PUBLISHED_DONE, letter_id=letter.id,
        title=published.publication.title or "", number=number,
        date=format_deadline(published.publication.published_at, context.zone, context.language),
        version=label(published.version), named=named, anonymous=published.anonymous_count,
        changes=texts.Html(changes),
    )  # fmt: skip
    await context.bot.send_message(chat_id, report, parse_mode="HTML")
    version_texts = await translations.texts_of(context.db, published.version.id)
    for lang in version_texts.languages:
        await _send_files(context, chat_id, published, lang, pdf_only=lang != letter.language)
    await _announce(context, published)


async def _send_files(
    context: BotContext, chat_id: int, published: PublishedList, language: str, *, pdf_only: bool
) -> None:
    made = await publication.publication_files(
        context.db, published.letter.id, published.number, language=language
    )
    for name, content in made.files.items():
        if pdf_only and name != made.pdf_name:
            continue
        sent: Message = await context.bot.send_document(
            chat_id, document=InputFile(content, filename=name), protect_content=False
        )
        if name == made.pdf_name and sent.document is not None:
            await publication.record_file_id(
                context.db, published.publication.id, language, FileKind.PDF,
                sent.document.file_id,
            )  # fmt: skip


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
    await _send_files(context, chat.id, published, lang, pdf_only=False)
    if language is None:  # and the PDF in each other language (members get theirs)
        for other in translations_.languages:
            if other != lang:
                await _send_files(context, chat.id, published, other, pdf_only=True)
    # Members are told once per list (queueing again queues nothing): a list approved by a
    # second coordinator whose files nobody fetched yet is announced now at the latest.
    await _announce(context, published)


async def _announce(context: BotContext, published: PublishedList) -> None:
    composer = LetterComposer(context.settings)
    await publication.announce(
        context.db, published.letter.id, published.number, now=context.clock.now(),
        compose=composer.publication_notice,
    )  # fmt: skip
    wake_outbox(context.application)


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
    wake_scheduler(context.application)
    text = say(
        context, texts.COLLECT_DONE, letter_id=letter_id, count=len(result.invited),
        deadline=format_deadline(result.letter.deadline, context.zone, context.language),
    )  # fmt: skip
    await reply(update, context, text)


# --- members: the Original button -------------------------------------------------------------


async def original(update: Update, context: BotContext) -> None:
    """Under a translation: the authoritative text, checked like Full text."""
    from bot.handlers.letters import send_text_again

    await send_text_again(update, context, callback_data.ORIGINAL, original=True)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("publish", publish))
    app.add_handler(CommandHandler("list", list_files))
    app.add_handler(CommandHandler("collect", collect))
    app.add_handler(CallbackQueryHandler(original, pattern=rf"^{callback_data.ORIGINAL}:"))
