"""A refusal becomes a reply here, and only here.

``TEXTS`` holds the catalog text of every ``Code``; ``replying`` wraps every handler in
the registry (``bot.handlers.register``), so a ``Refusal`` a service raises is answered
without a ``try`` in the handler: a reply in the caller's chat, or, for a handler
declared ``in_place``, the pressed question edited into the refusal. A handler that must
clean up first (finish a flow) catches, cleans up and raises again; one that goes on
after a refusal answers it with ``refuse``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update

from bot import keyboards, texts
from bot.context import BotContext
from bot.handlers.common import Handler, answer_in_place, reply
from bot.services.deadlines import format_deadline, format_wall
from bot.services.refusals import Code, Refusal

TEXTS: Final[Mapping[Code, str]] = {
    Code.LETTER_NOT_FOUND: texts.LETTER_NOT_FOUND,
    Code.LETTER_CLOSED: texts.LETTER_CLOSED,
    Code.LETTER_UNCHANGED: texts.LETTER_UNCHANGED,
    Code.NO_ORGANISATIONS: texts.LETTER_NO_ORGANISATIONS,
    Code.ORG_NOT_FOUND: texts.ORG_NOT_FOUND,
    Code.TITLE_EMPTY: texts.TITLE_EMPTY,
    Code.TITLE_TOO_LONG: texts.TITLE_TOO_LONG,
    Code.TITLE_INVALID: texts.TITLE_INVALID,
    Code.TEXT_EMPTY: texts.TEXT_EMPTY,
    Code.TEXT_TOO_LONG: texts.TEXT_TOO_LONG,
    Code.DEADLINE_PAST: texts.DEADLINE_PAST,
    Code.DEADLINE_UNCHANGED: texts.DEADLINE_UNCHANGED,
    Code.NOT_OPEN: texts.NOT_OPEN,
    Code.NOT_CLOSED: texts.NOT_CLOSED,
    Code.PURGE_NOT_CLOSED: texts.PURGE_NOT_CLOSED,
    Code.RESEND_CLOSED: texts.RESEND_CLOSED,
    Code.REMINDERS_CLOSED: texts.REMINDERS_CLOSED,
    Code.MILESTONE_NAME_EMPTY: texts.MILESTONE_NAME_EMPTY,
    Code.MILESTONE_NAME_TOO_LONG: texts.MILESTONE_NAME_TOO_LONG,
    Code.TOO_MANY_MILESTONES: texts.MILESTONES_TOO_MANY,
    Code.MILESTONE_NOT_FOUND: texts.MILESTONE_NOT_FOUND,
    Code.COMMENT_NOT_FOUND: texts.COMMENT_NOT_FOUND,
    Code.MEMBER_GONE: texts.MEMBER_GONE,
    Code.OFFSETS_BAD: texts.REMINDERS_OFFSETS_BAD,
    # What members can be told: no coordinator's command in any of these.
    Code.UNKNOWN_TO_MEMBER: texts.MEMBER_LETTER_UNKNOWN,
    Code.LETTER_PURGED: texts.LETTER_PURGED,
    Code.FULL_TEXT_CLOSED: texts.FULL_TEXT_CLOSED,
    Code.VERSION_REPLACED: texts.FULL_TEXT_REPLACED,
    Code.ANSWERS_CLOSED: texts.RESPONSE_LETTER_CLOSED,
    Code.VERSION_SUPERSEDED: texts.VERSION_SUPERSEDED,
    Code.NOTHING_TO_WITHDRAW: texts.NOTHING_TO_WITHDRAW,
    Code.COMMENT_EMPTY: texts.COMMENT_EMPTY,
    Code.COMMENT_TOO_LONG: texts.COMMENT_TOO_LONG,
    Code.REASON_EMPTY: texts.COMMENT_EMPTY,
    Code.REASON_TOO_LONG: texts.REASON_TOO_LONG,
    Code.TIMEZONE_UNKNOWN: texts.TIMEZONE_UNKNOWN,
    Code.QUIET_HOURS_BAD: texts.QUIET_BAD,
    Code.ORG_NAME_EMPTY: texts.ORG_NAME_EMPTY,
    Code.ORG_NAME_TOO_LONG: texts.ORG_NAME_TOO_LONG,
    Code.ORG_NAME_INVALID: texts.ORG_NAME_INVALID,
    Code.ORG_DUPLICATE: texts.ORG_DUPLICATE,
    Code.ORG_NAME_NOT_FOUND: texts.ORG_NAME_NOT_FOUND,
    Code.LABEL_TOO_LONG: texts.LABEL_TOO_LONG,
    Code.INVITE_NOT_PENDING: texts.INVITE_NOT_PENDING,
    Code.CONTACT_NOT_FOUND: texts.CONTACT_NOT_FOUND,
    Code.DEADLINE_FORMAT: texts.DEADLINE_FORMAT,
    Code.DEADLINE_ZONE: texts.DEADLINE_ZONE,
    # These repeat the moment the bot understood, so a misreading shows at once.
    Code.DEADLINE_PASSED: texts.DEADLINE_PAST_AT,
    Code.DEADLINE_NONEXISTENT: texts.DEADLINE_NONEXISTENT_AT,
    Code.DEADLINE_DAY_FIRST: texts.DEADLINE_DAY_FIRST,
    Code.FILE_UNSUPPORTED: texts.FILE_UNSUPPORTED,
    Code.FILE_BROKEN: texts.FILE_BROKEN,
    Code.FILE_ENCODING: texts.FILE_ENCODING,
    Code.FILE_EMPTY: texts.FILE_EMPTY,
    Code.FILE_TOO_LONG: texts.FILE_TOO_LONG,
    Code.FILE_TOO_BIG: texts.FILE_TOO_BIG,
}


def refusal_text(refusal: Refusal, language: str, zone: ZoneInfo) -> str:
    """The refusal in the reader's language; instants in the zone they were given in (a
    typed deadline), else in the reader's."""
    params = {key: _shown(value, language, zone) for key, value in refusal.data.items()}
    return texts.render(TEXTS[refusal.code], language, **params)


