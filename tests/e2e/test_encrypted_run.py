"""`coalition-bot run` on an encrypted database, as a real process against the fake server."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from bot.db.connection import SQLITE_HEADER
from bot.fake_telegram import FakeTelegramServer
from tests.harness import COORDINATOR_ID, process_environment, start_process, until

KEY = "correct horse battery staple 42"

# The bot keeps Telegram's pace here (it is not the harness's): so does the fake.
pytestmark = pytest.mark.telegram_pace


async def test_run_on_an_encrypted_database_then_a_wrong_key_stops_at_once(
    tg: FakeTelegramServer, tmp_path: Path
) -> None:
    coordinator = tg.add_user(COORDINATOR_ID, "Olena")
    process = await start_process(
        process_environment(tg, tmp_path / "data" / "bot.db", DATABASE_KEY=KEY, LOG_LEVEL="DEBUG"),
        tmp_path,
    )
    try:
        await until(lambda: tg.calls["getUpdates"] >= 1)
        [answer] = await (await _ask(coordinator, "/addorg Viasna"))
        assert "Viasna" in answer.text
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(20):
            _, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert KEY not in stderr.decode()
    database = tmp_path / "data" / "bot.db"
    assert database.read_bytes()[:16] != SQLITE_HEADER
    assert b"Viasna" not in database.read_bytes()

    calls_before = dict(tg.calls)
    wrong = "a wrong key that is long enough"
    env = process_environment(tg, database, DATABASE_KEY=wrong)
    process = await start_process(env, tmp_path)
    async with asyncio.timeout(30):
        _, stderr = await process.communicate()
    log = stderr.decode()
    assert process.returncode == 2
    assert "Traceback" not in log and wrong not in log
    assert log.strip().splitlines() == [
        f"coalition-bot: DATABASE_KEY does not open {database}: wrong key, "
        "or not a Coalition Bot database"
    ]
    # Not half-started: it never polled, set a webhook or published menus.
    for method in ("getUpdates", "deleteWebhook", "setWebhook", "setMyCommands"):
        assert tg.calls[method] == calls_before.get(method, 0), method


async def _ask(user, text: str):  # type: ignore[no-untyped-def]
    user.mark_all_read()
    await user.send(text)
    return user.next_messages(1, timeout=15)
