"""Data access for organisations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.connection import Executor, Row, present
from bot.db.timefmt import to_db
from bot.db.types import OrganisationStatus, row_to


@dataclass(frozen=True)
class Organisation:
    id: int
    name: str
    name_key: str
    status: OrganisationStatus
    created_at: datetime
    removed_at: datetime | None


def _org(row: Row) -> Organisation:
    return row_to(Organisation, row)


async def get(db: Executor, org_id: int) -> Organisation | None:
    row = await db.fetch_one("SELECT * FROM organisations WHERE id = ?", (org_id,))
    return None if row is None else _org(row)


async def existing(db: Executor, org_id: int) -> Organisation:
    """An organisation known to exist (just inserted, or one a contact belongs to)."""
    return present(await get(db, org_id), f"organisation {org_id}")


async def get_active(db: Executor, org_id: int) -> Organisation | None:
    row = await db.fetch_one(
        "SELECT * FROM organisations WHERE id = ? AND status = 'active'", (org_id,)
    )
    return None if row is None else _org(row)


async def find_active_by_key(db: Executor, name_key: str) -> Organisation | None:
    row = await db.fetch_one(
        "SELECT * FROM organisations WHERE name_key = ? AND status = 'active'", (name_key,)
    )
    return None if row is None else _org(row)


async def insert(db: Executor, *, name: str, name_key: str, now: datetime) -> int:
    return await db.insert(
        "INSERT INTO organisations (name, name_key, status, created_at) VALUES (?, ?, 'active', ?)",
        (name, name_key, to_db(now)),
    )


async def rename(db: Executor, org_id: int, *, name: str, name_key: str) -> int:
    return await db.execute(
        "UPDATE organisations SET name = ?, name_key = ? WHERE id = ? AND status = 'active'",
        (name, name_key, org_id),
    )


async def mark_removed(db: Executor, org_id: int, *, now: datetime) -> int:
    return await db.execute(
        "UPDATE organisations SET status = 'removed', removed_at = ? "
        "WHERE id = ? AND status = 'active'",
        (to_db(now), org_id),
    )


async def all_active(db: Executor) -> list[Organisation]:
    rows = await db.fetch_all("SELECT * FROM organisations WHERE status = 'active' ORDER BY id")
    return [_org(row) for row in rows]


async def every(db: Executor) -> list[Organisation]:
    """Active and removed, in the order they were added."""
    rows = await db.fetch_all("SELECT * FROM organisations ORDER BY id")
    return [_org(row) for row in rows]


async def set_name_key(db: Executor, org_id: int, name_key: str) -> int:
    return await db.execute(
        "UPDATE organisations SET name_key = ? WHERE id = ?", (name_key, org_id)
    )
