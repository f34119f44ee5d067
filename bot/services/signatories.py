"""Does a letter's text already hold its list of signatories?

The export appends the signatory list itself; a list left in the text would appear twice in
what diplomats receive. This is a warning, never a refusal: a text may rightly name
organisations. Two shapes count as a list:

* a run of lines that are names of the bot's own organisations (two or more in a row, or
  one right after a closing such as "Sincerely,"), bullets and numbers ignored;
* a closing line ("Yours sincerely,", "С уважением,", "З павагай,"...) followed, to the end
  of the text, by two or more list items ("- Name", "• Name", "1. Name").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from bot.db import organisations as organisations_repo
from bot.db.connection import Executor
from bot.services.letter_text import is_list_item, normalise
from bot.services.membership import org_name_key

__all__ = ["SignatoryList", "find_signatory_list", "organisation_names"]

_MARKER = re.compile(r"^\s*(?:[-–—•‣◦▪■●*·]|\(?(?:\d{1,3}|[^\W\d_])[.)])\s+")
_QUOTES = str.maketrans({c: '"' for c in "“”„‟«»″〝〞＂"} | {c: "'" for c in "‘’‚‛′"})
_DASHES = re.compile(r"[‐‑‒–—―−]")
_CLOSING = re.compile(
    r"""^(?:
        (?:yours\s+)?(?:sincerely|faithfully|truly|respectfully)(?:\s+yours)?
      | (?:with\s+)?(?:kind|best|warm)(?:est)?\s+regards
      | signed(?:\s+by)?
      | (?:list\s+of\s+)?signator(?:y|ies)(?:\s+organi[sz]ations)?
      | с\s+уважением | с\s+наилучшими\s+пожеланиями | подписи | подписа(?:ли|нты)
      | з\s+павагай | з\s+найлепшымі\s+пажаданнямі | подпісы | падпіс(?:алі|анты)
    )[\s,.:!]*$""",
    re.IGNORECASE | re.VERBOSE,
)
_CLOSING_MAX = 60


_FIRST_SHOWN = 80


@dataclass(frozen=True)
class SignatoryList:
    count: int  # lines that look like signatories
    first: str  # the first of them, as written (its beginning, for a long one)


def _found(lines: list[str]) -> SignatoryList:
    first = lines[0]
    if len(first) > _FIRST_SHOWN:
        first = first[: _FIRST_SHOWN - 1].rstrip() + "…"
    return SignatoryList(len(lines), first)


async def organisation_names(db: Executor) -> list[str]:
    return [organisation.name for organisation in await organisations_repo.all_active(db)]


def _key(line: str) -> str:
    """A line compared with organisation names: no list marker, quotes and dashes folded,
    no trailing punctuation, case and spacing ignored."""
    bare = _MARKER.sub("", line).strip().rstrip(",;.")
    folded = _DASHES.sub("-", unicodedata.normalize("NFKC", bare).translate(_QUOTES))
    return org_name_key(folded)


def _is_closing(line: str) -> bool:
    return len(line) <= _CLOSING_MAX and _CLOSING.match(line.strip()) is not None


def find_signatory_list(text: str, names: Iterable[str]) -> SignatoryList | None:
    """The signatory list the text seems to hold (see the module docstring), or None."""
    lines = [line.strip() for line in normalise(text).split("\n") if line.strip()]
    keys = {_key(name) for name in names} - {""}
    found: SignatoryList | None = None
    run: list[str] = []
    for index, line in enumerate([*lines, ""]):
        if line and _key(line) in keys:
            run.append(line)
            continue
        start = index - len(run)  # where the run of names began
        after_closing = bool(run) and start > 0 and _is_closing(lines[start - 1])
        if (len(run) >= 2 or after_closing) and (found is None or len(run) > found.count):
            found = _found(run)
        run = []
    closings = [index for index, line in enumerate(lines) if _is_closing(line)]
    if closings:
        tail = lines[closings[-1] + 1 :]
        listed = len(tail) >= 2 and all(is_list_item(line + " ") for line in tail)
        if listed and (found is None or len(tail) > found.count):
            found = _found(tail)
    return found