def _shown(value: object, language: str, zone: ZoneInfo) -> object:
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        return format_wall(value, language)
    return format_deadline(
        value, value.tzinfo if isinstance(value.tzinfo, ZoneInfo) else zone, language
    )


def refusal_markup(refusal: Refusal, language: str) -> InlineKeyboardMarkup | None:
    """The way forward a refusal offers: the current version instead of a replaced one."""
    ref = refusal.data.get("ref")
    if not isinstance(ref, int):
        return None
    latest = refusal.data.get("latest")
    latest_id = refusal.data.get("latest_id")
    if refusal.code is Code.VERSION_REPLACED and isinstance(latest_id, int):
        return keyboards.full_text(ref, latest_id, language)
    if refusal.code is Code.VERSION_SUPERSEDED:
        return keyboards.open_current(ref, f"v{latest}", language)
    return None


async def refuse(
    update: Update, context: BotContext, refusal: Refusal, *, in_place: bool = False
) -> None:
    """Answers a refusal: a reply, or the pressed question edited into it (``in_place``)."""
    text = refusal_text(refusal, context.language, context.zone)
    markup = refusal_markup(refusal, context.language)
    if in_place and update.callback_query is not None:
        await answer_in_place(update, text, reply_markup=markup)
    else:
        await reply(update, context, text, reply_markup=markup)


_IN_PLACE = "refusals_in_place"


def in_place(callback: Handler) -> Handler:
    """Declares that a button's handler answers a refusal by editing the pressed message:
    a question (Close? Purge? Withdraw?) becomes its answer, even when that is a no."""
    setattr(callback, _IN_PLACE, True)
    return callback


def replying(callback: Handler) -> Handler:
    """``callback``, with any ``Refusal`` it raises answered (see ``refuse``)."""
    answers_in_place = getattr(callback, _IN_PLACE, False)

    @functools.wraps(callback)
    async def answered(update: Update, context: BotContext) -> Any:
        try:
            return await callback(update, context)
        except Refusal as refusal:
            await refuse(update, context, refusal, in_place=answers_in_place)
            return None

    return answered
