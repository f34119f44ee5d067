"""Issue 17's record-changing actions in the approvals engine: a response recorded from an
e-mail, list N published, signatories collected after it. With two coordinators each waits
for the second one; its Description says exactly what will happen; approval does it (and
the audit log still replays to the tables). Migration 0014 keeps existing requests and
pending renames."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.db import Database, open_database
from bot.db import contacts as contacts_repo
from bot.db.migrate import apply_migrations, discover
from bot.db.types import ApprovalKind, Channel, Decision, Listing
from bot.services import approvals, coordinators, lifecycle, publication
from bot.services.audit_check import check_audit
from bot.services.recording import RecordRequest
from tests.unit.test_audit_replay import NOW, Coalition, build_coalition, nothing

LATER = NOW + timedelta(days=1)


@pytest.fixture
async def two(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The coalition of test_audit_replay with two coordinators (1001 and 1002)."""
    coalition = await build_coalition(tmp_path / "bot.db")
    db = coalition.db
    await coordinators.bootstrap(db, {1001, 1002}, now=NOW)
    for user_id in (1001, 1002):
        contact = await contacts_repo.live_by_telegram_user(db, user_id)
        assert contact is not None
        await coordinators.first_heard(
            db, contact, display_name=f"C{user_id}", language="en", now=NOW
        )
    yield coalition
    await db.close()


def ctx() -> approvals.ActionContext:
    return approvals.ActionContext(now=LATER, invite=nothing)


async def asked(db: Database, ask: approvals.Ask) -> approvals.Request:
    outcome = await approvals.request(db, ask, by=1001, ctx=ctx())
    assert isinstance(outcome, approvals.Requested), outcome
    return outcome.request


async def approved(db: Database, request: approvals.Request) -> object:
    outcome = await approvals.approve(db, request.approval.id, by=1002, ctx=ctx())
    assert isinstance(outcome, approvals.Approved), outcome
    return outcome.result


async def test_a_response_from_an_email_waits_then_is_recorded(two: Coalition) -> None:
    db = two.db
    # Never Answers (organisation 4) answered by e-mail; no version named: the latest.
    email = RecordRequest(
        two.letter_id, 4, Decision.SIGNED, Channel.EMAIL, Listing.NAMED, note="  Reply, 3 March "
    )
    request = await asked(db, approvals.RecordResponse(email))
    assert await _decision(db, 4) is None  # nothing recorded before the approval
    shown = request.description
    assert shown.kind is ApprovalKind.RECORD_RESPONSE
    assert shown.organisation is not None and shown.organisation.name == "Never Answers"
    assert (shown.decision, shown.listing, shown.channel) == (
        Decision.SIGNED, Listing.NAMED, Channel.EMAIL,
    )  # fmt: skip
    assert shown.version is not None and shown.version.number == 1
    assert shown.note == "Reply, 3 March" and not shown.replaces_own and shown.signed == 2
    assert request.approval.data["version"] == 1  # pinned when asked
    result = await approved(db, request)
    assert result.__class__.__name__ == "Recording"
    assert await _decision(db, 4) == ("signed", "email")
    check = await check_audit(db)
    assert check.ok, check.record.first


async def test_replacing_an_own_answer_says_so(two: Coalition) -> None:
    declined = RecordRequest(two.letter_id, 2, Decision.DECLINED, Channel.PHONE)
    request = await asked(two.db, approvals.RecordResponse(declined))
    assert request.description.replaces_own  # PEN signed in the bot itself


async def test_list_1_then_collecting_then_list_2(two: Coalition) -> None:
    db = two.db
    await lifecycle.close_letter(
        db, two.letter_id, actor="coordinator:1001", now=NOW, compose=nothing
    )
    request = await asked(db, approvals.PublishList(two.letter_id))
    shown = request.description
    assert (shown.list_number, shown.named, shown.anonymous) == (1, 1, 0)  # PEN; Viasna internal
    assert shown.added == () and shown.withdrawn == ()
    assert (
        await publication.is_collecting(db, await lifecycle.known_letter(db, two.letter_id))
        is False
    )
    published = await approved(db, request)
    assert isinstance(published, publication.PublishedList) and published.number == 1

    collect = await asked(
        db, approvals.CollectSignatories(two.letter_id, LATER + timedelta(days=9))
    )
    assert collect.description.invited == 2 and collect.description.list_number == 1
    collecting = await approved(db, collect)
    assert isinstance(collecting, publication.Collecting) and collecting.after_list == 1

    email = RecordRequest(two.letter_id, 4, Decision.SIGNED, Channel.EMAIL, Listing.NAMED)
    await approved(db, await asked(db, approvals.RecordResponse(email)))
    second = await asked(db, approvals.PublishList(two.letter_id))
    assert second.description.list_number == 2
    assert second.description.added == ("Never Answers",)
    outcome = await approvals.approve(db, second.approval.id, by=1002, ctx=ctx())
    assert isinstance(outcome, approvals.Approved), outcome
    listed = outcome.result
    assert isinstance(listed, publication.PublishedList) and listed.added("en") == ["Never Answers"]
    # What the approvers are told it did is the list it made, not the next one.
    assert outcome.request.description.list_number == 2
    assert outcome.request.description.added == ("Never Answers",)
    check = await check_audit(db)
    assert check.ok, check.record.first


