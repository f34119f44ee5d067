"""Issue 2 end to end: the real Application against the strict fake server."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import texts
from bot.clock import FakeClock
from bot.fake_telegram import FakeTelegramServer
from tests.harness import COORDINATOR_ID, TOKEN, RunningBot, make_settings, running_bot


async def test_coordinator_start_gets_the_coordinator_help(bot: RunningBot) -> None:
    coordinator = bot.coordinator()
    [answer] = await bot.ask(coordinator, "/start")
    assert "Coalition Bot — coordinator" in answer.text
    assert "/addorg" in answer.text
    assert answer.parse_mode == "HTML"


async def test_unknown_user_gets_one_neutral_sentence_and_nothing_else(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    stranger = tg.add_user(5555, "Stranger", language_code="ru")
    [answer] = await bot.ask(stranger, "/start")
    assert answer.text == texts.render(texts.NEUTRAL, "ru")  # in the language of their app
    assert answer.reply_markup is None
    for text in ("/help", "hello", "/orgs", "/addorg Spies Inc"):
        await stranger.send(text)
    await bot.silent(stranger)  # at most once an hour
    bot.clock.advance(texts_hour())
    [again] = await bot.ask(stranger, "/help")
    assert again.text == texts.render(texts.NEUTRAL, "ru")
    assert await bot.db.fetch_value("SELECT count(*) FROM organisations") == 0


def texts_hour():  # type: ignore[no-untyped-def]
    from datetime import timedelta

    return timedelta(hours=1, seconds=1)


async def test_command_menus_are_published_without_warnings_and_a_failure_does_not_stop_the_bot(
    tg: FakeTelegramServer, clock: FakeClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 14 §6: the first real start logs no WARNING for the menu of a coordinator who
    has never opened the bot (no chat yet); their menu is set when they first write."""
    settings = make_settings(tg, tmp_path)
    async with running_bot(settings, clock, tg) as bot:
        assert tg.calls["setMyCommands"] >= 1
        assert not [r for r in tg.rejections if r.method == "setMyCommands"]
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
        default_menu = next(iter(v for (scope, _), v in tg.commands.items() if scope == "default"))
        commands = [c["command"] for c in default_menu]
        assert commands == ["mine", "help", "whoami", "language", "cancel"]
        assert not [key for key in tg.commands if key[0] == f"chat:{COORDINATOR_ID}"]
        # Their first message, whatever it is, sets their own menu.
        [answer] = await bot.ask(bot.coordinator(), "/help")
        assert "/invite" in answer.text
        menu = next(v for key, v in tg.commands.items() if key[0] == f"chat:{COORDINATOR_ID}")
        assert "newletter" in [c["command"] for c in menu]
    # Later starts set it with the others; a failure is logged and the bot runs on.
    tg.commands.clear()
    tg.faults.add("setMyCommands", status=502, times=1)
    async with running_bot(settings, clock, tg) as bot:
        assert [key for key in tg.commands if key[0] == f"chat:{COORDINATOR_ID}"]
        [answer] = await bot.ask(bot.coordinator(), "/help")
        assert "/invite" in answer.text


async def test_strangers_get_the_neutral_sentence_once_an_hour_whatever_they_send(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    """Issue 13: commands that merely start like /start are not a way past the gate."""
    stranger = tg.add_user(5556, "Stranger")
    [answer] = await bot.ask(stranger, "/startx foo")
    assert answer.text == texts.NEUTRAL
    for text in ("/start@other_bot foo", "/startle", "/START@Other_Bot x", "/start"):
        await stranger.send(text)
    await stranger.send_document("notes.txt", b"hello")
    await stranger.send_sticker()
    await stranger.forge_callback("full:1:1")
    await bot.silent(stranger)
    assert len(stranger.callback_answers) == 1  # the press was answered, silently
    bot.clock.advance(texts_hour())
    [again] = await bot.ask(stranger, "/start@other_bot foo")
    assert again.text == texts.NEUTRAL
    # Nobody but the coordinator from COORDINATOR_IDS (a contact since issue 16).
    assert (
        await bot.db.fetch_value("SELECT count(*) FROM contacts WHERE role != 'coordinator'") == 0
    )


async def test_unknown_command_and_plain_text_get_a_pointer_to_help(bot: RunningBot) -> None:
    coordinator = bot.coordinator()
    [answer] = await bot.ask(coordinator, "/frobnicate")
    assert answer.text == texts.UNKNOWN_COMMAND
    [answer] = await bot.ask(coordinator, "just some words")
    assert answer.text == texts.NOT_A_COMMAND


async def test_no_token_in_logs_at_debug(bot: RunningBot, caplog) -> None:  # type: ignore[no-untyped-def]
    from bot.logging_setup import NOISY_LOGGERS, RedactTokenFilter

    # At DEBUG, as LOG_LEVEL=DEBUG sets them (another test in this process may have quieted
    # them through the CLI's logging set-up).
    for name in ("", *NOISY_LOGGERS):
        caplog.set_level(logging.DEBUG, logger=name)
    caplog.handler.addFilter(RedactTokenFilter((TOKEN,)))
    coordinator = bot.coordinator()
    await bot.ask(coordinator, "/start")
    await bot.settle()
    assert any(r.name.startswith(("httpx", "telegram")) for r in caplog.records)
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text


async def test_coordinator_id_constant_is_the_settings_one(bot: RunningBot) -> None:
    assert bot.settings.coordinator_ids == {COORDINATOR_ID}
