"""Files the outbox sends (a close report's export), kept on disk until Telegram has them.

A queued document holds a ``StoredFile``: a random name in ``outbox-files/`` next to the
database, and the file name the recipient sees. Once the first copy is sent, Telegram's
``file_id`` replaces the reference in every delivery that held it
(``outbox.record_uploaded``), and a file no delivery refers to any more is deleted
(``sweep``): after that, after a purge cleared the letter's deliveries, or after a
transaction that stored it rolled back. No Telegram here.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from bot.db import deliveries as repo
from bot.db.connection import Database, Transaction

log = logging.getLogger(__name__)

FOLDER = "outbox-files"


@dataclass(frozen=True)
class StoredFile:
    """A file on disk for a queued document: ``token`` names it in ``FOLDER``, ``name`` is
    what the recipient sees; ``content`` is filled in when the sender claims it."""

    token: str
    name: str
    content: bytes | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, str]:
        return {"token": self.token, "name": self.name}


def folder_of(db: Database) -> Path:
    """Where the outbox keeps files: beside the database, in the data folder."""
    return db.path.parent / FOLDER


def _valid(token: str) -> bool:
    return token.isascii() and token.isalnum() and len(token) == 32


def store(db: Database, name: str, content: bytes) -> StoredFile:
    """Writes ``content`` (owner-only) and returns its reference for a queued document.

    Call it inside the transaction that queues the document: a sweep (which runs in a
    transaction too) then never sees the file before the delivery that names it."""
    folder = folder_of(db)
    folder.mkdir(mode=0o700, exist_ok=True)
    token = secrets.token_hex(16)
    descriptor = os.open(folder / token, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())  # committed deliveries must find their file after a crash
    return StoredFile(token, name)


def read(db: Database, stored: StoredFile) -> StoredFile | None:
    """``stored`` with its content, or None when the file is gone (purged)."""
    if not _valid(stored.token):
        return None
    try:
        content = (folder_of(db) / stored.token).read_bytes()
    except FileNotFoundError:
        return None
    return StoredFile(stored.token, stored.name, content)


async def sweep(db: Database, tx: Transaction) -> int:
    """Deletes the stored files no delivery refers to any more; returns how many.

    In a transaction (``tx``, of ``db``): it cannot race a claim, which reads its file
    under the same lock, nor a file being queued (stored inside its transaction)."""
    folder = folder_of(db)
    if not folder.is_dir():
        return 0
    deleted = 0
    for path in sorted(folder.iterdir()):
        if not _valid(path.name) or await repo.refers_to(tx, path.name):
            continue
        path.unlink(missing_ok=True)
        deleted += 1
    if deleted:
        log.info("outbox: deleted %d stored file(s) no message needs any more", deleted)
    return deleted
