"""Responses that came by another road: a coordinator records them. No Telegram here.

Half the signatories of a coalition letter may answer by e-mail, Signal, a phone call or
in person. A coordinator records such an answer for the organisation — signed (with its
listing and the version it agreed to), declined, or a signature withdrawn — with the road
it came by and a short note. The response is stored like any other, marked as recorded by
that coordinator via that channel, so status, CSV and audit say so; the organisation's
own answer in the bot replaces it (``responses``). The organisation's contacts, if any, are
told (``compose``), with a way to answer themselves.

Recording is a record-changing action: with two coordinators it needs the second one's
approval (issue 16, kind RECORD_RESPONSE). ``check_record`` is the engine's validation and
``record_response`` its execution, in the approving transaction: the same function runs
whether approved or done alone (``agreement``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db import audit
from bot.db import letters as letters_repo
from bot.db import organisations as organisations_repo
from bot.db import publications as publications_repo
from bot.db import responses as responses_repo
from bot.db.connection import Database, Executor, Transaction, within
from bot.db.contacts import Contact
from bot.db.letters import Letter, Recipient, Version
from bot.db.organisations import Organisation
from bot.db.responses import Response
from bot.db.types import Channel, Decision, LetterStatus, Listing
from bot.services import lifecycle
from bot.services.agreement import ALONE, Agreement
from bot.services.letter_queue import PlannedMessage, queue_for
from bot.services.refusals import Code, Refusal
from bot.services.responses import check_answerable
from bot.services.signer import Signer

MAX_NOTE = 300


def clean_note(raw: str | None) -> str | None:
    """The coordinator's note as typed (surrounding spaces aside); empty is none."""
    note = (raw or "").strip()
    if len(note) > MAX_NOTE:
        raise Refusal(Code.NOTE_TOO_LONG, limit=MAX_NOTE, length=len(note))
    return note or None


@dataclass(frozen=True)
class RecordRequest:
    """What a coordinator records, exactly as it will be done (an approval's params)."""

    letter_id: int
    organisation_id: int
    decision: Decision  # signed, declined, or withdrawn (a signature taken back)
    channel: Channel
    listing: Listing | None = None  # signed only
    version: int | None = None  # the version number it answered; None: the latest
    note: str | None = None
    person: Signer | None = None  # the person signing, where the e-mail names one

    def __post_init__(self) -> None:
        if (self.decision is Decision.SIGNED) != (self.listing is not None):
            raise ValueError("a recorded signature has a listing; nothing else has one")

    def to_params(self) -> dict[str, Any]:
        """As JSON for the approvals table (the note is text a purge of the letter clears)."""
        return {
            "letter_id": self.letter_id,
            "organisation_id": self.organisation_id,
            "decision": self.decision.value,
            "channel": self.channel.value,
            "listing": None if self.listing is None else self.listing.value,
            "version": self.version,
            "note": self.note,
            "person": None if self.person is None else [self.person.name, self.person.title],
        }

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> RecordRequest:
        person = params.get("person")
        return cls(
            letter_id=int(params["letter_id"]),
            organisation_id=int(params["organisation_id"]),
            decision=Decision(params["decision"]),
            channel=Channel(params["channel"]),
            listing=None if params.get("listing") is None else Listing(params["listing"]),
            version=params.get("version"),
            note=params.get("note"),
            person=None if person is None else Signer(person[0], person[1]),
        )


@dataclass(frozen=True)
class RecordTarget:
    """What a request records onto, checked: what the approval request shows."""

    letter: Letter
    version: Version
    organisation: Organisation
    current: Response | None  # the organisation's response now

    @property
    def replaces_own(self) -> bool:
        """It would replace an answer the organisation gave in the bot itself."""
        return self.current is not None and self.current.recorded_by is None


async def check_record(db: Executor, request: RecordRequest) -> RecordTarget:
    """Refuses what cannot be recorded now (the engine's validation, at request and again at
    approval): the letter open, the organisation active and asked, the version one it may
    answer (not superseded; a published letter's final one), a withdrawal of a signature
    there is."""
    letter = await lifecycle.known_letter(db, request.letter_id)
    if letter.status is not LetterStatus.OPEN:
        raise Refusal(Code.NOT_OPEN, ref=letter.id)
    organisation = await organisations_repo.get_active(db, request.organisation_id)
    if organisation is None:
        raise Refusal(Code.ORG_NOT_FOUND, ref=request.organisation_id)
    if not await letters_repo.has_organisation(db, letter.id, organisation.id):
        raise Refusal(Code.ORG_NOT_RECIPIENT, ref=letter.id, name=organisation.name)
    versions = await letters_repo.versions(db, letter.id)
    number = request.version or versions[-1].number
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise Refusal(Code.VERSION_NOT_FOUND, ref=letter.id, version=number)
    published = await publications_repo.latest_number(db, letter.id) is not None
    check_answerable(letter, version, versions, published=published)
    current = await responses_repo.get(db, letter.id, organisation.id)
    if request.decision is Decision.WITHDRAWN and (
        current is None or current.decision is not Decision.SIGNED
    ):
        raise Refusal(Code.NOT_SIGNED, ref=letter.id, name=organisation.name)
    return RecordTarget(letter, version, organisation, current)


