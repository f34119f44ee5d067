"""Letters and versions: creating, revising, circulating. No Telegram here.

Versions are immutable and fingerprinted. Circulation opens the letter (``lifecycle``)
and queues every recipient's messages in the same transaction, so a crash never leaves a
letter open with half its deliveries unqueued. What the messages look like is decided
by a ``Composer`` passed in from the Telegram side (``letter_queue``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db import audit
from bot.db import letters as letters_repo
from bot.db import milestones as milestones_repo
from bot.db import organisations as organisations_repo
from bot.db.connection import Database, Executor, Transaction
from bot.db.letters import Letter, Recipient, Version
from bot.db.milestones import Milestone
from bot.db.types import LetterStatus
from bot.services import lifecycle, outbox, reminder_plan
from bot.services.letter_queue import (
    Composer,
    NoticeComposer,
    PlannedMessage,
    queue_for,
    tell_recipients,
)
from bot.services.letter_text import fingerprint, normalise, version_label
from bot.services.refusals import Code, Refusal

MAX_TITLE = 200
MAX_BODY = 100_000
SOURCE_KINDS = ("text", "txt", "md", "docx")


@dataclass(frozen=True)
class DraftSource:
    """Where a version's text came from: typed, or an uploaded file (kept to resend)."""

    kind: str = "text"
    file_id: str | None = None
    file_name: str | None = None


def clean_title(raw: str) -> str:
    title = " ".join(raw.split())
    if not title:
        raise Refusal(Code.TITLE_EMPTY)
    if len(title) > MAX_TITLE:
        raise Refusal(Code.TITLE_TOO_LONG, limit=MAX_TITLE)
    if any(unicodedata.category(ch) == "Cc" for ch in title):
        raise Refusal(Code.TITLE_INVALID)
    return title


def clean_body(raw: str) -> str:
    body = normalise(raw)
    if not body:
        raise Refusal(Code.TEXT_EMPTY)
    if len(body) > MAX_BODY:
        raise Refusal(Code.TEXT_TOO_LONG, limit=MAX_BODY, length=len(body))
    return body


def _check_source(source: DraftSource) -> None:
    if source.kind not in SOURCE_KINDS:
        raise ValueError(f"unknown source kind {source.kind!r}")


async def create_letter(
    db: Database,
    *,
    title: str,
    deadline: datetime,
    zone_name: str,
    body: str,
    source: DraftSource,
    language: str,
    created_by: int | None,
    actor: str,
    now: datetime,
) -> tuple[Letter, Version]:
    title = clean_title(title)
    body = clean_body(body)
    _check_source(source)
    if deadline <= now:
        raise Refusal(Code.DEADLINE_PAST)
    async with db.transaction() as tx:
        letter_id = await letters_repo.insert_letter(
            tx, title=title, language=language, deadline=deadline,
            timezone=zone_name, created_by=created_by, now=now,
        )  # fmt: skip
        version_id = await _insert_version(tx, letter_id, body, True, source, created_by, now)
        await audit.append(
            tx, now=now, actor=actor, action="letter.created", letter_id=letter_id,
            data={"deadline": deadline, "zone": zone_name},  # no title: purge
        )  # fmt: skip
        version = await letters_repo.existing_version(tx, version_id)
        await _audit_version(tx, version, actor, now)
        letter = await letters_repo.existing(tx, letter_id)
    return letter, version


async def _insert_version(
    tx: Transaction,
    letter_id: int,
    body: str,
    material: bool,
    source: DraftSource,
    created_by: int | None,
    now: datetime,
) -> int:
    return await letters_repo.insert_version(
        tx, letter_id=letter_id, body=body, fingerprint=fingerprint(body), material=material,
        source_kind=source.kind, source_file_id=source.file_id,
        source_file_name=source.file_name, created_by=created_by, now=now,
    )  # fmt: skip


async def _audit_version(tx: Transaction, version: Version, actor: str, now: datetime) -> None:
    await audit.append(
        tx, now=now, actor=actor, action="version.added", letter_id=version.letter_id,
        data={"version": version.number, "fingerprint": version.fingerprint,
              "material": version.material, "source": version.source_kind},
    )  # fmt: skip


@dataclass(frozen=True)
class Revision:
    letter: Letter
    version: Version
    previous: Version
    notices_queued: int


async def revise(
    db: Database,
    letter_id: int,
    *,
    body: str,
    material: bool,
    source: DraftSource,
    created_by: int | None,
    actor: str,
    now: datetime,
    compose_notice: NoticeComposer,
) -> Revision:
    """Adds a version; members who had the letter get a notice of what changed."""
    body = clean_body(body)
    _check_source(source)
    async with db.transaction() as tx:
        letter = await lifecycle.editable_letter(tx, letter_id)
        previous = await letters_repo.latest_version(tx, letter_id)
        _check_changed(previous, body)
        version_id = await _insert_version(tx, letter_id, body, material, source, created_by, now)
        version = await letters_repo.existing_version(tx, version_id)
        await _audit_version(tx, version, actor, now)
        queued = 0
        if letter.status is LetterStatus.OPEN:
            broadcast_id = await outbox.create_broadcast(
                tx, letter_id=letter_id, kind="revision", requested_by=created_by, now=now
            )

            def notice(
                letter: Letter, version: Version, recipient: Recipient, now: datetime
            ) -> Sequence[PlannedMessage]:
                return compose_notice(letter, version, previous, recipient, now)

            recipients = await letters_repo.recipients(tx, letter_id)
            queued = await queue_for(tx, broadcast_id, letter, version, recipients, notice, now=now)
            await outbox.finish_if_empty(tx, broadcast_id, now=now)
    return Revision(letter, version, previous, queued)


