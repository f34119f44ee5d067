"""Numbered SQL migrations: ``migrations/NNNN_name.sql``, applied in order.

Each file runs in one transaction together with its record in
``schema_migrations`` (number, name, SHA-256 checksum). An applied file that
changed, or disappeared, stops start-up: the schema would no longer be what
the code was tested against.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.db.connection import DRIVER_ERRORS, Database, Transaction

MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


class MigrationError(Exception):
    """Migrations cannot be applied; ``str`` is one line for the operator."""


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: str = field(repr=False)

    @property
    def file_name(self) -> str:
        return f"{self.number:04d}_{self.name}.sql"

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    if not directory.is_dir():
        raise MigrationError(f"migrations folder not found: {directory}")
    found: dict[int, Migration] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix != ".sql":
            continue
        match = MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file name must look like 0001_name.sql: {path.name}")
        number = int(match.group(1))
        if number in found:
            raise MigrationError(f"two migrations numbered {number:04d}")
        found[number] = Migration(number, match.group(2), path.read_text(encoding="utf-8"))
    return [found[n] for n in sorted(found)]


def split_statements(sql: str) -> list[str]:
    """Split a script into statements; ``complete_statement`` knows trigger bodies."""
    statements: list[str] = []
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    rest = "\n".join(
        line for line in pending.splitlines() if line.strip() and not line.strip().startswith("--")
    )
    if rest.strip():
        raise MigrationError(f"unterminated statement at the end: {rest.strip()[:60]!r}")
    return statements


async def _ensure_table(db: Database) -> None:
    await db.execute(
        """CREATE TABLE IF NOT EXISTS schema_migrations (
               number INTEGER PRIMARY KEY,
               name TEXT NOT NULL,
               checksum TEXT NOT NULL,
               applied_at TEXT NOT NULL
           )"""
    )


async def _apply(tx: Transaction, migration: Migration, now: datetime) -> None:
    for statement in split_statements(migration.sql):
        await tx.execute(statement)
    await tx.execute(
        "INSERT INTO schema_migrations (number, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
        (migration.number, migration.name, migration.checksum, now.isoformat(timespec="seconds")),
    )


async def apply_migrations(
    db: Database, now: datetime, migrations: list[Migration] | None = None
) -> list[Migration]:
    """Apply what is pending; return the migrations applied by this call."""
    migrations = discover() if migrations is None else migrations
    await _ensure_table(db)
    applied = {
        row["number"]: row
        for row in await db.fetch_all("SELECT number, name, checksum FROM schema_migrations")
    }
    by_number = {m.number: m for m in migrations}
    for number, row in sorted(applied.items()):
        migration = by_number.get(number)
        label = f"{number:04d}_{row['name']}.sql"
        if migration is None:
            raise MigrationError(f"applied migration {label} is missing from the migrations folder")
        if migration.checksum != row["checksum"]:
            raise MigrationError(
                f"applied migration {label} was changed after it was applied "
                "(add a new migration instead of editing an applied one)"
            )
    done: list[Migration] = []
    for migration in migrations:
        if migration.number in applied:
            continue
        try:
            async with db.transaction() as tx:
                await _apply(tx, migration, now)
        except DRIVER_ERRORS as error:
            raise MigrationError(f"migration {migration.file_name} failed: {error}") from None
        done.append(migration)
    return done
