"""What members receive for a letter, composed as outbox messages.

The Telegram side of circulation: catalog texts, keyboards and Telegram's
limits turned into ``PlannedMessage``s that the letters service queues. Every
value from a user (titles, letter text, file names) is escaped by ``render`` or
``split_for_messages``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram.constants import ParseMode

from bot import keyboards, texts
from bot.context import BotContext
from bot.db.letters import Letter, Recipient, Version
from bot.db.translations import Translation
from bot.db.types import Channel, Decision, Listing
from bot.outgoing.common import html_params, moment_text
from bot.services import letters, translations
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
from bot.services.publication import Announcement
from bot.services.recording import RecordedResponse
from bot.services.reminders import ChaseItem
from bot.services.translations import TranslationChange
from bot.settings import Settings

# Room under 4096 for the part header and its markup.
PART_LIMIT = 3700
NOTICE_LIMIT = 3600
LIST_BUDGET = 2500  # characters of a list (organisations' names) in one message, under 4096


DECISION_TEXTS = {
    Decision.SIGNED: texts.STATE_SIGNED,
    Decision.DECLINED: texts.STATE_DECLINED,
    Decision.WITHDRAWN: texts.STATE_WITHDRAWN,
}
LISTING_NAMES = {
    Listing.NAMED: texts.LISTING_NAMED,
    Listing.ANONYMOUS: texts.LISTING_ANONYMOUS,
    Listing.INTERNAL: texts.LISTING_INTERNAL,
}
CHANNEL_TEXTS = {
    Channel.EMAIL: texts.CHANNEL_EMAIL,
    Channel.SIGNAL: texts.CHANNEL_SIGNAL,
    Channel.IN_PERSON: texts.CHANNEL_IN_PERSON,
    Channel.PHONE: texts.CHANNEL_PHONE,
    Channel.OTHER: texts.CHANNEL_OTHER,
}


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


class LetterComposer:
    """Builds the messages of a letter for one recipient, in their language and zone.

    ``signed``: organisations whose signature stands on the letter: a reopening or a minor
    revision offers their contacts a one-tap Withdraw (every change is shown to them).
    ``translations`` (version id → language → translation: a version's translations never
    change, so they can be read before composing) lets a member read the letter in their
    language, with a button to the authoritative text."""

    def __init__(
        self,
        settings: Settings,
        signed: Collection[int] = (),
        translations: Mapping[int, Mapping[str, Translation]] | None = None,
    ) -> None:
        self.settings = settings
        self.signed = frozenset(signed)
        self.translations = translations or {}

    def reading(self, letter: Letter, version: Version, language: str) -> tuple[str, str | None]:
        """The text a reader of ``language`` gets, and the translation's fingerprint (None:
        the authoritative text)."""
        translation = self.translations.get(version.id, {}).get(language)
        if language == letter.language or translation is None or translation.body is None:
            return version.body or "", None
        return translation.body, translation.fingerprint

    def _translated_line(self, letter: Letter, fingerprint: str | None, language: str) -> str:
        if fingerprint is None:
            return ""
        original = texts.LANGUAGE_NAMES.get(letter.language, letter.language)
        return texts.render(
            texts.TRANSLATION_LINE, language, fingerprint=fingerprint, original=original
        )

    def _zone(self, recipient: Recipient) -> ZoneInfo:
        return ZoneInfo(recipient.timezone or self.settings.timezone)

    def deadline_text(
        self, letter: Letter, zone: ZoneInfo, language: str, now: datetime
    ) -> tuple[str, str]:
        return moment_text(letter.deadline, zone, language, now)

    def summary(
        self, letter: Letter, version: Version, recipient: Recipient, now: datetime
    ) -> PlannedMessage:
        language = recipient.language
        deadline, relative = self.deadline_text(letter, self._zone(recipient), language, now)
        body, translated = self.reading(letter, version, language)
        text = texts.render(
            texts.LETTER_SUMMARY,
            language,
            title=letter.title or "",
            organisation=recipient.organisation_name,
            deadline=deadline,
            relative=relative,
            version=label(version),
            preview=preview_lines(body, 600),
        )
        keyboard = keyboards.letter_actions(letter.id, version.id, language)
        if translated is not None:
            text += "\n\n" + self._translated_line(letter, translated, language)
            keyboard = keyboards.with_original(keyboard, letter, version.id, language)
        markup = keyboard.to_dict()
        params = html_params(text, reply_markup=markup, protect_content=True)
        return PlannedMessage("summary", "summary", OutgoingMessage("sendMessage", params))

    def full_text(
        self, letter: Letter, version: Version, recipient: Recipient, now: datetime
    ) -> list[PlannedMessage]:
        """The whole text in parts, and the original file; all deleted again after DRAFT_TTL.
        In the reader's language where the version has a translation into it."""
        return self._full_text(letter, version, recipient, now, original=False)

    def original_text(
        self, letter: Letter, version: Version, recipient: Recipient, now: datetime
    ) -> list[PlannedMessage]:
        """The authoritative text (the "Original" button under a translation)."""
        return self._full_text(letter, version, recipient, now, original=True)

    def _full_text(
        self, letter: Letter, version: Version, recipient: Recipient, now: datetime,
        *, original: bool, text: tuple[str, str | None] | None = None,
    ) -> list[PlannedMessage]:  # fmt: skip
        language = recipient.language
        delete_after = now + self.settings.draft_ttl
        if text is not None:  # a translation being made: not stored yet when composing
            body, translated = text
        elif original:
            body, translated = version.body or "", None
        else:
            body, translated = self.reading(letter, version, language)
        parts = split_for_messages(body, PART_LIMIT)
        planned = []
        prefix = "original-" if original else ""
        for number, part in enumerate(parts, start=1):
            header = texts.render(
                texts.LETTER_PART_HEADER, language, title=letter.title or "",
                version=label(version), part=number, parts=len(parts),
            )  # fmt: skip
            if translated is not None and number == 1:
                header += "\n" + self._translated_line(letter, translated, language)
            params = html_params(f"{header}\n\n{part}", protect_content=True)
            message = OutgoingMessage("sendMessage", params)
            planned.append(
                PlannedMessage(f"{prefix}text-{number}", "fulltext", message, delete_after)
            )
        if original:
            return planned
        if translated is not None:
            translation = self.translations.get(version.id, {}).get(language)
            if translation is not None and translation.file_id:
                caption = texts.render(
                    texts.LETTER_FILE_CAPTION, language,
                    file_name=translation.file_name or "", version=label(version),
                )  # fmt: skip
                params = {"document": translation.file_id, "caption": caption[:1000],
                          "parse_mode": ParseMode.HTML, "protect_content": True}  # fmt: skip
                message = OutgoingMessage("sendDocument", params)
                planned.append(PlannedMessage("file", "file", message, delete_after))
            return planned
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
        params = html_params(text, reply_markup=markup.to_dict(), protect_content=True)
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
        params = html_params(text, protect_content=True)
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
        params = html_params(text, protect_content=True)
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
        params = html_params(text, reply_markup=markup.to_dict(), protect_content=True)
        notice = PlannedMessage("notice", "notice", OutgoingMessage("sendMessage", params))
        if not version.material:
            notice = self._withdrawable(notice, texts.REVISION_MINOR_WITHDRAW, letter, recipient)
        return [notice, *self.full_text(letter, version, recipient, now)]

    # --- issue 17: translations, recorded answers, publication ---------------------------

    def translation_notice(
        self,
        letter: Letter,
        version: Version,
        previous: Version,
        change: TranslationChange,
        recipient: Recipient,
        now: datetime,
    ) -> Sequence[PlannedMessage]:
        """A translation added, changed or removed: its readers see the changes in their
        language and the text again; readers of other languages are told in a line (their
        text is unchanged). A material change asks everyone to sign again."""
        language = recipient.language
        consequence = texts.REVISION_MATERIAL if version.material else texts.REVISION_MINOR
        named = texts.LANGUAGE_NAMES.get(change.language, change.language)
        markup = keyboards.revision_actions(letter.id, version.id, bool(version.material), language)
        if language == change.language:
            before = change.before.body if change.before is not None else ""
            changes = diff_paragraphs(before or "", change.text or version.body or "")
            text = texts.render(
                texts.TRANSLATION_NOTICE, language, title=letter.title or "",
                version=label(version), language=named,
                consequence=texts.Html(texts.render(consequence, language)),
                changes=texts.Html(render_changes(changes, language)),
            )  # fmt: skip
            params = html_params(text, reply_markup=markup.to_dict(), protect_content=True)
            notice = PlannedMessage("notice", "notice", OutgoingMessage("sendMessage", params))
            shown = (
                (change.text, change.fingerprint)
                if change.text is not None and change.fingerprint is not None
                else (version.body or "", None)
            )
            full = self._full_text(letter, version, recipient, now, original=False, text=shown)
            return [notice, *full]
        text = texts.render(
            texts.TRANSLATION_NOTICE_OTHER, language, title=letter.title or "",
            version=label(version), language=named,
            consequence=texts.Html(texts.render(consequence, language)),
        )  # fmt: skip
        params = html_params(text, reply_markup=markup.to_dict(), protect_content=True)
        return [PlannedMessage("notice", "notice", OutgoingMessage("sendMessage", params))]

    def recorded_notice(
        self, recorded: RecordedResponse, recipient: Recipient, now: datetime
    ) -> Sequence[PlannedMessage]:
        """To each contact of an organisation whose answer a coordinator recorded: what was
        recorded, by whom, via which road, and the buttons to answer themselves."""
        language = recipient.language
        target, response = recorded.target, recorded.response
        decision = texts.Text(DECISION_TEXTS[response.decision])
        listing = (
            texts.render(LISTING_NAMES[response.listing], language) if response.listing else ""
        )
        text = texts.render(
            texts.RECORDED_NOTICE, language, letter_id=target.letter.id,
            coordinator=recorded.coordinator.display_name or "—",
            channel=texts.Text(CHANNEL_TEXTS[response.channel or Channel.OTHER]),
            decision=decision, version=label(target.version),
            listing=f" ({listing})" if listing else "",
        )  # fmt: skip
        latest = target.version
        markup = keyboards.reminder_actions(target.letter.id, latest.id, language)
        params = html_params(text, reply_markup=markup.to_dict(), protect_content=True)
        return [PlannedMessage("recorded", "notice", OutgoingMessage("sendMessage", params))]

    def publication_notice(
        self, announcement: Announcement, recipient: Recipient, now: datetime
    ) -> Sequence[PlannedMessage]:
        """List N published: the news, and the PDF in the member's language (or the
        letter's), protected like every letter message."""
        language = recipient.language
        published = announcement.published
        text = texts.render(
            texts.PUBLISHED_NOTICE, language, letter_id=published.letter.id,
            number=published.number, count=len(published.signatories),
        )  # fmt: skip
        params = html_params(text, protect_content=True)
        planned = [PlannedMessage("published", "notice", OutgoingMessage("sendMessage", params))]
        file_ids = announcement.pdf_file_ids
        file_id = file_ids.get(language) or file_ids.get(published.letter.language)
        if file_id:
            params = {"document": file_id, "protect_content": True}
            planned.append(PlannedMessage("pdf", "file", OutgoingMessage("sendDocument", params)))
        return planned

    def collect_invitation(
        self, letter: Letter, version: Version, recipient: Recipient, now: datetime
    ) -> Sequence[PlannedMessage]:
        """Neutral on a lock screen, like a reminder: a published letter takes more names."""
        language = recipient.language
        text = texts.render(
            texts.COLLECT_INVITATION, language, letter_id=letter.id,
            relative=relative_hint(letter.deadline, now, language),
        )  # fmt: skip
        markup = keyboards.reminder_actions(letter.id, version.id, language)
        params = html_params(text, reply_markup=markup.to_dict(), protect_content=True)
        return [PlannedMessage("collect", "notice", OutgoingMessage("sendMessage", params))]

    def collect_signed_notice(
        self, letter: Letter, version: Version, recipient: Recipient, now: datetime
    ) -> Sequence[PlannedMessage]:
        """To signatories: the letter takes more names; their signature stands."""
        return self._dated_notice("collect", texts.COLLECT_SIGNED_NOTICE, letter, recipient, now)


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
    (the letters service queues them, composed here in their language where the letter has
    a translation into it; the gate and /start call this; the commit wakes the sender)."""
    known = await translations.of_open_letters(context.db, organisation_id)
    await letters.deliver_open_letters(
        context.db,
        contact_id,
        organisation_id,
        now=context.clock.now(),
        compose=LetterComposer(context.settings, translations=known).circulation,
    )
