"""Data access for publications (list 1, 2, … of a letter), their frozen signatories and the
files made of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.connection import Executor, present
from bot.db.timefmt import to_db
from bot.db.types import Channel, FileKind, Listing, row_to


@dataclass(frozen=True)
class Publication:
    id: int
    letter_id: int
    number: int
    version_id: int
    title: str | None  # as published; None after a purge
    timezone: str  # the zone its date is given in
    published_at: datetime
    published_by: int | None  # the coordinator's contact
    approval_id: int | None


@dataclass(frozen=True)
class PublishedSignatory:
    """One organisation of list N, as it was listed then."""

    publication_id: int
    organisation_id: int
    listing: Listing  # named or anonymous (internal ones are never published)
    version_id: int
    name: str  # the primary name then
    name_en: str
    name_ru: str
    name_be: str
    sort_key: str | None
    signer_name: str | None
    signer_title: str | None
    recorded_by: int | None
    recorded_by_name: str | None
    channel: Channel | None

    def name_in(self, language: str) -> str:
        return {"en": self.name_en, "ru": self.name_ru, "be": self.name_be}[language]


@dataclass(frozen=True)
class PublicationFile:
    publication_id: int
    language: str
    kind: FileKind
    file_name: str
    sha256: str
    file_id: str | None  # Telegram's, once the file was sent


async def insert(
    db: Executor,
    *,
    letter_id: int,
    number: int,
    version_id: int,
    title: str,
    timezone: str,
    published_at: datetime,
    published_by: int | None,
    approval_id: int | None,
) -> int:
    return await db.insert(
        "INSERT INTO publications (letter_id, number, version_id, title, timezone, "
        "published_at, published_by, approval_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (letter_id, number, version_id, title, timezone, to_db(published_at), published_by,
         approval_id),
    )  # fmt: skip


async def insert_signatory(db: Executor, signatory: PublishedSignatory) -> None:
    await db.execute(
        "INSERT INTO publication_signatories (publication_id, organisation_id, listing, "
        "version_id, name, name_en, name_ru, name_be, sort_key, signer_name, signer_title, "
        "recorded_by, recorded_by_name, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (signatory.publication_id, signatory.organisation_id, signatory.listing,
         signatory.version_id, signatory.name, signatory.name_en, signatory.name_ru,
         signatory.name_be, signatory.sort_key, signatory.signer_name, signatory.signer_title,
         signatory.recorded_by, signatory.recorded_by_name, signatory.channel),
    )  # fmt: skip


async def get(db: Executor, publication_id: int) -> Publication | None:
    row = await db.fetch_one("SELECT * FROM publications WHERE id = ?", (publication_id,))
    return None if row is None else row_to(Publication, row)


async def existing(db: Executor, publication_id: int) -> Publication:
    """A publication known to exist (just inserted in this transaction)."""
    return present(await get(db, publication_id), f"publication {publication_id}")


async def by_number(db: Executor, letter_id: int, number: int) -> Publication | None:
    row = await db.fetch_one(
        "SELECT * FROM publications WHERE letter_id = ? AND number = ?", (letter_id, number)
    )
    return None if row is None else row_to(Publication, row)


async def of_letter(db: Executor, letter_id: int) -> list[Publication]:
    rows = await db.fetch_all(
        "SELECT * FROM publications WHERE letter_id = ? ORDER BY number", (letter_id,)
    )
    return [row_to(Publication, row) for row in rows]


async def latest_number(db: Executor, letter_id: int) -> int | None:
    """The number of the letter's latest list; None before list 1."""
    value = await db.fetch_value(
        "SELECT max(number) FROM publications WHERE letter_id = ?", (letter_id,)
    )
    return None if value is None else int(value)


async def signatories(db: Executor, publication_id: int) -> list[PublishedSignatory]:
    rows = await db.fetch_all(
        "SELECT * FROM publication_signatories WHERE publication_id = ? ORDER BY organisation_id",
        (publication_id,),
    )
    return [row_to(PublishedSignatory, row) for row in rows]


async def put_file(db: Executor, file: PublicationFile) -> int:
    """Records a file made of a list, once (the first digest stays: a later one that differs
    is a file that was not made again byte for byte)."""
    return await db.execute(
        "INSERT INTO publication_files (publication_id, language, kind, file_name, sha256) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (file.publication_id, file.language, file.kind, file.file_name, file.sha256),
    )


async def files(db: Executor, publication_id: int, language: str) -> list[PublicationFile]:
    rows = await db.fetch_all(
        "SELECT * FROM publication_files WHERE publication_id = ? AND language = ? ORDER BY kind",
        (publication_id, language),
    )
    return [row_to(PublicationFile, row) for row in rows]


async def set_file_id(
    db: Executor, publication_id: int, language: str, kind: FileKind, file_id: str
) -> int:
    return await db.execute(
        "UPDATE publication_files SET file_id = ? "
        "WHERE publication_id = ? AND language = ? AND kind = ?",
        (file_id, publication_id, language, kind),
    )
