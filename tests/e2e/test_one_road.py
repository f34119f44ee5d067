"""Issue 15 §1 end to end: messages that answer no update take the outbox, documents too.

A close report with its files is queued in the transaction that marks it sent; when the
bot stops between that commit and the send (its outbox sender is stopped first, as a
crash would leave it), the next start sends it, exactly once. A colleague's notice is a
delivery (it is retried, recorded, and cleared by a purge like any other).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import services_of
from bot.clock import FakeClock
from bot.fake_telegram import FakeTelegramServer
from bot.settings import Settings
from tests.conftest import running_bot
from tests.e2e.test_membership import join
from tests.e2e.test_responses import circulated, sign

CLOSED = "closed at its deadline"


async def test_a_close_report_queued_before_a_crash_arrives_once_with_its_files(
    settings: Settings, clock: FakeClock, tg: FakeTelegramServer
) -> None:
    async with running_bot(settings, clock, tg) as bot:
        letter_id, [member] = await circulated(bot, tg, ["Org Once"])
        await sign(member)
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
        await coordinator.expect_no_message(0.3)
    async with running_bot(settings, clock, tg) as bot:
        coordinator = bot.coordinator()
        tally, *files = await coordinator.next_messages(4, timeout=20)
        assert CLOSED in (tally.text or "")
        assert sorted(f.document["file_name"].rsplit(".", 1)[1] for f in files) == [
            "csv", "docx", "md",
        ]  # fmt: skip
        await services_of(bot.app).scheduler.run_due()  # type: ignore[union-attr]
        await coordinator.expect_no_message(0.5)  # exactly once
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
        await colleague.next_messages(2, timeout=20)  # the open letter, delivered on joining
        colleague.mark_all_read()
        await sign(anna)
        [notice] = await colleague.next_messages(1)
        assert "signed" in (notice.text or "").lower()
        row = await bot.db.fetch_one(
            "SELECT status, letter_id, contact_id FROM deliveries WHERE kind = 'notice' "
            "AND chat_id = ?",
            (colleague.id,),
        )
        assert row is not None and row["status"] == "sent" and row["letter_id"] == letter_id
        assert row["contact_id"] is not None
