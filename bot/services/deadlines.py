"""Deadlines: parsing what a coordinator types, reminder offsets, and showing deadlines.

Deadlines are always timezone-aware. What a coordinator types is read in their zone
(default ``Europe/Zurich``, Geneva) unless an IANA zone name follows it. The current
time is always a parameter: nothing here reads a clock, so the tests (and the fake
clock of the end-to-end tests) decide what "now" is.

Errors carry a machine ``reason`` plus data, never a sentence: the wording belongs to
the text catalog, in the reader's language. A refused deadline is a ``Refusal``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, format_timedelta

from bot.services.refusals import Code, Refusal

__all__ = [
    "DATE_ONLY_TIME",
    "MAX_DURATION",
    "MAX_OFFSETS",
    "DeadlineError",
    "DeadlineReason",
    "DurationError",
    "DurationReason",
    "OffsetsError",
    "format_deadline",
    "format_duration",
    "format_offsets",
    "format_wall",
    "parse_deadline",
    "parse_duration",
    "parse_offsets",
    "relative_hint",
    "reminder_due",
    "zone_named",
]

DATE_ONLY_TIME = time(23, 59)
"""A deadline given as a date only means the end of that day, 23:59 local time.

23:59 rather than 24:00/00:00 of the next day, so that the date shown back to the
coordinator is the date they typed."""

MAX_DURATION = timedelta(days=366)
"""Longest accepted duration/offset: a reminder a year ahead is a typo, and the cap
keeps absurd inputs ("99999999999d") away from timedelta overflow."""

MAX_OFFSETS = 10
"""At most this many reminder offsets per letter."""

RELATIVE_THRESHOLD = 2.0
"""Babel switches to a larger unit once the value reaches this many of it, so 47 hours
stay "in 47 hours" (precise close to a deadline) and 48 hours become "in 2 days"."""

_DAYS_UNTIL = timedelta(days=60)
"""Below this, distances of two days or more are said in days ("in 20 days", not "in
3 weeks"): the exact date is shown next to the hint, and days are what people count
down to a deadline in."""


class DeadlineReason(StrEnum):
    """Why a typed deadline was refused."""

    FORMAT = "format"  # not one of the accepted shapes, or not a real date/time
    ZONE = "zone"  # the zone name is not a known IANA zone
    PAST = "past"  # not strictly after now
    NONEXISTENT = "nonexistent"  # a local time skipped by a daylight-saving change
    DAY_FIRST = "day_first"  # a numeric date that is one only when read month first


class DeadlineError(Refusal, ValueError):
    """A deadline could not be accepted; ``reason`` says why.

    Data for the message: ``raw`` (what was typed), ``zone`` (the zone name involved,
    if any), ``deadline`` (the parsed moment, for "past"), ``wall`` (the local date and
    time understood, for "nonexistent"), ``month`` and ``suggestion`` (the impossible
    month and the date written day first, for "day_first"). As a refusal, its code and
    data are those of ``reason`` (``_REFUSALS``).
    """

    def __init__(
        self,
        reason: DeadlineReason,
        *,
        raw: str,
        zone: str | None = None,
        deadline: datetime | None = None,
        wall: datetime | None = None,
        month: int | None = None,
        suggestion: str | None = None,
    ) -> None:
        values = {"raw": raw, "zone": zone, "deadline": deadline, "moment": wall,
                  "month": month, "suggestion": suggestion}  # fmt: skip
        code, fields = _REFUSALS[reason]
        super().__init__(code, **{name: values[name] for name in fields})
        self.reason = reason
        self.raw = raw
        self.zone = zone
        self.deadline = deadline
        self.wall = wall
        self.month = month
        self.suggestion = suggestion


_REFUSALS: dict[DeadlineReason, tuple[Code, tuple[str, ...]]] = {
    DeadlineReason.FORMAT: (Code.DEADLINE_FORMAT, ("raw",)),
    DeadlineReason.ZONE: (Code.DEADLINE_ZONE, ("raw", "zone")),
    DeadlineReason.PAST: (Code.DEADLINE_PASSED, ("deadline",)),
    DeadlineReason.NONEXISTENT: (Code.DEADLINE_NONEXISTENT, ("moment", "zone")),
    DeadlineReason.DAY_FIRST: (Code.DEADLINE_DAY_FIRST, ("raw", "month", "suggestion")),
}


class DurationReason(StrEnum):
    """Why a duration or a list of offsets was refused."""

    FORMAT = "format"  # not like 7d, 3h, 90m, 1d12h
    ZERO = "zero"  # a duration of zero
    TOO_LARGE = "too_large"  # longer than MAX_DURATION
    EMPTY = "empty"  # an empty list of offsets
    TOO_MANY = "too_many"  # more than MAX_OFFSETS distinct offsets


class DurationError(ValueError):
    """A duration could not be accepted; ``reason`` says why, ``item`` is the culprit."""

    def __init__(self, reason: DurationReason, *, item: str) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.item = item
        self.max_duration = MAX_DURATION
        self.max_count = MAX_OFFSETS


class OffsetsError(DurationError):
    """A list of reminder offsets could not be accepted (same reasons and data)."""


# --------------------------------------------------------------------------- parsing

_DEADLINE = re.compile(
    r"""
    ^\s*
    (?:
        (?P<iso_year>\d{4})-(?P<iso_month>\d{1,2})-(?P<iso_day>\d{1,2})
      | (?P<num_day>\d{1,2})(?P<sep>[./])(?P<num_month>\d{1,2})(?:(?P=sep)(?P<num_year>\d{4}))?
      | (?P<day>\d{1,2})(?:st|nd|rd|th)?\.?\s*(?P<month>[^\W\d_]+)\.?(?:,?\s*(?P<year>\d{4}))?
      | (?P<month2>[^\W\d_]+)\.?\s*(?P<day2>\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(?P<year2>\d{4}))?
    )
    (?:\s*(?:г|года|гады)\.?)?                      # "2026 г.", "2026 года"
    (?:
        (?:\s*,\s*|\s*[Tt]\s*|\s+)
        (?:(?:at|в|во|у|а)\s+)?
        (?:
            (?P<hour12>\d{1,2})(?:[:.](?P<minute12>\d{2}))?\s*(?P<half>[ap])\.?\s*m\.?
          | (?P<hour>\d{1,2})[:.](?P<minute>\d{2})
        )
    )?
    \s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)
