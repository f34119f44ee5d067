"""Data access for invites (only token hashes are stored)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.connection import Executor, Row
from bot.db.timefmt import to_db
from bot.db.types import row_to


@dataclass(frozen=True)
class Invite:
    id: int
    contact_id: int
    token_hash: str
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: int | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class PendingInvite:
    invite: Invite
    organisation_id: int
    organisation_name: str
    label: str | None


def _invite(row: Row) -> Invite:
    return row_to(Invite, row)


async def insert(
    db: Executor,
    *,
    contact_id: int,
    token_hash: str,
    created_by: int | None,
    now: datetime,
    expires_at: datetime,
) -> int:
    return await db.insert(
        "INSERT INTO invites (contact_id, token_hash, created_by, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (contact_id, token_hash, created_by, to_db(now), to_db(expires_at)),
    )


async def by_token_hash(db: Executor, token_hash: str) -> Invite | None:
    row = await db.fetch_one("SELECT * FROM invites WHERE token_hash = ?", (token_hash,))
    return None if row is None else _invite(row)


async def mark_used(db: Executor, invite_id: int, *, used_by: int, now: datetime) -> int:
    """Claims the invite; 0 rows means somebody else took it (or it was revoked) first."""
    stamp = to_db(now)
    return await db.execute(
        "UPDATE invites SET used_at = ?, used_by = ? "
        "WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
        (stamp, used_by, invite_id, stamp),
    )


async def revoke(db: Executor, invite_id: int, *, now: datetime) -> int:
    stamp = to_db(now)
    return await db.execute(
        "UPDATE invites SET revoked_at = ? "
        "WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
        (stamp, invite_id, stamp),
    )


async def revoke_all_for_organisation(db: Executor, organisation_id: int, *, now: datetime) -> int:
    return await db.execute(
        "UPDATE invites SET revoked_at = ? WHERE used_at IS NULL AND revoked_at IS NULL "
        "AND contact_id IN (SELECT id FROM contacts WHERE organisation_id = ?)",
        (to_db(now), organisation_id),
    )


_PENDING = (
    "SELECT i.*, o.id AS organisation_id, o.name AS organisation_name, c.label AS label "
    "FROM invites i JOIN contacts c ON c.id = i.contact_id "
    "JOIN organisations o ON o.id = c.organisation_id "
    "WHERE i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ? "
    "AND o.status = 'active'"
)


def _pending(row: Row) -> PendingInvite:
    org_id = row.pop("organisation_id")
    org_name = row.pop("organisation_name")
    label = row.pop("label")
    return PendingInvite(_invite(row), org_id, org_name, label)


async def pending(db: Executor, *, now: datetime) -> list[PendingInvite]:
    rows = await db.fetch_all(_PENDING + " ORDER BY i.id", (to_db(now),))
    return [_pending(row) for row in rows]


async def get_pending(db: Executor, invite_id: int, *, now: datetime) -> PendingInvite | None:
    row = await db.fetch_one(_PENDING + " AND i.id = ?", (to_db(now), invite_id))
    return None if row is None else _pending(row)
