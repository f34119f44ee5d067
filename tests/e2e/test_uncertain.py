"""Issue 13: a message that may not have arrived is named, reachable, and sent again on request.

A member's summary times out (Telegram never answers, and never delivers it). The bot does
not resend it on its own; the delivery report and /status name the member and the
organisation and offer one button that sends it again; the member reaches the letter with
/mine meanwhile. Only coordinators can press it, each press queues only what is still
uncertain, and it is audited.
"""

from __future__ import annotations

import pytest

from bot.context import services_of
from bot.db import audit
from bot.fake_telegram import FakeTelegramServer, FakeUser
from bot.services import outbox
from tests.factories import add_org, circulate, join, new_letter
from tests.harness import RunningBot

REPORT = "Delivery report"
RESEND = "🔁 Send again"


def reports(user: FakeUser) -> list:
    return [m for m in user.bot_messages if (m.text or "").startswith(REPORT)]


def summaries(member: FakeUser) -> list:
    return [m for m in member.bot_messages if (m.text or "").startswith("📄")]


async def test_uncertain_summary_is_named_reachable_and_sent_again_once(
    bot: RunningBot, tg: FakeTelegramServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    coordinator = bot.coordinator()
    anna = await join(bot, tg, 3000, await add_org(bot, "Org Anna"))
    boris = await join(bot, tg, 3010, await add_org(bot, "Org Boris"))
    letter_id = await new_letter(bot)
    sender = services_of(bot.app).outbox_sender
    assert sender is not None
    monkeypatch.setattr(sender, "send_timeout", 0.5)
    # Telegram takes Boris's summary and never answers, nor delivers it.
    tg.faults.add(
        "sendMessage", hang=60, deliver=False, chat_id=boris.id,
        when=lambda params: params.get("text", "").startswith("📄"),
    )  # fmt: skip
    await circulate(bot, letter_id)
    await bot.settle()
    assert len(reports(coordinator)) == 1
    [report] = reports(coordinator)
    assert "3 of 4 messages delivered" in report.text
    assert "1 message may not have arrived" in report.text
    assert "Member 3010 (Org Boris)" in report.text
    assert "Org Anna" not in report.text
    assert summaries(boris) == [] and len(summaries(anna)) == 1  # not resent on its own

    # Boris can always reach the letter.
    [mine] = await bot.ask(boris, "/mine")
    assert "Letter on the mandate" in mine.text

    # /status names him too, with the same button.
    status = await bot.ask(coordinator, f"/status {letter_id}", replies=4)
    [uncertain] = [m for m in status if "may not have got a message" in (m.text or "")]
    assert "Member 3010 (Org Boris)" in uncertain.text and "Org Anna" not in uncertain.text
    assert [label for row in uncertain.buttons for label, _ in row] == [RESEND]

    # A member forging the button learns nothing and changes nothing.
    await boris.forge_callback(f"rsl:{letter_id}")
    [refused] = await bot.replies(boris)
    assert "Only coordinators" in refused.text
    assert summaries(boris) == []

    await coordinator.press(report, RESEND)
    [queued] = await bot.replies(coordinator)
    assert "Sending 1 message again" in queued.text
    await bot.settle()
    assert len(summaries(boris)) == 1 and len(reports(coordinator)) == 2
    assert "1 of 1 message delivered" in reports(coordinator)[1].text
    assert len(summaries(anna)) == 1  # only what was uncertain went again

    # A second press (here, on /status's button) finds nothing uncertain any more.
    await coordinator.press(uncertain, RESEND)
    [nothing] = await bot.replies(coordinator)
    assert "Nothing to send again" in nothing.text
    assert await outbox.uncertain_of_letter(bot.db, letter_id) == ()  # /status shows none
    events = await audit.events(bot.db, letter_id=letter_id)
    resent = [e for e in events if e.action == "delivery.resent"]
    assert len(resent) == 1 and resent[0].actor.startswith("coordinator:")
