"""Data access for guided conversations in progress."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db.connection import Executor
from bot.db.timefmt import from_db, to_db
from bot.db.types import row_to


@dataclass(frozen=True)
class Flow:
    telegram_user_id: int
    kind: str
    state: dict[str, Any]
    started_at: datetime
    updated_at: datetime
    letter_id: int | None  # the letter it is about (purged with it), if any


async def get(db: Executor, telegram_user_id: int) -> Flow | None:
    row = await db.fetch_one("SELECT * FROM flows WHERE telegram_user_id = ?", (telegram_user_id,))
    if row is None:
        return None
    return row_to(Flow, {**row, "state": json.loads(row["state"])})


async def put(
    db: Executor,
    telegram_user_id: int,
    kind: str,
    state: dict[str, Any],
    *,
    letter_id: int | None,
    now: datetime,
) -> None:
    stamp = to_db(now)
    await db.execute(
        "INSERT INTO flows (telegram_user_id, kind, state, started_at, updated_at, letter_id) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (telegram_user_id) DO UPDATE SET "
        "kind = excluded.kind, state = excluded.state, updated_at = excluded.updated_at, "
        "letter_id = excluded.letter_id, "
        "started_at = CASE WHEN flows.kind = excluded.kind THEN flows.started_at "
        "ELSE excluded.started_at END",
        (telegram_user_id, kind, json.dumps(state, ensure_ascii=False), stamp, stamp, letter_id),
    )


async def delete(db: Executor, telegram_user_id: int) -> bool:
    return await db.execute("DELETE FROM flows WHERE telegram_user_id = ?", (telegram_user_id,)) > 0


async def delete_idle_since(db: Executor, updated_before: datetime) -> int:
    """Flows whose last input came at or before ``updated_before``."""
    return await db.execute("DELETE FROM flows WHERE updated_at <= ?", (to_db(updated_before),))


async def oldest_update(db: Executor) -> datetime | None:
    return from_db(await db.fetch_value("SELECT min(updated_at) FROM flows"))


async def letter_of_comment(db: Executor, comment_id: int) -> int | None:
    letter_id = await db.fetch_value("SELECT letter_id FROM comments WHERE id = ?", (comment_id,))
    return None if letter_id is None else int(letter_id)
