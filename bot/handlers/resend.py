"""Messages that may not have arrived (``uncertain``: on the wire when the bot stopped, or
unconfirmed by Telegram): coordinators see who, in the delivery report and in /status,
and send them again with one button. A possible duplicate chosen by a person beats a
silent skip; the bot itself never resends them.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot import callback_data, keyboards, texts
from bot.context import BotApplication, BotContext
from bot.handlers.common import actor, coordinators_only, reply, say
from bot.outgoing.broadcasts import contact_lines
from bot.services import outbox
from bot.services.resend import resend_uncertain


async def show_uncertain(update: Update, context: BotContext, letter_id: int) -> None:
    """For /status: who may not have got a message about the letter, with the button."""
    contacts = await outbox.uncertain_of_letter(context.db, letter_id)
    if not contacts:
        return
    header = say(context, texts.STATUS_UNCERTAIN, count=len(contacts), letter_id=letter_id)
    text = "\n".join([header, *contact_lines(contacts, context.language)])
    markup = keyboards.resend(callback_data.RESEND_LETTER, letter_id, context.language)
    await reply(update, context, text, reply_markup=markup)


@coordinators_only
async def resend(update: Update, context: BotContext) -> None:
    """The Send again button: under a delivery report (a broadcast's) or /status (a letter's)."""
    query = update.callback_query
    assert query is not None
    data = query.data
    if (args := callback_data.decode(data, callback_data.RESEND_BROADCAST, 1)) is not None:
        scope = {"broadcast_id": args[0]}
    elif (args := callback_data.decode(data, callback_data.RESEND_LETTER, 1)) is not None:
        scope = {"letter_id": args[0]}
    else:
        await reply(update, context, say(context, texts.STALE_BUTTON))
        return
    done = await resend_uncertain(
        context.db,
        **scope,
        requested_by=context.who.telegram_user_id,
        actor=actor(context),
        now=context.clock.now(),
    )
    if not done.messages:
        await reply(update, context, say(context, texts.RESEND_NOTHING))
        return
    await reply(update, context, say(context, texts.RESEND_QUEUED, count=done.messages))


def register(app: BotApplication) -> None:
    kinds = f"{callback_data.RESEND_BROADCAST}|{callback_data.RESEND_LETTER}"
    app.add_handler(CallbackQueryHandler(resend, pattern=rf"^({kinds}):"))
