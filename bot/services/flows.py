"""Guided conversations in progress, kept in the database so a restart loses no input.

A flow may hold what someone is typing (a new text for /revise, a decline reason), so it
does not outlive its use: it expires ``FLOW_TTL`` after its last input (swept by the
scheduler, and treated as gone when read later), and purging a letter removes every flow
about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Self, TypeVar, get_type_hints

from bot.db import flows as flows_repo
from bot.db.connection import Executor
from bot.db.flows import Flow

__all__ = [
    "FLOW_TTL",
    "Flow",
    "FlowState",
    "current",
    "expire",
    "finish",
    "next_expiry",
    "read",
    "save",
]

FLOW_TTL = timedelta(days=1)


@dataclass(frozen=True, kw_only=True)
class FlowState:
    """What one kind of flow keeps between messages: a frozen dataclass per flow, kept as
    a JSON object of its fields (a field that is None is left out).

    A subclass whose fields are plain JSON values (int, str, bool) needs nothing more; one
    with richer fields (dates, nested values) writes its own ``to_json``/``from_json``.
    ``from_json`` also reads what earlier versions of the bot stored: a flow row written
    before an upgrade resumes, or (``read`` returns None) is dropped like an expired one.
    """

    def to_json(self) -> dict[str, Any]:
        values = {field.name: getattr(self, field.name) for field in fields(self)}
        return {name: value for name, value in values.items() if value is not None}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        """The state from its JSON object; ValueError (or TypeError) if it does not fit."""
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for field in fields(cls):
            if field.name not in raw:
                continue  # a missing field without a default raises TypeError below
            value, hint = raw[field.name], hints.get(field.name)
            if hint in (int, str, bool) and not (
                isinstance(value, hint) and (hint is bool or not isinstance(value, bool))
            ):
                raise ValueError(f"{cls.__name__}.{field.name}: {value!r} is not {hint}")
            values[field.name] = value
        return cls(**values)


S = TypeVar("S", bound=FlowState)


def read(flow: Flow, state_type: type[S]) -> S | None:
    """The flow's state as its kind's dataclass, or None when the stored JSON does not fit
    (written by another version of the bot): the caller treats the flow as gone."""
    try:
        return state_type.from_json(flow.state)
    except (KeyError, TypeError, ValueError):
        return None


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
    db: Executor, telegram_user_id: int, kind: str, flow_state: FlowState, *, now: datetime
) -> None:
    """Starts a flow, or stores its next state; starting one replaces any other.

    The letter it is about comes from its state: ``letter_id``, or the letter of the
    ``comment_id`` being answered.
    """
    state = flow_state.to_json()
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
