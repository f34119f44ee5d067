"""Data access for the outbox: ``broadcasts`` and ``deliveries``.

Status changes are guarded by the expected current status, so a change that lost a
race changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from bot.db.connection import Change, Executor, Row, changed, present
from bot.db.timefmt import from_db, to_db
from bot.db.types import ContactStatus, DeliveryReason, DeliveryStatus, row_to

QUEUED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


@dataclass(frozen=True)
class Broadcast:
    id: int
    letter_id: int | None
    kind: str
    requested_by: int | None
    progress_message_id: int | None
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class Delivery:
    id: int
    broadcast_id: int | None
    contact_id: int | None
    chat_id: int
    letter_id: int | None
    kind: str
    payload: str
    dedupe_key: str | None
    status: DeliveryStatus
    attempts: int
    not_before: datetime | None
    telegram_message_id: int | None
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    delete_after: datetime | None
    deleted_at: datetime | None
    reason: DeliveryReason | None
    delete_error: str | None


@dataclass(frozen=True)
class RecipientName:
    contact_id: int
    display_name: str | None
    label: str | None
    organisation_name: str | None


def _broadcast(row: Row) -> Broadcast:
    return row_to(Broadcast, row)


def _delivery(row: Row) -> Delivery:
    return row_to(Delivery, row)


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else to_db(moment)


# --- broadcasts -------------------------------------------------------------------------------


async def insert_broadcast(
    db: Executor, *, letter_id: int | None, kind: str, requested_by: int | None, now: datetime
) -> int:
    return await db.insert(
        "INSERT INTO broadcasts (letter_id, kind, requested_by, created_at) VALUES (?, ?, ?, ?)",
        (letter_id, kind, requested_by, to_db(now)),
    )


async def get_broadcast(db: Executor, broadcast_id: int) -> Broadcast | None:
    row = await db.fetch_one("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
    return None if row is None else _broadcast(row)


async def unfinished_broadcasts(db: Executor) -> list[Broadcast]:
    rows = await db.fetch_all("SELECT * FROM broadcasts WHERE finished_at IS NULL ORDER BY id")
    return [_broadcast(row) for row in rows]


async def set_progress_message(db: Executor, broadcast_id: int, message_id: int) -> int:
    return await db.execute(
        "UPDATE broadcasts SET progress_message_id = ? WHERE id = ?", (message_id, broadcast_id)
    )


async def mark_finished(db: Executor, broadcast_id: int, *, now: datetime) -> int:
    """1 for the one caller that finishes the broadcast, 0 for any later one."""
    return await db.execute(
        "UPDATE broadcasts SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
        (to_db(now), broadcast_id),
    )


@dataclass(frozen=True)
class StatusCount:
    status: DeliveryStatus
    reason: DeliveryReason | None
    n: int


async def status_counts(db: Executor, broadcast_id: int) -> list[StatusCount]:
    """Deliveries of a broadcast by status and reason."""
    rows = await db.fetch_all(
        "SELECT status, reason, count(*) AS n FROM deliveries WHERE broadcast_id = ? "
        "GROUP BY status, reason",
        (broadcast_id,),
    )
    return [row_to(StatusCount, row) for row in rows]


async def has_queued(db: Executor, broadcast_id: int) -> bool:
    row = await db.fetch_one(
        "SELECT 1 AS queued FROM deliveries WHERE broadcast_id = ? AND status IN (?, ?) LIMIT 1",
        (broadcast_id, *QUEUED),
    )
    return row is not None


# Which deliveries' contacts a report or /status names (constant clauses, one parameter).
_RECIPIENTS_OF = {
    "unreachable": "d.broadcast_id = ? AND d.reason = 'unreachable'",
    "uncertain": "d.broadcast_id = ? AND d.status = 'uncertain'",
    "letter_uncertain": "d.letter_id = ? AND d.status = 'uncertain' AND c.status != 'removed'",
}


async def _recipients(db: Executor, which: str, ref: int) -> list[RecipientName]:
    """The contacts of the deliveries ``which`` selects, by organisation name."""
    rows = await db.fetch_all(
        "SELECT DISTINCT c.id AS contact_id, c.display_name, c.label, "  # noqa: S608 - constant
        "o.name AS organisation_name, o.name_key "
        "FROM deliveries d JOIN contacts c ON c.id = d.contact_id "
        "LEFT JOIN organisations o ON o.id = c.organisation_id "
        f"WHERE {_RECIPIENTS_OF[which]} ORDER BY o.name_key, c.id",
        (ref,),
    )
    for row in rows:
        del row["name_key"]
    return [row_to(RecipientName, row) for row in rows]


async def unreachable_recipients(db: Executor, broadcast_id: int) -> list[RecipientName]:
    return await _recipients(db, "unreachable", broadcast_id)


async def uncertain_recipients(db: Executor, broadcast_id: int) -> list[RecipientName]:
    return await _recipients(db, "uncertain", broadcast_id)


async def uncertain_recipients_of_letter(db: Executor, letter_id: int) -> list[RecipientName]:
    """Those still with the bot: a removed contact's messages are not sent again."""
    return await _recipients(db, "letter_uncertain", letter_id)


