"""A pasted letter put back together from the messages it arrived in.

Telegram apps split a text longer than 4,096 characters (UTF-16 code units) into several
messages when it is sent. Telegram Desktop (``TextUtilities::CutPart``) looks for the best
break in the second half of the limit -- a paragraph break, then a line break, then a space
after a sentence end, then any space -- takes the last one of the best kind, cuts there and
trims the whitespace around the cut from both parts. Other apps also prefer a line break,
else a space, near the limit. The bot receives the parts as unrelated messages; this module
decides, for each pair of consecutive parts, what whitespace the app removed, so the text is
stored exactly as it was written.

How two consecutive parts A and B are joined
--------------------------------------------
They are *separate messages* (joined by a blank line, as before) unless B arrived within
``PASTE_GAP`` of A (message dates, not the bot's clock), A is longer than half the limit (no
app cuts earlier) and A with everything after it is longer than the limit (no app splits a
shorter text). Otherwise the app cut between them, and the removed whitespace is:

1. a space, when the cut is inside a sentence: B starts in lower case, or A's last line is
   long (not a heading or a list item) and does not end like a sentence -- and B is not a
   list item;
2. a line or paragraph break, when A's last line ends without being a long sentence-like
   line (a heading, a list item), when B is a list item, when the rest of B within the
   limit holds a sentence end or a line break (the app would have cut there if it cut at
   a space), or when A holds a line break in the second half of the limit (Telegram Desktop
   cuts at a line break when it has one). A line break in B within the limit means the cut
   was a paragraph break; a text without blank lines is joined with a line break; otherwise
   the join repeats the break used just before it (a blank line where a list ends);
3. otherwise it is not clear whether a sentence or a paragraph was cut: the join keeps the
   blank line (the text as the app sent it) and is *unsure*; it is shown to the coordinator
   before Done with every other join, so that a wrong one is seen before it is stored.

Nothing here knows Telegram's API: parts come with their text and date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.services.letter_text import (
    TELEGRAM_MESSAGE_LIMIT,
    is_list_item,
    telegram_length,
)

__all__ = [
    "PASTE_GAP",
    "Join",
    "JoinKind",
    "Part",
    "Pasted",
    "assemble",
]

PASTE_GAP = timedelta(seconds=5)
"""Parts of one paste arrive within this of each other (apps send them back to back)."""

_HALF = TELEGRAM_MESSAGE_LIMIT // 2
# A line at least this long that does not end like a sentence was cut inside a sentence.
_LONG_LINE = 120
_SENTENCE_LIKE_END = re.compile(r"[.!?…:;][\"'»”’)\]]*$")
_SENTENCE_SPACE = re.compile(r"[.!?…][\"'»”’)\]]*\s")
_CONTEXT = 40

JoinKind = Literal["separate", "seamless", "unsure"]


@dataclass(frozen=True)
class Part:
    """One message of a paste: its text, when Telegram received it, and how many UTF-16
    code units of that message came before the text (a command and its arguments)."""

    text: str
    date: datetime | None
    offset: int = 0


@dataclass(frozen=True)
class Join:
    """How two consecutive parts were put together."""

    separator: str
    kind: JoinKind
    before: str  # the end of the part before, to show where the join is
    after: str  # the start of the part after

    @property
    def shown(self) -> bool:
        """Joins the bot decided on (not separate messages) are shown before Done."""
        return self.kind != "separate"


@dataclass(frozen=True)
class Pasted:
    text: str
    joins: tuple[Join, ...]

    @property
    def unsure(self) -> int:
        return sum(1 for join in self.joins if join.kind == "unsure")


def assemble(parts: Sequence[Part]) -> Pasted:
    """The text of the parts joined as the app had it before splitting (see module doc)."""
    # Telegram trims every message; a line break still at a cut is what the app cut at.
    texts = [part.text.strip() for part in parts]
    joins: list[Join] = []
    pad = parts[0].offset if parts else 0
    blank_lines = any("\n\n" in text for text in texts)
    for index in range(len(parts) - 1):
        a, b = parts[index], parts[index + 1]
        rest = _rest_length(parts, texts, index)
        separator, kind = _decide(texts[index], texts[index + 1], a, b, pad, rest, blank_lines)
        left = a.text[len(a.text.rstrip()) :] + b.text[: len(b.text) - len(b.text.lstrip())]
        if kind != "separate" and "\n" in left:
            separator, kind = left, "seamless"
        joins.append(Join(separator, kind, _tail(texts[index]), _head(texts[index + 1])))
        # The app counts the whitespace it cut at as the start of what is left.
        pad = len(separator) if kind != "separate" else parts[index + 1].offset
    pieces: list[str] = []
    for index, text in enumerate(texts):
        pieces.append(text)
        if index < len(joins):
            pieces.append(joins[index].separator)
    return Pasted("".join(pieces), tuple(joins))


def _close(a: Part, b: Part) -> bool:
    if a.date is None or b.date is None:
        return False
    return timedelta(0) <= b.date - a.date <= PASTE_GAP


def _rest_length(parts: Sequence[Part], texts: Sequence[str], index: int) -> int:
    """UTF-16 length of part ``index`` and the parts that follow it closely (one paste)."""
    total = telegram_length(texts[index])
    for number in range(index + 1, len(parts)):
        if not _close(parts[number - 1], parts[number]):
            break
        total += 1 + telegram_length(texts[number])
    return total


def _decide(
    a: str, b: str, first: Part, second: Part, pad: int, rest: int, blank_lines: bool
) -> tuple[str, JoinKind]:
    cut = pad + telegram_length(a)
    if not _close(first, second) or cut <= _HALF or pad + rest <= TELEGRAM_MESSAGE_LIMIT:
        return "\n\n", "separate"
    last_line = a.rsplit("\n", 1)[-1]
    sentence_end = _SENTENCE_LIKE_END.search(a) is not None
    b_list = is_list_item(b)
    starts_lower = b[:1].islower()
    if not b_list and (starts_lower or (not sentence_end and len(last_line) >= _LONG_LINE)):
        return " ", "seamless"
    head = _within_limit(b, TELEGRAM_MESSAGE_LIMIT - cut - 1)
    window = a[max(0, len(a) - (cut - _HALF)) :]
    breaks = (
        not sentence_end
        or len(last_line) < _LONG_LINE
        or b_list
        or "\n" in head
        or _SENTENCE_SPACE.search(head) is not None
        or ("\n" in window and re.search(r"\s", head) is not None)
    )
    if breaks:
        return _line_or_paragraph(a, b, head, blank_lines), "seamless"
    return "\n\n", "unsure"


def _line_or_paragraph(a: str, b: str, head: str, blank_lines: bool) -> str:
    if "\n" in head:  # the app would have cut at that later line break unless this was better
        return "\n\n"
    if not blank_lines:
        return "\n"
    last_line = a.rsplit("\n", 1)[-1]
    if is_list_item(last_line) and not is_list_item(b):
        return "\n\n"  # a list ends: texts with blank lines set it off with one
    before = a[: len(a) - len(last_line)]
    return "\n\n" if before.endswith("\n\n") or not before else "\n"


def _within_limit(text: str, units: int) -> str:
    """The start of ``text`` that fits in ``units`` UTF-16 code units."""
    if units <= 0:
        return ""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            return text[:index]
    return text


def _tail(text: str) -> str:
    line = text.rsplit("\n", 1)[-1]
    if len(line) <= _CONTEXT:
        return line
    cut = line[-_CONTEXT:]
    space = cut.find(" ")
    return cut[space + 1 :] if 0 <= space < _CONTEXT // 2 else cut


def _head(text: str) -> str:
    line = text.split("\n", 1)[0]
    if len(line) <= _CONTEXT:
        return line
    cut = line[:_CONTEXT]
    space = cut.rfind(" ")
    return cut[:space] if space > _CONTEXT // 2 else cut
