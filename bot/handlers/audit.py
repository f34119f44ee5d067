"""/audit <letter>: coordinators get the letter's audit trail as a CSV document."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.handlers.common import actor, coordinators_only, say
from bot.handlers.letters import letter_ref
from bot.services import audit_trail


@coordinators_only
async def audit(update: Update, context: BotContext) -> None:
    letter_id = await letter_ref(update, context, "audit")
    if letter_id is None:
        return
    trail = await audit_trail.letter_trail(
        context.db, letter_id, actor=actor(context), now=context.clock.now()
    )
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(
        chat.id,
        document=InputFile(trail.content, filename=trail.file_name),
        caption=say(context, texts.AUDIT_CAPTION, letter_id=letter_id, events=trail.events),
        parse_mode=ParseMode.HTML,
    )


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("audit", audit))
