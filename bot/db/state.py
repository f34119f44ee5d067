"""Small durable facts of the running bot (``bot_state`` key/value)."""

from __future__ import annotations

from bot.db.connection import Executor


async def get(db: Executor, key: str) -> str | None:
    return await db.fetch_value("SELECT value FROM bot_state WHERE key = ?", (key,))


async def put(db: Executor, key: str, value: str) -> None:
    await db.execute(
        "INSERT INTO bot_state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
