"""Data access for planned reminders and their per-contact sends."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.db.connection import Change, Executor, Transaction, changed
from bot.db.timefmt import from_db, to_db
from bot.db.types import ReminderStatus, SendStatus, row_to


@dataclass(frozen=True)
class Reminder:
    id: int
    letter_id: int
    organisation_id: int
    offset_seconds: int
    due_at: datetime
    status: ReminderStatus
    claimed_at: datetime | None


@dataclass(frozen=True)
class ReminderSend:
    id: int
    reminder_id: int
    contact_id: int
    send_at: datetime
    status: SendStatus
    letter_id: int
    organisation_id: int


async def plan(tx: Transaction, rows: Iterable[tuple[int, int, int, datetime]]) -> None:
    """Pending rows (letter, organisation, offset seconds, due); an existing one is kept,
    so an offset already sent or passed over is never planned again."""
    await tx.execute_many(
        "INSERT INTO reminders (letter_id, organisation_id, offset_seconds, due_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (letter_id, organisation_id, offset_seconds) DO NOTHING",
        [(letter_id, org_id, seconds, to_db(due)) for letter_id, org_id, seconds, due in rows],
    )
    changed(tx, Change.SCHEDULE)


async def delete_pending(db: Executor, letter_id: int) -> int:
    """Drops the letter's plan (not its history) before planning it afresh."""
    return await db.execute(
        "DELETE FROM reminders WHERE letter_id = ? AND status = 'pending' "
        "AND NOT EXISTS (SELECT 1 FROM reminder_sends s WHERE s.reminder_id = reminders.id)",
        (letter_id,),
    )


async def delete_cancelled(db: Executor, letter_id: int, *, closed_at: datetime) -> int:
    """Forgets the rows a closing skipped before they were due (``skip_pending``): they were
    never sent nor passed over, so a reopened letter may plan them again. A row claimed (sent,
    or skipped as missed) was due by the time it was claimed, so at or before the closing."""
    return await db.execute(
        "DELETE FROM reminders WHERE letter_id = ? AND status = 'skipped' AND due_at > ? "
        "AND NOT EXISTS (SELECT 1 FROM reminder_sends s WHERE s.reminder_id = reminders.id)",
        (letter_id, to_db(closed_at)),
    )


async def skip_pending(db: Executor, letter_id: int, *, now: datetime) -> int:
    """A closed letter: nothing planned for it goes out any more."""
    skipped = await db.execute(
        "UPDATE reminders SET status = 'skipped', claimed_at = ? "
        "WHERE letter_id = ? AND status = 'pending'",
        (to_db(now), letter_id),
    )
    await db.execute(
        "UPDATE reminder_sends SET status = 'skipped' WHERE status = 'pending' "
        "AND reminder_id IN (SELECT id FROM reminders WHERE letter_id = ?)",
        (letter_id,),
    )
    return skipped


async def due(db: Executor, *, now: datetime) -> list[Reminder]:
    """Pending reminders of open letters that are due, by letter and organisation."""
    rows = await db.fetch_all(
        "SELECT r.* FROM reminders r JOIN letters l ON l.id = r.letter_id "
        "WHERE r.status = 'pending' AND r.due_at <= ? AND l.status = 'open' "
        "ORDER BY r.letter_id, r.organisation_id, r.due_at",
        (to_db(now),),
    )
    return [row_to(Reminder, row) for row in rows]


async def settle(db: Executor, reminder_id: int, status: ReminderStatus, *, now: datetime) -> int:
    """pending → sent or skipped, once: 0 when someone else got there first."""
    return await db.execute(
        "UPDATE reminders SET status = ?, claimed_at = ? WHERE id = ? AND status = 'pending'",
        (status, to_db(now), reminder_id),
    )


async def of_letter(db: Executor, letter_id: int) -> list[Reminder]:
    rows = await db.fetch_all(
        "SELECT * FROM reminders WHERE letter_id = ? ORDER BY due_at, organisation_id",
        (letter_id,),
    )
    return [row_to(Reminder, row) for row in rows]


async def next_due(db: Executor) -> datetime | None:
    return from_db(
        await db.fetch_value(
            "SELECT min(r.due_at) FROM reminders r JOIN letters l ON l.id = r.letter_id "
            "WHERE r.status = 'pending' AND l.status = 'open'"
        )
    )


# --- per-contact sends ------------------------------------------------------------------------


async def add_send(
    tx: Transaction, reminder_id: int, contact_id: int, *, send_at: datetime
) -> None:
    await tx.execute(
        "INSERT INTO reminder_sends (reminder_id, contact_id, send_at) VALUES (?, ?, ?) "
        "ON CONFLICT (reminder_id, contact_id) DO NOTHING",
        (reminder_id, contact_id, to_db(send_at)),
    )


async def due_sends(db: Executor, *, now: datetime) -> list[ReminderSend]:
    rows = await db.fetch_all(
        "SELECT s.*, r.letter_id, r.organisation_id FROM reminder_sends s "
        "JOIN reminders r ON r.id = s.reminder_id "
        "WHERE s.status = 'pending' AND s.send_at <= ? ORDER BY r.letter_id, s.id",
        (to_db(now),),
    )
    return [row_to(ReminderSend, row) for row in rows]


async def settle_send(db: Executor, send_id: int, status: SendStatus) -> int:
    return await db.execute(
        "UPDATE reminder_sends SET status = ? WHERE id = ? AND status = 'pending'",
        (status, send_id),
    )


async def next_send(db: Executor) -> datetime | None:
    return from_db(
        await db.fetch_value("SELECT min(send_at) FROM reminder_sends WHERE status = 'pending'")
    )
