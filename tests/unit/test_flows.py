"""Guided flows in progress: what they are about, and how long they may hold what was typed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db import Database, open_database
from bot.db.migrate import apply_migrations, discover
from bot.services import flows
from bot.services.flows import FLOW_TTL, FlowState

NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
T = "2026-02-02T09:00:00+00:00"


@dataclass(frozen=True, kw_only=True)
class AboutLetter(FlowState):
    letter_id: int
    version_id: int | None = None
    step: str | None = None


@dataclass(frozen=True, kw_only=True)
class AboutComment(FlowState):
    comment_id: int


@dataclass(frozen=True, kw_only=True)
class Untied(FlowState):
    step: str


async def _letter_with_a_comment(db: Database) -> None:
    await db.execute(
        "INSERT INTO letters (id, title, deadline, timezone, created_at) "
        "VALUES (4, 't', ?, 'UTC', ?)",
        (T, T),
    )
    await db.execute(
        "INSERT INTO versions (id, letter_id, number, body, fingerprint, created_at) "
        "VALUES (1, 4, 1, 'b', '0123abcd', ?)",
        (T,),
    )
    await db.execute(
        "INSERT INTO comments (id, letter_id, version_id, author_role, body, created_at) "
        "VALUES (9, 4, 1, 'member', 'c', ?)",
        (T,),
    )


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "bot.db")
    await apply_migrations(database, NOW)
    await _letter_with_a_comment(database)
    yield database
    await database.close()


async def test_a_flow_expires_a_day_after_its_last_input(db: Database) -> None:
    await flows.save(db, 1001, "revise", AboutLetter(letter_id=4, step="text"), now=NOW)
    later = NOW + timedelta(hours=20)
    await flows.save(db, 1001, "revise", AboutLetter(letter_id=4, step="kind"), now=later)
    assert await flows.next_expiry(db) == later + FLOW_TTL
    # Read before it expires: still there (a day after the last input, not the first).
    assert await flows.current(db, 1001, now=NOW + FLOW_TTL + timedelta(hours=1)) is not None
    # Read after: gone, and removed from the database at once.
    assert await flows.current(db, 1001, now=later + FLOW_TTL) is None
    assert await db.fetch_value("SELECT count(*) FROM flows") == 0


async def test_the_sweep_removes_only_abandoned_flows(db: Database) -> None:
    await flows.save(db, 1001, "newletter", Untied(step="text"), now=NOW)
    declining = AboutLetter(letter_id=4, version_id=1)
    await flows.save(db, 2002, "decline", declining, now=NOW)
    await flows.save(db, 2002, "decline", declining, now=NOW)
    fresh = NOW + timedelta(hours=12)
    await flows.save(db, 3003, "comment", declining, now=fresh)
    assert await flows.expire(db, now=NOW + FLOW_TTL - timedelta(seconds=1)) == 0
    assert await flows.expire(db, now=NOW + FLOW_TTL) == 2
    rows = await db.fetch_all("SELECT telegram_user_id FROM flows")
    assert [row["telegram_user_id"] for row in rows] == [3003]
    assert await flows.next_expiry(db) == fresh + FLOW_TTL


async def test_a_flow_knows_its_letter_from_its_state_or_the_comment_answered(
    db: Database,
) -> None:
    await flows.save(db, 1001, "revise", AboutLetter(letter_id=4, step="text"), now=NOW)
    await flows.save(db, 1002, "reply", AboutComment(comment_id=9), now=NOW)
    await flows.save(db, 1003, "reply", AboutComment(comment_id=99), now=NOW)  # no such comment
    await flows.save(db, 1004, "newletter", Untied(step="title"), now=NOW)
    rows = await db.fetch_all("SELECT telegram_user_id, letter_id FROM flows ORDER BY 1")
    assert [(r["telegram_user_id"], r["letter_id"]) for r in rows] == [
        (1001, 4), (1002, 4), (1003, None), (1004, None)
    ]  # fmt: skip
    flow = await flows.current(db, 1002, now=NOW)
    assert flow is not None and flow.letter_id == 4


async def test_the_migration_fills_in_the_letter_of_flows_in_progress(tmp_path: Path) -> None:
    database = await open_database(tmp_path / "old.db")
    try:
        before = [m for m in discover() if m.number < 6]
        await apply_migrations(database, NOW, before)
        await _letter_with_a_comment(database)
        for user, kind, state in [
            (1, "revise", {"letter_id": 4, "parts": ["x"]}),
            (2, "reply", {"comment_id": 9}),
            (3, "newletter", {"step": "title"}),
        ]:
            await database.execute(
                "INSERT INTO flows VALUES (?, ?, ?, ?, ?)", (user, kind, json.dumps(state), T, T)
            )
        await apply_migrations(database, NOW)
        rows = await database.fetch_all("SELECT letter_id FROM flows ORDER BY telegram_user_id")
        assert [row["letter_id"] for row in rows] == [4, 4, None]
    finally:
        await database.close()
