"""A letter's lifecycle in one place: draft → open → closed, open again, purged.

A draft opens when it is circulated (``open_for``); an open letter closes when a
coordinator closes it (``close_letter``) or when its deadline comes (``close_expired``,
which also owes coordinators a report: ``close_reports_due``, ``close_report_sent``); a
closed letter opens again only with a new deadline (``reopen_letter``), and can be
purged (``check_purgeable``, ``due_for_purge``) — after which nothing reopens it. Each
change runs in one transaction with its audit event, its reminders (planned, skipped,
planned afresh) and the notices to every contact who has the letter. The guards say
what each state allows, as refusals. No Telegram here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from bot.db import audit
from bot.db import letters as letters_repo
from bot.db import purge as purge_repo
from bot.db import reminders as reminders_repo
from bot.db.connection import Database, Executor, Transaction
from bot.db.letters import Letter
from bot.db.types import CloseReport, LetterStatus
from bot.services import outbox, reminder_plan
from bot.services.agreement import Agreement, with_agreement
from bot.services.letter_queue import Composer, tell_recipients
from bot.services.outbox import OutgoingMessage
from bot.services.refusals import Code, Refusal
from bot.services.stored_files import StoredFile

# --- what each state allows ---------------------------------------------------------------


async def known_letter(db: Executor, letter_id: int) -> Letter:
    """The letter, if there is one with this number."""
    letter = await letters_repo.get(db, letter_id)
    if letter is None:
        raise Refusal(Code.LETTER_NOT_FOUND, ref=letter_id)
    return letter


async def editable_letter(db: Executor, letter_id: int) -> Letter:
    """A letter that can still be revised, circulated or given a new deadline: a draft or
    an open letter."""
    letter = await known_letter(db, letter_id)
    if letter.status is LetterStatus.CLOSED:
        raise Refusal(Code.LETTER_CLOSED, ref=letter_id)
    return letter


async def closable(db: Executor, letter_id: int) -> Letter:
    """The open letter /close would close."""
    letter = await known_letter(db, letter_id)
    if letter.status is not LetterStatus.OPEN:
        raise Refusal(Code.NOT_OPEN, ref=letter_id)
    return letter


async def unpurged_letter(db: Executor, letter_id: int) -> Letter:
    """The letter, if it exists and its texts were not purged."""
    letter = await known_letter(db, letter_id)
    if letter.purged_at is not None:
        raise Refusal(Code.LETTER_PURGED, ref=letter_id)
    return letter


async def check_purgeable(db: Executor, letter_id: int) -> Letter:
    """The letter, if it can be purged: closed, not purged yet."""
    letter = await unpurged_letter(db, letter_id)
    if letter.status is not LetterStatus.CLOSED:
        raise Refusal(Code.PURGE_NOT_CLOSED, ref=letter_id)
    return letter


async def sendable_letter(db: Executor, letter_id: int) -> Letter:
    """The letter, if its messages may be sent again: neither purged nor closed."""
    letter = await unpurged_letter(db, letter_id)
    if letter.status is LetterStatus.CLOSED:
        raise Refusal(Code.RESEND_CLOSED, ref=letter_id)
    return letter


# --- opening --------------------------------------------------------------------------------


async def open_for(
    tx: Transaction,
    letter: Letter,
    organisation_ids: Iterable[int],
    *,
    default_offsets: Sequence[timedelta],
    now: datetime,
) -> Letter:
    """Circulation's change of state, in its transaction: the letter goes to these
    organisations (a draft opens; an open letter gains them) and their reminders are
    planned. Returns the letter as it is now."""
    targets = list(organisation_ids)
    for organisation_id in targets:
        await letters_repo.add_organisation(tx, letter.id, organisation_id, now=now)
    await letters_repo.open_letter(tx, letter.id, now=now)
    opened = await letters_repo.existing(tx, letter.id)
    await reminder_plan.plan(tx, opened, targets, default_offsets=default_offsets, now=now)
    return opened


# --- closing --------------------------------------------------------------------------------


async def close_letter(
    db: Database, letter_id: int, *, actor: str, now: datetime, compose: Composer
) -> Letter:
    """Closes an open letter; every contact who has it is told (``compose``)."""
    async with db.transaction() as tx:
        await closable(tx, letter_id)
        return await _close(tx, letter_id, actor=actor, now=now, at_deadline=False, compose=compose)


async def _close(
    tx: Transaction,
    letter_id: int,
    *,
    actor: str,
    now: datetime,
    at_deadline: bool,
    compose: Composer,
) -> Letter:
    await letters_repo.set_closed(tx, letter_id, now=now)
    await reminders_repo.skip_pending(tx, letter_id, now=now)
    data = {"at_deadline": True} if at_deadline else None
    await audit.append(
        tx, now=now, actor=actor, action="letter.closed", letter_id=letter_id, data=data
    )
    closed = await letters_repo.existing(tx, letter_id)
    await tell_recipients(tx, closed, compose, kind="closed", now=now, nonce=_nonce(now))
    return closed


def _nonce(now: datetime) -> str:
    """Tells one closing or reopening of a letter from another (keys of their notices)."""
    return f":{now.timestamp():.0f}"


async def close_expired(db: Database, *, now: datetime, compose: Composer) -> list[Letter]:
    """Closes every open letter whose deadline has come (at start-up too, after downtime);
    every contact who has it is told (``compose``).

    Each owes coordinators a report (``close_report`` pending until it went out).
    """
    closed: list[Letter] = []
    for letter in await letters_repo.expired_open(db, now=now):
        async with db.transaction() as tx:
            current = await letters_repo.get(tx, letter.id)
            if current is None or current.status is not LetterStatus.OPEN or current.deadline > now:
                continue  # closed, reopened or extended meanwhile
            await _close(tx, letter.id, actor="system", now=now, at_deadline=True, compose=compose)
            await letters_repo.set_close_report(tx, letter.id, CloseReport.PENDING)
            closed.append(await letters_repo.existing(tx, letter.id))
    return closed


async def next_deadline(db: Executor) -> datetime | None:
    """The earliest deadline of an open letter (when the next auto-close is due)."""
    return await letters_repo.next_open_deadline(db)


async def close_reports_due(db: Executor) -> list[Letter]:
    """Letters closed at their deadline whose report has not gone to coordinators yet."""
    return await letters_repo.close_reports_due(db)


async def close_report_sent(db: Executor, letter_id: int) -> None:
    await letters_repo.set_close_report(db, letter_id, CloseReport.SENT)


async def queue_close_report(
    db: Database,
    letter: Letter,
    reports: Sequence[tuple[int, OutgoingMessage]],
    files: Mapping[str, bytes],
    *,
    now: datetime,
) -> int:
    """Queues the close report to each coordinator (``reports``: chat, message), each
    followed by ``files`` (name → content), in the transaction that marks the report sent:
    not lost in a crash, not sent twice. The files travel in the deliveries (the first send
    uploads them, the others then reuse Telegram's file_id); a purge of the letter clears
    them with its other messages. Returns how many messages were queued."""
    closing = letter.closed_at.isoformat() if letter.closed_at is not None else "-"
    key = f"close-report:{letter.id}:{closing}"
    queued = 0
    async with db.transaction() as tx:
        stored = [StoredFile(name, content) for name, content in files.items()]
        for chat, report in reports:
            documents = [OutgoingMessage("sendDocument", {}, file) for file in stored]
            for part, message in enumerate([report, *documents]):
                queued += await outbox.enqueue(
                    tx, broadcast_id=None, contact_id=None, chat_id=chat, letter_id=letter.id,
                    kind="report", message=message, dedupe_key=f"{key}:{part}:to:{chat}",
                    now=now,
                )  # fmt: skip
        await close_report_sent(tx, letter.id)
    return queued


# --- reopening ------------------------------------------------------------------------------


async def reopenable(db: Executor, letter_id: int, deadline: datetime, *, now: datetime) -> Letter:
    """The closed, unpurged letter /reopen would open again until ``deadline``."""
    if deadline <= now:
        raise Refusal(Code.DEADLINE_PAST)
    letter = await known_letter(db, letter_id)
    if letter.status is not LetterStatus.CLOSED or letter.purged_at is not None:
        raise Refusal(Code.NOT_CLOSED, ref=letter_id)
    return letter


async def reopen_letter(
    db: Database,
    letter_id: int,
    deadline: datetime,
    *,
    actor: str,
    now: datetime,
    default_offsets: Sequence[timedelta],
    compose: Composer,
    agreement: Agreement | None = None,
) -> Letter:
    """Opens a closed letter again until ``deadline``; every contact who has it is told."""
    async with db.transaction() as tx:
        return await reopen_and_tell_in(
            tx, letter_id, deadline, actor=actor, now=now, default_offsets=default_offsets,
            compose=compose, agreement=agreement,
        )  # fmt: skip


async def reopen_and_tell_in(
    tx: Transaction,
    letter_id: int,
    deadline: datetime,
    *,
    actor: str,
    now: datetime,
    default_offsets: Sequence[timedelta],
    compose: Composer,
    agreement: Agreement | None,
) -> Letter:
    """``reopen_letter`` in the caller's transaction (an approval's)."""
    reopened = await reopen_in(
        tx, letter_id, deadline, actor=actor, now=now, default_offsets=default_offsets,
        data=with_agreement({}, agreement),
    )  # fmt: skip
    await tell_recipients(tx, reopened, compose, kind="reopened", now=now, nonce=_nonce(now))
    return reopened


async def reopen_in(
    tx: Transaction,
    letter_id: int,
    deadline: datetime,
    *,
    actor: str,
    now: datetime,
    default_offsets: Sequence[timedelta],
    data: Mapping[str, object] | None = None,
) -> Letter:
    """Reopening's change of state in the caller's transaction (its notices are the
    caller's): a closed, unpurged letter open until ``deadline``, audited with ``data``
    added, its reminders planned afresh."""
    closed = await reopenable(tx, letter_id, deadline, now=now)
    await letters_repo.set_reopened(tx, letter_id, deadline=deadline)
    await audit.append(
        tx, now=now, actor=actor, action="letter.reopened", letter_id=letter_id,
        data={**(data or {}), "deadline": deadline},
    )  # fmt: skip
    reopened = await letters_repo.existing(tx, letter_id)
    await reminder_plan.replan_reopened(
        tx, reopened, closed_at=closed.closed_at or now, default_offsets=default_offsets, now=now
    )
    return reopened


# --- purging --------------------------------------------------------------------------------


async def due_for_purge(db: Executor, *, now: datetime, retention: timedelta) -> list[int]:
    """RETENTION_DAYS: the closed letters, not purged yet, closed at least that long ago."""
    return await purge_repo.closed_before(db, now - retention)


async def next_purge(db: Executor, *, retention: timedelta) -> datetime | None:
    """When the next closed letter becomes due for purging under RETENTION_DAYS."""
    closed = await purge_repo.first_unpurged_closing(db)
    return None if closed is None else closed + retention
