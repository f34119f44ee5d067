"""Coordinators draft letters: /newletter and /revise (guided flows), and the letter text
they take, pasted in parts or uploaded as a file."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Self, TypeVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CommandHandler

from bot import callback_data, keyboards, texts
from bot.context import BotApplication, BotContext
from bot.db.timefmt import from_db, to_db
from bot.handlers.approvals import request_action
from bot.handlers.common import actor, command_argument, coordinators_only, parse_ref, reply, say
from bot.handlers.flows import FlowKind, Resumed
from bot.handlers.presenters import characters, describe_when
from bot.handlers.refusals import refuse
from bot.outgoing.letters import label, render_changes
from bot.services import flows, letter_copy, letters
from bot.services.approvals import ActionResult, ReviseLetter
from bot.services.deadlines import parse_deadline
from bot.services.documents import MAX_FILE_BYTES, check_upload, extract_text
from bot.services.flows import FlowState
from bot.services.letter_text import (
    TELEGRAM_MESSAGE_LIMIT,
    diff_paragraphs,
    normalise,
    telegram_length,
)
from bot.services.letters import DraftSource, Revision
from bot.services.pasting import PASTE_GAP, Part, Pasted, assemble
from bot.services.refusals import Refusal
from bot.services.signatories import find_signatory_list, organisation_names
from bot.throughput import PerChatUpdateProcessor

NEWLETTER = "newletter"
REVISE = "revise"
# Telegram lets bots download files up to 20 MB; we refuse bigger ones before trying.
DOWNLOAD_LIMIT = min(MAX_FILE_BYTES, 20 * 1024 * 1024)
# The revision question with the changes shown in it stays under Telegram's 4096.
_ASK_LIMIT = 4000
# "/newletter title, deadline, text" longer than this may be a paste an app split.
_NEAR_LIMIT = TELEGRAM_MESSAGE_LIMIT * 3 // 4


def _example_day(context: BotContext) -> dict[str, str]:
    """A deadline three weeks ahead, as the prompt's examples: an example in the past would
    be refused if copied."""
    day = (context.clock.now().astimezone(context.settings.zone) + timedelta(weeks=3)).date()
    return {"iso": day.isoformat(), "dotted": day.strftime("%d.%m.%Y")}


# --- reading a text or a file ---------------------------------------------------------------


@dataclass(frozen=True)
class TextInput:
    body: str
    source: DraftSource | None  # None: typed text, to be joined with more parts


_IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp", "heic", "heif", "tif", "tiff", "bmp")


async def read_text_input(message: Message, context: BotContext) -> TextInput | str:
    """A pasted text or an uploaded file as letter text, or what to send instead; a file
    that can't be used is refused (``DocumentError``)."""
    document = message.document
    if document is not None:
        name = document.file_name or "letter"
        extension = name.lower().rsplit(".", 1)[-1] if "." in name else ""
        if extension in _IMAGE_EXTENSIONS or (document.mime_type or "").startswith("image/"):
            return say(context, texts.TEXT_STEP_IMAGE)
        check_upload(name, document.file_size or 0, max_bytes=DOWNLOAD_LIMIT)
        telegram_file = await context.bot.get_file(document.file_id)
        content = bytes(await telegram_file.download_as_bytearray())
        extracted = extract_text(name, content, max_chars=letters.MAX_BODY)
        kind = "md" if extracted.kind == "md" else extracted.kind
        return TextInput(extracted.text, DraftSource(kind, document.file_id, name))
    if message.text:
        return TextInput(message.text, None)
    # A photo or scan, a sticker, a voice message...: say what can be read instead.
    return say(context, texts.TEXT_STEP_IMAGE if message.photo else texts.TEXT_STEP_MEDIA)


@dataclass(frozen=True)
class Ack:
    """The message that acknowledges the paste in progress (it carries the Done button)."""

    message_id: int
    date: int  # of the last part it acknowledged (Unix time, as Telegram gives it)


