"""Drive a bot by hand: the fake server on a fixed port, users typed on stdin."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import re
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .driver import FakeUser
from .models import FakeMessage, FakeTelegramError
from .server import DEFAULT_TOKEN, FakeTelegramServer

__all__ = ["Console", "format_message", "main", "run_console"]

HELP = """\
Commands (<id> is a user id; unknown ids are added):
  <id> <text>                    send text as that user (over 4096 characters: cut into
                                 several messages, as Telegram apps do)
  <id> !paste                    send the lines that follow as one message, up to a line
                                 holding only "." (a line ".." sends a ".")
  <id> !reply <msg> <text>       reply to message #<msg> of that chat (no text: paste it)
  <id> !file <path> [caption]    send a file from disk: a picture (.jpg, .png) as a photo,
                                 anything else (.docx, .txt, .md, .csv …) as a document;
                                 quote a path with spaces: !file "my letter.docx"
  <id> !press <msg> <button>     press a button (its text or callback_data)
  <id> !lang <code>              the user's Telegram language from now on (be, ru, en; "-"
                                 for none); !lang alone shows it
  <id> !name <first name>        rename the user (as shown to the bot)
  <id> !block | !unblock         block / unblock the bot
  help                           this text;  quit  stop (Ctrl-D too)"""

# What Telegram apps send as language_code: an IETF tag such as be, ru, en, pt-br.
LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*", re.IGNORECASE)


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


@dataclass
class _Paste:
    """Lines being collected for one message (``!paste`` or ``!reply <msg>`` without text)."""

    user: FakeUser
    reply_to: FakeMessage | None = None
    lines: list[str] = field(default_factory=list)


def _split_path(rest: str) -> tuple[str, str | None]:
    """``path [caption]``; a path with spaces is quoted ("…" or '…')."""
    rest = rest.strip()
    if rest[:1] in ("'", '"'):
        end = rest.find(rest[0], 1)
        if end < 0:
            raise FakeTelegramError(f"no closing {rest[0]} after the file name")
        path, caption = rest[1:end], rest[end + 1 :].strip()
    else:
        path, _, caption = rest.partition(" ")
    return path, caption.strip() or None


class Console:
    """The console's commands, one line at a time (``handle``), and what the users see
    (``show``, a listener of the server: bot messages printed, their files saved)."""

    def __init__(self, server: FakeTelegramServer, *, save_dir: Path | None = None) -> None:
        self.server = server
        self.save_dir = save_dir
        self._paste: _Paste | None = None

    # -- what the bot sends ---------------------------------------------------------------
    def show(self, event: str, message: FakeMessage) -> None:
        chat = self.server._users.get(message.chat_id) or self.server._groups.get(message.chat_id)
        name = str(getattr(chat, "first_name", None) or getattr(chat, "title", "?"))
        text = format_message(message, name)
        if event == "edited":
            text = text.replace("[to ", "[edited, to ", 1)
        elif event == "deleted":
            text = f"[deleted in {name} {message.chat_id}] #{message.message_id}"
        print(text, flush=True)
        has_file = message.document is not None or message.photo is not None
        if event == "sent" and has_file and self.save_dir is not None and chat is not None:
            try:
                path = chat.save(message, self.save_dir)
            except (OSError, FakeTelegramError) as error:
                print(f"! could not save the file of #{message.message_id}: {error}")
            else:
                # Saved anyway, for the developer; the reader's app would not allow it.
                protected = " (protected content: a Telegram app lets no one save it)"
                note = protected if message.protect_content else ""
                print(f"    saved to {path}{note}", flush=True)

    # -- what the users type --------------------------------------------------------------
    async def handle(self, line: str) -> bool:
        """Run one line of input; False means quit."""
        if self._paste is not None:
            await self._paste_line(line.rstrip("\r\n"))
            return True
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
        try:
            await self._user_command(self._user(int(head)), rest)
        except FakeTelegramError as err:
            print(f"! {err}")
        return True

    def _user(self, user_id: int) -> FakeUser:
        try:
            return self.server.user(user_id)
        except FakeTelegramError:
            return self.server.add_user(user_id, f"User{user_id}")

    async def _user_command(self, user: FakeUser, rest: str) -> None:
        command, _, argument = rest.partition(" ")
        argument = argument.strip()
        if command == "!block":
            user.block()
        elif command == "!unblock":
            user.unblock()
        elif command == "!press":
            message_id, _, button = argument.partition(" ")
            await user.press(self._message(user, message_id), button)
        elif command == "!paste":
            self._start_paste(_Paste(user))
        elif command == "!reply":
            message_id, _, text = argument.partition(" ")
            target = self._message(user, message_id)
            if text.strip():
                self._sent(await user.paste(text, reply_to=target), always=True)
            else:
                self._start_paste(_Paste(user, reply_to=target))
        elif command == "!file":
            await self._send_file(user, argument)
        elif command == "!lang":
            self._language(user, argument)
        elif command == "!name":
            if not argument:
                raise FakeTelegramError("!name <first name>")
            user.first_name = argument
            print(f"User {user.id} is now {argument}")
        else:
            self._sent(await user.paste(rest))

    def _message(self, user: FakeUser, message_id: str) -> FakeMessage:
        message = user.find(int(message_id)) if message_id.isdigit() else None
        if message is None:
            raise FakeTelegramError(f"no message #{message_id} in {user.first_name}'s chat")
        return message

    def _sent(self, messages: list[FakeMessage], *, always: bool = False) -> None:
        numbers = ", ".join(f"#{m.message_id}" for m in messages)
        characters = sum(len(m.text or "") for m in messages)
        if len(messages) > 1:
            print(f"(sent as {len(messages)} messages, cut as a Telegram app cuts it: {numbers})")
        elif always:
            print(f"(sent as {numbers}: {characters} characters)")

    # -- !paste ---------------------------------------------------------------------------
    def _start_paste(self, paste: _Paste) -> None:
        self._paste = paste
        print('(paste the text; a line holding only "." sends it)', flush=True)

    async def _paste_line(self, line: str) -> None:
        assert self._paste is not None
        if line != ".":
            self._paste.lines.append("." if line == ".." else line)
            return
        paste, self._paste = self._paste, None
        try:
            messages = await paste.user.paste("\n".join(paste.lines), reply_to=paste.reply_to)
        except FakeTelegramError as err:
            print(f"! {err}")
            return
        self._sent(messages, always=True)

    # -- !file, !lang ---------------------------------------------------------------------
    async def _send_file(self, user: FakeUser, argument: str) -> None:
        if not argument:
            raise FakeTelegramError("!file <path> [caption]")
        path_text, caption = _split_path(argument)
        path = Path(path_text).expanduser()  # noqa: ASYNC240 - a local file, read at once
        try:
            content = path.read_bytes()
        except OSError as error:
            raise FakeTelegramError(f"cannot read {path}: {error.strerror}") from None
        message = await user.send_file(path.name, content, caption)
        if message.photo is not None:
            sizes = ", ".join(f"{p['width']}×{p['height']}" for p in message.photo)
            print(f"(sent {path.name} as a photo #{message.message_id}: {sizes})")
        else:
            mime = (message.document or {}).get("mime_type")
            print(f"(sent {path.name} as a document #{message.message_id}, {mime})")

    def _language(self, user: FakeUser, code: str) -> None:
        if code in ("-", "none"):
            user.language_code = None
        elif code:
            if not LANGUAGE.fullmatch(code):
                raise FakeTelegramError(f"not a language code: {code!r} (e.g. be, ru, en)")
            user.language_code = code.lower()
        shown = user.language_code or "none (the app sends no language_code)"
        print(f"{user.first_name}'s Telegram language: {shown}")


async def run_console(
    host: str,
    port: int,
    token: str,
    users: Sequence[tuple[int, str] | tuple[int, str, str | None]],
    *,
    save_dir: Path | None = None,
) -> None:
    server = FakeTelegramServer(token, host=host, port=port)
    for user_id, name, *language in users:
        server.add_user(user_id, name, language_code=(language[0] if language else None) or "en")
    console = Console(server, save_dir=save_dir)
    server.add_listener(console.show)
    await server.start()
    try:
        print(f"Fake Telegram Bot API listening at {server.base_url}", flush=True)
        print(
            f"Point the bot at it with: TELEGRAM_API_URL={server.base_url} "
            f"TELEGRAM_FILE_URL={server.base_file_url}",
            flush=True,
        )
        if save_dir is not None:
            print(f"Documents and pictures the bot sends are saved in {save_dir}", flush=True)
        print(HELP, flush=True)
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        _start_stdin_reader(asyncio.get_running_loop(), lines)
        while True:
            line = await lines.get()
            if line is None or not await console.handle(line):
                break
    finally:
        with contextlib.suppress(Exception):
            await server.stop()


def _user_spec(spec: str) -> tuple[int, str, str | None]:
    """``ID:NAME`` or ``ID:NAME:LANG`` (LANG: the Telegram app's language, e.g. be)."""
    user_id, sep, rest = spec.partition(":")
    name, language = rest, None
    head, sep2, tail = rest.rpartition(":")
    if sep2 and head and LANGUAGE.fullmatch(tail):
        name, language = head, tail.lower()
    if not sep or not user_id.isdigit() or not name:
        raise argparse.ArgumentTypeError(f"expected ID:NAME or ID:NAME:LANG, got {spec!r}")
    return int(user_id), name, language


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``--port 8081 --token T --user 111:Alice --user 222:Ira:be``."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.fake_telegram", description="Run the fake Telegram Bot API by hand."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument(
        "--user", type=_user_spec, action="append", default=[], metavar="ID:NAME[:LANG]"
    )
    parser.add_argument(
        "--save-dir", type=Path, help="write every document and picture the bot sends here"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # every answer at once, also into a pipe
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            run_console(args.host, args.port, args.token, args.user, save_dir=args.save_dir)
        )
    return 0
