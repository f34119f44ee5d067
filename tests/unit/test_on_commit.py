"""The on-commit hook: a transaction that queued deliveries, or changed what the scheduler
waits for, wakes the engine once it commits, never on rollback (issue 15 §1)."""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db import Database, open_database
from bot.db import deliveries as deliveries_repo
from bot.db import letters as letters_repo
from bot.db.connection import Change
from bot.db.migrate import apply_migrations
from bot.services import outbox
from bot.services.outbox import OutgoingMessage

NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
HELLO = OutgoingMessage("sendMessage", {"text": "hello", "parse_mode": "HTML"})
HANDLERS = Path(__file__).resolve().parents[2] / "bot" / "handlers"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "bot.db")
    await apply_migrations(database, NOW)
    yield database
    await database.close()


class Woken:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


async def _enqueue(tx: object, key: str) -> bool:
    return await outbox.enqueue(
        tx,  # type: ignore[arg-type]
        broadcast_id=None, contact_id=None, chat_id=1001, letter_id=None, kind="notice",
        message=HELLO, dedupe_key=key, now=NOW,
    )  # fmt: skip


async def test_queueing_wakes_the_outbox_after_commit(db: Database) -> None:
    woken, scheduled = Woken(), Woken()
    db.on_commit(Change.OUTBOX, woken)
    db.on_commit(Change.OUTBOX, woken)  # registering twice changes nothing
    db.on_commit(Change.SCHEDULE, scheduled)
    async with db.transaction() as tx:
        assert await _enqueue(tx, "a")
        assert await _enqueue(tx, "b")
        assert woken.count == 0  # not before the commit: the sender would find nothing
    assert woken.count == 1  # once per transaction
    assert scheduled.count == 0
    async with db.transaction() as tx:
        assert not await _enqueue(tx, "a")  # queued before: nothing changed, nobody woken
    assert woken.count == 1


async def test_a_rollback_wakes_nobody(db: Database) -> None:
    woken = Woken()
    db.on_commit(Change.OUTBOX, woken)
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await _enqueue(tx, "a")
            raise RuntimeError("refused")
    assert woken.count == 0
    assert await deliveries_repo.due_chats(db, now=NOW, limit=10) == []


async def test_a_failing_listener_does_not_undo_the_commit(db: Database) -> None:
    def broken() -> None:
        raise ValueError("bug in a listener")

    woken = Woken()
    db.on_commit(Change.OUTBOX, broken)
    db.on_commit(Change.OUTBOX, woken)
    async with db.transaction() as tx:
        await _enqueue(tx, "a")
    assert woken.count == 1
    assert await deliveries_repo.due_chats(db, now=NOW, limit=10) == [1001]


async def test_changing_a_deadline_wakes_the_scheduler(db: Database) -> None:
    scheduled, woken = Woken(), Woken()
    db.on_commit(Change.SCHEDULE, scheduled)
    db.on_commit(Change.OUTBOX, woken)
    async with db.transaction() as tx:
        letter_id = await letters_repo.insert_letter(
            tx,
            title="T",
            language="en",
            deadline=NOW + timedelta(days=3),
            timezone="UTC",
            created_by=1001,
            now=NOW,
        )
    assert scheduled.count == 0  # a draft is nothing the scheduler waits for
    async with db.transaction() as tx:
        await letters_repo.open_letter(tx, letter_id, now=NOW)
        await letters_repo.set_deadline(tx, letter_id, deadline=NOW + timedelta(days=5))
    assert scheduled.count == 1
    # A single statement outside a transaction has committed already: woken at once.
    await letters_repo.set_closed(db, letter_id, now=NOW)
    assert scheduled.count == 2
    assert woken.count == 0


def test_no_handler_imports_the_engines() -> None:
    """Handlers queue through services; the engines wake on commit (jobs/ is engines only)."""
    offenders = []
    for path in sorted(HANDLERS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.jobs"):
                offenders.append(f"{path.name}: from {node.module} import …")
            if isinstance(node, ast.Import):
                offenders += [f"{path.name}: import {a.name}" for a in node.names
                              if a.name.startswith("bot.jobs")]  # fmt: skip
    assert offenders == []
