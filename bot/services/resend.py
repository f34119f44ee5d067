"""Sending again what may not have arrived (``uncertain`` deliveries), when a coordinator
asks: the bot itself never does (a possible duplicate chosen by a person beats a silent
skip). No Telegram here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db import audit
from bot.db import deliveries as repo
from bot.db.connection import Database
from bot.services import lifecycle
from bot.services.outbox import create_broadcast
from bot.settings import DELETE_WINDOW


@dataclass(frozen=True)
class Resend:
    """What one "send again" did: ``messages`` re-queued in the new ``broadcast_id``."""

    messages: int
    broadcast_id: int | None  # None: nothing was uncertain any more


async def resend_uncertain(
    db: Database,
    *,
    letter_id: int | None = None,
    broadcast_id: int | None = None,
    requested_by: int,
    actor: str,
    now: datetime,
) -> Resend:
    """Queues again, as new, the deliveries still ``uncertain``: a broadcast's, or those of
    a letter to its contacts. A coordinator chose this (a message may now arrive twice).

    They form a new broadcast that reports to ``requested_by``. Each delivery is taken
    only while it is still uncertain, so two presses never queue one twice; a closed or
    purged letter's messages are not sent again (a ``Refusal``).
    """
    if (letter_id is None) == (broadcast_id is None):
        raise ValueError("resend a letter's or a broadcast's deliveries, not both")
    async with db.transaction() as tx:
        if broadcast_id is not None:
            broadcast = await repo.get_broadcast(tx, broadcast_id)
            if broadcast is None:
                return Resend(0, None)
            letter_id = broadcast.letter_id
        if letter_id is not None:
            await lifecycle.sendable_letter(tx, letter_id)
        found = await repo.uncertain_ids(tx, broadcast_id=broadcast_id, letter_id=letter_id)
        if not found:
            return Resend(0, None)
        new_id = await create_broadcast(
            tx, letter_id=letter_id, kind="resend", requested_by=requested_by, now=now
        )
        moved = 0
        for uncertain in found:
            moved += await repo.requeue_uncertain(
                tx, uncertain.id, broadcast_id=new_id, now=now,
                delete_after=_shifted(uncertain.delete_after, uncertain.created_at, now),
            )  # fmt: skip
        await audit.append(
            tx, now=now, actor=actor, action="delivery.resent", letter_id=letter_id,
            data={"broadcast": new_id, "messages": moved,
                  **({} if broadcast_id is None else {"from_broadcast": broadcast_id})},
        )  # fmt: skip
    return Resend(moved, new_id)


def _shifted(delete_after: datetime | None, created_at: datetime, now: datetime) -> datetime | None:
    """DRAFT_TTL counts from the new queueing: a text sent again stays as long as the first."""
    if delete_after is None:
        return None
    return now + min(delete_after - created_at, DELETE_WINDOW - timedelta(minutes=1))