@dataclass(frozen=True)
class HeldFile:
    """An uploaded file's text, held for Done (its text seemed to hold the signatories)."""

    body: str
    source: DraftSource


def _source_json(source: DraftSource) -> list[str | None]:
    return [source.kind, source.file_id, source.file_name]


def _source_from(raw: Any) -> DraftSource:
    kind, file_id, file_name = raw
    return DraftSource(str(kind), file_id, file_name)


def _part_from(raw: Any) -> Part:
    """A pasted part as kept (a plain string in flows begun before dates were kept: those
    are never joined seamlessly)."""
    if isinstance(raw, str):
        return Part(raw, None)
    date = raw.get("date")
    when = datetime.fromtimestamp(date, UTC) if date is not None else None
    return Part(str(raw["text"]), when, int(raw.get("offset", 0)))


def _part_json(part: Part) -> dict[str, Any]:
    date = None if part.date is None else int(part.date.timestamp())
    return {"text": part.text, "date": date, "offset": part.offset}


@dataclass(frozen=True, kw_only=True)
class Drafting(FlowState):
    """What a flow that takes a letter's text keeps: the parts of a paste so far, the
    message acknowledging them, or an uploaded file held for Done."""

    parts: tuple[Part, ...] = ()
    ack: Ack | None = None
    file: HeldFile | None = None

    def to_json(self) -> dict[str, Any]:
        kept: dict[str, Any] = {}
        if self.parts:
            kept["parts"] = [_part_json(part) for part in self.parts]
        if self.ack is not None:
            kept["ack"] = {"message_id": self.ack.message_id, "date": self.ack.date}
        if self.file is not None:
            kept["file"] = {"body": self.file.body, "source": _source_json(self.file.source)}
        return kept

    @staticmethod
    def drafting_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
        """The fields above, from a state as kept (for a subclass's ``from_json``)."""
        ack, held = raw.get("ack"), raw.get("file")
        return {
            "parts": tuple(_part_from(part) for part in raw.get("parts") or []),
            "ack": None if ack is None else Ack(int(ack["message_id"]), int(ack["date"])),
            "file": None
            if held is None
            else HeldFile(str(held["body"]), _source_from(held["source"])),
        }


D = TypeVar("D", bound=Drafting)


async def _collect(update: Update, context: BotContext, flow: Resumed[D]) -> TextInput | None:
    """Adds a pasted part to the flow; returns the finished text when a file completed it."""
    message = update.effective_message
    assert message is not None
    got = await read_text_input(message, context)
    if isinstance(got, str):
        await reply(update, context, got)
        return None
    if got.source is not None:
        return got
    await _add_part(update, context, flow.kind, flow.state, got.body, offset=0)
    return None


async def _add_part(
    update: Update,
    context: BotContext,
    kind: str,
    state: D,
    body: str,
    *,
    offset: int,
) -> None:
    """Keeps one message of a paste (with its date, for joining the parts of one paste)
    and acknowledges the paste in one message, edited as its parts arrive."""
    message = update.effective_message
    assert message is not None
    stamp = int(message.date.timestamp())
    parts = (*state.parts, Part(body, datetime.fromtimestamp(stamp, UTC), offset))
    pasted = assemble(parts)
    total = len(normalise(pasted.text))
    if total > letters.MAX_BODY:
        text = say(context, texts.TEXT_TOO_LONG, length=total, limit=letters.MAX_BODY)
        await reply(update, context, text)
        return
    user_id = context.who.telegram_user_id
    replaced_file = state.file is not None
    state = replace(state, parts=parts, file=None)
    await flows.save(context.db, user_id, kind, state, now=context.clock.now())
    lines = [say(context, texts.TEXT_RECEIVED, characters=total), _join_lines(context, pasted)]
    warning = await _signatory_warning(context, pasted.text, texts.SIGNATORIES_PASTE_HINT)
    lines += [warning] if warning else []
    lines += [say(context, texts.PASTE_REPLACES_FILE)] if replaced_file else []
    lines = [line for line in lines if line]
    previous = state.ack
    # A part within a few seconds of the last one belongs to the same paste (message dates).
    since = stamp - previous.date if previous is not None else -1
    continues = 0 <= since <= PASTE_GAP.total_seconds()
    ack = await _acknowledge(update, context, previous, "\n\n".join(lines), continues=continues)
    await flows.save(context.db, user_id, kind, replace(state, ack=ack), now=context.clock.now())