# A zone name typed after the moment: "... Europe/Vilnius", "... UTC".
_WITH_ZONE = re.compile(r"^(?P<moment>.*\S)\s+(?P<zone>[A-Za-z]\S*)\s*$", re.DOTALL)
_MIN_PREFIX = 3
_YEARS_AHEAD = 8  # the next 29 February is at most eight years away
_LEAP_YEAR = 2028  # a year in which every day of the calendar exists


@lru_cache(maxsize=1)
def _month_names() -> dict[str, int]:
    """Month names and abbreviations people type, in English, Russian and Belarusian
    (nominative and genitive: "February", "Feb", "февраля", "февр", "лютага", "люты"), and
    unambiguous beginnings of at least three letters ("sept", "фев", "лют")."""
    names: dict[str, int] = {}
    wide: dict[str, int] = {}
    for code in ("en", "ru", "be"):
        locale = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    key = name.lower().rstrip(".")
                    names[key] = number
                    if width == "wide":
                        wide[key] = number
    prefixes: dict[str, set[int]] = {}
    for name, number in wide.items():
        for length in range(_MIN_PREFIX, len(name)):
            prefixes.setdefault(name[:length], set()).add(number)
    for prefix, numbers in prefixes.items():
        if len(numbers) == 1 and prefix not in names:
            names[prefix] = numbers.pop()
    return names


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Known IANA zone names by their lower-case form (so "europe/vilnius" works too)."""
    return {name.lower(): name for name in available_timezones()}


def _zone(name: str) -> ZoneInfo:
    """Resolve a zone name typed by a person; only names of the tz database are accepted.

    Looking the name up in the list of available zones (rather than passing any string
    to ZoneInfo) also keeps path-like input away from the file system.
    """
    canonical = _zone_names().get(name.lower())
    if canonical is None:
        raise KeyError(name)
    return ZoneInfo(canonical)


def _exists(local: datetime) -> bool:
    """False for a wall-clock time that a spring-forward DST change skips."""
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def parse_deadline(raw: str, *, default_zone: ZoneInfo, now: datetime) -> datetime:
    """Read a deadline typed by a coordinator; return an aware datetime in the zone used.

    Accepted (case and whitespace tolerant)::

        2026-02-20 18:00        20.02.2026 18:00        20/02/2026 18:00
        2026-02-20T18:00        20.02.2026 6pm          20/02/2026 6:30 p.m.
        20 Feb 2026 18:00       Feb 20, 2026 18:00      20th February 18:00
        20 февраля 18:00        20 лютага 2026 у 18:00  20.02 18:00
        2026-02-20              20.02.2026              20 Feb (date only: 23:59 that day)
        2026-02-20 18:00 Europe/Vilnius                 20 Feb 18:00 UTC

    Numeric dates are read day first (day/month/year), as everywhere this coalition
    works; 02/13/2026 is refused with reason "day_first" and the day-first spelling of
    the date it would be month first, never silently read either way. Month names are
    English, Russian or Belarusian, nominative or genitive, full, abbreviated or an
    unambiguous beginning ("sept", "фев"). Without a year the date is its next
    occurrence: the first one after ``now``.

    Without a zone name the time is read in ``default_zone``. A wall-clock time that
    does not exist because clocks jump forward (e.g. 2026-03-29 02:30 in Europe/Zurich)
    is refused with reason "nonexistent" rather than silently shifted: a deadline must
    be exactly what the coordinator meant. A time that occurs twice when clocks go back
    (e.g. 2026-10-25 02:30 in Europe/Zurich) is taken at its first occurrence
    (``fold=0``, still summer time), the earlier and therefore safer deadline.

    Raises DeadlineError with reason "format", "zone", "past" (not strictly after
    ``now``; with the moment understood), "nonexistent" (with the wall time understood)
    or "day_first".
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    zone = default_zone
    match = _DEADLINE.match(raw)
    if match is None:
        with_zone = _WITH_ZONE.match(raw)
        match = _DEADLINE.match(with_zone["moment"]) if with_zone else None
        if with_zone is None or match is None:
            raise DeadlineError(DeadlineReason.FORMAT, raw=raw)
        try:
            zone = _zone(with_zone["zone"])
        except (KeyError, ZoneInfoNotFoundError, ValueError):
            raise DeadlineError(DeadlineReason.ZONE, raw=raw, zone=with_zone["zone"]) from None
    year, month, day = _calendar_day(match, raw)
    wall = _wall_time(match, raw)
    if year is not None:
        return _moment(raw, _date_or_refuse(year, month, day, raw), wall, zone, now)
    local_year = now.astimezone(zone).year
    for candidate in range(local_year, local_year + _YEARS_AHEAD + 1):
        try:
            day_of_year = date(candidate, month, day)
        except ValueError:
            continue  # 29 February in a common year
        deadline = datetime.combine(day_of_year, wall, tzinfo=zone)
        if deadline > now:
            return _moment(raw, day_of_year, wall, zone, now)
    raise DeadlineError(DeadlineReason.FORMAT, raw=raw)


