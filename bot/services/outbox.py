"""The outbox: every message that is not the direct answer to an update is stored as a
delivery first (broadcasts, notices, reports, their files).

Callers queue deliveries inside their own transaction (``create_broadcast``, ``enqueue``,
``queue_notices``); the commit wakes the sender (``Database.on_commit``), which
(``bot.jobs.outbox``) drains the queue at Telegram's limits and records each outcome
through the functions below. Nothing here knows about Telegram: a message is a Bot API
method name and JSON-able parameters.

A delivery goes ``pending`` → ``sending`` (committed just before its request leaves,
once its send slot is taken) → ``sent``; or back to ``pending`` (flood control, network
errors with back-off); or ends ``uncertain`` (it was on the wire and Telegram may have
it: never resent blindly, only when a coordinator asks, ``services.resend``),
``failed`` or ``cancelled`` with a ``reason``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from bot.db import deliveries as repo
from bot.db.connection import Database, Executor, Transaction
from bot.db.deliveries import Broadcast, Delivery
from bot.db.types import ContactStatus, DeliveryReason, DeliveryStatus
from bot.services.stored_files import StoredFile
from bot.settings import DELETE_WINDOW

__all__ = [
    "Broadcast",
    "BroadcastProgress",
    "Delivery",
    "Notice",
    "OutgoingMessage",
    "Recipient",
    "StoredFile",
    "broadcast_progress",
    "create_broadcast",
    "enqueue",
    "queue_notices",
]

Method = Literal["sendMessage", "sendDocument", "sendPhoto"]
METHODS: frozenset[str] = frozenset(get_args(Method))
# The parameter each method cannot go without.
_REQUIRED = {"sendMessage": "text", "sendDocument": "document", "sendPhoto": "photo"}
# Network errors: retried after 2 s, 4 s, 8 s … at most 15 min apart; about two hours of
# trying in all before the delivery is given up as failed.
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=15)
MAX_ATTEMPTS = 15
INTERRUPTED = "the bot stopped while this message was being sent; it may have arrived"


@dataclass(frozen=True)
class OutgoingMessage:
    """One Bot API call without its ``chat_id``: what a delivery sends.

    ``params`` are JSON-able Bot API parameters: text/caption, parse_mode, reply_markup
    as a dict (``InlineKeyboardMarkup.to_dict()``), protect_content,
    link_preview_options, and for files a Telegram ``file_id`` string. A document not
    yet on Telegram is a ``file`` held in the payload instead (``stored_files``): its
    first send uploads it, and the ``file_id`` Telegram gives replaces it everywhere.
    """

    method: Method
    params: dict[str, Any]
    file: StoredFile | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"the outbox does not send {self.method!r}")
        if "chat_id" in self.params:
            raise ValueError("params must not carry chat_id: the delivery has it")
        required = _REQUIRED[self.method]
        if self.file is not None:
            if self.method != "sendDocument" or required in self.params:
                raise ValueError("a stored file is a document, instead of a file_id")
        elif not isinstance(self.params.get(required), str) or not self.params[required]:
            raise ValueError(f"{self.method} needs {required} as a non-empty string")
        self.to_payload()  # fails now, not in the sender, if a value is not JSON-able

    def to_payload(self) -> str:
        data: dict[str, Any] = {"method": self.method, "params": self.params}
        if self.file is not None:
            data["file"] = self.file.to_json()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_payload(cls, payload: str) -> OutgoingMessage | None:
        """None for a purged payload ('{}') or one this code cannot send."""
        try:
            data = json.loads(payload)
            stored = data.get("file")
            file = None if stored is None else StoredFile.from_json(stored)
            return cls(data["method"], dict(data["params"]), file)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None

    def uploaded(self, file_id: str) -> OutgoingMessage:
        """The same document, now by Telegram's ``file_id``."""
        return OutgoingMessage(self.method, {**self.params, _REQUIRED[self.method]: file_id})


@dataclass(frozen=True)
class Recipient:
    """A contact as coordinators know it: display name and organisation."""

    contact_id: int
    name: str
    organisation: str | None

    @classmethod
    def of(cls, row: repo.RecipientName) -> Recipient:
        name = row.display_name or row.label or f"#{row.contact_id}"
        return cls(row.contact_id, name, row.organisation_name)


@dataclass(frozen=True)
class BroadcastProgress:
    """Deliveries of one broadcast by outcome; the counts add up to ``total``."""

    broadcast_id: int
    total: int
    sent: int
    uncertain: int  # may have arrived; not resent
    failed: int  # Telegram refused the message, or the network never let it through
    unreachable: int  # not delivered because the recipient blocked the bot or never opened it
    cancelled: int  # the contact lost access, or the letter was purged, before sending
    pending: int  # still queued (or being sent)
    unreachable_contacts: tuple[Recipient, ...]
    uncertain_contacts: tuple[Recipient, ...]  # whose messages were on the wire in a crash
    refused_error: str | None  # Telegram's answer to the first refused message, if any

    @property
    def finished(self) -> bool:
        return self.pending == 0