_JOIN_TEXTS = {
    " ": texts.PASTE_JOINED_SPACE,
    "\n": texts.PASTE_JOINED_LINE,
    "\n\n": texts.PASTE_JOINED_PARAGRAPH,
}
_JOINS_SHOWN = 5


def _join_lines(context: BotContext, pasted: Pasted) -> str:
    """Where the bot joined the parts of a paste, so a wrong join is seen before Done."""
    shown = [join for join in pasted.joins if join.shown]
    lines = []
    for join in shown[:_JOINS_SHOWN]:
        message = texts.PASTE_JOIN_UNSURE if join.kind == "unsure" else _JOIN_TEXTS[join.separator]
        lines.append(say(context, message, before=join.before, after=join.after))
    if len(shown) > _JOINS_SHOWN:
        lines.append(say(context, texts.PASTE_JOINS_MORE, count=len(shown) - _JOINS_SHOWN))
    if shown:
        lines.append(say(context, texts.PASTE_JOINS_HINT))
    return "\n".join(lines)


async def _signatory_warning(context: BotContext, body: str, hint: str) -> str | None:
    """A warning (and what to do about it) when the text seems to hold a signatory list."""
    found = find_signatory_list(body, await organisation_names(context.db))
    if found is None:
        return None
    warning = say(context, texts.SIGNATORIES_IN_TEXT, count=found.count, first=found.first)
    return f"{warning}\n{say(context, hint)}"


