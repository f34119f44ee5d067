"""bot/services/reminders.py and reminder_plan.py without Telegram: which offsets are planned,
for whom, when they are claimed and sent (quiet hours), planned afresh when the deadline moves,
the offsets change or the letter reopens; nothing for a closed letter, nothing twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.db.letters import Letter
from bot.db.types import ContactStatus, Listing
from bot.services import letters, lifecycle, reminders, responses
from bot.services.outbox import OutgoingMessage
from bot.services.quiet_hours import QuietHours
from bot.services.refusals import Code
from bot.services.reminders import ChaseItem, ReminderRound
from tests.unit.letter_world import (
    COORDINATOR,
    NOW,
    TEXT,
    ZONE,
    World,
    refused,
    summary,
    world,
)

__all__ = ["world"]

DAY, HOUR = timedelta(days=1), timedelta(hours=1)
OFFSETS = (7 * DAY, 3 * DAY, DAY, 3 * HOUR)
# 23:30 in Zurich: every offset in days falls in the default quiet hours (22:00-08:00).
DEADLINE = datetime(2026, 2, 22, 22, 30, tzinfo=UTC)
NIGHT = QuietHours(time(22), time(8))
ZURICH = ZoneInfo(ZONE)


class Chase:
    """A chase composer that remembers what it was asked to say (one coordinator, chat 1001)."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, tuple[ChaseItem, ...]]] = []

    def __call__(
        self, letter: Letter, items: Sequence[ChaseItem]
    ) -> list[tuple[int, OutgoingMessage]]:
        self.calls.append((letter.id, tuple(items)))
        return [(1001, OutgoingMessage("sendMessage", {"text": f"chase {letter.id}"}))]


async def claim(world: World, now: datetime, chase: Chase | None = None) -> ReminderRound:
    return await reminders.claim_due_reminders(
        world.db, now=now, default_zone=ZURICH, quiet_default=NIGHT,
        compose_chase=chase or Chase(),
    )  # fmt: skip


