"""The status chart: how signatures and declines accumulated, as a PNG for Telegram.

Pure rendering: the caller passes the response events, the times and the zone; nothing
here reads the clock or the database. matplotlib is used only through its object API
(:class:`matplotlib.figure.Figure` with an explicit Agg canvas): pyplot's global figure
registry and backend switching are never touched, so rendering from a worker thread
(e.g. ``asyncio.to_thread``) cannot leak figures or open a GUI. matplotlib's own caches
(fonts, text layout) are not documented as thread-safe, so renders are serialised by a
module lock; a chart takes a fraction of a second.

Counting
--------
With ``organisation_id`` set on the events, each organisation's latest decision is
tracked, so an organisation that declines and later signs moves from one line to the
other, a withdrawal removes its signature, and ``reconfirm_needed`` (a material
revision) moves a signature to "to reconfirm" until the organisation signs again.
Without ids each event is taken as a change on its own: "signed"/"declined" add one,
"withdrawn" and "reconfirm_needed" take one signature away (never below zero).
Unknown decisions are ignored; events after ``now`` are not drawn.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot import texts

__all__ = ["ResponseEvent", "Series", "cumulative_series", "render_status_chart"]

SIGNED = "signed"
DECLINED = "declined"
WITHDRAWN = "withdrawn"
RECONFIRM = "reconfirm_needed"

_FONT = "DejaVu Sans"  # ships with matplotlib and covers Latin and Cyrillic
_WIDTH_IN, _HEIGHT_IN, _DPI = 10.0, 6.0, 100  # 1000 x 600 px
_TITLE_WIDTH = 70  # characters per title line before wrapping
_TITLE_MAX = 140  # characters kept of a title at all
_render_lock = threading.Lock()

# Chart wording (legend and marker labels drawn into the image) comes from the catalog.
_WORDS = {
    "signed": texts.CHART_SIGNED,
    "declined": texts.CHART_DECLINED,
    "reconfirm": texts.CHART_RECONFIRM,
    "organisations": texts.CHART_ORGANISATIONS,
    "with_contact": texts.CHART_WITH_CONTACT,
    "deadline": texts.CHART_DEADLINE,
    "now": texts.CHART_NOW,
    "responses": texts.CHART_RESPONSES,
}

# Numeric date formats: readable in every export language (no English month names).
_DATE_FORMATS = ["%Y", "%d.%m", "%d.%m", "%H:%M", "%H:%M", "%S"]
_ZERO_FORMATS = ["", "%Y", "%d.%m.%Y", "%d.%m", "%H:%M", "%H:%M"]
_OFFSET_FORMATS = ["", "%Y", "%Y", "%d.%m.%Y", "%d.%m.%Y", "%d.%m.%Y %H:%M"]


@dataclass(frozen=True)
class ResponseEvent:
    """One change of an organisation's response at an instant (aware datetime).

    ``organisation_id`` is optional but makes the counts exact when organisations
    change their mind (see the module docstring).
    """

    at: datetime
    decision: str
    organisation_id: int | None = None


@dataclass(frozen=True)
class Series:
    """Step series (post-step) of the three counts; all lists have the same length."""

    times: list[datetime]
    signed: list[int]
    declined: list[int]
    reconfirm: list[int]


def _require_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")


class _Tally:
    """Running counts of signed / declined / to-reconfirm organisations."""

    def __init__(self) -> None:
        self.states: dict[int, str] = {}
        self.counts: dict[str, int] = {SIGNED: 0, DECLINED: 0, RECONFIRM: 0}

    def apply(self, event: ResponseEvent) -> None:
        """Fold one event in; O(1), so thousands of events stay cheap."""
        if event.organisation_id is None:
            self._apply_untracked(event.decision)
            return
        old = self.states.get(event.organisation_id)
        new = self._next_state(old, event.decision)
        if new == old:
            return
        if old is not None:
            self.counts[old] -= 1
        if new is None:
            del self.states[event.organisation_id]
        else:
            self.states[event.organisation_id] = new
            self.counts[new] += 1

    @staticmethod
    def _next_state(old: str | None, decision: str) -> str | None:
        if decision in (SIGNED, DECLINED):
            return decision
        if decision == WITHDRAWN:
            return None
        if decision == RECONFIRM and old == SIGNED:
            return RECONFIRM
        return old

    def _apply_untracked(self, decision: str) -> None:
        if decision in (SIGNED, DECLINED):
            self.counts[decision] += 1
        elif decision in (WITHDRAWN, RECONFIRM) and self.counts[SIGNED] > 0:
            self.counts[SIGNED] -= 1
            if decision == RECONFIRM:
                self.counts[RECONFIRM] += 1

    def snapshot(self) -> tuple[int, int, int]:
        return self.counts[SIGNED], self.counts[DECLINED], self.counts[RECONFIRM]


def cumulative_series(events: Sequence[ResponseEvent], *, start: datetime, end: datetime) -> Series:
    """Counts after each event, as post-step series running from ``start`` to ``end``.

    Events at or before ``start`` make up the initial counts; events after ``end``
    are dropped. The last counts are repeated at ``end`` so the lines reach it.
    """
    tally = _Tally()
    initial = tally.snapshot()
    points: list[tuple[datetime, tuple[int, int, int]]] = []
    for event in sorted(events, key=lambda item: item.at):
        if event.at > end:
            break
        tally.apply(event)
        if event.at <= start:
            initial = tally.snapshot()
        else:
            points.append((event.at, tally.snapshot()))
    final = points[-1][1] if points else initial
    everything = [(start, initial), *points, (end, final)]
    return Series(
        times=[moment for moment, _ in everything],
        signed=[values[0] for _, values in everything],
        declined=[values[1] for _, values in everything],
        reconfirm=[values[2] for _, values in everything],
    )


def _wording(language: str) -> dict[str, str]:
    """The labels in ``language`` (English for a language the bot does not speak)."""
    return {key: texts.translate(message, language) for key, message in _WORDS.items()}


def _title_text(title: str) -> str:
    """One or two wrapped lines; very long titles are cut with an ellipsis."""
    flat = " ".join(title.split())
    if len(flat) > _TITLE_MAX:
        flat = flat[: _TITLE_MAX - 1].rstrip() + "…"
    return "\n".join(textwrap.wrap(flat, _TITLE_WIDTH)) or " "


def _x_range(series: Series, deadline: datetime, now: datetime) -> tuple[datetime, datetime]:
    """Visible period: opening (or first event) to the later of deadline and now, padded."""
    low = min(series.times[0], deadline, now)
    high = max(series.times[-1], deadline, now)
    span = max(high - low, timedelta(hours=1))
    pad = span * 0.03
    return low - pad, high + pad


def render_status_chart(
    events: Sequence[ResponseEvent],
    *,
    organisations: int,
    opened_at: datetime,
    deadline: datetime,
    now: datetime,
    zone: ZoneInfo,
    title: str,
    language: str = "en",
    no_contact: int = 0,
) -> bytes:
    """PNG (1000x600) of cumulative signed/declined counts from opening until now.

    Horizontal lines: number of organisations and, when ``no_contact`` of them have
    nobody in Telegram, how many the bot can reach; vertical lines: the deadline (labelled
    with its local time in ``zone``) and now. Dates on the x axis are in ``zone``.
    Text is drawn as given (no mathtext, so a ``$`` in a title is just a dollar sign).
    """
    for moment, what in ((opened_at, "opened_at"), (deadline, "deadline"), (now, "now")):
        _require_aware(moment, what)
    for event in events:
        _require_aware(event.at, "event time")
    words = _wording(language)
    series = cumulative_series(events, start=opened_at, end=max(now, opened_at))
    with _render_lock:
        return _draw(series, words, organisations, no_contact, deadline, now, zone, title)


def _mark(
    axes: Axes,
    at: datetime,
    height: float,
    label: str,
    color: str,
    x_range: tuple[datetime, datetime],
) -> None:
    """Label a vertical line at ``height`` (axes fraction), on the side with room for it."""
    low, high = x_range
    right_half = (at - low) / (high - low) > 0.6
    axes.text(
        date2num(at),
        height,
        f"{label} " if right_half else f" {label}",
        transform=axes.get_xaxis_transform(),
        ha="right" if right_half else "left",
        va="top",
        color=color,
        fontfamily=_FONT,
        fontsize=9,
        parse_math=False,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
    )


def _draw(
    series: Series,
    words: dict[str, str],
    organisations: int,
    no_contact: int,
    deadline: datetime,
    now: datetime,
    zone: ZoneInfo,
    title: str,
) -> bytes:
    """Draw on a fresh Figure with its own Agg canvas; the figure is dropped afterwards."""
    figure = Figure(figsize=(_WIDTH_IN, _HEIGHT_IN), dpi=_DPI)
    FigureCanvasAgg(figure)
    try:
        axes = figure.add_subplot()
        font = {"family": _FONT}
        times = date2num(series.times)  # matplotlib's dates: days since its epoch, in UTC
        axes.step(
            times,
            series.signed,
            where="post",
            color="#2e7d32",
            linewidth=2,
            label=words["signed"],
        )
        axes.step(
            times,
            series.declined,
            where="post",
            color="#c62828",
            linewidth=2,
            label=words["declined"],
        )
        if any(series.reconfirm):
            axes.step(
                times,
                series.reconfirm,
                where="post",
                color="#ef6c00",
                linewidth=1.5,
                linestyle="--",
                label=words["reconfirm"],
            )
        axes.axhline(
            organisations,
            color="#455a64",
            linewidth=1,
            linestyle=":",
            label=words["organisations"].format(count=organisations),
        )
        if 0 < no_contact <= organisations:
            reachable = organisations - no_contact
            axes.axhline(
                reachable,
                color="#9e9e9e",
                linewidth=1,
                linestyle="--",
                label=words["with_contact"].format(count=reachable),
            )
        axes.axvline(date2num(deadline), color="#1565c0", linewidth=1.5, linestyle="--")
        axes.axvline(date2num(now), color="#757575", linewidth=1, linestyle="-.")
        top = max(organisations, *series.signed, *series.declined, *series.reconfirm, 1)
        axes.set_ylim(0, top * 1.2 + 0.5)
        low, high = _x_range(series, deadline, now)
        axes.set_xlim(date2num(low), date2num(high))
        deadline_label = f"{words['deadline']} {deadline.astimezone(zone):%d.%m %H:%M}"
        _mark(axes, deadline, 0.97, deadline_label, "#1565c0", (low, high))
        _mark(axes, now, 0.90, words["now"], "#757575", (low, high))
        locator = AutoDateLocator(tz=zone)
        formatter = ConciseDateFormatter(
            locator,
            tz=zone,
            formats=_DATE_FORMATS,
            zero_formats=_ZERO_FORMATS,
            offset_formats=_OFFSET_FORMATS,
        )
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(formatter)
        counts = axes.yaxis.get_major_locator()
        if isinstance(counts, MaxNLocator):  # the default one: whole numbers only
            counts.set_params(integer=True)
        axes.set_xlabel(zone.key, fontdict=font, parse_math=False)
        axes.set_ylabel(words["responses"], fontdict=font, parse_math=False)
        axes.grid(True, alpha=0.3)
        # Above the plot, under the title: never hides a line, whatever the data.
        axes.legend(
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncols=5,
            frameon=False,
            prop={"family": _FONT, "size": 9},
        )
        axes.set_title(_title_text(title), fontdict=font, fontsize=13, pad=24, parse_math=False)
        figure.tight_layout()

        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
        return buffer.getvalue()
    finally:
        figure.clear()