# --- queueing (callers) ---------------------------------------------------------------------


async def create_broadcast(
    tx: Transaction, *, letter_id: int | None, kind: str, requested_by: int | None, now: datetime
) -> int:
    """A group of deliveries; ``requested_by`` (a coordinator's chat) gets progress and report."""
    return await repo.insert_broadcast(
        tx, letter_id=letter_id, kind=kind, requested_by=requested_by, now=now
    )


async def enqueue(
    tx: Transaction,
    *,
    broadcast_id: int | None,
    contact_id: int | None,
    chat_id: int,
    letter_id: int | None,
    kind: str,
    message: OutgoingMessage,
    dedupe_key: str,
    now: datetime,
    delete_after: datetime | None = None,
) -> bool:
    """Queues one message; False when ``dedupe_key`` was queued before (nothing changes),
    unless that one failed for want of a reachable contact or network (queued again).

    ``delete_after``: remove the message from the chat then (DRAFT_TTL); it must be
    within Telegram's 48-hour window for deleting messages.
    """
    if not dedupe_key:
        raise ValueError("a delivery needs a dedupe key")
    if delete_after is not None and delete_after - now >= DELETE_WINDOW:
        raise ValueError("delete_after must be under 48 hours from now (Telegram's limit)")
    return await repo.insert_delivery(
        tx,
        broadcast_id=broadcast_id,
        contact_id=contact_id,
        chat_id=int(chat_id),
        letter_id=letter_id,
        kind=kind,
        payload=message.to_payload(),
        dedupe_key=dedupe_key,
        now=now,
        delete_after=delete_after,
    )


@dataclass(frozen=True)
class Notice:
    """One message to one chat, not part of a broadcast (a colleague's answer, a join)."""

    chat_id: int
    message: OutgoingMessage
    dedupe_key: str  # the same notice is queued once
    letter_id: int | None = None  # a purge of the letter clears it
    contact_id: int | None = None  # a removed contact does not get it


async def queue_notices(db: Database, notices: Sequence[Notice], *, now: datetime) -> int:
    """Queues ``notices`` in one transaction (the sender wakes once it commits); returns how
    many were new."""
    queued = 0
    async with db.transaction() as tx:
        for notice in notices:
            queued += await enqueue(
                tx, broadcast_id=None, contact_id=notice.contact_id, chat_id=notice.chat_id,
                letter_id=notice.letter_id, kind="notice", message=notice.message,
                dedupe_key=notice.dedupe_key, now=now,
            )  # fmt: skip
    return queued


async def finish_if_empty(tx: Transaction, broadcast_id: int, *, now: datetime) -> bool:
    """A broadcast nothing was queued for (everyone had it already) is finished at once:
    no progress message, no "0 of 0 messages delivered" report. True when it was empty."""
    if await repo.status_counts(tx, broadcast_id):
        return False
    await repo.mark_finished(tx, broadcast_id, now=now)
    return True


async def broadcast_progress(db: Executor, broadcast_id: int) -> BroadcastProgress:
    counts = await repo.status_counts(db, broadcast_id)

    def count(*, status: DeliveryStatus | None = None, reason: DeliveryReason | None = None) -> int:
        return sum(
            c.n
            for c in counts
            if (status is None or c.status is status) and (reason is None or c.reason is reason)
        )

    unreachable = count(reason=DeliveryReason.UNREACHABLE)
    names = await repo.unreachable_recipients(db, broadcast_id)
    uncertain = (
        await repo.uncertain_recipients(db, broadcast_id)
        if count(status=DeliveryStatus.UNCERTAIN)
        else []
    )
    failed, cancelled = DeliveryStatus.FAILED, DeliveryStatus.CANCELLED
    return BroadcastProgress(
        broadcast_id=broadcast_id,
        total=count(),
        sent=count(status=DeliveryStatus.SENT),
        uncertain=count(status=DeliveryStatus.UNCERTAIN),
        failed=count(status=failed) - count(status=failed, reason=DeliveryReason.UNREACHABLE),
        unreachable=unreachable,
        cancelled=count(status=cancelled)
        - count(status=cancelled, reason=DeliveryReason.UNREACHABLE),
        pending=count(status=DeliveryStatus.PENDING) + count(status=DeliveryStatus.SENDING),
        unreachable_contacts=tuple(Recipient.of(row) for row in names),
        uncertain_contacts=tuple(Recipient.of(row) for row in uncertain),
        refused_error=await repo.first_error(db, broadcast_id, DeliveryReason.REJECTED),
    )


