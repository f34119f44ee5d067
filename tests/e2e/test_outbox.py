"""The outbox end to end: the real sender draining deliveries into the strict fake server."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from bot import texts
from bot.app import stop_in_process
from bot.context import services_of
from bot.db import contacts as contacts_repo
from bot.db.timefmt import to_db
from bot.demo.factories import BoundMember
from bot.fake_telegram import FakeTelegramServer
from bot.fake_telegram.models import ApiError
from bot.jobs.outbox import delete_expired_messages
from bot.services import outbox
from bot.services.outbox import OutgoingMessage
from bot.settings import SettingsError, load_settings
from tests.factories import (
    bound_members,
    drained,
    opened_coordinator,
    queue,
    statuses,
    text,
    texts_of,
    three_parts,
    wake_outbox,
)
from tests.harness import RunningBot, running_bot

# Pacing is what these tests are about: Telegram's own limits, in the fake and the bot.
pytestmark = pytest.mark.telegram_pace
# Telegram's overall ~30/s counts sends; edits share only the per-chat limit with them.
SEND_METHODS = {"sendMessage", "sendDocument", "sendPhoto"}
PACED_METHODS = SEND_METHODS | {"editMessageText"}


def send_rejections(tg: FakeTelegramServer) -> list[Any]:
    return [r for r in tg.rejections if r.method in PACED_METHODS]


async def test_broadcast_reaches_everyone_once_in_order_within_limits(bot: RunningBot) -> None:
    boss = opened_coordinator(bot)
    members = await bound_members(bot, 40)
    broadcast_id = await queue(bot, members, three_parts)
    await drained(bot, broadcast_id)

    for member in members:
        assert texts_of(bot.tg, member.user.id) == [
            f"Summary for {member.name}",
            f"Full text 1/2 for {member.name}",
            f"Full text 2/2 for {member.name}",
        ]
        summary = member.user.bot_messages[0]
        assert summary.button_texts == ["Sign"] and summary.protect_content
    assert send_rejections(bot.tg) == []  # not one 429, per chat or overall
    # Paced at 28/s: no sliding second at the server holds more than Telegram's 30 (the
    # sender spaces what it admits; a stall of the event loop after admission can bunch two
    # arrivals, which the margin under 30 absorbs) …
    times = sorted(r.time for r in bot.tg.requests if r.method in SEND_METHODS)
    busiest = max(sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times))
    assert busiest <= 30
    assert (len(times) - 1) / (times[-1] - times[0]) >= 26  # … and it stays close to it
    assert set(await statuses(bot, broadcast_id)) == {("sent", None)}
    sent = await bot.db.fetch_all(
        "SELECT telegram_message_id, sent_at FROM deliveries WHERE broadcast_id = ?",
        (broadcast_id,),
    )
    assert all(row["telegram_message_id"] and row["sent_at"] for row in sent)

    # Progress: one message, edited while it went (120 messages take over 4 s), then a report.
    progress, report = boss.bot_messages
    assert progress.text == "✅ Delivery finished: 120 of 120 messages delivered"
    assert progress.edit_date is not None and bot.tg.calls["editMessageText"] >= 2
    assert report.text.startswith("Delivery report\n120 of 120 messages delivered.")
    assert report.reply_to_message_id == progress.message_id
    row = await bot.db.fetch_one("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
    assert row is not None
    assert row["progress_message_id"] == progress.message_id and row["finished_at"]


async def test_blocked_member_becomes_unreachable_and_coordinators_are_told_once(
    bot: RunningBot,
) -> None:
    boss = opened_coordinator(bot)
    members = await bound_members(bot, 3)
    blocked = members[1]
    blocked.user.block()
    broadcast_id = await queue(bot, members, three_parts)
    await drained(bot, broadcast_id)

    assert texts_of(bot.tg, blocked.user.id) == []
    tried = [r for r in bot.tg.requests if r.params.get("chat_id") == blocked.user.id]
    assert len(tried) == 1  # the rest of the broadcast was cancelled, not tried
    contact = await contacts_repo.get(bot.db, blocked.contact_id)
    assert contact is not None and contact.status == "unreachable"
    rows = await bot.db.fetch_all(
        "SELECT status, reason FROM deliveries WHERE contact_id = ? ORDER BY id",
        (blocked.contact_id,),
    )
    assert [(r["status"], r["reason"]) for r in rows] == [
        ("failed", "unreachable"),
        ("cancelled", "unreachable"),
        ("cancelled", "unreachable"),
    ]
    for member in (members[0], members[2]):
        assert len(texts_of(bot.tg, member.user.id)) == 3

    notice = texts.render(
        texts.OUTBOX_CONTACT_UNREACHABLE, name="Member 001", organisation="Org 001"
    )
    boss_texts = [m.text for m in boss.bot_messages]
    assert boss_texts.count(notice) == 1
    [report] = [t for t in boss_texts if t and t.startswith("Delivery report")]
    assert "6 of 9 messages delivered" in report
    assert "• Member 001 (Org 001)" in report
    progress = await outbox.broadcast_progress(bot.db, broadcast_id)
    assert (progress.sent, progress.unreachable, progress.pending) == (6, 3, 0)
    assert [c.name for c in progress.unreachable_contacts] == ["Member 001"]


# PTB 22.8 itself warns about RetryAfter's int retry_after when it raises one.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_control_is_obeyed_and_not_a_failure(bot: RunningBot) -> None:
    # Telegram is stricter with this chat than the bot expects: no burst at all.
    bot.tg.limits.per_chat_burst = 1
    [member] = await bound_members(bot, 1)
    broadcast_id = await queue(bot, [member], three_parts, requested_by=None)
    await drained(bot, broadcast_id)

    assert texts_of(bot.tg, member.user.id) == [
        f"Summary for {member.name}",
        f"Full text 1/2 for {member.name}",
        f"Full text 2/2 for {member.name}",
    ]
    sends = [r for r in bot.tg.requests if r.method == "sendMessage"]
    floods = [i for i, r in enumerate(sends) if r.error_code == 429]
    assert floods, "the fake should have answered 429 at least once"
    for i in floods:  # the next try came only after the retry_after Telegram asked for
        assert sends[i + 1].time - sends[i].time >= 1.0
    rows = await bot.db.fetch_all(
        "SELECT status, attempts, error FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)
    )
    assert [(r["status"], r["attempts"], r["error"]) for r in rows] == [("sent", 1, None)] * 3


async def test_refused_message_is_reported_and_never_retried(bot: RunningBot) -> None:
    boss = opened_coordinator(bot)
    members = await bound_members(bot, 2)

    def compose(member: BoundMember) -> list[OutgoingMessage]:
        broken = text("<b>unclosed") if member is members[0] else text("fine")
        return [broken, text(f"after for {member.name}")]

    broadcast_id = await queue(bot, members, compose)
    await drained(bot, broadcast_id)

    refused = [r for r in bot.tg.requests if r.params.get("text") == "<b>unclosed"]
    assert len(refused) == 1 and refused[0].error_code == 400
    # The chat's next message still went out, in order.
    assert texts_of(bot.tg, members[0].user.id) == ["after for Member 000"]
    assert await statuses(bot, broadcast_id) == [
        ("failed", "rejected"),
        ("sent", None),
        ("sent", None),
        ("sent", None),
    ]
    [report] = [m.text for m in boss.bot_messages if m.text.startswith("Delivery report")]
    assert "3 of 4 messages delivered" in report
    assert "1 message could not be sent. Telegram's first answer: " in report
    assert "Can't parse entities" in report

    # Without a progress message and report, coordinators are told at once.
    later = await queue(bot, [members[1]], lambda m: [text("<i>oops")], requested_by=None)
    await drained(bot, later)
    notices = [m.text for m in boss.bot_messages if m.text.startswith("⚠️ Telegram refused")]
    assert len(notices) == 1 and "Member 001 (Org 001)" in notices[0]


async def test_timed_out_send_is_uncertain_and_not_resent(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened_coordinator(bot)
    members = await bound_members(bot, 2)
    slow_chat = members[0].user.id
    original = bot.tg._api_sendMessage

    async def slow(p: Any, h: Any) -> Any:
        if p.get("chat_id") == str(slow_chat) and "Summary" in p.get_str("text"):
            await asyncio.sleep(1.0)  # longer than the bot waits; the message still arrives
        return await original(p, h)

    monkeypatch.setattr(bot.tg, "_api_sendMessage", slow)
    sender = services_of(bot.app).outbox_sender
    assert sender is not None
    monkeypatch.setattr(sender, "send_timeout", 0.3)
    broadcast_id = await queue(bot, members, three_parts)
    await drained(bot, broadcast_id)  # settled: the slow request finished on the fake's side

    # Telegram got it (its answer was late): it is there exactly once, never resent. (It
    # landed after the parts sent meanwhile: the sender moved on when it gave up waiting.)
    assert sorted(texts_of(bot.tg, slow_chat)) == [
        "Full text 1/2 for Member 000",
        "Full text 2/2 for Member 000",
        "Summary for Member 000",
    ]
    assert (await statuses(bot, broadcast_id))[0] == ("uncertain", "timed_out")
    progress = await outbox.broadcast_progress(bot.db, broadcast_id)
    assert (progress.sent, progress.uncertain) == (5, 1)
    [report] = [m.text for m in bot.coordinator().bot_messages if "Delivery report" in m.text]
    assert "1 message may not have arrived" in report


async def test_network_error_is_retried_with_backoff_in_order(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = await bound_members(bot, 2)
    flaky_chat = members[0].user.id
    original = bot.tg._api_sendMessage
    failures = []

    async def flaky(p: Any, h: Any) -> Any:
        if p.get("chat_id") == str(flaky_chat) and not failures:
            failures.append(p.get_str("text"))
            raise ApiError(502, "Bad Gateway")  # Telegram's front end, now and then
        return await original(p, h)

    monkeypatch.setattr(bot.tg, "_api_sendMessage", flaky)
    broadcast_id = await queue(bot, members, three_parts, requested_by=None)

    await bot.settle()
    # The other chat was not held up; the flaky chat waits for its back-off, in order.
    assert len(texts_of(bot.tg, members[1].user.id)) == 3
    assert texts_of(bot.tg, flaky_chat) == []
    first = await bot.db.fetch_one(
        "SELECT * FROM deliveries WHERE chat_id = ? ORDER BY id LIMIT 1", (flaky_chat,)
    )
    assert first is not None
    assert (first["status"], first["attempts"]) == ("pending", 1)
    assert first["not_before"] == to_db(bot.clock.now() + timedelta(seconds=2))
    assert "Bad Gateway" in first["error"]

    bot.clock.advance(timedelta(seconds=2))
    wake_outbox(bot)
    await drained(bot, broadcast_id)
    assert texts_of(bot.tg, flaky_chat) == [
        "Summary for Member 000",
        "Full text 1/2 for Member 000",
        "Full text 2/2 for Member 000",
    ]
    assert set(await statuses(bot, broadcast_id)) == {("sent", None)}


async def test_draft_ttl_deletes_expired_messages(bot: RunningBot) -> None:
    # The sweep runs every minute from the JobQueue; here it is called after moving the clock.
    assert bot.app.job_queue is not None
    [job] = bot.app.job_queue.get_jobs_by_name("outbox:delete-expired")
    assert job.job.misfire_grace_time is None and job.job.coalesce
    members = await bound_members(bot, 2)
    broadcast_id = await queue(
        bot, members, three_parts, requested_by=None, delete_after=timedelta(hours=24)
    )
    keep = await queue(bot, members, lambda m: [text(f"keep {m.name}")], requested_by=None)
    await drained(bot, broadcast_id)
    await drained(bot, keep)
    # The member deleted one message themselves: "not found" counts as deleted.
    members[1].user.bot_messages[0].deleted = True

    bot.clock.advance(timedelta(hours=23, minutes=59))
    assert await delete_expired_messages(bot.app) == 0
    assert bot.tg.calls["deleteMessage"] == 0

    bot.clock.advance(timedelta(minutes=1))
    assert await delete_expired_messages(bot.app) == 6
    for member in members:
        assert [m.text for m in member.user.bot_messages] == [f"keep {member.name}"]
    rows = await bot.db.fetch_all(
        "SELECT deleted_at, delete_error FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)
    )
    assert all(r["deleted_at"] == to_db(bot.clock.now()) and not r["delete_error"] for r in rows)
    assert await delete_expired_messages(bot.app) == 0
    assert bot.tg.calls["deleteMessage"] == 6


async def test_draft_ttl_past_telegrams_48_hours_is_recorded_not_retried(
    bot: RunningBot,
) -> None:
    [member] = await bound_members(bot, 1)
    broadcast_id = await queue(
        bot, [member], lambda m: [text("draft")], requested_by=None, delete_after=timedelta(hours=1)
    )
    await drained(bot, broadcast_id)
    bot.clock.advance(timedelta(hours=49))  # the bot was down for two days

    assert await delete_expired_messages(bot.app) == 0
    [rejection] = [r for r in bot.tg.rejections if r.method == "deleteMessage"]
    assert rejection.description == "Bad Request: message can't be deleted for everyone"
    row = await bot.db.fetch_one("SELECT * FROM deliveries WHERE broadcast_id = ?", (broadcast_id,))
    assert row is not None and row["deleted_at"] is None
    assert row["delete_error"] == "Message can't be deleted for everyone"
    assert await delete_expired_messages(bot.app) == 0
    assert bot.tg.calls["deleteMessage"] == 1  # not tried again


def test_draft_ttl_must_stay_under_48_hours() -> None:
    with pytest.raises(SettingsError, match="DRAFT_TTL: must be under 48h"):
        load_settings(_env_file=None, draft_ttl="48h")
    assert load_settings(_env_file=None, draft_ttl="47h").draft_ttl == timedelta(hours=47)


async def test_restart_resumes_with_the_same_progress_message_and_one_report(
    bot: RunningBot,
) -> None:
    boss = opened_coordinator(bot)
    members = await bound_members(bot, 30)
    broadcast_id = await queue(bot, members, three_parts)
    await bot.meanwhile(lambda: any(m.text.startswith("⏳") for m in boss.bot_messages))
    await stop_in_process(bot.app)  # a clean stop half-way
    first_run = sum(len(texts_of(bot.tg, m.user.id)) for m in members)
    assert 30 <= first_run < 90

    async with running_bot(bot.settings, bot.clock, bot.tg) as again:
        await drained(again, broadcast_id)
        for member in members:
            assert len(texts_of(bot.tg, member.user.id)) == 3
        # A clean stop lets requests in flight finish: nothing was left uncertain.
        assert set(await statuses(again, broadcast_id)) == {("sent", None)}
        progress_messages = [m for m in boss.bot_messages if m.text[:1] in ("⏳", "✅")]
        assert len(progress_messages) == 1  # the same message, edited after the restart
        assert progress_messages[0].text == "✅ Delivery finished: 90 of 90 messages delivered"
        reports = [m for m in boss.bot_messages if (m.text or "").startswith("Delivery report")]
        assert len(reports) == 1
