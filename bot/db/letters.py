"""Data access for letters, their versions and the organisations they went to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.connection import Change, Executor, Row, changed, present
from bot.db.timefmt import from_db, to_db
from bot.db.types import CloseReport, LetterStatus, row_to


@dataclass(frozen=True)
class Letter:
    id: int
    title: str | None  # None once purged
    status: LetterStatus
    language: str
    deadline: datetime
    timezone: str
    reminder_offsets: str | None
    created_by: int | None
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    purged_at: datetime | None
    close_report: CloseReport | None = None  # pending → sent: the auto-close report
    ask_signer: bool = False  # the list shows "Name, Title, Organisation": signers are asked
    copied_from: int | None = None  # /copyletter: the letter this one started from


@dataclass(frozen=True)
class Version:
    id: int
    letter_id: int
    number: int
    body: str | None  # None once purged
    fingerprint: str
    material: bool
    source_kind: str
    source_file_id: str | None
    source_file_name: str | None
    created_by: int | None
    created_at: datetime


@dataclass(frozen=True)
class Recipient:
    """An active contact who should have a letter: whom to send to, in which form."""

    contact_id: int
    telegram_user_id: int
    language: str
    timezone: str | None
    organisation_id: int
    organisation_name: str
    quiet_start: str | None = None
    quiet_end: str | None = None


def _letter(row: Row) -> Letter:
    return row_to(Letter, row)


def _version(row: Row) -> Version:
    return row_to(Version, row)


async def insert_letter(
    db: Executor,
    *,
    title: str,
    language: str,
    deadline: datetime,
    timezone: str,
    created_by: int | None,
    now: datetime,
) -> int:
    return await db.insert(
        "INSERT INTO letters (title, status, language, deadline, timezone, created_by, "
        "created_at) VALUES (?, 'draft', ?, ?, ?, ?, ?)",
        (title, language, to_db(deadline), timezone, created_by, to_db(now)),
    )


async def get(db: Executor, letter_id: int) -> Letter | None:
    row = await db.fetch_one("SELECT * FROM letters WHERE id = ?", (letter_id,))
    return None if row is None else _letter(row)


async def existing(db: Executor, letter_id: int) -> Letter:
    """A letter known to exist (its id came from this transaction, or a row that refers
    to it): missing, it is an error of the database, not a refusal."""
    return present(await get(db, letter_id), f"letter {letter_id}")


async def all_letters(db: Executor) -> list[Letter]:
    rows = await db.fetch_all("SELECT * FROM letters ORDER BY id DESC")
    return [_letter(row) for row in rows]


async def open_letter(db: Executor, letter_id: int, *, now: datetime) -> int:
    result = await db.execute(
        "UPDATE letters SET status = 'open', opened_at = coalesce(opened_at, ?) "
        "WHERE id = ? AND status = 'draft'",
        (to_db(now), letter_id),
    )
    changed(db, Change.SCHEDULE)
    return result


async def insert_version(
    db: Executor,
    *,
    letter_id: int,
    body: str,
    fingerprint: str,
    material: bool,
    source_kind: str,
    source_file_id: str | None,
    source_file_name: str | None,
    created_by: int | None,
    now: datetime,
) -> int:
    number = await db.fetch_value(
        "SELECT coalesce(max(number), 0) + 1 FROM versions WHERE letter_id = ?", (letter_id,)
    )
    return await db.insert(
        "INSERT INTO versions (letter_id, number, body, fingerprint, material, source_kind, "
        "source_file_id, source_file_name, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            letter_id,
            number,
            body,
            fingerprint,
            int(material),
            source_kind,
            source_file_id,
            source_file_name,
            created_by,
            to_db(now),
        ),
    )


async def get_version(db: Executor, version_id: int) -> Version | None:
    row = await db.fetch_one("SELECT * FROM versions WHERE id = ?", (version_id,))
    return None if row is None else _version(row)


async def existing_version(db: Executor, version_id: int) -> Version:
    """A version known to exist (just inserted): missing, it is an error of the database."""
    return present(await get_version(db, version_id), f"version {version_id}")


async def latest_version(db: Executor, letter_id: int) -> Version:
    """The letter's latest version; every letter has its first from its creation on."""
    row = await db.fetch_one(
        "SELECT * FROM versions WHERE letter_id = ? ORDER BY number DESC LIMIT 1", (letter_id,)
    )
    return _version(present(row, f"a version of letter {letter_id}"))


