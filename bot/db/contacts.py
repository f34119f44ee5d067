"""Data access for contacts (members and coordinators)."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from bot.db.connection import Executor, Row, present
from bot.db.organisations import Organisation
from bot.db.timefmt import to_db
from bot.db.types import ContactRole, ContactStatus, Notify, row_to


@dataclass(frozen=True)
class Contact:
    id: int
    role: ContactRole
    organisation_id: int | None
    telegram_user_id: int | None
    display_name: str | None
    label: str | None
    language: str
    timezone: str | None
    quiet_start: str | None  # 'HH:MM' (see services.quiet_hours)
    quiet_end: str | None
    status: ContactStatus
    created_at: datetime
    joined_at: datetime | None
    removed_at: datetime | None
    signer_name: str | None = None  # the person signing for the organisation, remembered
    signer_title: str | None = None
    notify: Notify = Notify.DIGEST  # a coordinator: told of each response, or in the digest


@dataclass(frozen=True)
class ContactWithOrganisation:
    contact: Contact
    organisation_name: str | None


def _contact(row: Row) -> Contact:
    return row_to(Contact, row)


async def get(db: Executor, contact_id: int) -> Contact | None:
    row = await db.fetch_one("SELECT * FROM contacts WHERE id = ?", (contact_id,))
    return None if row is None else _contact(row)


async def existing(db: Executor, contact_id: int) -> Contact:
    """A contact known to exist (just inserted or changed in this transaction)."""
    return present(await get(db, contact_id), f"contact {contact_id}")


async def live_by_telegram_user(db: Executor, telegram_user_id: int) -> Contact | None:
    """The account's contact with access, if any (active or unreachable)."""
    row = await db.fetch_one(
        "SELECT * FROM contacts WHERE telegram_user_id = ? AND status IN ('active', 'unreachable')",
        (telegram_user_id,),
    )
    return None if row is None else _contact(row)


# The organisation's columns under names of their own (contacts have an ``id`` and a
# ``status`` too); ``Organisation``'s fields, all of them (``row_to`` needs each).
_ORGANISATION_FIELDS = ("id", "name", "name_key", "status", "created_at", "removed_at", "sort_key")
_LIVE_WITH_ORGANISATION = (
    "SELECT c.*, o.id AS org__id, o.name AS org__name, o.name_key AS org__name_key, "
    "o.status AS org__status, o.created_at AS org__created_at, "
    "o.removed_at AS org__removed_at, o.sort_key AS org__sort_key "
    "FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id "
    "AND o.status = 'active' "
    "WHERE c.telegram_user_id = ? AND c.status IN ('active', 'unreachable')"
)


async def live_with_organisation(
    db: Executor, telegram_user_id: int
) -> tuple[Contact, Organisation | None] | None:
    """``live_by_telegram_user`` and the contact's organisation if it is active, read in
    one query: the gate asks this of every update."""
    row = await db.fetch_one(_LIVE_WITH_ORGANISATION, (telegram_user_id,))
    if row is None:
        return None
    organisation = None
    if row["org__id"] is not None:  # the contact's organisation, and it is active
        fields = {name: row[f"org__{name}"] for name in _ORGANISATION_FIELDS}
        organisation = row_to(Organisation, fields)
    return _contact(row), organisation


async def insert_invited_member(
    db: Executor, *, organisation_id: int, label: str | None, now: datetime
) -> int:
    return await db.insert(
        "INSERT INTO contacts (role, organisation_id, label, status, created_at) "
        "VALUES ('member', ?, ?, 'invited', ?)",
        (organisation_id, label, to_db(now)),
    )