@dataclass(frozen=True)
class RecordedResponse:
    """A response a coordinator recorded: what the organisation's contacts are told."""

    target: RecordTarget
    response: Response  # as stored now
    coordinator: Contact
    changed: bool  # False: the same had been recorded already (a second execution)


# (what was recorded, one of the organisation's contacts, now) → the messages they get
RecordedNotice = Callable[[RecordedResponse, Recipient, datetime], Sequence[PlannedMessage]]


@dataclass(frozen=True)
class Recording:
    recorded: RecordedResponse
    notices_queued: int


async def record_response(
    db: Database | Transaction,
    request: RecordRequest,
    *,
    coordinator: Contact,
    now: datetime,
    agreement: Agreement = ALONE,
    compose: RecordedNotice | None = None,
) -> Recording:
    """Records the organisation's response as ``request`` says, by ``coordinator``, in one
    transaction (``db``'s own, or the approving one passed in) with its audit event
    ``response.recorded`` (no free text: the note is not in the log) and a notice to each
    of the organisation's contacts who has the letter (``compose``)."""
    if coordinator.telegram_user_id is None:
        raise ValueError("a coordinator records, with their Telegram account")
    note = clean_note(request.note)
    async with within(db) as tx:
        target = await check_record(tx, request)
        previous = target.current
        version_id = None if request.decision is Decision.WITHDRAWN else target.version.id
        person = request.person or Signer("", None)
        wanted = (
            request.decision, version_id, request.listing, coordinator.id, request.channel, note,
            person.name or None, person.title,
        )  # fmt: skip
        if previous is not None and wanted == (
            previous.decision, previous.version_id, previous.listing, previous.recorded_by,
            previous.channel, previous.note, previous.signer_name, previous.signer_title,
        ):  # fmt: skip
            return Recording(RecordedResponse(target, previous, coordinator, changed=False), 0)
        await responses_repo.upsert(
            tx, letter_id=target.letter.id, organisation_id=target.organisation.id,
            decision=request.decision, version_id=version_id, listing=request.listing,
            reason=None, contact_id=None, now=now, signer_name=person.name or None,
            signer_title=person.title, recorded_by=coordinator.id, channel=request.channel,
            note=note,
        )  # fmt: skip
        await _audit(tx, target, request, coordinator, note, agreement, now)
        response = await responses_repo.existing(tx, target.letter.id, target.organisation.id)
        recorded = RecordedResponse(target, response, coordinator, changed=True)
        queued = 0
        if compose is not None:
            recipients = [
                r
                for r in await letters_repo.recipients(tx, target.letter.id)
                if r.organisation_id == target.organisation.id
            ]

            def notice(
                letter: Letter, version: Version, recipient: Recipient, now: datetime
            ) -> Sequence[PlannedMessage]:
                return compose(recorded, recipient, now)

            queued = await queue_for(
                tx, None, target.letter, target.version, recipients, notice, now=now,
                nonce=f":recorded:{now.timestamp():.0f}",
            )  # fmt: skip
    return Recording(recorded, queued)


async def _audit(
    tx: Transaction,
    target: RecordTarget,
    request: RecordRequest,
    coordinator: Contact,
    note: str | None,
    agreement: Agreement,
    now: datetime,
) -> None:
    previous = target.current
    data: dict[str, object] = {
        "decision": request.decision.value,
        "version": target.version.number,
        "fingerprint": target.version.fingerprint,
        "listing": request.listing,
        "channel": request.channel.value,
        "recorded_by": coordinator.id,
        "previous": previous.decision if previous else None,
        "replaces_own": target.replaces_own,
        "note_given": note is not None,
        **agreement.audit_data(),
    }
    if request.person is not None:
        data["signer"] = True  # who is not in the log: personal data, purged with the letter
    await audit.append(
        tx, now=now, actor=f"coordinator:{coordinator.telegram_user_id}",
        action="response.recorded", letter_id=target.letter.id,
        organisation_id=target.organisation.id, data=data,
    )  # fmt: skip
