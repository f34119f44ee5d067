"""Coordinators' letters: /letters, /letter, /preview, /circulate; and the members' Full
text button. Drafting (/newletter, /revise) is in ``drafting``."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, keyboards, texts
from bot.context import BotApplication, BotContext
from bot.db.letters import Recipient
from bot.handlers.common import (
    actor,
    answer_in_place,
    command_argument,
    confirmed,
    coordinators_only,
    pack_pages,
    parse_ref,
    reply,
    requested_page,
    say,
    show_page,
)
from bot.handlers.presenters import (
    STATUS_TEXTS,
    characters,
    composer_for,
    describe_when,
    letter_ref,
    milestone_line,
    response_counts,
)
from bot.handlers.refusals import in_place
from bot.outgoing.letters import LetterComposer, fitting_lines, label
from bot.outgoing.telegram import send_outgoing
from bot.services import letters, responses
from bot.services.letters import Circulation


def _composer(context: BotContext) -> LetterComposer:
    return LetterComposer(context.settings)


# --- /letters, /letter, /preview, /circulate ------------------------------------------------


@coordinators_only
async def list_letters(update: Update, context: BotContext) -> None:
    page = await requested_page(update, callback_data.LETTERS_PAGE)
    if page is None:
        return
    items = await letters.overview(context.db)
    if not items:
        await reply(update, context, say(context, texts.LETTERS_EMPTY))
        return
    blocks = []
    for item in items:
        deadline, _ = describe_when(context, item.letter.deadline)
        counts = await responses.tally(context.db, item.letter.id)
        blocks.append(
            say(
                context,
                texts.LETTERS_LINE,
                letter_id=item.letter.id,
                title=item.letter.title or "—",
                status=say(context, STATUS_TEXTS[item.letter.status]),
                deadline=deadline,
                version=label(item.latest),
                organisations=counts.organisations,
                counts=texts.Html(response_counts(context, counts)),
            ).split("\n")
        )
    await show_page(
        update,
        context,
        kind=callback_data.LETTERS_PAGE,
        pages=pack_pages(blocks),
        header=lambda p, n: say(context, texts.LETTERS_HEADER, total=len(items), page=p, pages=n),
        page=page,
    )


@coordinators_only
async def show_letter(update: Update, context: BotContext) -> None:
    letter_id = await letter_ref(update, context, "letter")
    if letter_id is None:
        return
    info = await letters.details(context.db, letter_id)
    counts = await responses.tally(context.db, letter_id)
    lines = []
    for version in info.versions:
        created, _ = describe_when(context, version.created_at)
        source = (
            say(context, texts.LETTER_VERSION_SOURCE, file_name=version.source_file_name)
            if version.source_file_name
            else ""
        )
        # Only a revision is material or minor: the first version is neither.
        line = texts.LETTER_FIRST_VERSION_LINE if version.number == 1 else texts.LETTER_VERSION_LINE
        kind = texts.KIND_MATERIAL if version.material else texts.KIND_MINOR
        lines.append(
            say(
                context,
                line,
                version=label(version),
                kind=say(context, kind),
                characters=characters(context, len(version.body or "")),
                created=created,
                source=texts.Html(source),
            )
        )
    deadline, relative = describe_when(context, info.letter.deadline)
    text = say(
        context,
        texts.LETTER_DETAILS,
        letter_id=info.letter.id,
        title=info.letter.title or "—",
        status=say(context, STATUS_TEXTS[info.letter.status]),
        deadline=deadline,
        relative=relative,
        language=texts.LANGUAGE_NAMES.get(info.letter.language, info.letter.language),
        organisations=counts.organisations,
        recipients=info.recipients,
        counts=texts.Html(response_counts(context, counts)),
        versions=texts.Html("\n".join(lines)),
    )
    if info.milestones:
        listed = [say(context, texts.MILESTONES_HEADER)]
        listed += [milestone_line(context, milestone) for milestone in info.milestones]
        text += "\n\n" + "\n".join(listed)
    await reply(update, context, text)


@coordinators_only
async def preview(update: Update, context: BotContext) -> None:
    """Exactly what a member receives, sent to the coordinator (buttons included)."""
    letter_id = await letter_ref(update, context, "preview")
    if letter_id is None:
        return
    letter, version = await letters.latest_version(context.db, letter_id)
    chat_id = context.who.telegram_user_id
    sample = Recipient(
        0, chat_id, context.language, None, 0, say(context, texts.PREVIEW_ORGANISATION)
    )
    await reply(update, context, say(context, texts.PREVIEW_INTRO, letter_id=letter.id))
    for planned in _composer(context).circulation(letter, version, sample, context.clock.now()):
        await send_outgoing(context.bot, chat_id, planned.message)


@coordinators_only
async def circulate(update: Update, context: BotContext) -> None:
    words = command_argument(update.message).split()
    letter_id = parse_ref(words[0]) if words else None
    targets = words[1:]
    organisation_ids: list[int] | None = None
    if targets and targets != ["all"]:
        refs = [parse_ref(word) for word in targets]
        if any(ref is None for ref in refs):
            letter_id = None
        organisation_ids = [ref for ref in refs if ref is not None]
    if letter_id is None:
        await reply(update, context, say(context, texts.USAGE_CIRCULATE))
        return
    if not targets:
        await _ask_circulate_all(update, context, letter_id)
        return
    result = await _circulate(context, letter_id, organisation_ids)
    await reply(update, context, _circulated_text(context, result))


async def _ask_circulate_all(update: Update, context: BotContext, letter_id: int) -> None:
    """``/circulate 4`` names no organisations: all of them, once the coordinator says so."""
    letter, version, organisations = await letters.circulation_preview(context.db, letter_id)
    text = say(
        context, texts.CIRCULATE_ASK, letter_id=letter.id, title=letter.title or "",
        version=label(version), organisations=organisations,
    )  # fmt: skip
    markup = keyboards.circulate_all(letter.id, organisations, context.language)
    await reply(update, context, text, reply_markup=markup)


@in_place
@coordinators_only
async def circulate_answer(update: Update, context: BotContext) -> None:
    """The answer to ``/circulate 4``: all organisations, or not now. Checked afresh."""
    letter_id = await confirmed(update, context, callback_data.CIRCULATE, texts.CIRCULATE_NOT_SENT)
    if letter_id is None:
        return
    result = await _circulate(context, letter_id, None)
    await answer_in_place(update, _circulated_text(context, result))


async def _circulate(
    context: BotContext, letter_id: int, organisation_ids: list[int] | None
) -> Circulation:
    result = await letters.circulate(
        context.db,
        letter_id,
        organisation_ids,
        requested_by=context.who.telegram_user_id,
        actor=actor(context),
        now=context.clock.now(),
        compose=(await composer_for(context, letter_id)).circulation,
        default_offsets=context.settings.reminder_offsets,
    )
    return result


def _circulated_text(context: BotContext, result: Circulation) -> str:
    if result.queued == 0:
        text = say(
            context,
            texts.LETTER_CIRCULATED_NOTHING,
            letter_id=result.letter.id,
            organisations=result.organisations,
            version=label(result.version),
        )
    else:
        text = say(
            context,
            texts.LETTER_CIRCULATED,
            letter_id=result.letter.id,
            title=result.letter.title or "",
            version=label(result.version),
            recipients=result.recipients,
            organisations=result.organisations,
            queued=result.queued,
        )
    if result.no_contact:
        names = _name_list(context, result.no_contact, letter_id=result.letter.id)
        text += "\n\n" + say(
            context, texts.CIRCULATED_NO_CONTACT, count=len(result.no_contact), names=names
        )
    return text


def _name_list(context: BotContext, names: Sequence[str], *, letter_id: int) -> texts.Html:
    """Organisations' names one a line, as many as fit in a message; then how many more."""
    lines = [say(context, texts.NAME_LINE, name=name) for name in names]
    return texts.Html(
        fitting_lines(
            lines, lambda more: say(context, texts.NAMES_MORE, count=more, letter_id=letter_id)
        )
    )


