"""The database: private file, WAL, foreign keys, migrations with checksums, transactions."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db import open_database
from bot.db.migrate import Migration, MigrationError, apply_migrations, discover, split_statements

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
DESIGN_TABLES = {
    "organisations",
    "contacts",
    "invites",
    "letters",
    "versions",
    "responses",
    "comments",
    "deliveries",
    "reminders",
    "audit_events",
}


async def test_new_database_is_private_wal_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "bot.db"
    db = await open_database(path)
    try:
        await apply_migrations(db, NOW)
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
        assert await db.fetch_value("PRAGMA foreign_keys") == 1
        assert await db.fetch_value("PRAGMA busy_timeout") >= 1000
    finally:
        await db.close()
    for file in path.parent.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700  # the data folder too


async def test_an_existing_open_folder_is_left_alone_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The operator chose it (it may be shared): not changed, but they are told."""
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    db = await open_database(folder / "bot.db")
    await db.close()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((folder / "bot.db").stat().st_mode) == 0o600
    assert any("chmod 700" in record.getMessage() for record in caplog.records)
    caplog.clear()
    folder.chmod(0o700)
    db = await open_database(folder / "bot.db")
    await db.close()
    assert not any("chmod 700" in record.getMessage() for record in caplog.records)


async def test_loose_permissions_are_tightened(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    path.touch()
    os.chmod(path, 0o644)
    db = await open_database(path)
    await db.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_first_migration_creates_the_design_tables(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "bot.db")
    try:
        applied = await apply_migrations(db, NOW)
        names = [m.file_name for m in applied]
        assert names[0] == "0001_initial.sql"
        assert names == sorted(names) == [m.file_name for m in discover()]
        rows = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
        assert {row["name"] for row in rows} >= DESIGN_TABLES
        assert await apply_migrations(db, NOW) == []  # idempotent
        recorded = await db.fetch_all("SELECT number, checksum FROM schema_migrations")
        assert recorded[0]["checksum"] == discover()[0].checksum
    finally:
        await db.close()


async def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    import sqlite3

    db = await open_database(tmp_path / "bot.db")
    try:
        await apply_migrations(db, NOW)
        with pytest.raises(sqlite3.IntegrityError):
            await db.execute(
                "INSERT INTO contacts (role, organisation_id, status, created_at) "
                "VALUES ('member', 999, 'invited', '2026-01-01T00:00:00+00:00')"
            )
    finally:
        await db.close()


async def test_changed_applied_migration_stops_start_up(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "bot.db")
    try:
        original = discover()
        await apply_migrations(db, NOW, original)
        edited = [Migration(m.number, m.name, m.sql + "\n-- edited\n") for m in original]
        with pytest.raises(
            MigrationError, match=r"0001_initial\.sql was changed after it was applied"
        ):
            await apply_migrations(db, NOW, edited)
        with pytest.raises(MigrationError, match="missing from the migrations folder"):
            await apply_migrations(db, NOW, [])
    finally:
        await db.close()


async def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "bot.db")
    try:
        broken = Migration(
            1, "broken", "CREATE TABLE half_done (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n"
        )
        with pytest.raises(MigrationError, match=r"0001_broken\.sql failed"):
            await apply_migrations(db, NOW, [broken])
        tables = await db.fetch_all("SELECT name FROM sqlite_master WHERE name = 'half_done'")
        assert tables == []
        assert await db.fetch_value("SELECT count(*) FROM schema_migrations") == 0
    finally:
        await db.close()


def test_migration_files_are_well_named(tmp_path: Path) -> None:
    (tmp_path / "0001_first.sql").write_text("SELECT 1;")
    (tmp_path / "2_bad.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"must look like 0001_name\.sql"):
        discover(tmp_path)


def test_statement_splitting_keeps_trigger_bodies() -> None:
    sql = (
        "CREATE TABLE t (x);\n"
        "CREATE TRIGGER tr BEFORE DELETE ON t\nBEGIN\n  SELECT RAISE(ABORT, 'no');\nEND;\n"
        "-- trailing comment\n"
    )
    statements = split_statements(sql)
    assert len(statements) == 2
    assert statements[1].endswith("END;")
    with pytest.raises(MigrationError, match="unterminated"):
        split_statements("CREATE TABLE t (x)")


async def test_transaction_rolls_back_as_a_whole(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "bot.db")
    try:
        await db.execute("CREATE TABLE t (x INTEGER NOT NULL)")
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO t VALUES (1)")
                raise RuntimeError("crash in the middle")
        assert await db.fetch_value("SELECT count(*) FROM t") == 0
    finally:
        await db.close()


async def test_concurrent_transactions_do_not_interleave(tmp_path: Path) -> None:
    import asyncio

    db = await open_database(tmp_path / "bot.db")
    try:
        await db.execute("CREATE TABLE counter (n INTEGER)")
        await db.execute("INSERT INTO counter VALUES (0)")

        async def increment() -> None:
            async with db.transaction() as tx:
                n = await tx.fetch_value("SELECT n FROM counter")
                await asyncio.sleep(0)  # another coroutine gets a turn mid-transaction
                await tx.execute("UPDATE counter SET n = ?", (n + 1,))

        await asyncio.gather(*(increment() for _ in range(50)))
        assert await db.fetch_value("SELECT n FROM counter") == 50
    finally:
        await db.close()


async def test_audit_events_are_append_only(tmp_path: Path) -> None:
    import sqlite3

    from bot.db import audit

    db = await open_database(tmp_path / "bot.db")
    try:
        await apply_migrations(db, NOW)
        async with db.transaction() as tx:
            first = await audit.append(tx, now=NOW, actor="cli", action="test.one")
            await audit.append(tx, now=NOW, actor="cli", action="test.two", data={"k": "в"})
        events = await audit.events(db)
        assert [e.action for e in events] == ["test.one", "test.two"]
        assert events[0].prev_hash == audit.GENESIS
        assert events[1].prev_hash == first
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            await db.execute("UPDATE audit_events SET action = 'forged'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            await db.execute("DELETE FROM audit_events")
    finally:
        await db.close()
