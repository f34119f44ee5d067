"""/help and /whoami: what the caller's role can do, and who they are here."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, texts
from bot.context import BotApplication, BotContext
from bot.handlers.common import reply, say
from bot.services.deadlines import format_deadline


def help_text(context: BotContext) -> str:
    who = context.who
    if who.is_coordinator:
        # Issue 16's two-people rule and issue 17's commands in sections of their own.
        return "\n\n".join(
            say(context, text)
            for text in (
                texts.COORDINATOR_HELP,
                texts.COORDINATOR_HELP_TWO_PEOPLE,
                texts.COORDINATOR_HELP_PUBLICATION,
            )
        )
    organisation = who.organisation.name if who.organisation else ""
    return (
        say(context, texts.MEMBER_HELP, organisation=organisation)
        + "\n"
        + say(context, texts.MEMBER_HELP_SIGNER)
    )


async def show_help(update: Update, context: BotContext) -> None:
    await reply(update, context, help_text(context))


async def whoami(update: Update, context: BotContext) -> None:
    who = context.who
    if who.is_coordinator:
        await reply(update, context, say(context, texts.WHOAMI_COORDINATOR))
        return
    joined = who.contact.joined_at if who.contact else None
    # The same form as every other date: the reader's zone and language.
    when = format_deadline(joined, context.zone, context.language) if joined else "—"
    organisation = who.organisation.name if who.organisation else ""
    await reply(
        update,
        context,
        say(context, texts.WHOAMI_MEMBER, organisation=organisation, joined=when),
    )


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("help", show_help))
    app.add_handler(CallbackQueryHandler(show_help, pattern=rf"^{callback_data.SHOW_HELP}$"))
    app.add_handler(CommandHandler("whoami", whoami))
