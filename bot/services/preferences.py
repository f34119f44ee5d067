"""A contact's own settings: time zone and quiet hours. No Telegram here."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.db import contacts as contacts_repo
from bot.db.connection import Executor
from bot.db.contacts import Contact
from bot.services.deadlines import zone_named
from bot.services.quiet_hours import QuietHours, stored_quiet_hours
from bot.services.refusals import ECHO_LIMIT, Code, Refusal


async def set_timezone(db: Executor, contact: Contact, name: str) -> ZoneInfo:
    zone = zone_named(name)
    if zone is None:  # not a zone of the tz database
        raise Refusal(Code.TIMEZONE_UNKNOWN, zone=name[:ECHO_LIMIT])
    await contacts_repo.set_timezone(db, contact.id, zone.key)
    return zone


async def set_quiet_hours(db: Executor, contact: Contact, hours: QuietHours) -> None:
    await contacts_repo.set_quiet_hours(db, contact.id, *hours.stored())


def quiet_hours_of(contact: Contact, default: QuietHours) -> QuietHours:
    return stored_quiet_hours(contact.quiet_start, contact.quiet_end, default)
