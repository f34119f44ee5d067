"""Encryption at rest: SQLCipher behind the usual Database, encrypt-db and rekey."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db import DatabaseError, audit, cipher, open_database
from bot.db.connection import DRIVER_ERRORS, SQLITE_HEADER
from bot.db.migrate import apply_migrations
from bot.settings import Settings, SettingsError, load_settings

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
KEY = "correct horse battery staple 42"
OTHER_KEY = "another long key, 2026-02-01"


def _files(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


async def _populated(path: Path, key: str | None) -> None:
    """A database with rows in several tables and a few audit events."""
    db = await open_database(path, key)
    try:
        await apply_migrations(db, NOW)
        async with db.transaction() as tx:
            for name in ("Viasna", "Belarusian PEN", "«Вясна»"):
                org_id = await tx.insert(
                    "INSERT INTO organisations (name, name_key, created_at) VALUES (?, ?, ?)",
                    (name, name.lower(), "2026-02-01T12:00:00+00:00"),
                )
                await audit.append(
                    tx, now=NOW, actor="cli", action="organisation.added",
                    organisation_id=org_id, data={"name": name},
                )  # fmt: skip
    finally:
        await db.close()


async def test_encrypted_database_is_not_sqlite_to_anyone_without_the_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / "bot.db"
    await _populated(path, KEY)
    assert path.read_bytes()[:16] != SQLITE_HEADER
    assert b"Viasna" not in path.read_bytes()
    plain = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            plain.execute("SELECT count(*) FROM sqlite_master").fetchall()
    finally:
        plain.close()
    for file in path.parent.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name


async def test_encrypted_path_keeps_the_connection_semantics(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    await _populated(path, KEY)
    db = await open_database(path, KEY)
    try:
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
        assert await db.fetch_value("PRAGMA foreign_keys") == 1
        assert await db.fetch_value("PRAGMA cipher_version")  # really SQLCipher
        row = await db.fetch_one("SELECT id, name FROM organisations WHERE id = 2")
        assert row == {"id": 2, "name": "Belarusian PEN"}
        assert (await audit.verify(db)).count == 3
        # The append-only triggers hold, with SQLCipher's own exception classes.
        with pytest.raises(DRIVER_ERRORS, match="append-only"):
            await db.execute("DELETE FROM audit_events")
        with pytest.raises(DRIVER_ERRORS, match="FOREIGN KEY"):
            await db.execute(
                "INSERT INTO letter_organisations VALUES (99, 99, '2026-02-01T12:00:00+00:00')"
            )
    finally:
        await db.close()


@pytest.mark.parametrize(
    ("stored_with", "opened_with", "message"),
    [
        (KEY, OTHER_KEY, "DATABASE_KEY does not open"),
        (KEY, None, "is encrypted (or not an SQLite database): set DATABASE_KEY"),
        (None, KEY, "is not encrypted: stop the bot and run `coalition-bot encrypt-db`"),
    ],
)
async def test_a_key_that_does_not_fit_is_one_clear_error(
    tmp_path: Path, stored_with: str | None, opened_with: str | None, message: str
) -> None:
    path = tmp_path / "bot.db"
    await _populated(path, stored_with)
    with pytest.raises(DatabaseError) as caught:
        await open_database(path, opened_with)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    for key in (KEY, OTHER_KEY):
        assert key not in str(caught.value)


async def test_encrypt_db_keeps_every_row_and_the_audit_chain(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    await _populated(path, None)
    result = cipher.reencrypt(path, None, KEY)
    assert result.counts["organisations"] == 3 and result.counts["audit_events"] == 3
    assert path.read_bytes()[:16] != SQLITE_HEADER
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _files(tmp_path) == ["bot.db"]  # no plain copy left
    db = await open_database(path, KEY)
    try:
        assert (await audit.verify(db)).count == 3
        names = await db.fetch_all("SELECT name FROM organisations ORDER BY id")
        assert [r["name"] for r in names] == ["Viasna", "Belarusian PEN", "«Вясна»"]
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
    finally:
        await db.close()


async def test_rekey_changes_the_key_and_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    await _populated(path, KEY)
    result = cipher.reencrypt(path, KEY, OTHER_KEY)
    assert result.counts["organisations"] == 3
    with pytest.raises(DatabaseError, match="does not open"):
        await open_database(path, KEY)
    db = await open_database(path, OTHER_KEY)
    try:
        assert await db.fetch_value("SELECT count(*) FROM organisations") == 3
    finally:
        await db.close()


async def test_a_copy_that_lost_rows_is_refused_and_the_original_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bot.db"
    await _populated(path, None)
    original = path.read_bytes()
    real_export = cipher._export

    def lossy_export(conn, target: Path, new_key: str) -> None:  # type: ignore[no-untyped-def]
        real_export(conn, target, new_key)
        conn.execute("ATTACH DATABASE ? AS target KEY ?", (str(target), new_key))
        conn.execute("DELETE FROM target.organisations WHERE id = 3")
        conn.execute("DETACH DATABASE target")

    monkeypatch.setattr(cipher, "_export", lossy_export)
    with pytest.raises(cipher.ConversionError, match=r"organisations: 3 → 2"):
        cipher.reencrypt(path, None, KEY)
    assert path.read_bytes() == original  # still plain, untouched
    assert _files(tmp_path) == ["bot.db"]


async def test_a_new_file_that_fails_under_its_real_name_is_rolled_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bot.db"
    await _populated(path, KEY)
    real_verify = cipher._verify
    calls: list[Path] = []

    def second_check_fails(file: Path, *args: object) -> None:
        calls.append(file)
        if len(calls) == 2:
            raise cipher.ConversionError("simulated")
        real_verify(file, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cipher, "_verify", second_check_fails)
    with pytest.raises(cipher.ConversionError, match="original restored"):
        cipher.reencrypt(path, KEY, OTHER_KEY)
    db = await open_database(path, KEY)  # the old key still opens it: nothing was lost
    await db.close()
    assert calls == [tmp_path / "bot.db.converting", path]
    assert _files(tmp_path) == ["bot.db"]


async def test_conversions_refuse_the_wrong_kind_of_file(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    with pytest.raises(cipher.ConversionError, match="no database"):
        cipher.reencrypt(path, None, KEY)
    await _populated(path, KEY)
    with pytest.raises(cipher.ConversionError, match="already encrypted"):
        cipher.reencrypt(path, None, KEY)
    with pytest.raises(DatabaseError, match="does not open"):
        cipher.reencrypt(path, OTHER_KEY, KEY)


# --- settings ----------------------------------------------------------------------------


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DATABASE_KEY", "DATABASE_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def _key_file(tmp_path: Path, content: str, mode: int = 0o600) -> Path:
    path = tmp_path / "db.key"
    path.write_text(content, encoding="utf-8")
    os.chmod(path, mode)
    return path


@pytest.mark.usefixtures("clean_environment")
def test_key_from_a_private_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_KEY_FILE", str(_key_file(tmp_path, KEY + "\n", 0o400)))
    assert load_settings().database_secret() == KEY  # the newline `echo` adds is dropped


@pytest.mark.usefixtures("clean_environment")
@pytest.mark.parametrize(
    ("environment", "mode", "message"),
    [
        ({"DATABASE_KEY": KEY}, 0o600, "DATABASE_KEY and DATABASE_KEY_FILE are both set"),
        ({}, 0o640, "can be read by group or others (mode 0640): run chmod 600"),
        ({}, 0o604, "can be read by group or others (mode 0604)"),
    ],
)
def test_key_file_refusals(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    mode: int,
    message: str,
) -> None:
    monkeypatch.setenv("DATABASE_KEY_FILE", str(_key_file(tmp_path, KEY, mode)))
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert message in str(caught.value) and KEY not in str(caught.value)


@pytest.mark.usefixtures("clean_environment")
def test_missing_key_file_and_short_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_KEY_FILE", str(tmp_path / "nowhere.key"))
    with pytest.raises(SettingsError, match=r"DATABASE_KEY_FILE: cannot read .*nowhere\.key"):
        load_settings()
    monkeypatch.delenv("DATABASE_KEY_FILE")
    monkeypatch.setenv("DATABASE_KEY", "short")
    with pytest.raises(SettingsError, match="DATABASE_KEY: too short: use at least 16"):
        load_settings()
    monkeypatch.setenv("DATABASE_KEY", "")  # an empty line in .env: no encryption
    assert load_settings().database_secret() is None


def test_the_key_never_shows_in_settings_repr() -> None:
    settings = Settings(_env_file=None, database_key=KEY)  # type: ignore[call-arg]
    assert KEY not in repr(settings) and KEY not in str(settings.model_dump())
