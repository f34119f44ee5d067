"""Issue 2 end to end: the real Application against the strict fake server."""

from __future__ import annotations

import logging

from bot import texts
from bot.fake_telegram import FakeTelegramServer
from tests.conftest import COORDINATOR_ID, TOKEN, RunningBot


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
    await stranger.expect_no_message(within=0.5)  # at most once an hour
    bot.clock.advance(texts_hour())
    [again] = await bot.ask(stranger, "/help")
    assert again.text == texts.render(texts.NEUTRAL, "ru")
    assert await bot.db.fetch_value("SELECT count(*) FROM organisations") == 0


def texts_hour():  # type: ignore[no-untyped-def]
    from datetime import timedelta

    return timedelta(hours=1, seconds=1)


async def test_command_menus_are_published_and_a_failure_does_not_stop_the_bot(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    # The coordinator never opened the bot, so their per-chat menu was refused
    # ("chat not found"); the default menu went through and the bot runs on.
    assert tg.calls["setMyCommands"] >= 2
    assert any(r.method == "setMyCommands" for r in tg.rejections)
    default_menu = next(iter(v for (scope, _), v in tg.commands.items() if scope == "default"))
    assert [c["command"] for c in default_menu] == ["mine", "help", "whoami", "language", "cancel"]
    [answer] = await bot.ask(bot.coordinator(), "/help")
    assert "/invite" in answer.text
    # Once the coordinator has opened the bot, /start sets their own menu.
    assert not [key for key in tg.commands if key[0] == f"chat:{COORDINATOR_ID}"]
    await bot.ask(bot.coordinator(), "/start")
    await tg.wait_until_idle()
    menu = next(v for key, v in tg.commands.items() if key[0] == f"chat:{COORDINATOR_ID}")
    assert "newletter" in [c["command"] for c in menu]


async def test_unknown_command_and_plain_text_get_a_pointer_to_help(bot: RunningBot) -> None:
    coordinator = bot.coordinator()
    [answer] = await bot.ask(coordinator, "/frobnicate")
    assert answer.text == texts.UNKNOWN_COMMAND
    [answer] = await bot.ask(coordinator, "just some words")
    assert answer.text == texts.NOT_A_COMMAND


async def test_no_token_in_logs_at_debug(bot: RunningBot, caplog) -> None:  # type: ignore[no-untyped-def]
    from bot.logging_setup import RedactTokenFilter

    caplog.set_level(logging.DEBUG)
    caplog.handler.addFilter(RedactTokenFilter((TOKEN,)))
    coordinator = bot.coordinator()
    await bot.ask(coordinator, "/start")
    await bot.tg.wait_until_idle()
    assert any(r.name.startswith(("httpx", "telegram")) for r in caplog.records)
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text


async def test_coordinator_id_constant_is_the_settings_one(bot: RunningBot) -> None:
    assert bot.settings.coordinator_ids == {COORDINATOR_ID}
