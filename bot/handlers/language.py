"""/language: the language the bot writes to this person in (English, Russian, Belarusian)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, keyboards, texts
from bot.commands import publish_commands
from bot.context import BotApplication, BotContext
from bot.handlers.common import actor, reply, say
from bot.services import languages


async def choose_language(update: Update, context: BotContext) -> None:
    current = context.language
    text = say(context, texts.LANGUAGE_ASK, language=texts.LANGUAGE_NAMES[current])
    await reply(update, context, text, reply_markup=keyboards.choose_language(current))


async def language_chosen(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    args = callback_data.decode(query.data, callback_data.LANGUAGE, 1)
    contact = context.who.contact
    if args is None or not 0 <= args[0] < len(texts.LANGUAGES) or contact is None:
        await reply(update, context, say(context, texts.STALE_BUTTON))
        return
    language = texts.LANGUAGES[args[0]]
    await languages.set_language(
        context.db, contact, language, actor=actor(context), now=context.clock.now()
    )
    # Confirmed in the language just chosen, where the question was.
    await query.edit_message_text(
        texts.render(texts.LANGUAGE_SET, language), parse_mode=ParseMode.HTML
    )
    await publish_commands(
        context.application, only_chat=context.who.telegram_user_id, language=language
    )


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("language", choose_language))
    app.add_handler(
        CallbackQueryHandler(language_chosen, pattern=rf"^{callback_data.LANGUAGE}:\d+$")
    )
