"""The manual console: command handling, output format, and the `python -m` entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.fake_telegram import FakeTelegramServer
from bot.fake_telegram.console import _handle_line, format_message, main

ROOT = Path(__file__).resolve().parents[2]


async def test_console_commands_drive_users() -> None:
    async with (
        FakeTelegramServer() as server,
        httpx.AsyncClient(base_url=f"{server.base_url}{server.token}/") as client,
    ):
        assert await _handle_line(server, "111 /start") is True
        alice = server.user(111)  # unknown ids are added on first use
        assert alice.started and alice.messages[0].text == "/start"
        markup = {"inline_keyboard": [[{"text": "Sign now", "callback_data": "s"}]]}
        response = await client.post(
            "sendMessage",
            data={"chat_id": "111", "text": "Sign?", "reply_markup": json.dumps(markup)},
        )
        message = alice.bot_messages[0]
        assert response.json()["ok"]
        assert format_message(message, "User111") == (
            f"[to User111 111] #{message.message_id} Sign?\n    [ Sign now ]"
        )
        await _handle_line(server, f"111 !press {message.message_id} Sign now")
        assert server.pending_updates[-1]["callback_query"]["data"] == "s"
        await _handle_line(server, "111 !press 999 Sign now")  # reported, not raised
        await _handle_line(server, "111 !block")
        assert alice.blocked
        await _handle_line(server, "111 hello")  # refused while blocked, reported
        await _handle_line(server, "111 !unblock")
        assert not alice.blocked
        assert await _handle_line(server, "quit") is False


def test_module_entry_point_starts_and_quits() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.fake_telegram", "--port", "0", "--user", "111:Alice"],
        input="111 /start\nquit\n",
        capture_output=True,
        text=True,
        timeout=20,
        cwd=ROOT,
        check=True,
    )
    assert "Fake Telegram Bot API listening at http://127.0.0.1:" in result.stdout
    assert "TELEGRAM_API_URL=http://127.0.0.1:" in result.stdout
    assert "TELEGRAM_FILE_URL=http://127.0.0.1:" in result.stdout


def test_main_returns_on_eof(capsys: pytest.CaptureFixture[str]) -> None:
    # pytest's stdin is unreadable, which the console treats like end of input.
    assert main(["--port", "0", "--user", "111:Alice"]) == 0
    assert "TELEGRAM_API_URL=" in capsys.readouterr().out
