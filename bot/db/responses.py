"""Data access for responses (one current per organisation and letter) and comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db import audit
from bot.db.connection import Executor, Row, present
from bot.db.timefmt import to_db
from bot.db.types import Channel, ContactRole, Decision, Listing, row_to


@dataclass(frozen=True)
class Response:
    id: int
    letter_id: int
    organisation_id: int
    decision: Decision
    version_id: int | None  # the version signed (signed only)
    listing: Listing | None  # signed only
    reason: str | None  # declined only, if given
    contact_id: int | None  # the member who answered; None for a recorded response
    created_at: datetime
    updated_at: datetime
    signer_name: str | None = None  # the person signing, as it was then (None after a purge)
    signer_title: str | None = None
    recorded_by: int | None = None  # the coordinator contact who recorded it (not in the bot)
    channel: Channel | None = None  # the road it came by
    note: str | None = None  # the coordinator's note (None after a purge)


@dataclass(frozen=True)
class Comment:
    id: int
    letter_id: int
    version_id: int
    organisation_id: int | None
    contact_id: int | None
    parent_id: int | None
    author_role: ContactRole
    body: str | None  # None once purged
    created_at: datetime


@dataclass(frozen=True)
class OrganisationRow:
    """One organisation of a letter with its current response, for status and export."""

    organisation_id: int
    organisation_name: str
    decision: Decision | None  # None: no answer
    version_id: int | None
    version_number: int | None
    fingerprint: str | None
    listing: Listing | None
    reason: str | None
    contact_name: str | None
    updated_at: datetime | None
    last_comment_at: datetime | None
    active_contacts: int
    unreachable_contacts: int
    # A signature's first minor version after it that nobody of the organisation could
    # be shown (no contact had access when it was made); None: none such.
    unshown_minor: int | None = None
    sort_key: str | None = None
    signer_name: str | None = None
    signer_title: str | None = None
    recorded_by: int | None = None
    recorded_by_name: str | None = None  # the coordinator's display name
    channel: Channel | None = None
    note: str | None = None


def _response(row: Row) -> Response:
    return row_to(Response, row)


async def get(db: Executor, letter_id: int, organisation_id: int) -> Response | None:
    row = await db.fetch_one(
        "SELECT * FROM responses WHERE letter_id = ? AND organisation_id = ?",
        (letter_id, organisation_id),
    )
    return None if row is None else _response(row)


async def existing(db: Executor, letter_id: int, organisation_id: int) -> Response:
    """The organisation's response, known to exist (just recorded in this transaction)."""
    response = await get(db, letter_id, organisation_id)
    return present(response, f"the response of organisation {organisation_id} to {letter_id}")


async def upsert(
    db: Executor,
    *,
    letter_id: int,
    organisation_id: int,
    decision: Decision,
    version_id: int | None,
    listing: Listing | None,
    reason: str | None,
    contact_id: int | None,
    now: datetime,
    signer_name: str | None = None,
    signer_title: str | None = None,
    recorded_by: int | None = None,
    channel: Channel | None = None,
    note: str | None = None,
) -> Response:
    """The organisation's current response, whole: an answer given in the bot (``contact_id``)
    replaces a recorded one (``recorded_by``, ``channel``, ``note``) and the other way round.
    Returns the row as stored (``RETURNING``: no second read)."""
    stamp = to_db(now)
    row = await db.fetch_one(
        "INSERT INTO responses (letter_id, organisation_id, decision, version_id, listing, "
        "reason, contact_id, signer_name, signer_title, recorded_by, channel, note, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (letter_id, organisation_id) DO UPDATE SET decision = excluded.decision, "
        "version_id = excluded.version_id, listing = excluded.listing, "
        "reason = excluded.reason, contact_id = excluded.contact_id, "
        "signer_name = excluded.signer_name, signer_title = excluded.signer_title, "
        "recorded_by = excluded.recorded_by, channel = excluded.channel, note = excluded.note, "
        "updated_at = excluded.updated_at RETURNING *",
        (
            letter_id,
            organisation_id,
            decision,
            version_id,
            listing,
            reason,
            contact_id,
            signer_name,
            signer_title,
            recorded_by,
            channel,
            note,
            stamp,
            stamp,
        ),
    )
    return _response(present(row, f"the response of organisation {organisation_id}"))


