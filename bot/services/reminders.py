"""Reminders to organisations that still owe an answer. No Telegram here.

``remind_now`` is the coordinators' /remind. Scheduled reminders are planned in the
database as one ``pending`` row per letter, organisation and offset (the unique
constraint makes "at most once" a fact of the schema) and run in two steps, each in
one transaction:

1. ``claim_due_reminders``: for each organisation, of its due rows only the latest is
   claimed (``sent``); earlier ones missed while the bot was down are ``skipped``. A
   claimed reminder becomes one send per contact, due at once or when that contact's
   quiet hours end.
2. ``queue_due_sends``: due sends are queued in the outbox, if the organisation still
   owes an answer then (it may have signed during the night).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db import audit
from bot.db import letters as letters_repo
from bot.db import reminders as repo
from bot.db.connection import Database, Executor, Transaction
from bot.db.letters import Letter, Recipient
from bot.db.reminders import Reminder
from bot.db.types import LetterStatus, ReminderStatus, SendStatus
from bot.services import lifecycle, outbox, responses
from bot.services.deadlines import OffsetsError, format_offsets, parse_offsets, reminder_due
from bot.services.letter_queue import Composer, queue_for
from bot.services.outbox import OutgoingMessage
from bot.services.quiet_hours import QuietHours, send_time, stored_quiet_hours
from bot.services.refusals import Code, Refusal
from bot.services.reminder_plan import OFF, offsets_of, replan
from bot.services.responses import OrganisationStanding


@dataclass(frozen=True)
class ChaseItem:
    """An organisation a reminder was due for that nobody can reach in Telegram."""

    name: str
    no_contact: bool  # nobody has joined; else every contact blocked the bot


@dataclass(frozen=True)
class ReminderRun:
    organisations: int  # reminded in Telegram
    contacts: int
    queued: int
    chase: tuple[ChaseItem, ...] = ()  # owe an answer, but nobody of them can be reached


def waiting_organisations(status: responses.LetterStanding) -> set[int]:
    return {o.row.organisation_id for o in status.organisations if o.waiting}


def _to_chase(organisations: Iterable[OrganisationStanding]) -> tuple[ChaseItem, ...]:
    """Those that owe an answer and have no active contact, by name."""
    return tuple(
        ChaseItem(o.row.organisation_name, o.state is responses.OrganisationState.NO_CONTACT)
        for o in sorted(organisations, key=lambda o: o.row.organisation_name)
        if o.waiting and not o.reachable
    )


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
    if status.letter.status is not LetterStatus.OPEN:
        raise Refusal(Code.NOT_OPEN, ref=letter_id)
    waiting = waiting_organisations(status)
    async with db.transaction() as tx:
        broadcast_id = await outbox.create_broadcast(
            tx, letter_id=letter_id, kind="reminder", requested_by=None, now=now
        )
        recipients = [
            r for r in await letters_repo.recipients(tx, letter_id) if r.organisation_id in waiting
        ]
        queued = await queue_for(
            tx, broadcast_id, status.letter, status.latest, recipients, compose, now=now,
            nonce=f":{now.timestamp():.0f}",
        )  # fmt: skip
        await audit.append(
            tx, now=now, actor=actor, action="reminder.sent", letter_id=letter_id,
            data={"organisations": sorted(waiting), "contacts": len(recipients),
                  "requested_by": requested_by},
        )  # fmt: skip
    reached = {recipient.organisation_id for recipient in recipients}
    return ReminderRun(len(reached), len(recipients), queued, _to_chase(status.organisations))


# --- the letter's reminder offsets -----------------------------------------------------------


def read_offsets(raw: str) -> list[timedelta] | None:
    """The offsets typed after /reminders: like ``7d,3d,1d,3h``; ``off`` or ``none`` for
    no reminders (an empty list); ``default`` for REMINDER_OFFSETS (None)."""
    raw = raw.strip()
    if raw.lower() in ("off", "none"):
        return []
    if raw.lower() == "default":
        return None
    try:
        return parse_offsets(raw)
    except OffsetsError as error:
        raise Refusal(Code.OFFSETS_BAD, item=error.item, max_count=error.max_count) from None


async def set_offsets(
    db: Database,
    letter_id: int,
    offsets: Sequence[timedelta] | None,
    *,
    default_offsets: Sequence[timedelta],
    actor: str,
    now: datetime,
) -> Letter:
    """A letter's own offsets (an empty list: no reminders; None: back to the default)."""
    stored = None if offsets is None else (format_offsets(offsets) if offsets else OFF)
    async with db.transaction() as tx:
        letter = await lifecycle.known_letter(tx, letter_id)
        if letter.status is LetterStatus.CLOSED:
            raise Refusal(Code.REMINDERS_CLOSED, ref=letter_id)
        await letters_repo.set_reminder_offsets(tx, letter_id, stored)
        changed = await letters_repo.existing(tx, letter_id)
        await replan(tx, changed, default_offsets=default_offsets, now=now)
        await audit.append(
            tx, now=now, actor=actor, action="reminders.changed", letter_id=letter_id,
            data={"offsets": stored},
        )  # fmt: skip
    return changed


