"""Drive a bot by hand: the fake server on a fixed port, users typed on stdin."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import threading
from collections.abc import Sequence

from .models import FakeMessage, FakeTelegramError
from .server import DEFAULT_TOKEN, FakeTelegramServer

__all__ = ["format_message", "main", "run_console"]

HELP = """\
Commands:
  <user_id> <text>                       send text as that user (unknown ids are added)
  <user_id> !press <message_id> <button> press a button (its text or callback_data)
  <user_id> !block | !unblock            block / unblock the bot
  quit                                   stop"""


def format_message(message: FakeMessage, name: str) -> str:
    body = message.text if message.text is not None else (message.caption or "")
    if message.document is not None:
        body = f"[document {message.document.get('file_name')}] {body}".rstrip()
    if message.photo is not None:
        body = f"[photo] {body}".rstrip()
    lines = [f"[to {name} {message.chat_id}] #{message.message_id} {body}"]
    lines += ["    " + " ".join(f"[ {text} ]" for text, _ in row) for row in message.buttons]
    return "\n".join(lines)


def _start_stdin_reader(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    # A daemon thread: blocking readline never stalls the loop nor delays interpreter exit.
    def pump() -> None:
        try:
            for line in sys.stdin:
                loop.call_soon_threadsafe(queue.put_nowait, line)
        except (OSError, ValueError):
            pass  # stdin closed or unreadable: treat like EOF
        finally:
            with contextlib.suppress(RuntimeError):  # the loop may already be closed
                loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="fake-telegram-stdin", daemon=True).start()


async def _handle_line(server: FakeTelegramServer, line: str) -> bool:
    """Run one console command; False means quit."""
    line = line.strip()
    if not line:
        return True
    if line in ("quit", "exit"):
        return False
    if line in ("help", "?"):
        print(HELP)
        return True
    head, _, rest = line.partition(" ")
    if not head.isdigit():
        print("! expected '<user_id> <text>' (type 'help')")
        return True
    user_id = int(head)
    try:
        user = server.user(user_id)
    except FakeTelegramError:
        user = server.add_user(user_id, f"User{user_id}")
    try:
        if rest == "!block":
            user.block()
        elif rest == "!unblock":
            user.unblock()
        elif rest.startswith("!press "):
            message_id_text, _, button = rest[len("!press ") :].partition(" ")
            message = next((m for m in user.messages if str(m.message_id) == message_id_text), None)
            if message is None:
                print(f"! no message #{message_id_text} in {user.first_name}'s chat")
            else:
                await user.press(message, button)
        else:
            await user.send(rest)
    except FakeTelegramError as err:
        print(f"! {err}")
    return True


async def run_console(host: str, port: int, token: str, users: list[tuple[int, str]]) -> None:
    server = FakeTelegramServer(token, host=host, port=port)
    for user_id, name in users:
        server.add_user(user_id, name)

    def show(event: str, message: FakeMessage) -> None:
        chat = server._users.get(message.chat_id) or server._groups.get(message.chat_id)
        name = getattr(chat, "first_name", None) or getattr(chat, "title", "?")
        text = format_message(message, name)
        if event == "edited":
            text = text.replace("[to ", "[edited, to ", 1)
        elif event == "deleted":
            text = f"[deleted in {name} {message.chat_id}] #{message.message_id}"
        print(text, flush=True)

    server.add_listener(show)
    await server.start()
    try:
        print(f"Fake Telegram Bot API listening at {server.base_url}", flush=True)
        print(
            f"Point the bot at it with: TELEGRAM_API_URL={server.base_url} "
            f"TELEGRAM_FILE_URL={server.base_file_url}",
            flush=True,
        )
        print(HELP, flush=True)
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        _start_stdin_reader(asyncio.get_running_loop(), lines)
        while True:
            line = await lines.get()
            if line is None or not await _handle_line(server, line):
                break
    finally:
        with contextlib.suppress(Exception):
            await server.stop()


def _user_spec(spec: str) -> tuple[int, str]:
    user_id, sep, name = spec.partition(":")
    if not sep or not user_id.isdigit() or not name:
        raise argparse.ArgumentTypeError(f"expected ID:Name, got {spec!r}")
    return int(user_id), name


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``--port 8081 --token T --user 111:Alice --user 222:Bob``."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.fake_telegram", description="Run the fake Telegram Bot API by hand."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--user", type=_user_spec, action="append", default=[], metavar="ID:NAME")
    args = parser.parse_args(list(argv) if argv is not None else None)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_console(args.host, args.port, args.token, args.user))
    return 0