async def organisation_rows(db: Executor, letter_id: int) -> list[OrganisationRow]:
    rows = await db.fetch_all(
        "SELECT o.id AS organisation_id, o.name AS organisation_name, r.decision, r.version_id, "
        "v.number AS version_number, v.fingerprint, r.listing, r.reason, "
        "c.display_name AS contact_name, r.updated_at, o.sort_key, r.signer_name, "
        "r.signer_title, r.recorded_by, k.display_name AS recorded_by_name, r.channel, r.note, "
        "(SELECT max(created_at) FROM comments m WHERE m.letter_id = lo.letter_id "
        " AND m.organisation_id = o.id) AS last_comment_at, "
        "(SELECT count(*) FROM contacts a WHERE a.organisation_id = o.id "
        " AND a.status = 'active') AS active_contacts, "
        "(SELECT count(*) FROM contacts u WHERE u.organisation_id = o.id "
        " AND u.status = 'unreachable') AS unreachable_contacts, "
        "(SELECT min(m.number) FROM versions m WHERE m.letter_id = lo.letter_id "
        " AND r.decision = 'signed' AND m.material = 0 AND m.number > v.number "
        " AND NOT EXISTS (SELECT 1 FROM contacts s WHERE s.organisation_id = o.id "
        "  AND s.role = 'member' AND s.joined_at IS NOT NULL AND s.joined_at <= m.created_at "
        "  AND (s.removed_at IS NULL OR s.removed_at > m.created_at))) AS unshown_minor "
        "FROM letter_organisations lo JOIN organisations o ON o.id = lo.organisation_id "
        "LEFT JOIN responses r ON r.letter_id = lo.letter_id AND r.organisation_id = o.id "
        "LEFT JOIN versions v ON v.id = r.version_id "
        "LEFT JOIN contacts c ON c.id = r.contact_id "
        "LEFT JOIN contacts k ON k.id = r.recorded_by "
        "WHERE lo.letter_id = ? ORDER BY o.name_key",
        (letter_id,),
    )
    return [row_to(OrganisationRow, row) for row in rows]


async def insert_comment(
    db: Executor,
    *,
    letter_id: int,
    version_id: int,
    organisation_id: int | None,
    contact_id: int | None,
    parent_id: int | None,
    author_role: ContactRole,
    body: str,
    now: datetime,
) -> int:
    return await db.insert(
        "INSERT INTO comments (letter_id, version_id, organisation_id, contact_id, parent_id, "
        "author_role, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (letter_id, version_id, organisation_id, contact_id, parent_id, author_role, body,
         to_db(now)),
    )  # fmt: skip


async def get_comment(db: Executor, comment_id: int) -> Comment | None:
    row = await db.fetch_one("SELECT * FROM comments WHERE id = ?", (comment_id,))
    return None if row is None else row_to(Comment, row)


async def existing_comment(db: Executor, comment_id: int) -> Comment:
    """A comment known to exist (just inserted in this transaction)."""
    return present(await get_comment(db, comment_id), f"comment {comment_id}")


async def comments_of_letter(db: Executor, letter_id: int) -> list[Comment]:
    rows = await db.fetch_all(
        "SELECT * FROM comments WHERE letter_id = ? ORDER BY version_id, id", (letter_id,)
    )
    return [row_to(Comment, row) for row in rows]


@dataclass(frozen=True)
class ResponseChange:
    """One change of a response, as the audit log recorded it."""

    at: datetime
    action: str  # response.signed, response.declined, response.withdrawn (recorded ones too)
    organisation_id: int | None


async def response_events(db: Executor, letter_id: int) -> list[ResponseChange]:
    """Every response change of a letter, oldest first, from the audit log (the chart)."""
    rows = await db.fetch_all(
        f"SELECT at, {audit.RESPONSE_ACTION} AS decided, "  # noqa: S608 - constant
        "organisation_id FROM audit_events "
        "WHERE letter_id = ? AND action LIKE 'response.%' ORDER BY id",
        (letter_id,),
    )
    return [row_to(ResponseChange, {**row, "action": row["decided"]}) for row in rows]


async def organisation_has_responded(db: Executor, organisation_id: int) -> bool:
    """Whether the organisation signed, declined or withdrew on any letter."""
    row = await db.fetch_one(
        "SELECT 1 FROM responses WHERE organisation_id = ? LIMIT 1", (organisation_id,)
    )
    return row is not None


async def has_signatures(db: Executor, letter_id: int) -> bool:
    """Whether any organisation's current response to the letter is a signature."""
    row = await db.fetch_one(
        "SELECT 1 FROM responses WHERE letter_id = ? AND decision = 'signed' LIMIT 1",
        (letter_id,),
    )
    return row is not None
