"""Shared fixtures: the fake Telegram server, a clock, settings, and the running bot."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import build_application, services_of, start_in_process, stop_in_process
from bot.clock import FakeClock
from bot.context import BotApplication
from bot.db import Database
from bot.fake_telegram import FakeTelegramServer, FakeUser
from bot.settings import Settings

TOKEN = "123456789:AAF" + "t0k3n" * 7
COORDINATOR_ID = 1001
BOT_USERNAME = "coalition_test_bot"
START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
DELIVERY_REPORTS = ("⏳ Delivering", "✅ Delivery finished", "Delivery report")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def tg(clock: FakeClock) -> AsyncIterator[FakeTelegramServer]:
    server = FakeTelegramServer(TOKEN, bot_username=BOT_USERNAME, clock=clock.timestamp)
    await server.start()
    yield server
    await server.stop()


def make_settings(tg: FakeTelegramServer, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": TOKEN,
        "telegram_api_url": tg.base_url,
        "telegram_file_url": tg.base_file_url,
        "database_path": tmp_path / "data" / "bot.db",
        "coordinator_ids": frozenset({COORDINATOR_ID}),
        "log_level": "DEBUG",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(tg: FakeTelegramServer, tmp_path: Path) -> Settings:
    return make_settings(tg, tmp_path)


@dataclass
class RunningBot:
    """The real Application, polling the fake server, plus what scenarios need."""

    app: BotApplication
    tg: FakeTelegramServer
    clock: FakeClock
    settings: Settings
    errors: list[BaseException] = field(default_factory=list)

    @property
    def db(self) -> Database:
        return services_of(self.app).database

    def coordinator(self) -> FakeUser:
        if any(user.id == COORDINATOR_ID for user in self.tg.users):
            return self.tg.user(COORDINATOR_ID)
        return self.tg.add_user(COORDINATOR_ID, "Olena", username="olena_coord")

    async def ask(self, user: FakeUser, text: str, replies: int = 1) -> list:
        """Sends ``text`` as ``user`` and returns the bot's next ``replies`` answers.

        Whatever the user had not read yet came before this message, so it is skipped.
        """
        user.mark_all_read()
        await user.send(text)
        return await self.replies(user, replies)

    async def replies(self, user: FakeUser, count: int = 1, timeout: float = 10.0) -> list:
        """The user's next ``count`` bot messages, skipping the outbox's delivery reports
        (they arrive on their own schedule in a coordinator's chat)."""
        got: list = []
        while len(got) < count:
            [message] = await user.next_messages(1, timeout=timeout)
            if not (message.text or "").startswith(DELIVERY_REPORTS):
                got.append(message)
        return got


@pytest.fixture
async def bot(
    settings: Settings, clock: FakeClock, tg: FakeTelegramServer
) -> AsyncIterator[RunningBot]:
    async with running_bot(settings, clock, tg) as running:
        yield running


class running_bot:
    """Starts the bot in this event loop; fails the test on any handler exception."""

    def __init__(self, settings: Settings, clock: FakeClock, tg: FakeTelegramServer) -> None:
        self.running = RunningBot(build_application(settings, clock=clock), tg, clock, settings)

    async def __aenter__(self) -> RunningBot:
        running = self.running

        async def record(update: object, context) -> None:  # type: ignore[no-untyped-def]
            assert context.error is not None
            running.errors.append(context.error)

        running.app.add_error_handler(record)
        await start_in_process(running.app, poll_timeout=1)
        return running

    async def __aexit__(self, *exc_info: object) -> None:
        await stop_in_process(self.running.app)
        if self.running.errors:
            raise AssertionError(f"handler errors: {self.running.errors!r}")


@pytest.fixture(autouse=True)
def _quiet_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
