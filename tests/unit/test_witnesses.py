"""Issue 16: witness codes — an audit event's place and hash, held outside the server.

A chain someone holding the file cut short, rewrote from an earlier event (every hash
recomputed, the tables made to match) or renumbered still verifies on its own; a witness
code of a later event catches it. Without one it passes: the documented limit.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.db import audit
from bot.db.audit import GENESIS, AuditEvent
from bot.services import responses
from bot.services.audit_check import check_audit
from bot.services.witnesses import (
    WITNESS_DIGITS,
    Witness,
    WitnessResult,
    chain_head,
    check_witnesses_in,
    parse_witness,
    response_witness,
    split_codes,
    witness_code,
)
from tests.unit.test_audit_replay import NOW, Coalition, build_coalition, coalition, event_of

__all__ = ["coalition"]  # the fixture, shared with the replay's tests

HASH = "7f3a9c21d04b8e2aa19c" + "5" * 44


def test_a_code_is_the_id_and_twenty_hex_digits_in_groups() -> None:
    assert witness_code(212, HASH) == "#212-7f3a-9c21-d04b-8e2a-a19c"
    assert witness_code(212, HASH.upper()) == "#212-7f3a-9c21-d04b-8e2a-a19c"
    assert WITNESS_DIGITS == 20


@pytest.mark.parametrize(
    "typed",
    [
        "#212-7f3a-9c21-d04b-8e2a-a19c",
        "212-7f3a-9c21-d04b-8e2a-a19c",  # in a shell, '#' starts a comment
        "  #212-7F3A-9C21-D04B-8E2A-A19C ",
        "#212 7f3a 9c21 d04b 8e2a a19c",
        "#212-7f3a9c21d04b8e2aa19c",
        "№212-7f3а-9с21-d04b-8е2а-а19с",  # a Cyrillic keyboard: №, а, с, е
        "＃２１２－7f3a-9c21-d04b-8e2a-a19c",  # full-width forms
        f"#212:{HASH}",  # the whole hash, as `audit verify` prints it
    ],
)
def test_codes_are_read_as_people_copy_or_type_them(typed: str) -> None:
    witness = parse_witness(typed)
    assert witness is not None and witness.event_id == 212
    assert HASH.startswith(witness.digits) and len(witness.digits) >= WITNESS_DIGITS
    assert witness.code == "#212-7f3a-9c21-d04b-8e2a-a19c"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "#212",
        "#212-7f3a9c21d0",  # ten digits prove too little
        "#212-7f3a-9c21-d04b-8e2a-a19",  # one short
        "#212-7f3a-9c21-d04b-8e2a-a19z",
        "7f3a-9c21-d04b-8e2a-a19c",  # no event id
        "#0-7f3a-9c21-d04b-8e2a-a19c",
        f"#212-{HASH}0",  # longer than a hash
        "#212-7f3a-9c21-d04b-8e2a-a19c-extra",
    ],
)
def test_what_is_not_a_code_is_refused(typed: str) -> None:
    assert parse_witness(typed) is None


def test_codes_in_a_message_are_split_on_spaces_commas_and_semicolons() -> None:
    assert split_codes(" #1-aaaa, #2-bbbb;#3-cccc\n#4-dddd ") == [
        "#1-aaaa",
        "#2-bbbb",
        "#3-cccc",
        "#4-dddd",
    ]


def _event(event_id: int, digest: str, organisation_id: int | None = None) -> AuditEvent:
    return AuditEvent(
        event_id, "2026-02-02T09:00:00+00:00", "cli", "response.signed", 1, organisation_id, None,
        "{}", GENESIS, digest,
    )  # fmt: skip


def _hash(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def test_each_way_a_witness_can_fail_is_told_apart() -> None:
    chain = [_event(1, _hash(1)), _event(2, _hash(2), 7), _event(4, _hash(4)), _event(5, _hash(5))]
    codes = [
        witness_code(2, _hash(2)),  # held
        witness_code(3, _hash(5)),  # its digits are #5's now
        witness_code(4, _hash(40)),  # #4 is another event
        witness_code(3, _hash(30)),  # no #3, though the chain goes on
        witness_code(9, _hash(90)),  # the chain ends at #5
        "nonsense",
    ]
    results = check_witnesses_in(chain, codes)
    assert [r.result for r in results] == [
        WitnessResult.HELD,
        WitnessResult.MOVED,
        WitnessResult.DIFFERENT,
        WitnessResult.MISSING,
        WitnessResult.CUT,
        WitnessResult.UNREADABLE,
    ]
    assert results[1].found_at == 5 and results[4].last_id == 5
    assert [r.line() for r in results] == [
        f"witness {codes[0]}: held: event #2 (response.signed, letter #1, organisation #7) is "
        "in place",
        f"witness {codes[1]}: NOT HELD: its digits are event #5's now: events were inserted or "
        "removed before it",
        f"witness {codes[2]}: NOT HELD: event #4 has another hash ({_hash(4)[:20]}): the chain "
        "was rewritten at or before it",
        f"witness {codes[3]}: NOT HELD: there is no event #3, though the chain goes on to #5: "
        "events were removed",
        f"witness {codes[4]}: NOT HELD: the chain ends at event #5: events were cut off the end",
        "witness 'nonsense': not a witness code (they look like #212-7f3a-9c21-d04b-8e2a-a19c)",
    ]
    # A member learns only whether their own organisation's event holds.
    assert [r.seen_by(7) for r in results] == [WitnessResult.HELD] + [
        WitnessResult.UNMATCHED
    ] * 4 + [WitnessResult.UNREADABLE]
    assert results[0].seen_by(8) is WitnessResult.UNMATCHED


# --- on a real database -----------------------------------------------------------------------


def _unguard(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")


def rewrite_from(path: Path, first: int, change: Callable[[dict[str, Any]], None]) -> None:
    """The adversary with the file: changes event ``first`` and recomputes the hash of it
    and of every event after it, so that the chain verifies again."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        _unguard(conn)
        [previous] = conn.execute(
            "SELECT hash FROM audit_events WHERE id < ? ORDER BY id DESC LIMIT 1", (first,)
        ).fetchone() or [GENESIS]
        rows = conn.execute("SELECT * FROM audit_events WHERE id >= ? ORDER BY id", (first,))
        for row in [dict(r) for r in rows]:
            if row["id"] == first:
                change(row)
            fields = {k: row[k] for k in ("at", "actor", "action", "letter_id",
                                          "organisation_id", "contact_id", "data")}  # fmt: skip
            digest = audit.event_hash(previous, **fields)
            conn.execute(
                "UPDATE audit_events SET data = ?, prev_hash = ?, hash = ? WHERE id = ?",
                (row["data"], previous, digest, row["id"]),
            )
            previous = digest
        conn.commit()
    finally:
        conn.close()