def _date_or_refuse(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DeadlineError(DeadlineReason.FORMAT, raw=raw) from None


def _real_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _calendar_day(match: re.Match[str], raw: str) -> tuple[int | None, int, int]:
    """(year or None, month, day) of a matched deadline; the day is not checked yet."""
    if match["iso_year"]:
        return int(match["iso_year"]), int(match["iso_month"]), int(match["iso_day"])
    if match["num_day"]:
        day, month = int(match["num_day"]), int(match["num_month"])
        year = int(match["num_year"]) if match["num_year"] else None
        if month > 12 and _real_day(year or _LEAP_YEAR, day, month):
            # Only a month-first reading makes this a date: say how to write it day first.
            sep = match["sep"]
            suggestion = f"{month:02d}{sep}{day:02d}" + (f"{sep}{year}" if year else "")
            raise DeadlineError(
                DeadlineReason.DAY_FIRST, raw=raw, month=month, suggestion=suggestion
            )
        return year, month, day
    name = (match["month"] or match["month2"]).lower()
    number = _month_names().get(name)
    if number is None:
        raise DeadlineError(DeadlineReason.FORMAT, raw=raw)
    year_text = match["year"] or match["year2"]
    return (int(year_text) if year_text else None), number, int(match["day"] or match["day2"])


def _wall_time(match: re.Match[str], raw: str) -> time:
    try:
        if match["hour12"] is not None:
            hour = int(match["hour12"])
            if not 1 <= hour <= 12:
                raise ValueError(hour)
            hour = hour % 12 + (12 if match["half"].lower() == "p" else 0)
            return time(hour, int(match["minute12"] or 0))
        if match["hour"] is not None:
            return time(int(match["hour"]), int(match["minute"]))
    except ValueError:
        raise DeadlineError(DeadlineReason.FORMAT, raw=raw) from None
    return DATE_ONLY_TIME


def _moment(raw: str, day: date, wall: time, zone: ZoneInfo, now: datetime) -> datetime:
    deadline = datetime.combine(day, wall, tzinfo=zone)  # fold=0: first occurrence
    if not _exists(deadline):
        raise DeadlineError(
            DeadlineReason.NONEXISTENT, raw=raw, zone=zone.key, wall=deadline.replace(tzinfo=None)
        )
    if deadline <= now:
        raise DeadlineError(DeadlineReason.PAST, raw=raw, zone=zone.key, deadline=deadline)
    return deadline


_DURATION = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?$")


def parse_duration(raw: str) -> timedelta:
    """Read a duration like ``7d``, ``3h``, ``90m`` or ``1d12h`` (units d, h, m in this order).

    Case and whitespace are ignored ("1d 12h" works). Zero and anything over
    MAX_DURATION are refused: a duration here is a reminder offset or an extension,
    neither of which makes sense at zero or at years.
    """
    compact = re.sub(r"\s+", "", raw).lower()
    match = _DURATION.match(compact)
    if not compact or match is None:
        raise DurationError(DurationReason.FORMAT, item=raw)
    days, hours, minutes = (int(match[unit] or 0) for unit in ("d", "h", "m"))
    # Compare before building the timedelta so that huge numbers cannot overflow it.
    total_minutes = (days * 24 + hours) * 60 + minutes
    if total_minutes == 0:
        raise DurationError(DurationReason.ZERO, item=raw)
    if total_minutes > MAX_DURATION // timedelta(minutes=1):
        raise DurationError(DurationReason.TOO_LARGE, item=raw)
    return timedelta(minutes=total_minutes)


def parse_offsets(raw: str) -> list[timedelta]:
    """Read reminder offsets like ``7d,3d,1d,3h``: sorted descending, duplicates dropped.

    Each must be a valid positive duration (see :func:`parse_duration`); at most
    MAX_OFFSETS distinct offsets. Raises OffsetsError.
    """
    items = [item.strip() for item in raw.split(",")]
    if all(not item for item in items):
        raise OffsetsError(DurationReason.EMPTY, item=raw)
    offsets: set[timedelta] = set()
    for item in items:
        if not item:
            raise OffsetsError(DurationReason.FORMAT, item=item)
        try:
            offsets.add(parse_duration(item))
        except DurationError as error:
            raise OffsetsError(error.reason, item=item) from None
    if len(offsets) > MAX_OFFSETS:
        raise OffsetsError(DurationReason.TOO_MANY, item=raw)
    return sorted(offsets, reverse=True)


# --------------------------------------------------------------------------- display


def _locale(code: str) -> Locale:
    """A Babel locale for a Telegram language code ("en", "ru", "pt-br"), English if unknown.

    Bare "en" becomes British English: the coalition works in Europe, and the
    day-month order ("20 Feb 2026") cannot be misread the way "Feb 20" or 02/20 can.
    """
    normalised = code.strip().replace("-", "_") or "en"
    if normalised.lower() == "en":
        normalised = "en_GB"
    try:
        return Locale.parse(normalised)
    except (UnknownLocaleError, ValueError, TypeError):
        try:
            return Locale.parse(normalised.split("_")[0])
        except (UnknownLocaleError, ValueError, TypeError):
            return Locale.parse("en_GB")


def relative_hint(deadline: datetime, now: datetime, locale: str = "en") -> str:
    """How far the deadline is from now, in the reader's language: "in 2 days", "3 hours ago".

    Granularity is minutes: under two days in hours or minutes, then in days up to
    about two months, then in months or years (see RELATIVE_THRESHOLD, _DAYS_UNTIL).
    """
    delta = deadline - now
    threshold = RELATIVE_THRESHOLD
    if timedelta(days=RELATIVE_THRESHOLD) <= abs(delta) < _DAYS_UNTIL:
        # Babel takes the largest unit whose value reaches the threshold; a threshold of
        # exactly the number of days skips months and weeks and stops at days.
        whole_seconds = abs(delta.days * 86400 + delta.seconds)
        threshold = whole_seconds / 86400
    return format_timedelta(
        delta,
        threshold=threshold,
        granularity="minute",
        add_direction=True,
        locale=_locale(locale),
    )


def _zone_abbreviation(moment: datetime) -> str:
    """The tz database abbreviation (CET, CEST, EET, UTC) or "UTC+3" where it has none.

    Used instead of CLDR names, which for many locales are only "GMT+01:00".
    """
    name = moment.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def format_deadline(deadline: datetime, zone: ZoneInfo, locale: str = "en") -> str:
    """The deadline as the viewer reads it in their zone, e.g. "20 Feb 2026, 18:00 CET",
    "20 лютага 2026 г., 18:00 CET".

    English dates in the medium form (day first, "20 Feb 2026"); other languages with the
    month written out, since CLDR's abbreviations there ("лют", "февр.") read poorly.
    24-hour time (the coalition works in Europe), glued the way the locale glues dates and
    times, then the zone abbreviation.
    """
    if deadline.tzinfo is None or deadline.utcoffset() is None:
        raise ValueError("deadline must be timezone-aware")
    local = deadline.astimezone(zone)
    return f"{format_wall(local, locale)} {_zone_abbreviation(local)}"


def format_wall(wall: datetime, locale: str = "en") -> str:
    """A local date and time without a zone, as :func:`format_deadline` writes them
    ("29 Mar 2026, 02:30"); for a wall-clock time that has no instant, e.g. one skipped
    by a daylight-saving change."""
    babel_locale = _locale(locale)
    date_format = "medium" if babel_locale.language == "en" else "long"
    date_part = format_date(wall.date(), format=date_format, locale=babel_locale)
    time_part = format_time(wall.time(), format="HH:mm", locale=babel_locale)
    glue = str(babel_locale.datetime_formats.get("medium", "{1}, {0}")).replace("'", "")
    return glue.replace("{0}", time_part).replace("{1}", date_part)


# --------------------------------------------------------------------------- reminders


def reminder_due(deadline: datetime, offset: timedelta, zone: ZoneInfo) -> datetime:
    """When the reminder ``offset`` before ``deadline`` is due.

    Whole days count on the calendar of the letter's zone, the rest on the clock: "1d"
    before 18:00 on the day after a daylight-saving change is 18:00 the day before it
    (23 or 25 hours earlier), which is what people expect of "a day before".
    """
    local = deadline.astimezone(zone).replace(tzinfo=None) - timedelta(days=offset.days)
    # A local time skipped by a daylight-saving change resolves forwards (fold 0).
    moment = local.replace(tzinfo=zone).astimezone(UTC)
    return moment - timedelta(seconds=offset.seconds, microseconds=offset.microseconds)


def format_duration(value: timedelta) -> str:
    """The compact form ``parse_duration`` reads: 7d, 3h, 1d12h, 90m → 1h30m."""
    minutes = value // timedelta(minutes=1)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{days}d" if days else "",
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
    ]
    return "".join(parts) or "0m"


def format_offsets(offsets: Sequence[timedelta]) -> str:
    return ",".join(format_duration(offset) for offset in offsets)


def zone_named(name: str) -> ZoneInfo | None:
    """The IANA zone a person typed (any case), or None if there is no such zone."""
    try:
        return _zone(name.strip())
    except KeyError:
        return None
