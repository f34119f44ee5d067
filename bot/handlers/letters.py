"""Coordinators' letters: /newletter and /revise (guided flows), /letters, /letter,
/preview, /circulate; and the members' Full text button."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, keyboards, texts
from bot.context import BotApplication, BotContext
from bot.db.letters import Recipient
from bot.db.milestones import Milestone
from bot.db.timefmt import from_db, to_db
from bot.handlers.common import (
    actor,
    command_argument,
    coordinators_only,
    pack_pages,
    parse_ref,
    reply,
    requested_page,
    say,
    show_page,
)
from bot.handlers.flows import FlowKind, register_kind
from bot.jobs.outbox import send_outgoing, wake_outbox
from bot.jobs.schedule import wake_scheduler
from bot.messages import LetterComposer, label
from bot.services import flows, letters, responses
from bot.services.deadlines import DeadlineError, format_deadline, parse_deadline, relative_hint
from bot.services.documents import MAX_FILE_BYTES, DocumentError, extract_text
from bot.services.flows import Flow
from bot.services.letter_text import diff_paragraphs, fingerprint, normalise
from bot.services.letters import DraftSource, LetterError

NEWLETTER = "newletter"
REVISE = "revise"
# Telegram lets bots download files up to 20 MB; we refuse bigger ones before trying.
DOWNLOAD_LIMIT = min(MAX_FILE_BYTES, 20 * 1024 * 1024)

LETTER_REASONS = {
    "letter_not_found": texts.LETTER_NOT_FOUND,
    "letter_closed": texts.LETTER_CLOSED,
    "unchanged": texts.LETTER_UNCHANGED,
    "no_organisations": texts.LETTER_NO_ORGANISATIONS,
    "org_not_found": texts.ORG_NOT_FOUND,
    "title_empty": texts.TITLE_EMPTY,
    "title_too_long": texts.TITLE_TOO_LONG,
    "title_invalid": texts.TITLE_INVALID,
    "text_empty": texts.TEXT_EMPTY,
    "text_too_long": texts.TEXT_TOO_LONG,
    "deadline_past": texts.DEADLINE_PAST,
    responses.UNKNOWN_TO_MEMBER: texts.MEMBER_LETTER_UNKNOWN,
    "letter_purged": texts.LETTER_PURGED,
    "full_text_closed": texts.FULL_TEXT_CLOSED,
    "version_replaced": texts.FULL_TEXT_REPLACED,
    "deadline_unchanged": texts.DEADLINE_UNCHANGED,
    "milestone_name_empty": texts.MILESTONE_NAME_EMPTY,
    "milestone_name_too_long": texts.MILESTONE_NAME_TOO_LONG,
    "too_many_milestones": texts.MILESTONES_TOO_MANY,
}
DEADLINE_REASONS = {
    "format": texts.DEADLINE_FORMAT,
    "zone": texts.DEADLINE_ZONE,
    "past": texts.DEADLINE_PAST,
    "nonexistent": texts.DEADLINE_NONEXISTENT,
}
DOCUMENT_REASONS = {
    "unsupported_type": texts.FILE_UNSUPPORTED,
    "broken": texts.FILE_BROKEN,
    "encoding": texts.FILE_ENCODING,
    "empty": texts.FILE_EMPTY,
    "too_long": texts.FILE_TOO_LONG,
}
STATUS_TEXTS = {
    "draft": texts.LETTER_STATUS_DRAFT,
    "open": texts.LETTER_STATUS_OPEN,
    "closed": texts.LETTER_STATUS_CLOSED,
}


def characters(context: BotContext, count: int) -> texts.Html:
    """ "1 234 characters" in the reader's language, for a sentence that holds it."""
    return texts.Html(say(context, texts.COUNT_CHARACTERS, count=count))


def explain(context: BotContext, error: LetterError) -> str:
    return say(context, LETTER_REASONS[error.reason], **error.data)


def deadline_problem(context: BotContext, error: DeadlineError) -> str:
    return say(context, DEADLINE_REASONS[str(error.reason)])


def _composer(context: BotContext) -> LetterComposer:
    return LetterComposer(context.settings)


def describe_when(context: BotContext, iso: str) -> tuple[str, str]:
    """A stored instant as the caller reads it: date and time in their zone, and a hint."""
    moment = from_db(iso)
    assert moment is not None
    now = context.clock.now()
    return (
        format_deadline(moment, context.zone, context.language),
        relative_hint(moment, now, context.language),
    )


# --- reading a text or a file ---------------------------------------------------------------