@dataclass(frozen=True)
class PlannedOffset:
    offset: timedelta
    due: datetime
    pending: int  # organisations
    sent: int
    skipped: int


async def schedule_of(
    db: Executor, letter_id: int, *, default_offsets: Sequence[timedelta]
) -> tuple[Letter, list[PlannedOffset]]:
    """What /reminders shows: each offset, when it is due, and how far it went."""
    letter = await lifecycle.known_letter(db, letter_id)
    counts: dict[int, dict[ReminderStatus, int]] = defaultdict(lambda: defaultdict(int))
    for row in await repo.of_letter(db, letter_id):
        counts[row.offset_seconds][row.status] += 1
    offsets = set(offsets_of(letter, default_offsets))
    offsets |= {timedelta(seconds=seconds) for seconds in counts}
    zone = ZoneInfo(letter.timezone)
    planned = []
    for offset in sorted(offsets, reverse=True):
        seen = counts.get(int(offset.total_seconds()), {})
        planned.append(
            PlannedOffset(
                offset,
                reminder_due(letter.deadline, offset, zone),
                seen.get(ReminderStatus.PENDING, 0),
                seen.get(ReminderStatus.SENT, 0),
                seen.get(ReminderStatus.SKIPPED, 0),
            )
        )
    return letter, planned


# --- running ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderRound:
    organisations: int  # reminded now (their contacts' sends are due now or after quiet hours)
    skipped: int  # due rows passed over: missed earlier offsets, or nobody owes an answer
    queued: int = 0  # messages to coordinators about organisations to chase another way


# (letter, organisations to chase) -> (coordinator's chat, message) for each coordinator
ChaseComposer = Callable[[Letter, Sequence[ChaseItem]], Sequence[tuple[int, OutgoingMessage]]]


def _latest_per_organisation(rows: list[Reminder]) -> dict[int, list[Reminder]]:
    by_organisation: dict[int, list[Reminder]] = defaultdict(list)
    for row in rows:  # ordered by due time
        by_organisation[row.organisation_id].append(row)
    return by_organisation


