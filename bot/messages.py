"""What members receive for a letter, composed as outbox messages.

The Telegram side of circulation: catalog texts, keyboards and Telegram's
limits turned into ``PlannedMessage``s that the letters service queues. Every
value from a user (titles, letter text, file names) is escaped by ``render`` or
``split_for_messages``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram.constants import ParseMode

from bot import keyboards, texts
from bot.context import BotContext
from bot.db.letters import Letter, Recipient, Version
from bot.services import letters
from bot.services.access import HeardAgain
from bot.services.deadlines import format_deadline, relative_hint
from bot.services.letter_queue import PlannedMessage
from bot.services.letter_text import (
    ParagraphChange,
    diff_paragraphs,
    preview_lines,
    split_for_messages,
    telegram_length,
    version_label,
    word_diff,
)
from bot.services.outbox import OutgoingMessage
from bot.services.reminders import ChaseItem
from bot.settings import Settings

# Room under 4096 for the part header and its markup.
PART_LIMIT = 3700
NOTICE_LIMIT = 3600
LIST_BUDGET = 2500  # characters of a list (organisations' names) in one message, under 4096


def label(version: Version) -> str:
    return version_label(version.number, version.fingerprint)


def chase_lines(items: Sequence[ChaseItem], language: str, letter_id: int) -> str:
    """Organisations to remind outside Telegram, one a line with why, capped to fit."""
    lines = [
        texts.render(
            texts.CHASE_NO_CONTACT if item.no_contact else texts.CHASE_UNREACHABLE,
            language,
            name=item.name,
        )
        for item in items
    ]
    return fitting_lines(
        lines,
        lambda more: texts.render(texts.NAMES_MORE, language, count=more, letter_id=letter_id),
    )


def fitting_lines(
    lines: Sequence[str], more: Callable[[int], str], budget: int = LIST_BUDGET
) -> str:
    """Lines one under another, as many as fit in ``budget`` characters (a long list of
    organisations in one message), then ``more(how many were left out)``."""
    kept: list[str] = []
    for shown, line in enumerate(lines):
        budget -= len(line) + 1
        if budget < 0:
            kept.append(more(len(lines) - shown))
            break
        kept.append(line)
    return "\n".join(kept)


def _html(text: str, **params: object) -> dict[str, object]:
    return {
        "text": text,
        "parse_mode": ParseMode.HTML,
        "link_preview_options": {"is_disabled": True},
        **params,
    }


class LetterComposer:
    """Builds the messages of a letter for one recipient, in their language and zone."""

    def __init__(self, settings: Settings, signed: Collection[int] = ()) -> None:
        self.settings = settings
        # Organisations whose signature stands on the letter: a reopening or a minor
        # revision offers their contacts a one-tap Withdraw (every change is shown to them).
        self.signed = frozenset(signed)

    def _zone(self, recipient: Recipient) -> ZoneInfo:
        return ZoneInfo(recipient.timezone or self.settings.timezone)

    def deadline_text(
        self, letter: Letter, zone: ZoneInfo, language: str, now: datetime
    ) -> tuple[str, str]:
        deadline = letter.deadline
        return format_deadline(deadline, zone, language), relative_hint(deadline, now, language)

    def summary(
        self, letter: Letter, version: Version, recipient: Recipient, now: datetime
    ) -> PlannedMessage:
        language = recipient.language
        deadline, relative = self.deadline_text(letter, self._zone(recipient), language, now)
        text = texts.render(
            texts.LETTER_SUMMARY,
            language,
            title=letter.title or "",
            organisation=recipient.organisation_name,
            deadline=deadline,
            relative=relative,
            version=label(version),
            preview=preview_lines(version.body or "", 600),
        )
        markup = keyboards.letter_actions(letter.id, version.id, language).to_dict()
        params = _html(text, reply_markup=markup, protect_content=True)
        return PlannedMessage("summary", "summary", OutgoingMessage("sendMessage", params))

    def full_text(
        self, letter: Letter, version: Version, recipient: Recipient, now: datetime
    ) -> list[PlannedMessage]:
        """The whole text in parts, and the original file; all deleted again after DRAFT_TTL."""
        language = recipient.language
        delete_after = now + self.settings.draft_ttl
        parts = split_for_messages(version.body or "", PART_LIMIT)
        planned = []
        for number, part in enumerate(parts, start=1):
            header = texts.render(
                texts.LETTER_PART_HEADER, language, title=letter.title or "",
                version=label(version), part=number, parts=len(parts),
            )  # fmt: skip
            params = _html(f"{header}\n\n{part}", protect_content=True)
            message = OutgoingMessage("sendMessage", params)
            planned.append(PlannedMessage(f"text-{number}", "fulltext", message, delete_after))
        if version.source_file_id:
            caption = texts.render(
                texts.LETTER_FILE_CAPTION, language,
                file_name=version.source_file_name or "", version=label(version),
            )  # fmt: skip
            params = {"document": version.source_file_id, "caption": caption[:1000],
                      "parse_mode": ParseMode.HTML, "protect_content": True}  # fmt: skip
            message = OutgoingMessage("sendDocument", params)
            planned.append(PlannedMessage("file", "file", message, delete_after))
        return planned

    def circulation(
        self, letter: Letter, version: Version, recipient: Recipient, now: datetime
    ) -> Sequence[PlannedMessage]:
        return [
            self.summary(letter, version, recipient, now),
            *self.full_text(letter, version, recipient, now),
        ]

    def reminder(
        self, letter: Letter, version: Version, recipient: Recipient, now: datetime
    ) -> Sequence[PlannedMessage]:
        """Neutral on a lock screen: no title, no topic; details when the member opens it."""
        language = recipient.language
        text = texts.render(
            texts.REMIND_NOTE, language, relative=relative_hint(letter.deadline, now, language)
        )
        markup = keyboards.reminder_actions(letter.id, version.id, language)
        params = _html(text, reply_markup=markup.to_dict(), protect_content=True)
        return [PlannedMessage("reminder", "reminder", OutgoingMessage("sendMessage", params))]

    def _dated_notice(
        self, part: str, message: str, letter: Letter, recipient: Recipient, now: datetime
    ) -> Sequence[PlannedMessage]:
        """A notice naming the letter's number and deadline; like a reminder it names no
        title (lock screens)."""
        language = recipient.language
        deadline, relative = self.deadline_text(letter, self._zone(recipient), language, now)
        text = texts.render(
            message, language, letter_id=letter.id, deadline=deadline, relative=relative
        )
        params = _html(text, protect_content=True)
        return [PlannedMessage(part, "notice", OutgoingMessage("sendMessage", params))]

    def deadline_notice(
        self, letter: Letter, version: Version, recipient: Recipient, now: datetime
    ) -> Sequence[PlannedMessage]:
        """The deadline moved."""
        return self._dated_notice("deadline", texts.DEADLINE_NOTICE, letter, recipient, now)

    def closed_notice(
        self, letter: Letter, version: Version, recipient: Recipient, now: datetime
    ) -> Sequence[PlannedMessage]:
        """The letter closed (a coordinator, or its deadline); no title, like a reminder."""
        text = texts.render(texts.CLOSED_NOTICE, recipient.language, letter_id=letter.id)
        params = _html(text, protect_content=True)
        return [PlannedMessage("closed", "notice", OutgoingMessage("sendMessage", params))]

    def reopened_notice(
        self, letter: Letter, version: Version, recipient: Recipient, now: datetime
    ) -> Sequence[PlannedMessage]:
        """The letter is open again, with its new deadline; a signer can withdraw."""
        planned = self._dated_notice("reopened", texts.REOPENED_NOTICE, letter, recipient, now)
        return [self._withdrawable(p, texts.REOPENED_SIGNED, letter, recipient) for p in planned]

    def _withdrawable(
        self, planned: PlannedMessage, note: str, letter: Letter, recipient: Recipient
    ) -> PlannedMessage:
        """A notice to a contact of an organisation that signed: what it means for their
        signature, and a Withdraw button under it."""
        if recipient.organisation_id not in self.signed:
            return planned
        params = dict(planned.message.params)
        params["text"] = f"{params['text']}\n\n{texts.render(note, recipient.language)}"
        rows = list(params.get("reply_markup", {}).get("inline_keyboard", []))
        rows += keyboards.withdraw(letter.id, recipient.language).to_dict()["inline_keyboard"]
        params["reply_markup"] = {"inline_keyboard": rows}
        message = OutgoingMessage(planned.message.method, params)
        return PlannedMessage(planned.part, planned.kind, message, planned.delete_after)

    def revision_notice(
        self,
        letter: Letter,
        version: Version,
        previous: Version,
        recipient: Recipient,
        now: datetime,
    ) -> Sequence[PlannedMessage]:
        language = recipient.language
        changes = diff_paragraphs(previous.body or "", version.body or "")
        consequence = texts.REVISION_MATERIAL if version.material else texts.REVISION_MINOR
        text = texts.render(
            texts.REVISION_NOTICE, language, title=letter.title or "", version=label(version),
            consequence=texts.Html(texts.render(consequence, language)),
            changes=texts.Html(render_changes(changes, language)),
        )  # fmt: skip
        markup = keyboards.revision_actions(letter.id, version.id, bool(version.material), language)
        params = _html(text, reply_markup=markup.to_dict(), protect_content=True)
        notice = PlannedMessage("notice", "notice", OutgoingMessage("sendMessage", params))
        if not version.material:
            notice = self._withdrawable(notice, texts.REVISION_MINOR_WITHDRAW, letter, recipient)
        return [notice, *self.full_text(letter, version, recipient, now)]


def _highlight(old: str, new: str) -> tuple[str, str]:
    """Old text with removed words struck through, new text with added words underlined."""
    old_html, new_html = [], []
    for tag, segment in word_diff(old, new):
        escaped = texts.escape(segment)
        if tag == "same":
            old_html.append(escaped)
            new_html.append(escaped)
        elif tag == "del":
            old_html.append(f"<s>{escaped}</s>")
        else:
            new_html.append(f"<u>{escaped}</u>")
    return "".join(old_html), "".join(new_html)


def _shorten(paragraph: str, limit: int = 700) -> str:
    return paragraph if len(paragraph) <= limit else preview_lines(paragraph, limit)


def render_changes(
    changes: Sequence[ParagraphChange], language: str, *, limit: int = NOTICE_LIMIT
) -> str:
    """The changed paragraphs, old and new, readable on a phone; within ``limit`` (one
    message). Members get it in the revision notice, coordinators before they choose
    material or minor."""
    blocks: list[str] = []
    size = 0
    for index, change in enumerate(changes):
        if change.kind == "changed":
            old, new = _highlight(_shorten(change.old or ""), _shorten(change.new or ""))
            block = texts.render(
                texts.CHANGE_CHANGED, language, position=change.position,
                old=texts.Html(old), new=texts.Html(new),
            )  # fmt: skip
        elif change.kind == "added":
            block = texts.render(texts.CHANGE_ADDED, language, position=change.position,
                                 new=_shorten(change.new or ""))  # fmt: skip
        else:
            block = texts.render(texts.CHANGE_REMOVED, language, position=change.position,
                                 old=_shorten(change.old or ""))  # fmt: skip
        if size + telegram_length(block) > limit:
            more = texts.render(texts.CHANGES_MORE, language, count=len(changes) - index)
            blocks.append(more)
            break
        blocks.append(block)
        size += telegram_length(block) + 2
    return "\n\n".join(blocks)


def heard_again(notice: HeardAgain) -> str:
    """To a member the flood guard paused, once it is over: what was not read, and when."""
    zone, language = ZoneInfo(notice.zone), notice.language
    since, until = (format_deadline(at, zone, language) for at in (notice.since, notice.until))
    return texts.render(texts.FLOOD_HEARD_AGAIN, language, since=since, until=until)


async def deliver_open_letters(context: BotContext, contact_id: int, organisation_id: int) -> None:
    """A contact who just joined gets the letters already open for their organisation
    (the letters service queues them, composed here; the gate and /start call this)."""
    queued = await letters.deliver_open_letters(
        context.db,
        contact_id,
        organisation_id,
        now=context.clock.now(),
        compose=LetterComposer(context.settings).circulation,
    )
    sender = context.services.outbox_sender  # bot.jobs imports this module: no wake_outbox
    if queued and sender is not None:
        sender.wake()