async def test_a_list_asked_for_twice_fails_the_second_time(two: Coalition) -> None:
    db = two.db
    await lifecycle.close_letter(
        db, two.letter_id, actor="coordinator:1001", now=NOW, compose=nothing
    )
    first = await asked(db, approvals.PublishList(two.letter_id))
    again = await asked(db, approvals.PublishList(two.letter_id))
    await approved(db, first)
    outcome = await approvals.approve(db, again.approval.id, by=1002, ctx=ctx())
    assert isinstance(outcome, approvals.Failed)  # list 2 would be list 1 again: stale


async def test_migration_0014_keeps_requests_and_pending_renames(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "old.db")
    try:
        before = [m for m in discover() if m.number < 14]
        await apply_migrations(db, NOW, before)
        await db.execute(
            "INSERT INTO contacts (id, role, telegram_user_id, language, status, created_at) "
            "VALUES (1, 'coordinator', 1001, 'en', 'active', ?)",
            (NOW.isoformat(),),
        )
        await db.execute(
            "INSERT INTO organisations (id, name, name_key, created_at) "
            "VALUES (1, 'Zubr', 'zubr', ?)",
            (NOW.isoformat(),),
        )
        await db.execute(
            "INSERT INTO approvals (id, kind, organisation_id, params, requested_by, "
            "requested_at, expires_at) "
            "VALUES (7, 'rename_organisation', 1, '{\"new\": \"Zubr Centre\"}', 1, ?, ?)",
            (NOW.isoformat(), LATER.isoformat()),
        )
        await db.execute(
            "INSERT INTO organisation_renames (organisation_id, old_name, new_name, requested_by,"
            " requested_at, approval_id) VALUES (1, 'Zubr', 'Zubr Centre', 1, ?, 7)",
            (NOW.isoformat(),),
        )
        applied = await apply_migrations(db, NOW)
        assert [m.number for m in applied] == [14]
        assert (
            await db.fetch_value("SELECT params FROM approvals WHERE id = 7")
            == '{"new": "Zubr Centre"}'
        )
        assert (
            await db.fetch_value(
                "SELECT approval_id FROM organisation_renames WHERE status = 'pending'"
            )
            == 7
        )
        await db.execute(
            "INSERT INTO approvals (kind, letter_id, requested_by, requested_at, expires_at) "
            "VALUES ('publish', NULL, 1, ?, ?)",
            (NOW.isoformat(), LATER.isoformat()),
        )
        assert await db.fetch_value("PRAGMA foreign_key_check") is None
    finally:
        await db.close()


async def _decision(db: Database, organisation_id: int) -> tuple[str, str] | None:
    row = await db.fetch_one(
        "SELECT decision, channel FROM responses WHERE organisation_id = ? AND letter_id = 1",
        (organisation_id,),
    )
    return None if row is None else (row["decision"], row["channel"])


async def test_a_minor_change_of_a_translation_signed_waits_a_material_one_does_not(
    two: Coalition,
) -> None:
    db = two.db
    minor = approvals.TranslateLetter(
        two.letter_id, "ru", "Превосходительства,\n\nПродлите.", False
    )
    request = await asked(db, minor)
    shown = request.description
    assert shown.kind is ApprovalKind.MINOR_TRANSLATION and shown.language == "ru"
    assert shown.version is not None and shown.version.number == 1 and shown.signed == 2
    assert [c.kind for c in shown.changes] == ["added", "added"]
    made = await approved(db, request)
    assert made.__class__.__name__ == "TranslationRevision"
    material = approvals.TranslateLetter(two.letter_id, "ru", "Превосходительства!", True)
    outcome = await approvals.request(db, material, by=1001, ctx=ctx())
    assert isinstance(outcome, approvals.Done) and not outcome.alone
    check = await check_audit(db)
    assert check.ok, check.record.first
