"""The append-only, hash-chained audit log.

Each event's hash covers the previous event's hash and the event's canonical
JSON, so an edited, deleted or reordered row breaks the chain from there on.
Appending happens inside the caller's transaction, so the change and its
record land together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db.connection import Executor, Transaction
from bot.db.timefmt import to_db

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: str
    actor: str
    action: str
    letter_id: int | None
    organisation_id: int | None
    contact_id: int | None
    data: str
    prev_hash: str
    hash: str


def event_hash(
    prev_hash: str,
    *,
    at: str,
    actor: str,
    action: str,
    letter_id: int | None,
    organisation_id: int | None,
    contact_id: int | None,
    data: str,
) -> str:
    canonical = json.dumps(
        [at, actor, action, letter_id, organisation_id, contact_id, data],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


async def append(
    tx: Transaction,
    *,
    now: datetime,
    actor: str,
    action: str,
    letter_id: int | None = None,
    organisation_id: int | None = None,
    contact_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> str:
    """Append one event inside ``tx``; returns its hash. Instants in ``data`` are recorded
    as they are stored (``timefmt.to_db``)."""
    _, digest = await append_event(
        tx, now=now, actor=actor, action=action, letter_id=letter_id,
        organisation_id=organisation_id, contact_id=contact_id, data=data,
    )  # fmt: skip
    return digest


async def append_event(
    tx: Transaction,
    *,
    now: datetime,
    actor: str,
    action: str,
    letter_id: int | None = None,
    organisation_id: int | None = None,
    contact_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> tuple[int, str]:
    """``append``, returning the new event's id with its hash (its witness code)."""
    prev = await tx.fetch_value("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")
    prev_hash = prev or GENESIS
    at = to_db(now)
    payload = json.dumps(
        data or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_stored
    )
    digest = event_hash(
        prev_hash,
        at=at,
        actor=actor,
        action=action,
        letter_id=letter_id,
        organisation_id=organisation_id,
        contact_id=contact_id,
        data=payload,
    )
    event_id = await tx.insert(
        """INSERT INTO audit_events
               (at, actor, action, letter_id, organisation_id, contact_id, data, prev_hash, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (at, actor, action, letter_id, organisation_id, contact_id, payload, prev_hash, digest),
    )
    return event_id, digest


def _stored(value: object) -> str:
    if isinstance(value, datetime):
        return to_db(value)
    raise TypeError(f"{type(value).__name__} is not recorded in the audit log")


async def events(db: Executor, *, letter_id: int | None = None) -> list[AuditEvent]:
    if letter_id is None:
        rows = await db.fetch_all("SELECT * FROM audit_events ORDER BY id")
    else:
        rows = await db.fetch_all(
            "SELECT * FROM audit_events WHERE letter_id = ? ORDER BY id", (letter_id,)
        )
    return [AuditEvent(**row) for row in rows]


@dataclass(frozen=True)
class Verification:
    """The result of walking the chain: ``broken`` is None when every link holds."""

    count: int
    last_hash: str
    broken: AuditEvent | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken is None


async def verify(db: Executor) -> Verification:
    """Recomputes every hash in id order and names the first event that does not fit
    (``check_chain``)."""
    return check_chain(await events(db))


def check_chain(chain: Iterable[AuditEvent]) -> Verification:
    """Recomputes every hash of ``chain`` (events in id order) and names the first event
    that does not fit.

    An edited event no longer matches its own hash; a deleted, inserted or
    reordered one no longer points at the hash of the event before it; ids run 1, 2, 3…
    (they are not hashed, so a renumbered event is caught by its id). Cutting
    events off the end leaves a shorter valid chain: a witness code of a later event
    (``bot.services.witnesses``) shows that.
    """
    expected_prev = GENESIS
    count = previous_id = 0
    for event in chain:
        if event.prev_hash != expected_prev:
            why = (
                "it does not start the chain (events before it were removed)"
                if count == 0
                else f"it does not follow the event before it (#{previous_id}): events "
                "were removed, inserted or reordered here"
            )
            return Verification(count, expected_prev, event, why)
        if event.id != count + 1:
            # Ids are not hashed, but SQLite numbers appended rows 1, 2, 3… and nothing
            # deletes them: another number means the events were renumbered.
            why = f"it should be event #{count + 1}: events were renumbered"
            return Verification(count, expected_prev, event, why)
        recomputed = event_hash(
            event.prev_hash,
            at=event.at,
            actor=event.actor,
            action=event.action,
            letter_id=event.letter_id,
            organisation_id=event.organisation_id,
            contact_id=event.contact_id,
            data=event.data,
        )
        if recomputed != event.hash:
            return Verification(
                count, expected_prev, event, "its content does not match its hash (edited)"
            )
        expected_prev = event.hash
        previous_id = event.id
        count += 1
    return Verification(count, expected_prev)


async def last_event_id(db: Executor) -> int:
    return int(await db.fetch_value("SELECT coalesce(max(id), 0) FROM audit_events"))


# A response's action as the decision it records: a coordinator's ``response.recorded`` of a
# signature counts as ``response.signed`` (its decision is in its data).
RESPONSE_ACTION = (
    "CASE WHEN action = 'response.recorded' THEN 'response.' || json_extract(data, '$.decision') "
    "ELSE action END"
)


async def responses_and_comments_after(
    db: Executor, *, after_id: int, up_to_id: int
) -> list[tuple[int, str, int]]:
    """(letter id, action, count) of responses and comments among events
    ``(after_id, up_to_id]`` (ids, not times: two events can share a second)."""
    rows = await db.fetch_all(
        # Responses by organisation (a re-signature after a revision is not a new one);
        # comments one by one.
        f"SELECT letter_id, {RESPONSE_ACTION} AS decided, "  # noqa: S608 - constant
        "CASE WHEN action = 'comment.added' THEN count(*) "
        "ELSE count(DISTINCT organisation_id) END AS n FROM audit_events "
        "WHERE (action LIKE 'response.%' OR action = 'comment.added') "
        "AND id > ? AND id <= ? AND letter_id IS NOT NULL "
        "GROUP BY letter_id, decided ORDER BY letter_id, decided",
        (after_id, up_to_id),
    )
    return [(row["letter_id"], row["decided"], row["n"]) for row in rows]


# --- witness codes (bot.services.witnesses) ---------------------------------------------------


async def last_event(db: Executor) -> AuditEvent | None:
    """The chain's head: the newest event (inside a transaction, the one just appended)."""
    row = await db.fetch_one("SELECT * FROM audit_events ORDER BY id DESC LIMIT 1")
    return None if row is None else AuditEvent(**row)


async def last_response_event(
    db: Executor, letter_id: int, organisation_id: int
) -> AuditEvent | None:
    """The event of an organisation's current response to a letter (what its receipt is of)."""
    row = await db.fetch_one(
        "SELECT * FROM audit_events WHERE letter_id = ? AND organisation_id = ? "
        "AND action LIKE 'response.%' ORDER BY id DESC LIMIT 1",
        (letter_id, organisation_id),
    )
    return None if row is None else AuditEvent(**row)
