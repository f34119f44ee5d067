"""What every outgoing message shares: HTML parameters, a moment as text."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram.constants import ParseMode

from bot.services.deadlines import format_deadline, relative_hint
from bot.services.outbox import OutgoingMessage


def html_params(text: str, **params: Any) -> dict[str, Any]:
    """``sendMessage`` parameters of an HTML text, link previews off (texts are rendered
    from the catalog, which escapes every value a person typed)."""
    return {
        "text": text,
        "parse_mode": ParseMode.HTML,
        "link_preview_options": {"is_disabled": True},
        **params,
    }


def html_message(text: str, **params: Any) -> OutgoingMessage:
    """An HTML text message for the outbox."""
    return OutgoingMessage("sendMessage", html_params(text, **params))


def html_notice(text: str, **options: Any) -> OutgoingMessage:
    """A notice a handler composed (a rendered text and PTB keyword arguments, e.g. an
    ``InlineKeyboardMarkup`` as ``reply_markup``) as an outbox message."""
    params = {
        key: value.to_dict() if hasattr(value, "to_dict") else value
        for key, value in options.items()
        if value is not None
    }
    return html_message(text, **params)


def moment_text(moment: datetime, zone: ZoneInfo, language: str, now: datetime) -> tuple[str, str]:
    """``moment`` for a reader in ``zone``: the date and time, and how far off it is."""
    return format_deadline(moment, zone, language), relative_hint(moment, now, language)
