"""Members' own settings: /timezone and /quiet (quiet hours for reminders)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.db.contacts import Contact
from bot.handlers.common import command_argument, reply, say
from bot.services import preferences
from bot.services.quiet_hours import parse_quiet_hours


async def _member(update: Update, context: BotContext) -> Contact | None:
    """The caller's contact; coordinators have none (they read times in TIMEZONE)."""
    who = context.who
    if who.is_member and who.contact is not None:
        return who.contact
    text = say(context, texts.PREFERENCES_MEMBERS_ONLY, zone=context.settings.timezone)
    await reply(update, context, text)
    return None


def _local_time(context: BotContext, zone_name: str) -> str:
    return f"{context.clock.now().astimezone(ZoneInfo(zone_name)):%H:%M}"


async def timezone(update: Update, context: BotContext) -> None:
    contact = await _member(update, context)
    if contact is None:
        return
    raw = command_argument(update.message)
    if not raw:
        zone = context.zone.key
        text = say(context, texts.TIMEZONE_SHOW, zone=zone, local=_local_time(context, zone))
        await reply(update, context, text)
        return
    chosen = await preferences.set_timezone(context.db, contact, raw)
    text = say(context, texts.TIMEZONE_SET, zone=chosen.key, local=_local_time(context, chosen.key))
    await reply(update, context, text)


async def quiet(update: Update, context: BotContext) -> None:
    contact = await _member(update, context)
    if contact is None:
        return
    raw = command_argument(update.message)
    zone = context.zone.key
    if not raw:
        hours = preferences.quiet_hours_of(contact, context.settings.quiet_hours)
        if hours.off:
            await reply(update, context, say(context, texts.QUIET_SHOW_OFF))
        else:
            await reply(update, context, say(context, texts.QUIET_SHOW, hours=hours, zone=zone))
        return
    hours = parse_quiet_hours(raw)
    await preferences.set_quiet_hours(context.db, contact, hours)
    if hours.off:
        await reply(update, context, say(context, texts.QUIET_SET_OFF))
    else:
        await reply(update, context, say(context, texts.QUIET_SET, hours=hours, zone=zone))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("timezone", timezone))
    app.add_handler(CommandHandler("quiet", quiet))