@dataclass(frozen=True)
class TextInput:
    body: str
    source: DraftSource | None  # None: typed text, to be joined with more parts


async def read_text_input(message: Message, context: BotContext) -> TextInput | str:
    """A pasted text or an uploaded file as letter text, or the reason it can't be used."""
    document = message.document
    if document is not None:
        name = document.file_name or "letter"
        if (document.file_size or 0) > DOWNLOAD_LIMIT:
            size = round((document.file_size or 0) / 1024 / 1024, 1)
            limit = DOWNLOAD_LIMIT // 1024 // 1024
            return say(context, texts.FILE_TOO_BIG, size=size, limit=limit)
        try:
            extension = name.lower().rsplit(".", 1)[-1] if "." in name else ""
            if extension not in ("txt", "text", "md", "markdown", "docx"):
                return say(context, texts.FILE_UNSUPPORTED)
            telegram_file = await context.bot.get_file(document.file_id)
            content = bytes(await telegram_file.download_as_bytearray())
            extracted = extract_text(name, content, max_chars=letters.MAX_BODY)
        except DocumentError as error:
            return say(
                context,
                DOCUMENT_REASONS[str(error.reason)],
                length=error.actual_chars or 0,
                limit=letters.MAX_BODY,
            )
        kind = "md" if extracted.kind == "md" else extracted.kind
        return TextInput(extracted.text, DraftSource(kind, document.file_id, name))
    if message.text:
        return TextInput(message.text, None)
    return say(context, texts.FLOW_EXPECTS_TEXT)


async def _collect(update: Update, context: BotContext, flow: Flow) -> TextInput | None:
    """Adds a pasted part to the flow; returns the finished text when a file completed it."""
    message = update.effective_message
    assert message is not None
    got = await read_text_input(message, context)
    if isinstance(got, str):
        await reply(update, context, got)
        return None
    if got.source is not None:
        return got
    parts = [*flow.state.get("parts", []), got.body]
    total = len(normalise("\n\n".join(parts)))
    if total > letters.MAX_BODY:
        text = say(context, texts.TEXT_TOO_LONG, length=total, limit=letters.MAX_BODY)
        await reply(update, context, text)
        return None
    state = {**flow.state, "parts": parts}
    await flows.save(context.db, flow.telegram_user_id, flow.kind, state, now=context.clock.now())
    await reply(
        update,
        context,
        say(context, texts.TEXT_RECEIVED, characters=total),
        reply_markup=keyboards.flow_done(context.language),
    )
    return None


def _typed_text(flow: Flow) -> TextInput | None:
    parts = flow.state.get("parts", [])
    if not parts:
        return None
    # Telegram clients split long pastes into several messages at line breaks.
    return TextInput("\n\n".join(parts), DraftSource())


# --- /newletter -----------------------------------------------------------------------------


@coordinators_only
async def new_letter(update: Update, context: BotContext) -> None:
    """Starts the flow; title, deadline and text may also come in this one message."""
    lines = command_argument(update.message).split("\n", 2)
    # The letter's language (its export's) is the coordinator's own unless they pick another.
    state: dict[str, object] = {"step": "title", "language": context.language}
    now = context.clock.now()
    user_id = context.who.telegram_user_id
    try:
        if lines[0].strip():
            state = {**state, "step": "deadline", "title": letters.clean_title(lines[0])}
        if len(lines) > 1 and lines[1].strip() and state["step"] == "deadline":
            deadline = parse_deadline(lines[1], default_zone=context.settings.zone, now=now)
            state = {**state, "step": "text", "deadline": to_db(deadline),
                     "zone": _zone_name(deadline, context)}  # fmt: skip
    except LetterError as error:
        await reply(update, context, explain(context, error))
    except DeadlineError as error:
        await reply(update, context, deadline_problem(context, error))
    await flows.save(context.db, user_id, NEWLETTER, state, now=now)
    if state["step"] == "text" and len(lines) > 2 and lines[2].strip():
        await _create_letter(update, context, state, TextInput(lines[2], DraftSource()))
        return
    await _ask_next(update, context, state)


def _zone_name(deadline: datetime, context: BotContext) -> str:
    zone = getattr(deadline.tzinfo, "key", None)
    return zone or context.settings.timezone


