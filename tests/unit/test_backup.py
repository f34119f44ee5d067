"""`coalition-bot backup`: a consistent copy of the live database, and restoring it."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from bot import cli
from bot.db import audit
from bot.db.connection import SQLITE_HEADER, cipher_connect
from tests.unit.test_encryption import KEY, NOW, _populated


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The settings of a terminal command: DATABASE_PATH, no key, no .env around."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_KEY", "DATABASE_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "data" / "coalition.db"
    monkeypatch.setenv("DATABASE_PATH", str(path))
    return path


def test_backup_of_the_live_encrypted_database_restores(
    database: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_KEY", KEY)
    asyncio.run(_populated(database, KEY))
    # The bot is running: its connection holds committed rows in the write-ahead log and
    # a transaction it has not committed yet.
    live = cipher_connect(database, KEY)
    live.execute("PRAGMA journal_mode = WAL")
    _add_organisation(live, "Committed")
    assert Path(f"{database}-wal").stat().st_size > 0
    live.execute("BEGIN IMMEDIATE")
    _add_organisation(live, "Half-done")
    backups = tmp_path / "backups"
    backups.mkdir()
    try:
        assert cli.main(["backup", str(backups)]) == 0
    finally:
        live.execute("ROLLBACK")
        live.close()
    [copy] = backups.iterdir()
    out = capsys.readouterr().out
    assert copy.name.startswith("coalition-") and copy.suffix == ".db"
    assert f"to {copy}: encrypted (opens only with the database key), mode 0600" in out
    assert "audit chain OK in the copy: 4 events" in out
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert copy.read_bytes()[:16] != SQLITE_HEADER and b"Committed" not in copy.read_bytes()
    assert _organisations(copy) == ["Viasna", "Belarusian PEN", "«Вясна»", "Committed"]

    # The restore in docs/deploy.md: bot stopped, the database and its -wal/-shm moved
    # aside, the copy put in its place (0600), the chain verified before starting.
    for suffix in ("", "-wal", "-shm"):
        old = Path(f"{database}{suffix}")
        if old.exists():
            old.rename(tmp_path / f"before-restore{suffix}")
    shutil.copyfile(copy, database)
    database.chmod(0o600)
    assert cli.main(["audit", "verify"]) == 0
    assert "OK: 4 events" in capsys.readouterr().out
    assert _organisations(database) == ["Viasna", "Belarusian PEN", "«Вясна»", "Committed"]


def _add_organisation(live: sqlite3.Connection, name: str) -> None:
    """What the bot does: the row and its audit event (``audit verify`` replays the log)."""
    org_id = live.execute(
        "INSERT INTO organisations (name, name_key, created_at) VALUES (?, ?, ?)",
        (name, name.lower(), NOW.isoformat()),
    ).lastrowid
    [previous] = live.execute("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
    event = {
        "at": NOW.isoformat(),
        "actor": "cli",
        "action": "organisation.added",
        "letter_id": None,
        "organisation_id": org_id,
        "contact_id": None,
        "data": json.dumps({"name": name}, ensure_ascii=False, separators=(",", ":")),
    }
    live.execute(
        "INSERT INTO audit_events (at, actor, action, letter_id, organisation_id, contact_id, "
        "data, prev_hash, hash) VALUES (:at, :actor, :action, :letter_id, :organisation_id, "
        ":contact_id, :data, :prev_hash, :hash)",
        {**event, "prev_hash": previous, "hash": audit.event_hash(previous, **event)},
    )


def _organisations(path: Path) -> list[str]:
    conn = cipher_connect(path, KEY)
    try:
        return [row[0] for row in conn.execute("SELECT name FROM organisations ORDER BY id")]
    finally:
        conn.close()


def test_backup_of_a_plain_database_is_private_and_never_overwrites(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_populated(database, None))
    target = tmp_path / "copy.db"
    old_umask = os.umask(0)  # a careless umask must not make the copy readable
    try:
        assert cli.main(["backup", str(target)]) == 0
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes()[:16] == SQLITE_HEADER
    assert "NOT encrypted, like the database" in capsys.readouterr().out
    plain = sqlite3.connect(target)
    try:
        assert plain.execute("SELECT count(*) FROM audit_events").fetchone() == (3,)
    finally:
        plain.close()
    before = target.read_bytes()
    assert cli.main(["backup", str(target)]) == 2
    assert "exists: a backup never replaces a file" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_backup_refusals_leave_nothing_behind(
    database: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["backup", str(tmp_path / "a.db")]) == 2
    assert "there is no database at" in capsys.readouterr().err
    asyncio.run(_populated(database, KEY))
    assert cli.main(["backup", str(tmp_path / "b.db")]) == 2  # encrypted, and no key given
    assert "is encrypted" in capsys.readouterr().err
    monkeypatch.setenv("DATABASE_KEY", "a wrong key of some length")
    assert cli.main(["backup", str(tmp_path / "c.db")]) == 2
    assert "wrong key" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
