"""Purging a closed letter: its texts go, the record of who signed stays. No Telegram here.

Removed: the title, the text and source file of every version, comments and decline
reasons, milestone names, guided flows about the letter (a revision or a reason being
typed), and the contents of every queued or sent message about the letter; the bot's
messages about it are deleted from members' chats where Telegram still allows it (48
hours). Kept: the organisations, responses and listing choices (the signatory list),
version numbers and fingerprints, milestone dates, and the audit chain, which never held
free text and still verifies.

The database runs with ``secure_delete`` (freed bytes are zeroed) and the purge ends with
a checkpoint that empties the write-ahead log, so the removed texts are in neither file
afterwards (``tests/unit/test_purge_guard.py`` reads the bytes, and walks every text column
of the schema).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db import audit
from bot.db import purge as repo
from bot.db.connection import Database
from bot.services import lifecycle
from bot.services.refusals import Refusal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purge:
    letter_id: int
    versions: int
    comments: int
    messages: int  # contents removed from the outbox
    to_delete: int  # messages in members' chats the bot will now try to delete


async def purge_letter(db: Database, letter_id: int, *, actor: str, now: datetime) -> Purge:
    async with db.transaction() as tx:
        await lifecycle.check_purgeable(tx, letter_id)
        versions = await repo.clear_versions(tx, letter_id)
        comments = await repo.clear_comments(tx, letter_id)
        await repo.clear_reasons(tx, letter_id)
        messages = await repo.clear_deliveries(tx, letter_id)
        to_delete = await repo.delete_messages_now(tx, letter_id, now=now)
        milestones = await repo.clear_milestone_names(tx, letter_id)
        flows = await repo.delete_flows(tx, letter_id)
        await repo.clear_title(tx, letter_id, now=now)
        result = Purge(letter_id, versions, comments, messages, to_delete)
        await audit.append(
            tx, now=now, actor=actor, action="letter.purged", letter_id=letter_id,
            data={"versions": versions, "comments": comments, "messages": messages,
                  "to_delete": to_delete, "milestones": milestones, "flows": flows},
        )  # fmt: skip
    # The old rows' bytes are zeroed (secure_delete) but still sit in the write-ahead log
    # until a checkpoint copies the pages back: empty it now.
    if not await db.checkpoint():
        log.warning("purge: the write-ahead log could not be emptied (another reader)")
    return result


async def purge_expired(db: Database, *, now: datetime, retention: timedelta) -> list[Purge]:
    """RETENTION_DAYS: purges letters closed at least that long ago."""
    done = []
    for letter_id in await lifecycle.due_for_purge(db, now=now, retention=retention):
        try:
            done.append(await purge_letter(db, letter_id, actor="system", now=now))
        except Refusal:
            continue  # reopened or purged meanwhile
    return done
