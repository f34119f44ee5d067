"""Rows become typed values once, in bot/db (issue 15 §3): enums for the stored words,
aware UTC datetimes for instants; and the stored forms stay what they were."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.db import Database, audit, open_database
from bot.db import letters as letters_repo
from bot.db.connection import MissingRow
from bot.db.migrate import apply_migrations
from bot.db.types import LetterStatus
from bot.services import lifecycle
from bot.services.refusals import Code, Refusal

NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 3, 1, 18, 0, tzinfo=ZoneInfo("Europe/Zurich"))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "bot.db")
    await apply_migrations(database, NOW)
    yield database
    await database.close()


async def _letter(db: Database) -> int:
    async with db.transaction() as tx:
        return await letters_repo.insert_letter(
            tx, title="T", language="en", deadline=DEADLINE, timezone="Europe/Zurich",
            created_by=1001, now=NOW,
        )  # fmt: skip


async def test_a_letter_reads_back_typed(db: Database) -> None:
    letter = await letters_repo.existing(db, await _letter(db))
    assert letter.status is LetterStatus.DRAFT
    assert letter.deadline == DEADLINE and letter.deadline.tzinfo is UTC
    assert letter.created_at == NOW and letter.opened_at is None and letter.close_report is None
    stored = await db.fetch_one("SELECT status, deadline FROM letters WHERE id = ?", (letter.id,))
    assert stored == {"status": "draft", "deadline": "2026-03-01T17:00:00+00:00"}


async def test_a_row_that_must_be_there_is_an_error_not_a_refusal(db: Database) -> None:
    with pytest.raises(MissingRow):
        await letters_repo.existing(db, 99)
    with pytest.raises(Refusal) as refused:
        await lifecycle.known_letter(db, 99)
    assert (refused.value.code, refused.value.data) == (Code.LETTER_NOT_FOUND, {"ref": 99})


async def test_instants_in_audit_data_are_recorded_as_stored(db: Database) -> None:
    async with db.transaction() as tx:
        await audit.append(
            tx, now=NOW, actor="system", action="test", data={"at": NOW + timedelta(hours=1)}
        )
    [event] = await audit.events(db)
    assert event.data == '{"at":"2026-02-02T10:00:00+00:00"}'