def tamper(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    try:
        _unguard(conn)
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


async def test_a_chain_cut_after_a_witnessed_event_fails_against_that_witness(
    coalition: Coalition,
) -> None:
    """Free Media declined last; its receipt carries the code. Someone cuts that event off
    the log and the response out of the table: the chain and the record agree again."""
    db = coalition.db
    held = await response_witness(db, coalition.letter_id, 3)
    assert held is not None and held == await chain_head(db)
    last = await audit.last_event_id(db)
    tamper(
        coalition.path,
        f"DELETE FROM audit_events WHERE id = {last}",
        "DELETE FROM responses WHERE organisation_id = 3",
    )
    unwitnessed = await check_audit(db)
    assert unwitnessed.ok  # the documented limit: nothing else shows a cut
    check = await check_audit(db, [held])
    assert check.log_ok and not check.ok
    [witness] = check.witnesses
    assert witness.result is WitnessResult.CUT
    assert witness.line().endswith(
        f"NOT HELD: the chain ends at event #{last - 1}: events were cut off the end"
    )


async def test_a_chain_rewritten_from_an_earlier_event_fails_against_a_later_witness(
    coalition: Coalition,
) -> None:
    """Viasna signed "internal only". Someone makes it "named" in the log (every later hash
    recomputed) and in the table: chain and record agree. Belarusian PEN's receipt, of a
    later event, no longer holds; a witness from before the rewritten event still does."""
    db = coalition.db
    before = witness_code(1, (await audit.events(db))[0].hash)
    later = await response_witness(db, coalition.letter_id, 2)
    head = await chain_head(db)
    signed = await event_of(db, "response.signed", 1)

    def named(row: dict[str, Any]) -> None:
        data = json.loads(row["data"])
        row["data"] = json.dumps(
            {**data, "listing": "named"}, sort_keys=True, separators=(",", ":")
        )

    rewrite_from(coalition.path, signed, named)
    tamper(coalition.path, "UPDATE responses SET listing = 'named' WHERE organisation_id = 1")
    assert (await check_audit(db)).ok  # the documented limit
    check = await check_audit(db, [before, later, head])
    assert check.log_ok and not check.ok
    assert [w.result for w in check.witnesses] == [
        WitnessResult.HELD,  # a witness proves what came before it, not after
        WitnessResult.DIFFERENT,
        WitnessResult.DIFFERENT,
    ]


async def test_renumbered_events_are_caught_by_their_ids_and_by_the_witnesses(
    coalition: Coalition,
) -> None:
    """Ids are not hashed: an event moved to another id still links up. The chain check
    knows ids run 1, 2, 3…; a witness pins the place too."""
    db = coalition.db
    code = await chain_head(db)
    last = await audit.last_event_id(db)
    tamper(coalition.path, f"UPDATE audit_events SET id = id + 1 WHERE id = {last}")
    check = await check_audit(db, [code])
    assert check.chain.broken is not None and check.chain.broken.id == last + 1
    assert check.chain.reason == f"it should be event #{last}: events were renumbered"
    [witness] = check.witnesses
    assert witness.result is WitnessResult.MOVED and witness.found_at == last + 1


async def test_a_receipt_code_is_of_the_current_response(coalition: Coalition) -> None:
    db, pen = coalition.db, coalition.contacts[1]
    await responses.withdraw(db, pen, coalition.letter_id, now=NOW)
    withdrawn = await event_of(db, "response.withdrawn", 2)
    code = await response_witness(db, coalition.letter_id, 2)
    assert code == await chain_head(db)
    assert code is not None and code.startswith(f"#{withdrawn}-")
    assert await response_witness(db, coalition.letter_id, 4) is None  # never answered
    assert parse_witness(code) == Witness(withdrawn, code.replace("-", "")[len(f"#{withdrawn}") :])


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A coalition's database, and the settings of a terminal command pointing at it."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_KEY", "DATABASE_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "data" / "bot.db"
    path.parent.mkdir(mode=0o700)
    monkeypatch.setenv("DATABASE_PATH", str(path))

    async def build() -> None:
        await (await build_coalition(path)).db.close()

    asyncio.run(build())
    return path


def test_audit_verify_with_witnesses(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = sqlite3.connect(database)
    [(last, digest)] = conn.execute("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")
    [(first_hash,)] = conn.execute("SELECT hash FROM audit_events WHERE id = 1")
    conn.close()
    head = witness_code(last, digest)
    first = witness_code(1, first_hash).removeprefix("#")  # as typed in a shell

    assert cli.main(["audit", "verify", "--witness", head, first]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"OK: {last} events"
    assert out[2] == f"head: {head} (a witness code of the last event: keep it elsewhere)"
    assert out[3] == f"record OK: the tables are what the {last} events say"
    assert out[4] == (
        f"witness {head}: held: event #{last} (response.declined, letter #1, organisation #3) "
        "is in place"
    )
    assert out[5].startswith(f"witness #{first}: held: event #1 (organisation.added")

    tamper(
        database,
        f"DELETE FROM audit_events WHERE id = {last}",
        "DELETE FROM responses WHERE organisation_id = 3",
    )
    assert cli.main(["audit", "verify"]) == 0  # nothing but the witness shows the cut
    capsys.readouterr()
    assert cli.main(["audit", "verify", "--witness", f"{head}, {first}", "junk"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-3:] == [
        f"witness {head}: NOT HELD: the chain ends at event #{last - 1}: events were cut off "
        "the end",
        out[-2],
        "witness 'junk': not a witness code (they look like #212-7f3a-9c21-d04b-8e2a-a19c)",
    ]
    assert "held: event #1" in out[-2]

    tamper(database, "UPDATE organisations SET name = 'Forged' WHERE id = 2")
    assert cli.main(["audit", "verify"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[3] == (
        "record DIFFERS: organisations: organisation #2: the table says 'Forged'; the audit "
        "log says 'Belarusian PEN' (event #4)"
    )
