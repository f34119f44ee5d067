"""What handlers and jobs get: a CallbackContext with the bot's services.

Follows python-telegram-bot's ``contexttypesbot`` example: the services live in
``bot_data`` under one key, and the gate stores the caller's ``Identity`` on the
per-update context for the handlers after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.services.access import FloodGuard, Identity, NeutralReplies
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.db.connection import Database
    from bot.jobs.outbox import OutboxSender
    from bot.jobs.schedule import Scheduler

SERVICES_KEY = "coalition_services"


@dataclass
class Services:
    settings: Settings
    clock: Clock
    flood: FloodGuard
    neutral_replies: NeutralReplies
    db: Database | None = None  # opened in post_init, closed in post_shutdown
    # Drains the outbox; started in post_init, stopped in post_stop. Wake it after queueing.
    outbox_sender: OutboxSender | None = None
    # Runs what is due (reminders, deadlines, digest); started in post_init.
    scheduler: Scheduler | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def database(self) -> Database:
        if self.db is None:
            raise RuntimeError("the database is not open yet (post_init has not run)")
        return self.db

    async def delete_expired_messages(self) -> int:
        """Deletes now the bot's messages whose time to go has come (a purge, a removal):
        the outbox sender's deletion sweep, at once. 0 before the sender started."""
        sender = self.outbox_sender
        return 0 if sender is None else await sender.delete_expired()


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    identity: Identity | None = None
    # Told after the answer to this update (the gate's last group): e.g. that the caller,
    # paused by the flood guard, is heard again.
    afterwords: tuple[str, ...] = ()
    # The update being handled: a notice it causes is queued once, however often Telegram
    # delivers the update (again after a restart that came before its offset was confirmed).
    update_id: int | None = None

    @classmethod
    def from_update(cls, update: object, application: Any) -> BotContext:
        context = super().from_update(update, application)
        if isinstance(update, Update):
            context.update_id = update.update_id
        return context

    @property
    def application(self) -> BotApplication:  # type: ignore[override]  # see below
        # PTB annotates this with a context type variable it leaves unbound ("ST"), which
        # matches no application type; ours is this class.
        return cast("BotApplication", super().application)

    @property
    def services(self) -> Services:
        return services_of(self.application)

    @property
    def db(self) -> Database:
        return self.services.database

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def who(self) -> Identity:
        if self.identity is None:
            raise RuntimeError("the gate did not run before this handler")
        return self.identity

    @property
    def language(self) -> str:
        return self.identity.language if self.identity else "en"

    @property
    def zone(self) -> ZoneInfo:
        """The zone the caller reads times in: their own (/timezone) or the bot's."""
        contact = self.identity.contact if self.identity else None
        if contact is not None and contact.timezone:
            return ZoneInfo(contact.timezone)
        return self.settings.zone


BotApplication = Application[Any, BotContext, Any, Any, Any, Any]


def services_of(app: BotApplication) -> Services:
    services: Services = app.bot_data[SERVICES_KEY]
    return services
