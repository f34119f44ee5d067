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


async def get(db: Executor, telegram_user_id: int) -> Flow | None:
    row = await db.fetch_one("SELECT * FROM flows WHERE telegram_user_id = ?", (telegram_user_id,))
    if row is None:
        return None
    row["state"] = json.loads(row["state"])
    return Flow(**row)


async def put(
    db: Executor, telegram_user_id: int, kind: str, state: dict[str, Any], *, now: str
) -> None:
    await db.execute(
        "INSERT INTO flows (telegram_user_id, kind, state, started_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (telegram_user_id) DO UPDATE SET "
        "kind = excluded.kind, state = excluded.state, updated_at = excluded.updated_at, "
        "started_at = CASE WHEN flows.kind = excluded.kind THEN flows.started_at "
        "ELSE excluded.started_at END",
        (telegram_user_id, kind, json.dumps(state, ensure_ascii=False), now, now),
    )


async def delete(db: Executor, telegram_user_id: int) -> bool:
    return await db.execute("DELETE FROM flows WHERE telegram_user_id = ?", (telegram_user_id,)) > 0
