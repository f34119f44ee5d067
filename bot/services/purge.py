"""Purging a closed letter: its texts go, the record of who signed stays. No Telegram here.

Removed: the title, the text and source file of every version and translation, comments,
decline reasons, the persons signing and coordinators' notes on responses, the title and
persons of its published lists and the files sent of them, milestone names, guided flows
about the letter (a revision or a reason being typed), what requests for approval about it
held (a revision's text; a pending one is cancelled), and the contents of every queued or
sent message about the letter; the bot's messages about it are deleted from members' chats
where Telegram still allows it (48 hours). Kept: the organisations, responses and listing
choices (the signatory list, and each published list's), version numbers and
fingerprints, milestone dates, and the audit chain, which never held free text and still
verifies.

The database runs with ``secure_delete`` (freed bytes are zeroed) and the purge ends with
a checkpoint that empties the write-ahead log, so the removed texts are in neither file
afterwards (``tests/unit/test_purge_guard.py`` reads the bytes, and walks every text column
of the schema).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db import approvals as approvals_repo
from bot.db import audit
from bot.db import coordinators as coordinators_repo
from bot.db import letters as letters_repo
from bot.db import purge as repo
from bot.db.connection import Database, Executor, Transaction
from bot.db.coordinators import Coordinator
from bot.db.letters import Letter
from bot.db.timefmt import to_db
from bot.db.types import ApprovalStatus
from bot.services import lifecycle, outbox
from bot.services.agreement import Agreement, with_agreement
from bot.services.outbox import OutgoingMessage
from bot.services.refusals import Refusal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purge:
    letter_id: int
    versions: int
    comments: int
    messages: int  # contents removed from the outbox
    to_delete: int  # messages in members' chats the bot will now try to delete


async def purge_letter(
    db: Database,
    letter_id: int,
    *,
    actor: str,
    now: datetime,
    agreement: Agreement | None = None,
) -> Purge:
    async with db.transaction() as tx:
        result = await purge_in(tx, letter_id, actor=actor, now=now, agreement=agreement)
    await after_purge(db)
    return result


async def purge_in(
    tx: Transaction,
    letter_id: int,
    *,
    actor: str,
    now: datetime,
    agreement: Agreement | None,
) -> Purge:
    """``purge_letter`` in the caller's transaction (an approval's); ``after_purge`` once
    it committed."""
    await lifecycle.check_purgeable(tx, letter_id)
    versions = await repo.clear_versions(tx, letter_id)
    comments = await repo.clear_comments(tx, letter_id)
    await repo.clear_reasons(tx, letter_id)
    await repo.clear_people_and_notes(tx, letter_id)
    translations = await repo.clear_translations(tx, letter_id)
    publications = await repo.clear_publications(tx, letter_id)
    messages = await repo.clear_deliveries(tx, letter_id)
    to_delete = await repo.delete_messages_now(tx, letter_id, now=now)
    milestones = await repo.clear_milestone_names(tx, letter_id)
    flows = await repo.delete_flows(tx, letter_id)
    # Requests about the letter end, and what they held (a revision's text) goes.
    for request in await approvals_repo.pending_of_letter(tx, letter_id):
        await approvals_repo.decide(
            tx, request.id, ApprovalStatus.CANCELLED, decided_by=None, now=now
        )
        await audit.append(
            tx, now=now, actor=actor, action="approval.cancelled", letter_id=letter_id,
            data={"approval": request.id, "kind": request.kind, "why": "purged"},
        )  # fmt: skip
    await approvals_repo.clear_params_of_letter(tx, letter_id)
    await repo.clear_title(tx, letter_id, now=now)
    await audit.append(
        tx, now=now, actor=actor, action="letter.purged", letter_id=letter_id,
        data=with_agreement(
            {"versions": versions, "comments": comments, "messages": messages,
             "to_delete": to_delete, "milestones": milestones, "flows": flows,
             "translations": translations, "publications": publications},
            agreement,
        ),
    )  # fmt: skip
    return Purge(letter_id, versions, comments, messages, to_delete)


async def after_purge(db: Database) -> None:
    """The old rows' bytes are zeroed (secure_delete) but still sit in the write-ahead log
    until a checkpoint copies the pages back: empty it now."""
    if not await db.checkpoint():
        log.warning("purge: the write-ahead log could not be emptied (another reader)")


async def purge_expired(db: Database, *, now: datetime, retention: timedelta) -> list[Purge]:
    """RETENTION_DAYS: purges letters closed at least that long ago."""
    done = []
    for letter_id in await lifecycle.due_for_purge(db, now=now, retention=retention):
        try:
            done.append(await purge_letter(db, letter_id, actor="system", now=now))
        except Refusal:
            continue  # reopened or purged meanwhile
    return done


# --- RETENTION_DAYS: announced a day ahead ------------------------------------------------------

ANNOUNCE_AHEAD = timedelta(days=1)
# (the letter, when the clock purges it, the coordinator told) → their message (None: none)
AnnouncementComposer = Callable[[Letter, datetime, Coordinator], OutgoingMessage | None]


@dataclass(frozen=True)
class PurgeAnnouncement:
    letter: Letter
    purge_at: datetime
    queued: int  # messages to coordinators


async def announce_purges(
    db: Database, *, now: datetime, retention: timedelta, compose: AnnouncementComposer
) -> list[PurgeAnnouncement]:
    """RETENTION_DAYS needs no approval (it was agreed in the settings), but coordinators
    are told a day before the clock purges a letter's texts, once per closing (a letter
    reopened and closed again is announced again), through the outbox."""
    announced = []
    for letter_id in await repo.unannounced_closed_before(db, now + ANNOUNCE_AHEAD - retention):
        async with db.transaction() as tx:
            letter = await letters_repo.existing(tx, letter_id)
            if not await repo.mark_announced(tx, letter_id, now=now) or letter.closed_at is None:
                continue  # reopened, purged or announced meanwhile
            purge_at = letter.closed_at + retention
            queued = 0
            for coordinator in await coordinators_repo.live(tx):
                message = compose(letter, purge_at, coordinator)
                if message is None or coordinator.telegram_user_id is None:
                    continue
                queued += await outbox.enqueue(
                    tx, broadcast_id=None, contact_id=coordinator.id,
                    chat_id=coordinator.telegram_user_id, letter_id=letter_id, kind="notice",
                    message=message, now=now,
                    dedupe_key=f"purge:{letter_id}:{to_db(letter.closed_at)}:to:{coordinator.id}",
                )  # fmt: skip
            announced.append(PurgeAnnouncement(letter, purge_at, queued))
    return announced


async def next_announcement(db: Executor, *, retention: timedelta) -> datetime | None:
    """When the next purge by the clock is due to be announced."""
    closed = await repo.first_unannounced_closing(db)
    return None if closed is None else closed + retention - ANNOUNCE_AHEAD
