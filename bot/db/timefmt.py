"""How instants are stored: UTC ISO-8601 text that sorts correctly as text."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
