"""Faults: Telegram answering 502, hanging, storming 429; the bot killed with -9.

Telegram's misbehaviour is injected into the fake server (``tg.faults``); the fake stays
strict otherwise, so ``tg.rejections`` (the bot's own mistakes) must stay empty. After
every fault: nothing lost, nothing sent twice (a timed-out send that may have arrived is
recorded ``uncertain`` and not resent), and the bot went on by itself.

The crash during a reminder run runs the bot as a real process (``python -m bot run``) on
the real clock: the letter's deadline is set 3 hours less a minute from now with a 3-hour
reminder, so the reminder is due as the bot starts. (``test_outbox_crash`` has the kill
in the middle of a circulation.)
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.context import services_of
from bot.db import letters as letters_repo
from bot.db import open_database
from bot.db.migrate import apply_migrations
from bot.demo.factories import BoundMember
from bot.fake_telegram import FakeTelegramServer
from bot.services import letters, membership
from bot.services.letters import DraftSource
from tests.factories import (
    bound_members,
    drained,
    opened_coordinator,
    queue,
    statuses,
    texts_of,
)
from tests.factories import three_parts as parts
from tests.harness import (
    COORDINATOR_ID,
    RunningBot,
    process_environment,
    start_process,
    until,
)

# Flood control and Telegram's answers under load: Telegram's own limits.
pytestmark = pytest.mark.telegram_pace
MEMBERS = 16


def _to_members(message_params: dict) -> bool:  # type: ignore[type-arg]
    """The broadcast's messages (a handler's direct reply has no outbox behind it: a 502
    there is a handler error, apologised for; see test_errors)."""
    return "for Member" in str(message_params.get("text"))


@contextlib.asynccontextmanager
async def _time_flies(clock: FakeClock, rate: float = 20.0) -> AsyncIterator[None]:
    """The fake clock runs ``rate`` times faster than real time (back-off waits come due)."""

    async def tick() -> None:
        while True:
            await asyncio.sleep(0.05)
            clock.advance(timedelta(seconds=0.05 * rate))

    task = asyncio.create_task(tick())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _each_once_in_order(tg: FakeTelegramServer, members, *, may_miss=frozenset()) -> None:  # type: ignore[no-untyped-def]
    for member in members:
        got = texts_of(tg, member.user.id)
        expected = [m.params["text"].replace("<b>", "").replace("</b>", "") for m in parts(member)]
        assert Counter(got).most_common(1)[0][1] == 1, f"{member.name} got one twice: {got}"
        assert set(expected) - set(got) <= may_miss, f"{member.name} lost a message: {got}"
        assert set(got) <= set(expected), got


def _refused(tg: FakeTelegramServer) -> list:  # type: ignore[type-arg]
    """The bot's own mistakes (injected faults are not listed). The coordinator's command
    menu at start-up is refused when she opened the bot only after it started (the fixtures'
    order), as Telegram would."""
    return [r for r in tg.rejections if r.method != "setMyCommands"]


async def _members(bot: RunningBot) -> tuple[list[BoundMember], BoundMember]:
    """The broadcast's members, and one more outside it."""
    opened_coordinator(bot)
    everyone = await bound_members(bot, MEMBERS + 1)
    return everyone[:-1], everyone[-1]


async def _whoami(bot: RunningBot, other: BoundMember) -> None:
    """Someone outside the broadcast is answered meanwhile: nothing is held up (the answer
    is waited for while the broadcast goes on, not once the bot settled)."""
    user = other.user
    assert user is not None
    user.mark_all_read()
    await user.send("/whoami")
    await bot.meanwhile(lambda: bool(user.unread))
    [answer] = user.unread
    assert other.organisation in (answer.text or "")


async def test_502_storm_and_a_polling_outage_lose_nothing_and_send_nothing_twice(
    bot: RunningBot,
) -> None:
    members, other = await _members(bot)
    tg = bot.tg
    storm = tg.faults.add("sendMessage", status=502, times=40, when=_to_members)
    async with _time_flies(bot.clock):
        broadcast_id = await queue(bot, members, parts)
        # Meanwhile polling fails three times in a row; PTB's updater retries by itself.
        outage = tg.faults.add("getUpdates", status=502, times=3)
        await _whoami(bot, other)
        await drained(bot, broadcast_id, timeout=60)
    assert storm.hits == 40 and outage.hits == 3
    _each_once_in_order(tg, members)
    assert set(await statuses(bot, broadcast_id)) == {("sent", None)}
    [report] = [m.text for m in bot.coordinator().bot_messages if "Delivery report" in m.text]
    assert f"{3 * MEMBERS} of {3 * MEMBERS} messages delivered" in report
    assert _refused(tg) == []