@dataclass(frozen=True)
class Uncertain:
    id: int
    created_at: datetime
    delete_after: datetime | None


async def uncertain_ids(
    db: Executor, *, broadcast_id: int | None = None, letter_id: int | None = None
) -> list[Uncertain]:
    """The uncertain deliveries of a broadcast, or of a letter's deliveries to contacts;
    not those of removed contacts (they would only be cancelled when their turn came)."""
    rows = await db.fetch_all(
        "SELECT d.id, d.created_at, d.delete_after FROM deliveries d "
        "LEFT JOIN contacts c ON c.id = d.contact_id WHERE d.status = 'uncertain' "
        "AND (c.id IS NULL OR c.status != 'removed') "
        "AND (d.broadcast_id = ? OR (? IS NULL AND d.letter_id = ? AND d.contact_id IS NOT NULL)) "
        "ORDER BY d.id",
        (broadcast_id, broadcast_id, letter_id),
    )
    return [row_to(Uncertain, row) for row in rows]


async def first_error(db: Executor, broadcast_id: int, reason: DeliveryReason) -> str | None:
    error = await db.fetch_value(
        "SELECT error FROM deliveries WHERE broadcast_id = ? AND reason = ? ORDER BY id LIMIT 1",
        (broadcast_id, reason),
    )
    return None if error is None else str(error)


# --- queueing ---------------------------------------------------------------------------------


async def insert_delivery(
    db: Executor,
    *,
    broadcast_id: int | None,
    contact_id: int | None,
    chat_id: int,
    letter_id: int | None,
    kind: str,
    payload: str,
    dedupe_key: str,
    now: datetime,
    delete_after: datetime | None,
) -> bool:
    """False when a delivery with this dedupe key exists already (nothing changes).

    Except when that earlier delivery failed only because the contact could not be
    reached (blocked the bot) or Telegram could not be reached for hours: then it is
    queued again, as new. A message Telegram refused, or one that may have arrived
    (``uncertain``), is never queued again.
    """
    inserted = await db.execute(
        "INSERT INTO deliveries (broadcast_id, contact_id, chat_id, letter_id, kind, payload, "
        "dedupe_key, created_at, delete_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (dedupe_key) DO UPDATE SET broadcast_id = excluded.broadcast_id, "
        "payload = excluded.payload, created_at = excluded.created_at, "
        "delete_after = excluded.delete_after, status = 'pending', attempts = 0, "
        "not_before = NULL, reason = NULL, error = NULL, telegram_message_id = NULL, "
        "sent_at = NULL, deleted_at = NULL, delete_error = NULL "
        "WHERE deliveries.status IN ('failed', 'cancelled') "
        "AND deliveries.reason IN ('unreachable', 'network')",
        (broadcast_id, contact_id, chat_id, letter_id, kind, payload, dedupe_key, to_db(now),
         _stamp(delete_after)),
    )  # fmt: skip
    if inserted == 1:
        changed(db, Change.OUTBOX)
    return inserted == 1


async def referring_to(db: Executor, digest: str) -> list[tuple[int, str]]:
    """(id, payload) of the deliveries whose payload holds the stored file ``digest``."""
    rows = await db.fetch_all(
        "SELECT id, payload FROM deliveries WHERE instr(payload, ?) > 0", (digest,)
    )
    return [(row["id"], row["payload"]) for row in rows]


async def set_payload(db: Executor, delivery_id: int, payload: str) -> int:
    return await db.execute(
        "UPDATE deliveries SET payload = ? WHERE id = ?", (payload, delivery_id)
    )


async def get_delivery(db: Executor, delivery_id: int) -> Delivery | None:
    row = await db.fetch_one("SELECT * FROM deliveries WHERE id = ?", (delivery_id,))
    return None if row is None else _delivery(row)


async def due_chats(db: Executor, *, now: datetime, limit: int) -> list[int]:
    """Chats whose first queued delivery is pending and due, oldest first.

    A chat whose first delivery waits for its back-off is not due even if later
    ones are: messages to one chat go out in order.
    """
    rows = await db.fetch_all(
        "SELECT d.chat_id FROM deliveries d "
        "WHERE d.status = 'pending' AND (d.not_before IS NULL OR d.not_before <= ?) "
        "AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.chat_id = d.chat_id "
        "    AND e.status IN ('pending', 'sending') AND e.id < d.id) "
        "ORDER BY d.id LIMIT ?",
        (to_db(now), limit),
    )
    return [int(row["chat_id"]) for row in rows]