async def _acknowledge(
    update: Update, context: BotContext, previous: Ack | None, text: str, *, continues: bool
) -> Ack:
    """Edits the acknowledgement of the paste in progress (``continues``), or sends a new
    one; the Done button is always on the latest acknowledgement only."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    markup = keyboards.flow_done(context.language)
    stamp = int(message.date.timestamp())
    if previous is not None:
        message_id = previous.message_id
        if continues and _more_coming(context, chat.id):
            # More of this chat's messages are already waiting (the rest of the paste): the
            # last one edits; an edit per part would queue behind Telegram's 1/s per chat.
            return Ack(message_id, stamp)
        if continues:
            try:
                await context.bot.edit_message_text(
                    text, chat.id, message_id, parse_mode=ParseMode.HTML,
                    reply_markup=markup, disable_web_page_preview=True,
                )  # fmt: skip
                return Ack(message_id, stamp)
            except BadRequest as error:
                if "not modified" in str(error):
                    return Ack(message_id, stamp)
                # Deleted meanwhile, or too old to edit: acknowledge in a new message.
        with contextlib.suppress(BadRequest):  # already without buttons, or gone
            await context.bot.edit_message_reply_markup(chat.id, message_id, reply_markup=None)
    sent = await context.bot.send_message(
        chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
        disable_web_page_preview=True,
    )  # fmt: skip
    return Ack(sent.message_id, stamp)


def _more_coming(context: BotContext, chat_id: int) -> bool:
    processor = context.application.update_processor
    return isinstance(processor, PerChatUpdateProcessor) and processor.pending(chat_id) > 1


def _typed_text(state: Drafting) -> TextInput | None:
    """The pasted text so far (its parts joined back), or a file kept for Done."""
    if state.file is not None:
        return TextInput(state.file.body, state.file.source)
    if not state.parts:
        return None
    return TextInput(assemble(state.parts).text, DraftSource())


# --- /newletter -----------------------------------------------------------------------------

NewLetterStep = Literal["title", "deadline", "text"]
_NEWLETTER_STEPS: tuple[NewLetterStep, ...] = ("title", "deadline", "text")


@dataclass(frozen=True, kw_only=True)
class NewLetterState(Drafting):
    """/newletter: the title, then the deadline (and its zone), then the text; the
    letter's language is the coordinator's own unless they pick another. /copyletter
    (issue 17) is the same flow, with the letter it copies (``copy_from``)."""

    step: NewLetterStep
    language: str | None = None
    title: str | None = None
    deadline: datetime | None = None
    zone: str | None = None
    copy_from: int | None = None

    def to_json(self) -> dict[str, Any]:
        kept: dict[str, Any] = {"step": self.step}
        if self.language is not None:
            kept["language"] = self.language
        if self.title is not None:
            kept["title"] = self.title
        if self.deadline is not None:
            kept["deadline"] = to_db(self.deadline)
        if self.zone is not None:
            kept["zone"] = self.zone
        if self.copy_from is not None:
            kept["copy_from"] = self.copy_from
        return {**kept, **super().to_json()}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        step = raw["step"]
        if step not in _NEWLETTER_STEPS:
            raise ValueError(f"no /newletter step {step!r}")
        deadline = from_db(raw.get("deadline"))
        if step == "text" and deadline is None:
            raise ValueError("the text step without a deadline")
        title, copy_from = raw.get("title"), raw.get("copy_from")
        return cls(
            step=step,
            language=raw.get("language"),
            title=None if title is None else str(title),
            deadline=deadline,
            zone=raw.get("zone"),
            copy_from=None if copy_from is None else int(copy_from),
            **cls.drafting_fields(raw),
        )

    @property
    def known_deadline(self) -> datetime:
        if self.deadline is None:
            raise ValueError("the flow has no deadline")
        return self.deadline


@coordinators_only
async def new_letter(update: Update, context: BotContext) -> None:
    """Starts the flow; title, deadline and text may also come in this one message."""
    lines = command_argument(update.message).split("\n", 2)
    # The letter's language (its export's) is the coordinator's own unless they pick another.
    state = NewLetterState(step="title", language=context.language)
    now = context.clock.now()
    user_id = context.who.telegram_user_id
    try:
        if lines[0].strip():
            state = replace(state, step="deadline", title=letters.clean_title(lines[0]))
        if len(lines) > 1 and lines[1].strip() and state.step == "deadline":
            deadline = parse_deadline(lines[1], default_zone=context.settings.zone, now=now)
            state = replace(
                state, step="text", deadline=deadline, zone=_zone_name(deadline, context)
            )
    except Refusal as refusal:  # said, and the flow goes on from what was understood
        await refuse(update, context, refusal)
    await flows.save(context.db, user_id, NEWLETTER, state, now=now)
    if state.step == "text" and len(lines) > 2 and lines[2].strip():
        body = lines[2]
        whole = (update.message.text or "").rstrip() if update.message else body
        # A message near the limit may be the first part of a paste a Telegram app split:
        # wait for the rest (and Done) rather than create the letter from a part of it.
        if telegram_length(whole) <= _NEAR_LIMIT and not (
            find_signatory_list(body, await organisation_names(context.db))
        ):
            await _create_letter(update, context, state, TextInput(body, DraftSource()))
            return
        await _ask_next(update, context, state)
        offset = telegram_length(whole) - telegram_length(body)
        await _add_part(update, context, NEWLETTER, state, body, offset=offset)
        return
    await _ask_next(update, context, state)


def _zone_name(deadline: datetime, context: BotContext) -> str:
    zone = getattr(deadline.tzinfo, "key", None)
    return zone or context.settings.timezone


async def _ask_next(update: Update, context: BotContext, state: NewLetterState) -> None:
    if state.step == "title":
        await reply(update, context, say(context, texts.NEWLETTER_ASK_TITLE))
    elif state.step == "deadline":
        text = say(
            context,
            texts.NEWLETTER_ASK_DEADLINE,
            title=state.title or "",
            zone=context.settings.timezone,
            **_example_day(context),
        )
        await reply(update, context, text)
    else:
        text, markup = _text_step(context, state)
        await reply(update, context, text, reply_markup=markup)


def _text_step(context: BotContext, state: NewLetterState) -> tuple[str, InlineKeyboardMarkup]:
    """The text step's question: the deadline so far and the letter's language buttons."""
    deadline, relative = describe_when(context, state.known_deadline)
    language = _letter_language(context, state)
    text = say(
        context,
        texts.NEWLETTER_ASK_TEXT,
        deadline=deadline,
        relative=relative,
        language=texts.LANGUAGE_NAMES[language],
    )
    return text, keyboards.letter_language(language, context.language)


def _letter_language(context: BotContext, state: NewLetterState) -> str:
    chosen = state.language or ""
    return chosen if chosen in texts.LANGUAGES else context.language


async def _newletter_language(
    update: Update, context: BotContext, flow: Resumed[NewLetterState]
) -> None:
    """A language button under the text step: the letter (and its export) is in that one."""
    query = update.callback_query
    args = callback_data.decode(query.data if query else None, callback_data.LETTER_LANGUAGE, 1)
    if args is None or flow.state.step != "text" or not 0 <= args[0] < len(texts.LANGUAGES):
        await reply(update, context, say(context, texts.FLOW_STALE))
        return
    state = replace(flow.state, language=texts.LANGUAGES[args[0]])
    await flows.save(context.db, flow.telegram_user_id, NEWLETTER, state, now=context.clock.now())
    assert query is not None
    text, markup = _text_step(context, state)
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in str(error):  # the language already chosen, pressed again
            raise


async def _newletter_message(
    update: Update, context: BotContext, flow: Resumed[NewLetterState]
) -> None:
    message = update.effective_message
    assert message is not None
    step = flow.state.step
    now = context.clock.now()
    if step in ("title", "deadline") and not message.text:
        await reply(update, context, say(context, texts.FLOW_EXPECTS_TEXT))
        return
    if step == "title":
        state = replace(flow.state, step="deadline", title=letters.clean_title(message.text or ""))
    elif step == "deadline":
        deadline = parse_deadline(message.text or "", default_zone=context.settings.zone, now=now)
        zone = _zone_name(deadline, context)
        state = replace(flow.state, step="text", deadline=deadline, zone=zone)
    else:
        finished = await _collect(update, context, flow)
        if finished is not None:
            await _new_letter_from_file(update, context, flow, finished)
        return
    await flows.save(context.db, flow.telegram_user_id, NEWLETTER, state, now=now)
    await _ask_next(update, context, state)


async def _new_letter_from_file(
    update: Update, context: BotContext, flow: Resumed[NewLetterState], text: TextInput
) -> None:
    """A file completes the text step, unless its text seems to hold the signatory list:
    then the warning comes first, and Done creates the letter (nothing is stored yet)."""
    warning = await _signatory_warning(context, text.body, texts.SIGNATORIES_FILE_HINT)
    if warning is None:
        await _create_letter(update, context, flow.state, text)
        return
    source = text.source or DraftSource()
    state = replace(flow.state, file=HeldFile(text.body, source), parts=())
    user_id = context.who.telegram_user_id
    await flows.save(context.db, user_id, NEWLETTER, state, now=context.clock.now())
    read = say(
        context, texts.FILE_RECEIVED, characters=len(normalise(text.body)),
        file_name=source.file_name or "",
    )  # fmt: skip
    # A file is never part of a paste: its acknowledgement is a message of its own.
    ack = await _acknowledge(update, context, state.ack, f"{read}\n\n{warning}", continues=False)
    state = replace(state, ack=ack)
    await flows.save(context.db, user_id, NEWLETTER, state, now=context.clock.now())


async def _newletter_done(
    update: Update, context: BotContext, flow: Resumed[NewLetterState]
) -> None:
    if flow.state.step != "text":
        await reply(update, context, say(context, texts.FLOW_STALE))
        return
    typed = _typed_text(flow.state)
    if typed is None:
        await reply(update, context, say(context, texts.TEXT_EMPTY_YET))
        return
    await _create_letter(update, context, flow.state, typed)


async def _create_letter(
    update: Update, context: BotContext, state: NewLetterState, text: TextInput
) -> None:
    if state.copy_from is not None:
        await _create_copy(update, context, state, state.copy_from, text)
        return
    letter, version = await letters.create_letter(
        context.db,
        title=state.title or "",
        deadline=state.known_deadline,
        zone_name=state.zone or context.settings.timezone,
        body=text.body,
        source=text.source or DraftSource(),
        language=_letter_language(context, state),
        created_by=context.who.telegram_user_id,
        actor=actor(context),
        now=context.clock.now(),
    )
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


async def _create_copy(
    update: Update, context: BotContext, state: NewLetterState, source_id: int, text: TextInput
) -> None:
    """The end of /copyletter's flow: the new draft (``letter_copy.copy_letter``)."""
    copied = await letter_copy.copy_letter(
        context.db, source_id, title=state.title or "", deadline=state.known_deadline,
        zone_name=state.zone or context.settings.timezone, body=text.body,
        source=text.source or DraftSource(), created_by=context.who.telegram_user_id,
        actor=actor(context), now=context.clock.now(), language=state.language or None,
    )  # fmt: skip
    await flows.finish(context.db, context.who.telegram_user_id)
    left_out = (
        say(context, texts.COPYLETTER_LEFT_OUT, count=len(copied.left_out))
        if copied.left_out
        else ""
    )
    text_done = say(
        context, texts.COPYLETTER_DONE, letter_id=copied.letter.id,
        title=copied.letter.title or "", source_id=copied.source.id,
        organisations=len(copied.planned), milestones=len(copied.milestones),
        left_out=left_out,
    )  # fmt: skip
    await reply(update, context, text_done)


