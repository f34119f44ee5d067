"""Planning reminders: one ``pending`` row per letter, organisation and offset.

Kept apart from ``bot.services.reminders`` so that circulating, closing and reopening
a letter (``letters``, ``responses``) can plan without importing the sending side.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db import letters as letters_repo
from bot.db import reminders as repo
from bot.db.connection import Transaction
from bot.db.letters import Letter
from bot.db.types import LetterStatus
from bot.services.deadlines import parse_offsets, reminder_due

OFF = "off"  # letters.reminder_offsets for a letter without reminders


def offsets_of(letter: Letter, default: Sequence[timedelta]) -> tuple[timedelta, ...]:
    """The letter's own offsets (/reminders), or the default (REMINDER_OFFSETS)."""
    if letter.reminder_offsets is None:
        return tuple(default)
    if letter.reminder_offsets == OFF:
        return ()
    return tuple(parse_offsets(letter.reminder_offsets))


async def plan(
    tx: Transaction,
    letter: Letter,
    organisation_ids: Iterable[int],
    *,
    default_offsets: Sequence[timedelta],
    now: datetime,
) -> None:
    """Plans the offsets still ahead for these organisations (circulation, a new deadline).

    Offsets already behind when planned are not "missed": a letter circulated two days
    before its deadline does not get its 7-day and 3-day reminders at once.
    """
    zone = ZoneInfo(letter.timezone)
    organisations = list(organisation_ids)
    rows = []
    for offset in offsets_of(letter, default_offsets):
        due = reminder_due(letter.deadline, offset, zone)
        if due > now:
            seconds = int(offset.total_seconds())
            rows += [(letter.id, org_id, seconds, due) for org_id in organisations]
    await repo.plan(tx, rows)


async def replan(
    tx: Transaction, letter: Letter, *, default_offsets: Sequence[timedelta], now: datetime
) -> None:
    """The deadline or the offsets changed: what is still pending is planned afresh.

    Offsets already sent (or passed over) stay as they are: at most once per letter,
    organisation and offset.
    """
    await repo.delete_pending(tx, letter.id)
    if letter.status is LetterStatus.OPEN:
        organisation_ids = await letters_repo.organisation_ids(tx, letter.id)
        await plan(tx, letter, organisation_ids, default_offsets=default_offsets, now=now)