# --- members: Full text ---------------------------------------------------------------------


async def full_text(update: Update, context: BotContext) -> None:
    await send_text_again(update, context, callback_data.FULL_TEXT, original=False)


async def send_text_again(
    update: Update, context: BotContext, kind: str, *, original: bool
) -> None:
    """Full text (in the member's language where the letter has it) or, under a
    translation, the Original button (the authoritative text); checked alike."""
    query = update.callback_query
    assert query is not None
    args = callback_data.decode(query.data, kind, 2)
    who = context.who
    if args is None:
        await reply(update, context, say(context, texts.STALE_BUTTON))
        return
    if not who.is_member or who.contact is None:
        await reply(update, context, say(context, texts.PREVIEW_BUTTON))
        return
    access = await letters.reader_access(context.db, args[0], args[1], who.contact.id)
    composer = await composer_for(context, args[0])
    await letters.resend_full_text(
        context.db,
        access,
        now=context.clock.now(),
        compose=composer.original_text if original else composer.full_text,
    )


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("letters", list_letters))
    app.add_handler(CommandHandler("letter", show_letter))
    app.add_handler(CommandHandler("preview", preview))
    app.add_handler(CommandHandler("circulate", circulate))
    app.add_handler(CallbackQueryHandler(list_letters, pattern=rf"^{callback_data.LETTERS_PAGE}:"))
    app.add_handler(CallbackQueryHandler(full_text, pattern=rf"^{callback_data.FULL_TEXT}:"))
    app.add_handler(CallbackQueryHandler(circulate_answer, pattern=rf"^{callback_data.CIRCULATE}:"))
