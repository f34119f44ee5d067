"""/purge: a closed letter's texts removed for good, after a confirmation button."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, keyboards, texts
from bot.context import BotApplication, BotContext
from bot.handlers.common import actor, coordinators_only, reply, say
from bot.handlers.letters import letter_ref
from bot.handlers.refusals import in_place
from bot.services import lifecycle, purge


@coordinators_only
async def ask(update: Update, context: BotContext) -> None:
    letter_id = await letter_ref(update, context, "purge")
    if letter_id is None:
        return
    letter = await lifecycle.check_purgeable(context.db, letter_id)
    text = say(context, texts.PURGE_ASK, letter_id=letter_id, title=letter.title or "")
    markup = keyboards.purge_confirmation(letter_id, context.language)
    await reply(update, context, text, reply_markup=markup)


@in_place
@coordinators_only
async def answer(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    args = callback_data.decode(query.data, callback_data.PURGE, 2)
    if args is None:
        return
    letter_id, confirmed = args
    if not confirmed:
        text = say(context, texts.PURGE_KEPT, letter_id=letter_id)
        await query.edit_message_text(text, parse_mode=ParseMode.HTML)
        return
    done = await purge.purge_letter(
        context.db, letter_id, actor=actor(context), now=context.clock.now()
    )
    text = say(
        context, texts.PURGE_DONE, letter_id=letter_id, versions=done.versions,
        comments=done.comments, to_delete=done.to_delete,
    )  # fmt: skip
    await query.edit_message_text(text, parse_mode=ParseMode.HTML)
    await context.services.delete_expired_messages()


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("purge", ask))
    app.add_handler(CallbackQueryHandler(answer, pattern=rf"^{callback_data.PURGE}:"))