async def versions(db: Executor, letter_id: int) -> list[Version]:
    rows = await db.fetch_all(
        "SELECT * FROM versions WHERE letter_id = ? ORDER BY number", (letter_id,)
    )
    return [_version(row) for row in rows]


async def add_organisation(
    db: Executor, letter_id: int, organisation_id: int, *, now: datetime
) -> int:
    return await db.execute(
        "INSERT INTO letter_organisations (letter_id, organisation_id, added_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (letter_id, organisation_id, to_db(now)),
    )


async def organisation_ids(db: Executor, letter_id: int) -> list[int]:
    rows = await db.fetch_all(
        "SELECT organisation_id FROM letter_organisations WHERE letter_id = ? "
        "ORDER BY organisation_id",
        (letter_id,),
    )
    return [int(row["organisation_id"]) for row in rows]


async def has_organisation(db: Executor, letter_id: int, organisation_id: int) -> bool:
    row = await db.fetch_one(
        "SELECT 1 FROM letter_organisations WHERE letter_id = ? AND organisation_id = ?",
        (letter_id, organisation_id),
    )
    return row is not None


@dataclass(frozen=True)
class Reception:
    """A letter as an organisation's member asks about it: whether the organisation
    received it, whether a list of it was published, and the organisation's name."""

    letter: Letter
    received: bool  # the letter went to the organisation (``letter_organisations``)
    published: bool  # list 1 or a later one was published (``publications``)
    organisation_name: str | None  # None: no such organisation


async def reception(db: Executor, letter_id: int, organisation_id: int) -> Reception | None:
    """``get``, ``has_organisation``, whether it was published and the organisation's name
    in one query (a member's press re-checks all of them); None without such a letter."""
    row = await db.fetch_one(
        "SELECT l.*, "
        "EXISTS (SELECT 1 FROM letter_organisations lo "
        "WHERE lo.letter_id = l.id AND lo.organisation_id = :organisation) AS reception__received, "
        "EXISTS (SELECT 1 FROM publications p WHERE p.letter_id = l.id) AS reception__published, "
        "(SELECT o.name FROM organisations o WHERE o.id = :organisation) AS reception__name "
        "FROM letters l WHERE l.id = :letter",
        {"letter": letter_id, "organisation": organisation_id},
    )
    if row is None:
        return None
    return Reception(
        _letter(row),
        received=bool(row["reception__received"]),
        published=bool(row["reception__published"]),
        organisation_name=row["reception__name"],
    )


_RECIPIENTS = (
    "SELECT c.id AS contact_id, c.telegram_user_id, c.language, c.timezone, "
    "o.id AS organisation_id, o.name AS organisation_name, c.quiet_start, c.quiet_end "
    "FROM letter_organisations lo JOIN organisations o ON o.id = lo.organisation_id "
    "JOIN contacts c ON c.organisation_id = o.id "
    # Unreachable contacts are tried too: a refusal is reported to coordinators.
    "WHERE lo.letter_id = ? AND o.status = 'active' AND c.status IN ('active', 'unreachable') "
    "AND c.role = 'member' AND c.telegram_user_id IS NOT NULL"
)


async def recipients(db: Executor, letter_id: int) -> list[Recipient]:
    rows = await db.fetch_all(_RECIPIENTS + " ORDER BY o.id, c.id", (letter_id,))
    return [row_to(Recipient, row) for row in rows]


async def recipient(db: Executor, letter_id: int, contact_id: int) -> Recipient | None:
    row = await db.fetch_one(_RECIPIENTS + " AND c.id = ?", (letter_id, contact_id))
    return None if row is None else row_to(Recipient, row)


async def open_letters_of_organisation(db: Executor, organisation_id: int) -> list[Letter]:
    rows = await db.fetch_all(
        "SELECT l.* FROM letters l JOIN letter_organisations lo ON lo.letter_id = l.id "
        "WHERE lo.organisation_id = ? AND l.status = 'open' ORDER BY l.id",
        (organisation_id,),
    )
    return [_letter(row) for row in rows]


async def set_closed(db: Executor, letter_id: int, *, now: datetime) -> int:
    result = await db.execute(
        "UPDATE letters SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'",
        (to_db(now), letter_id),
    )
    changed(db, Change.SCHEDULE)
    return result


