"""A guided flow begun before an upgrade: its row, in the shape the previous version stored,
resumes where it was; a row this version can't read ends like an expired flow."""

from __future__ import annotations

from typing import Any

from bot.db import flows as flows_repo
from tests.harness import RunningBot


async def _stored(bot: RunningBot, user_id: int, kind: str, state: dict[str, Any]) -> None:
    await flows_repo.put(bot.db, user_id, kind, state, letter_id=None, now=bot.clock.now())


async def test_a_newletter_flow_stored_before_the_upgrade_resumes(bot: RunningBot) -> None:
    coordinator = bot.coordinator()
    # As the previous versions kept it: a part without a date (the oldest shape), and the
    # acknowledgement of a paste that is long over.
    await _stored(
        bot, coordinator.id, "newletter",
        {"step": "text", "language": "en", "title": "Joint letter",
         "deadline": "2026-02-20T17:00:00+00:00", "zone": "Europe/Paris",
         "parts": ["Dear members of the Council,"], "ack": {"message_id": 999, "date": 1}},
    )  # fmt: skip
    [ack] = await bot.ask(coordinator, "We write to you about the mandate.")
    assert "Got it" in (ack.text or "") and ack.button_texts == ["Done", "Cancel"]
    await coordinator.press(ack, "Done")
    [created] = await bot.replies(coordinator)
    assert "Letter #1 created" in (created.text or "") and "Joint letter" in created.text
    body = await bot.db.fetch_value("SELECT body FROM versions WHERE letter_id = 1")
    assert body == "Dear members of the Council,\n\nWe write to you about the mandate."
    assert await bot.db.fetch_value("SELECT count(*) FROM flows") == 0
    assert bot.errors == []


async def test_a_flow_this_version_cannot_read_ends_like_an_expired_one(bot: RunningBot) -> None:
    coordinator = bot.coordinator()
    await _stored(bot, coordinator.id, "newletter", {"step": "a step no version had"})
    [answer] = await bot.ask(coordinator, "The text of my letter")
    assert "I only understand commands and buttons here" in (answer.text or "")
    assert await bot.db.fetch_value("SELECT count(*) FROM flows") == 0
    await _stored(bot, coordinator.id, "a flow of a later version", {"step": 1})
    [answer] = await bot.ask(coordinator, "More text")
    assert "I only understand commands and buttons here" in (answer.text or "")
    assert bot.errors == []