# --- /revise --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReviseState(Drafting):
    """/revise: the new text (``text``), then whether the change is material (``kind``)."""

    step: Literal["text", "kind"]
    letter_id: int
    body: str | None = None  # the new text, once whole (the kind step)
    source: DraftSource | None = None

    def to_json(self) -> dict[str, Any]:
        kept: dict[str, Any] = {"step": self.step, "letter_id": self.letter_id}
        if self.body is not None:
            kept["body"] = self.body
        if self.source is not None:
            kept["source"] = _source_json(self.source)
        return {**kept, **super().to_json()}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        return cls(**cls.revise_fields(raw))

    @staticmethod
    def revise_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
        """The fields above, from a state as kept (for a subclass's ``from_json``)."""
        step = raw["step"]
        if step not in ("text", "kind"):
            raise ValueError(f"no such step of a revision: {step!r}")
        body, source = raw.get("body"), raw.get("source")
        if step == "kind" and (body is None or source is None):
            raise ValueError("the kind step without the text")
        return {
            "step": step,
            "letter_id": int(raw["letter_id"]),
            "body": None if body is None else str(body),
            "source": None if source is None else _source_from(source),
            **Drafting.drafting_fields(raw),
        }


@coordinators_only
async def revise(update: Update, context: BotContext) -> None:
    letter_id = parse_ref(command_argument(update.message))
    if letter_id is None:
        await reply(update, context, say(context, texts.USAGE_LETTER_REF, command="revise"))
        return
    letter, version = await letters.revisable(context.db, letter_id)
    state = ReviseState(step="text", letter_id=letter_id)
    await flows.save(
        context.db, context.who.telegram_user_id, REVISE, state, now=context.clock.now()
    )
    text = say(context, texts.REVISE_ASK_TEXT, title=letter.title or "", version=label(version))
    await reply(update, context, text, reply_markup=keyboards.flow_done(context.language))