async def revisable(db: Executor, letter_id: int) -> tuple[Letter, Version]:
    """The letter /revise would add a version to, and its latest version (refused as
    ``revise`` would refuse it: not found, closed)."""
    letter = await lifecycle.editable_letter(db, letter_id)
    return letter, await letters_repo.latest_version(db, letter_id)


async def revision_draft(db: Executor, letter_id: int, raw_body: str) -> tuple[str, Version]:
    """A revision's text as it would be stored, and the version it would follow (refused
    as ``revise`` would refuse the text: empty, too long, the same as that version)."""
    body = clean_body(raw_body)
    _, current = await latest_version(db, letter_id)
    _check_changed(current, body)
    return body, current


def _check_changed(previous: Version, body: str) -> None:
    if previous.fingerprint == fingerprint(body):
        raise Refusal(Code.LETTER_UNCHANGED, version=previous.number)


@dataclass(frozen=True)
class Circulation:
    letter: Letter
    version: Version
    organisations: int
    recipients: int
    queued: int
    broadcast_id: int
    # Organisations of this circulation nobody of which has joined: they received nothing.
    no_contact: tuple[str, ...] = ()


async def circulation_preview(db: Executor, letter_id: int) -> tuple[Letter, Version, int]:
    """What ``circulate`` to every organisation would send: the letter, its latest version
    and how many organisations there are; raises what ``circulate`` would raise."""
    letter = await lifecycle.editable_letter(db, letter_id)
    version = await letters_repo.latest_version(db, letter_id)
    organisations = len(await organisations_repo.all_active(db))
    if not organisations:
        raise Refusal(Code.NO_ORGANISATIONS)
    return letter, version, organisations


async def circulate(
    db: Database,
    letter_id: int,
    organisation_ids: Sequence[int] | None,
    *,
    requested_by: int | None,
    actor: str,
    now: datetime,
    compose: Composer,
    default_offsets: Sequence[timedelta],
) -> Circulation:
    """Opens the letter for the organisations (all active ones when None), queues it, and
    plans its reminders for them."""
    async with db.transaction() as tx:
        letter = await lifecycle.editable_letter(tx, letter_id)
        version = await letters_repo.latest_version(tx, letter_id)
        if organisation_ids is None:
            organisations = await organisations_repo.all_active(tx)
            if not organisations:
                raise Refusal(Code.NO_ORGANISATIONS)
        else:
            organisations = []
            for org_id in dict.fromkeys(organisation_ids):
                organisation = await organisations_repo.get_active(tx, org_id)
                if organisation is None:
                    raise Refusal(Code.ORG_NOT_FOUND, ref=org_id)
                organisations.append(organisation)
        targets = [organisation.id for organisation in organisations]
        letter = await lifecycle.open_for(
            tx, letter, targets, default_offsets=default_offsets, now=now
        )
        broadcast_id = await outbox.create_broadcast(
            tx, letter_id=letter_id, kind="circulation", requested_by=requested_by, now=now
        )
        recipients = [
            r for r in await letters_repo.recipients(tx, letter_id) if r.organisation_id in targets
        ]
        queued = await queue_for(tx, broadcast_id, letter, version, recipients, compose, now=now)
        await outbox.finish_if_empty(tx, broadcast_id, now=now)
        await audit.append(
            tx, now=now, actor=actor, action="letter.circulated", letter_id=letter_id,
            data={"organisations": targets, "version": version.number, "queued": queued},
        )  # fmt: skip
    reached = {recipient.organisation_id for recipient in recipients}
    no_contact = tuple(o.name for o in organisations if o.id not in reached)
    return Circulation(
        letter, version, len(targets), len(recipients), queued, broadcast_id, no_contact
    )


@dataclass(frozen=True)
class DeadlineMove:
    letter: Letter
    previous: datetime
    recipients: int
    queued: int


