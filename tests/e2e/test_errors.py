"""Issue 7: the one error handler — ids-only log, an apology, throttled coordinator alerts."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot import texts
from bot.services import alerts, responses
from bot.services.alerts import AlertThrottle
from tests.factories import add_org, join
from tests.harness import TOKEN, RunningBot

SECRET_TEXT = "пароль-7 do-not-log"


async def test_a_failing_handler_apologises_and_alerts_once_per_kind_per_hour(
    bot: RunningBot, tg, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    coordinator = bot.coordinator()
    member = await join(bot, tg, 3000, await add_org(bot, "Org"))
    failure: type[Exception] = RuntimeError

    async def broken(*args: object, **kwargs: object) -> None:
        raise failure(f"could not parse {SECRET_TEXT!r}")  # messages may quote users

    monkeypatch.setattr(responses, "organisation_overview", broken)
    coordinator.mark_all_read()

    [apology] = await bot.ask(member, "/mine")
    assert apology.text == texts.INTERNAL_ERROR
    [alert] = await bot.replies(coordinator)
    assert alert.text.startswith("⚠️ Unexpected error: RuntimeError in bot.handlers.responses.mine")
    assert SECRET_TEXT not in alert.text and "more of this kind" not in alert.text

    # The same kind again within the hour: an apology, no alert (it would come first).
    for _ in range(2):
        [apology] = await bot.ask(member, "/mine")
        assert apology.text == texts.INTERNAL_ERROR
    await bot.silent(coordinator)

    # An hour later the alert comes again, counting what was held back.
    bot.clock.advance(timedelta(minutes=61))
    await bot.ask(member, "/mine")
    [alert] = await bot.replies(coordinator)
    assert "RuntimeError in bot.handlers.responses.mine" in alert.text
    assert "2 more of this kind since the last alert" in alert.text

    # Another kind is not held back by the first.
    failure = ValueError
    await bot.ask(member, "/mine")
    [alert] = await bot.replies(coordinator)
    assert "ValueError in bot.handlers.responses.mine" in alert.text

    # A coordinator's own failure: the apology answers them, and the alert (through the
    # outbox, in whichever order the two arrive) reaches them too.
    failure = KeyError
    monkeypatch.setattr(responses, "letter_status", broken)
    got = await bot.ask(coordinator, "/status 1", replies=2)
    [apology] = [m for m in got if m.text == texts.INTERNAL_ERROR]
    [alert] = [m for m in got if m is not apology]
    assert "KeyError in bot.handlers.status.status" in (alert.text or "")

    # The error handler's own records (the redaction filter for the token is tested with
    # the real process; pytest's capture does not install it).
    log = "\n".join(
        caplog.handler.format(record)
        for record in caplog.records
        if record.name == "bot.handlers.errors"
    )
    assert re.search(
        r"unexpected RuntimeError in bot\.handlers\.responses\.mine "
        r"\(update=\d+ user=3000 chat=3000 message=\d+\)",
        log,
    )
    assert "in mine\n" in log  # the stack is there: file, line, function …
    assert SECRET_TEXT not in log and "/mine" not in log  # … but no message text
    assert TOKEN not in log
    await bot.settle()
    assert len(bot.errors) == 6  # the fixture's recorder saw them too
    bot.errors.clear()


def test_the_kind_names_the_innermost_place_in_the_bots_own_code() -> None:
    def inner() -> None:
        raise ZeroDivisionError

    try:
        inner()
    except ZeroDivisionError as error:
        # Raised in this test module, not in the bot: the last frame names it.
        assert alerts.error_kind(error) == ("ZeroDivisionError in tests.e2e.test_errors.inner")
    throttle = AlertThrottle(timedelta(hours=1))
    start = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
    assert throttle.check("A", start) == 0
    assert throttle.check("A", start + timedelta(minutes=59)) is None
    assert throttle.check("B", start + timedelta(minutes=59)) == 0
    assert throttle.check("A", start + timedelta(minutes=60)) == 1


@pytest.fixture(autouse=True)
def _error_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