async def claim_due_reminders(
    db: Database,
    *,
    now: datetime,
    default_zone: ZoneInfo,
    quiet_default: QuietHours,
    compose_chase: ChaseComposer,
) -> ReminderRound:
    """Claims what is due: per organisation the latest due offset, once.

    Coordinators get one message per letter and run (``compose_chase``, through the
    outbox, in the claim's transaction) naming the organisations reminded now that
    nobody can reach in Telegram: they must be chased another way.
    """
    by_letter: dict[int, list[Reminder]] = defaultdict(list)
    for row in await repo.due(db, now=now):
        by_letter[row.letter_id].append(row)
    reminded = skipped = queued = 0
    for letter_id, rows in by_letter.items():
        status = await responses.letter_status(db, letter_id)
        deadline = status.letter.deadline
        waiting = waiting_organisations(status)
        by_id = {o.row.organisation_id: o for o in status.organisations}
        contacts: dict[int, list[Recipient]] = defaultdict(list)
        for recipient in await letters_repo.recipients(db, letter_id):
            contacts[recipient.organisation_id].append(recipient)
        claimed: list[int] = []
        chase: list[tuple[Reminder, OrganisationStanding]] = []  # claimed, but can't be reached
        async with db.transaction() as tx:
            for organisation_id, due in _latest_per_organisation(rows).items():
                *missed, latest = due
                for row in missed:
                    skipped += await repo.settle(tx, row.id, ReminderStatus.SKIPPED, now=now)
                if organisation_id not in waiting or deadline <= now:
                    skipped += await repo.settle(tx, latest.id, ReminderStatus.SKIPPED, now=now)
                    continue
                if not await repo.settle(tx, latest.id, ReminderStatus.SENT, now=now):
                    continue
                claimed.append(organisation_id)
                if not by_id[organisation_id].reachable:
                    chase.append((latest, by_id[organisation_id]))
                for recipient in contacts[organisation_id]:
                    zone = ZoneInfo(recipient.timezone) if recipient.timezone else default_zone
                    quiet = stored_quiet_hours(
                        recipient.quiet_start, recipient.quiet_end, quiet_default
                    )
                    at = send_time(now, quiet=quiet, zone=zone, deadline=deadline)
                    await repo.add_send(tx, latest.id, recipient.contact_id, send_at=at)
            if claimed:
                await audit.append(
                    tx, now=now, actor="system", action="reminder.due", letter_id=letter_id,
                    data={"organisations": claimed},
                )  # fmt: skip
            if chase:
                queued += await _queue_chase(tx, status.letter, chase, compose_chase, now)
        reminded += len(claimed)
    return ReminderRound(reminded, skipped, queued)


async def _queue_chase(
    tx: Transaction,
    letter: Letter,
    chase: list[tuple[Reminder, OrganisationStanding]],
    compose: ChaseComposer,
    now: datetime,
) -> int:
    """One message to each coordinator; keyed by the first reminder row it covers, which
    is claimed only once: never twice, even if the pass is repeated."""
    first = min(reminder.id for reminder, _ in chase)
    queued = 0
    for chat_id, message in compose(letter, _to_chase(o for _, o in chase)):
        queued += await outbox.enqueue(
            tx, broadcast_id=None, contact_id=None, chat_id=chat_id, letter_id=letter.id,
            kind="notice", message=message, dedupe_key=f"reminder:chase:r{first}:to:{chat_id}",
            now=now,
        )  # fmt: skip
    return queued


async def queue_due_sends(db: Database, *, now: datetime, compose: Composer) -> int:
    """Queues the reminder sends that are due, for organisations that still owe an answer."""
    by_letter: dict[int, list[repo.ReminderSend]] = defaultdict(list)
    for send in await repo.due_sends(db, now=now):
        by_letter[send.letter_id].append(send)
    queued = 0
    for letter_id, sends in by_letter.items():
        status = await responses.letter_status(db, letter_id)
        is_open = status.letter.status is LetterStatus.OPEN
        waiting = waiting_organisations(status) if is_open else set()
        async with db.transaction() as tx:
            broadcast_id: int | None = None
            for send in sends:
                recipient = await letters_repo.recipient(tx, letter_id, send.contact_id)
                if send.organisation_id not in waiting or recipient is None:
                    await repo.settle_send(tx, send.id, SendStatus.SKIPPED)
                    continue
                if not await repo.settle_send(tx, send.id, SendStatus.QUEUED):
                    continue
                if broadcast_id is None:
                    broadcast_id = await outbox.create_broadcast(
                        tx, letter_id=letter_id, kind="reminder", requested_by=None, now=now
                    )
                queued += await queue_for(
                    tx, broadcast_id, status.letter, status.latest, [recipient], compose,
                    now=now, nonce=f":r{send.reminder_id}",
                )  # fmt: skip
    return queued


async def next_due(db: Executor) -> datetime | None:
    """The earliest planned reminder or deferred send (for the scheduler's next wake-up)."""
    moments = [await repo.next_due(db), await repo.next_send(db)]
    return min((m for m in moments if m is not None), default=None)
