"""Tests for bot.services.deadlines: parsing deadlines and offsets, showing them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.deadlines import (
    MAX_OFFSETS,
    DeadlineError,
    DeadlineReason,
    DurationError,
    DurationReason,
    OffsetsError,
    format_deadline,
    format_wall,
    parse_deadline,
    parse_duration,
    parse_offsets,
    relative_hint,
)

ZURICH = ZoneInfo("Europe/Zurich")
MINSK = ZoneInfo("Europe/Minsk")
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _parse(raw: str, *, now: datetime = NOW) -> datetime:
    return parse_deadline(raw, default_zone=ZURICH, now=now)


# --------------------------------------------------------------------------- parse_deadline


@pytest.mark.parametrize(
    "raw",
    [
        "2026-02-20 18:00",
        "20.02.2026 18:00",
        "2026-02-20T18:00",
        "2026-02-20t18:00",
        "  2026-02-20    18:00  ",
        "2026-2-20 18:00",
        "20.2.2026 18:00",
        "2026-02-20 T 18:00",
    ],
)
def test_parse_deadline_date_and_time_in_default_zone(raw: str) -> None:
    deadline = _parse(raw)
    assert deadline == datetime(2026, 2, 20, 18, 0, tzinfo=ZURICH)
    assert deadline.tzinfo == ZURICH
    assert deadline.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize("raw", ["2026-02-20", "20.02.2026", " 20.02.2026 "])
def test_parse_deadline_date_only_means_end_of_day(raw: str) -> None:
    assert _parse(raw) == datetime(2026, 2, 20, 23, 59, tzinfo=ZURICH)


def test_parse_deadline_with_zone_name() -> None:
    deadline = _parse("2026-02-20 18:00 Europe/Vilnius")
    assert deadline.tzinfo == ZoneInfo("Europe/Vilnius")
    assert deadline.astimezone(UTC) == datetime(2026, 2, 20, 16, 0, tzinfo=UTC)


def test_parse_deadline_zone_name_is_case_insensitive() -> None:
    assert _parse("20.02.2026 18:00 europe/minsk").tzinfo == MINSK


def test_parse_deadline_utc_and_date_only_with_zone() -> None:
    assert _parse("2026-02-20 18:00 UTC") == datetime(2026, 2, 20, 18, 0, tzinfo=UTC)
    assert _parse("2026-02-20 UTC") == datetime(2026, 2, 20, 23, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "tomorrow",
        "2026-02-30 18:00",
        "31.04.2026",
        "2026-02-20 24:00",
        "2026-02-20 18:60",
        "2026-02-20 18",
        "2026/02/20 18:00",
        "20-02-2026",
        "2026-02-20 18:00:00",
        "2026-02-20 18:00 Europe/Zurich extra",
    ],
)
def test_parse_deadline_format_errors(raw: str) -> None:
    with pytest.raises(DeadlineError) as info:
        _parse(raw)
    assert info.value.reason == DeadlineReason.FORMAT == "format"
    assert info.value.raw == raw
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "zone",
    ["Mars/Olympus", "CEST+2", "Europe/../../etc/passwd", "Europe/Zurich/extra", "posixrules"],
)
def test_parse_deadline_unknown_zone(zone: str) -> None:
    with pytest.raises(DeadlineError) as info:
        _parse(f"2026-02-20 18:00 {zone}")
    assert info.value.reason == "zone"
    assert info.value.zone == zone


@pytest.mark.parametrize("zone", ["/etc/localtime", "../../etc/passwd", "+02:00"])
def test_parse_deadline_path_or_offset_is_not_a_zone(zone: str) -> None:
    with pytest.raises(DeadlineError) as info:
        _parse(f"2026-02-20 18:00 {zone}")
    assert info.value.reason == "format"


def test_parse_deadline_in_the_past_or_now() -> None:
    now = datetime(2026, 2, 20, 18, 0, tzinfo=ZURICH)
    with pytest.raises(DeadlineError) as info:
        _parse("2026-02-20 18:00", now=now)
    assert info.value.reason == "past"
    assert info.value.deadline == now
    assert _parse("2026-02-20 18:01", now=now) > now
    with pytest.raises(DeadlineError) as earlier:
        _parse("01.01.2020")
    assert earlier.value.reason == "past"


def test_parse_deadline_now_in_another_zone_is_compared_as_instant() -> None:
    now = datetime(2026, 2, 20, 17, 30, tzinfo=UTC)  # 18:30 in Zurich
    with pytest.raises(DeadlineError) as info:
        _parse("2026-02-20 18:00", now=now)
    assert info.value.reason == "past"


def test_parse_deadline_spring_forward_gap_is_refused() -> None:
    # On 2026-03-29 clocks in Zurich jump from 02:00 to 03:00.
    with pytest.raises(DeadlineError) as info:
        _parse("2026-03-29 02:30")
    assert info.value.reason == DeadlineReason.NONEXISTENT
    assert info.value.zone == "Europe/Zurich"
    assert _parse("2026-03-29 01:59").utcoffset() == timedelta(hours=1)
    assert _parse("2026-03-29 03:00").utcoffset() == timedelta(hours=2)


def test_parse_deadline_autumn_fold_takes_first_occurrence() -> None:
    # On 2026-10-25 clocks in Zurich go back from 03:00 to 02:00: 02:30 happens twice.
    deadline = _parse("2026-10-25 02:30")
    assert deadline.fold == 0
    assert deadline.utcoffset() == timedelta(hours=2)  # still summer time (CEST)
    assert deadline.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    [
        "13/02/2026 18:00",
        "13.02.2026 6pm",
        "13.02.2026 6 p.m.",
        "13/2/2026 18.00",
        "Feb 13 18:00",
        "Feb 13, 2026, 6:00 PM",
        "13 Feb 2026 18:00",
        "13th February at 18:00",
        "13 February 2026, 18:00",
        "13 февраля 18:00",
        "13 февр. 2026 г. в 18:00",
        "13 лютага 18:00",
        "13 лютага 2026 у 18:00",
        "13 ЛЮТ 18:00",
        "13.02 18:00",
    ],
)
def test_parse_deadline_as_people_type_it(raw: str) -> None:
    assert _parse(raw) == datetime(2026, 2, 13, 18, 0, tzinfo=ZURICH)


def test_parse_deadline_without_a_year_is_the_next_occurrence() -> None:
    now = datetime(2026, 2, 13, 18, 30, tzinfo=UTC)  # 19:30 in Zurich
    assert _parse("13 Feb 18:00", now=now) == datetime(2027, 2, 13, 18, 0, tzinfo=ZURICH)
    assert _parse("13 Feb 20:00", now=now) == datetime(2026, 2, 13, 20, 0, tzinfo=ZURICH)
    assert _parse("13 Feb", now=now) == datetime(2026, 2, 13, 23, 59, tzinfo=ZURICH)
    assert _parse("29 Feb", now=now) == datetime(2028, 2, 29, 23, 59, tzinfo=ZURICH)
    assert _parse("1 January 9am", now=now) == datetime(2027, 1, 1, 9, 0, tzinfo=ZURICH)


def test_parse_deadline_12_hour_clock() -> None:
    assert _parse("20 Feb 2026 12am").time() == time(0, 0)
    assert _parse("20 Feb 2026 12pm").time() == time(12, 0)
    assert _parse("20 Feb 2026 11:45 pm").time() == time(23, 45)
    for raw in ("20 Feb 2026 13pm", "20 Feb 2026 0am", "20 Feb 2026 18"):
        with pytest.raises(DeadlineError) as info:
            _parse(raw)
        assert info.value.reason == "format"


def test_parse_deadline_reads_numbers_day_first_and_says_so() -> None:
    assert _parse("02/03/2026 18:00") == datetime(2026, 3, 2, 18, 0, tzinfo=ZURICH)
    with pytest.raises(DeadlineError) as info:
        _parse("02/13/2026 18:00")
    assert info.value.reason == DeadlineReason.DAY_FIRST
    assert (info.value.month, info.value.suggestion) == (13, "13/02/2026")
    for impossible in ("02/31/2026", "13/13/2026", "31.04.2026"):
        with pytest.raises(DeadlineError) as info:
            _parse(impossible)
        assert info.value.reason == "format"


def test_parse_deadline_names_the_moment_it_refuses() -> None:
    with pytest.raises(DeadlineError) as info:
        _parse("13 Feb 2025 18:00 Europe/Vilnius")
    assert info.value.reason == "past"
    assert info.value.deadline == datetime(2025, 2, 13, 18, 0, tzinfo=ZoneInfo("Europe/Vilnius"))
    with pytest.raises(DeadlineError) as gap:
        _parse("29 March 02:30")
    assert gap.value.reason == "nonexistent" and gap.value.zone == "Europe/Zurich"
    assert gap.value.wall == datetime(2026, 3, 29, 2, 30)
    assert format_wall(gap.value.wall, "be") == "29 сакавіка 2026\u202fг., 02:30"


def test_parse_deadline_unknown_month_or_zone() -> None:
    for raw, reason in [("13 Fbr 18:00", "format"), ("13 Feb 18:00 Mars/Olympus", "zone")]:
        with pytest.raises(DeadlineError) as info:
            _parse(raw)
        assert info.value.reason == reason


def test_parse_deadline_requires_aware_now() -> None:
    with pytest.raises(ValueError):
        parse_deadline("2026-02-20", default_zone=ZURICH, now=datetime(2026, 1, 1))


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("3h", timedelta(hours=3)),
        ("90m", timedelta(minutes=90)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("1d 12h 30m", timedelta(days=1, hours=12, minutes=30)),
        (" 2D ", timedelta(days=2)),
        ("0d5m", timedelta(minutes=5)),
    ],
)
def test_parse_duration(raw: str, expected: timedelta) -> None:
    assert parse_duration(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "format"),
        ("7", "format"),
        ("d", "format"),
        ("3h1d", "format"),
        ("1.5d", "format"),
        ("-1d", "format"),
        ("1w", "format"),
        ("7d7d", "format"),
        ("0d", "zero"),
        ("0h0m", "zero"),
        ("367d", "too_large"),
        ("99999999999999999999d", "too_large"),
    ],
)
def test_parse_duration_errors(raw: str, reason: str) -> None:
    with pytest.raises(DurationError) as info:
        parse_duration(raw)
    assert info.value.reason == reason
    assert info.value.item == raw


def test_parse_offsets_sorted_and_deduplicated() -> None:
    assert parse_offsets("3h, 1d,7d,3d,1d, 24h") == [
        timedelta(days=7),
        timedelta(days=3),
        timedelta(days=1),
        timedelta(hours=3),
    ]


def test_parse_offsets_single() -> None:
    assert parse_offsets("90m") == [timedelta(minutes=90)]


@pytest.mark.parametrize(
    ("raw", "reason", "item"),
    [
        ("", "empty", ""),
        (" , ", "empty", " , "),
        ("7d,,3d", "format", ""),
        ("7d,soon", "format", "soon"),
        ("7d,0h", "zero", "0h"),
        ("400d", "too_large", "400d"),
    ],
)
def test_parse_offsets_errors(raw: str, reason: str, item: str) -> None:
    with pytest.raises(OffsetsError) as info:
        parse_offsets(raw)
    assert info.value.reason == reason
    assert info.value.item == item
    assert isinstance(info.value, ValueError)


def test_parse_offsets_at_most_ten() -> None:
    ten = ",".join(f"{n}h" for n in range(1, MAX_OFFSETS + 1))
    assert len(parse_offsets(ten)) == MAX_OFFSETS
    assert len(parse_offsets(ten + ",1h,60m")) == MAX_OFFSETS  # duplicates do not count
    with pytest.raises(OffsetsError) as info:
        parse_offsets(ten + ",11h")
    assert info.value.reason == DurationReason.TOO_MANY
    assert info.value.max_count == MAX_OFFSETS


# --------------------------------------------------------------------------- display

DEADLINE = datetime(2026, 2, 20, 18, 0, tzinfo=ZURICH)


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(days=2), "in 2 days"),
        (timedelta(days=2, hours=3), "in 2 days"),
        (timedelta(hours=3), "in 3 hours"),
        (timedelta(hours=30), "in 30 hours"),
        (timedelta(minutes=45), "in 45 minutes"),
        (timedelta(days=20), "in 20 days"),
        (timedelta(days=59), "in 59 days"),
        (timedelta(days=75), "in 2 months"),
        (timedelta(days=800), "in 2 years"),
        (timedelta(hours=47), "in 47 hours"),
        (timedelta(seconds=30), "in 1 minute"),
        (-timedelta(days=2), "2 days ago"),
        (-timedelta(hours=5), "5 hours ago"),
    ],
)
def test_relative_hint_en(delta: timedelta, expected: str) -> None:
    assert relative_hint(DEADLINE, DEADLINE - delta) == expected


@pytest.mark.parametrize(
    ("locale", "future", "past"),
    [
        ("ru", "через 2 дня", "3 часа назад"),
        ("be", "праз 2 дні", "3 гадзіны таму"),
        ("en", "in 2 days", "3 hours ago"),
    ],
)
def test_relative_hint_locales(locale: str, future: str, past: str) -> None:
    assert relative_hint(DEADLINE, DEADLINE - timedelta(days=2), locale) == future
    assert relative_hint(DEADLINE, DEADLINE + timedelta(hours=3), locale) == past


def test_relative_hint_unknown_or_regional_locale_falls_back() -> None:
    assert relative_hint(DEADLINE, DEADLINE - timedelta(days=2), "xx") == "in 2 days"
    assert relative_hint(DEADLINE, DEADLINE - timedelta(days=2), "ru-RU") == "через 2 дня"


def test_format_deadline_en_in_zurich() -> None:
    assert format_deadline(DEADLINE, ZURICH) == "20 Feb 2026, 18:00 CET"


def test_format_deadline_in_viewer_zone() -> None:
    assert format_deadline(DEADLINE, ZoneInfo("Europe/Vilnius")) == "20 Feb 2026, 19:00 EET"
    # Minsk has no letter abbreviation in the tz database: shown as an offset.
    assert format_deadline(DEADLINE, MINSK) == "20 Feb 2026, 20:00 UTC+3"
    assert format_deadline(DEADLINE, ZoneInfo("Asia/Kolkata")) == "20 Feb 2026, 22:30 IST"
    assert format_deadline(DEADLINE, ZoneInfo("America/St_Johns")).endswith("13:30 NST")


def test_format_deadline_summer_time_and_midnight_crossing() -> None:
    summer = datetime(2026, 3, 31, 23, 30, tzinfo=ZURICH)
    assert format_deadline(summer, ZURICH) == "31 Mar 2026, 23:30 CEST"
    assert format_deadline(summer, MINSK) == "1 Apr 2026, 00:30 UTC+3"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("ru", "20 февраля 2026 г., 18:00 CET"),
        ("be", "20 лютага 2026 г., 18:00 CET"),
    ],
)
def test_format_deadline_locales(locale: str, expected: str) -> None:
    # CLDR puts a (narrow) no-break space before "г."; compare with plain spaces.
    shown = format_deadline(DEADLINE, ZURICH, locale)
    assert shown.replace("\u202f", " ").replace("\u00a0", " ") == expected


def test_format_deadline_requires_aware_datetime() -> None:
    with pytest.raises(ValueError):
        format_deadline(datetime(2026, 2, 20, 18, 0), ZURICH)
