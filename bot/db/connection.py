"""One SQLite connection for the bot, used from one event loop.

aiosqlite runs the connection on a worker thread, but coroutines still
interleave between awaits: a transaction opened by one handler would see (and
commit) the statements of another. So every statement and every transaction
takes one asyncio lock; SQLite serialises writes anyway, and the bot's volume
is small.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

log = logging.getLogger(__name__)

Row = dict[str, Any]
Params = Sequence[Any] | dict[str, Any]
BUSY_TIMEOUT_MS = 5000


class DatabaseError(Exception):
    """The database cannot be opened or used; ``str`` is one line for the operator."""


class Executor(Protocol):
    """What repositories need: the database itself, or an open transaction."""

    async def execute(self, sql: str, params: Params = ()) -> int: ...

    async def insert(self, sql: str, params: Params = ()) -> int: ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetch_value(self, sql: str, params: Params = ()) -> Any: ...


def _dict_row(cursor: Any, row: tuple[Any, ...]) -> Row:
    # A plain row factory works for sqlite3 and sqlcipher3 cursors alike.
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


class _Statements:
    """Statement helpers over a raw aiosqlite connection (no locking here)."""

    _conn: aiosqlite.Connection

    async def _execute(self, sql: str, params: Params) -> aiosqlite.Cursor:
        return await self._conn.execute(sql, params)

    async def _run(self, sql: str, params: Params) -> int:
        cursor = await self._execute(sql, params)
        try:
            return cursor.rowcount
        finally:
            await cursor.close()

    async def _insert(self, sql: str, params: Params) -> int:
        cursor = await self._execute(sql, params)
        try:
            if cursor.lastrowid is None:
                raise DatabaseError("insert did not create a row")
            return cursor.lastrowid
        finally:
            await cursor.close()

    async def _fetch_all(self, sql: str, params: Params) -> list[Row]:
        cursor = await self._execute(sql, params)
        try:
            return list(await cursor.fetchall())  # type: ignore[arg-type]
        finally:
            await cursor.close()


class Transaction(_Statements):
    """Statements inside ``BEGIN IMMEDIATE … COMMIT``; the database lock is held."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        return await self._run(sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        return await self._insert(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self._fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else next(iter(row.values()))

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)


class Database(_Statements):
    """The bot's database. Single statements autocommit; ``transaction()`` groups them."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._conn)
            except BaseException:
                await self._conn.rollback()
                raise
            else:
                await self._conn.commit()

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._lock:
            return await self._run(sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        async with self._lock:
            return await self._insert(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._lock:
            return await self._fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else next(iter(row.values()))

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()


def _create_private_file(path: Path) -> None:
    """Create the database file readable by its owner only, before SQLite touches it.

    SQLite gives its -wal and -shm files the permissions of the main file, so
    they inherit 0600 too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("database file was readable by others (mode %o); setting 0600", mode)
            path.chmod(0o600)
        return
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


async def open_database(path: Path) -> Database:
    """Open (creating if needed) the database in WAL mode with foreign keys on."""
    path = Path(path)
    try:
        _create_private_file(path)
        conn = aiosqlite.connect(path, isolation_level=None)
        conn = await conn
    except (OSError, sqlite3.Error) as error:
        raise DatabaseError(f"cannot open database {path}: {error}") from None
    try:
        conn.row_factory = _dict_row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode_row = await (await conn.execute("PRAGMA journal_mode = WAL")).fetchone()
        await conn.execute("PRAGMA foreign_keys = ON")
        # FULL: a signature acknowledged to a member survives a power cut.
        await conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.DatabaseError as error:
        await conn.close()
        raise DatabaseError(f"{path} is not a usable SQLite database: {error}") from None
    if mode_row is None or str(mode_row["journal_mode"]).lower() != "wal":
        log.warning("database is not in WAL mode (%s)", mode_row)
    return Database(conn, path)
