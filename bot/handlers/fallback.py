"""Whatever no feature handler took: unknown commands get a pointer to /help (and the
nearest command the caller may use), stale buttons are refused. (Plain messages go to
``flows``, which has the same pointer.)"""

from __future__ import annotations

import difflib
import re

from telegram import MessageEntity, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.context import BotApplication, BotContext
from bot.handlers.common import reply, say

_COMMAND = re.compile(r"(?<![\w/<])/([a-z]+)\b")
# A typo this close to a command is taken for it (difflib's ratio: /adorg → /addorg 0.91).
SUGGEST_CUTOFF = 0.7


def allowed_commands(context: BotContext) -> set[str]:
    """The commands the caller may use: those their /help lists (a member never learns a
    coordinator's command), as far as they are registered."""
    listed = texts.COORDINATOR_HELP if context.who.is_coordinator else texts.MEMBER_HELP
    registered: set[str] = set()
    for group in context.application.handlers.values():
        for handler in group:
            if isinstance(handler, CommandHandler):
                registered |= handler.commands
    return (set(_COMMAND.findall(listed)) | {"start"}) & registered


def nearest_command(typed: str, allowed: set[str]) -> str | None:
    matches = difflib.get_close_matches(typed.lower(), sorted(allowed), n=1, cutoff=SUGGEST_CUTOFF)
    return matches[0] if matches else None


def _typed_command(update: Update) -> str:
    message = update.effective_message
    if message is None or not message.text:
        return ""
    for entity in message.entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            return message.text[1 : entity.length].partition("@")[0]
    return ""


async def unknown_command(update: Update, context: BotContext) -> None:
    suggestion = nearest_command(_typed_command(update), allowed_commands(context))
    if suggestion is None:
        await reply(update, context, say(context, texts.UNKNOWN_COMMAND))
        return
    await reply(update, context, say(context, texts.UNKNOWN_COMMAND_SUGGEST, command=suggestion))


async def stale_button(update: Update, context: BotContext) -> None:
    await reply(update, context, say(context, texts.STALE_BUTTON))


def register(app: BotApplication) -> None:
    # Registered last in group 0: PTB runs the first matching handler of a group, so
    # these only see what no feature handler took.
    app.add_handler(
        MessageHandler(filters.COMMAND & filters.UpdateType.MESSAGE, unknown_command), group=0
    )
    app.add_handler(CallbackQueryHandler(stale_button), group=0)
