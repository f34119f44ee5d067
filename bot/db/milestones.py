"""Data access for a letter's milestones (HRC session opens, vote, …)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.connection import Change, Executor, changed, present
from bot.db.timefmt import from_db, to_db
from bot.db.types import row_to


@dataclass(frozen=True)
class Milestone:
    id: int
    letter_id: int
    name: str  # '' once purged
    at: datetime
    reminded_at: datetime | None
    created_by: int | None
    created_at: datetime | None


async def insert(
    db: Executor,
    letter_id: int,
    *,
    name: str,
    at: datetime,
    created_by: int | None,
    now: datetime,
    reminded_at: datetime | None,
) -> int:
    result = await db.insert(
        "INSERT INTO milestones (letter_id, name, at, reminded_at, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (letter_id, name, to_db(at), None if reminded_at is None else to_db(reminded_at),
         created_by, to_db(now)),
    )  # fmt: skip
    changed(db, Change.SCHEDULE)
    return result


async def of_letter(db: Executor, letter_id: int) -> list[Milestone]:
    rows = await db.fetch_all(
        "SELECT * FROM milestones WHERE letter_id = ? ORDER BY at, id", (letter_id,)
    )
    return [row_to(Milestone, row) for row in rows]


async def get(db: Executor, milestone_id: int) -> Milestone | None:
    row = await db.fetch_one("SELECT * FROM milestones WHERE id = ?", (milestone_id,))
    return None if row is None else row_to(Milestone, row)


async def existing(db: Executor, milestone_id: int) -> Milestone:
    """A milestone known to exist (just inserted in this transaction)."""
    return present(await get(db, milestone_id), f"milestone {milestone_id}")


async def delete(db: Executor, milestone_id: int) -> int:
    result = await db.execute("DELETE FROM milestones WHERE id = ?", (milestone_id,))
    changed(db, Change.SCHEDULE)
    return result


async def unreminded_before(db: Executor, at: datetime) -> list[Milestone]:
    """Milestones not yet reminded of, falling at or before ``at``."""
    rows = await db.fetch_all(
        "SELECT * FROM milestones WHERE reminded_at IS NULL AND at <= ? ORDER BY at, id",
        (to_db(at),),
    )
    return [row_to(Milestone, row) for row in rows]


async def mark_reminded(db: Executor, milestone_id: int, *, now: datetime) -> int:
    return await db.execute(
        "UPDATE milestones SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL",
        (to_db(now), milestone_id),
    )


async def next_unreminded(db: Executor) -> datetime | None:
    return from_db(await db.fetch_value("SELECT min(at) FROM milestones WHERE reminded_at IS NULL"))
