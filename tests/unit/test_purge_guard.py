"""Purge leaves no text behind: a walk of the whole schema, and the bytes of the files.

Every text column of every table (read from the database after all migrations, so a new
table or column is walked too) is either shown to be cleared by a purge — a closed letter
whose rows hold a marker in every such column is purged, and the markers are gone from
the tables, the database file and its write-ahead log — or is on ``KEPT`` with a reason.
A column that only admits codes (a CHECK constraint refuses the marker) needs no entry.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db import Database, audit, open_database
from bot.db.migrate import apply_migrations
from bot.services import milestones, purge

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
T = "2026-02-02T09:00:00+00:00"

# Text a purge keeps, and why. Keep it short: anything typed about a letter must go.
KEPT: dict[tuple[str, str], str] = {
    ("organisations", "name"): "the signatory list: who signed stays, by name",
    ("organisations", "name_key"): "the name, folded for duplicate checks",
    ("contacts", "display_name"): "a person, not a letter (gone with /removecontact)",
    ("contacts", "label"): "the coordinator's note on a contact, not about a letter",
    ("contacts", "language"): "a preference",
    ("contacts", "timezone"): "a preference",
    ("contacts", "quiet_start"): "a preference",
    ("contacts", "quiet_end"): "a preference",
    ("invites", "token_hash"): "a hash",
    ("letters", "language"): "a setting (en, ru, be)",
    ("letters", "timezone"): "a setting (a zone name)",
    ("letters", "reminder_offsets"): "a setting (7d,3d,…)",
    ("broadcasts", "kind"): "a code",
    ("deliveries", "kind"): "a code",
    ("deliveries", "dedupe_key"): "ids only (letter:4:v2:contact:7:summary)",
    ("deliveries", "delete_error"): "Telegram's refusal to delete (kept: never retried)",
    ("flows", "kind"): "a code",
    ("approvals", "failure"): "a refusal's code (what a request held, params, goes)",
    ("organisation_renames", "old_name"): "an organisation's name, like organisations.name",
    ("organisation_renames", "new_name"): "an organisation's name, like organisations.name",
    ("organisation_renames", "language"): "a setting (en, ru, be)",
    ("organisations", "sort_key"): "where the organisation files in every list, like its name",
    ("organisation_names", "name"): "the signatory list in a language: who signed, by name",
    ("organisation_names", "name_key"): "the name, folded for duplicate checks",
    ("contacts", "signer_name"): "a person, not a letter (the member edits or clears it)",
    ("contacts", "signer_title"): "a person, not a letter (the member edits or clears it)",
    ("publications", "timezone"): "a setting (a zone name)",
    ("publication_signatories", "name"): "a published list: who signed stays, by name",
    ("publication_signatories", "name_en"): "a published list: who signed stays, by name",
    ("publication_signatories", "name_ru"): "a published list: who signed stays, by name",
    ("publication_signatories", "name_be"): "a published list: who signed stays, by name",
    ("publication_signatories", "sort_key"): "where a name files in the list, like the name",
    ("publication_files", "file_name"): "ids only (letter-4-list-2-en.pdf)",
}
# Whole tables a purge does not touch, and why.
KEPT_TABLES: dict[str, str] = {
    "audit_events": "append-only and hash-chained; never holds free text (see below)",
    "bot_state": "the bot's own bookkeeping (when the last digest went out)",
    "schema_migrations": "the schema's own record",
}
TIME_COLUMNS = {"at", "deadline", "not_before", "delete_after"}  # and every *_at


def _is_time(column: str) -> bool:
    return column in TIME_COLUMNS or column.endswith("_at")


# One row per table, about one closed letter (ids are those of a fresh database).
ROWS: dict[str, dict[str, object]] = {
    "organisations": {"name": "Org", "name_key": "org", "created_at": T},
    "contacts": {"role": "member", "organisation_id": 1, "telegram_user_id": 7001,
                 "display_name": "Anna", "status": "active", "created_at": T},
    "invites": {"contact_id": 1, "token_hash": "0" * 64, "created_at": T, "expires_at": T},
    "letters": {"title": "t", "status": "closed", "deadline": T, "timezone": "Europe/Zurich",
                "created_at": T, "closed_at": T},
    "letter_organisations": {"letter_id": 1, "organisation_id": 1, "added_at": T},
    "versions": {"letter_id": 1, "number": 1, "body": "b", "fingerprint": "0123abcd",
                 "source_kind": "docx", "source_file_id": "f", "source_file_name": "n.docx",
                 "created_at": T},
    "responses": {"letter_id": 1, "organisation_id": 1, "decision": "declined",
                  "reason": "r", "contact_id": 1, "created_at": T, "updated_at": T,
                  "recorded_by": 1, "channel": "email"},
    "comments": {"letter_id": 1, "version_id": 1, "organisation_id": 1, "contact_id": 1,
                 "author_role": "member", "body": "c", "created_at": T},
    "broadcasts": {"letter_id": 1, "kind": "circulation", "created_at": T},
    "deliveries": {"broadcast_id": 1, "contact_id": 1, "chat_id": 7001, "letter_id": 1,
                   "kind": "summary", "payload": "{}", "dedupe_key": "k", "status": "sent",
                   "telegram_message_id": 5, "error": "e", "created_at": T, "sent_at": T},
    "reminders": {"letter_id": 1, "organisation_id": 1, "offset_seconds": 3600, "due_at": T},
    "reminder_sends": {"reminder_id": 1, "contact_id": 1, "send_at": T},
    "milestones": {"letter_id": 1, "name": "m", "at": T},
    "bot_state": {"key": "k", "value": "v"},
    "flows": {"telegram_user_id": 1001, "kind": "revise", "state": "{}", "started_at": T,
              "updated_at": T, "letter_id": 1},
    # A minor revision waiting for approval holds the new text (params) until it ends.
    "approvals": {"kind": "minor_revision", "letter_id": 1, "params": "{}", "requested_by": 1,
                  "requested_at": T, "expires_at": T},
    "organisation_renames": {"organisation_id": 1, "old_name": "Org", "new_name": "New",
                             "requested_at": T},
    "organisation_names": {"organisation_id": 1, "language": "ru", "name": "Орг",
                           "name_key": "орг"},
    "translations": {"version_id": 1, "language": "ru", "body": "т", "fingerprint": "89abcdef",
                     "source_kind": "docx", "file_id": "f", "file_name": "n.docx",
                     "created_at": T},
    "planned_organisations": {"letter_id": 1, "organisation_id": 1},
    "publications": {"letter_id": 1, "number": 1, "version_id": 1, "title": "t",
                     "timezone": "Europe/Zurich", "published_at": T},
    "publication_signatories": {"publication_id": 1, "organisation_id": 1, "listing": "named",
                                "version_id": 1, "name": "Org", "name_en": "Org",
                                "name_ru": "Орг", "name_be": "Арг", "signer_name": "Anna",
                                "signer_title": "Director", "recorded_by": 1,
                                "recorded_by_name": "Olena", "channel": "email"},
    "publication_files": {"publication_id": 1, "language": "en", "kind": "pdf",
                          "file_name": "letter-1-list-1-en.pdf", "sha256": "0" * 64,
                          "file_id": "f"},
}  # fmt: skip


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "bot.db")  # plain: the bytes can be read
    await apply_migrations(database, NOW)
    yield database
    await database.close()


async def _text_columns(db: Database) -> list[tuple[str, str]]:
    tables = await db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    found = []
    for table in (row["name"] for row in tables):
        for column in await db.fetch_all(f"PRAGMA table_info({table})"):
            declared = str(column["type"]).upper()
            if declared in ("INTEGER", "REAL", "NUMERIC"):
                continue  # TEXT, BLOB, no type at all: anything that can hold a text
            found.append((table, column["name"]))
    return found


def _marker(table: str, column: str) -> str:
    marker = f"MARK<{table}.{column}>"
    if (table, column) == ("versions", "body"):
        return marker + " long enough to spill into overflow pages " * 200
    return marker


async def _scenario(db: Database) -> None:
    async with db.transaction() as tx:
        for table, row in ROWS.items():
            columns = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            await tx.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values())
            )
        await audit.append(tx, now=NOW, actor="system", action="letter.closed", letter_id=1)


async def test_every_text_column_is_cleared_by_purge_or_kept_for_a_reason(
    db: Database, tmp_path: Path
) -> None:
    columns = await _text_columns(db)
    assert set(KEPT) <= set(columns), f"stale KEPT entries: {set(KEPT) - set(columns)}"
    tables = {table for table, _ in columns}
    missing = tables - set(ROWS) - set(KEPT_TABLES)
    assert not missing, f"tables with text and no row in this test: {missing} (add to ROWS)"
    await _scenario(db)

    marked: dict[tuple[str, str], str] = {}
    codes = []
    for table, column in columns:
        if table in KEPT_TABLES or (table, column) in KEPT or _is_time(column):
            continue
        marker = _marker(table, column)
        try:
            changed = await db.execute(f"UPDATE {table} SET {column} = ?", (marker,))
        except sqlite3.IntegrityError as error:
            assert "CHECK constraint failed" in str(error), (table, column, error)
            codes.append((table, column))  # the schema admits only codes here
            continue
        assert changed >= 1, f"{table} has no row in this test (add one to ROWS)"
        marked[(table, column)] = marker
    assert ("versions", "body") in marked and ("flows", "state") in marked  # the walk works
    assert ("letters", "status") in codes

    await purge.purge_letter(db, 1, actor="system", now=NOW)

    left = []
    for (table, column), marker in marked.items():
        count = await db.fetch_value(
            f"SELECT count(*) FROM {table} WHERE instr({column}, ?) > 0",
            (marker[:40],),
        )
        if count:
            left.append(f"{table}.{column}")
    assert not left, f"text a purge leaves behind: {left} (clear it, or KEPT with a reason)"

    # … and none of it lingers in the files: freed bytes are zeroed (secure_delete) and the
    # write-ahead log was emptied by a checkpoint.
    assert _in_files(tmp_path, [m[:40] for m in marked.values()]) == {}


def _in_files(folder: Path, markers: list[str]) -> dict[str, list[str]]:
    """The markers found in the database's files (main, -wal, -shm), by file."""
    files = [p for p in folder.iterdir() if p.name.startswith("bot.db")]
    assert any(p.name == "bot.db-wal" for p in files)  # WAL mode: there is a log to read
    found = {}
    for path in files:
        content = path.read_bytes()
        if hits := [m for m in markers if m.encode() in content]:
            found[path.name] = hits
    return found


async def test_audit_events_hold_no_milestone_names(db: Database) -> None:
    await _scenario(db)
    await db.execute("UPDATE letters SET status = 'open' WHERE id = 1")
    later = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
    added = await milestones.add_milestone(
        db, 1, "Session MARKNAME opens", later, created_by=1001, actor="coordinator:1001",
        now=NOW,
    )  # fmt: skip
    await milestones.remove_milestone(db, 1, added.id, actor="coordinator:1001", now=NOW)
    events = await audit.events(db, letter_id=1)
    assert [e.action for e in events][-2:] == ["milestone.added", "milestone.removed"]
    assert not [e.data for e in events if "MARKNAME" in e.data]


@pytest.mark.parametrize("key", [None, "a key of at least sixteen characters"])
async def test_the_database_zeroes_what_it_frees(tmp_path: Path, key: str | None) -> None:
    """Whatever SQLite's build defaults to (Debian's zeroes, SQLCipher's does not)."""
    database = await open_database(tmp_path / "zeroed.db", key)
    try:
        assert await database.fetch_value("PRAGMA secure_delete") == 1
    finally:
        await database.close()
