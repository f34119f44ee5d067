"""`coalition-bot run` as a real process against the fake server, as an operator runs it."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import pytest

from bot import texts
from bot.fake_telegram import FakeTelegramServer
from tests.harness import COORDINATOR_ID, TOKEN, process_environment, start_process, until

# The bot keeps Telegram's pace here (it is not the harness's): so does the fake.
pytestmark = pytest.mark.telegram_pace


def _environment(tg: FakeTelegramServer, tmp_path: Path, **extra: str) -> dict[str, str]:
    return process_environment(tg, tmp_path / "data" / "bot.db", LOG_LEVEL="DEBUG", **extra)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
async def test_run_answers_start_and_stops_cleanly(
    tg: FakeTelegramServer, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    coordinator = tg.add_user(COORDINATOR_ID, "Olena")
    stranger = tg.add_user(4242, "Stranger")
    process = await start_process(_environment(tg, tmp_path), tmp_path)
    try:
        await until(lambda: tg.calls["getUpdates"] >= 1)
        await coordinator.send("/start")
        [help_message] = await coordinator.next_messages(timeout=15)
        assert "coordinator" in help_message.text
        await stranger.send("/start")
        [neutral] = await stranger.next_messages(timeout=15)
        assert neutral.text == texts.NEUTRAL
        process.send_signal(stop_signal)
        async with asyncio.timeout(20):
            _, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert process.returncode == 0, log[-2000:]
    assert "Traceback" not in log
    assert "DEBUG" in log and "getUpdates" in log  # it did log at DEBUG …
    assert TOKEN not in log  # … and never the token
    assert TOKEN.split(":")[1] not in log
    assert "[REDACTED-TOKEN]" in log


async def test_wrong_token_is_one_line_and_exit_2(tg: FakeTelegramServer, tmp_path: Path) -> None:
    wrong = "999:" + "W" * 35
    process = await start_process(_environment(tg, tmp_path, BOT_TOKEN=wrong), tmp_path)
    async with asyncio.timeout(30):
        _, stderr = await process.communicate()
    assert process.returncode == 2
    assert b"Traceback" not in stderr
    last = stderr.decode().strip().splitlines()[-1]
    assert (
        last == "coalition-bot: BOT_TOKEN: Telegram refused this token (check it with @BotFather)"
    )
    assert wrong not in stderr.decode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_mode_uses_the_secret(tg: FakeTelegramServer, tmp_path: Path) -> None:
    import httpx

    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    env = _environment(
        tg,
        tmp_path,
        WEBHOOK_URL=url,
        WEBHOOK_SECRET="s3cret_Value-1",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
    )
    coordinator = tg.add_user(COORDINATOR_ID, "Olena")
    process = await start_process(env, tmp_path)
    try:
        await until(lambda: tg.webhook is not None)
        assert tg.webhook["secret_token"] == "s3cret_Value-1"
        await coordinator.send("/start")
        [answer] = await coordinator.next_messages(timeout=15)
        assert "coordinator" in answer.text
        # A forged update without the secret header is refused.
        async with httpx.AsyncClient() as client:
            forged = {"update_id": 999, "message": {"message_id": 1, "date": 0, "text": "/start"}}
            response = await client.post(url, json=forged)
            assert response.status_code == 403
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(20):
            _, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert process.returncode == 0, log[-2000:]
    # At DEBUG PTB logs setWebhook's parameters: the secret must be redacted like the token.
    assert "setWebhook" in log
    assert "s3cret_Value-1" not in log