async def next_not_before(db: Executor) -> datetime | None:
    """When the earliest backed-off delivery becomes due (None: nothing waits)."""
    return from_db(
        await db.fetch_value(
            "SELECT min(not_before) FROM deliveries "
            "WHERE status = 'pending' AND not_before IS NOT NULL"
        )
    )


async def first_queued_of_chat(db: Executor, chat_id: int) -> Delivery | None:
    row = await db.fetch_one(
        "SELECT * FROM deliveries WHERE chat_id = ? AND status IN (?, ?) ORDER BY id LIMIT 1",
        (chat_id, *QUEUED),
    )
    return None if row is None else _delivery(row)


# --- state changes ----------------------------------------------------------------------------


async def claim(db: Executor, delivery_id: int) -> int:
    """pending → sending; the attempt counts from here."""
    return await db.execute(
        "UPDATE deliveries SET status = 'sending', attempts = attempts + 1 "
        "WHERE id = ? AND status = 'pending'",
        (delivery_id,),
    )


async def mark_sent(
    db: Executor, delivery_id: int, *, message_id: int | None, now: datetime
) -> int:
    # A message that was on the wire while its contact was removed is deleted at once too.
    return await db.execute(
        "UPDATE deliveries SET status = 'sent', telegram_message_id = ?, sent_at = ?, "
        "error = NULL, reason = NULL, not_before = NULL, delete_after = CASE WHEN "
        "(SELECT c.status FROM contacts c WHERE c.id = deliveries.contact_id) = 'removed' THEN ? "
        "ELSE delete_after END WHERE id = ? AND status = 'sending'",
        (message_id, to_db(now), to_db(now), delivery_id),
    )


async def release(
    db: Executor,
    delivery_id: int,
    *,
    not_before: datetime | None,
    error: str | None,
    count_attempt: bool,
) -> int:
    """sending → pending again, to be retried at ``not_before`` (None: at once)."""
    return await db.execute(
        "UPDATE deliveries SET status = 'pending', not_before = ?, error = ?, "
        "attempts = attempts - ? WHERE id = ? AND status = 'sending'",
        (_stamp(not_before), error, 0 if count_attempt else 1, delivery_id),
    )


async def finish(
    db: Executor,
    delivery_id: int,
    *,
    status: DeliveryStatus,
    reason: DeliveryReason,
    error: str | None,
    current: DeliveryStatus,
) -> int:
    """Ends a delivery that was not (or maybe not) delivered."""
    return await db.execute(
        "UPDATE deliveries SET status = ?, reason = ?, error = ? WHERE id = ? AND status = ?",
        (status, reason, error, delivery_id, current),
    )


async def cancel_queued(
    db: Executor,
    *,
    broadcast_id: int | None,
    contact_id: int,
    reason: DeliveryReason,
) -> int:
    """Cancels a contact's pending deliveries of one broadcast (None: those of no broadcast)."""
    return await db.execute(
        "UPDATE deliveries SET status = 'cancelled', reason = ? "
        "WHERE contact_id = ? AND broadcast_id IS ? AND status = 'pending'",
        (reason, contact_id, broadcast_id),
    )


async def requeue_uncertain(
    db: Executor,
    delivery_id: int,
    *,
    broadcast_id: int,
    now: datetime,
    delete_after: datetime | None,
) -> int:
    """uncertain → pending again, in ``broadcast_id``: queued as new (a coordinator asked)."""
    requeued = await db.execute(
        "UPDATE deliveries SET broadcast_id = ?, status = 'pending', attempts = 0, "
        "not_before = NULL, reason = NULL, error = NULL, created_at = ?, delete_after = ? "
        "WHERE id = ? AND status = 'uncertain'",
        (broadcast_id, to_db(now), _stamp(delete_after), delivery_id),
    )
    if requeued:
        changed(db, Change.OUTBOX)
    return requeued


async def interrupt_sending(db: Executor, *, error: str) -> int:
    """At start-up: requests the last process died in may have arrived; never resend them."""
    return await db.execute(
        "UPDATE deliveries SET status = 'uncertain', reason = 'interrupted', error = ? "
        "WHERE status = 'sending'",
        (error,),
    )


async def contact_status(db: Executor, contact_id: int) -> ContactStatus | None:
    status = await db.fetch_value("SELECT status FROM contacts WHERE id = ?", (contact_id,))
    return None if status is None else ContactStatus(status)


