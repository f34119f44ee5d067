"""Guided conversations in progress, kept in the database so a restart loses no input."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db import flows as flows_repo
from bot.db.connection import Executor
from bot.db.flows import Flow
from bot.db.timefmt import to_db

__all__ = ["Flow", "current", "finish", "save"]


async def current(db: Executor, telegram_user_id: int) -> Flow | None:
    return await flows_repo.get(db, telegram_user_id)


async def save(
    db: Executor, telegram_user_id: int, kind: str, state: dict[str, Any], *, now: datetime
) -> None:
    """Starts a flow, or stores its next state; starting one replaces any other."""
    await flows_repo.put(db, telegram_user_id, kind, state, now=to_db(now))


async def finish(db: Executor, telegram_user_id: int) -> bool:
    return await flows_repo.delete(db, telegram_user_id)