async def set_reopened(db: Executor, letter_id: int, *, deadline: datetime) -> int:
    result = await db.execute(
        "UPDATE letters SET status = 'open', deadline = ?, closed_at = NULL "
        "WHERE id = ? AND status = 'closed'",
        (to_db(deadline), letter_id),
    )
    changed(db, Change.SCHEDULE)
    return result


async def set_deadline(db: Executor, letter_id: int, *, deadline: datetime) -> int:
    result = await db.execute(
        "UPDATE letters SET deadline = ? WHERE id = ? AND status = 'open'",
        (to_db(deadline), letter_id),
    )
    changed(db, Change.SCHEDULE)
    return result


async def set_reminder_offsets(db: Executor, letter_id: int, offsets: str | None) -> int:
    result = await db.execute(
        "UPDATE letters SET reminder_offsets = ? WHERE id = ?", (offsets, letter_id)
    )
    changed(db, Change.SCHEDULE)
    return result


async def expired_open(db: Executor, *, now: datetime) -> list[Letter]:
    """Open letters whose deadline has come."""
    rows = await db.fetch_all(
        "SELECT * FROM letters WHERE status = 'open' AND deadline <= ? ORDER BY deadline, id",
        (to_db(now),),
    )
    return [_letter(row) for row in rows]


async def next_open_deadline(db: Executor) -> datetime | None:
    return from_db(await db.fetch_value("SELECT min(deadline) FROM letters WHERE status = 'open'"))


async def set_close_report(db: Executor, letter_id: int, state: CloseReport | None) -> int:
    return await db.execute("UPDATE letters SET close_report = ? WHERE id = ?", (state, letter_id))


async def close_reports_due(db: Executor) -> list[Letter]:
    rows = await db.fetch_all(
        "SELECT * FROM letters WHERE close_report = 'pending' ORDER BY closed_at, id"
    )
    return [_letter(row) for row in rows]


async def open_letters(db: Executor) -> list[Letter]:
    rows = await db.fetch_all("SELECT * FROM letters WHERE status = 'open' ORDER BY id")
    return [_letter(row) for row in rows]


async def version_of_message(db: Executor, chat_id: int, message_id: int) -> tuple[int, int] | None:
    """(letter id, version id) of a letter message the bot delivered into that chat.

    Deliveries of a letter carry the key ``letter:<id>:v<number>:…`` (see
    services.letters), which names the version the message showed.
    """
    row = await db.fetch_one(
        "SELECT v.letter_id, v.id AS version_id FROM deliveries d "
        "JOIN versions v ON v.letter_id = d.letter_id "
        "AND d.dedupe_key LIKE 'letter:' || d.letter_id || ':v' || v.number || ':%' "
        "WHERE d.chat_id = ? AND d.telegram_message_id = ?",
        (chat_id, message_id),
    )
    return None if row is None else (int(row["letter_id"]), int(row["version_id"]))


async def set_ask_signer(db: Executor, letter_id: int, ask: bool) -> int:
    return await db.execute(
        "UPDATE letters SET ask_signer = ? WHERE id = ? AND ask_signer != ?",
        (int(ask), letter_id, int(ask)),
    )


async def set_copied_from(db: Executor, letter_id: int, source_id: int) -> int:
    return await db.execute(
        "UPDATE letters SET copied_from = ? WHERE id = ?", (source_id, letter_id)
    )


async def plan_organisations(db: Executor, letter_id: int, organisation_ids: list[int]) -> None:
    for organisation_id in organisation_ids:
        await db.execute(
            "INSERT INTO planned_organisations (letter_id, organisation_id) VALUES (?, ?) "
            "ON CONFLICT DO NOTHING",
            (letter_id, organisation_id),
        )


async def planned_organisation_ids(db: Executor, letter_id: int) -> list[int]:
    """The organisations a copied draft is meant to go to, still active."""
    rows = await db.fetch_all(
        "SELECT p.organisation_id FROM planned_organisations p "
        "JOIN organisations o ON o.id = p.organisation_id "
        "WHERE p.letter_id = ? AND o.status = 'active' ORDER BY p.organisation_id",
        (letter_id,),
    )
    return [int(row["organisation_id"]) for row in rows]