# --- draining (the sender) ------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th network error in a row."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (1 << max(attempts - 1, 0)))


async def recover_interrupted(db: Database) -> int:
    """At start-up: what was being sent when the last process died becomes ``uncertain``."""
    return await repo.interrupt_sending(db, error=INTERRUPTED)


async def due_chats(db: Executor, *, now: datetime, limit: int) -> list[int]:
    return await repo.due_chats(db, now=now, limit=limit)


async def next_due_at(db: Executor) -> datetime | None:
    return await repo.next_not_before(db)


async def next_for_chat(db: Executor, chat_id: int, *, now: datetime) -> Delivery | None:
    """The chat's first queued delivery if it can go now; None if none, or it must wait."""
    delivery = await repo.first_queued_of_chat(db, chat_id)
    if delivery is None or delivery.status is not DeliveryStatus.PENDING:
        return None
    if delivery.not_before is not None and delivery.not_before > now:
        return None
    return delivery


async def claim(db: Database, delivery: Delivery) -> OutgoingMessage | None:
    """Marks the delivery ``sending`` (committed) and returns what to send.

    None when it must not go out after all: it was claimed or cancelled meanwhile,
    its contact lost access, or its letter was purged.
    """
    async with db.transaction() as tx:
        # Read again: a stored file may have become a file_id meanwhile (another copy sent).
        current = await repo.get_delivery(tx, delivery.id)
        message = None if current is None else OutgoingMessage.from_payload(current.payload)
        reason = None
        if message is None:
            reason = DeliveryReason.PURGED
        elif delivery.contact_id is not None:
            status = await repo.contact_status(tx, delivery.contact_id)
            if status in (None, ContactStatus.REMOVED):
                reason = DeliveryReason.REMOVED  # a removed contact must not get letters any more
        if reason is not None:
            await repo.finish(
                tx, delivery.id, status=DeliveryStatus.CANCELLED, reason=reason, error=None,
                current=DeliveryStatus.PENDING,
            )  # fmt: skip
            return None
        if await repo.claim(tx, delivery.id) != 1:
            return None
    return message


async def record_sent(
    db: Database, delivery_id: int, *, message_id: int | None, now: datetime
) -> None:
    await repo.mark_sent(db, delivery_id, message_id=message_id, now=now)


async def record_uploaded(db: Database, message: OutgoingMessage, file_id: str) -> None:
    """A stored file reached Telegram: every delivery that holds it (this one too) sends
    ``file_id`` instead, and its content leaves the database."""
    if message.file is None:
        return
    digest = message.file.digest
    async with db.transaction() as tx:
        for delivery_id, payload in await repo.referring_to(tx, digest):
            queued = OutgoingMessage.from_payload(payload)
            if queued is not None and queued.file is not None and queued.file.digest == digest:
                await repo.set_payload(tx, delivery_id, queued.uploaded(file_id).to_payload())


async def record_flood_control(db: Database, delivery_id: int) -> None:
    """Telegram said "retry after": queued again at once; the attempt does not count."""
    await repo.release(db, delivery_id, not_before=None, error=None, count_attempt=False)


async def record_not_sent(db: Database, delivery: Delivery, *, error: str, now: datetime) -> bool:
    """A network error before Telegram got the message: retry later, or give up.

    True when it will be retried. ``delivery`` is the row as claimed (attempts before).
    """
    attempts = delivery.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        await repo.finish(
            db, delivery.id, status=DeliveryStatus.FAILED, reason=DeliveryReason.NETWORK,
            error=error, current=DeliveryStatus.SENDING,
        )  # fmt: skip
        return False
    not_before = now + backoff(attempts)
    await repo.release(db, delivery.id, not_before=not_before, error=error, count_attempt=True)
    return True


async def record_uncertain(db: Database, delivery_id: int, *, error: str) -> None:
    """Telegram did not answer in time: it may have the message, so it is not resent."""
    await repo.finish(
        db, delivery_id, status=DeliveryStatus.UNCERTAIN, reason=DeliveryReason.TIMED_OUT,
        error=error, current=DeliveryStatus.SENDING,
    )  # fmt: skip


# --- uncertain deliveries (coordinators) ----------------------------------------------------


async def uncertain_of_letter(db: Executor, letter_id: int) -> tuple[Recipient, ...]:
    """The contacts with a message about the letter that may not have arrived."""
    rows = await repo.uncertain_recipients_of_letter(db, letter_id)
    return tuple(Recipient.of(row) for row in rows)


async def recipient(db: Executor, contact_id: int) -> Recipient | None:
    row = await repo.recipient_name(db, contact_id)
    return None if row is None else Recipient.of(row)


def _scope(delivery: Delivery) -> str:
    # "Once per broadcast"; a delivery of no broadcast is its own scope.
    if delivery.broadcast_id is not None:
        return f"b{delivery.broadcast_id}"
    return f"d{delivery.id}"


