"""Issue 6 end to end: reminders, quiet hours, deadlines, auto-close, milestones, digest.

Clock-driven: the FakeClock is moved and ``bot.run_due()`` does what the bot's timers
would do (the scheduler's pass, the DRAFT_TTL sweep), so nothing sleeps. Deadline of the
letters: 20 Feb 2026 18:00 CET (17:00 UTC); default offsets 7d, 3d, 1d, 3h → 13, 17,
19 Feb 17:00 UTC and 20 Feb 14:00 UTC.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from bot.clock import FakeClock
from bot.fake_telegram import FakeTelegramServer
from bot.settings import Settings
from tests.factories import (
    REMINDER,
    add_org,
    circulate,
    circulated,
    join,
    new_letter,
    reminders_of,
    sign,
    summary_of,
    utc,
    withdraw,
)
from tests.harness import RunningBot, running_bot


@contextlib.asynccontextmanager
async def restarted(
    settings: Settings, clock: FakeClock, tg: FakeTelegramServer
) -> AsyncIterator[RunningBot]:
    async with running_bot(settings, clock, tg) as again:
        yield again


async def test_reminders_go_at_each_offset_to_organisations_that_owe_an_answer(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id, (anna, boris) = await circulated(bot, tg, ["Signed Org", "Waiting Org"])
    await sign(bot, anna)
    bot.clock.set(utc(2026, 2, 13, 16, 59))
    assert (await bot.run_due()).reminded == 0
    bot.clock.set(utc(2026, 2, 13, 17, 0))
    done = await bot.run_due()
    assert done.reminded == 1
    [reminder] = await bot.replies(boris)
    # Neutral on a lock screen: no title, no topic; buttons to act on it.
    assert reminder.text.startswith(REMINDER) and "in 7 days" in reminder.text
    assert "mandate" not in reminder.text.lower()
    buttons = [text for row in reminder.buttons for text, _ in row]
    assert buttons == ["✍️ Sign", "Decline", "📄 Full text"]
    assert reminder.protect_content
    assert reminders_of(anna) == []
    # The same pass again, and a restart's catch-up, send nothing more.
    assert (await bot.run_due()).reminded == 0
    assert len(reminders_of(boris)) == 1
    # /reminders shows the schedule as it went.
    [schedule] = await bot.ask(bot.coordinator(), f"/reminders {letter_id}")
    assert "7d before" in schedule.text and "sent to 1 organisation," in schedule.text
    assert "3h before" in schedule.text and "planned for 2 organisations" in schedule.text
    # Signing answers the later reminders too.
    await sign(bot, boris, message=reminder)
    bot.clock.set(utc(2026, 2, 17, 17, 0))
    assert (await bot.run_due()).reminded == 0
    assert len(reminders_of(boris)) == 1


async def test_after_downtime_only_the_latest_missed_offset_is_sent_once(
    settings: Settings, clock: FakeClock, tg: FakeTelegramServer
) -> None:
    async with running_bot(settings, clock, tg) as bot:
        _, [member] = await circulated(bot, tg, ["Org A"])
    # Down from 2 to 19 Feb 20:00 UTC: 7d, 3d and 1d were missed; 3h is still ahead.
    clock.set(utc(2026, 2, 19, 20, 0))
    async with restarted(settings, clock, tg) as bot:
        await bot.run_due()  # after the start-up pass (its own job)
        [reminder] = await bot.replies(member)
        assert reminder.text.startswith(REMINDER) and "in 21 hours" in reminder.text
    for _ in range(2):  # two restarts in a row: nothing twice
        async with restarted(settings, clock, tg) as bot:
            assert (await bot.run_due()).reminded == 0
            await bot.silent(member)
    clock.set(utc(2026, 2, 20, 14, 0))
    async with restarted(settings, clock, tg) as bot:
        await bot.run_due()
    assert len(reminders_of(member)) == 2
    # Each (letter, organisation, offset) exactly once, as the schema guarantees.
    async with restarted(settings, clock, tg) as bot:
        rows = await bot.db.fetch_all(
            "SELECT offset_seconds / 3600 AS hours, status FROM reminders ORDER BY 1 DESC"
        )
    assert [(r["hours"], r["status"]) for r in rows] == [
        (168, "skipped"), (72, "skipped"), (24, "sent"), (3, "sent"),
    ]  # fmt: skip


async def test_a_day_before_across_the_daylight_saving_change_is_the_same_wall_clock_time(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    # Deadline Sunday 29 March 2026 18:00 CEST (16:00 UTC); clocks went forward at 02:00.
    org_id = await add_org(bot, "Org DST")
    member = await join(bot, tg, 3100, org_id)
    [created] = await bot.ask(bot.coordinator(), "/newletter DST letter\n2026-03-29 18:00\nText.")
    letter_id = int(created.text.split("#")[1].split()[0])
    await bot.ask(bot.coordinator(), f"/reminders {letter_id} 1d")
    await circulate(bot, letter_id)
    await bot.replies(member, 2)
    # "1d" before 29 March 18:00 CEST is 28 March 18:00 CET = 17:00 UTC (23 hours earlier),
    # not 24 hours earlier (16:00 UTC, which is 17:00 on the wall clock in Zurich).
    bot.clock.set(utc(2026, 3, 28, 16, 59))
    assert (await bot.run_due()).reminded == 0
    await bot.silent(member)
    bot.clock.set(utc(2026, 3, 28, 17, 0))
    assert (await bot.run_due()).reminded == 1
    [reminder] = await bot.replies(member)
    assert "in 23 hours" in reminder.text


async def test_quiet_hours_defer_and_do_not_defer_as_specified(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    org_id = await add_org(bot, "Org Vilnius")
    member = await join(bot, tg, 3200, org_id)
    [zone] = await bot.ask(member, "/timezone europe/vilnius")
    assert "Europe/Vilnius" in zone.text
    [quiet] = await bot.ask(member, "/quiet 23-07")
    assert "23:00-07:00" in quiet.text
    [bad] = await bot.ask(member, "/quiet 25-99")
    assert "can't read" in bad.text
    letter_id = await new_letter(bot)  # 20 Feb 18:00 CET
    # 1d18h before: 19 Feb 00:00 CET = 01:00 in Vilnius, quiet until 07:00 (05:00 UTC).
    await bot.ask(bot.coordinator(), f"/reminders {letter_id} 1d18h")
    await circulate(bot, letter_id)
    await bot.replies(member, 2)
    bot.clock.set(utc(2026, 2, 18, 23, 0))
    assert (await bot.run_due()).reminded == 1  # claimed now, sent when quiet hours end
    await bot.silent(member)
    bot.clock.set(utc(2026, 2, 19, 4, 59))
    await bot.run_due()
    await bot.silent(member)
    bot.clock.set(utc(2026, 2, 19, 5, 0))
    await bot.run_due()
    [reminder] = await bot.replies(member)
    assert reminder.text.startswith(REMINDER)
    assert member.bot_messages[-1].date == int(utc(2026, 2, 19, 5, 0).timestamp())

    # Deadline 07:30 in Vilnius with a 3h reminder at 04:30 (quiet): waiting until 07:00
    # would leave half an hour, under the hour required, so it goes at once.
    [created] = await bot.ask(
        bot.coordinator(), "/newletter Early letter\n2026-02-21 07:30 Europe/Vilnius\nText."
    )
    early = int(created.text.split("#")[1].split()[0])
    await bot.ask(bot.coordinator(), f"/reminders {early} 3h")
    await circulate(bot, early)
    await bot.replies(member, 2)
    bot.clock.set(utc(2026, 2, 21, 2, 30))
    assert (await bot.run_due()).reminded == 1
    closed, at_once = await bot.replies(member, 2)  # the first letter closed meanwhile
    assert closed.text.startswith(f"🔒 Letter #{letter_id}")
    assert at_once.text.startswith(REMINDER) and "in 3 hours" in at_once.text


async def test_signing_during_quiet_hours_cancels_the_waiting_reminder(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id, [member] = await circulated(bot, tg, ["Org Night"])
    await bot.ask(bot.coordinator(), f"/reminders {letter_id} 1d18h")  # 19 Feb 00:00 CET
    bot.clock.set(utc(2026, 2, 18, 23, 0))
    assert (await bot.run_due()).reminded == 1
    await sign(bot, member)
    bot.clock.set(utc(2026, 2, 19, 7, 0))
    await bot.run_due()
    assert reminders_of(member) == []


async def test_moving_the_deadline_reschedules_and_tells_members(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id, [member] = await circulated(bot, tg, ["Org Moved"])
    [usage] = await bot.ask(bot.coordinator(), f"/deadline {letter_id}")
    assert "Usage" in usage.text
    [past] = await bot.ask(bot.coordinator(), f"/deadline {letter_id} 2026-01-01 10:00")
    assert "already passed" in past.text
    [moved] = await bot.ask(bot.coordinator(), f"/deadline {letter_id} 2026-02-27 18:00")
    assert "27 Feb 2026" in moved.text and "20 Feb 2026" in moved.text
    [notice] = await bot.replies(member)
    assert "has moved" in notice.text and "27 Feb 2026, 18:00 CET" in notice.text
    assert "mandate" not in notice.text.lower()
    # The old 7-day mark (13 Feb) passes quietly; the new one (20 Feb 17:00 UTC) reminds.
    bot.clock.set(utc(2026, 2, 13, 17, 0))
    assert (await bot.run_due()).reminded == 0
    bot.clock.set(utc(2026, 2, 20, 17, 0))
    assert (await bot.run_due()).reminded == 1
    assert [m for m in reminders_of(member) if "in 7 days" in m]
    events = await bot.db.fetch_all(
        "SELECT data FROM audit_events WHERE action = 'deadline.moved' AND letter_id = ?",
        (letter_id,),
    )
    assert len(events) == 1 and "2026-02-27T17:00:00+00:00" in events[0]["data"]


async def test_letter_closes_at_its_deadline_with_tally_and_export(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id, (anna, boris) = await circulated(bot, tg, ["Org One", "Org Two"])
    await sign(bot, anna)
    coordinator = bot.coordinator()
    coordinator.mark_all_read()
    boris.mark_all_read()
    bot.clock.set(utc(2026, 2, 20, 17, 0))
    done = await bot.run_due()
    assert done.closed == (letter_id,)
    # Issue 14 §4: members are told, neutrally (no title on a lock screen).
    for member in (anna, boris):
        notice = next(m for m in member.bot_messages if (m.text or "").startswith("🔒"))
        assert notice.text.startswith(f"🔒 Letter #{letter_id} for your organisation is closed")
        assert notice.protect_content and "mandate" not in notice.text
    report, *files = await bot.replies(coordinator, 4)
    assert "closed at its deadline" in report.text
    assert "signed: 1" in report.text and "no answer: 1" in report.text
    # The report's witness is the chain's head with the closing in it (issue 16).
    closing = await bot.db.fetch_value(
        "SELECT max(id) FROM audit_events WHERE action = 'letter.closed' AND letter_id = ?",
        (letter_id,),
    )
    assert closing is not None and f"#{closing}-" in report.text
    assert sorted(f.document["file_name"].rsplit(".", 1)[1] for f in files) == [
        "csv", "docx", "md",
    ]  # fmt: skip
    assert (await bot.run_due()).closed == ()
    await bot.silent(coordinator)
    status, _, _ = await bot.ask(coordinator, f"/status {letter_id}", replies=3)
    assert "closed" in status.text


async def test_a_letter_whose_deadline_passed_while_down_is_closed_at_start_up(
    settings: Settings, clock: FakeClock, tg: FakeTelegramServer
) -> None:
    async with running_bot(settings, clock, tg) as bot:
        letter_id, [member] = await circulated(bot, tg, ["Org Late"])
        bot.coordinator().mark_all_read()
    clock.set(utc(2026, 2, 25, 9, 0))
    async with restarted(settings, clock, tg) as bot:
        # The start-up pass runs on its own (a JobQueue job at once) ...
        await bot.settle()
        assert any("closed at its deadline" in (m.text or "")
                   for m in bot.coordinator().bot_messages)  # fmt: skip
        await bot.run_due()  # ... and is over once another pass could run
        assert len([m for m in bot.coordinator().bot_messages
                    if "closed at its deadline" in (m.text or "")]) == 1  # fmt: skip
        letter = await bot.db.fetch_one(
            "SELECT status, close_report FROM letters WHERE id = ?", (letter_id,)
        )
        assert (letter["status"], letter["close_report"]) == ("closed", "sent")
        # No reminder was sent late, for a letter that is closed.
        assert reminders_of(member) == []
        [answer] = await bot.ask(member, "/mine")
        assert "no open letters" in answer.text


async def test_milestones_are_listed_and_coordinators_reminded_a_day_before(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id = await new_letter(bot)
    coordinator = bot.coordinator()
    [added] = await bot.ask(
        coordinator, f"/milestone {letter_id} HRC session opens 2026-03-02 10:00"
    )
    assert "HRC session opens" in added.text and "2 Mar 2026" in added.text
    [vote] = await bot.ask(coordinator, f"/milestone {letter_id} Vote 2026-04-03 Europe/Zurich")
    assert "Vote" in vote.text
    [bad] = await bot.ask(coordinator, f"/milestone {letter_id} Vote on 2026-02-30")
    assert "Usage" in bad.text
    [details] = await bot.ask(coordinator, f"/letter {letter_id}")
    assert "Milestones" in details.text and "HRC session opens" in details.text
    coordinator.mark_all_read()
    bot.clock.set(utc(2026, 3, 1, 8, 59))
    await bot.run_due()
    assert not [m for m in coordinator.unread if "Tomorrow" in (m.text or "")]
    bot.clock.set(utc(2026, 3, 1, 9, 0))
    await bot.run_due()
    [tomorrow] = [m for m in coordinator.unread if "Tomorrow" in (m.text or "")]
    assert "HRC session opens" in tomorrow.text and "in 24 hours" in tomorrow.text
    await bot.run_due()
    assert len([m for m in coordinator.bot_messages if "Tomorrow" in (m.text or "")]) == 1
    [listed] = await bot.ask(coordinator, f"/milestone {letter_id}")
    assert "Vote" in listed.text
    [removed] = await bot.ask(coordinator, f"/milestone {letter_id} remove 2")
    assert "removed" in removed.text


async def test_daily_digest_has_new_responses_and_comments_and_skips_quiet_days(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id, (anna, boris) = await circulated(bot, tg, ["Org North", "Org South"])
    coordinator = bot.coordinator()
    bot.clock.set(utc(2026, 2, 3, 8, 0))  # 09:00 in Zurich: the first digest
    await bot.run_due()
    await sign(bot, anna)
    [question] = await bot.ask(anna, f"/withdraw {letter_id}")
    await withdraw(bot, anna, question)
    await sign(bot, anna)  # signed again: still one organisation that signed
    await boris.press(summary_of(boris), "💬 Comment")
    await bot.ask(boris, "Please add a paragraph on lawyers.")
    coordinator.mark_all_read()
    bot.clock.set(utc(2026, 2, 4, 7, 59))
    assert (await bot.run_due()).digest is None
    bot.clock.set(utc(2026, 2, 4, 8, 0))
    assert (await bot.run_due()).digest == 1
    [digest] = [m for m in coordinator.unread if "Daily digest" in (m.text or "")]
    assert f"#{letter_id}" in digest.text
    assert "1 signed" in digest.text and "1 comment" in digest.text
    coordinator.mark_all_read()
    bot.clock.set(utc(2026, 2, 5, 8, 0))  # nothing new since: nothing sent
    assert (await bot.run_due()).digest == 0
    await bot.silent(coordinator)
