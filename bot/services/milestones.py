"""Milestones of a letter's calendar ("send to Permanent Missions", "HRC session opens",
"vote"): coordinators are reminded a day before each. No Telegram here."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.db import audit
from bot.db import letters as letters_repo
from bot.db import milestones as repo
from bot.db.connection import Database, Executor
from bot.db.letters import Letter
from bot.db.milestones import Milestone
from bot.services import outbox
from bot.services.outbox import OutgoingMessage
from bot.services.refusals import Code, Refusal

NOTICE = timedelta(days=1)  # coordinators are reminded this long before a milestone
MAX_NAME = 200
MAX_PER_LETTER = 20


async def add_milestone(
    db: Database,
    letter_id: int,
    name: str,
    at: datetime,
    *,
    created_by: int | None,
    actor: str,
    now: datetime,
) -> Milestone:
    cleaned = " ".join(name.split())
    if not cleaned or any(unicodedata.category(ch) == "Cc" for ch in cleaned):
        raise Refusal(Code.MILESTONE_NAME_EMPTY)
    if len(cleaned) > MAX_NAME:
        raise Refusal(Code.MILESTONE_NAME_TOO_LONG, limit=MAX_NAME)
    if at <= now:
        raise Refusal(Code.DEADLINE_PAST)
    async with db.transaction() as tx:
        letter = await letters_repo.get(tx, letter_id)
        if letter is None or letter.purged_at is not None:
            raise Refusal(Code.LETTER_NOT_FOUND, ref=letter_id)
        if len(await repo.of_letter(tx, letter_id)) >= MAX_PER_LETTER:
            raise Refusal(Code.TOO_MANY_MILESTONES, limit=MAX_PER_LETTER)
        # Less than a day ahead: the coordinator who adds it is the reminder.
        reminded = now if at - now <= NOTICE else None
        milestone_id = await repo.insert(
            tx, letter_id, name=cleaned, at=at, created_by=created_by, now=now,
            reminded_at=reminded,
        )  # fmt: skip
        await audit.append(
            tx, now=now, actor=actor, action="milestone.added", letter_id=letter_id,
            data={"milestone": milestone_id, "at": at},  # no free text: no name
        )  # fmt: skip
        return await repo.existing(tx, milestone_id)


async def remove_milestone(
    db: Database, letter_id: int, milestone_id: int, *, actor: str, now: datetime
) -> Milestone:
    async with db.transaction() as tx:
        milestone = await repo.get(tx, milestone_id)
        if milestone is None or milestone.letter_id != letter_id:
            raise Refusal(Code.MILESTONE_NOT_FOUND, letter_id=letter_id, ref=milestone_id)
        await repo.delete(tx, milestone_id)
        await audit.append(
            tx, now=now, actor=actor, action="milestone.removed", letter_id=letter_id,
            data={"milestone": milestone_id},
        )  # fmt: skip
    return milestone


async def milestones_of(db: Executor, letter_id: int) -> list[Milestone]:
    return await repo.of_letter(db, letter_id)


# Builds the coordinators' reminder: (milestone, its letter) → (chat id, message) pairs.
MilestoneComposer = Callable[[Milestone, Letter], Sequence[tuple[int, OutgoingMessage]]]


async def remind_due_milestones(db: Database, *, now: datetime, compose: MilestoneComposer) -> int:
    """Queues the day-before reminders that are due; a milestone already passed while the
    bot was down is marked, not announced late. Returns reminders queued."""
    queued = 0
    for milestone in await repo.unreminded_before(db, now + NOTICE):
        async with db.transaction() as tx:
            if not await repo.mark_reminded(tx, milestone.id, now=now):
                continue
            letter = await letters_repo.get(tx, milestone.letter_id)
            if milestone.at <= now or letter is None or letter.purged_at is not None:
                continue
            broadcast_id = None
            for chat_id, message in compose(milestone, letter):
                if broadcast_id is None:
                    broadcast_id = await outbox.create_broadcast(
                        tx, letter_id=letter.id, kind="milestone", requested_by=None, now=now
                    )
                queued += await outbox.enqueue(
                    tx, broadcast_id=broadcast_id, contact_id=None, chat_id=chat_id,
                    letter_id=letter.id, kind="milestone", message=message,
                    dedupe_key=f"milestone:{milestone.id}:chat:{chat_id}", now=now,
                )  # fmt: skip
    return queued


async def next_due(db: Executor) -> datetime | None:
    at = await repo.next_unreminded(db)
    return None if at is None else at - NOTICE