async def _ask_next(update: Update, context: BotContext, state: dict[str, object]) -> None:
    step = state["step"]
    if step == "title":
        await reply(update, context, say(context, texts.NEWLETTER_ASK_TITLE))
    elif step == "deadline":
        text = say(
            context,
            texts.NEWLETTER_ASK_DEADLINE,
            title=state["title"],
            zone=context.settings.timezone,
        )
        await reply(update, context, text)
    else:
        text, markup = _text_step(context, state)
        await reply(update, context, text, reply_markup=markup)


def _text_step(context: BotContext, state: dict[str, object]) -> tuple[str, InlineKeyboardMarkup]:
    """The text step's question: the deadline so far and the letter's language buttons."""
    deadline, relative = describe_when(context, str(state["deadline"]))
    language = _letter_language(context, state)
    text = say(
        context,
        texts.NEWLETTER_ASK_TEXT,
        deadline=deadline,
        relative=relative,
        language=texts.LANGUAGE_NAMES[language],
    )
    return text, keyboards.letter_language(language, context.language)


def _letter_language(context: BotContext, state: dict[str, object]) -> str:
    chosen = str(state.get("language") or "")
    return chosen if chosen in texts.LANGUAGES else context.language


async def _newletter_language(update: Update, context: BotContext, flow: Flow) -> None:
    """A language button under the text step: the letter (and its export) is in that one."""
    query = update.callback_query
    args = callback_data.decode(query.data if query else None, callback_data.LETTER_LANGUAGE, 1)
    if args is None or flow.state.get("step") != "text" or not 0 <= args[0] < len(texts.LANGUAGES):
        await reply(update, context, say(context, texts.FLOW_STALE))
        return
    language = texts.LANGUAGES[args[0]]
    state = {**flow.state, "language": language}
    await flows.save(context.db, flow.telegram_user_id, NEWLETTER, state, now=context.clock.now())
    assert query is not None
    text, markup = _text_step(context, state)
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in str(error):  # the language already chosen, pressed again
            raise


async def _newletter_message(update: Update, context: BotContext, flow: Flow) -> None:
    message = update.effective_message
    assert message is not None
    step = flow.state["step"]
    now = context.clock.now()
    if step in ("title", "deadline") and not message.text:
        await reply(update, context, say(context, texts.FLOW_EXPECTS_TEXT))
        return
    state = dict(flow.state)
    try:
        if step == "title":
            state.update(step="deadline", title=letters.clean_title(message.text or ""))
        elif step == "deadline":
            deadline = parse_deadline(
                message.text or "", default_zone=context.settings.zone, now=now
            )
            state.update(step="text", deadline=to_db(deadline), zone=_zone_name(deadline, context))
        else:
            finished = await _collect(update, context, flow)
            if finished is not None:
                await _create_letter(update, context, state, finished)
            return
    except LetterError as error:
        await reply(update, context, explain(context, error))
        return
    except DeadlineError as error:
        await reply(update, context, deadline_problem(context, error))
        return
    await flows.save(context.db, flow.telegram_user_id, NEWLETTER, state, now=now)
    await _ask_next(update, context, state)


async def _newletter_done(update: Update, context: BotContext, flow: Flow) -> None:
    if flow.state.get("step") != "text":
        await reply(update, context, say(context, texts.FLOW_STALE))
        return
    typed = _typed_text(flow)
    if typed is None:
        await reply(update, context, say(context, texts.TEXT_EMPTY_YET))
        return
    await _create_letter(update, context, flow.state, typed)


async def _create_letter(
    update: Update, context: BotContext, state: dict[str, object], text: TextInput
) -> None:
    deadline = from_db(str(state["deadline"]))
    assert deadline is not None
    try:
        letter, version = await letters.create_letter(
            context.db,
            title=str(state["title"]),
            deadline=deadline,
            zone_name=str(state.get("zone") or context.settings.timezone),
            body=text.body,
            source=text.source or DraftSource(),
            language=_letter_language(context, state),
            created_by=context.who.telegram_user_id,
            actor=actor(context),
            now=context.clock.now(),
        )
    except LetterError as error:
        await reply(update, context, explain(context, error))
        return
    await flows.finish(context.db, context.who.telegram_user_id)
    deadline_text, _ = describe_when(context, letter.deadline)
    await reply(
        update,
        context,
        say(
            context,
            texts.LETTER_CREATED,
            letter_id=letter.id,
            title=letter.title or "",
            deadline=deadline_text,
            version=label(version),
            characters=characters(context, len(version.body or "")),
            language=texts.LANGUAGE_NAMES[letter.language],
        ),
    )


# --- /revise --------------------------------------------------------------------------------