async def test_hanging_telegram_leaves_sends_uncertain_never_twice(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    members, other = await _members(bot)
    tg = bot.tg
    sender = services_of(bot.app).outbox_sender
    assert sender is not None
    # The outbox waits SEND_TIMEOUT (15 s) for an answer; 60-second hangs end when it gives up.
    monkeypatch.setattr(sender, "send_timeout", 0.5)
    late = [m.user.id for m in members[:3]]  # Telegram took the message, the answer was lost
    lost = [m.user.id for m in members[3:5]]  # Telegram never got it
    for chat in late:
        tg.faults.add("sendMessage", hang=60, chat_id=chat)
    for chat in lost:
        tg.faults.add("sendMessage", hang=60, chat_id=chat, deliver=False)
    broadcast_id = await queue(bot, members, parts)
    await _whoami(bot, other)  # others are not held up meanwhile
    await drained(bot, broadcast_id, timeout=60)
    await bot.settle()

    uncertain = {
        m.user.id
        for m, (status, _) in zip(
            [m for m in members for _ in range(3)], await statuses(bot, broadcast_id), strict=True
        )
        if status == "uncertain"
    }
    assert uncertain == set(late + lost)
    for member in members:
        summary = parts(member)[0].params["text"].replace("<b>", "").replace("</b>", "")
        got = texts_of(tg, member.user.id)
        assert (summary in got) == (member.user.id not in lost), got
    _each_once_in_order(tg, members, may_miss=frozenset(
        p.params["text"].replace("<b>", "").replace("</b>", "")
        for m in members if m.user.id in lost for p in parts(m)[:1]
    ))  # fmt: skip
    # Asked once each: never resent after the timeout. (A 429 is Telegram refusing a send,
    # which is then sent again: the late sends the fake carried out after the bot gave up
    # on them can fill a sliding second beyond what the bot's limiter had planned.)
    asked = Counter(
        r.params.get("text")
        for r in tg.requests
        if r.method == "sendMessage" and r.error_code != 429
    )
    twice = {text: n for text, n in asked.items() if text and "for Member" in text and n != 1}
    assert not twice, twice
    [report] = [m.text for m in bot.coordinator().bot_messages if "Delivery report" in m.text]
    assert "5 messages may not have arrived" in report
    assert {(r.method, r.error_code) for r in _refused(tg)} <= {("sendMessage", 429)}


async def test_429_storm_is_waited_out_without_loss_or_duplicates(bot: RunningBot) -> None:
    members, other = await _members(bot)
    tg = bot.tg
    storm = tg.faults.add("sendMessage", retry_after=1, times=15, when=_to_members)
    broadcast_id = await queue(bot, members, parts)
    await _whoami(bot, other)
    await drained(bot, broadcast_id, timeout=90)
    assert storm.hits == 15
    _each_once_in_order(tg, members)
    for member in members:  # in order despite the re-queueing
        expected = [p.params["text"].replace("<b>", "").replace("</b>", "") for p in parts(member)]
        assert texts_of(tg, member.user.id) == expected
    assert set(await statuses(bot, broadcast_id)) == {("sent", None)}
    assert _refused(tg) == []


# --- kill -9 during a reminder run ------------------------------------------------------------

ORGS = 60
FIRST_USER = 70_000
REMINDER = "⏰ A letter is waiting for your organisation's answer"


async def _prepare_reminder_run(database: Path, tg: FakeTelegramServer, now: datetime) -> int:
    """60 organisations that have not answered a letter whose 3-hour reminder is due now."""
    db = await open_database(database)
    try:
        await apply_migrations(db, now)
        actor = "cli"
        for n in range(ORGS):
            org = await membership.add_organisation(db, f"Org {n:02d}", actor=actor, now=now)
            issued = await membership.issue_invite(
                db, org.id, label=None, created_by=None, actor=actor, now=now,
                ttl=timedelta(days=7),
            )  # fmt: skip
            user = tg.add_user(FIRST_USER + n, f"Member {n:02d}")
            user.started = True
            await membership.redeem_invite(
                db, issued.token, telegram_user_id=user.id, display_name=user.first_name,
                language="en", now=now,
            )  # fmt: skip
        # Circulated ten minutes ago (its messages went out then: none are queued here),
        # when the 3-hour reminder was still ahead; it came due a minute ago.
        earlier = now - timedelta(minutes=10)
        letter, _ = await letters.create_letter(
            db, title="Letter on the mandate", deadline=now + timedelta(hours=3, minutes=-1),
            zone_name="Europe/Zurich", body="We urge you.", source=DraftSource("text"),
            language="en", created_by=COORDINATOR_ID, actor=actor, now=earlier,
        )  # fmt: skip
        await letters_repo.set_reminder_offsets(db, letter.id, "3h")
        await letters.circulate(
            db, letter.id, None, requested_by=None, actor=actor, now=earlier,
            compose=lambda *_: [], default_offsets=[timedelta(hours=3)],
        )  # fmt: skip
    finally:
        await db.close()
    return letter.id


async def test_kill_9_during_a_reminder_run_then_restart(
    tg: FakeTelegramServer, tmp_path: Path
) -> None:
    database = tmp_path / "data" / "bot.db"
    tg.add_user(COORDINATOR_ID, "Olena").started = True
    letter_id = await _prepare_reminder_run(database, tg, datetime.now(UTC))
    env = process_environment(tg, database) | {"QUIET_HOURS": "off", "DIGEST_TIME": "off"}
    members = [tg.user(FIRST_USER + n) for n in range(ORGS)]

    def reminded() -> int:
        return sum(
            1 for m in members for b in m.bot_messages if (b.text or "").startswith(REMINDER)
        )

    # Telegram is having a bad minute too: a few 502s and 429s during the first run.
    tg.faults.add("sendMessage", status=502, times=4, when=_to_members)
    tg.faults.add("sendMessage", retry_after=1, times=3, when=_to_members)
    with (tmp_path / "bot.log").open("wb") as log:
        first = await start_process(env, tmp_path, log)
        try:
            await until(lambda: reminded() >= 20, timeout=30)
            first.send_signal(signal.SIGKILL)
            await first.wait()
        finally:
            if first.returncode is None:
                first.kill()
                await first.wait()
        assert first.returncode == -signal.SIGKILL
        at_kill = reminded()
        assert at_kill < ORGS  # really in the middle of the run

        second = await start_process(env, tmp_path, log)
        try:

            async def settled() -> bool:
                db = await open_database(database)
                try:
                    waiting = await db.fetch_value(
                        "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
                    )
                    unfinished = await db.fetch_value(
                        "SELECT count(*) FROM broadcasts WHERE finished_at IS NULL"
                    )
                finally:
                    await db.close()
                return waiting == 0 and unfinished == 0

            async with asyncio.timeout(60):
                while not await settled():  # noqa: ASYNC110 - the state is in another process
                    await asyncio.sleep(0.2)
            second.send_signal(signal.SIGTERM)
            async with asyncio.timeout(20):
                await second.wait()
        finally:
            if second.returncode is None:
                second.kill()
                await second.wait()
    log_text = (tmp_path / "bot.log").read_text()
    assert second.returncode == 0, log_text[-3000:]
    assert "Traceback" not in log_text, log_text[-3000:]

    db = await open_database(database)
    try:
        plan = await db.fetch_all("SELECT status FROM reminders WHERE letter_id = ?", (letter_id,))
        sends = await db.fetch_all("SELECT status FROM reminder_sends")
        rows = await db.fetch_all(
            "SELECT chat_id, status, reason FROM deliveries WHERE broadcast_id IN "
            "(SELECT id FROM broadcasts WHERE kind = 'reminder') ORDER BY id"
        )
    finally:
        await db.close()
    # Claimed once per organisation, each contact queued once, before the kill or after.
    assert [r["status"] for r in plan] == ["sent"] * ORGS
    assert [r["status"] for r in sends] == ["queued"] * ORGS
    assert len(rows) == ORGS
    uncertain = {r["chat_id"] for r in rows if r["status"] == "uncertain"}
    assert {r["status"] for r in rows} <= {"sent", "uncertain"}
    assert all(r["reason"] == "interrupted" for r in rows if r["status"] == "uncertain")
    # Uncertain means "on the wire when the bot died": Telegram had been asked (only the one
    # delivery marked in the instant before the kill may not have left yet), and uncertain
    # ones were not asked again.
    asked = Counter(
        int(r.params["chat_id"]) for r in tg.requests
        if r.method == "sendMessage" and _to_members(r.params)
    )  # fmt: skip
    assert len(uncertain - set(asked)) <= 1
    assert all(asked[chat] <= 1 for chat in uncertain)
    for member in members:
        got = [b.text for b in member.bot_messages if (b.text or "").startswith(REMINDER)]
        assert len(got) <= 1, f"{member!r} was reminded twice"
        assert got or member.id in uncertain, f"{member!r} was never reminded"
    # At shutdown PTB cancels its long poll and confirms the last update with one more
    # getUpdates; the fake can see that before it notices the first one was given up, and
    # answers the abandoned one 409 (which nobody reads).
    assert [r for r in _refused(tg) if r.method != "getUpdates"] == []
    print(f"\nkilled after {at_kill} of {ORGS} reminders; {len(uncertain)} uncertain")
