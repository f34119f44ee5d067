"""A letter's messages into the outbox: what a recipient gets, keyed so that queueing the
same thing twice (a retry, a crash) queues nothing. No Telegram here.

What the messages look like is decided by a ``Composer`` passed in from the Telegram
side (``bot.outgoing.letters``); circulation, revisions, reminders and the lifecycle's notices
(closed, reopened) all queue through here, in their caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.db import letters as letters_repo
from bot.db.connection import Transaction
from bot.db.letters import Letter, Recipient, Version
from bot.services import outbox


@dataclass(frozen=True)
class PlannedMessage:
    """One message for one recipient, before it becomes a delivery."""

    part: str  # stable name within the letter version: "summary", "text-1", "file", ...
    kind: str  # delivery kind: summary, fulltext, file, notice
    message: outbox.OutgoingMessage
    delete_after: datetime | None = None


# (letter, version, recipient, now) -> the messages that recipient gets
Composer = Callable[[Letter, Version, Recipient, datetime], Sequence[PlannedMessage]]
# (letter, new version, previous version, recipient, now) -> revision notice messages
NoticeComposer = Callable[[Letter, Version, Version, Recipient, datetime], Sequence[PlannedMessage]]


async def enqueue_planned(
    tx: Transaction,
    broadcast_id: int | None,
    letter: Letter,
    version: Version,
    recipient: Recipient,
    planned: PlannedMessage,
    now: datetime,
    *,
    nonce: str = "",
) -> int:
    """Queues one planned message; the key names letter, version, contact and part, so
    queueing the same thing twice (a retry, a crash) is a no-op."""
    key = f"letter:{letter.id}:v{version.number}:contact:{recipient.contact_id}:{planned.part}"
    queued = await outbox.enqueue(
        tx,
        broadcast_id=broadcast_id,
        contact_id=recipient.contact_id,
        chat_id=recipient.telegram_user_id,
        letter_id=letter.id,
        kind=planned.kind,
        message=planned.message,
        dedupe_key=key + nonce,
        now=now,
        delete_after=planned.delete_after,
    )
    return int(queued)


async def queue_for(
    tx: Transaction,
    broadcast_id: int | None,
    letter: Letter,
    version: Version,
    recipients: Iterable[Recipient],
    compose: Composer,
    *,
    now: datetime,
    nonce: str = "",
) -> int:
    """Queues what ``compose`` makes for each recipient; returns how many messages."""
    queued = 0
    for recipient in recipients:
        for planned in compose(letter, version, recipient, now):
            queued += await enqueue_planned(
                tx, broadcast_id, letter, version, recipient, planned, now, nonce=nonce
            )
    return queued


async def tell_recipients(
    tx: Transaction, letter: Letter, compose: Composer, *, kind: str, now: datetime, nonce: str
) -> tuple[int, int]:
    """Queues a notice about the letter (``compose``) to every contact who has it, in the
    caller's transaction; returns how many contacts and messages. ``nonce`` tells this
    notice from an earlier one of the same kind (the deadline moved twice)."""
    recipients = await letters_repo.recipients(tx, letter.id)
    if not recipients:
        return 0, 0
    version = await letters_repo.latest_version(tx, letter.id)
    broadcast_id = await outbox.create_broadcast(
        tx, letter_id=letter.id, kind=kind, requested_by=None, now=now
    )
    queued = await queue_for(
        tx, broadcast_id, letter, version, recipients, compose, now=now, nonce=nonce
    )
    return len(recipients), queued
