"""Shared fixtures: the fake Telegram server, a clock, settings, and the running bot.

The harness itself (how the bot runs and how scenarios wait) is ``tests/harness.py``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.fake_telegram import FakeTelegramServer
from bot.settings import Settings
from tests.harness import (
    BOT_USERNAME,
    COORDINATOR_ID,
    DELIVERY_REPORTS,
    START,
    TOKEN,
    RunningBot,
    make_settings,
    new_fake,
    running_bot,
)

__all__ = [  # for tests that still import them from here
    "BOT_USERNAME",
    "COORDINATOR_ID",
    "DELIVERY_REPORTS",
    "START",
    "TOKEN",
    "RunningBot",
    "make_settings",
    "running_bot",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "telegram_pace: the fake server has Telegram's own limits and the bot keeps them "
        "(tests about pacing); otherwise both run the same rules faster",
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def tg(clock: FakeClock, request: pytest.FixtureRequest) -> AsyncIterator[FakeTelegramServer]:
    telegram_pace = request.node.get_closest_marker("telegram_pace") is not None
    server = new_fake(clock, telegram_pace=telegram_pace)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def settings(tg: FakeTelegramServer, tmp_path: Path) -> Settings:
    return make_settings(tg, tmp_path)


@pytest.fixture
async def bot(
    settings: Settings, clock: FakeClock, tg: FakeTelegramServer
) -> AsyncIterator[RunningBot]:
    async with running_bot(settings, clock, tg) as running:
        yield running


@pytest.fixture(autouse=True)
def _quiet_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
