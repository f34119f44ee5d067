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
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, TypeVar

import aiosqlite

try:  # SQLCipher: only needed with DATABASE_KEY, but a normal dependency of the project.
    import sqlcipher3.dbapi2 as _sqlcipher
except ImportError:  # pragma: no cover - a broken install; open_database says so if a key is set
    _sqlcipher = None
sqlcipher: Any = _sqlcipher  # the driver's DB-API module (no type information), or None

log = logging.getLogger(__name__)

Row = dict[str, Any]
T = TypeVar("T")
Params = Sequence[Any] | dict[str, Any]
BUSY_TIMEOUT_MS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"
# Both drivers raise their own exception classes; callers that catch database
# errors catch these.
DRIVER_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error,) + (
    (sqlcipher.Error,) if sqlcipher is not None else ()
)
OPEN_ERRORS: tuple[type[Exception], ...] = (OSError, *DRIVER_ERRORS)


class DatabaseError(Exception):
    """The database cannot be opened or used; ``str`` is one line for the operator."""


class MissingRow(DatabaseError):
    """A row the database must hold is not there: a broken invariant (a row inserted in
    the same transaction, a letter's first version), never a person's mistake."""


def present(row: T | None, what: str) -> T:
    """``row``, which must be there (``what`` names it for the error if it is not)."""
    if row is None:
        raise MissingRow(f"{what} is missing")
    return row


class Change(StrEnum):
    """What a transaction changed that an engine waits for: it is woken once it commits."""

    OUTBOX = "outbox"  # deliveries were queued (the outbox sender sends them)
    SCHEDULE = "schedule"  # something due changed: a deadline, reminders, milestones, a status


Listener = Callable[[], None]


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


def _rowcount(conn: sqlite3.Connection, sql: str, params: Params) -> int:
    cursor = conn.execute(sql, params)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def _lastrowid(conn: sqlite3.Connection, sql: str, params: Params) -> int | None:
    cursor = conn.execute(sql, params)
    try:
        return cursor.lastrowid
    finally:
        cursor.close()


class _Statements:
    """Statement helpers over a raw aiosqlite connection (no locking here)."""

    _conn: aiosqlite.Connection

    async def _on_thread(self, work: Callable[..., T], sql: str, params: Params) -> T:
        # One trip to SQLite's thread for a write (execute, read the count or id, close the
        # cursor) instead of two: the trip, not the statement, is most of what it costs the
        # event loop. aiosqlite's public calls take a trip each (execute, then close), so this
        # queues the whole step with its ``_execute``, as its own helpers do.
        conn = self._conn
        done = await conn._execute(work, conn._conn, sql, params)  # type: ignore[no-untyped-call]
        return done  # type: ignore[no-any-return]

    async def _run(self, sql: str, params: Params) -> int:
        return await self._on_thread(_rowcount, sql, params)

    async def _insert(self, sql: str, params: Params) -> int:
        rowid = await self._on_thread(_lastrowid, sql, params)
        if rowid is None:
            raise DatabaseError("insert did not create a row")
        return rowid

    async def _fetch_all(self, sql: str, params: Params) -> list[Row]:
        # One trip to SQLite's thread (execute, fetch, cursor gone) instead of three: most of
        # what a read costs the event loop is the trip, not the query.
        return list(await self._conn.execute_fetchall(sql, params))  # type: ignore[arg-type]


class Transaction(_Statements):
    """Statements inside ``BEGIN IMMEDIATE … COMMIT``; the database lock is held."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self.changes: set[Change] = set()

    def changed(self, change: Change) -> None:
        """Wakes what waits for ``change`` once this transaction commits (not on rollback)."""
        self.changes.add(change)

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
        self._listeners: dict[Change, list[Listener]] = {}

    def on_commit(self, change: Change, listener: Listener) -> None:
        """Calls ``listener`` after every commit that made ``change`` (the engines wake so:
        the outbox sender when deliveries were queued, the scheduler when something due
        changed). A listener is a quick, synchronous call; registering it again is harmless."""
        listeners = self._listeners.setdefault(change, [])
        if listener not in listeners:
            listeners.append(listener)

    def committed(self, changes: Iterable[Change]) -> None:
        """Tells the listeners of ``changes`` (after a commit; single statements autocommit)."""
        for change in changes:
            for listener in self._listeners.get(change, ()):
                try:
                    listener()
                except Exception:  # a wake-up must never undo or fail what was committed
                    log.exception("on-commit listener for %s failed", change)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            tx = Transaction(self._conn)
            try:
                yield tx
            except BaseException:
                await self._conn.rollback()
                raise
            else:
                await self._conn.commit()
        self.committed(tx.changes)

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

    async def checkpoint(self) -> bool:
        """Copies the write-ahead log into the database file and truncates it; False when
        another connection's read kept it from completing (it is then retried later by
        SQLite's own checkpoints)."""
        async with self._lock:
            cursor = await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            try:
                row = await cursor.fetchone()
            finally:
                await cursor.close()
        return row is not None and not row["busy"]

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()


def changed(db: Executor, change: Change) -> None:
    """Records that a write through ``db`` made ``change``: in a transaction, its listeners
    are told once it commits; on the database itself (the statement has committed), now."""
    if isinstance(db, Transaction):
        db.changed(change)
    elif isinstance(db, Database):
        db.committed((change,))


@contextlib.asynccontextmanager
async def within(db: Database | Transaction) -> AsyncIterator[Transaction]:
    """The caller's open transaction, or a new one on the database: for an action that runs
    alone or inside another (a second coordinator's approval executes it in the approving
    transaction)."""
    if isinstance(db, Transaction):
        yield db
    else:
        async with db.transaction() as tx:
            yield tx


