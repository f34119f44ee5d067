"""The status chart: a PNG for Telegram, whatever the events, title or deadline."""

from __future__ import annotations

import random
import struct
import subprocess
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.services.chart import ResponseEvent, cumulative_series, render_status_chart

ZURICH = ZoneInfo("Europe/Zurich")
OPENED = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
DEADLINE = OPENED + timedelta(days=21)
NOW = OPENED + timedelta(days=10)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TELEGRAM_PHOTO_LIMIT = 10 * 1024 * 1024
REPO_ROOT = Path(__file__).resolve().parents[2]


def png_size(blob: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which always comes first."""
    assert blob[:8] == PNG_MAGIC
    assert blob[12:16] == b"IHDR"
    width, height = struct.unpack(">II", blob[16:24])
    return width, height


def render(events: list[ResponseEvent], **overrides: object) -> bytes:
    arguments: dict[str, object] = {
        "organisations": 18,
        "opened_at": OPENED,
        "deadline": DEADLINE,
        "now": NOW,
        "zone": ZURICH,
        "title": "Joint letter on the monitoring mandate",
    }
    arguments.update(overrides)
    return render_status_chart(events, **arguments)  # type: ignore[arg-type]


def many_events(count: int, organisations: int = 300) -> list[ResponseEvent]:
    chooser = random.Random(7)
    decisions = ["signed", "signed", "declined", "withdrawn", "reconfirm_needed"]
    return [
        ResponseEvent(
            at=OPENED + timedelta(minutes=chooser.randint(0, 60 * 24 * 10)),
            decision=chooser.choice(decisions),
            organisation_id=chooser.randint(1, organisations),
        )
        for _ in range(count)
    ]


def assert_telegram_png(blob: bytes) -> None:
    width, height = png_size(blob)
    assert (width, height) == (1000, 600)
    assert 5_000 < len(blob) < TELEGRAM_PHOTO_LIMIT


def test_png_with_no_events() -> None:
    assert_telegram_png(render([]))


def test_png_with_two_thousand_events() -> None:
    assert_telegram_png(render(many_events(2000), organisations=300))


def test_cyrillic_title_renders_without_missing_glyphs() -> None:
    events = [ResponseEvent(OPENED + timedelta(hours=3), "signed", 1)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" is a warning
        blob = render(events, title="Совместное письмо: Ўсход, Іван, «Вясна»", language="be")
        blob_ru = render(events, title="Письмо о мандате", language="ru")
    assert_telegram_png(blob)
    assert_telegram_png(blob_ru)


def test_dollar_signs_in_a_title_are_not_mathtext() -> None:
    # "$x^$" is invalid mathtext: parsing it would raise while drawing.
    assert_telegram_png(render([], title="Budget $x^$ and $5 " * 20))


def test_deadline_already_past() -> None:
    events = [ResponseEvent(OPENED + timedelta(hours=1), "signed", 1)]
    blob = render(events, deadline=OPENED + timedelta(days=1), now=OPENED + timedelta(days=3))
    assert_telegram_png(blob)


def test_now_before_opening_and_everything_at_one_instant() -> None:
    assert_telegram_png(render([], deadline=OPENED, now=OPENED))
    assert_telegram_png(render([], now=OPENED - timedelta(hours=1)))


def test_organisations_without_a_contact_draw_a_line_of_their_own() -> None:
    """Issue 14 §4: how many organisations the bot can reach, beside how many there are."""
    with_line = render([], organisations=18, no_contact=14, language="ru")
    assert_telegram_png(with_line)
    assert with_line != render([], organisations=18, language="ru")
    assert_telegram_png(render([], organisations=3, no_contact=3))


def test_unknown_language_falls_back_to_english() -> None:
    assert_telegram_png(render([], language="de"))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        render([], now=datetime(2026, 2, 5, 9, 0))
    with pytest.raises(ValueError):
        render([ResponseEvent(datetime(2026, 2, 3, 9, 0), "signed")])


def test_rendering_is_fast_once_imported() -> None:
    events = many_events(2000)
    render(events)  # warm-up: font cache, first layout
    started = time.perf_counter()
    render(events)
    # The target is < 0.5 s; the bound leaves room for a slow shared CI machine.
    assert time.perf_counter() - started < 1.5


def test_concurrent_renders_from_threads() -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        blobs = list(pool.map(lambda n: render(many_events(n)), [0, 10, 100, 1000]))
    for blob in blobs:
        assert_telegram_png(blob)


def test_pyplot_is_never_imported() -> None:
    code = (
        "import sys\n"
        "from datetime import UTC, datetime, timedelta\n"
        "from zoneinfo import ZoneInfo\n"
        "from bot.services.chart import render_status_chart\n"
        "t = datetime(2026, 2, 2, tzinfo=UTC)\n"
        "render_status_chart([], organisations=3, opened_at=t, deadline=t + timedelta(days=1),"
        " now=t, zone=ZoneInfo('UTC'), title='x')\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, cwd=REPO_ROOT)


# --------------------------------------------------------------------------- counting


def at(hours: int) -> datetime:
    return OPENED + timedelta(hours=hours)


def test_series_tracks_each_organisations_latest_decision() -> None:
    events = [
        ResponseEvent(at(1), "signed", 1),
        ResponseEvent(at(2), "declined", 2),
        ResponseEvent(at(3), "signed", 2),  # changed their mind
        ResponseEvent(at(4), "reconfirm_needed", 1),  # material revision
        ResponseEvent(at(5), "signed", 1),  # reconfirmed
        ResponseEvent(at(6), "withdrawn", 2),
        ResponseEvent(at(7), "signed", 1),  # repeated answer: still one signature
    ]
    series = cumulative_series(events, start=OPENED, end=at(10))
    assert series.times == [OPENED, *[at(hour) for hour in range(1, 8)], at(10)]
    assert series.signed == [0, 1, 1, 2, 1, 2, 1, 1, 1]
    assert series.declined == [0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert series.reconfirm == [0, 0, 0, 0, 1, 0, 0, 0, 0]


def test_series_without_organisation_ids_counts_changes() -> None:
    events = [
        ResponseEvent(at(3), "signed"),
        ResponseEvent(at(1), "signed"),  # out of order on input
        ResponseEvent(at(2), "declined"),
        ResponseEvent(at(4), "withdrawn"),
        ResponseEvent(at(5), "withdrawn"),
        ResponseEvent(at(6), "withdrawn"),  # never below zero
        ResponseEvent(at(7), "something_else"),
    ]
    series = cumulative_series(events, start=OPENED, end=at(10))
    assert series.signed == [0, 1, 1, 2, 1, 0, 0, 0, 0]
    assert series.declined == [0, 0, 1, 1, 1, 1, 1, 1, 1]


def test_series_folds_early_events_and_drops_future_ones() -> None:
    events = [
        ResponseEvent(OPENED - timedelta(hours=1), "signed", 1),
        ResponseEvent(at(2), "signed", 2),
        ResponseEvent(at(20), "signed", 3),  # after "now"
    ]
    series = cumulative_series(events, start=OPENED, end=at(10))
    assert series.times == [OPENED, at(2), at(10)]
    assert series.signed == [1, 2, 2]
