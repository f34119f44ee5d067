"""Witness codes: an audit event's place and hash, short enough to be kept outside the server.

A code reads ``#212-7f3a-9c21-d04b-8e2a-a19c``: the event's id, then the first 20 hex digits of its
hash in groups of four. Whoever holds one (a member, from a receipt; a coordinator, from a
close report or the daily digest) can later ask whether event #212 is still in the chain
with that hash: a chain rewritten at or before that event, or cut off before it, fails.

Why 20 hex digits (80 bits). The chain has no secret, and everything hashed is content the
adversary controls once they hold the file (times, ids, the data of every event they rewrite),
so they can try variants offline until a rewritten event's hash starts with the witnessed
digits. That is a second preimage of a truncated SHA-256: 16^n tries for n digits, and the
witness was handed out before they began, so a birthday attack does not apply. One GPU does
about 2·10^10 SHA-256 a second: 12 digits (48 bits) fall in about four hours, 16 digits
(64 bits) in decades on one GPU but in days on a thousand rented ones; 20 digits (80 bits)
take about 2,000 years on a thousand. Each further witness after the rewritten event costs
the same again. The id costs the reader nothing and pins the place.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.db import audit
from bot.db.audit import AuditEvent
from bot.db.connection import Executor

WITNESS_DIGITS = 20
_GROUP = 4
EXAMPLE = "#212-7f3a-9c21-d04b-8e2a-a19c"
# Phones with a Cyrillic keyboard type these for the Latin hex letters they look like.
_LOOKALIKES = str.maketrans({"а": "a", "с": "c", "е": "e", "в": "b"})
_SHAPE = re.compile(r"#?\s*(\d{1,12})\s*[-‐‑–—:·.\s]\s*([0-9a-f][0-9a-f\-‐‑–—\s]*)")
_SEPARATORS = re.compile(r"[\-‐‑–—\s]")


@dataclass(frozen=True)
class Witness:
    event_id: int
    digits: str  # lower-case hex: the start of the event's hash (WITNESS_DIGITS to 64)

    @property
    def code(self) -> str:
        return witness_code(self.event_id, self.digits)


def witness_code(event_id: int, event_hash: str) -> str:
    """``#212-7f3a-9c21-d04b-8e2a-a19c``: the event's id and the start of its hash."""
    digits = event_hash[:WITNESS_DIGITS].lower()
    groups = [digits[i : i + _GROUP] for i in range(0, len(digits), _GROUP)]
    return "-".join([f"#{event_id}", *groups])


def parse_witness(code: str) -> Witness | None:
    """A witness from a code as people copy or type it: with or without ``#``, groups joined
    by dashes or spaces or not at all, any case, Cyrillic look-alikes of a, b, c, e; a whole
    64-digit hash after the id is fine too. None when it is not a witness code (fewer than
    WITNESS_DIGITS digits prove too little, see the module's note)."""
    # NFKC would make "№" "No"; full-width digits and dashes become ASCII.
    text = unicodedata.normalize("NFKC", code.replace("№", "#")).strip().lower()
    text = text.translate(_LOOKALIKES)
    shape = _SHAPE.fullmatch(text)
    if shape is None:
        return None
    digits = _SEPARATORS.sub("", shape[2])
    if not WITNESS_DIGITS <= len(digits) <= 64 or not re.fullmatch("[0-9a-f]+", digits):
        return None
    event_id = int(shape[1])
    return Witness(event_id, digits) if event_id >= 1 else None


def split_codes(text: str) -> list[str]:
    """The codes in a message or on a command line: separated by spaces, commas or
    semicolons (a code itself has none)."""
    return [part for part in re.split(r"[\s,;]+", text) if part]


class WitnessResult(enum.StrEnum):
    HELD = "held"  # the event at that place has a hash that starts with the digits
    MOVED = "moved"  # the digits are another event's now: events inserted or removed before
    DIFFERENT = "different"  # the event at that place has another hash: rewritten
    MISSING = "missing"  # no event has that id, though the chain goes past it: removed
    CUT = "cut"  # the chain ends before that id: events were cut off the end
    UNREADABLE = "unreadable"  # not a witness code
    # As a member sees it: none of the above about another organisation's event tells them
    # anything, and what they hold from their own receipts is held or it is not.
    UNMATCHED = "unmatched"


