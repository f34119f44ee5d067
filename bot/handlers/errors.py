"""The one error handler: log without contents, apologise, never crash the bot."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot import texts
from bot.context import BotApplication, BotContext

log = logging.getLogger(__name__)


def describe_update(update: object) -> str:
    """Ids only: message texts and names stay out of the logs."""
    if not isinstance(update, Update):
        return "no update"
    parts = [f"update={update.update_id}"]
    if update.effective_user is not None:
        parts.append(f"user={update.effective_user.id}")
    if update.effective_chat is not None:
        parts.append(f"chat={update.effective_chat.id}")
    if update.callback_query is not None:
        parts.append("callback")
    return " ".join(parts)


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    log.error(
        "unexpected error (%s): %s",
        describe_update(update),
        type(error).__name__,
        exc_info=error,
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    try:
        await context.bot.send_message(
            update.effective_chat.id, texts.render(texts.INTERNAL_ERROR, context.language)
        )
    except TelegramError:
        log.warning("could not tell the user about the error (%s)", describe_update(update))


def register(app: BotApplication) -> None:
    app.add_error_handler(on_error)
