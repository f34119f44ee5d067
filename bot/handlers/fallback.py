"""Whatever no feature handler took: unknown commands get a pointer to /help, stale buttons
are refused. (Plain messages go to ``flows``, which has the same pointer.)"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import texts
from bot.context import BotApplication, BotContext
from bot.handlers.common import reply, say


async def unknown_command(update: Update, context: BotContext) -> None:
    await reply(update, context, say(context, texts.UNKNOWN_COMMAND))


async def stale_button(update: Update, context: BotContext) -> None:
    await reply(update, context, say(context, texts.STALE_BUTTON))


def register(app: BotApplication) -> None:
    # Registered last in group 0: PTB runs the first matching handler of a group, so
    # these only see what no feature handler took.
    app.add_handler(
        MessageHandler(filters.COMMAND & filters.UpdateType.MESSAGE, unknown_command), group=0
    )
    app.add_handler(CallbackQueryHandler(stale_button), group=0)