@coordinators_only
async def revise(update: Update, context: BotContext) -> None:
    letter_id = parse_ref(command_argument(update.message))
    if letter_id is None:
        await reply(update, context, say(context, texts.USAGE_LETTER_REF, command="revise"))
        return
    try:
        letter, version = await letters.latest_version(context.db, letter_id)
        if letter.status == "closed":
            raise LetterError("letter_closed", ref=letter_id)
    except LetterError as error:
        await reply(update, context, explain(context, error))
        return
    state = {"step": "text", "letter_id": letter_id}
    await flows.save(
        context.db, context.who.telegram_user_id, REVISE, state, now=context.clock.now()
    )
    text = say(context, texts.REVISE_ASK_TEXT, title=letter.title or "", version=label(version))
    await reply(update, context, text, reply_markup=keyboards.flow_done(context.language))


async def _revise_message(update: Update, context: BotContext, flow: Flow) -> None:
    if flow.state.get("step") != "text":
        await reply(update, context, say(context, texts.FLOW_STALE))
        return
    finished = await _collect(update, context, flow)
    if finished is not None:
        await _ask_revision_kind(update, context, flow, finished)


async def _revise_done(update: Update, context: BotContext, flow: Flow) -> None:
    typed = _typed_text(flow) if flow.state.get("step") == "text" else None
    if typed is None:
        await reply(update, context, say(context, texts.TEXT_EMPTY_YET))
        return
    await _ask_revision_kind(update, context, flow, typed)


async def _ask_revision_kind(
    update: Update, context: BotContext, flow: Flow, text: TextInput
) -> None:
    letter_id = int(flow.state["letter_id"])
    try:
        body = letters.clean_body(text.body)
        _, current = await letters.latest_version(context.db, letter_id)
        if fingerprint(body) == current.fingerprint:
            raise LetterError("unchanged", version=current.number)
    except LetterError as error:
        await flows.finish(context.db, flow.telegram_user_id)
        await reply(update, context, explain(context, error))
        return
    source = text.source or DraftSource()
    state = {
        "step": "kind",
        "letter_id": letter_id,
        "body": body,
        "source": [source.kind, source.file_id, source.file_name],
    }
    await flows.save(context.db, flow.telegram_user_id, REVISE, state, now=context.clock.now())
    changes = len(diff_paragraphs(current.body or "", body))
    await reply(
        update,
        context,
        say(
            context,
            texts.REVISE_ASK_KIND,
            characters=characters(context, len(body)),
            changes=texts.Html(say(context, texts.PARAGRAPHS_CHANGED, count=changes)),
        ),
        reply_markup=keyboards.revision_kind(context.language),
    )


