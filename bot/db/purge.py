"""Data access for purging a closed letter's texts (the record of who signed stays)."""

from __future__ import annotations

from datetime import datetime

from bot.db.connection import Executor
from bot.db.timefmt import from_db, to_db


async def clear_versions(db: Executor, letter_id: int) -> int:
    """Texts and source files go; numbers and fingerprints stay (receipts still match)."""
    return await db.execute(
        "UPDATE versions SET body = NULL, source_file_id = NULL, source_file_name = NULL "
        "WHERE letter_id = ?",
        (letter_id,),
    )


async def clear_comments(db: Executor, letter_id: int) -> int:
    return await db.execute("UPDATE comments SET body = NULL WHERE letter_id = ?", (letter_id,))


async def clear_reasons(db: Executor, letter_id: int) -> int:
    return await db.execute(
        "UPDATE responses SET reason = NULL WHERE letter_id = ? AND reason IS NOT NULL",
        (letter_id,),
    )


async def clear_people_and_notes(db: Executor, letter_id: int) -> int:
    """The person signing and a coordinator's note on each response (personal data, free
    text); the person stays on the member's contact, for its owner to edit."""
    return await db.execute(
        "UPDATE responses SET signer_name = NULL, signer_title = NULL, note = NULL "
        "WHERE letter_id = ? AND (signer_name IS NOT NULL OR signer_title IS NOT NULL "
        "OR note IS NOT NULL)",
        (letter_id,),
    )


async def clear_translations(db: Executor, letter_id: int) -> int:
    """Translations go like the texts they translate; their fingerprints stay."""
    return await db.execute(
        "UPDATE translations SET body = NULL, file_id = NULL, file_name = NULL "
        "WHERE version_id IN (SELECT id FROM versions WHERE letter_id = ?)",
        (letter_id,),
    )


async def clear_publications(db: Executor, letter_id: int) -> int:
    """Lists keep who signed (numbers, organisations, listings); their title, the persons
    signing, who recorded a signature, and the files sent go."""
    await db.execute(
        "UPDATE publication_signatories SET signer_name = NULL, signer_title = NULL, "
        "recorded_by_name = NULL WHERE publication_id IN "
        "(SELECT id FROM publications WHERE letter_id = ?)",
        (letter_id,),
    )
    await db.execute(
        "UPDATE publication_files SET file_id = NULL WHERE publication_id IN "
        "(SELECT id FROM publications WHERE letter_id = ?)",
        (letter_id,),
    )
    return await db.execute(
        "UPDATE publications SET title = NULL WHERE letter_id = ?", (letter_id,)
    )


async def clear_milestone_names(db: Executor, letter_id: int) -> int:
    """Names go (typed by coordinators); the dates stay on the letter's calendar."""
    return await db.execute(
        "UPDATE milestones SET name = '' WHERE letter_id = ? AND name != ''", (letter_id,)
    )


async def delete_flows(db: Executor, letter_id: int) -> int:
    """Guided flows about the letter: a /revise text in progress, a reason being typed."""
    return await db.execute("DELETE FROM flows WHERE letter_id = ?", (letter_id,))


async def clear_title(db: Executor, letter_id: int, *, now: datetime) -> int:
    return await db.execute(
        "UPDATE letters SET title = NULL, purged_at = ? WHERE id = ? AND status = 'closed' "
        "AND purged_at IS NULL",
        (to_db(now), letter_id),
    )


async def clear_deliveries(db: Executor, letter_id: int) -> int:
    """Message contents go; what is still queued will not be sent."""
    await db.execute(
        "UPDATE deliveries SET status = 'cancelled', reason = 'purged' "
        "WHERE letter_id = ? AND status = 'pending'",
        (letter_id,),
    )
    # Telegram's error descriptions go too: ours may quote an exception about the message.
    return await db.execute(
        "UPDATE deliveries SET payload = '{}', error = NULL "
        "WHERE letter_id = ? AND (payload != '{}' OR error IS NOT NULL)",
        (letter_id,),
    )


async def delete_messages_now(db: Executor, letter_id: int, *, now: datetime) -> int:
    """Marks the letter's messages still in members' chats for deletion at once (the outbox's
    deletion sweep removes them where Telegram still allows it)."""
    return await db.execute(
        "UPDATE deliveries SET delete_after = ? WHERE letter_id = ? "
        "AND telegram_message_id IS NOT NULL AND deleted_at IS NULL AND delete_error IS NULL",
        (to_db(now), letter_id),
    )


async def closed_before(db: Executor, closed_at: datetime) -> list[int]:
    rows = await db.fetch_all(
        "SELECT id FROM letters WHERE status = 'closed' AND purged_at IS NULL "
        "AND closed_at <= ? ORDER BY id",
        (to_db(closed_at),),
    )
    return [int(row["id"]) for row in rows]


async def first_unpurged_closing(db: Executor) -> datetime | None:
    return from_db(
        await db.fetch_value(
            "SELECT min(closed_at) FROM letters WHERE status = 'closed' AND purged_at IS NULL"
        )
    )


# RETENTION_DAYS is announced to coordinators a day ahead, once per closing: a letter not
# announced since it last closed.


async def unannounced_closed_before(db: Executor, closed_at: datetime) -> list[int]:
    rows = await db.fetch_all(
        "SELECT id FROM letters WHERE status = 'closed' AND purged_at IS NULL "
        "AND (purge_announced_at IS NULL OR purge_announced_at < closed_at) "
        "AND closed_at <= ? ORDER BY id",
        (to_db(closed_at),),
    )
    return [int(row["id"]) for row in rows]


async def first_unannounced_closing(db: Executor) -> datetime | None:
    return from_db(
        await db.fetch_value(
            "SELECT min(closed_at) FROM letters WHERE status = 'closed' AND purged_at IS NULL "
            "AND (purge_announced_at IS NULL OR purge_announced_at < closed_at)"
        )
    )


async def mark_announced(db: Executor, letter_id: int, *, now: datetime) -> int:
    return await db.execute(
        "UPDATE letters SET purge_announced_at = ? WHERE id = ? AND status = 'closed' "
        "AND purged_at IS NULL "
        "AND (purge_announced_at IS NULL OR purge_announced_at < closed_at)",
        (to_db(now), letter_id),
    )
