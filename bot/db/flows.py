"""Data access for guided conversations in progress."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.db.connection import Executor


@dataclass(frozen=True)
class Flow:
    telegram_user_id: int
    kind: str
    state: dict[str, Any]
    started_at: str
    updated_at: str
    letter_id: int | None  # the letter it is about (purged with it), if any


async def get(db: Executor, telegram_user_id: int) -> Flow | None:
    row = await db.fetch_one("SELECT * FROM flows WHERE telegram_user_id = ?", (telegram_user_id,))
    if row is None:
        return None
    row["state"] = json.loads(row["state"])
    return Flow(**row)


async def put(
    db: Executor,
    telegram_user_id: int,
    kind: str,
    state: dict[str, Any],
    *,
    letter_id: int | None,
    now: str,
) -> None:
    await db.execute(
        "INSERT INTO flows (telegram_user_id, kind, state, started_at, updated_at, letter_id) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (telegram_user_id) DO UPDATE SET "
        "kind = excluded.kind, state = excluded.state, updated_at = excluded.updated_at, "
        "letter_id = excluded.letter_id, "
        "started_at = CASE WHEN flows.kind = excluded.kind THEN flows.started_at "
        "ELSE excluded.started_at END",
        (telegram_user_id, kind, json.dumps(state, ensure_ascii=False), now, now, letter_id),
    )


async def delete(db: Executor, telegram_user_id: int) -> bool:
    return await db.execute("DELETE FROM flows WHERE telegram_user_id = ?", (telegram_user_id,)) > 0


async def delete_idle_since(db: Executor, updated_before: str) -> int:
    """Flows whose last input came at or before ``updated_before``."""
    return await db.execute("DELETE FROM flows WHERE updated_at <= ?", (updated_before,))


async def oldest_update(db: Executor) -> str | None:
    return await db.fetch_value("SELECT min(updated_at) FROM flows")


async def letter_of_comment(db: Executor, comment_id: int) -> int | None:
    return await db.fetch_value("SELECT letter_id FROM comments WHERE id = ?", (comment_id,))
