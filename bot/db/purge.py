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
