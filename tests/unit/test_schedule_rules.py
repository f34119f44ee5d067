"""Reminder times across daylight-saving changes, quiet hours, digest slots, settings."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.deadlines import format_offsets, parse_offsets, reminder_due, zone_named
from bot.services.digest import next_slot, slot_at_or_before
from bot.services.quiet_hours import (
    NO_QUIET_HOURS,
    QuietHours,
    QuietHoursError,
    parse_quiet_hours,
    send_time,
    stored_quiet_hours,
)
from bot.settings import Settings

ZURICH = ZoneInfo("Europe/Zurich")
VILNIUS = ZoneInfo("Europe/Vilnius")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("deadline", "offset", "due"),
    [
        # Days count on the wall clock: 18:00 the day before, across the spring change
        # (29 March 2026, 02:00 → 03:00): 23 hours earlier, not 24.
        (utc(2026, 3, 29, 16, 0), "1d", utc(2026, 3, 28, 17, 0)),
        (utc(2026, 3, 30, 16, 0), "3d", utc(2026, 3, 27, 17, 0)),
        # And across the autumn change (25 October 2026): 25 hours earlier.
        (utc(2026, 10, 25, 17, 0), "1d", utc(2026, 10, 24, 16, 0)),
        # Hours count on the clock, across the change too.
        (utc(2026, 3, 29, 3, 0), "3h", utc(2026, 3, 29, 0, 0)),
        (utc(2026, 3, 29, 16, 0), "1d12h", utc(2026, 3, 28, 5, 0)),
        # No change: plain arithmetic.
        (utc(2026, 2, 20, 17, 0), "7d", utc(2026, 2, 13, 17, 0)),
    ],
)
def test_reminder_due(deadline: datetime, offset: str, due: datetime) -> None:
    [parsed] = parse_offsets(offset)
    assert reminder_due(deadline, parsed, ZURICH) == due


def test_reminder_due_in_a_skipped_hour_moves_forward() -> None:
    # 1d before 29 March 02:30 local (which does not exist) is 28 March 02:30 CET: fine;
    # 1d before 30 March 02:30 CEST is 29 March 02:30, skipped: it resolves to 03:30 CEST.
    deadline = datetime(2026, 3, 30, 2, 30, tzinfo=ZURICH)
    [day] = parse_offsets("1d")
    assert reminder_due(deadline, day, ZURICH) == utc(2026, 3, 29, 1, 30)


def test_offsets_round_trip() -> None:
    assert format_offsets(parse_offsets("3h, 7d,1d12h,90m")) == "7d,1d12h,3h,1h30m"


def test_zone_named_is_case_insensitive_and_refuses_paths() -> None:
    assert zone_named("europe/VILNIUS") == VILNIUS
    assert zone_named("../../etc/passwd") is None
    assert zone_named("Europe/Geneva") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("23-07", QuietHours(time(23), time(7))),
        ("22:30-07:15", QuietHours(time(22, 30), time(7, 15))),
        ("22 – 8", QuietHours(time(22), time(8))),
        ("13-14", QuietHours(time(13), time(14))),
        ("22-24", QuietHours(time(22), time(0))),
        ("off", NO_QUIET_HOURS),
    ],
)
def test_parse_quiet_hours(raw: str, expected: QuietHours) -> None:
    assert parse_quiet_hours(raw) == expected


@pytest.mark.parametrize("raw", ["", "23", "25-07", "23:60-07", "8-8", "night", "-1-3"])
def test_parse_quiet_hours_refuses(raw: str) -> None:
    with pytest.raises(QuietHoursError):
        parse_quiet_hours(raw)


def test_contains_across_midnight_and_within_a_day() -> None:
    night = QuietHours(time(22), time(8))
    assert night.contains(time(23, 59)) and night.contains(time(0)) and night.contains(time(7, 59))
    assert not night.contains(time(8)) and not night.contains(time(21, 59))
    lunch = QuietHours(time(12), time(13))
    assert lunch.contains(time(12, 30)) and not lunch.contains(time(13))
    assert not NO_QUIET_HOURS.contains(time(3))


def test_send_time_defers_to_the_end_of_quiet_hours() -> None:
    night = QuietHours(time(22), time(8))
    deadline = utc(2026, 2, 20, 17, 0)
    # 23:30 in Zurich → 08:00 the next morning (07:00 UTC).
    assert send_time(utc(2026, 2, 18, 22, 30), quiet=night, zone=ZURICH, deadline=deadline) == (
        utc(2026, 2, 19, 7, 0)
    )
    # 03:00 in Zurich → 08:00 the same morning.
    assert send_time(utc(2026, 2, 19, 2, 0), quiet=night, zone=ZURICH, deadline=deadline) == (
        utc(2026, 2, 19, 7, 0)
    )
    # Outside quiet hours: at once.
    due = utc(2026, 2, 19, 12, 0)
    assert send_time(due, quiet=night, zone=ZURICH, deadline=deadline) == due


def test_send_time_does_not_defer_past_an_hour_before_the_deadline() -> None:
    night = QuietHours(time(22), time(8))
    due = utc(2026, 2, 20, 3, 0)  # 04:00 in Zurich; quiet until 07:00 UTC
    assert send_time(due, quiet=night, zone=ZURICH, deadline=utc(2026, 2, 20, 7, 59)) == due
    assert send_time(due, quiet=night, zone=ZURICH, deadline=utc(2026, 2, 20, 8, 0)) == (
        utc(2026, 2, 20, 7, 0)
    )


def test_send_time_on_the_night_the_clocks_go_forward() -> None:
    night = QuietHours(time(22), time(8))
    due = utc(2026, 3, 29, 0, 30)  # 01:30 CET; quiet ends at 08:00 CEST = 06:00 UTC
    assert send_time(due, quiet=night, zone=ZURICH, deadline=utc(2026, 3, 30)) == (
        utc(2026, 3, 29, 6, 0)
    )


def test_stored_quiet_hours() -> None:
    default = QuietHours(time(22), time(8))
    assert stored_quiet_hours(None, None, default) is default
    assert stored_quiet_hours("23:00", "07:00", default) == QuietHours(time(23), time(7))
    assert stored_quiet_hours("00:00", "00:00", default).off


def test_digest_slots() -> None:
    nine = time(9)
    assert slot_at_or_before(utc(2026, 2, 3, 8, 0), nine, ZURICH) == utc(2026, 2, 3, 8, 0)
    assert slot_at_or_before(utc(2026, 2, 3, 7, 59), nine, ZURICH) == utc(2026, 2, 2, 8, 0)
    assert next_slot(utc(2026, 2, 3, 8, 0), nine, ZURICH) == utc(2026, 2, 4, 8, 0)
    # After the spring change 09:00 is 07:00 UTC.
    assert next_slot(utc(2026, 3, 28, 9, 0), nine, ZURICH) == utc(2026, 3, 29, 7, 0)


def test_schedule_settings() -> None:
    settings = Settings(
        _env_file=None, reminder_offsets="5d, 1d,2h", quiet_hours="23-07", digest_time="08:30"
    )  # type: ignore[call-arg]
    assert settings.reminder_offsets == (timedelta(days=5), timedelta(days=1), timedelta(hours=2))
    assert settings.quiet_hours == QuietHours(time(23), time(7))
    assert settings.digest_time == time(8, 30)
    assert Settings(_env_file=None, digest_time="off").digest_time is None  # type: ignore[call-arg]
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert format_offsets(defaults.reminder_offsets) == "7d,3d,1d,3h"
    assert str(defaults.quiet_hours) == "22:00-08:00"
