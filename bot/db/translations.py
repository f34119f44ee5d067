"""Data access for translations: a version's text in another language than the letter's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.connection import Executor
from bot.db.timefmt import to_db
from bot.db.types import row_to


@dataclass(frozen=True)
class Translation:
    id: int
    version_id: int
    language: str
    body: str | None  # None once purged
    fingerprint: str
    source_kind: str
    file_id: str | None
    file_name: str | None
    created_by: int | None
    created_at: datetime


async def insert(
    db: Executor,
    *,
    version_id: int,
    language: str,
    body: str,
    fingerprint: str,
    source_kind: str,
    file_id: str | None,
    file_name: str | None,
    created_by: int | None,
    now: datetime,
) -> int:
    return await db.insert(
        "INSERT INTO translations (version_id, language, body, fingerprint, source_kind, "
        "file_id, file_name, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (version_id, language, body, fingerprint, source_kind, file_id, file_name, created_by,
         to_db(now)),
    )  # fmt: skip


async def of_version(db: Executor, version_id: int) -> dict[str, Translation]:
    """The version's translations, by language."""
    rows = await db.fetch_all(
        "SELECT * FROM translations WHERE version_id = ? ORDER BY language", (version_id,)
    )
    return {str(row["language"]): row_to(Translation, row) for row in rows}


async def get(db: Executor, version_id: int, language: str) -> Translation | None:
    row = await db.fetch_one(
        "SELECT * FROM translations WHERE version_id = ? AND language = ?", (version_id, language)
    )
    return None if row is None else row_to(Translation, row)