def _private_folder(folder: Path) -> None:
    """Creates the database's folder for its owner only (0700).

    A folder that exists is the operator's choice (it may be shared, like /var/lib) and is
    left as it is; the files in it are 0600 either way, but if others can read or enter it,
    say so once at start-up: a folder of the bot's own keeps every file there private.
    """
    if folder.is_dir():
        mode = stat.S_IMODE(folder.stat().st_mode)
        if mode & 0o077:
            log.warning(
                "the database folder %s is open to others (mode %04o); the database files are "
                "private (0600), but give the bot a folder of its own: chmod 700 %s",
                folder, mode, folder,
            )  # fmt: skip
        return
    folder.parent.mkdir(parents=True, exist_ok=True)  # folders above: the system's default
    folder.mkdir(mode=0o700, exist_ok=True)
    folder.chmod(0o700)  # exactly, whatever the umask


def _create_private_file(path: Path) -> None:
    """Create the database file readable by its owner only, before SQLite touches it.

    SQLite gives its -wal and -shm files the permissions of the main file, so
    they inherit 0600 too.
    """
    _private_folder(path.parent)
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("database file was readable by others (mode %o); setting 0600", mode)
            path.chmod(0o600)
        return
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def file_kind(path: Path) -> str:
    """``new`` (missing or empty), ``plain`` (SQLite header) or ``encrypted`` (anything else).

    An SQLCipher file is indistinguishable from random bytes, so "encrypted" also
    covers a file that is no database at all; opening it tells the two apart.
    """
    try:
        with open(path, "rb") as file:
            head = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return "new"
    if not head:
        return "new"
    return "plain" if head == SQLITE_HEADER else "encrypted"


def sql_text_literal(value: str) -> str:
    """``value`` as an SQL string literal, for the one statement that takes no parameters.

    ``PRAGMA key`` cannot be bound; doubling the quotes is SQL's own escaping.
    """
    if "\x00" in value:
        raise ValueError("NUL in an SQL text literal")
    return "'" + value.replace("'", "''") + "'"


WRONG_KEY = "DATABASE_KEY does not open {path}: wrong key, or not a Coalition Bot database"


def _cipher_keyed(path: Path, key: str) -> Any:
    """An SQLCipher connection with the key given; nothing read yet (that is what fails)."""
    if sqlcipher is None:
        raise DatabaseError("DATABASE_KEY is set but sqlcipher3 is not installed")
    conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        # SQLCipher otherwise prints its own errors (e.g. on a wrong key) to stderr.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {sql_text_literal(key)}")
    except BaseException:
        conn.close()
        raise
    return conn


def cipher_connect(path: Path, key: str) -> Any:
    """An SQLCipher connection keyed and checked, or ``DatabaseError`` naming the problem.

    Reading ``sqlite_master`` makes a wrong key fail here, at once, rather than
    at the first query of a half-started bot.
    """
    conn = _cipher_keyed(path, key)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except BaseException as error:
        conn.close()
        if sqlcipher is not None and isinstance(error, sqlcipher.DatabaseError):
            raise DatabaseError(WRONG_KEY.format(path=path)) from None
        raise
    return conn


def check_key_matches_file(path: Path, key: str | None) -> None:
    """Refuses, with one line, a key for a plain file or no key for an encrypted one."""
    kind = file_kind(path)
    if key is not None and kind == "plain":
        raise DatabaseError(
            f"DATABASE_KEY is set but {path} is not encrypted: stop the bot and run "
            "`coalition-bot encrypt-db` to encrypt it"
        )
    if key is None and kind == "encrypted":
        raise DatabaseError(
            f"{path} is encrypted (or not an SQLite database): "
            "set DATABASE_KEY or DATABASE_KEY_FILE"
        )


async def open_database(path: Path, key: str | None = None) -> Database:
    """Open (creating if needed) the database in WAL mode with foreign keys on and
    ``secure_delete`` (freed bytes are zeroed).

    With ``key`` the file is an SQLCipher database; the rest of the bot sees the
    same connection either way (dict rows, the same statements).
    """
    path = Path(path)
    try:
        _create_private_file(path)
        check_key_matches_file(path, key)
        if key is None:
            conn = await aiosqlite.connect(path, isolation_level=None)
        else:
            # aiosqlite runs the connector on its worker thread (see FACTS: SQLCipher).
            conn = await aiosqlite.Connection(lambda: _cipher_keyed(path, key), 64)
    except DatabaseError:
        raise
    except OPEN_ERRORS as error:
        raise DatabaseError(f"cannot open database {path}: {error}") from None
    if key is not None:
        try:
            await conn.execute("SELECT count(*) FROM sqlite_master")
        except DRIVER_ERRORS:
            await conn.close()
            raise DatabaseError(WRONG_KEY.format(path=path)) from None
    try:
        # aiosqlite's annotation says a class; sqlite3 takes any (cursor, row) callable.
        conn.row_factory = _dict_row  # type: ignore[assignment]
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode_row = await (await conn.execute("PRAGMA journal_mode = WAL")).fetchone()
        await conn.execute("PRAGMA foreign_keys = ON")
        # FULL: a signature acknowledged to a member survives a power cut.
        await conn.execute("PRAGMA synchronous = FULL")
        # Deleted or overwritten content is zeroed, not left in free space (purges).
        await conn.execute("PRAGMA secure_delete = ON")
    except DRIVER_ERRORS as error:
        await conn.close()
        raise DatabaseError(f"{path} is not a usable SQLite database: {error}") from None
    if mode_row is None or str(mode_row["journal_mode"]).lower() != "wal":
        log.warning("database is not in WAL mode (%s)", mode_row)
    return Database(conn, path)
