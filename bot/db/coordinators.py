"""Data access for coordinators: contacts with role 'coordinator' (migrations/0012)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.connection import Executor, Row
from bot.db.timefmt import to_db
from bot.db.types import (
    ContactStatus,
    CoordinatorRemoval,
    CoordinatorSource,
    Notify,
    row_to,
)


@dataclass(frozen=True)
class Coordinator:
    """A coordinator contact, in any state (``status``: invited, active, removed)."""

    id: int  # the contact's id
    telegram_user_id: int | None  # None while invited
    display_name: str | None  # None until they first wrote
    label: str | None  # the requester's note on an invitation
    language: str
    status: ContactStatus
    created_at: datetime  # a coordinator since (or invited since)
    joined_at: datetime | None  # first heard from
    removed_at: datetime | None
    added_how: CoordinatorSource | None
    added_by: int | None  # the coordinator contact who asked for the invitation
    removed_how: CoordinatorRemoval | None

    @property
    def live(self) -> bool:
        return self.status.live and self.telegram_user_id is not None


_SELECT = (
    "SELECT id, telegram_user_id, display_name, label, language, status, created_at, "
    "joined_at, removed_at, added_how, added_by, removed_how FROM contacts "
    "WHERE role = 'coordinator' "
)
_LIVE = "AND status IN ('active', 'unreachable') "


def _coordinator(row: Row) -> Coordinator:
    return row_to(Coordinator, row)


async def get(db: Executor, contact_id: int) -> Coordinator | None:
    row = await db.fetch_one(_SELECT + "AND id = ?", (contact_id,))
    return None if row is None else _coordinator(row)


async def live(db: Executor) -> list[Coordinator]:
    """Every coordinator with access, in the order they became one."""
    rows = await db.fetch_all(_SELECT + _LIVE + "ORDER BY id")
    return [_coordinator(row) for row in rows]


async def live_notified(db: Executor, notify: Notify) -> list[Coordinator]:
    """The coordinators with access who chose ``notify`` (``/notify``), in ``live``'s order."""
    # The coordinators' own index (migrations/0012): every answer asks this, and without it
    # SQLite reads every member's contact too.
    rows = await db.fetch_all(
        _SELECT.replace("FROM contacts ", "FROM contacts INDEXED BY contacts_coordinators ")
        + _LIVE
        + "AND telegram_user_id IS NOT NULL AND notify = ? ORDER BY id",
        (notify,),
    )
    return [_coordinator(row) for row in rows]


async def invited(db: Executor) -> list[Coordinator]:
    """Coordinator invitations approved and not used yet, oldest first."""
    rows = await db.fetch_all(_SELECT + "AND status = 'invited' ORDER BY id")
    return [_coordinator(row) for row in rows]


async def every(db: Executor) -> list[Coordinator]:
    """Every coordinator contact there ever was (lists name who invited whom)."""
    rows = await db.fetch_all(_SELECT + "ORDER BY id")
    return [_coordinator(row) for row in rows]


async def live_count(db: Executor) -> int:
    return int(
        await db.fetch_value(
            "SELECT count(*) FROM contacts WHERE role = 'coordinator' "
            "AND status IN ('active', 'unreachable')"
        )
    )


async def live_by_telegram_user(db: Executor, telegram_user_id: int) -> Coordinator | None:
    row = await db.fetch_one(
        _SELECT + _LIVE + "AND telegram_user_id = ?",
        (telegram_user_id,),
    )
    return None if row is None else _coordinator(row)


async def latest_of_telegram_user(db: Executor, telegram_user_id: int) -> Coordinator | None:
    """The account's most recent coordinator contact, in any state."""
    row = await db.fetch_one(
        _SELECT + "AND telegram_user_id = ? ORDER BY id DESC LIMIT 1",
        (telegram_user_id,),
    )
    return None if row is None else _coordinator(row)


async def insert_active(
    db: Executor,
    *,
    telegram_user_id: int,
    language: str,
    added_how: CoordinatorSource,
    now: datetime,
) -> int:
    """A coordinator from the settings or the CLI: active at once, not heard from yet."""
    return await db.insert(
        "INSERT INTO contacts (role, telegram_user_id, language, status, created_at, added_how) "
        "VALUES ('coordinator', ?, ?, 'active', ?, ?)",
        (telegram_user_id, language, to_db(now), added_how),
    )


async def insert_invited(
    db: Executor, *, label: str | None, added_by: int | None, now: datetime
) -> int:
    """A coordinator to be: bound to an account when its invitation is used."""
    return await db.insert(
        "INSERT INTO contacts (role, label, status, created_at, added_how, added_by) "
        "VALUES ('coordinator', ?, 'invited', ?, 'invitation', ?)",
        (label, to_db(now), added_by),
    )


async def bind(
    db: Executor,
    contact_id: int,
    *,
    telegram_user_id: int,
    display_name: str,
    language: str,
    now: datetime,
) -> int:
    """An invited coordinator joins (0: no longer invited)."""
    return await db.execute(
        "UPDATE contacts SET telegram_user_id = ?, display_name = ?, language = ?, "
        "status = 'active', joined_at = ? "
        "WHERE id = ? AND role = 'coordinator' AND status = 'invited'",
        (telegram_user_id, display_name, language, to_db(now), contact_id),
    )


async def set_heard_from(
    db: Executor, contact_id: int, *, display_name: str, language: str, now: datetime
) -> int:
    """A coordinator's first update: their name and the language of their app (0: not the
    first)."""
    return await db.execute(
        "UPDATE contacts SET display_name = ?, language = ?, joined_at = ? "
        "WHERE id = ? AND role = 'coordinator' AND joined_at IS NULL",
        (display_name, language, to_db(now), contact_id),
    )


async def mark_removed(
    db: Executor, contact_id: int, how: CoordinatorRemoval, *, now: datetime
) -> int:
    return await db.execute(
        "UPDATE contacts SET status = 'removed', removed_at = ?, removed_how = ? "
        "WHERE id = ? AND role = 'coordinator' AND status != 'removed'",
        (to_db(now), how, contact_id),
    )