R = TypeVar("R", bound=ReviseState)
AskKind = Callable[[Update, BotContext, Resumed[R], TextInput], Awaitable[None]]
Step = Callable[[Update, BotContext, Resumed[R]], Awaitable[None]]


def text_steps(ask_kind: AskKind[R]) -> tuple[Step[R], Step[R]]:
    """A text being collected for a new version (/revise, /translate): its parts as they
    come (``on_message``) and Done (``on_done``); once the text is whole, ``ask_kind`` asks
    whether the change is material or minor."""

    async def on_message(update: Update, context: BotContext, flow: Resumed[R]) -> None:
        if flow.state.step != "text":
            await reply(update, context, say(context, texts.FLOW_STALE))
            return
        finished = await _collect(update, context, flow)
        if finished is not None:
            await ask_kind(update, context, flow, finished)

    async def on_done(update: Update, context: BotContext, flow: Resumed[R]) -> None:
        typed = _typed_text(flow.state) if flow.state.step == "text" else None
        if typed is None:
            await reply(update, context, say(context, texts.TEXT_EMPTY_YET))
            return
        await ask_kind(update, context, flow, typed)

    return on_message, on_done


async def _ask_revision_kind(
    update: Update, context: BotContext, flow: Resumed[ReviseState], text: TextInput
) -> None:
    letter_id = flow.state.letter_id
    try:
        body, current = await letters.revision_draft(context.db, letter_id, text.body)
    except Refusal:
        await flows.finish(context.db, flow.telegram_user_id)
        raise
    source = text.source or DraftSource()
    state = ReviseState(step="kind", letter_id=letter_id, body=body, source=source)
    await flows.save(context.db, flow.telegram_user_id, REVISE, state, now=context.clock.now())
    changes = diff_paragraphs(current.body or "", body)
    summary = say(
        context,
        texts.REVISE_SUMMARY,
        characters=characters(context, len(body)),
        changes=texts.Html(say(context, texts.PARAGRAPHS_CHANGED, count=len(changes))),
    )
    warning = await _signatory_warning(context, body, texts.SIGNATORIES_REVISE_HINT)
    question = say(context, texts.REVISE_QUESTION)
    # The changes exactly as members will be shown them, as far as one message allows.
    around = (summary, warning or "", question)
    room = _ASK_LIMIT - sum(telegram_length(part) + 2 for part in around)
    shown = render_changes(changes, context.language, limit=room)
    asked = "\n\n".join(part for part in (summary, shown, warning, question) if part)
    await reply(update, context, asked, reply_markup=keyboards.revision_kind(context.language))


