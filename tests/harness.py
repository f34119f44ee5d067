"""The test harness: the real bot against the strict fake server, and how a scenario waits.

A scenario never waits for "the next message" with a timeout, nor sleeps and hopes. Every
read settles first (``bot.demo.settle``: every update handled, every message due now sent,
every job due now run), so what a read returns is exactly what the actions before it
produced, whatever order the bot's direct replies and its outbox took:

- ``ask(user, text, replies=n)``: settles, sends, settles; the n messages the text got in
  that chat (exactly n; all of them with ``replies=None``);
- ``replies(user, n)``: settles; the n messages that chat got since it was last read;
- ``edited(user, message, marker)``: settles; the message as it stands, which must show
  ``marker``;
- ``silent(user)``: settles; that chat got nothing since it was last read;
- ``meanwhile(predicate)``: does not settle; until the bot's messages so far make the
  predicate true (to act in the middle of the bot's work);
- ``run_due()``: what the bot's timers do once the test moved the clock, then settles.

Pacing: tests of anything but pacing run the bot's rate limiter ``PACE_FACTOR`` times
faster than Telegram allows, against a fake server whose limits are raised twice as much
(it stays strict: it answers 429 past them; the spare half absorbs the event loop's jitter
between the bot admitting a request and the fake counting it, which at 20 messages a
second per chat is as large as a whole token). Tests about pacing carry
``pytest.mark.telegram_pace``: the fake then has Telegram's own limits and the bot keeps
them, as in production.

Helpers for the bot running as a real process (``python -m bot run``) are at the end.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from bot.app import build_application, start_in_process, stop_in_process
from bot.clock import FakeClock
from bot.context import BotApplication, services_of
from bot.db import Database
from bot.demo.settle import Settler
from bot.fake_telegram import FakeMessage, FakeTelegramServer, FakeUser, Limits
from bot.jobs.schedule import Pass
from bot.settings import Settings
from bot.throughput import TELEGRAM_PACE, Pace

TOKEN = "123456789:AAF" + "t0k3n" * 7
COORDINATOR_ID = 1001
BOT_USERNAME = "coalition_test_bot"
START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
# The outbox's own messages to a coordinator: how far a broadcast went. They come whenever
# a broadcast runs long or ends, so reads leave them out (tests look for them by name).
DELIVERY_REPORTS = ("⏳ Delivering", "✅ Delivery finished", "Delivery report")
PACE_FACTOR = 20  # the bot paced this many times faster than Telegram (a chat: 19 a second)
FAST_PACE = TELEGRAM_PACE.faster(PACE_FACTOR)
FAKE_FACTOR = 2 * PACE_FACTOR  # … against a fake that allows twice that


def fake_limits(*, telegram_pace: bool) -> Limits:
    """The fake's limits: Telegram's, or the same rules ``FAKE_FACTOR`` times faster."""
    if telegram_pace:
        return Limits()
    telegram = Limits()
    return Limits(
        global_per_second=telegram.global_per_second * FAKE_FACTOR,
        per_chat_per_second=telegram.per_chat_per_second * FAKE_FACTOR,
    )


def pace_for(tg: FakeTelegramServer) -> Pace:
    """Telegram's pace against a fake with Telegram's limits, else the tests' fast one."""
    return (
        TELEGRAM_PACE
        if tg.limits.per_chat_per_second <= Limits().per_chat_per_second
        else FAST_PACE
    )


def new_fake(clock: FakeClock, *, telegram_pace: bool) -> FakeTelegramServer:
    return FakeTelegramServer(
        TOKEN,
        bot_username=BOT_USERNAME,
        clock=clock.timestamp,
        limits=fake_limits(telegram_pace=telegram_pace),
    )


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


def is_report(message: FakeMessage) -> bool:
    return (message.text or "").startswith(DELIVERY_REPORTS)


