"""Reminders to organisations that still owe an answer. No Telegram here.

``remind_now`` is the coordinators' /remind; the scheduled reminders build on
the same selection of waiting organisations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db import audit
from bot.db import letters as letters_repo
from bot.db.connection import Database
from bot.services import outbox, responses
from bot.services.letters import Composer, enqueue_planned


@dataclass(frozen=True)
class ReminderRun:
    organisations: int
    contacts: int
    queued: int


async def remind_now(
    db: Database,
    letter_id: int,
    *,
    requested_by: int | None,
    actor: str,
    now: datetime,
    compose: Composer,
) -> ReminderRun:
    """Reminds every contact of organisations that are pending or must reconfirm."""
    status = await responses.letter_status(db, letter_id)
    if status.letter.status != "open":
        raise responses.ResponseError("not_open", ref=letter_id)
    waiting = {o.row.organisation_id for o in status.organisations if o.waiting}
    async with db.transaction() as tx:
        broadcast_id = await outbox.create_broadcast(
            tx, letter_id=letter_id, kind="reminder", requested_by=None, now=now
        )
        recipients = [
            r for r in await letters_repo.recipients(tx, letter_id) if r.organisation_id in waiting
        ]
        queued = 0
        for recipient in recipients:
            for planned in compose(status.letter, status.latest, recipient, now):
                queued += await enqueue_planned(
                    tx, broadcast_id, status.letter, status.latest, recipient, planned, now,
                    nonce=f":{now.timestamp():.0f}",
                )  # fmt: skip
        await audit.append(
            tx, now=now, actor=actor, action="reminder.sent", letter_id=letter_id,
            data={"organisations": sorted(waiting), "contacts": len(recipients),
                  "requested_by": requested_by},
        )  # fmt: skip
    return ReminderRun(len(waiting), len(recipients), queued)
