"""Bringing a database up to date before anything uses it (the bot's start, the CLI)."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.db.connection import Database
from bot.db.migrate import Migration, apply_migrations
from bot.services import coordinators, membership

log = logging.getLogger(__name__)


async def prepare_database(
    db: Database, now: datetime, *, coordinator_ids: frozenset[int]
) -> list[Migration]:
    """Applies pending migrations, recomputes what SQL can't (organisations' name keys,
    after a change of the duplicate rules) and makes ``COORDINATOR_IDS`` true
    (``coordinators.bootstrap``); returns the migrations applied."""
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
    report(await coordinators.bootstrap(db, coordinator_ids, now=now))
    return applied


def report(bootstrap: coordinators.Bootstrap) -> None:
    """What ``COORDINATOR_IDS`` did, in the log: the ids it could not make coordinators
    as warnings that say how to."""
    for account in bootstrap.added:
        log.info("COORDINATOR_IDS: %d is a coordinator now", account)
    for account in bootstrap.dropped:
        log.warning(
            "COORDINATOR_IDS: %d is no longer listed and is no longer a coordinator", account
        )
    for account in bootstrap.kept_removed:
        log.warning(
            "COORDINATOR_IDS: %d was removed as a coordinator (through the bot or the CLI) "
            "and is not made one again by the settings; to restore them, run "
            "`coalition-bot coordinators add %d`",
            account,
            account,
        )
    for account in bootstrap.members:
        log.warning(
            "COORDINATOR_IDS: %d is a member's contact of an organisation, so it is not made "
            "a coordinator; remove that contact (/removecontact) and restart, or use "
            "another account",
            account,
        )
