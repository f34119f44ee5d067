"""Inline keyboards; texts from the catalog, data from ``callback_data``."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data, texts


def pager(kind: str, page: int, pages: int, language: str) -> InlineKeyboardMarkup | None:
    """« Previous / Next » buttons for a paginated list; None when one page is enough."""
    if pages <= 1:
        return None
    row = []
    if page > 1:
        row.append(
            InlineKeyboardButton(
                texts.render(texts.BUTTON_PREVIOUS, language),
                callback_data=callback_data.encode(kind, page - 1),
            )
        )
    if page < pages:
        row.append(
            InlineKeyboardButton(
                texts.render(texts.BUTTON_NEXT, language),
                callback_data=callback_data.encode(kind, page + 1),
            )
        )
    return InlineKeyboardMarkup([row])


def show_help(language: str) -> InlineKeyboardMarkup:
    text = texts.render(texts.BUTTON_SHOW_HELP, language)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=callback_data.encode(callback_data.SHOW_HELP))]]
    )
