"""Coordinators hear about unexpected errors, but at most once per kind per interval.

A kind is the exception class and the innermost place in the bot's own code it
came from (``RuntimeError in bot.handlers.responses.mine``): a failing database
shows up as one kind, whichever handler met it. The state is in memory: a
restart may repeat one alert per kind, which is cheaper than a database write
on a path where the database itself may be what is failing.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

ALERT_INTERVAL = timedelta(hours=1)
OWN_PACKAGE = "bot"


def error_location(error: BaseException) -> str:
    """``module.function`` of the innermost frame in the bot's own code, or of the last one."""
    last = "unknown"
    own: str | None = None
    for frame, _ in traceback.walk_tb(error.__traceback__):
        module = str(frame.f_globals.get("__name__", "?"))
        place = f"{module}.{frame.f_code.co_name}"
        last = place
        if module == OWN_PACKAGE or module.startswith(OWN_PACKAGE + "."):
            own = place
    return own or last


def error_kind(error: BaseException) -> str:
    return f"{type(error).__name__} in {error_location(error)}"


@dataclass
class _Seen:
    alerted_at: datetime
    held: int = 0


class AlertThrottle:
    """Decides whether an error of some kind is worth a coordinator's alert now."""

    def __init__(self, interval: timedelta = ALERT_INTERVAL) -> None:
        self._interval = interval
        self._seen: dict[str, _Seen] = {}

    def check(self, kind: str, now: datetime) -> int | None:
        """None: hold this one back. Otherwise alert; the number is how many were held."""
        seen = self._seen.get(kind)
        if seen is not None and now - seen.alerted_at < self._interval:
            seen.held += 1
            return None
        held = seen.held if seen is not None else 0
        self._seen[kind] = _Seen(now)
        return held