@dataclass(frozen=True)
class WitnessCheck:
    code: str  # as given
    witness: Witness | None
    result: WitnessResult
    event: AuditEvent | None = None  # the event at the witnessed place, if there is one
    found_at: int | None = None  # MOVED: the event the digits belong to now
    last_id: int = 0  # the chain's last event

    @property
    def held(self) -> bool:
        return self.result is WitnessResult.HELD

    def seen_by(self, organisation_id: int) -> WitnessResult:
        """The result a member of ``organisation_id`` is told: held only for an event about
        their organisation; anything else about a readable code is ``UNMATCHED``, so the
        answer says nothing about other organisations' events or the chain's length."""
        if self.result is WitnessResult.UNREADABLE:
            return self.result
        if self.held and self.event is not None and self.event.organisation_id == organisation_id:
            return WitnessResult.HELD
        return WitnessResult.UNMATCHED

    def line(self) -> str:
        """One line for the operator (``audit verify --witness``)."""
        if self.witness is None:
            return f"witness {self.code!r}: not a witness code (they look like {EXAMPLE})"
        code, event_id = self.witness.code, self.witness.event_id
        if self.result is WitnessResult.HELD:
            assert self.event is not None
            return f"witness {code}: held: event #{event_id} ({_about(self.event)}) is in place"
        why = {
            WitnessResult.MOVED: f"its digits are event #{self.found_at}'s now: events were "
            f"inserted or removed before it",
            WitnessResult.DIFFERENT: f"event #{event_id} has another hash "
            f"({self.event.hash[:WITNESS_DIGITS] if self.event else ''}): the chain was "
            "rewritten at or before it",
            WitnessResult.MISSING: f"there is no event #{event_id}, though the chain goes on to "
            f"#{self.last_id}: events were removed",
            WitnessResult.CUT: f"the chain ends at event #{self.last_id}: events were cut off "
            "the end",
        }[self.result]
        return f"witness {code}: NOT HELD: {why}"


def _about(event: AuditEvent) -> str:
    parts = [event.action]
    if event.letter_id is not None:
        parts.append(f"letter #{event.letter_id}")
    if event.organisation_id is not None:
        parts.append(f"organisation #{event.organisation_id}")
    return ", ".join(parts)


def check_witnesses_in(chain: Sequence[AuditEvent], codes: Iterable[str]) -> list[WitnessCheck]:
    """Each code against ``chain`` (all events, in id order): is the witnessed event still
    there, at its place, with that hash? Only meaningful for a chain that verifies."""
    by_id = {event.id: event for event in chain}
    last_id = chain[-1].id if chain else 0
    results = []
    for code in codes:
        witness = parse_witness(code)
        if witness is None:
            results.append(WitnessCheck(code, None, WitnessResult.UNREADABLE, last_id=last_id))
            continue
        event = by_id.get(witness.event_id)
        if event is not None and event.hash.startswith(witness.digits):
            result = WitnessResult.HELD
            found_at = None
        else:
            found_at = next((e.id for e in chain if e.hash.startswith(witness.digits)), None)
            if found_at is not None:
                result = WitnessResult.MOVED
            elif event is not None:
                result = WitnessResult.DIFFERENT
            elif witness.event_id > last_id:
                result = WitnessResult.CUT
            else:
                result = WitnessResult.MISSING
        results.append(WitnessCheck(code, witness, result, event, found_at, last_id))
    return results


async def check_witnesses(db: Executor, codes: Iterable[str]) -> list[WitnessCheck]:
    """Each code against the database's chain (``check_witnesses_in``)."""
    return check_witnesses_in(await audit.events(db), codes)


async def chain_head(db: Executor) -> str | None:
    """The code of the newest event (None for an empty log): for the close report and the
    daily digest. Inside a transaction right after ``audit.append``, that event's code."""
    event = await audit.last_event(db)
    return None if event is None else witness_code(event.id, event.hash)


async def response_witness(db: Executor, letter_id: int, organisation_id: int) -> str | None:
    """The code of the event behind an organisation's current response (for its receipt)."""
    event = await audit.last_response_event(db, letter_id, organisation_id)
    return None if event is None else witness_code(event.id, event.hash)
