"""The one error handler: log without contents, apologise, alert coordinators, never crash.

The log line carries the update's ids, the exception class, where it happened
and the stack (file, line, function), but not the exception's message: messages
can quote what a user typed (``int('…')``). At LOG_LEVEL=DEBUG, where the HTTP
libraries log message texts anyway, the full exception is logged.
"""

from __future__ import annotations

import logging
import traceback

from telegram import Update
from telegram.error import NetworkError, TelegramError

from bot import texts
from bot.context import BotApplication, BotContext
from bot.handlers.common import notify_coordinators
from bot.services.alerts import AlertThrottle, error_kind

log = logging.getLogger(__name__)
THROTTLE_KEY = "error_alerts"


def describe_update(update: object) -> str:
    """Ids only: message texts and names stay out of the logs."""
    if not isinstance(update, Update):
        return "no update"
    parts = [f"update={update.update_id}"]
    if update.effective_user is not None:
        parts.append(f"user={update.effective_user.id}")
    if update.effective_chat is not None:
        parts.append(f"chat={update.effective_chat.id}")
    if update.effective_message is not None:
        parts.append(f"message={update.effective_message.message_id}")
    if update.callback_query is not None:
        parts.append("callback")
    return " ".join(parts)


def _stack(error: BaseException) -> str:
    return "".join(traceback.extract_tb(error.__traceback__).format()).rstrip()


def _throttle(context: BotContext) -> AlertThrottle:
    throttle: AlertThrottle = context.services.extras.setdefault(THROTTLE_KEY, AlertThrottle())
    return throttle


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if error is None:
        return
    if update is None and isinstance(error, NetworkError):
        # Polling lost Telegram for a moment; PTB retries by itself.
        log.warning("network error outside an update: %s", type(error).__name__)
        return
    kind = error_kind(error)
    if log.isEnabledFor(logging.DEBUG):
        log.error("unexpected %s (%s)", kind, describe_update(update), exc_info=error)
    else:
        log.error("unexpected %s (%s)\n%s", kind, describe_update(update), _stack(error))
    held = _throttle(context).check(kind, context.clock.now())
    if held is not None:
        # Queued before the apology: once the user has it, the alert cannot be lost.
        await _alert(context, kind, update, held)
    await _apologise(update, context)


async def _alert(context: BotContext, kind: str, update: object, held: int) -> None:
    update_id = update.update_id if isinstance(update, Update) else "—"
    # Rendered in each coordinator's language by notify_coordinators.
    held_line = texts.Text(texts.ERROR_ALERT_HELD, count=held) if held else texts.Html("")
    await notify_coordinators(
        context, texts.ERROR_ALERT, kind=kind, update=update_id, held=held_line
    )


async def _apologise(update: object, context: BotContext) -> None:
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return  # groups learn nothing, not even that something failed
    try:
        await context.bot.send_message(
            update.effective_chat.id, texts.render(texts.INTERNAL_ERROR, context.language)
        )
    except TelegramError:
        log.warning("could not tell the user about the error (%s)", describe_update(update))


def register(app: BotApplication) -> None:
    app.add_error_handler(on_error)
