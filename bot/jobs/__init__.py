"""Scheduled work. The database is the source of truth; jobs are rebuilt from it at start-up."""

from __future__ import annotations

from bot.context import BotApplication
from bot.jobs import outbox
from bot.jobs import schedule as scheduled


async def schedule(app: BotApplication) -> None:
    """Builds every job from the database (called from post_init).

    The outbox sender, reminders, deadlines and the digest register here as
    they are built; job names are predictable so a rebuild never doubles one.
    """
    await outbox.start(app)
    await scheduled.start(app)


async def stop(app: BotApplication) -> None:
    """Stops what ``schedule`` started and the JobQueue does not own (post_stop)."""
    await outbox.stop(app)
