"""The demo's conversation, printed as each person sees it.

Every bot message is shown the way the fake Telegram server stored it: the plain text
the user reads (Telegram HTML already parsed into text and entities), its buttons, its
attachments. Entities become terminal styles when printing to a terminal, or a light
plain-text notation otherwise (insertions ``{+…+}``, deletions ``[-…-]``, like wdiff).
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.fake_telegram import FakeMessage

__all__ = ["Transcript", "render_entities", "render_message"]

INDENT = "      "
WIDTH = 96
# Texts longer than this shown once already are abbreviated the next time (the same draft
# goes to every member; printing it six times would bury the conversation).
REPEAT_ABBREVIATE = 240

_ANSI = {
    "bold": ("\033[1m", "\033[22m"),
    "italic": ("\033[3m", "\033[23m"),
    "underline": ("\033[4m", "\033[24m"),
    "strikethrough": ("\033[9m", "\033[29m"),
    "code": ("\033[36m", "\033[39m"),
    "pre": ("\033[36m", "\033[39m"),
}
_PLAIN = {
    "underline": ("{+", "+}"),
    "strikethrough": ("[-", "-]"),
}
DIM, RESET_DIM = "\033[2m", "\033[22m"
WHO = "\033[1;34m"
BOT = "\033[1;32m"
RESET = "\033[0m"


def use_colour(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def render_entities(text: str, entities: list[dict[str, Any]], colour: bool) -> str:
    """The plain text with its entities shown as terminal styles or plain markers.

    Entity offsets are in UTF-16 code units, like the Bot API's.
    """
    marks = _ANSI if colour else _PLAIN
    opening: dict[int, list[str]] = {}
    closing: dict[int, list[str]] = {}
    for entity in entities:
        kind = entity.get("type", "")
        start, end = entity["offset"], entity["offset"] + entity["length"]
        if kind == "text_link":
            closing.setdefault(end, []).append(f" <{entity.get('url', '')}>")
            continue
        if kind not in marks:
            continue
        on, off = marks[kind]
        opening.setdefault(start, []).append(on)
        closing.setdefault(end, []).insert(0, off)
    if not opening and not closing:
        return text
    out: list[str] = []
    position = 0  # in UTF-16 units
    for char in text:
        out += closing.pop(position, [])
        out += opening.pop(position, [])
        out.append(char)
        position += len(char.encode("utf-16-le")) // 2
    out += closing.pop(position, [])
    return "".join(out)


def _size(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.0f} KB"


def render_message(message: FakeMessage, colour: bool, *, numbered: bool = False) -> list[str]:
    """The lines of one bot message, unindented: attachments, text, buttons (numbered for
    the interactive demo's /press)."""
    lines: list[str] = []
    if message.document is not None:
        name = message.document.get("file_name", "file")
        lines.append(f"📎 {name} ({_size(message.document.get('file_size', 0))})")
    if message.photo is not None:
        biggest = max(message.photo, key=lambda p: p.get("file_size", 0))
        lines.append(f"🖼  picture {biggest.get('width')}×{biggest.get('height')} px")
    if message.text is not None:
        body = render_entities(message.text, message.entities, colour)
    else:
        body = render_entities(message.caption or "", message.caption_entities, colour)
    if body:
        lines += body.split("\n")
    number = 0
    for row in message.buttons:
        shown = []
        for text, _ in row:
            number += 1
            shown.append(f"[{number}: {text}]" if numbered else f"[ {text} ]")
        lines.append("  ".join(shown))
    return lines


def _wrap(line: str) -> list[str]:
    if len(line) <= WIDTH:
        return [line]
    return textwrap.wrap(line, WIDTH, break_long_words=False, break_on_hyphens=False) or [""]


@dataclass
class Transcript:
    """Prints the conversation; ``names`` maps Telegram user ids to the names shown."""

    stream: TextIO = field(default_factory=lambda: sys.stdout)
    names: dict[int, str] = field(default_factory=dict)
    # A member's organisation: the same broadcast differs only by it from chat to chat.
    organisations: dict[int, str] = field(default_factory=dict)
    colour: bool | None = None
    # Everything printed, without terminal styles, for the transcript file.
    lines: list[str] = field(default_factory=list)
    _shown: dict[str, str] = field(default_factory=dict)
    _deleted: dict[str, list[int]] = field(default_factory=dict)
    hidden: Callable[[FakeMessage], bool] | None = None
    # Interactive: message numbers in headers and numbered buttons, for /press.
    numbered: bool = False

    def __post_init__(self) -> None:
        if self.colour is None:
            self.colour = use_colour(self.stream)

    # -- output -------------------------------------------------------------------------
    def flush(self) -> None:
        deleted, self._deleted = self._deleted, {}
        for who, ids in deleted.items():
            numbers = ", ".join(f"#{n}" for n in ids)
            line = f"   (bot deletes from {who.split(' (', 1)[0]}'s chat: {numbers})"
            self._emit(f"{DIM}{line}{RESET_DIM}", line)

    def _emit(self, styled: str, plain: str | None = None) -> None:
        if self._deleted:
            self.flush()
        print(styled if self.colour else (plain if plain is not None else styled),
              file=self.stream, flush=True)  # fmt: skip
        self.lines.append(plain if plain is not None else styled)

    def _name(self, user_id: int) -> str:
        return self.names.get(user_id, f"user {user_id}")

    def heading(self, text: str) -> None:
        self._emit("", "")
        bar = "─" * max(4, 72 - len(text))
        self._emit(f"\033[1m── {text} {bar}{RESET}", f"── {text} {bar}")

    def note(self, text: str) -> None:
        for line in _wrap(text):
            self._emit(f"{DIM}   {line}{RESET_DIM}", f"   {line}")

    def user_says(self, user_id: int, text: str, attachment: str | None = None) -> None:
        who = self._name(user_id)
        first, *rest = (text or "").split("\n")
        if attachment:
            first = f"📎 {attachment}" + (f"  {first}" if first else "")
        head, *more = _wrap(f"{who} → bot: {first}")
        body = head[len(f"{who} → bot:") :]
        self._emit(f"{WHO}{who} → bot:{RESET}{body}", head)
        for line in more + rest:
            self._emit_body(line, line)

    def user_presses(self, user_id: int, button: str) -> None:
        who = self._name(user_id)
        self._emit(f"{WHO}{who} presses{RESET} [ {button} ]", f"{who} presses [ {button} ]")

    def clock(self, text: str) -> None:
        self._emit("", "")
        self._emit(f"\033[1;33m⏱  {text}{RESET}", f"⏱  {text}")

    # -- the fake server's listener ------------------------------------------------------------
    def on_message(self, event: str, message: FakeMessage) -> None:
        if self.hidden is not None and self.hidden(message):
            return
        who = self._name(message.chat_id)
        if event == "deleted":
            # Deletions come in sweeps (DRAFT_TTL): one line per chat, not per message.
            self._deleted.setdefault(who, []).append(message.message_id)
            return
        verb = "edits its message" if event == "edited" else "→"
        lock = "  🔒 protected" if message.protect_content and event == "sent" else ""
        if event == "edited":
            header = f"bot {verb} #{message.message_id} for {who}:"
        else:
            header = f"bot → {who}" + (f" #{message.message_id}:" if self.numbered else ":")
        self._emit(f"{BOT}{header}{RESET}{DIM}{lock}{RESET_DIM}", f"{header}{lock}")
        body = render_message(message, bool(self.colour), numbered=self.numbered)
        plain = render_message(message, False, numbered=self.numbered) if self.colour else body
        key = "\n".join(plain)
        organisation = self.organisations.get(message.chat_id)
        if organisation:
            key = key.replace(organisation, "\0")
        if len(key) > REPEAT_ABBREVIATE and key in self._shown and event == "sent":
            first = plain[0] if plain else ""
            if len(first) > 70:
                first = first[:69] + "…"
            note = f"{first}  (the same as {self._shown[key]}'s above)"
            self._emit(f"{INDENT}{DIM}{note}{RESET_DIM}", f"{INDENT}{note}")
            return
        self._shown.setdefault(key, who.split(" (", 1)[0])
        for styled_line, plain_line in zip(body, plain, strict=True):
            self._emit_body(styled_line, plain_line)

    def _emit_body(self, styled: str, plain: str) -> None:
        """One line of a message: wrapped and indented (a terminal wraps styled lines)."""
        wrapped = [f"{INDENT}{part}" for part in _wrap(plain)]
        if self.colour:
            print(f"{INDENT}{styled}", file=self.stream, flush=True)
        else:
            for line in wrapped:
                print(line, file=self.stream, flush=True)
        self.lines += wrapped

    def show(self, message: FakeMessage) -> None:
        """Prints one message in full, whatever was shown before (the interactive /chat)."""
        who = self._name(message.chat_id)
        sender = "bot" if message.from_bot else who
        target = f" → {who}" if message.from_bot else " → bot"
        state = " (deleted)" if message.deleted else ""
        header = f"{sender}{target} #{message.message_id}{state}:"
        self._emit(f"{BOT}{header}{RESET}", header)
        body = render_message(message, bool(self.colour), numbered=self.numbered)
        plain = render_message(message, False, numbered=self.numbered) if self.colour else body
        for styled_line, plain_line in zip(body, plain, strict=True):
            self._emit_body(styled_line, plain_line)

    def text(self) -> str:
        self.flush()
        return "\n".join(self.lines) + "\n"
