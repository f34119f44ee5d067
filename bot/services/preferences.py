"""A contact's own settings: time zone, quiet hours, and for a coordinator how they hear of
responses (``/notify``). No Telegram here."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.db import contacts as contacts_repo
from bot.db import coordinators as coordinators_repo
from bot.db.connection import Database, Executor
from bot.db.contacts import Contact
from bot.db.types import ContactRole, Notify
from bot.services import outbox
from bot.services.deadlines import zone_named
from bot.services.outbox import OutgoingMessage
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


async def set_notify(db: Executor, coordinator: Contact, notify: Notify) -> bool:
    """``/notify each|digest``: told of each member's response as it comes, or only in the
    daily digest (the default: a big letter's responses would be hundreds of messages).
    True when that changed."""
    if coordinator.role is not ContactRole.COORDINATOR:
        raise ValueError("only coordinators are told of responses")
    return await contacts_repo.set_notify(db, coordinator.id, notify) == 1


async def told_of_each_response(db: Executor, coordinator_ids: Collection[int]) -> list[int]:
    """Which of these coordinators (Telegram ids: today ``COORDINATOR_IDS``, with issue 16
    the active coordinators' records) are to be told of a response now; the others read it
    in the digest. A coordinator the bot has no record of yet has chosen nothing: the
    digest."""
    return await contacts_repo.coordinators_notified(db, coordinator_ids, Notify.EACH)


async def tell_each(
    db: Database,
    *,
    letter_id: int,
    key: str,
    compose: Callable[[str], OutgoingMessage],
    now: datetime,
) -> int:
    """Queues a response's notice (``compose``: for a language) to every live coordinator
    who chose ``/notify each``, once per ``key`` (the response: letter, organisation,
    decision and time). Returns how many were queued."""
    if not await coordinators_repo.live_notified(db, Notify.EACH):
        return 0  # nobody chose it (the default): no transaction to open
    queued = 0
    async with db.transaction() as tx:
        for coordinator in await coordinators_repo.live_notified(tx, Notify.EACH):
            if coordinator.telegram_user_id is None:
                continue
            queued += await outbox.enqueue(
                tx, broadcast_id=None, contact_id=coordinator.id,
                chat_id=coordinator.telegram_user_id, letter_id=letter_id, kind="notice",
                message=compose(coordinator.language), now=now,
                dedupe_key=f"response:{key}:to:{coordinator.id}",
            )  # fmt: skip
    return queued
