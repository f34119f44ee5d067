"""Small durable facts of the running bot (``bot_state`` key/value)."""

from __future__ import annotations

from datetime import datetime

from bot.db.connection import Executor
from bot.db.timefmt import from_db, to_db


async def get(db: Executor, key: str) -> str | None:
    value = await db.fetch_value("SELECT value FROM bot_state WHERE key = ?", (key,))
    return None if value is None else str(value)


async def get_moment(db: Executor, key: str) -> datetime | None:
    return from_db(await get(db, key))


async def put_moment(db: Executor, key: str, moment: datetime) -> None:
    await put(db, key, to_db(moment))


async def put(db: Executor, key: str, value: str) -> None:
    await db.execute(
        "INSERT INTO bot_state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