async def insert_coordinator(
    db: Executor, *, telegram_user_id: int, display_name: str, language: str, now: datetime
) -> int:
    return await db.insert(
        "INSERT INTO contacts (role, telegram_user_id, display_name, language, status, "
        "created_at, joined_at) VALUES ('coordinator', ?, ?, ?, 'active', ?, ?)",
        (telegram_user_id, display_name, language, to_db(now), to_db(now)),
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
    return await db.execute(
        "UPDATE contacts SET telegram_user_id = ?, display_name = ?, language = ?, "
        "status = 'active', joined_at = ? WHERE id = ? AND status = 'invited'",
        (telegram_user_id, display_name, language, to_db(now), contact_id),
    )


async def set_status(db: Executor, contact_id: int, status: ContactStatus, *, now: datetime) -> int:
    removed_at = to_db(now) if status == ContactStatus.REMOVED else None
    return await db.execute(
        "UPDATE contacts SET status = ?, removed_at = coalesce(?, removed_at) "
        "WHERE id = ? AND status != 'removed'",
        (status, removed_at, contact_id),
    )


async def not_removed_of_organisation(db: Executor, organisation_id: int) -> list[int]:
    """Ids of the organisation's contacts that have not been removed (any other state)."""
    rows = await db.fetch_all(
        "SELECT id FROM contacts WHERE organisation_id = ? AND status != 'removed' ORDER BY id",
        (organisation_id,),
    )
    return [int(row["id"]) for row in rows]


async def remove_all_of_organisation(db: Executor, organisation_id: int, *, now: datetime) -> int:
    return await db.execute(
        "UPDATE contacts SET status = 'removed', removed_at = ? "
        "WHERE organisation_id = ? AND status != 'removed'",
        (to_db(now), organisation_id),
    )


async def of_active_organisations(db: Executor) -> list[Contact]:
    """Every contact (in any state) of every active organisation."""
    rows = await db.fetch_all(
        "SELECT c.* FROM contacts c JOIN organisations o ON o.id = c.organisation_id "
        "WHERE o.status = 'active' ORDER BY c.organisation_id, c.id"
    )
    return [_contact(row) for row in rows]


async def live_members(db: Executor) -> list[ContactWithOrganisation]:
    rows = await db.fetch_all(
        "SELECT c.*, o.name AS organisation_name FROM contacts c "
        "JOIN organisations o ON o.id = c.organisation_id "
        "WHERE c.role = 'member' AND c.status IN ('active', 'unreachable') "
        "ORDER BY o.name_key, c.id"
    )
    result = []
    for row in rows:
        name = row.pop("organisation_name")
        result.append(ContactWithOrganisation(_contact(row), name))
    return result


async def live_member_with_organisation(
    db: Executor, contact_id: int
) -> ContactWithOrganisation | None:
    row = await db.fetch_one(
        "SELECT c.*, o.name AS organisation_name FROM contacts c "
        "JOIN organisations o ON o.id = c.organisation_id "
        "WHERE c.id = ? AND c.role = 'member' AND c.status IN ('active', 'unreachable')",
        (contact_id,),
    )
    if row is None:
        return None
    name = row.pop("organisation_name")
    return ContactWithOrganisation(_contact(row), name)


async def coordinator_by_telegram_user(db: Executor, telegram_user_id: int) -> Contact | None:
    row = await db.fetch_one(
        "SELECT * FROM contacts WHERE role = 'coordinator' AND telegram_user_id = ? "
        "AND status != 'removed'",
        (telegram_user_id,),
    )
    return None if row is None else _contact(row)


async def active_of_organisation(db: Executor, organisation_id: int) -> list[Contact]:
    rows = await db.fetch_all(
        "SELECT * FROM contacts WHERE organisation_id = ? AND status = 'active' ORDER BY id",
        (organisation_id,),
    )
    return [_contact(row) for row in rows]


async def set_reachability(db: Executor, contact_id: int, *, reachable: bool) -> int:
    """unreachable ↔ active; a removed or invited contact is left alone."""
    old, new = ("unreachable", "active") if reachable else ("active", "unreachable")
    return await db.execute(
        "UPDATE contacts SET status = ? WHERE id = ? AND status = ?", (new, contact_id, old)
    )


async def set_language(db: Executor, contact_id: int, language: str) -> int:
    return await db.execute(
        "UPDATE contacts SET language = ? WHERE id = ? AND language != ?",
        (language, contact_id, language),
    )


async def languages_of(db: Executor, telegram_user_ids: Collection[int]) -> dict[int, str]:
    """The language of each of these accounts that has a live contact (members or coordinators)."""
    ids = sorted(set(telegram_user_ids))
    if not ids:
        return {}
    rows = await db.fetch_all(
        "SELECT telegram_user_id, language FROM contacts "
        "WHERE telegram_user_id IN (SELECT value FROM json_each(?)) "
        "AND status IN ('active', 'unreachable')",
        (json.dumps(ids),),
    )
    return {int(row["telegram_user_id"]): str(row["language"]) for row in rows}


async def set_timezone(db: Executor, contact_id: int, timezone: str | None) -> int:
    return await db.execute("UPDATE contacts SET timezone = ? WHERE id = ?", (timezone, contact_id))


async def set_quiet_hours(db: Executor, contact_id: int, start: str | None, end: str | None) -> int:
    return await db.execute(
        "UPDATE contacts SET quiet_start = ?, quiet_end = ? WHERE id = ?",
        (start, end, contact_id),
    )


async def live_of_organisation(db: Executor, organisation_id: int) -> list[Contact]:
    """The organisation's contacts with access (active or unreachable), oldest first."""
    rows = await db.fetch_all(
        "SELECT * FROM contacts WHERE organisation_id = ? AND role = 'member' "
        "AND status IN ('active', 'unreachable') AND telegram_user_id IS NOT NULL ORDER BY id",
        (organisation_id,),
    )
    return [_contact(row) for row in rows]


async def set_signer(db: Executor, contact_id: int, name: str | None, title: str | None) -> int:
    return await db.execute(
        "UPDATE contacts SET signer_name = ?, signer_title = ? WHERE id = ?",
        (name, title, contact_id),
    )


async def set_notify(db: Executor, contact_id: int, notify: Notify) -> int:
    return await db.execute(
        "UPDATE contacts SET notify = ? WHERE id = ? AND role = 'coordinator' AND notify != ?",
        (notify, contact_id, notify),
    )


async def coordinators_notified(
    db: Executor, telegram_user_ids: Collection[int], notify: Notify
) -> list[int]:
    """Those of these accounts whose live coordinator contact chose ``notify``."""
    ids = sorted(set(telegram_user_ids))
    if not ids:
        return []
    rows = await db.fetch_all(
        "SELECT telegram_user_id FROM contacts WHERE role = 'coordinator' AND notify = ? "
        "AND status IN ('active', 'unreachable') "
        "AND telegram_user_id IN (SELECT value FROM json_each(?)) ORDER BY telegram_user_id",
        (notify, json.dumps(ids)),
    )
    return [int(row["telegram_user_id"]) for row in rows]
