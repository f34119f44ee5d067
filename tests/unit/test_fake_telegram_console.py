"""The manual console: command handling, output format, and the `python -m` entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.fake_telegram import FakeTelegramServer, Limits
from bot.fake_telegram.console import Console, _user_spec, format_message, main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(limits=Limits(enabled=False)) as srv:
        yield srv


@pytest.fixture
async def api(server: FakeTelegramServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{server.base_url}{server.token}/") as client:
        yield client


async def feed(console: Console, *lines: str) -> None:
    for line in lines:
        assert await console.handle(line + "\n") is True


def last_message(server: FakeTelegramServer) -> dict[str, Any]:
    return server.pending_updates[-1]["message"]


async def bot_says(api: httpx.AsyncClient, chat_id: int, text: str) -> int:
    response = await api.post("sendMessage", data={"chat_id": str(chat_id), "text": text})
    return int(response.json()["result"]["message_id"])


async def test_console_commands_drive_users(
    server: FakeTelegramServer, api: httpx.AsyncClient
) -> None:
    console = Console(server)
    await feed(console, "111 /start")
    alice = server.user(111)  # unknown ids are added on first use
    assert alice.started and alice.messages[0].text == "/start"
    markup = {"inline_keyboard": [[{"text": "Sign now", "callback_data": "s"}]]}
    response = await api.post(
        "sendMessage",
        data={"chat_id": "111", "text": "Sign?", "reply_markup": json.dumps(markup)},
    )
    message = alice.bot_messages[0]
    assert response.json()["ok"]
    assert format_message(message, "User111") == (
        f"[to User111 111] #{message.message_id} Sign?\n    [ Sign now ]"
    )
    await feed(console, f"111 !press {message.message_id} Sign now")
    assert server.pending_updates[-1]["callback_query"]["data"] == "s"
    await feed(console, "111 !press 999 Sign now")  # reported, not raised
    await feed(console, "111 !block")
    assert alice.blocked
    await feed(console, "111 hello")  # refused while blocked, reported
    await feed(console, "111 !unblock")
    assert not alice.blocked
    assert await console.handle("quit") is False


async def test_paste_sends_the_lines_as_one_message(
    server: FakeTelegramServer, capsys: pytest.CaptureFixture[str]
) -> None:
    console = Console(server)
    lines = ["111 !paste", "/newletter Renew the mandate", "13.02.2026 18:00", ""]
    lines += ["  1. First point;", "quit", "..", ""]
    await feed(console, *lines)
    assert server.pending_updates == []  # nothing sent before the closing "."
    await feed(console, ".")
    message = last_message(server)
    # Exactly as typed, "quit" included, ".." as ".", trimmed at both ends like an app does.
    assert message["text"] == (
        "/newletter Renew the mandate\n13.02.2026 18:00\n\n  1. First point;\nquit\n."
    )
    assert message["entities"][0]["type"] == "bot_command"
    assert "(sent as #1: " in capsys.readouterr().out
    await feed(console, "111 !paste", ".")  # nothing pasted: said so, nothing sent
    assert "nothing to send" in capsys.readouterr().out
    assert len(server.pending_updates) == 1


async def test_long_text_is_cut_like_a_telegram_app(
    server: FakeTelegramServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.limits.max_text = 300
    console = Console(server)
    paragraph = "We call on the Council to renew the mandate of the Special Rapporteur."
    await feed(console, "111 !paste", *([paragraph, ""] * 6), ".")
    texts = [u["message"]["text"] for u in server.pending_updates]
    assert len(texts) == 2 and all(len(t) <= 300 for t in texts)
    assert "\n\n".join(texts) == "\n\n".join([paragraph] * 6)
    assert "(sent as 2 messages, cut as a Telegram app cuts it: #1, #2)" in capsys.readouterr().out
    await feed(console, "111 " + "x" * 301)  # one typed line over the limit: cut as well
    assert len(server.pending_updates) == 4


async def test_reply_to_a_message(
    server: FakeTelegramServer, api: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    console = Console(server)
    await feed(console, "111 /start")
    asked = await bot_says(api, 111, "What do you want to change?")
    await feed(console, f"111 !reply {asked} Paragraph 3: 2025, not 2024")
    message = last_message(server)
    assert message["text"] == "Paragraph 3: 2025, not 2024"
    assert message["reply_to_message"]["message_id"] == asked
    await feed(console, f"111 !reply {asked}", "line one", "line two", ".")
    message = last_message(server)
    assert message["text"] == "line one\nline two"
    assert message["reply_to_message"]["text"] == "What do you want to change?"
    count = len(server.pending_updates)
    await feed(console, "111 !reply 999 hello", "111 !reply x hello")
    assert len(server.pending_updates) == count
    assert capsys.readouterr().out.count("no message #") == 2


async def test_files_from_disk(
    server: FakeTelegramServer,
    api: httpx.AsyncClient,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from docx import Document
    from PIL import Image

    letter = tmp_path / "joint letter.docx"
    document = Document()
    document.add_paragraph("We, the undersigned organisations, call on the Council.")
    document.save(str(letter))
    picture = BytesIO()
    Image.new("RGB", (1600, 1200), (20, 90, 160)).save(picture, format="JPEG")
    (tmp_path / "scan.jpg").write_bytes(picture.getvalue())
    (tmp_path / "notes.txt").write_text("Deadline moved?\n", encoding="utf-8")

    console = Console(server)
    await feed(console, f'111 !file "{letter}" the final text, v2')
    message = last_message(server)
    assert message["document"]["file_name"] == "joint letter.docx"
    assert message["document"]["mime_type"].endswith("wordprocessingml.document")
    assert message["caption"] == "the final text, v2"
    file = (await api.post("getFile", data={"file_id": message["document"]["file_id"]})).json()
    download = await api.get(f"{server.base_file_url}{server.token}/{file['result']['file_path']}")
    assert download.content == letter.read_bytes()  # the bot downloads what was on disk

    await feed(console, f"111 !file {tmp_path / 'scan.jpg'}")
    message = last_message(server)
    assert "document" not in message and "caption" not in message
    assert [(p["width"], p["height"]) for p in message["photo"]] == [
        (90, 68), (320, 240), (800, 600), (1280, 960)
    ]  # fmt: skip
    await feed(console, f"111 !file {tmp_path / 'notes.txt'} a note")
    assert last_message(server)["document"]["mime_type"] == "text/plain"
    out = capsys.readouterr().out
    assert "as a photo #2: 90×68, 320×240, 800×600, 1280×960" in out
    assert "(sent notes.txt as a document #3, text/plain)" in out

    count = len(server.pending_updates)
    await feed(console, f"111 !file {tmp_path / 'missing.docx'}", "111 !file", '111 !file "a b')
    assert len(server.pending_updates) == count
    out = capsys.readouterr().out
    assert "cannot read" in out and "!file <path>" in out and "no closing" in out


async def test_language_of_the_telegram_app(
    server: FakeTelegramServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _user_spec("3003:Ira:be") == (3003, "Ira", "be")
    assert _user_spec("1001:Olena") == (1001, "Olena", None)
    assert _user_spec("1002:Team: Minsk") == (1002, "Team: Minsk", None)
    server.add_user(3003, "Ira", language_code="be")
    console = Console(server)
    await feed(console, "3003 /start")
    assert last_message(server)["from"]["language_code"] == "be"
    await feed(console, "3003 !lang ru", "3003 /help")
    assert last_message(server)["from"]["language_code"] == "ru"
    await feed(console, "3003 !lang -", "3003 /help")
    assert "language_code" not in last_message(server)["from"]
    await feed(console, "3003 !lang Russian please", "3003 !lang", "3003 !name Irina")
    out = capsys.readouterr().out
    assert "not a language code" in out and "none (the app sends no language_code)" in out
    await feed(console, "3003 /whoami")
    assert last_message(server)["from"]["first_name"] == "Irina"


async def test_save_dir_keeps_every_document_the_bot_sends(
    server: FakeTelegramServer,
    api: httpx.AsyncClient,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from PIL import Image

    console = Console(server, save_dir=tmp_path / "exports")
    server.add_listener(console.show)
    await feed(console, "1001 /export 1")
    for content, protect in ((b"v1", "false"), (b"v2", "true")):
        await api.post(
            "sendDocument",
            data={"chat_id": "1001", "caption": "Letter #1", "protect_content": protect},
            files={"document": ("letter-1.docx", content)},
        )
    first, second = (
        tmp_path / "exports" / "letter-1.docx",
        tmp_path / "exports" / "letter-1 (2).docx",
    )
    assert first.read_bytes() == b"v1" and second.read_bytes() == b"v2"
    out = capsys.readouterr().out
    assert "[document letter-1.docx] Letter #1" in out
    assert f"saved to {first}\n" in out
    chart = BytesIO()
    Image.new("RGB", (640, 480)).save(chart, format="PNG")
    await api.post(
        "sendPhoto", data={"chat_id": "1001"}, files={"photo": ("c.png", chart.getvalue())}
    )
    [photo] = [m for m in server.user(1001).bot_messages if m.photo]
    saved = tmp_path / "exports" / f"photo-1001-{photo.message_id}.png"
    assert saved.read_bytes() == chart.getvalue()
    assert f"saved to {saved}" in capsys.readouterr().out
    assert f"saved to {second} (protected content: a Telegram app lets no one save it)" in out


def test_module_entry_point_starts_and_quits(tmp_path: Path) -> None:
    module = [sys.executable, "-m", "bot.fake_telegram", "--port", "0"]
    result = subprocess.run(
        [*module, "--user", "111:Alice:be", "--save-dir", str(tmp_path)],
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
    assert f"Documents and pictures the bot sends are saved in {tmp_path}" in result.stdout


def test_cli_forwards_to_the_console(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import cli
    from bot.fake_telegram import console

    seen: list[list[str]] = []
    monkeypatch.setattr(console, "main", lambda argv: seen.append(list(argv)) or 0)
    args = ["fake-telegram", "--token", "1:T", "--user", "3003:Ira:be", "--save-dir", "out"]
    assert cli.main(args) == 0
    assert seen == [
        ["--port", "8081", "--token", "1:T", "--user", "3003:Ira:be", "--save-dir", "out"]
    ]


def test_main_returns_on_eof(capsys: pytest.CaptureFixture[str]) -> None:
    # pytest's stdin is unreadable, which the console treats like end of input.
    assert main(["--port", "0", "--user", "111:Alice"]) == 0
    assert "TELEGRAM_API_URL=" in capsys.readouterr().out
