"""The operator's security commands: encrypt-db, rekey, audit verify; a wrong key is one line."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.db.connection import SQLITE_HEADER

KEY = "correct horse battery staple 42"
NEW_KEY = "a brand new key for the database"


def run(
    tmp_path: Path, *args: str, database: str = "bot.db", **env_extra: str
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_PATH": str(tmp_path / "data" / database),
        **env_extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def key_file(tmp_path: Path, name: str, key: str) -> str:
    path = tmp_path / name
    path.write_text(key + "\n", encoding="utf-8")
    path.chmod(0o600)
    return str(path)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def with_organisations(tmp_path: Path, names: list[str], **env: str) -> None:
    csv_file = tmp_path / "orgs.csv"
    csv_file.write_text("name\n" + "\n".join(names) + "\n", encoding="utf-8")
    result = run(tmp_path, "import-orgs", str(csv_file), **env)
    assert result.returncode == 0, result.stderr


def test_encrypt_db_then_only_the_key_opens_it(tmp_path: Path) -> None:
    with_organisations(tmp_path, ["Viasna", "Belarusian PEN", "Human Constanta"])
    secret = key_file(tmp_path, "db.key", KEY)
    no_key = run(tmp_path, "encrypt-db")
    assert "set DATABASE_KEY_FILE" in one_line_error(no_key)

    result = run(tmp_path, "encrypt-db", DATABASE_KEY_FILE=secret)
    assert result.returncode == 0, result.stderr
    assert "counted before and after" in result.stdout
    database = tmp_path / "data" / "bot.db"
    assert database.read_bytes()[:16] != SQLITE_HEADER
    assert sorted(os.listdir(database.parent)) == ["bot.db"]

    again = run(tmp_path, "encrypt-db", DATABASE_KEY_FILE=secret)
    assert "already encrypted" in one_line_error(again)
    without = run(tmp_path, "migrate")
    assert "is encrypted" in one_line_error(without)
    wrong = run(tmp_path, "migrate", DATABASE_KEY="not the key, but long enough")
    line = one_line_error(wrong)
    assert line.startswith("coalition-bot: DATABASE_KEY does not open")
    assert "not the key" not in line
    verified = run(tmp_path, "audit", "verify", DATABASE_KEY_FILE=secret)
    assert verified.returncode == 0 and verified.stdout.startswith("OK: 3 events\n")


def test_rekey_from_a_key_file(tmp_path: Path) -> None:
    with_organisations(tmp_path, ["Viasna", "Belarusian PEN"], DATABASE_KEY=KEY)
    loose = key_file(tmp_path, "loose.key", NEW_KEY)
    Path(loose).chmod(0o644)
    refused = run(tmp_path, "rekey", "--new-key-file", loose, DATABASE_KEY=KEY)
    assert "can be read by group or others" in one_line_error(refused)
    no_tty = run(tmp_path, "rekey", DATABASE_KEY=KEY)
    assert "give --new-key-file" in one_line_error(no_tty)

    fresh = key_file(tmp_path, "new.key", NEW_KEY)
    result = run(tmp_path, "rekey", "--new-key-file", fresh, DATABASE_KEY=KEY)
    assert result.returncode == 0, result.stderr
    assert "counted before and after" in result.stdout and NEW_KEY not in result.stdout
    assert "does not open" in one_line_error(run(tmp_path, "migrate", DATABASE_KEY=KEY))
    assert run(tmp_path, "migrate", DATABASE_KEY_FILE=fresh).returncode == 0


def test_rekey_asks_twice_in_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import cli

    with_organisations(tmp_path, ["Viasna"], DATABASE_KEY=KEY)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "data" / "bot.db"))
    monkeypatch.setenv("DATABASE_KEY", KEY)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    answers = iter([NEW_KEY, NEW_KEY + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli.main(["rekey"]) == 2  # the two differ: nothing changed
    answers = iter([NEW_KEY, NEW_KEY])
    assert cli.main(["rekey"]) == 0
    assert run(tmp_path, "migrate", DATABASE_KEY=NEW_KEY).returncode == 0


def _tamper(database: Path, *statements: str) -> None:
    """What an attacker holding the file can do: drop the guards, then rewrite rows."""
    conn = sqlite3.connect(database)
    try:
        conn.execute("DROP TRIGGER audit_events_no_update")
        conn.execute("DROP TRIGGER audit_events_no_delete")
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (
            ['UPDATE audit_events SET data = \'{"name":"Forged"}\' WHERE id = 3'],
            "BROKEN at event #3 (organisation.added): its content does not match its hash",
        ),
        (
            ["UPDATE audit_events SET actor = 'coordinator:1' WHERE id = 2"],
            "BROKEN at event #2 (organisation.added): its content does not match its hash",
        ),
        (
            ["DELETE FROM audit_events WHERE id = 2"],
            "BROKEN at event #3 (organisation.added): it does not follow the event before it (#1)",
        ),
        (
            ["DELETE FROM audit_events WHERE id = 1"],
            "BROKEN at event #2 (organisation.added): it does not start the chain",
        ),
        (
            [
                "UPDATE audit_events SET id = -2 WHERE id = 2",
                "UPDATE audit_events SET id = 2 WHERE id = 3",
                "UPDATE audit_events SET id = 3 WHERE id = -2",
            ],
            "BROKEN at event #2 (organisation.added): it does not follow the event before it (#1)",
        ),
        (
            ["UPDATE audit_events SET id = 7 WHERE id = 4"],
            "BROKEN at event #7 (organisation.added): it should be event #4: events were "
            "renumbered",
        ),
    ],
    ids=["edited-data", "edited-actor", "deleted", "deleted-first", "reordered", "renumbered"],
)
def test_audit_verify_names_the_first_broken_event(
    tmp_path: Path, statements: list[str], expected: str
) -> None:
    with_organisations(tmp_path, ["One", "Two", "Three", "Four"])
    original = tmp_path / "data" / "bot.db"
    intact = run(tmp_path, "audit", "verify")
    assert intact.returncode == 0
    assert intact.stdout.splitlines()[0] == "OK: 4 events"
    copy = tmp_path / "data" / "copy.db"
    shutil.copy(original, copy)
    _tamper(copy, *statements)
    result = run(tmp_path, "audit", "verify", database="copy.db")
    assert result.returncode == 1, result
    assert result.stdout.splitlines()[0].startswith(expected), result.stdout
    # The triggers stop the same statements on the real file.
    conn = sqlite3.connect(original)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statements[0])
    finally:
        conn.close()
