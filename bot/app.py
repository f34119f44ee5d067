"""Builds the Application; nothing happens at import time.

``build_application`` wires settings, clock, handlers and lifecycle hooks.
``post_init`` opens the database, applies migrations, publishes the command
menus and rebuilds scheduled jobs from the database. ``start_in_process`` and
``stop_in_process`` run the same lifecycle inside an existing event loop (tests,
the offline demo), where ``run_polling`` cannot be used.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, ContextTypes, Defaults

from bot import handlers, jobs, texts
from bot.clock import Clock, SystemClock
from bot.commands import publish_commands
from bot.context import SERVICES_KEY, BotApplication, BotContext, Services, services_of
from bot.db import open_database
from bot.db import state as state_repo
from bot.handlers.gate import answer_press
from bot.services.access import FloodGuard, NeutralReplies
from bot.services.startup import prepare_database
from bot.settings import Settings
from bot.throughput import (
    CONNECTIONS,
    POOL_TIMEOUT,
    TELEGRAM_PACE,
    ChatPacedRateLimiter,
    Pace,
    PerChatUpdateProcessor,
)

log = logging.getLogger(__name__)


def build_application(
    settings: Settings, *, clock: Clock | None = None, pace: Pace = TELEGRAM_PACE
) -> BotApplication:
    """``pace``: Telegram's limits, always in production; faster only against a fake server
    whose limits are raised to match (tests of anything but pacing)."""
    # Every button press is answered as it arrives (the gate would be too late for a chat
    # with a queue).
    processor = PerChatUpdateProcessor(on_arrival=answer_press)
    services = Services(
        settings=settings,
        clock=clock or SystemClock(),
        flood=FloodGuard(settings.flood_max_per_minute, settings.flood_pause),
        neutral_replies=NeutralReplies(),
    )
    app: BotApplication = (
        Application.builder()
        .token(settings.require_token())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .context_types(ContextTypes(context=BotContext))
        .rate_limiter(ChatPacedRateLimiter.keeping(pace))
        .connection_pool_size(CONNECTIONS)
        .pool_timeout(POOL_TIMEOUT)
        .concurrent_updates(processor)
        .defaults(Defaults(tzinfo=settings.zone))
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data[SERVICES_KEY] = services
    handlers.register(app)
    texts.load_catalogs()  # a broken .po file stops the start, not a reply later
    return app


async def post_init(app: BotApplication) -> None:
    services = services_of(app)
    now = services.clock.now()
    settings = services.settings
    db = await open_database(settings.database_path, settings.database_secret())
    try:
        applied = await prepare_database(db, now, coordinator_ids=settings.coordinator_ids)
    except Exception:
        await db.close()
        raise
    services.db = db
    for migration in applied:
        log.info("applied migration %s", migration.file_name)
    await state_repo.put(db, "bot_username", app.bot.username)
    await publish_commands(app)
    await jobs.schedule(app)
    log.info("bot @%s is ready", app.bot.username)


async def post_stop(app: BotApplication) -> None:
    # Background work (the outbox sender) stops while the bot can still finish requests.
    await jobs.stop(app)


async def post_shutdown(app: BotApplication) -> None:
    services = services_of(app)
    await jobs.stop(app)  # in case post_stop never ran (start-up failed half-way)
    if services.db is not None:
        await services.db.close()
        services.db = None


async def start_in_process(
    app: BotApplication, *, poll_interval: float = 0.0, poll_timeout: int = 10
) -> None:
    """The lifecycle of ``run_polling`` without owning the event loop."""
    await app.initialize()
    try:
        await post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=poll_interval, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
        )
    except BaseException:
        await stop_in_process(app)
        raise


async def stop_in_process(app: BotApplication) -> None:
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await post_stop(app)
    await app.shutdown()
    await post_shutdown(app)
