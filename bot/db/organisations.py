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
    sort_key: str | None = None  # where it files in every language's list; None: by its name


@dataclass(frozen=True)
class ListedName:
    """An organisation's name in one language's list (``organisation_names``)."""

    organisation_id: int
    language: str
    name: str
    name_key: str


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


async def set_sort_key(db: Executor, org_id: int, sort_key: str | None) -> int:
    return await db.execute(
        "UPDATE organisations SET sort_key = ? WHERE id = ?", (sort_key, org_id)
    )


# --- listed names ---------------------------------------------------------------------------


async def listed_names(db: Executor, org_id: int) -> dict[str, str]:
    """The organisation's own listed names, by language (a language without one lists the
    primary name)."""
    rows = await db.fetch_all(
        "SELECT language, name FROM organisation_names WHERE organisation_id = ?", (org_id,)
    )
    return {str(row["language"]): str(row["name"]) for row in rows}


async def all_listed_names(db: Executor) -> list[ListedName]:
    rows = await db.fetch_all("SELECT * FROM organisation_names ORDER BY organisation_id, language")
    return [row_to(ListedName, row) for row in rows]


async def find_active_by_listed_key(db: Executor, name_key: str) -> list[ListedName]:
    """Listed names of active organisations with this key (any language)."""
    rows = await db.fetch_all(
        "SELECT n.* FROM organisation_names n JOIN organisations o ON o.id = n.organisation_id "
        "WHERE n.name_key = ? AND o.status = 'active' ORDER BY n.organisation_id, n.language",
        (name_key,),
    )
    return [row_to(ListedName, row) for row in rows]


async def put_listed_name(
    db: Executor, org_id: int, language: str, *, name: str, name_key: str
) -> int:
    return await db.execute(
        "INSERT INTO organisation_names (organisation_id, language, name, name_key) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (organisation_id, language) DO UPDATE SET "
        "name = excluded.name, name_key = excluded.name_key",
        (org_id, language, name, name_key),
    )


async def delete_listed_name(db: Executor, org_id: int, language: str) -> int:
    return await db.execute(
        "DELETE FROM organisation_names WHERE organisation_id = ? AND language = ?",
        (org_id, language),
    )


async def set_listed_name_key(db: Executor, org_id: int, language: str, name_key: str) -> int:
    return await db.execute(
        "UPDATE organisation_names SET name_key = ? WHERE organisation_id = ? AND language = ?",
        (name_key, org_id, language),
    )


async def has_responded(db: Executor, org_id: int) -> bool:
    """Has it answered any letter (signed, declined, withdrawn)? Then what it is listed as
    is a record other people hold (issue 16: a rename waits for its agreement)."""
    row = await db.fetch_one("SELECT 1 FROM responses WHERE organisation_id = ? LIMIT 1", (org_id,))
    return row is not None
