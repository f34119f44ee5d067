"""Encrypting a plain database (``encrypt-db``), changing its key (``rekey``), and
copying the live database for a backup (``backup``, at the end).

Both copy the database into a new file with ``sqlcipher_export`` under the new
key, count the rows of every table before and after, and only then swap the
files: the original is moved aside as a backup, the new file takes its name,
is opened again with the new key and counted once more; the backup is deleted
only when that last count matches too. Any mismatch leaves the original file in
place and the command fails. Run with the bot stopped: a running bot keeps
writing to the file it opened.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.db.connection import (
    DRIVER_ERRORS,
    DatabaseError,
    check_key_matches_file,
    cipher_connect,
    file_kind,
    sqlcipher,
)

RowCounts = dict[str, int]
_FAILURES: tuple[type[Exception], ...] = (DatabaseError, *DRIVER_ERRORS)


class ConversionError(DatabaseError):
    """The conversion was refused or did not verify; the original file is untouched."""


@dataclass(frozen=True)
class Conversion:
    path: Path
    counts: RowCounts

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def _quote_identifier(name: str) -> str:
    # Table names come from the database's own schema, not from users; count(*)
    # cannot take a table name as a parameter.
    return '"' + name.replace('"', '""') + '"'


def count_rows(conn: Any) -> RowCounts:
    """Rows per table (SQLite's internal tables aside), by table name."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        ).fetchall()
    ]
    counts: RowCounts = {}
    for name in names:
        query = f"SELECT count(*) FROM {_quote_identifier(name)}"  # noqa: S608 - schema's own name
        counts[name] = int(conn.execute(query).fetchone()[0])
    return counts


def _schema(conn: Any) -> list[tuple[str, str]]:
    rows = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
    return sorted((str(kind), str(name)) for kind, name in rows)


def _open_source(path: Path, key: str | None) -> Any:
    if sqlcipher is None:
        raise ConversionError("sqlcipher3 is not installed")
    if key is None:
        # sqlcipher3 without a key reads and writes plain SQLite files.
        return sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
    return cipher_connect(path, key)


def _export(conn: Any, target: Path, new_key: str) -> None:
    """Copies everything (schema, rows, triggers) into ``target``, encrypted with ``new_key``."""
    conn.execute("ATTACH DATABASE ? AS target KEY ?", (str(target), new_key))
    try:
        conn.execute("BEGIN IMMEDIATE")  # no other writer while the copy is taken
        try:
            conn.execute("SELECT sqlcipher_export('target')")
            version = int(conn.execute("PRAGMA main.user_version").fetchone()[0])
            conn.execute(f"PRAGMA target.user_version = {version}")
        finally:
            conn.execute("COMMIT")
    finally:
        conn.execute("DETACH DATABASE target")


def _verify(
    path: Path, key: str | None, expected: RowCounts, schema: list[tuple[str, str]]
) -> None:
    conn = _open_source(path, key)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            raise ConversionError(f"the new file fails SQLite's integrity check: {integrity}")
        if _schema(conn) != schema:
            raise ConversionError("the new file's tables, indexes or triggers differ")
        counts = count_rows(conn)
    finally:
        conn.close()
    if counts != expected:
        differences = ", ".join(
            f"{table}: {expected.get(table, 0)} → {counts.get(table, 0)}"
            for table in sorted(set(expected) | set(counts))
            if expected.get(table) != counts.get(table)
        )
        raise ConversionError(f"row counts differ after copying ({differences})")


def _private_new_file(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def reencrypt(path: Path, old_key: str | None, new_key: str) -> Conversion:
    """Copies the database at ``path`` to ``new_key`` (``old_key`` None: it is plain)."""
    path = Path(path)
    kind = file_kind(path)
    if kind == "new":
        raise ConversionError(f"there is no database at {path}")
    if old_key is None and kind != "plain":
        raise ConversionError(f"{path} is already encrypted (use `coalition-bot rekey`)")
    if old_key is not None and kind != "encrypted":
        raise ConversionError(f"{path} is not encrypted (use `coalition-bot encrypt-db`)")
    if old_key == new_key:
        raise ConversionError("the new key is the same as the current one")
    fresh = path.with_name(path.name + ".converting")
    backup = path.with_name(path.name + ".backup")
    if backup.exists():
        raise ConversionError(
            f"{backup} exists from an earlier run: check it and move it away first"
        )
    try:
        source = _open_source(path, old_key)
        try:
            # Everything from the write-ahead log into the main file, so that the
            # backup below is complete on its own.
            source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            before = count_rows(source)
            schema = _schema(source)
            _private_new_file(fresh)
            _export(source, fresh, new_key)
        finally:
            source.close()
        _verify(fresh, new_key, before, schema)
    except DatabaseError:
        _remove(fresh)
        raise
    except DRIVER_ERRORS as error:
        _remove(fresh)
        raise ConversionError(f"cannot copy {path}: {error}") from None
    # The swap: original aside, new file in place, checked again under its real name.
    os.replace(path, backup)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()
    os.replace(fresh, path)
    try:
        _verify(path, new_key, before, schema)
    except _FAILURES as error:
        _remove(path)
        os.replace(backup, path)
        raise ConversionError(f"the new file did not verify, original restored: {error}") from None
    # Verified: the backup (plain, or under a key being retired) must not stay around.
    backup.unlink()
    return Conversion(path, before)


def backup(path: Path, key: str | None, target: Path) -> Conversion:
    """Copies the live database at ``path`` into the new file ``target`` (mode 0600).

    SQLite's online backup API copies the pages of one read snapshot while the bot keeps
    writing, so the copy is consistent, and an encrypted database stays encrypted under
    the same key (its pages are copied as they are). The rows of every table are counted
    in that snapshot and again in the copy; a copy that does not verify is deleted.
    """
    path, target = Path(path), Path(target)
    if file_kind(path) == "new":
        raise ConversionError(f"there is no database at {path}")
    check_key_matches_file(path, key)
    try:
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        raise ConversionError(f"{target} exists: a backup never replaces a file") from None
    except OSError as error:
        raise ConversionError(f"cannot create {target}: {error.strerror}") from None
    try:
        source = _open_source(path, key)
        try:
            source.execute("BEGIN")  # one snapshot for the counts and the copy
            before = count_rows(source)
            schema = _schema(source)
            copy = _open_source(target, key)  # keyed before its first page is written
            try:
                source.backup(copy)
            finally:
                copy.close()
            source.execute("COMMIT")
        finally:
            source.close()
        _verify(target, key, before, schema)
    except DatabaseError:
        _remove(target)
        raise
    except DRIVER_ERRORS as error:
        _remove(target)
        raise ConversionError(f"cannot back up {path}: {error}") from None
    return Conversion(target, before)
