"""Bringing a database up to date before anything uses it (the bot's start, the CLI)."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.db.connection import Database
from bot.db.migrate import Migration, apply_migrations
from bot.services import membership

log = logging.getLogger(__name__)


async def prepare_database(db: Database, now: datetime) -> list[Migration]:
    """Applies pending migrations, then recomputes what SQL can't (organisations' name
    keys, after a change of the duplicate rules); returns the migrations applied."""
    applied = await apply_migrations(db, now)
    for clash in await membership.refresh_name_keys(db):
        log.warning(
            "organisations #%d and #%d have the same name but for case, spacing, quotation "
            "marks or dashes; new names like it are refused as duplicates of #%d. Remove "
            "the one not wanted with /removeorg.",
            clash.kept.id,
            clash.other.id,
            clash.kept.id,
        )
    return applied
