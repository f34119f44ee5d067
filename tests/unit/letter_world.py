"""A coalition built through the services on a real migrated database, for the unit tests of
the letter services (letters, responses, reminders, purge). No Telegram: composers queue one
plain message per recipient, so what was queued can be counted and read back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.db import Database, open_database
from bot.db import contacts as contacts_repo
from bot.db.contacts import Contact
from bot.db.letters import Letter, Recipient, Version
from bot.db.migrate import apply_migrations
from bot.db.types import ContactStatus
from bot.services import letters, lifecycle, membership
from bot.services.letter_queue import PlannedMessage
from bot.services.letters import DraftSource
from bot.services.outbox import OutgoingMessage
from bot.services.refusals import Code, Refusal

NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
COORDINATOR = "coordinator:1001"
ZONE = "Europe/Zurich"
TEXT = "Excellencies,\n\nWe call on the Council to renew the mandate.\n\nRespectfully,"
MINOR = TEXT.replace("renew", "extend")  # any change: material or minor is the caller's word
DEADLINE = NOW + timedelta(days=20)


def summary(
    letter: Letter, version: Version, recipient: Recipient, now: datetime
) -> list[PlannedMessage]:
    """One message per recipient, naming letter and version."""
    text = f"letter {letter.id} v{version.number} {letter.status}"
    return [PlannedMessage("summary", "summary", OutgoingMessage("sendMessage", {"text": text}))]


def notice(
    letter: Letter, version: Version, previous: Version, recipient: Recipient, now: datetime
) -> list[PlannedMessage]:
    text = f"letter {letter.id} v{previous.number} -> v{version.number}"
    return [PlannedMessage("notice", "notice", OutgoingMessage("sendMessage", {"text": text}))]


@contextmanager
def refused(code: Code) -> Iterator[pytest.ExceptionInfo[Refusal]]:
    """Expects a Refusal with this code (and says which one came instead)."""
    with pytest.raises(Refusal) as caught:
        yield caught
    assert caught.value.code is code, f"expected {code!r}, got {caught.value!r}"


@dataclass
class World:
    db: Database
    _users: int = 7000
    organisations: dict[str, int] = field(default_factory=dict)

    async def organisation(self, name: str, contacts: int = 1) -> list[Contact]:
        """A new organisation and its joined contacts (none: it received nothing)."""
        org = await membership.add_organisation(self.db, name, actor=COORDINATOR, now=NOW)
        self.organisations[name] = org.id
        return [await self.join(org.id) for _ in range(contacts)]

    async def join(self, organisation_id: int) -> Contact:
        self._users += 1
        issued = await membership.issue_invite(
            self.db, organisation_id, label=None, created_by=1001, actor=COORDINATOR, now=NOW,
            ttl=timedelta(days=7),
        )  # fmt: skip
        joined = await membership.redeem_invite(
            self.db, issued.token, telegram_user_id=self._users,
            display_name=f"User {self._users}", language="en", now=NOW,
        )  # fmt: skip
        assert isinstance(joined, membership.Joined)
        return joined.contact

    async def set_status(self, contact: Contact, status: ContactStatus) -> Contact:
        async with self.db.transaction() as tx:
            await contacts_repo.set_status(tx, contact.id, status, now=NOW)
            return await contacts_repo.existing(tx, contact.id)

    async def draft(
        self,
        *,
        body: str = TEXT,
        deadline: datetime = DEADLINE,
        ask_signer: bool = False,
        now: datetime = NOW,
    ) -> tuple[Letter, Version]:
        return await letters.create_letter(
            self.db, title="Joint letter", deadline=deadline, zone_name=ZONE, body=body,
            source=DraftSource(), language="en", created_by=1001, actor=COORDINATOR, now=now,
            ask_signer=ask_signer,
        )  # fmt: skip

    async def circulate(
        self,
        letter_id: int,
        organisation_ids: Sequence[int] | None = None,
        *,
        offsets: Sequence[timedelta] = (),
        now: datetime = NOW,
    ) -> letters.Circulation:
        return await letters.circulate(
            self.db, letter_id, organisation_ids, requested_by=1001, actor=COORDINATOR,
            now=now, compose=summary, default_offsets=offsets,
        )  # fmt: skip

    async def open_letter(self, *, now: datetime = NOW, **draft: Any) -> tuple[Letter, Version]:
        """A letter circulated to every organisation so far."""
        letter, version = await self.draft(now=now, **draft)
        circulation = await self.circulate(letter.id, now=now)
        return circulation.letter, version

    async def revise(
        self, letter_id: int, body: str, *, material: bool, now: datetime = NOW
    ) -> letters.Revision:
        return await letters.revise(
            self.db, letter_id, body=body, material=material, source=DraftSource(),
            created_by=1001, actor=COORDINATOR, now=now, compose_notice=notice,
        )  # fmt: skip

    async def close(self, letter_id: int, *, now: datetime = NOW) -> Letter:
        return await lifecycle.close_letter(
            self.db, letter_id, actor=COORDINATOR, now=now, compose=summary
        )

    async def events(self, action: str) -> list[dict[str, Any]]:
        """The audit events of ``action``, oldest first, their data decoded."""
        rows = await self.db.fetch_all(
            "SELECT * FROM audit_events WHERE action = ? ORDER BY id", (action,)
        )
        return [{**dict(row), "data": json.loads(row["data"] or "null")} for row in rows]

    async def queued(self, letter_id: int, kind: str | None = None) -> list[dict[str, Any]]:
        """Deliveries queued about the letter (of ``kind``), oldest first."""
        rows = await self.db.fetch_all(
            "SELECT * FROM deliveries WHERE letter_id = ? AND (? IS NULL OR kind = ?) ORDER BY id",
            (letter_id, kind, kind),
        )
        return [dict(row) for row in rows]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = await open_database(tmp_path / "bot.db")
    await apply_migrations(db, NOW)
    yield World(db)
    await db.close()
