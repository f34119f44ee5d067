"""What coordinators are told of a request, for every kind, in every language.

Each kind's description says exactly what will happen (names, numbers, dates, the diff of
a minor revision) within Telegram's limit, with Approve / Reject only for a coordinator who
may decide it, and the invitation-link button only for the requester of an approved one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import texts
from bot.approval_messages import ApprovalMessages
from bot.db import Database, open_database
from bot.db.approvals import Approval
from bot.db.migrate import apply_migrations
from bot.db.types import ApprovalKind, ApprovalStatus
from bot.services import approvals, coordinators, letters, membership
from bot.services.approvals import ApprovalNotice, Ask, Event, Request
from bot.services.letters import DraftSource
from bot.services.refusals import Code, Refusal
from bot.settings import Settings

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
BODY = "We ask the Council to renew the mandate.\n\nSecond paragraph."


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "bot.db")
    await apply_migrations(database, NOW)
    await coordinators.bootstrap(database, {1001, 1002}, now=NOW)
    yield database
    await database.close()


def _approval(ask: Ask, requested_by: int) -> Approval:
    subjects = ask.subjects()
    return Approval(
        7, ask.kind, subjects.letter_id, subjects.organisation_id, subjects.contact_id, "{}",
        requested_by, NOW, NOW + timedelta(hours=48), ApprovalStatus.PENDING, None, None, None,
    )  # fmt: skip


async def test_every_kind_is_described_and_offered_to_whom_may_decide(db: Database) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    olena, pavel = await coordinators.active(db)
    org = await membership.add_organisation(db, "Human Rights Center “Viasna”", actor="t", now=NOW)
    letter, _ = await letters.create_letter(
        db, title="Letter <on> the mandate", deadline=NOW + timedelta(days=18),
        zone_name="Europe/Vilnius", body=BODY, source=DraftSource(), language="en",
        created_by=None, actor="t", now=NOW,
    )  # fmt: skip
    asks: list[Ask] = [
        approvals.PurgeLetter(letter.id),
        approvals.RemoveOrganisation(org.id, org.name),
        approvals.RenameOrganisation(org.id, "Viasna (supports the authorities)"),
        approvals.ReopenLetter(letter.id, NOW + timedelta(days=20)),
        approvals.ReviseLetter(letter.id, BODY + " The opposite.", False, after=1),
        approvals.MoveDeadline(letter.id, NOW + timedelta(days=5), NOW + timedelta(days=18)),
        approvals.AddCoordinator("for <Dasha>"),
        approvals.RemoveCoordinator(pavel.id),
        approvals.SetApprovalRule(False),
    ]
    explain = lambda refusal, language, zone: texts.render(texts.APPROVAL_STALE, language, ref=1)  # noqa: E731
    messages = ApprovalMessages(settings, explain)
    for ask in asks:
        request = Request(_approval(ask, olena.id), await ask.describe(db), olena)
        for language in texts.LANGUAGES:
            for coordinator in (olena, pavel):
                reader = type(coordinator)(**{**vars(coordinator), "language": language})
                for event in Event:
                    refusal = Refusal(Code.APPROVAL_STALE, ref=1) if event is Event.FAILED else None
                    notice = ApprovalNotice(event, request, olena, refusal=refusal)
                    message = messages.notice(notice, reader)
                    assert message is not None
                    text = str(message.params["text"])
                    assert len(text) < 4096 and "{" not in text, (ask.kind, language, event)
                    markup = message.params.get("reply_markup")
                    rows = markup["inline_keyboard"] if isinstance(markup, dict) else []
                    data = [b["callback_data"] for row in rows for b in row]
                    decides = event is Event.REQUESTED and request.can_decide(reader)
                    assert (data == ["apok:7", "apno:7"]) is decides, (ask.kind, event)
                    link = event is Event.APPROVED and ask.kind.value == "add_coordinator"
                    assert (data == ["aplink:7"]) is (link and reader.id == olena.id)
        what = messages.what(request.description, "en")
        assert "&lt;" in what or ask.kind.value not in ("purge", "add_coordinator")
    revision = await asks[4].describe(db)
    assert "The opposite." in messages.what(revision, "en")
    assert "The opposite." not in messages.what(revision, "en", diff=False)


def test_no_kind_is_ever_described_as_another() -> None:
    """A request is approved on its description: a /publish shown as "turn the approval rule
    off" (as once happened, for kinds the texts did not know) would have a second coordinator
    approve something they never read."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    messages = ApprovalMessages(settings)
    rule_off = texts.render(texts.WHAT_RULE_ONE, "en")
    for kind in ApprovalKind:
        what = messages.what(approvals.Description(kind), "en")
        assert (what == rule_off) is (kind is ApprovalKind.APPROVAL_RULE), kind
