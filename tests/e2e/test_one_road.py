"""Issue 15 §1 end to end: messages that answer no update take the outbox, documents too.

A close report with its files is queued in the transaction that marks it sent; when the
bot stops between that commit and the send (its outbox sender is stopped first, as a
crash would leave it), the next start sends it, exactly once. A colleague's notice is a
delivery (it is retried, recorded, and cleared by a purge like any other).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.context import services_of
from bot.fake_telegram import FakeTelegramServer
from bot.settings import Settings
from tests.factories import circulated, join, sign
from tests.harness import running_bot

CLOSED = "closed at its deadline"


async def test_a_close_report_queued_before_a_crash_arrives_once_with_its_files(
    settings: Settings, clock: FakeClock, tg: FakeTelegramServer
) -> None:
    async with running_bot(settings, clock, tg) as bot:
        letter_id, [member] = await circulated(bot, tg, ["Org Once"])
        await sign(bot, member)
        coordinator = bot.coordinator()
        coordinator.mark_all_read()
        services = services_of(bot.app)
        assert services.outbox_sender is not None and services.scheduler is not None
        await services.outbox_sender.stop()  # what a crash right after the commit leaves
        clock.set(datetime(2026, 2, 20, 17, 0, tzinfo=UTC))
        assert (await services.scheduler.run_due()).closed == (letter_id,)
        queued = await bot.db.fetch_all(
            "SELECT payload FROM deliveries WHERE kind = 'report' AND letter_id = ? "
            "AND status = 'pending' ORDER BY id",
            (letter_id,),
        )
        assert len(queued) == 4  # the tally, then .csv, .docx and .md
        assert '"file"' in queued[1]["payload"]  # the file itself, committed with its message
        report = await bot.db.fetch_value(
            "SELECT close_report FROM letters WHERE id = ?", (letter_id,)
        )
        assert report == "sent"  # marked in the same transaction: no second report
        assert not coordinator.unread  # the sender is stopped: nothing left the bot
    async with running_bot(settings, clock, tg) as bot:
        coordinator = bot.coordinator()
        tally, *files = await bot.replies(coordinator, 4)
        assert CLOSED in (tally.text or "")
        assert sorted(f.document["file_name"].rsplit(".", 1)[1] for f in files) == [
            "csv", "docx", "md",
        ]  # fmt: skip
        await bot.run_due()
        await bot.silent(coordinator)  # exactly once
        assert len([m for m in coordinator.bot_messages if CLOSED in (m.text or "")]) == 1
        # Telegram has the files: the deliveries name them by file_id, the copies went.
        payloads = await bot.db.fetch_all(
            "SELECT payload FROM deliveries WHERE kind = 'report' AND letter_id = ?",
            (letter_id,),
        )
        assert not any('"file"' in row["payload"] for row in payloads)


async def test_a_colleague_is_told_through_the_outbox(
    settings: Settings, clock: FakeClock, tg: FakeTelegramServer
) -> None:
    async with running_bot(settings, clock, tg) as bot:
        letter_id, [anna] = await circulated(bot, tg, ["Org Pair"])
        org_id = await bot.db.fetch_value("SELECT organisation_id FROM letter_organisations")
        colleague = await join(bot, tg, 3901, org_id)
        # (joining read the open letter it was given)
        await sign(bot, anna)
        [notice] = await bot.replies(colleague)
        assert "signed" in (notice.text or "").lower()
        row = await bot.db.fetch_one(
            "SELECT status, letter_id, contact_id FROM deliveries WHERE kind = 'notice' "
            "AND chat_id = ?",
            (colleague.id,),
        )
        assert row is not None and row["status"] == "sent" and row["letter_id"] == letter_id
        assert row["contact_id"] is not None