async def _queue_notices(
    tx: Transaction,
    delivery: Delivery,
    notices: Mapping[int, OutgoingMessage],
    *,
    key: str,
    now: datetime,
) -> int:
    queued = 0
    for chat_id, message in notices.items():
        queued += await enqueue(
            tx,
            broadcast_id=None,
            contact_id=None,
            chat_id=chat_id,
            letter_id=delivery.letter_id,
            kind="notice",
            message=message,
            dedupe_key=f"{key}:to:{chat_id}",
            now=now,
        )
    return queued


async def record_refused(
    db: Database,
    delivery: Delivery,
    *,
    error: str,
    now: datetime,
    notices: Mapping[int, OutgoingMessage] | None = None,
) -> int:
    """Telegram refused the message (BadRequest): failed, never retried.

    ``notices`` (chat id → message) are queued once per broadcast; returns how many.
    """
    async with db.transaction() as tx:
        await repo.finish(
            tx, delivery.id, status=DeliveryStatus.FAILED, reason=DeliveryReason.REJECTED,
            error=error, current=DeliveryStatus.SENDING,
        )  # fmt: skip
        if not notices:
            return 0
        key = f"outbox:refused:{_scope(delivery)}"
        return await _queue_notices(tx, delivery, notices, key=key, now=now)


async def record_unreachable(
    db: Database,
    delivery: Delivery,
    *,
    error: str,
    now: datetime,
    notices: Mapping[int, OutgoingMessage] | None = None,
) -> int:
    """Forbidden: the recipient blocked the bot or never opened it.

    The delivery fails, the contact becomes ``unreachable``, its other queued messages of
    the same broadcast are cancelled, and ``notices`` are queued once per contact and
    broadcast. Returns how many notices were queued.
    """
    async with db.transaction() as tx:
        await repo.finish(
            tx, delivery.id, status=DeliveryStatus.FAILED, reason=DeliveryReason.UNREACHABLE,
            error=error, current=DeliveryStatus.SENDING,
        )  # fmt: skip
        if delivery.contact_id is None:
            return 0  # e.g. a coordinator who never opened the bot: nobody else to tell
        await repo.mark_contact_unreachable(tx, delivery.contact_id)
        await repo.cancel_queued(
            tx,
            broadcast_id=delivery.broadcast_id,
            contact_id=delivery.contact_id,
            reason=DeliveryReason.UNREACHABLE,
        )
        if not notices:
            return 0
        key = f"outbox:unreachable:{_scope(delivery)}:contact:{delivery.contact_id}"
        return await _queue_notices(tx, delivery, notices, key=key, now=now)


# --- broadcasts (the sender) ----------------------------------------------------------------


async def unfinished_broadcasts(db: Executor) -> list[Broadcast]:
    return await repo.unfinished_broadcasts(db)


async def get_broadcast(db: Executor, broadcast_id: int) -> Broadcast | None:
    return await repo.get_broadcast(db, broadcast_id)


async def set_progress_message(db: Database, broadcast_id: int, message_id: int) -> None:
    await repo.set_progress_message(db, broadcast_id, message_id)


async def finish_broadcast(
    db: Database, broadcast: Broadcast, *, now: datetime, report: OutgoingMessage | None
) -> bool:
    """Marks a drained broadcast finished and queues its report, once (True that time).

    The report is a delivery with a fixed dedupe key, queued in the same transaction
    that sets ``finished_at``: after a crash it is neither lost nor sent twice.
    """
    async with db.transaction() as tx:
        if await repo.has_queued(tx, broadcast.id):
            return False
        if await repo.mark_finished(tx, broadcast.id, now=now) != 1:
            return False
        if report is not None and broadcast.requested_by is not None:
            await enqueue(
                tx,
                broadcast_id=None,
                contact_id=None,
                chat_id=broadcast.requested_by,
                letter_id=broadcast.letter_id,
                kind="report",
                message=report,
                dedupe_key=f"outbox:report:b{broadcast.id}",
                now=now,
            )
    return True


# --- DRAFT_TTL (the sender) -----------------------------------------------------------------


async def due_deletions(db: Executor, *, now: datetime, limit: int = 200) -> list[Delivery]:
    """Sent messages whose ``delete_after`` has come, not deleted or refused yet."""
    return await repo.due_deletions(db, now=now, limit=limit)


async def record_deleted(db: Database, delivery_id: int, *, now: datetime) -> None:
    await repo.mark_deleted(db, delivery_id, now=now)


async def record_delete_refused(db: Database, delivery_id: int, *, error: str) -> None:
    """Telegram will not delete it (e.g. past 48 hours): recorded, never tried again."""
    await repo.mark_delete_refused(db, delivery_id, error=error)
