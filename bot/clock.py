"""Time for the whole bot comes from here, so tests can move it forward.

Nothing else in the package reads the wall clock: services receive ``now`` or a
``Clock``; scheduled work asks the clock what is due.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to (tests, the offline demo)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time does not run backwards")
        self._now += delta
        return self._now

    def set(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        return self.advance(when.astimezone(UTC) - self._now)

    def timestamp(self) -> float:
        """Unix seconds, in the form the fake Telegram server's clock wants."""
        return self._now.timestamp()
