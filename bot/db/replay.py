"""Reads for the record check (``bot.services.replay``): the audit chain and the tables it
speaks about, in one transaction, so that both are the same moment of the database.

The SQL is this module's own: the repositories shape rows for the bot's work, while the
check needs exactly the columns the audit log vouches for, as stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import audit
from bot.db.audit import AuditEvent
from bot.db.connection import Database


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    id: int
    name: str
    status: str  # active, removed


@dataclass(frozen=True, slots=True)
class ContactRow:
    """A member contact: which organisation, which Telegram account, whether it has access."""

    id: int
    organisation_id: int | None
    telegram_user_id: int | None
    status: str  # invited, active, unreachable, removed


@dataclass(frozen=True, slots=True)
class LetterRow:
    id: int
    status: str  # draft, open, closed
    deadline: str
    purged: bool


@dataclass(frozen=True, slots=True)
class VersionRow:
    letter_id: int
    number: int
    fingerprint: str
    material: bool
    body: str | None  # None after a purge


@dataclass(frozen=True, slots=True)
class ResponseRow:
    letter_id: int
    organisation_id: int
    decision: str
    listing: str | None
    version_letter_id: int | None  # the letter of the version it names (its own, unless forged)
    version_number: int | None
    fingerprint: str | None
    contact_id: int | None
    reason: bool  # a decline reason is stored (its text is not read)


@dataclass(frozen=True)
class Snapshot:
    events: list[AuditEvent]
    organisations: list[OrganisationRow]
    contacts: list[ContactRow]
    letters: list[LetterRow]
    recipients: list[tuple[int, int]]  # (letter, organisation) it was circulated to
    versions: list[VersionRow]
    responses: list[ResponseRow]


async def read_snapshot(db: Database) -> Snapshot:
    """Everything the check compares, read in one transaction (a running bot waits the
    moment it takes; the comparison itself happens afterwards, outside it)."""
    async with db.transaction() as tx:
        events = await audit.events(tx)
        organisations = [
            OrganisationRow(**row)
            for row in await tx.fetch_all("SELECT id, name, status FROM organisations")
        ]
        contacts = [
            ContactRow(**row)
            for row in await tx.fetch_all(
                "SELECT id, organisation_id, telegram_user_id, status FROM contacts "
                "WHERE role = 'member'"
            )
        ]
        letters = [
            LetterRow(row["id"], row["status"], row["deadline"], row["purged_at"] is not None)
            for row in await tx.fetch_all("SELECT id, status, deadline, purged_at FROM letters")
        ]
        recipients = [
            (row["letter_id"], row["organisation_id"])
            for row in await tx.fetch_all(
                "SELECT letter_id, organisation_id FROM letter_organisations"
            )
        ]
        versions = [
            VersionRow(
                row["letter_id"],
                row["number"],
                row["fingerprint"],
                bool(row["material"]),
                row["body"],
            )
            for row in await tx.fetch_all(
                "SELECT letter_id, number, fingerprint, material, body FROM versions"
            )
        ]
        responses = [
            ResponseRow(**{**row, "reason": bool(row["reason"])})
            for row in await tx.fetch_all(
                "SELECT r.letter_id, r.organisation_id, r.decision, r.listing, "
                "v.letter_id AS version_letter_id, v.number AS version_number, v.fingerprint, "
                "r.contact_id, r.reason IS NOT NULL AS reason "
                "FROM responses r LEFT JOIN versions v ON v.id = r.version_id"
            )
        ]
    return Snapshot(events, organisations, contacts, letters, recipients, versions, responses)
