"""Data access for renames of organisations waiting for the organisation (migrations/0012)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.connection import Executor, Row
from bot.db.timefmt import to_db
from bot.db.types import RenameStatus, row_to


@dataclass(frozen=True)
class Rename:
    id: int
    organisation_id: int
    language: str | None  # None: the primary name
    old_name: str
    new_name: str
    requested_by: int | None  # the coordinator contact; None from the CLI
    requested_at: datetime
    approval_id: int | None
    status: RenameStatus
    decided_by_contact: int | None
    decided_at: datetime | None

    @property
    def pending(self) -> bool:
        return self.status is RenameStatus.PENDING


def _rename(row: Row) -> Rename:
    return row_to(Rename, row)


async def insert(
    db: Executor,
    *,
    organisation_id: int,
    old_name: str,
    new_name: str,
    requested_by: int | None,
    approval_id: int | None,
    now: datetime,
    language: str | None = None,
) -> int:
    """``language``: the name in that language's list (issue 17); None: the primary name."""
    return await db.insert(
        "INSERT INTO organisation_renames (organisation_id, language, old_name, new_name, "
        "requested_by, requested_at, approval_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (organisation_id, language, old_name, new_name, requested_by, to_db(now), approval_id),
    )


async def get(db: Executor, rename_id: int) -> Rename | None:
    row = await db.fetch_one("SELECT * FROM organisation_renames WHERE id = ?", (rename_id,))
    return None if row is None else _rename(row)


async def pending_of_organisation(db: Executor, organisation_id: int) -> Rename | None:
    """The organisation's rename of its primary name waiting for it, if any."""
    row = await db.fetch_one(
        "SELECT * FROM organisation_renames WHERE organisation_id = ? AND language IS NULL "
        "AND status = 'pending'",
        (organisation_id,),
    )
    return None if row is None else _rename(row)


async def pending_in_language(
    db: Executor, organisation_id: int, language: str | None
) -> Rename | None:
    """The organisation's rename waiting for it in ``language``'s list (None: the primary
    name, as ``pending_of_organisation``)."""
    row = await db.fetch_one(
        "SELECT * FROM organisation_renames WHERE organisation_id = ? "
        "AND coalesce(language, '') = coalesce(?, '') AND status = 'pending'",
        (organisation_id, language),
    )
    return None if row is None else _rename(row)


async def all_pending_of_organisation(db: Executor, organisation_id: int) -> list[Rename]:
    """Every rename waiting for the organisation (its primary name and listed names)."""
    rows = await db.fetch_all(
        "SELECT * FROM organisation_renames WHERE organisation_id = ? AND status = 'pending' "
        "ORDER BY id",
        (organisation_id,),
    )
    return [_rename(row) for row in rows]


async def pending(db: Executor) -> list[Rename]:
    rows = await db.fetch_all(
        "SELECT * FROM organisation_renames WHERE status = 'pending' ORDER BY id"
    )
    return [_rename(row) for row in rows]


async def decide(
    db: Executor,
    rename_id: int,
    status: RenameStatus,
    *,
    contact_id: int | None,
    now: datetime,
) -> int:
    """Ends a pending rename (0: it was no longer pending)."""
    return await db.execute(
        "UPDATE organisation_renames SET status = ?, decided_by_contact = ?, decided_at = ? "
        "WHERE id = ? AND status = 'pending'",
        (status, contact_id, to_db(now), rename_id),
    )
