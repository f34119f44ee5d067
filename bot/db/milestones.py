"""Data access for a letter's milestones (HRC session opens, vote, …)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.connection import Executor


@dataclass(frozen=True)
class Milestone:
    id: int
    letter_id: int
    name: str
    at: str
    reminded_at: str | None
    created_by: int | None
    created_at: str | None


async def insert(
    db: Executor,
    letter_id: int,
    *,
    name: str,
    at: str,
    created_by: int | None,
    now: str,
    reminded_at: str | None,
) -> int:
    return await db.insert(
        "INSERT INTO milestones (letter_id, name, at, reminded_at, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (letter_id, name, at, reminded_at, created_by, now),
    )


async def of_letter(db: Executor, letter_id: int) -> list[Milestone]:
    rows = await db.fetch_all(
        "SELECT * FROM milestones WHERE letter_id = ? ORDER BY at, id", (letter_id,)
    )
    return [Milestone(**row) for row in rows]


async def get(db: Executor, milestone_id: int) -> Milestone | None:
    row = await db.fetch_one("SELECT * FROM milestones WHERE id = ?", (milestone_id,))
    return None if row is None else Milestone(**row)


async def delete(db: Executor, milestone_id: int) -> int:
    return await db.execute("DELETE FROM milestones WHERE id = ?", (milestone_id,))


async def unreminded_before(db: Executor, at: str) -> list[Milestone]:
    """Milestones not yet reminded of, falling at or before ``at``."""
    rows = await db.fetch_all(
        "SELECT * FROM milestones WHERE reminded_at IS NULL AND at <= ? ORDER BY at, id", (at,)
    )
    return [Milestone(**row) for row in rows]


async def mark_reminded(db: Executor, milestone_id: int, *, now: str) -> int:
    return await db.execute(
        "UPDATE milestones SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL",
        (now, milestone_id),
    )


async def next_unreminded(db: Executor) -> str | None:
    return await db.fetch_value("SELECT min(at) FROM milestones WHERE reminded_at IS NULL")