async def plan_of(world: World, letter_id: int) -> list[tuple[str, int, datetime, str]]:
    """(organisation, offset in hours, due, status) of every reminder row, by offset."""
    rows = await world.db.fetch_all(
        "SELECT o.name, r.offset_seconds, r.due_at, r.status FROM reminders r "
        "JOIN organisations o ON o.id = r.organisation_id WHERE r.letter_id = ? "
        "ORDER BY r.offset_seconds DESC, o.name",
        (letter_id,),
    )
    return [
        (r["name"], r["offset_seconds"] // 3600, datetime.fromisoformat(r["due_at"]), r["status"])
        for r in rows
    ]


async def sends_of(world: World) -> list[tuple[int, datetime, str]]:
    rows = await world.db.fetch_all("SELECT * FROM reminder_sends ORDER BY contact_id, id")
    return [(r["contact_id"], datetime.fromisoformat(r["send_at"]), r["status"]) for r in rows]


async def open_letter(
    world: World, *, deadline: datetime = DEADLINE, offsets: Sequence[timedelta] = OFFSETS
) -> Letter:
    letter, _ = await world.draft(deadline=deadline)
    return (await world.circulate(letter.id, offsets=offsets)).letter


# --- planning -------------------------------------------------------------------------------


async def test_circulation_plans_each_offset_still_ahead_once_per_organisation(
    world: World,
) -> None:
    await world.organisation("Viasna")
    await world.organisation("PEN")
    letter = await open_letter(world, deadline=NOW + 2 * DAY)
    # 7d and 3d are already behind: they are not "missed", they are not planned at all.
    due_1d, due_3h = NOW + DAY, NOW + 2 * DAY - 3 * HOUR
    assert await plan_of(world, letter.id) == [
        ("PEN", 24, due_1d, "pending"), ("Viasna", 24, due_1d, "pending"),
        ("PEN", 3, due_3h, "pending"), ("Viasna", 3, due_3h, "pending"),
    ]  # fmt: skip


async def test_a_day_before_is_the_same_wall_clock_time(world: World) -> None:
    await world.organisation("Viasna")
    letter = await open_letter(world, offsets=[7 * DAY])
    [(_, _, due, _)] = await plan_of(world, letter.id)
    assert due.astimezone(ZURICH).time() == DEADLINE.astimezone(ZURICH).time() == time(23, 30)


async def test_a_draft_has_no_reminders_until_it_is_circulated(world: World) -> None:
    await world.organisation("Viasna")
    letter, _ = await world.draft(deadline=DEADLINE)
    await reminders.set_offsets(
        world.db, letter.id, [DAY], default_offsets=OFFSETS, actor=COORDINATOR, now=NOW
    )
    assert await plan_of(world, letter.id) == []
    await world.circulate(letter.id, offsets=OFFSETS)
    assert [hours for _, hours, _, _ in await plan_of(world, letter.id)] == [24]


@pytest.mark.parametrize(
    ("raw", "offsets"),
    [
        ("off", []),
        (" None ", []),
        ("default", None),
        ("5d, 1d12h,2h", [5 * DAY, DAY + 12 * HOUR, 2 * HOUR]),
    ],
)
def test_offsets_are_read_as_typed_after_reminders(
    raw: str, offsets: list[timedelta] | None
) -> None:
    assert reminders.read_offsets(raw) == offsets


@pytest.mark.parametrize("raw", ["", "soon", "5x", "-1d"])
def test_offsets_that_cannot_be_read_are_refused(raw: str) -> None:
    with refused(Code.OFFSETS_BAD):
        reminders.read_offsets(raw)


async def test_a_letters_own_offsets_replace_the_default_off_stops_them_default_restores(
    world: World,
) -> None:
    await world.organisation("Viasna")
    letter = await open_letter(world)

    async def set_to(offsets: list[timedelta] | None) -> list[int]:
        await reminders.set_offsets(
            world.db, letter.id, offsets, default_offsets=OFFSETS, actor=COORDINATOR, now=NOW
        )
        return [hours for _, hours, _, _ in await plan_of(world, letter.id)]

    assert await set_to([5 * DAY, 2 * HOUR]) == [120, 2]
    assert await set_to([]) == []
    assert await set_to(None) == [168, 72, 24, 3]
    stored = [e["data"]["offsets"] for e in await world.events("reminders.changed")]
    assert stored == ["5d,2h", "off", None]
    _, schedule = await reminders.schedule_of(world.db, letter.id, default_offsets=OFFSETS)
    assert [(p.offset, p.pending, p.sent) for p in schedule] == [(o, 1, 0) for o in OFFSETS]


async def test_a_closed_letters_offsets_cannot_change(world: World) -> None:
    await world.organisation("Viasna")
    letter = await open_letter(world)
    await world.close(letter.id)
    with refused(Code.REMINDERS_CLOSED):
        await reminders.set_offsets(
            world.db, letter.id, [DAY], default_offsets=OFFSETS, actor=COORDINATOR, now=NOW
        )


# --- claiming and sending -------------------------------------------------------------------


async def test_only_the_latest_due_offset_is_claimed_earlier_missed_ones_are_skipped_once(
    world: World,
) -> None:
    await world.organisation("Viasna", contacts=2)
    letter = await open_letter(world)
    after_3d = DEADLINE - 3 * DAY + HOUR  # the bot was down for the 7d one
    assert await claim(world, after_3d) == ReminderRound(organisations=1, skipped=1)
    assert [(h, s) for _, h, _, s in await plan_of(world, letter.id)] == [
        (168, "skipped"), (72, "sent"), (24, "pending"), (3, "pending"),
    ]  # fmt: skip
    assert len(await sends_of(world)) == 2  # one per contact
    assert await claim(world, after_3d) == ReminderRound(0, 0)  # nothing twice
    assert len(await world.events("reminder.due")) == 1


async def test_a_send_waits_for_the_end_of_quiet_hours_unless_the_deadline_is_near(
    world: World,
) -> None:
    anna, boris = await world.organisation("Viasna", contacts=2)
    await world.db.execute(  # Boris has no quiet hours
        "UPDATE contacts SET quiet_start = '00:00', quiet_end = '00:00' WHERE id = ?",
        (boris.id,),
    )
    await open_letter(world, offsets=[DAY, HOUR])
    due_1d = DEADLINE - DAY  # 23:30 in Zurich
    await claim(world, due_1d)
    morning = datetime(2026, 2, 22, 7, 0, tzinfo=UTC)  # 08:00 in Zurich
    assert await sends_of(world) == [(anna.id, morning, "pending"), (boris.id, due_1d, "pending")]
    # An hour before the deadline the night cannot be waited out: at once for everyone.
    due_1h = DEADLINE - HOUR  # 22:30 in Zurich
    await claim(world, due_1h)
    assert [(contact, at) for contact, at, _ in await sends_of(world)] == [
        (anna.id, morning), (anna.id, due_1h), (boris.id, due_1d), (boris.id, due_1h),
    ]  # fmt: skip


async def test_a_due_send_is_queued_only_if_the_organisation_still_owes_an_answer(
    world: World,
) -> None:
    [anna] = await world.organisation("Viasna")
    [boris] = await world.organisation("PEN")
    letter, version = await world.draft(deadline=DEADLINE)
    await world.circulate(letter.id, offsets=[7 * DAY])
    due = DEADLINE - 7 * DAY
    await claim(world, due)
    # Overnight, Viasna signs: its morning send is dropped.
    await responses.sign(world.db, anna, letter.id, version.id, Listing.NAMED, now=due)
    morning = due + 9 * HOUR
    queued = await reminders.queue_due_sends(world.db, now=morning, compose=summary)
    assert queued == 1
    assert [(c, s) for c, _, s in await sends_of(world)] == [
        (anna.id, "skipped"), (boris.id, "queued"),
    ]  # fmt: skip
    queued_now = await world.queued(letter.id)
    [reminder] = [d for d in queued_now if d["dedupe_key"].split(":")[-1].startswith("r")]
    assert reminder["contact_id"] == boris.id
    assert await reminders.queue_due_sends(world.db, now=morning, compose=summary) == 0


async def test_those_who_answered_are_not_reminded_those_who_must_reconfirm_are(
    world: World,
) -> None:
    [signed] = await world.organisation("Signed")
    [declined] = await world.organisation("Declined")
    [again] = await world.organisation("Reconfirm")
    [withdrew] = await world.organisation("Withdrew")
    await world.organisation("Pending")
    letter, first = await world.draft(deadline=DEADLINE)
    await world.circulate(letter.id, offsets=[DAY])
    await responses.sign(world.db, again, letter.id, first.id, Listing.NAMED, now=NOW)
    await responses.sign(world.db, withdrew, letter.id, first.id, Listing.NAMED, now=NOW)
    await responses.withdraw(world.db, withdrew, letter.id, now=NOW)
    second = (await world.revise(letter.id, TEXT + " More.", material=True)).version
    await responses.sign(world.db, signed, letter.id, second.id, Listing.NAMED, now=NOW)
    await responses.decline(world.db, declined, letter.id, second.id, None, now=NOW)
    assert await claim(world, DEADLINE - DAY) == ReminderRound(organisations=3, skipped=2)
    reminded = {name for name, _, _, status in await plan_of(world, letter.id) if status == "sent"}
    assert reminded == {"Reconfirm", "Withdrew", "Pending"}


async def test_coordinators_are_told_once_whom_to_chase_another_way(world: World) -> None:
    await world.organisation("Nobody", contacts=0)
    [blocked] = await world.organisation("Blocked")
    await world.organisation("Reachable")
    letter = await open_letter(world, offsets=[7 * DAY, 3 * DAY])
    await world.set_status(blocked, ContactStatus.UNREACHABLE)
    chase = Chase()
    first = await claim(world, DEADLINE - 7 * DAY, chase)
    assert (first.organisations, first.queued) == (3, 1)
    assert chase.calls == [
        (letter.id, (ChaseItem("Blocked", no_contact=False), ChaseItem("Nobody", no_contact=True)))
    ]
    assert (await claim(world, DEADLINE - 7 * DAY, chase)).queued == 0
    [message] = [d for d in await world.queued(letter.id) if d["chat_id"] == 1001]
    assert message["dedupe_key"].startswith("reminder:chase:")
    # The next offset is a new round: told again.
    assert (await claim(world, DEADLINE - 3 * DAY, chase)).queued == 1


async def test_reminding_now_reaches_everyone_who_owes_an_answer(world: World) -> None:
    [signed] = await world.organisation("Signed")
    await world.organisation("Pending", contacts=2)
    await world.organisation("Nobody", contacts=0)
    letter, version = await world.draft(deadline=DEADLINE)
    await world.circulate(letter.id)
    await responses.sign(world.db, signed, letter.id, version.id, Listing.NAMED, now=NOW)
    run = await reminders.remind_now(
        world.db, letter.id, requested_by=1001, actor=COORDINATOR, now=NOW + HOUR,
        compose=summary,
    )  # fmt: skip
    assert (run.organisations, run.contacts, run.queued) == (1, 2, 2)
    assert run.chase == (ChaseItem("Nobody", no_contact=True),)
    [event] = await world.events("reminder.sent")
    assert event["data"]["contacts"] == 2


# --- replanning -----------------------------------------------------------------------------


async def move(world: World, letter_id: int, deadline: datetime, now: datetime) -> None:
    await letters.move_deadline(
        world.db, letter_id, deadline, actor=COORDINATOR, now=now, compose=summary,
        default_offsets=[7 * DAY, 3 * DAY],
    )  # fmt: skip


async def test_a_deadline_move_replans_what_is_pending_and_never_resends_an_offset(
    world: World,
) -> None:
    await world.organisation("Viasna")
    letter = await open_letter(world, offsets=[7 * DAY, 3 * DAY])
    sent_at = DEADLINE - 7 * DAY
    await claim(world, sent_at)
    later = DEADLINE + 5 * DAY
    await move(world, letter.id, later, now=sent_at + HOUR)
    assert await plan_of(world, letter.id) == [
        ("Viasna", 168, sent_at, "sent"),  # as it was: not planned again for the new deadline
        ("Viasna", 72, later - 3 * DAY, "pending"),
    ]
    # Moved earlier, past an offset: that one is dropped, not sent at once.
    sooner = sent_at + DAY
    await move(world, letter.id, sooner, now=sent_at + HOUR)
    assert [(h, s) for _, h, _, s in await plan_of(world, letter.id)] == [(168, "sent")]


async def test_a_closed_letter_gets_no_reminders(world: World) -> None:
    await world.organisation("Viasna", contacts=2)
    letter = await open_letter(world, offsets=[7 * DAY, 3 * DAY])
    await claim(world, DEADLINE - 7 * DAY)  # sends deferred to the morning
    await world.close(letter.id, now=DEADLINE - 7 * DAY + HOUR)
    assert {s for _, _, s in await sends_of(world)} == {"skipped"}
    assert await claim(world, DEADLINE - 3 * DAY) == ReminderRound(0, 0)
    assert await reminders.queue_due_sends(world.db, now=DEADLINE, compose=summary) == 0
    assert await reminders.next_due(world.db) is None
    with refused(Code.NOT_OPEN):
        await reminders.remind_now(
            world.db, letter.id, requested_by=1001, actor=COORDINATOR, now=DEADLINE,
            compose=summary,
        )  # fmt: skip


async def test_reopening_plans_the_offsets_ahead_of_the_new_deadline(world: World) -> None:
    await world.organisation("Viasna")
    letter = await open_letter(world, offsets=[7 * DAY, 3 * DAY])
    sent_at = DEADLINE - 7 * DAY
    await claim(world, sent_at)
    closed_at = sent_at + DAY  # closed early, before the 3d reminder
    await world.close(letter.id, now=closed_at)
    new_deadline = DEADLINE + 10 * DAY
    await lifecycle.reopen_letter(
        world.db, letter.id, new_deadline, actor=COORDINATOR, now=closed_at + HOUR,
        default_offsets=[7 * DAY, 3 * DAY], compose=summary,
    )  # fmt: skip
    assert await plan_of(world, letter.id) == [
        ("Viasna", 168, sent_at, "sent"),  # never twice for the same offset
        ("Viasna", 72, new_deadline - 3 * DAY, "pending"),  # never sent: planned again
    ]
    assert await reminders.next_due(world.db) == new_deadline - 3 * DAY
