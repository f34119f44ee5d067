"""Reads for the record check (``bot.services.replay``): the audit chain and the tables it
speaks about, in one transaction, so that both are the same moment of the database.

The SQL is this module's own: the repositories shape rows for the bot's work, while the
check needs exactly the columns the audit log vouches for, as stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.db import audit
from bot.db.audit import AuditEvent
from bot.db.connection import Database


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    id: int
    name: str
    status: str  # active, removed
    sort_key: str | None = None


@dataclass(frozen=True, slots=True)
class ListedNameRow:
    organisation_id: int
    language: str
    name: str


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
    signer: bool = False  # the person signing is stored (their name is not read)
    recorded_by: int | None = None  # the coordinator contact who recorded it
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class TranslationRow:
    letter_id: int
    version_number: int
    language: str
    fingerprint: str
    body: str | None  # None after a purge


@dataclass(frozen=True, slots=True)
class PublicationRow:
    letter_id: int
    number: int
    version_number: int | None  # the version published (None: not one of this letter's)


@dataclass(frozen=True, slots=True)
class PublishedRow:
    """One organisation of a published list, as the table holds it."""

    letter_id: int
    number: int
    organisation_id: int
    listing: str
    version_number: int | None  # the version it signed (None: not one of this letter's)
    names: tuple[str, str, str, str]  # primary, en, ru, be
    sort_key: str | None
    signer: bool
    recorded_by: int | None
    channel: str | None


@dataclass(frozen=True, slots=True)
class CoordinatorRow:
    """A coordinator contact: which Telegram account, whether it has access."""

    id: int
    telegram_user_id: int | None
    status: str  # invited, active, unreachable, removed


@dataclass(frozen=True, slots=True)
class ApprovalRow:
    id: int
    kind: str
    status: str  # pending, approved, rejected, expired, cancelled, failed


@dataclass(frozen=True, slots=True)
class RenameRow:
    id: int
    organisation_id: int
    old_name: str
    new_name: str
    status: str  # pending, confirmed, kept, cancelled
    language: str | None = None  # a listed name's (issue 17); None: the primary name


@dataclass(frozen=True)
class Snapshot:
    events: list[AuditEvent]
    organisations: list[OrganisationRow]
    contacts: list[ContactRow]
    letters: list[LetterRow]
    recipients: list[tuple[int, int]]  # (letter, organisation) it was circulated to
    versions: list[VersionRow]
    responses: list[ResponseRow]
    coordinators: list[CoordinatorRow] = field(default_factory=list)
    approvals: list[ApprovalRow] = field(default_factory=list)
    renames: list[RenameRow] = field(default_factory=list)
    approval_rule: str | None = None  # bot_state 'approval_rule' (None: never set)
    listed_names: list[ListedNameRow] = field(default_factory=list)
    translations: list[TranslationRow] = field(default_factory=list)
    publications: list[PublicationRow] = field(default_factory=list)
    published: list[PublishedRow] = field(default_factory=list)


async def read_snapshot(db: Database) -> Snapshot:
    """Everything the check compares, read in one transaction (a running bot waits the
    moment it takes; the comparison itself happens afterwards, outside it)."""
    async with db.transaction() as tx:
        events = await audit.events(tx)
        organisations = [
            OrganisationRow(**row)
            for row in await tx.fetch_all("SELECT id, name, status, sort_key FROM organisations")
        ]
        listed_names = [
            ListedNameRow(**row)
            for row in await tx.fetch_all(
                "SELECT organisation_id, language, name FROM organisation_names"
            )
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
            ResponseRow(**{**row, "reason": bool(row["reason"]), "signer": bool(row["signer"])})
            for row in await tx.fetch_all(
                "SELECT r.letter_id, r.organisation_id, r.decision, r.listing, "
                "v.letter_id AS version_letter_id, v.number AS version_number, v.fingerprint, "
                "r.contact_id, r.reason IS NOT NULL AS reason, "
                "r.signer_name IS NOT NULL AS signer, r.recorded_by, r.channel "
                "FROM responses r LEFT JOIN versions v ON v.id = r.version_id"
            )
        ]
        coordinators = [
            CoordinatorRow(**row)
            for row in await tx.fetch_all(
                "SELECT id, telegram_user_id, status FROM contacts WHERE role = 'coordinator'"
            )
        ]
        # A database from before migration 0012 (an old backup) has no such tables.
        issue16 = await tx.fetch_value(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
            "AND name IN ('approvals', 'organisation_renames')"
        )
        approvals, renames = [], []
        if issue16 == 2:
            approvals = [
                ApprovalRow(**row)
                for row in await tx.fetch_all("SELECT id, kind, status FROM approvals")
            ]
            renames = [
                RenameRow(**row)
                for row in await tx.fetch_all(
                    "SELECT id, organisation_id, old_name, new_name, status, language "
                    "FROM organisation_renames"
                )
            ]
        rule = await tx.fetch_value("SELECT value FROM bot_state WHERE key = 'approval_rule'")
        translations = [
            TranslationRow(**row)
            for row in await tx.fetch_all(
                "SELECT v.letter_id, v.number AS version_number, t.language, t.fingerprint, "
                "t.body FROM translations t JOIN versions v ON v.id = t.version_id"
            )
        ]
        publications = [
            PublicationRow(**row)
            for row in await tx.fetch_all(
                "SELECT p.letter_id, p.number, "
                "CASE WHEN v.letter_id = p.letter_id THEN v.number END AS version_number "
                "FROM publications p LEFT JOIN versions v ON v.id = p.version_id"
            )
        ]
        published = [
            PublishedRow(
                row["letter_id"],
                row["number"],
                row["organisation_id"],
                row["listing"],
                row["version_number"],
                (row["name"], row["name_en"], row["name_ru"], row["name_be"]),
                row["sort_key"],
                bool(row["signer"]),
                row["recorded_by"],
                row["channel"],
            )
            for row in await tx.fetch_all(
                "SELECT p.letter_id, p.number, s.organisation_id, s.listing, "
                "CASE WHEN v.letter_id = p.letter_id THEN v.number END AS version_number, "
                "s.name, s.name_en, s.name_ru, s.name_be, s.sort_key, "
                "s.signer_name IS NOT NULL AS signer, s.recorded_by, s.channel "
                "FROM publication_signatories s JOIN publications p ON p.id = s.publication_id "
                "LEFT JOIN versions v ON v.id = s.version_id"
            )
        ]
    return Snapshot(
        events, organisations, contacts, letters, recipients, versions, responses,
        coordinators=coordinators, approvals=approvals, renames=renames,
        approval_rule=None if rule is None else str(rule), listed_names=listed_names,
        translations=translations, publications=publications, published=published,
    )  # fmt: skip