async def _revise_kind(update: Update, context: BotContext, flow: Flow) -> None:
    query = update.callback_query
    args = callback_data.decode(query.data if query else None, callback_data.REVISION_KIND, 1)
    if args is None or flow.state.get("step") != "kind":
        await reply(update, context, say(context, texts.FLOW_STALE))
        return
    material = bool(args[0])
    kind, file_id, file_name = flow.state["source"]
    composer = _composer(context)
    try:
        revision = await letters.revise(
            context.db,
            int(flow.state["letter_id"]),
            body=str(flow.state["body"]),
            material=material,
            source=DraftSource(kind, file_id, file_name),
            created_by=context.who.telegram_user_id,
            actor=actor(context),
            now=context.clock.now(),
            compose_notice=composer.revision_notice,
        )
    except LetterError as error:
        await flows.finish(context.db, flow.telegram_user_id)
        await reply(update, context, explain(context, error))
        return
    await flows.finish(context.db, flow.telegram_user_id)
    wake_outbox(context.application)
    kind_text = say(context, texts.KIND_MATERIAL if material else texts.KIND_MINOR)
    await reply(
        update,
        context,
        say(
            context,
            texts.LETTER_REVISED,
            letter_id=revision.letter.id,
            version=label(revision.version),
            kind=kind_text,
            notices=revision.notices_queued,
        ),
    )


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
        blocks.append(
            say(
                context,
                texts.LETTERS_LINE,
                letter_id=item.letter.id,
                title=item.letter.title or "—",
                status=say(context, STATUS_TEXTS[item.letter.status]),
                deadline=deadline,
                version=label(item.latest),
                organisations=item.counts.organisations,
                signed=item.counts.signed,
                declined=item.counts.declined,
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


async def letter_ref(update: Update, context: BotContext, command: str) -> int | None:
    letter_id = parse_ref(command_argument(update.message).split(" ")[0])
    if letter_id is None:
        await reply(update, context, say(context, texts.USAGE_LETTER_REF, command=command))
    return letter_id


@coordinators_only
async def show_letter(update: Update, context: BotContext) -> None:
    letter_id = await letter_ref(update, context, "letter")
    if letter_id is None:
        return
    try:
        info = await letters.details(context.db, letter_id)
    except LetterError as error:
        await reply(update, context, explain(context, error))
        return
    lines = []
    for version in info.versions:
        created, _ = describe_when(context, version.created_at)
        source = (
            say(context, texts.LETTER_VERSION_SOURCE, file_name=version.source_file_name)
            if version.source_file_name
            else ""
        )
        lines.append(
            say(
                context,
                texts.LETTER_VERSION_LINE,
                version=label(version),
                kind=say(context, texts.KIND_MATERIAL if version.material else texts.KIND_MINOR),
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
        organisations=info.counts.organisations,
        recipients=info.recipients,
        signed=info.counts.signed,
        declined=info.counts.declined,
        versions=texts.Html("\n".join(lines)),
    )
    if info.milestones:
        listed = [say(context, texts.MILESTONES_HEADER)]
        listed += [milestone_line(context, milestone) for milestone in info.milestones]
        text += "\n\n" + "\n".join(listed)
    await reply(update, context, text)


def milestone_line(context: BotContext, milestone: Milestone) -> str:
    when, relative = describe_when(context, milestone.at)
    return say(
        context, texts.MILESTONE_LINE, milestone_id=milestone.id, name=milestone.name,
        when=when, relative=relative,
    )  # fmt: skip


@coordinators_only
async def preview(update: Update, context: BotContext) -> None:
    """Exactly what a member receives, sent to the coordinator (buttons included)."""
    letter_id = await letter_ref(update, context, "preview")
    if letter_id is None:
        return
    try:
        letter, version = await letters.latest_version(context.db, letter_id)
    except LetterError as error:
        await reply(update, context, explain(context, error))
        return
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
    try:
        result = await letters.circulate(
            context.db,
            letter_id,
            organisation_ids,
            requested_by=context.who.telegram_user_id,
            actor=actor(context),
            now=context.clock.now(),
            compose=_composer(context).circulation,
            default_offsets=context.settings.reminder_offsets,
        )
    except LetterError as error:
        await reply(update, context, explain(context, error))
        return
    wake_outbox(context.application)
    wake_scheduler(context.application)
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
    await reply(update, context, text)


# --- members: Full text ---------------------------------------------------------------------


async def full_text(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    args = callback_data.decode(query.data, callback_data.FULL_TEXT, 2)
    who = context.who
    if args is None:
        await reply(update, context, say(context, texts.STALE_BUTTON))
        return
    if not who.is_member or who.contact is None:
        await reply(update, context, say(context, texts.PREVIEW_BUTTON))
        return
    try:
        access = await letters.reader_access(context.db, args[0], args[1], who.contact.id)
        await letters.resend_full_text(
            context.db, access, now=context.clock.now(), compose=_composer(context).full_text
        )
    except LetterError as error:
        markup = None
        if error.reason == "version_replaced":  # offer the current text instead
            markup = keyboards.full_text(args[0], error.data["latest_id"], context.language)
        await reply(update, context, explain(context, error), reply_markup=markup)
        return
    wake_outbox(context.application)


async def deliver_open_letters(context: BotContext, contact_id: int, organisation_id: int) -> None:
    """A contact who just joined gets the letters already open for their organisation."""
    queued = await letters.deliver_open_letters(
        context.db,
        contact_id,
        organisation_id,
        now=context.clock.now(),
        compose=_composer(context).circulation,
    )
    if queued:
        wake_outbox(context.application)


register_kind(
    NEWLETTER,
    FlowKind(on_message=_newletter_message, on_done=_newletter_done, on_choice=_newletter_language),
)
register_kind(
    REVISE, FlowKind(on_message=_revise_message, on_done=_revise_done, on_choice=_revise_kind)
)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("newletter", new_letter))
    app.add_handler(CommandHandler("revise", revise))
    app.add_handler(CommandHandler("letters", list_letters))
    app.add_handler(CommandHandler("letter", show_letter))
    app.add_handler(CommandHandler("preview", preview))
    app.add_handler(CommandHandler("circulate", circulate))
    app.add_handler(CallbackQueryHandler(list_letters, pattern=rf"^{callback_data.LETTERS_PAGE}:"))
    app.add_handler(CallbackQueryHandler(full_text, pattern=rf"^{callback_data.FULL_TEXT}:"))
