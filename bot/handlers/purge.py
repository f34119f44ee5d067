"""/purge: a closed letter's texts removed for good, after a confirmation button."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, keyboards, texts
from bot.context import BotApplication, BotContext
from bot.handlers.approvals import request_action
from bot.handlers.common import coordinators_only, reply, say
from bot.handlers.presenters import letter_ref
from bot.handlers.refusals import in_place
from bot.services import lifecycle
from bot.services.approvals import ActionResult, PurgeLetter
from bot.services.purge import Purge


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

    def done(result: ActionResult) -> str:
        assert isinstance(result, Purge)
        return say(
            context, texts.PURGE_DONE, letter_id=letter_id, versions=result.versions,
            comments=result.comments, to_delete=result.to_delete,
        )  # fmt: skip

    # With two coordinators a second one approves; the purge runs when they do.
    await request_action(update, context, PurgeLetter(letter_id), done, letter_id=letter_id)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("purge", ask))
    app.add_handler(CallbackQueryHandler(answer, pattern=rf"^{callback_data.PURGE}:"))
