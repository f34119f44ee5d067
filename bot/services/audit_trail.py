"""The audit trail of one letter, as a CSV file for coordinators (``/audit``).

The file lists every event recorded for the letter with its hashes, so it can
be checked against ``coalition-bot audit verify`` later. Handing it out is a
state change of its own and is audited first, so the file ends with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db import audit
from bot.db.connection import Database
from bot.services import lifecycle
from bot.services.export import spreadsheet_csv

AUDIT_CSV_HEADER: tuple[str, ...] = (
    "event",
    "at_utc",
    "actor",
    "action",
    "organisation",
    "contact",
    "data",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class Trail:
    letter_id: int
    events: int
    file_name: str
    content: bytes


def _cell(value: object) -> str:
    return "" if value is None else str(value)


async def letter_trail(db: Database, letter_id: int, *, actor: str, now: datetime) -> Trail:
    """Records the hand-out, then renders the letter's events (that one included)."""
    async with db.transaction() as tx:
        await lifecycle.known_letter(tx, letter_id)
        recorded = await audit.events(tx, letter_id=letter_id)
        await audit.append(
            tx, now=now, actor=actor, action="audit.exported", letter_id=letter_id,
            data={"events": len(recorded)},
        )  # fmt: skip
        events = await audit.events(tx, letter_id=letter_id)
    rows = (
        [
            str(event.id),
            event.at,
            event.actor,
            event.action,
            _cell(event.organisation_id),
            _cell(event.contact_id),
            event.data,
            event.prev_hash,
            event.hash,
        ]
        for event in events
    )
    content = spreadsheet_csv(AUDIT_CSV_HEADER, rows)
    return Trail(letter_id, len(events), f"letter-{int(letter_id)}-audit.csv", content)
