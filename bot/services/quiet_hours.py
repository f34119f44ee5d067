"""Quiet hours: when a contact would rather not be woken by a reminder. No Telegram here.

Quiet hours are a span of wall-clock time in the contact's zone (default 22:00–08:00),
possibly across midnight. A reminder due inside them waits until they end, unless that
would leave less than ``MIN_NOTICE`` before the deadline: then it goes at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.refusals import ECHO_LIMIT, Code, Refusal

MIN_NOTICE = timedelta(hours=1)
"""A deferred reminder must still arrive at least this long before the deadline."""

OFF = ("off", "none", "no")

_SPAN = re.compile(
    r"^(?P<sh>\d{1,2})(?::(?P<sm>\d{2}))?\s*[-–—]\s*(?P<eh>\d{1,2})(?::(?P<em>\d{2}))?$"
)


class QuietHoursError(Refusal, ValueError):
    """What was typed is not a span like ``23-07`` or ``22:30-07:00`` (or ``off``)."""

    def __init__(self, raw: str) -> None:
        super().__init__(Code.QUIET_HOURS_BAD, raw=raw[:ECHO_LIMIT])


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @property
    def off(self) -> bool:
        return self.start == self.end

    def contains(self, moment: time) -> bool:
        if self.off:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # across midnight

    def __str__(self) -> str:
        return "off" if self.off else f"{self.start:%H:%M}-{self.end:%H:%M}"

    def stored(self) -> tuple[str, str]:
        return f"{self.start:%H:%M}", f"{self.end:%H:%M}"


NO_QUIET_HOURS = QuietHours(time(0, 0), time(0, 0))


def _clock(hours: str, minutes: str | None) -> time:
    hour, minute = int(hours), int(minutes or 0)
    if hour == 24 and minute == 0:  # "22-24": until midnight
        hour = 0
    return time(hour, minute)


def parse_quiet_hours(raw: str) -> QuietHours:
    """``23-07``, ``23:00-07:30``, ``off``. Raises QuietHoursError."""
    text = raw.strip().lower()
    if text in OFF:
        return NO_QUIET_HOURS
    match = _SPAN.match(text)
    if match is None:
        raise QuietHoursError(raw)
    try:
        start = _clock(match["sh"], match["sm"])
        end = _clock(match["eh"], match["em"])
    except ValueError:
        raise QuietHoursError(raw) from None
    if start == end:
        raise QuietHoursError(raw)  # "08-08" is ambiguous: all day or never; "off" says it
    return QuietHours(start, end)


def stored_quiet_hours(start: str | None, end: str | None, default: QuietHours) -> QuietHours:
    """A contact's quiet hours as stored ('HH:MM' pair; NULL: the default)."""
    if start is None or end is None:
        return default
    return QuietHours(time.fromisoformat(start), time.fromisoformat(end))


def send_time(due: datetime, *, quiet: QuietHours, zone: ZoneInfo, deadline: datetime) -> datetime:
    """When a reminder due at ``due`` should go to a contact with these quiet hours."""
    local = due.astimezone(zone)
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return due
    end_day = (
        local.date()
        if local.time().replace(tzinfo=None) < quiet.end
        else (local.date() + timedelta(days=1))
    )
    # A local time skipped by a daylight-saving change resolves forwards (fold 0).
    quiet_end = datetime.combine(end_day, quiet.end, tzinfo=zone).astimezone(UTC)
    if quiet_end <= deadline - MIN_NOTICE:
        return quiet_end
    return due
