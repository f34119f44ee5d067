"""The coordinators' daily digest: new responses and comments per open letter since the
last digest. No Telegram here.

The digest is due once a day at DIGEST_TIME in TIMEZONE; after downtime the missed one
goes out once, at start-up. What was last covered is kept in ``bot_state`` and moved in
the same transaction that queues the digest, so a crash never sends a day twice or
skips one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db import audit
from bot.db import letters as letters_repo
from bot.db import state as state_repo
from bot.db.connection import Database, Executor
from bot.db.letters import Letter
from bot.db.timefmt import to_db  # the slot in dedupe keys, as keys have always named it
from bot.services import outbox
from bot.services.outbox import OutgoingMessage

STATE_KEY = "digest:covered_until"  # when the last digest was made
EVENT_KEY = "digest:last_event"  # the last audit event it covered


@dataclass
class LetterActivity:
    letter: Letter
    counts: dict[str, int] = field(default_factory=dict)  # signed, declined, withdrawn, comments

    def count(self, what: str) -> int:
        return self.counts.get(what, 0)


def slot_at_or_before(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The latest digest time that is not after ``now`` (in UTC)."""
    local = now.astimezone(zone)
    slot = datetime.combine(local.date(), at, tzinfo=zone)
    if slot > now:
        slot = datetime.combine(local.date() - timedelta(days=1), at, tzinfo=zone)
    return slot


def next_slot(after: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first digest time after ``after``."""
    local = after.astimezone(zone)
    for days in range(3):  # today or the next days (a daylight-saving day skips no 09:00)
        slot = datetime.combine(local.date() + timedelta(days=days), at, tzinfo=zone)
        if slot > after:
            return slot
    raise AssertionError("unreachable")


async def covered_until(db: Executor) -> datetime | None:
    return await state_repo.get_moment(db, STATE_KEY)


async def next_due(db: Executor, *, now: datetime, at: time, zone: ZoneInfo) -> datetime:
    covered = await covered_until(db)
    return next_slot(covered or now, at, zone)


async def activity(db: Executor, *, after_event: int, up_to_event: int) -> list[LetterActivity]:
    """Open letters with new responses or comments among those audit events."""
    rows = await audit.responses_and_comments_after(db, after_id=after_event, up_to_id=up_to_event)
    by_letter: dict[int, dict[str, int]] = defaultdict(dict)
    for letter_id, action, count in rows:
        what = "comments" if action == "comment.added" else action.removeprefix("response.")
        by_letter[letter_id][what] = by_letter[letter_id].get(what, 0) + count
    result = []
    for letter in await letters_repo.open_letters(db):
        if letter.id in by_letter:
            result.append(LetterActivity(letter, by_letter[letter.id]))
    return result


# (activity, since) → (chat id, message) pairs, one per coordinator.
DigestComposer = Callable[
    [Sequence[LetterActivity], datetime], Sequence[tuple[int, OutgoingMessage]]
]


async def send_due_digest(
    db: Database, *, now: datetime, at: time, zone: ZoneInfo, compose: DigestComposer
) -> int | None:
    """Queues the digest if one is due; None when none was due, else messages queued
    (0 on a day with nothing new: nothing is sent)."""
    slot = slot_at_or_before(now, at, zone)
    async with db.transaction() as tx:
        covered = await covered_until(tx)
        if covered is not None and covered >= slot:
            return None
        since = covered or slot - timedelta(days=1)
        last_event = await audit.last_event_id(tx)
        if covered is None:
            news = []  # the first digest ever: the bot starts counting now
        else:
            after = int(await state_repo.get(tx, EVENT_KEY) or 0)
            news = await activity(tx, after_event=after, up_to_event=last_event)
        await state_repo.put_moment(tx, STATE_KEY, now)
        await state_repo.put(tx, EVENT_KEY, str(last_event))
        queued = 0
        broadcast_id = None
        for chat_id, message in compose(news, since) if news else ():
            if broadcast_id is None:
                broadcast_id = await outbox.create_broadcast(
                    tx, letter_id=None, kind="digest", requested_by=None, now=now
                )
            queued += await outbox.enqueue(
                tx, broadcast_id=broadcast_id, contact_id=None, chat_id=chat_id, letter_id=None,
                kind="digest", message=message, dedupe_key=f"digest:{to_db(slot)}:chat:{chat_id}",
                now=now,
            )  # fmt: skip
    return queued
