"""Documents through the outbox: the file in the delivery until Telegram has it, then its
file_id; a purge of the letter reaches the file (issue 15 §1)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db import Database, open_database
from bot.db import letters as letters_repo
from bot.db.letters import Letter
from bot.db.migrate import apply_migrations
from bot.outgoing.common import html_message
from bot.services import lifecycle, outbox, purge
from bot.services.outbox import OutgoingMessage
from bot.services.stored_files import StoredFile

NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
FILES = {"letter-1.csv": b"organisation,listing\nOrg,named\n", "letter-1.md": b"# Letter"}


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "bot.db")
    await apply_migrations(database, NOW)
    yield database
    await database.close()


async def closed_letter(db: Database) -> Letter:
    async with db.transaction() as tx:
        letter_id = await letters_repo.insert_letter(
            tx, title="Secret title", language="en", deadline=NOW + timedelta(days=1),
            timezone="UTC", created_by=1001, now=NOW,
        )  # fmt: skip
        await letters_repo.open_letter(tx, letter_id, now=NOW)
        await letters_repo.set_closed(tx, letter_id, now=NOW)
    letter = await letters_repo.get(db, letter_id)
    assert letter is not None
    return letter


async def queue_report(db: Database, letter: Letter) -> None:
    reports = [(chat, html_message(f"report to {chat}")) for chat in (1001, 1002)]
    await lifecycle.queue_close_report(db, letter, reports, FILES, now=NOW)


async def send_next(db: Database, chat_id: int) -> OutgoingMessage | None:
    """What the sender does for one delivery of the chat, up to the send."""
    delivery = await outbox.next_for_chat(db, chat_id, now=NOW)
    assert delivery is not None
    message = await outbox.claim(db, delivery)
    await outbox.record_sent(db, delivery.id, message_id=1, now=NOW)
    return message


def test_a_stored_file_is_a_document_instead_of_a_file_id() -> None:
    stored = StoredFile("a.csv", b"x,y\n")
    message = OutgoingMessage("sendDocument", {"caption": "x"}, stored)
    again = OutgoingMessage.from_payload(message.to_payload())
    assert again == message and again is not None and again.file == stored
    assert again.uploaded("FILE-ID") == OutgoingMessage(
        "sendDocument", {"caption": "x", "document": "FILE-ID"}
    )
    with pytest.raises(ValueError):
        OutgoingMessage("sendMessage", {"text": "x"}, stored)
    with pytest.raises(ValueError):
        OutgoingMessage("sendDocument", {"document": "FILE-ID"}, stored)
    broken = message.to_payload().replace(stored.digest, "0" * 64)
    assert OutgoingMessage.from_payload(broken) is None  # not sent damaged


async def file_payloads(db: Database) -> int:
    return int(await db.fetch_value(
        "SELECT count(*) FROM deliveries WHERE payload LIKE '%\"file\"%'"
    ))  # fmt: skip


async def test_the_first_send_uploads_and_the_others_reuse_the_file_id(db: Database) -> None:
    letter = await closed_letter(db)
    await queue_report(db, letter)
    assert await file_payloads(db) == 4  # two files to each of two coordinators
    assert await letters_repo.close_reports_due(db) == []  # marked in the same transaction
    await queue_report(db, letter)  # a second pass queues nothing new (dedupe keys)
    assert await db.fetch_value("SELECT count(*) FROM deliveries") == 6

    assert (await send_next(db, 1001)) == html_message("report to 1001")
    document = await send_next(db, 1001)
    assert document is not None and document.file is not None
    assert document.file.content == FILES["letter-1.csv"] and document.file.name == "letter-1.csv"
    await outbox.record_uploaded(db, document, "CSV-FILE-ID")
    assert await file_payloads(db) == 2  # the .csv is on Telegram now: only the .md left

    await send_next(db, 1002)
    reused = await send_next(db, 1002)
    assert reused == OutgoingMessage("sendDocument", {"document": "CSV-FILE-ID"})


async def test_a_purge_clears_the_queued_files_of_the_letter(db: Database) -> None:
    letter = await closed_letter(db)
    await queue_report(db, letter)
    await purge.purge_letter(db, letter.id, actor="test", now=NOW)
    payloads = await db.fetch_all("SELECT payload, status FROM deliveries")
    assert {row["payload"] for row in payloads} == {"{}"}
    assert {row["status"] for row in payloads} == {"cancelled"}
    raw = (db.path).read_bytes() + db.path.with_name(db.path.name + "-wal").read_bytes()
    for content in FILES.values():
        assert content not in raw and base64.b64encode(content)[:12] not in raw
