"""What coordinators and members are told about approvals and renames (issue 16).

The Telegram side of ``bot.services.approvals`` and ``bot.services.renames``: a request
described exactly (what will happen, for whom), its steps told to each coordinator in
their language with Approve / Reject buttons for those who may decide, and the question a
rename asks an organisation's contacts. Everything user-typed is escaped by ``render``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import assert_never
from zoneinfo import ZoneInfo

from telegram.constants import ParseMode

from bot import keyboards, texts
from bot.db.contacts import Contact
from bot.db.coordinators import Coordinator
from bot.db.renames import Rename
from bot.db.translations import Translation
from bot.db.types import ApprovalKind, Decision
from bot.outgoing.letters import (
    CHANNEL_TEXTS,
    DECISION_TEXTS,
    LISTING_NAMES,
    LetterComposer,
    label,
    render_changes,
)
from bot.services.approvals import ActionContext, ApprovalNotice, Description, Event, Request
from bot.services.deadlines import format_deadline
from bot.services.outbox import OutgoingMessage
from bot.services.refusals import Refusal
from bot.settings import Settings

# A refusal in a language (``bot.handlers.refusals.refusal_text``: the presentation's table).
Explain = Callable[[Refusal, str, ZoneInfo], str]

# Room for the diff of a minor revision in a request (the rest of the message around it).
_DIFF_LIMIT = 2800


def _html(text: str, markup: dict[str, object] | None = None) -> OutgoingMessage:
    params: dict[str, object] = {
        "text": text,
        "parse_mode": ParseMode.HTML,
        "link_preview_options": {"is_disabled": True},
    }
    if markup is not None:
        params["reply_markup"] = markup
    return OutgoingMessage("sendMessage", params)


def coordinator_name(coordinator: Coordinator | None) -> str:
    """How coordinators name one another: their name (or invitation label) and number."""
    if coordinator is None:
        return "—"
    name = coordinator.display_name or coordinator.label or ""
    return f"{name} (#{coordinator.id})" if name else f"#{coordinator.id}"


class ApprovalMessages:
    """Texts of requests and renames, in the reader's language and the coalition's zone."""

    def __init__(self, settings: Settings, explain: Explain | None = None) -> None:
        self.settings = settings
        self.explain = explain  # why an approved request could not be done

    @property
    def zone(self) -> ZoneInfo:
        return self.settings.zone

    def when(self, moment: datetime, language: str) -> str:
        return format_deadline(moment, self.zone, language)

    # --- what a request does -------------------------------------------------------------

    def what(self, d: Description, language: str, *, diff: bool = True) -> str:
        """Exactly what the request does (``diff``: a minor revision's changed paragraphs)."""
        kind = d.kind
        render = texts.render
        letter = d.letter
        title = (letter.title or "") if letter else ""
        letter_id = letter.id if letter else 0
        if kind is ApprovalKind.PURGE:
            return render(
                texts.WHAT_PURGE, language, letter_id=letter_id, title=title, signed=d.signed
            )
        if kind is ApprovalKind.REMOVE_ORGANISATION:
            org = d.organisation
            if org is None:
                return render(texts.WHAT_GONE, language)
            return render(
                texts.WHAT_REMOVE_ORGANISATION, language, org_id=org.id, name=org.name,
                contacts=d.contacts,
            )  # fmt: skip
        if kind is ApprovalKind.RENAME_ORGANISATION:
            org = d.organisation
            if org is None:
                return render(texts.WHAT_GONE, language)
            text = render(
                texts.WHAT_RENAME, language, org_id=org.id, old=org.name, new=d.new_name or ""
            )
            if d.responded:
                text += " " + render(texts.WHAT_RENAME_CONSENT, language, old=org.name)
            return text
        if kind is ApprovalKind.REOPEN:
            deadline = self.when(d.deadline, language) if d.deadline else "—"
            return render(
                texts.WHAT_REOPEN, language, letter_id=letter_id, title=title, deadline=deadline,
                signed=d.signed,
            )  # fmt: skip
        if kind is ApprovalKind.MINOR_REVISION:
            text = render(
                texts.WHAT_REVISION, language, letter_id=letter_id, title=title,
                version=label(d.version) if d.version else "—",
                fingerprint=d.fingerprint or "—", signed=d.signed,
            )  # fmt: skip
            if diff and d.changes:
                text += "\n\n" + render_changes(d.changes, language, limit=_DIFF_LIMIT)
            return text
        if kind is ApprovalKind.DEADLINE_EARLIER:
            old = self.when(d.previous_deadline, language) if d.previous_deadline else "—"
            new = self.when(d.deadline, language) if d.deadline else "—"
            return render(
                texts.WHAT_DEADLINE, language, letter_id=letter_id, title=title, old=old, new=new
            )
        if kind is ApprovalKind.ADD_COORDINATOR:
            label_text = f" ({d.label})" if d.label else ""
            return render(texts.WHAT_ADD_COORDINATOR, language, label=label_text)
        if kind is ApprovalKind.REMOVE_COORDINATOR:
            c = d.coordinator
            if c is None:
                return render(texts.WHAT_GONE, language)
            return render(
                texts.WHAT_REMOVE_COORDINATOR, language, contact_id=c.id,
                name=c.display_name or c.label or "", telegram_id=c.telegram_user_id or "—",
            )  # fmt: skip
        if kind is ApprovalKind.RECORD_RESPONSE:
            return self._record(d, language, letter_id, title)
        if kind in (ApprovalKind.PUBLISH, ApprovalKind.COLLECT):
            return self._publication(d, language, letter_id, title)
        if kind is ApprovalKind.MINOR_TRANSLATION:
            text = render(
                texts.WHAT_TRANSLATION, language, letter_id=letter_id, title=title,
                language=texts.LANGUAGE_NAMES.get(d.language or "", d.language or "—"),
                version=label(d.version) if d.version else "—", signed=d.signed,
            )  # fmt: skip
            if diff and d.changes:
                text += "\n\n" + render_changes(d.changes, language, limit=_DIFF_LIMIT)
            return text
        if kind is ApprovalKind.APPROVAL_RULE:
            return render(texts.WHAT_RULE_TWO if d.two_people else texts.WHAT_RULE_ONE, language)
        # A kind this text does not know must never be shown as another's description.
        assert_never(kind)

    def _record(self, d: Description, language: str, letter_id: int, title: str) -> str:
        render = texts.render
        org = d.organisation
        if org is None or d.decision is None:
            return render(texts.WHAT_GONE, language)
        listing = ""
        if d.decision is Decision.SIGNED and d.listing is not None:
            listing = " (" + render(LISTING_NAMES[d.listing], language) + ")"
        text = render(
            texts.WHAT_RECORD, language, org_id=org.id, name=org.name, letter_id=letter_id,
            title=title, decision=texts.Text(render(DECISION_TEXTS[d.decision], language)),
            listing=texts.Text(listing), version=label(d.version) if d.version else "—",
            channel=render(CHANNEL_TEXTS[d.channel], language) if d.channel else "—",
        )  # fmt: skip
        if d.replaces_own:
            text += " " + render(texts.WHAT_RECORD_REPLACES, language)
        return text

    def _publication(self, d: Description, language: str, letter_id: int, title: str) -> str:
        render = texts.render
        if d.kind is ApprovalKind.COLLECT:
            return render(
                texts.WHAT_COLLECT, language, letter_id=letter_id, title=title,
                deadline=self.when(d.deadline, language) if d.deadline else "—",
                number=d.list_number or "—", invited=d.invited, signed=d.signed,
            )  # fmt: skip
        text = render(
            texts.WHAT_PUBLISH, language, number=d.list_number or "—", letter_id=letter_id,
            title=title, version=label(d.version) if d.version else "—", named=d.named,
            anonymous=d.anonymous,
        )  # fmt: skip
        if (d.added or d.withdrawn) and d.list_number and d.list_number > 1:
            text += " " + render(
                texts.WHAT_PUBLISH_CHANGES, language, previous=d.list_number - 1,
                added=", ".join(d.added) or "—", withdrawn=", ".join(d.withdrawn) or "—",
            )  # fmt: skip
        return text

    def waits(self, request: Request, language: str) -> str:
        """The requester's answer: the request waits for a second coordinator."""
        return texts.render(
            texts.APPROVAL_WAITS, language, approval_id=request.approval.id,
            expires=self.when(request.approval.expires_at, language),
            what=texts.Html(self.what(request.description, language, diff=False)),
        )  # fmt: skip

    def pending_line(self, request: Request, language: str) -> str:
        """One request in /approvals."""
        return texts.render(
            texts.APPROVAL_LINE, language, approval_id=request.approval.id,
            requester=coordinator_name(request.requested_by),
            expires=self.when(request.approval.expires_at, language),
            what=texts.Html(self.what(request.description, language)),
        )  # fmt: skip

    # --- the steps of a request, to each coordinator -----------------------------------

    def notice(self, notice: ApprovalNotice, coordinator: Coordinator) -> OutgoingMessage | None:
        """``ApprovalComposer``: one step of a request, for one coordinator."""
        language = coordinator.language
        request = notice.request
        approval = request.approval
        common = {
            "approval_id": approval.id,
            "decider": coordinator_name(notice.decided_by),
            "what": texts.Html(self.what(request.description, language, diff=False)),
        }
        markup = None
        if notice.event is Event.REQUESTED:
            decide = request.can_decide(coordinator)
            text = texts.render(
                texts.APPROVAL_ASKED if decide else texts.APPROVAL_ASKED_NOT_YOU, language,
                approval_id=approval.id, requester=coordinator_name(request.requested_by),
                expires=self.when(approval.expires_at, language),
                what=texts.Html(self.what(request.description, language)),
            )  # fmt: skip
            actions = keyboards.approval_actions(approval.id, language, decide=decide)
            markup = actions.to_dict() if actions else None
        elif notice.event is Event.APPROVED:
            text = texts.render(texts.APPROVAL_APPROVED, language, **common)
            if (
                approval.kind is ApprovalKind.ADD_COORDINATOR
                and coordinator.id == approval.requested_by
            ):
                text += "\n\n" + texts.render(texts.APPROVAL_INVITE_READY, language)
                markup = keyboards.invitation_link(approval.id, language).to_dict()
        elif notice.event is Event.REJECTED:
            text = texts.render(texts.APPROVAL_REJECTED, language, **common)
        elif notice.event is Event.EXPIRED:
            text = texts.render(texts.APPROVAL_EXPIRED_NOTICE, language, **common)
        elif notice.event is Event.CANCELLED:
            message = (
                texts.APPROVAL_CANCELLED_NOTICE
                if notice.decided_by is not None
                else texts.APPROVAL_CANCELLED_REMOVED
            )
            text = texts.render(message, language, **common)
        else:
            refusal, explain = notice.refusal, self.explain
            why = explain(refusal, language, self.zone) if refusal and explain else ""
            text = texts.render(texts.APPROVAL_FAILED, language, why=why, **common)
        return _html(text, markup)

    # --- renames the organisation confirms -------------------------------------------------

    def rename_question(self, rename: Rename, contact: Contact) -> OutgoingMessage | None:
        """``RenameQuestion``: [Use NEW] [Keep OLD], to one contact of the organisation."""
        language = contact.language
        text = texts.render(
            texts.RENAME_QUESTION, language, old=rename.old_name, new=rename.new_name
        )
        markup = keyboards.rename_answer(rename.id, rename.old_name, rename.new_name, language)
        return _html(text, markup.to_dict())


def action_context(
    settings: Settings,
    now: datetime,
    signed: Collection[int] = (),
    explain: Explain | None = None,
    translations: Mapping[int, Mapping[str, Translation]] | None = None,
) -> ActionContext:
    """Everything an action needs to tell people, for ``approvals.request``/``approve``
    (``signed``: the organisations whose signature stands on the letter concerned;
    ``explain``: how a refusal reads, for a request approved that could not be done;
    ``translations``: the letter's, so members read notices in their language)."""
    letters = LetterComposer(settings, signed, translations)
    messages = ApprovalMessages(settings, explain)
    return ActionContext(
        now=now,
        approval_ttl=settings.approval_ttl,
        invite_ttl=settings.invite_ttl,
        default_offsets=settings.reminder_offsets,
        reopened=letters.reopened_notice,
        deadline=letters.deadline_notice,
        revision=letters.revision_notice,
        rename_question=messages.rename_question,
        approval=messages.notice,
        recorded=letters.recorded_notice,
        invite=letters.collect_invitation,
        tell_signed=letters.collect_signed_notice,
        translation=letters.translation_notice,
    )