@dataclass
class RunningBot:
    """The real Application, polling the fake server, plus what scenarios need."""

    app: BotApplication
    tg: FakeTelegramServer
    clock: FakeClock
    settings: Settings
    settler: Settler
    errors: list[BaseException] = field(default_factory=list)

    @property
    def db(self) -> Database:
        return services_of(self.app).database

    def coordinator(self) -> FakeUser:
        if any(user.id == COORDINATOR_ID for user in self.tg.users):
            return self.tg.user(COORDINATOR_ID)
        return self.tg.add_user(COORDINATOR_ID, "Olena", username="olena_coord")

    # --- waiting and reading ------------------------------------------------------------

    async def settle(self) -> None:
        """Until the bot has nothing left to do now (see ``bot.demo.settle``)."""
        await self.settler.settle()

    async def run_due(self) -> Pass:
        """The clock moved: what the bot's timers would do now, done now; then settled."""
        return await self.settler.run_due()

    async def ask(self, user: FakeUser, text: str, replies: int | None = 1) -> list[FakeMessage]:
        """Sends ``text`` as ``user``; the messages it got in that chat (exactly ``replies``
        of them, unless None; the outbox's delivery reports aside). What came before the
        text is skipped."""
        await self.settle()
        user.mark_all_read()
        await user.send(text)
        if replies is None:
            return await self.unread(user)
        return await self.replies(user, replies)

    async def unread(self, user: FakeUser) -> list[FakeMessage]:
        """Every message the chat got since it was last read (delivery reports aside), once
        the bot settled; they count as read now."""
        await self.settle()
        got = [message for message in user.unread if not is_report(message)]
        user.mark_all_read()
        return got

    async def replies(self, user: FakeUser, count: int = 1) -> list[FakeMessage]:
        """The ``count`` messages the chat got since it was last read (exactly that many)."""
        got = await self.unread(user)
        assert len(got) == count, _described(user, count, got)
        return got

    async def edited(self, user: FakeUser, message: FakeMessage | int, marker: str) -> FakeMessage:
        """The message as it stands once the bot settled; its text must show ``marker``."""
        await self.settle()
        message_id = message if isinstance(message, int) else message.message_id
        live = user.find(message_id)
        assert live is not None, f"message #{message_id} of {user!r} is gone"
        assert marker in (live.text or live.caption or ""), (marker, live.text or live.caption)
        return live

    async def meanwhile(self, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
        """Until ``predicate()`` holds, looked at whenever the bot sends, edits or deletes a
        message: for acting in the middle of the bot's work (stopping it half-way through a
        broadcast), where settling would wait for the end of it."""
        async with asyncio.timeout(timeout):
            while not predicate():
                await self.tg._message_event().wait()

    async def silent(self, user: FakeUser) -> None:
        """Nothing reached the chat since it was last read, now that the bot settled."""
        await self.settle()
        assert not user.unread, f"{user!r} expected no bot message, got: " + "; ".join(
            str(m) for m in user.unread
        )


def _described(user: FakeUser, count: int, got: list[FakeMessage]) -> str:
    lines = [f"{user!r} expected {count} new bot message(s), got {len(got)}:"]
    lines += [f"  {message}" for message in got]
    rejected = [r for r in user._server.rejections if str(r.params.get("chat_id")) == str(user.id)]
    lines += [f"  rejected: {r.method} {r.error_code} {r.description}" for r in rejected[-5:]]
    return "\n".join(lines)


class running_bot:
    """Starts the bot in this event loop, paced like the fake's limits; fails the test on
    any handler exception."""

    def __init__(self, settings: Settings, clock: FakeClock, tg: FakeTelegramServer) -> None:
        app = build_application(settings, clock=clock, pace=pace_for(tg))
        self.running = RunningBot(app, tg, clock, settings, Settler(app, tg, clock))

    async def __aenter__(self) -> RunningBot:
        running = self.running

        async def record(update: object, context: Any) -> None:
            assert context.error is not None
            running.errors.append(context.error)

        running.app.add_error_handler(record)
        await start_in_process(running.app, poll_timeout=1)
        running.settler.take_over_time()
        await running.settle()  # the start-up pass has run
        return running

    async def __aexit__(self, *exc_info: object) -> None:
        await stop_in_process(self.running.app)
        if self.running.errors:
            raise AssertionError(f"handler errors: {self.running.errors!r}")


# --- the bot as a real process ----------------------------------------------------------------


def process_environment(tg: FakeTelegramServer, database: Path, **extra: str) -> dict[str, str]:
    """``python -m bot run``'s environment: this fake server, this database."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": tg.base_url,
        "TELEGRAM_FILE_URL": tg.base_file_url,
        "COORDINATOR_IDS": str(COORDINATOR_ID),
        "DATABASE_PATH": str(database),
        "LOG_LEVEL": "INFO",
        **extra,
    }


async def start_process(
    env: dict[str, str], cwd: Path, log: IO[bytes] | None = None
) -> asyncio.subprocess.Process:
    """``python -m bot run``; its output to ``log`` (a file: a pipe nobody reads would fill
    up and stall the bot), or to pipes read with ``communicate``."""
    output: Any = log if log is not None else asyncio.subprocess.PIPE
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=cwd, stdout=output, stderr=output
    )


async def until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    """Until ``predicate()`` holds, for state that lives in another process (the bot run as
    a process: nothing here can tell when it is done)."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - the condition lives in another process
            await asyncio.sleep(0.02)
