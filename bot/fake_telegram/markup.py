"""reply_markup validation as strict as the Bot API."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from .models import ApiError

__all__ = ["validate_reply_markup"]

_BAD_JSON = "Bad Request: can't parse reply keyboard markup JSON object"
_BUTTON_KINDS = (
    "callback_data",
    "url",
    "login_url",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_MAX_BUTTONS = 100


def _bad(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def _check_url(url: Any) -> None:
    if not isinstance(url, str):
        raise _bad('can\'t parse inline keyboard button: Field "url" must be of type String')
    parts = urlsplit(url)
    ok = (parts.scheme in ("http", "https") and bool(parts.netloc)) or (
        parts.scheme == "tg" and bool(parts.netloc or parts.path)
    )
    if not ok or any(ch.isspace() for ch in url):
        raise _bad("BUTTON_URL_INVALID")


def _check_inline(rows: Any, max_data_bytes: int) -> dict[str, Any] | None:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise _bad(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    count = 0
    for row in rows:
        for button in row:
            count += 1
            if not isinstance(button, dict):
                raise _bad(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            text = button.get("text")
            if not isinstance(text, str):
                raise _bad(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            if not text.strip():
                raise _bad("BUTTON_TEXT_INVALID")
            kinds = [k for k in _BUTTON_KINDS if k in button]
            if not kinds:
                raise _bad(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if len(kinds) > 1:
                raise _bad(
                    "can't parse inline keyboard button: exactly one of the optional fields "
                    f"must be used, got {', '.join(kinds)}"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if (
                    not isinstance(data, str)
                    or not 1 <= len(data.encode("utf-8")) <= max_data_bytes
                ):
                    raise _bad("BUTTON_DATA_INVALID")
            if "url" in button:
                _check_url(button["url"])
    if count > _MAX_BUTTONS:
        raise _bad("reply markup is too long")
    if count == 0:
        return None  # an empty inline keyboard simply means "no keyboard"
    return {"inline_keyboard": rows}


def _check_reply_keyboard(obj: dict[str, Any]) -> None:
    rows = obj["keyboard"]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise _bad('field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays')
    for row in rows:
        for button in row:
            text = (
                button
                if isinstance(button, str)
                else (button.get("text") if isinstance(button, dict) else None)
            )
            if not isinstance(text, str) or not text.strip():
                raise _bad("BUTTON_TEXT_INVALID")


def validate_reply_markup(
    value: Any, *, max_data_bytes: int = 64, inline_only: bool = False
) -> tuple[bool, dict[str, Any] | None]:
    """Validate a reply_markup parameter.

    Returns (given, inline_markup): ``given`` tells whether the parameter was present;
    ``inline_markup`` is the normalized inline keyboard to store on the message, or None
    (reply keyboards and remove/force-reply markups are not part of the Message object).
    """
    if value is None:
        return False, None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ApiError(400, _BAD_JSON) from None
    if not isinstance(value, dict):
        raise ApiError(400, _BAD_JSON)
    if "inline_keyboard" in value:
        return True, _check_inline(value["inline_keyboard"], max_data_bytes)
    if inline_only:
        raise _bad("inline keyboard expected")
    if "keyboard" in value:
        _check_reply_keyboard(value)
        return True, None
    if value.get("remove_keyboard") is True or value.get("force_reply") is True:
        return True, None
    raise ApiError(400, _BAD_JSON)