async def move_deadline(
    db: Database,
    letter_id: int,
    deadline: datetime,
    *,
    actor: str,
    now: datetime,
    compose: Composer,
    default_offsets: Sequence[timedelta],
) -> DeadlineMove:
    """Moves an open (or draft) letter's deadline, plans its reminders afresh and, once
    circulated, tells the members."""
    if deadline <= now:
        raise Refusal(Code.DEADLINE_PAST)
    async with db.transaction() as tx:
        letter = await lifecycle.editable_letter(tx, letter_id)
        previous = letter.deadline
        if deadline == previous:
            raise Refusal(Code.DEADLINE_UNCHANGED, ref=letter_id)
        await letters_repo.set_deadline(tx, letter_id, deadline=deadline)
        moved = await letters_repo.existing(tx, letter_id)
        await reminder_plan.replan(tx, moved, default_offsets=default_offsets, now=now)
        recipients = queued = 0
        if moved.status is LetterStatus.OPEN:
            recipients, queued = await tell_recipients(
                tx, moved, compose, kind="deadline", now=now, nonce=f":{deadline.timestamp():.0f}"
            )
        await audit.append(
            tx, now=now, actor=actor, action="deadline.moved", letter_id=letter_id,
            data={"from": letter.deadline, "to": moved.deadline},
        )  # fmt: skip
    return DeadlineMove(moved, previous, recipients, queued)


async def deliver_open_letters(
    db: Database, contact_id: int, organisation_id: int, *, now: datetime, compose: Composer
) -> int:
    """Queues every open letter of the contact's organisation for a contact who just joined."""
    queued = 0
    async with db.transaction() as tx:
        for letter in await letters_repo.open_letters_of_organisation(tx, organisation_id):
            recipient = await letters_repo.recipient(tx, letter.id, contact_id)
            if recipient is None:
                continue
            version = await letters_repo.latest_version(tx, letter.id)
            queued += await queue_for(tx, None, letter, version, [recipient], compose, now=now)
    return queued


@dataclass(frozen=True)
class ReaderAccess:
    letter: Letter
    version: Version
    recipient: Recipient


async def reader_access(
    db: Executor, letter_id: int, version_id: int, contact_id: int
) -> ReaderAccess:
    """Checks that a member may read this version now; raises a Refusal otherwise.

    First whether their organisation received the letter at all, with the same refusal as
    for a letter that does not exist (``UNKNOWN_TO_MEMBER``: nothing about other letters
    leaks); then that its text is still there, the letter open and the version current.
    """
    letter = await letters_repo.get(db, letter_id)
    recipient = await letters_repo.recipient(db, letter_id, contact_id)
    version = await letters_repo.get_version(db, version_id)
    if (
        letter is None
        or letter.status is LetterStatus.DRAFT
        or recipient is None
        or version is None
        or version.letter_id != letter_id
    ):
        raise Refusal(Code.UNKNOWN_TO_MEMBER)
    if letter.purged_at is not None or version.body is None:
        raise Refusal(Code.LETTER_PURGED, ref=letter_id)
    if letter.status is LetterStatus.CLOSED:
        raise Refusal(Code.FULL_TEXT_CLOSED, ref=letter_id)
    latest = await letters_repo.latest_version(db, letter_id)
    if latest.id != version.id:  # any later version replaces this text, minor ones too
        raise Refusal(
            Code.VERSION_REPLACED,
            ref=letter_id,
            latest=version_label(latest.number, latest.fingerprint),
            latest_id=latest.id,
        )
    return ReaderAccess(letter, version, recipient)


async def resend_full_text(
    db: Database,
    access: ReaderAccess,
    *,
    now: datetime,
    compose: Composer,
) -> int:
    """The Full text button: the text again (it was deleted after DRAFT_TTL, or scrolled away)."""
    async with db.transaction() as tx:
        return await queue_for(
            tx, None, access.letter, access.version, [access.recipient], compose, now=now,
            nonce=f":again:{now.timestamp():.0f}",
        )  # fmt: skip


async def resend_current(
    db: Database, letter_id: int, contact_id: int, *, now: datetime, compose: Composer
) -> int:
    """The letter's current version (``compose``: its summary with buttons) for a member
    who pressed a button of an older one; checked like Full text."""
    _, latest = await latest_version(db, letter_id)
    access = await reader_access(db, letter_id, latest.id, contact_id)
    return await resend_full_text(db, access, now=now, compose=compose)  # queues any compose


@dataclass(frozen=True)
class LetterOverview:
    letter: Letter
    latest: Version


async def overview(db: Executor) -> list[LetterOverview]:
    """Every letter, newest first, with its latest version (counts: ``responses.tally``)."""
    result = []
    for letter in await letters_repo.all_letters(db):
        latest = await letters_repo.latest_version(db, letter.id)
        result.append(LetterOverview(letter, latest))
    return result


@dataclass(frozen=True)
class LetterDetails:
    letter: Letter
    versions: list[Version]
    recipients: int
    milestones: list[Milestone]


async def details(db: Executor, letter_id: int) -> LetterDetails:
    """A letter with its versions, recipients and milestones (counts: ``responses.tally``)."""
    letter = await lifecycle.known_letter(db, letter_id)
    return LetterDetails(
        letter,
        await letters_repo.versions(db, letter_id),
        len(await letters_repo.recipients(db, letter_id)),
        await milestones_repo.of_letter(db, letter_id),
    )


async def latest_version(db: Executor, letter_id: int) -> tuple[Letter, Version]:
    letter = await lifecycle.known_letter(db, letter_id)
    return letter, await letters_repo.latest_version(db, letter_id)
