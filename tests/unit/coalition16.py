"""A small coalition for the unit tests of issue 16's services (no Telegram).

Coordinators come from ``COORDINATOR_IDS`` (``coordinators.bootstrap``); three organisations
with one member each got letter #1: Viasna signed, Belarusian PEN declined, Never Answers
has not answered. Every composer queues a short message naming what it is about, so the
tests can read the outbox.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.db import Database, open_database
from bot.db.contacts import Contact
from bot.db.coordinators import Coordinator
from bot.db.letters import Letter, Recipient, Version
from bot.db.migrate import apply_migrations
from bot.db.renames import Rename
from bot.services import approvals, coordinators, letters, membership, responses
from bot.services.approvals import ActionContext, ApprovalNotice
from bot.services.audit_check import check_audit
from bot.services.letter_queue import PlannedMessage
from bot.services.letters import DraftSource
from bot.services.outbox import OutgoingMessage
from bot.services.responses import Listing

NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
OLENA, PAVEL, RITA = 1001, 1002, 1003  # coordinators' Telegram ids
TTL = timedelta(days=7)
TEXT = "Excellencies,\n\nWe call on the Council to renew the mandate.\n\nRespectfully,"
MINOR = TEXT.replace("renew", "extend")
OPPOSITE = TEXT.replace("renew", "end")
NAMES = ("Viasna", "Belarusian PEN", "Never Answers")
VIASNA, PEN, NEVER = 1, 2, 3  # organisation ids


def nothing(*args: object) -> list[Any]:
    return []


def _message(text: str) -> OutgoingMessage:
    return OutgoingMessage("sendMessage", {"text": text})


def approval_notice(notice: ApprovalNotice, coordinator: Coordinator) -> OutgoingMessage:
    """Names the step and the request; a revision's shows its changes, as the real one."""
    approval = notice.request.approval
    changes = " ".join(c.new or "" for c in notice.request.description.changes)
    return _message(f"{notice.event} #{approval.id} {approval.kind} {changes}")


def rename_question(rename: Rename, contact: Contact) -> OutgoingMessage:
    return _message(f"rename #{rename.id}: {rename.old_name} -> {rename.new_name}")


def revision_notice(
    letter: Letter, version: Version, previous: Version, r: Recipient, now: datetime
) -> Sequence[PlannedMessage]:
    return [
        PlannedMessage("notice", "notice", _message(f"v{version.number} of #{letter.id}")),
        PlannedMessage("text-1", "fulltext", _message(version.body or "")),
    ]


def letter_notice(
    letter: Letter, version: Version, r: Recipient, now: datetime
) -> Sequence[PlannedMessage]:
    """A lifecycle notice, its part named by the letter's state (open: reopened, a deadline)."""
    part = str(letter.status)
    return [PlannedMessage(part, "notice", _message(f"letter #{letter.id} {part}"))]


def summary(
    letter: Letter, version: Version, r: Recipient, now: datetime
) -> Sequence[PlannedMessage]:
    return [PlannedMessage("summary", "summary", _message(f"summary v{version.number}"))]


def context(now: datetime = NOW) -> ActionContext:
    return ActionContext(
        now=now, reopened=letter_notice, deadline=letter_notice, revision=revision_notice,
        rename_question=rename_question, approval=approval_notice,
    )  # fmt: skip


