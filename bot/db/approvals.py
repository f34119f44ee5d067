"""Data access for approvals: record-changing actions waiting for a second coordinator."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db.connection import Executor, Row
from bot.db.timefmt import from_db, to_db
from bot.db.types import ApprovalKind, ApprovalStatus, row_to


@dataclass(frozen=True)
class Approval:
    id: int
    kind: ApprovalKind
    letter_id: int | None
    organisation_id: int | None
    contact_id: int | None
    params: str  # JSON (``data``)
    requested_by: int  # the coordinator contact who asked
    requested_at: datetime
    expires_at: datetime
    status: ApprovalStatus
    decided_by: int | None  # the coordinator contact who approved, rejected or cancelled
    decided_at: datetime | None
    failure: str | None  # a refusal's code

    @property
    def data(self) -> dict[str, Any]:
        value = json.loads(self.params)
        return value if isinstance(value, dict) else {}

    @property
    def pending(self) -> bool:
        return self.status is ApprovalStatus.PENDING


def _approval(row: Row) -> Approval:
    return row_to(Approval, row)


def params_json(params: dict[str, Any]) -> str:
    return json.dumps(params, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


async def insert(
    db: Executor,
    *,
    kind: ApprovalKind,
    letter_id: int | None,
    organisation_id: int | None,
    contact_id: int | None,
    params: dict[str, Any],
    requested_by: int,
    now: datetime,
    expires_at: datetime,
) -> int:
    return await db.insert(
        "INSERT INTO approvals (kind, letter_id, organisation_id, contact_id, params, "
        "requested_by, requested_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, letter_id, organisation_id, contact_id, params_json(params), requested_by,
         to_db(now), to_db(expires_at)),
    )  # fmt: skip


async def get(db: Executor, approval_id: int) -> Approval | None:
    row = await db.fetch_one("SELECT * FROM approvals WHERE id = ?", (approval_id,))
    return None if row is None else _approval(row)


async def pending(db: Executor) -> list[Approval]:
    rows = await db.fetch_all("SELECT * FROM approvals WHERE status = 'pending' ORDER BY id")
    return [_approval(row) for row in rows]


async def pending_expired(db: Executor, *, now: datetime) -> list[Approval]:
    rows = await db.fetch_all(
        "SELECT * FROM approvals WHERE status = 'pending' AND expires_at <= ? ORDER BY id",
        (to_db(now),),
    )
    return [_approval(row) for row in rows]


async def next_expiry(db: Executor) -> datetime | None:
    return from_db(
        await db.fetch_value("SELECT min(expires_at) FROM approvals WHERE status = 'pending'")
    )


async def pending_requested_by(db: Executor, contact_id: int) -> list[Approval]:
    rows = await db.fetch_all(
        "SELECT * FROM approvals WHERE status = 'pending' AND requested_by = ? ORDER BY id",
        (contact_id,),
    )
    return [_approval(row) for row in rows]


async def pending_of_letter(db: Executor, letter_id: int) -> list[Approval]:
    rows = await db.fetch_all(
        "SELECT * FROM approvals WHERE status = 'pending' AND letter_id = ? ORDER BY id",
        (letter_id,),
    )
    return [_approval(row) for row in rows]


async def decide(
    db: Executor,
    approval_id: int,
    status: ApprovalStatus,
    *,
    decided_by: int | None,
    now: datetime,
    failure: str | None = None,
) -> int:
    """Ends a pending request (0: it was no longer pending). A minor revision's text goes
    with it: what was done is in ``versions``, and a text never adopted is not kept."""
    return await db.execute(
        "UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, failure = ?, "
        "params = CASE WHEN json_valid(params) THEN json_remove(params, '$.body') ELSE '{}' END "
        "WHERE id = ? AND status = 'pending'",
        (status, decided_by, to_db(now), failure, approval_id),
    )


async def set_contact(db: Executor, approval_id: int, contact_id: int) -> int:
    """The coordinator contact an approved invitation created."""
    return await db.execute(
        "UPDATE approvals SET contact_id = ? WHERE id = ?", (contact_id, approval_id)
    )


async def clear_params_of_letter(db: Executor, letter_id: int) -> int:
    """A purge: whatever a request about the letter held (a revision's text) goes."""
    return await db.execute(
        "UPDATE approvals SET params = '{}' WHERE letter_id = ? AND params != '{}'", (letter_id,)
    )


@dataclass(frozen=True)
class AloneEvent:
    id: int
    at: datetime
    actor: str
    action: str
    letter_id: int | None
    organisation_id: int | None
    contact_id: int | None
    coordinator_id: int | None = None  # the coordinator's number (/coordinators)


async def done_alone(db: Executor, letter_id: int) -> list[AloneEvent]:
    """Audit events marked ``"second_person": false`` about the letter, about an
    organisation it went to, or about no letter nor organisation (coordinators, the
    approval rule) since the letter was created; oldest first."""
    rows = await db.fetch_all(
        "SELECT e.id, e.at, e.actor, e.action, e.letter_id, e.organisation_id, e.contact_id, "
        "(SELECT max(c.id) FROM contacts c WHERE c.role = 'coordinator' "
        " AND e.actor = 'coordinator:' || c.telegram_user_id) AS coordinator_id "
        "FROM audit_events e WHERE json_extract(e.data, '$.second_person') = 0 AND ("
        " e.letter_id = :letter"
        " OR (e.letter_id IS NULL AND e.organisation_id IN ("
        "   SELECT organisation_id FROM letter_organisations WHERE letter_id = :letter))"
        " OR (e.letter_id IS NULL AND e.organisation_id IS NULL"
        "   AND e.at >= (SELECT created_at FROM letters WHERE id = :letter))"
        ") ORDER BY e.id",
        {"letter": letter_id},
    )
    return [row_to(AloneEvent, row) for row in rows]