async def mark_contact_unreachable(db: Executor, contact_id: int) -> int:
    """Only an active contact becomes unreachable (removed stays removed)."""
    return await db.execute(
        "UPDATE contacts SET status = 'unreachable' WHERE id = ? AND status = 'active'",
        (contact_id,),
    )


async def recipient_name(db: Executor, contact_id: int) -> RecipientName | None:
    row = await db.fetch_one(
        "SELECT c.id AS contact_id, c.display_name, c.label, o.name AS organisation_name "
        "FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id WHERE c.id = ?",
        (contact_id,),
    )
    return None if row is None else row_to(RecipientName, row)


# --- DRAFT_TTL --------------------------------------------------------------------------------


async def due_deletions(db: Executor, *, now: datetime, limit: int) -> list[Delivery]:
    rows = await db.fetch_all(
        "SELECT * FROM deliveries WHERE delete_after IS NOT NULL AND deleted_at IS NULL "
        "AND delete_after <= ? AND delete_error IS NULL AND status = 'sent' "
        "AND telegram_message_id IS NOT NULL ORDER BY delete_after, id LIMIT ?",
        (to_db(now), limit),
    )
    return [_delivery(row) for row in rows]


async def mark_deleted(db: Executor, delivery_id: int, *, now: datetime) -> int:
    return await db.execute(
        "UPDATE deliveries SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
        (to_db(now), delivery_id),
    )


async def mark_delete_refused(db: Executor, delivery_id: int, *, error: str) -> int:
    return await db.execute(
        "UPDATE deliveries SET delete_error = ? WHERE id = ? AND deleted_at IS NULL",
        (error, delivery_id),
    )


# --- a removed contact's chat ------------------------------------------------------------------


def _ids(values: Collection[int]) -> str:
    return json.dumps(sorted(set(values)))


async def cancel_queued_for_contacts(db: Executor, contact_ids: Collection[int]) -> int:
    """Nothing more goes out to contacts who lost access."""
    return await db.execute(
        "UPDATE deliveries SET status = 'cancelled', reason = 'removed' "
        "WHERE contact_id IN (SELECT value FROM json_each(?)) AND status = 'pending'",
        (_ids(contact_ids),),
    )


async def cancel_queued_for_chat(db: Executor, chat_id: int) -> int:
    """Nothing more goes out to a chat whose person lost access (a removed coordinator:
    their notices are queued by chat)."""
    return await db.execute(
        "UPDATE deliveries SET status = 'cancelled', reason = 'removed' "
        "WHERE chat_id = ? AND status = 'pending'",
        (chat_id,),
    )


async def delete_messages_of_contacts_now(
    db: Executor, contact_ids: Collection[int], *, now: datetime
) -> list[int]:
    """Marks every message still in these contacts' chats for deletion at once (the outbox's
    deletion sweep removes them where Telegram still allows it); the deliveries marked."""
    rows = await db.fetch_all(
        "SELECT id FROM deliveries WHERE contact_id IN (SELECT value FROM json_each(?)) "
        "AND status = 'sent' AND telegram_message_id IS NOT NULL AND deleted_at IS NULL "
        "AND delete_error IS NULL ORDER BY id",
        (_ids(contact_ids),),
    )
    marked = [int(row["id"]) for row in rows]
    await db.execute(
        "UPDATE deliveries SET delete_after = ? WHERE id IN (SELECT value FROM json_each(?))",
        (to_db(now), _ids(marked)),
    )
    return marked


async def undeletable_of_contacts(db: Executor, contact_ids: Collection[int]) -> int:
    """Messages in these contacts' chats Telegram already refused to delete (past 48 hours)."""
    count: int = await db.fetch_value(
        "SELECT count(*) FROM deliveries WHERE contact_id IN (SELECT value FROM json_each(?)) "
        "AND deleted_at IS NULL AND delete_error IS NOT NULL",
        (_ids(contact_ids),),
    )
    return count


@dataclass(frozen=True)
class DeletionOutcome:
    """Of some deliveries marked for deletion: how many went, which Telegram refused (never
    tried again), and which the sweep has still to try (network trouble)."""

    deleted: int
    refused: int
    pending: int


async def deletion_outcome(db: Executor, delivery_ids: Collection[int]) -> DeletionOutcome:
    row = await db.fetch_one(
        "SELECT count(deleted_at) AS deleted, "
        "count(CASE WHEN deleted_at IS NULL AND delete_error IS NOT NULL THEN 1 END) AS refused, "
        "count(CASE WHEN deleted_at IS NULL AND delete_error IS NULL THEN 1 END) AS pending "
        "FROM deliveries WHERE id IN (SELECT value FROM json_each(?))",
        (_ids(delivery_ids),),
    )
    return row_to(DeletionOutcome, present(row, "the deletion counts"))  # an aggregate: one row