async def _revise_kind(update: Update, context: BotContext, flow: Resumed[ReviseState]) -> None:
    query = update.callback_query
    args = callback_data.decode(query.data if query else None, callback_data.REVISION_KIND, 1)
    state = flow.state
    if args is None or state.step != "kind" or state.body is None or state.source is None:
        await reply(update, context, say(context, texts.FLOW_STALE))
        return
    material = bool(args[0])
    letter_id = state.letter_id
    ask = ReviseLetter(letter_id, state.body, material, state.source)

    def done(result: ActionResult) -> str:
        assert isinstance(result, Revision)
        kind_text = say(context, texts.KIND_MATERIAL if material else texts.KIND_MINOR)
        return say(
            context, texts.LETTER_REVISED, letter_id=result.letter.id,
            version=label(result.version), kind=kind_text, notices=result.notices_queued,
        )  # fmt: skip

    # A minor revision of a signed letter waits for a second coordinator where there is one
    # (the text waits in the request, not in the flow); every signer is shown the changes.
    try:
        await request_action(update, context, ask, done, letter_id=letter_id, in_place=False)
    finally:
        await flows.finish(context.db, flow.telegram_user_id)


NEWLETTER_FLOW = FlowKind(
    NEWLETTER,
    NewLetterState,
    on_message=_newletter_message,
    on_done=_newletter_done,
    on_choice=_newletter_language,
)
_revise_message, _revise_done = text_steps(_ask_revision_kind)
REVISE_FLOW = FlowKind(
    REVISE, ReviseState, on_message=_revise_message, on_done=_revise_done, on_choice=_revise_kind
)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("newletter", new_letter))
    app.add_handler(CommandHandler("revise", revise))
