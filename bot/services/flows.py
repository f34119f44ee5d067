"""Guided conversations in progress, kept in the database so a restart loses no input.

A flow may hold what someone is typing (a new text for /revise, a decline reason), so it
does not outlive its use: it expires ``FLOW_TTL`` after its last input (swept by the
scheduler, and treated as gone when read later), and purging a letter removes every flow
about it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.db import flows as flows_repo
from bot.db.connection import Executor
from bot.db.flows import Flow

__all__ = ["FLOW_TTL", "Flow", "current", "expire", "finish", "next_expiry", "save"]

FLOW_TTL = timedelta(days=1)


def _expired(flow: Flow, now: datetime) -> bool:
    return flow.updated_at + FLOW_TTL <= now


async def current(db: Executor, telegram_user_id: int, *, now: datetime) -> Flow | None:
    """The account's flow, unless it expired (then it is removed now)."""
    flow = await flows_repo.get(db, telegram_user_id)
    if flow is not None and _expired(flow, now):
        await flows_repo.delete(db, telegram_user_id)
        return None
    return flow


async def save(
    db: Executor, telegram_user_id: int, kind: str, state: dict[str, Any], *, now: datetime
) -> None:
    """Starts a flow, or stores its next state; starting one replaces any other.

    The letter it is about comes from its state: ``letter_id``, or the letter of the
    ``comment_id`` being answered.
    """
    letter_id = state.get("letter_id")
    if letter_id is None and state.get("comment_id") is not None:
        letter_id = await flows_repo.letter_of_comment(db, int(state["comment_id"]))
    await flows_repo.put(
        db,
        telegram_user_id,
        kind,
        state,
        letter_id=None if letter_id is None else int(letter_id),
        now=now,
    )


async def finish(db: Executor, telegram_user_id: int) -> bool:
    return await flows_repo.delete(db, telegram_user_id)


async def expire(db: Executor, *, now: datetime) -> int:
    """Removes flows untouched for ``FLOW_TTL``; returns how many."""
    return await flows_repo.delete_idle_since(db, now - FLOW_TTL)


async def next_expiry(db: Executor) -> datetime | None:
    oldest = await flows_repo.oldest_update(db)
    return None if oldest is None else oldest + FLOW_TTL
