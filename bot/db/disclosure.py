"""Reads for what signatories were shown (``bot.services.disclosure``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.connection import Executor
from bot.db.letters import Recipient
from bot.db.types import row_to


async def signer_recipients(db: Executor, letter_id: int) -> list[Recipient]:
    """Every live contact (active or unreachable) of every organisation whose current
    response to the letter is a signature, organisation by organisation."""
    rows = await db.fetch_all(
        "SELECT c.id AS contact_id, c.telegram_user_id, c.language, c.timezone, "
        "o.id AS organisation_id, o.name AS organisation_name, c.quiet_start, c.quiet_end "
        "FROM responses r JOIN organisations o ON o.id = r.organisation_id "
        "JOIN contacts c ON c.organisation_id = o.id "
        "WHERE r.letter_id = ? AND r.decision = 'signed' AND o.status = 'active' "
        "AND c.role = 'member' AND c.status IN ('active', 'unreachable') "
        "AND c.telegram_user_id IS NOT NULL ORDER BY o.id, c.id",
        (letter_id,),
    )
    return [row_to(Recipient, row) for row in rows]


@dataclass(frozen=True)
class SignedVersion:
    organisation_id: int
    version_number: int
    fingerprint: str


async def signed_versions(db: Executor, letter_id: int) -> list[SignedVersion]:
    """Each signature's version (organisations removed since included: the record)."""
    rows = await db.fetch_all(
        "SELECT r.organisation_id, v.number AS version_number, v.fingerprint "
        "FROM responses r JOIN versions v ON v.id = r.version_id "
        "WHERE r.letter_id = ? AND r.decision = 'signed' ORDER BY r.organisation_id",
        (letter_id,),
    )
    return [row_to(SignedVersion, row) for row in rows]


@dataclass(frozen=True)
class FirstShown:
    organisation_id: int
    version_number: int
    sent_at: datetime


async def first_shown(db: Executor, letter_id: int) -> list[FirstShown]:
    """When each organisation was first shown each version: the first message showing
    it (its summary or its text: circulation, a revision notice, Full text) that reached
    one of its contacts. Deliveries of a letter's version carry the key
    ``letter:<id>:v<n>:contact:<c>:<part>`` (``letter_queue``); notices (closing,
    reopening, a deadline) and reminders name a version without showing it."""
    prefix = f"letter:{int(letter_id)}:v"
    rows = await db.fetch_all(
        "SELECT c.organisation_id, "
        " CAST(substr(d.dedupe_key, length(:prefix) + 1, "
        "  instr(substr(d.dedupe_key, length(:prefix) + 1), ':') - 1) AS INTEGER) "
        "  AS version_number, "
        " min(d.sent_at) AS sent_at "
        "FROM deliveries d JOIN contacts c ON c.id = d.contact_id "
        "WHERE d.letter_id = :letter AND d.status = 'sent' AND d.sent_at IS NOT NULL "
        "AND c.role = 'member' AND d.dedupe_key LIKE :prefix || '%' "
        "AND d.kind IN ('summary', 'fulltext', 'file') "
        "GROUP BY c.organisation_id, version_number ORDER BY c.organisation_id, version_number",
        {"prefix": prefix, "letter": letter_id},
    )
    return [row_to(FirstShown, row) for row in rows]