@dataclass
class World:
    db: Database
    path: Path
    members: list[Contact]  # one per organisation, in NAMES' order
    letter_id: int
    version_id: int
    now: datetime = NOW

    @property
    def ctx(self) -> ActionContext:
        return context(self.now)

    def later(self, delta: timedelta) -> ActionContext:
        return replace(self.ctx, now=self.now + delta)

    async def coordinator(self, telegram_user_id: int) -> Coordinator:
        found = await coordinators.of_account(self.db, telegram_user_id)
        assert found is not None
        return found

    async def request(
        self, ask: approvals.Ask, by: int = OLENA
    ) -> approvals.Done | approvals.Requested:
        return await approvals.request(self.db, ask, by=by, ctx=self.ctx)

    async def requested(self, ask: approvals.Ask, by: int = OLENA) -> approvals.Requested:
        asked = await self.request(ask, by=by)
        assert isinstance(asked, approvals.Requested), asked
        return asked

    async def done(self, ask: approvals.Ask, by: int = OLENA) -> approvals.Done:
        asked = await self.request(ask, by=by)
        assert isinstance(asked, approvals.Done), asked
        return asked

    async def approved(
        self, ask: approvals.Ask, by: int = OLENA, approver: int = PAVEL
    ) -> approvals.Approved:
        asked = await self.requested(ask, by=by)
        outcome = await approvals.approve(
            self.db, asked.request.approval.id, by=approver, ctx=self.ctx
        )
        assert isinstance(outcome, approvals.Approved), outcome
        return outcome

    async def finish(self) -> None:
        """The audit log still describes the tables exactly; the database is closed."""
        try:
            check = await check_audit(self.db)
            assert check.ok, check.record.first or check.chain.reason
        finally:
            await self.db.close()

    async def close(self) -> None:
        from bot.services import lifecycle

        await lifecycle.close_letter(
            self.db, self.letter_id, actor="coordinator:1001", now=self.now, compose=nothing
        )

    async def events(self, action: str | None = None) -> list[dict[str, Any]]:
        """Audit events (``data`` parsed), oldest first; only ``action``'s if given."""
        rows = await self.db.fetch_all(
            "SELECT * FROM audit_events WHERE ? IS NULL OR action = ? ORDER BY id",
            (action, action),
        )
        return [{**dict(row), "data": json.loads(row["data"] or "{}")} for row in rows]

    async def last_event(self, action: str) -> dict[str, Any]:
        found = await self.events(action)
        assert found, f"no {action} event"
        return found[-1]

    async def deliveries(self, like: str = "%") -> list[dict[str, Any]]:
        rows = await self.db.fetch_all(
            "SELECT * FROM deliveries WHERE dedupe_key LIKE ? ORDER BY id", (like,)
        )
        return [dict(row) for row in rows]

    async def name_of(self, organisation_id: int) -> str:
        return str(
            await self.db.fetch_value(
                "SELECT name FROM organisations WHERE id = ?", (organisation_id,)
            )
        )


async def join(db: Database, org_id: int, user_id: int, now: datetime = NOW) -> Contact:
    issued = await membership.issue_invite(
        db, org_id, label=None, created_by=OLENA, actor="coordinator:1001", now=now, ttl=TTL
    )
    joined = await membership.redeem_invite(
        db, issued.token, telegram_user_id=user_id, display_name=f"User {user_id}",
        language="en", now=now,
    )  # fmt: skip
    assert isinstance(joined, membership.Joined)
    return joined.contact


async def build(path: Path, coordinator_ids: Sequence[int] = (OLENA, PAVEL)) -> World:
    db = await open_database(path)
    await apply_migrations(db, NOW)
    await coordinators.bootstrap(db, set(coordinator_ids), now=NOW)
    members = []
    for n, name in enumerate(NAMES):
        org = await membership.add_organisation(db, name, actor="coordinator:1001", now=NOW)
        members.append(await join(db, org.id, 5000 + n))
    letter, version = await letters.create_letter(
        db, title="Joint letter", deadline=NOW + timedelta(days=20), zone_name="Europe/Zurich",
        body=TEXT, source=DraftSource(), language="en", created_by=OLENA,
        actor="coordinator:1001", now=NOW,
    )  # fmt: skip
    await letters.circulate(
        db, letter.id, None, requested_by=OLENA, actor="coordinator:1001", now=NOW,
        compose=summary, default_offsets=[],
    )  # fmt: skip
    viasna, pen, _ = members
    await responses.sign(db, viasna, letter.id, version.id, Listing.NAMED, now=NOW)
    await responses.decline(db, pen, letter.id, version.id, None, now=NOW)
    return World(db, path, members, letter.id, version.id)


# The worlds the issue-16 tests start from; a test module imports the ones it uses.
@pytest.fixture
async def one(tmp_path: Path) -> AsyncIterator[World]:
    """A single coordinator: record-changing actions are done at once, marked alone."""
    world = await build(tmp_path / "bot.db", (OLENA,))
    yield world
    await world.finish()


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[World]:
    """Two coordinators (the rule on, as by default)."""
    world = await build(tmp_path / "bot.db")
    yield world
    await world.finish()


@pytest.fixture
async def three(tmp_path: Path) -> AsyncIterator[World]:
    world = await build(tmp_path / "bot.db", (OLENA, PAVEL, RITA))
    yield world
    await world.finish()
