"""Issue 16: two people for what cannot be undone or changes the record.

When a second coordinator's approval is needed, who may give it, what each step records,
and that the action approved is the very action done alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.db import approvals as approvals_repo
from bot.db.types import ApprovalKind, ApprovalStatus
from bot.services import approvals, coordinators, letters
from bot.services.approvals import (
    AddCoordinator,
    Ask,
    MoveDeadline,
    PurgeLetter,
    RemoveCoordinator,
    RemoveOrganisation,
    RenameOrganisation,
    ReopenLetter,
    ReviseLetter,
    SetApprovalRule,
)
from bot.services.purge import Purge
from bot.services.refusals import Code, Refusal
from tests.unit.coalition16 import (
    MINOR,
    NEVER,
    NOW,
    OLENA,
    OPPOSITE,
    PAVEL,
    RITA,
    TEXT,
    VIASNA,
    World,
    build,
)

DAY = timedelta(days=1)

# Each kind that needs a second person, with what makes the letter ready for it and the
# audit action its execution records.
Setup = Callable[[World], Any]


async def closed(world: World) -> None:
    await world.close()


async def ready(world: World) -> None:
    return None


async def pavel_id(world: World) -> int:
    pavel = await coordinators.of_account(world.db, PAVEL)
    return 0 if pavel is None else pavel.id


def kinds() -> list[Any]:
    return [
        pytest.param(closed, lambda w, p: PurgeLetter(w.letter_id), "letter.purged", id="purge"),
        pytest.param(
            ready,
            lambda w, p: RemoveOrganisation(VIASNA),
            "organisation.removed",
            id="remove-organisation",
        ),
        pytest.param(
            ready,
            lambda w, p: RenameOrganisation(VIASNA, "Viasna Centre"),
            "organisation.rename_requested",
            id="rename-responded",
        ),
        pytest.param(
            closed,
            lambda w, p: ReopenLetter(w.letter_id, NOW + 10 * DAY),
            "letter.reopened",
            id="reopen",
        ),
        pytest.param(
            ready,
            lambda w, p: ReviseLetter(w.letter_id, MINOR, material=False),
            "version.added",
            id="minor-revision-with-signatures",
        ),
        pytest.param(
            ready,
            lambda w, p: MoveDeadline(w.letter_id, NOW + 5 * DAY),
            "deadline.moved",
            id="deadline-earlier",
        ),
        pytest.param(
            ready,
            lambda w, p: AddCoordinator("Deputy"),
            "coordinator.invited",
            id="add-coordinator",
        ),
        pytest.param(
            ready,
            lambda w, p: RemoveCoordinator(p),
            "coordinator.removed",
            id="remove-coordinator",
        ),
        pytest.param(
            ready,
            lambda w, p: SetApprovalRule(two_people=False),
            "approval.rule",
            id="rule-off",
        ),
    ]


@pytest.mark.parametrize(("setup", "make", "action"), kinds())
async def test_with_two_coordinators_each_kind_waits_for_a_second(
    three: World, setup: Setup, make: Callable[[World, int], Ask], action: str
) -> None:
    await setup(three)
    ask = make(three, await pavel_id(three))
    before = len(await three.events(action))
    asked = await three.request(ask, by=OLENA)
    assert isinstance(asked, approvals.Requested)
    assert asked.request.approval.kind is ask.kind
    assert asked.request.approval.status is ApprovalStatus.PENDING
    assert asked.request.approval.expires_at == NOW + approvals.DEFAULT_TTL
    assert len(await three.events(action)) == before  # nothing done yet
    requested = await three.last_event("approval.requested")
    assert requested["data"] == {"approval": asked.request.approval.id, "kind": str(ask.kind)}
    # Approved by another: done, and the action's event says by whom and which request.
    outcome = await approvals.approve(three.db, asked.request.approval.id, by=RITA, ctx=three.ctx)
    assert isinstance(outcome, approvals.Approved), outcome
    event = await three.last_event(action)
    assert event["data"]["approval"] == asked.request.approval.id
    assert event["data"]["approved_by"] == f"coordinator:{RITA}"
    assert "second_person" not in event["data"]


@pytest.mark.parametrize(("setup", "make", "action"), kinds())
async def test_with_one_coordinator_each_kind_is_done_alone_and_marked(
    tmp_path: Path, setup: Setup, make: Callable[[World, int], Ask], action: str
) -> None:
    # A single coordinator; to remove one, two coordinators with the rule off (the last
    # coordinator cannot be removed).
    removal = action == "coordinator.removed"
    world = await build(tmp_path / "bot.db", (OLENA, PAVEL) if removal else (OLENA,))
    try:
        if removal:
            await world.approved(SetApprovalRule(two_people=False))
        await setup(world)
        done = await world.done(make(world, await pavel_id(world)))
        assert done.alone
        event = await world.last_event(action)
        assert event["data"]["second_person"] is False
        assert "approval" not in event["data"]
        assert await approvals_repo.pending(world.db) == []
    finally:
        await world.finish()


async def test_a_single_coordinator_acts_alone_marked_in_the_audit(one: World) -> None:
    assert not await approvals.second_person_needed(one.db)
    done = await one.done(ReviseLetter(one.letter_id, MINOR, material=False))
    assert done.alone and isinstance(done.result, letters.Revision)
    assert (await one.last_event("version.added"))["data"]["second_person"] is False
    await one.close()
    await one.done(PurgeLetter(one.letter_id))
    assert (await one.last_event("letter.purged"))["data"]["second_person"] is False
    alone = await approvals.done_alone(one.db, one.letter_id)
    assert [a.action for a in alone] == ["version.added", "letter.purged"]
    assert {a.actor for a in alone} == {f"coordinator:{OLENA}"}


async def test_what_does_not_change_the_record_needs_nobody(two: World) -> None:
    """A rename of an organisation that never answered, a material revision, a minor one
    nobody signed, a later deadline: done at once, not marked as done alone."""
    renamed = await two.done(RenameOrganisation(NEVER, "Always Answers"))
    assert not renamed.alone
    assert isinstance(renamed.result, approvals.Renamed)
    assert await two.name_of(NEVER) == "Always Answers"
    assert "second_person" not in (await two.last_event("organisation.renamed"))["data"]

    later = await two.done(MoveDeadline(two.letter_id, NOW + 30 * DAY))
    assert not later.alone
    assert "second_person" not in (await two.last_event("deadline.moved"))["data"]

    material = await two.done(ReviseLetter(two.letter_id, OPPOSITE, material=True))
    assert not material.alone
    assert "second_person" not in (await two.last_event("version.added"))["data"]


async def test_a_minor_revision_needs_approval_only_over_signatures(two: World) -> None:
    db, viasna = two.db, two.members[0]
    from bot.services import responses

    await responses.withdraw(db, viasna, two.letter_id, now=NOW)
    done = await two.done(ReviseLetter(two.letter_id, MINOR, material=False))
    assert not done.alone  # nobody's signature stands on it


async def test_turning_the_rule_on_needs_nobody(two: World) -> None:
    assert await approvals.second_person_needed(two.db)
    await two.approved(SetApprovalRule(two_people=False))
    assert await approvals.current_rule(two.db) is approvals.Rule.ONE
    assert not await approvals.second_person_needed(two.db)
    on = await two.done(SetApprovalRule(two_people=True))
    assert not on.alone and on.result == approvals.RuleChanged(True)
    assert "second_person" not in (await two.last_event("approval.rule"))["data"]
    assert await approvals.second_person_needed(two.db)
    with pytest.raises(Refusal) as refused:
        await two.request(SetApprovalRule(two_people=True))
    assert refused.value.code is Code.RULE_UNCHANGED


# --- who may approve -----------------------------------------------------------------------


async def test_the_requester_cannot_approve_or_reject_their_own(two: World) -> None:
    asked = await two.requested(RemoveOrganisation(VIASNA))
    approval_id = asked.request.approval.id
    for decide in (approvals.approve, approvals.reject):
        with pytest.raises(Refusal) as refused:
            await decide(two.db, approval_id, by=OLENA, ctx=two.ctx)
        assert refused.value.code is Code.APPROVAL_OWN
    assert (await approvals_repo.get(two.db, approval_id)).pending  # type: ignore[union-attr]
    assert not asked.request.can_decide(await two.coordinator(OLENA))
    assert asked.request.can_decide(await two.coordinator(PAVEL))
    assert [c.telegram_user_id for c in asked.deciders] == [PAVEL]


async def test_a_coordinator_cannot_approve_their_own_removal(three: World) -> None:
    pavel = await three.coordinator(PAVEL)
    asked = await three.requested(RemoveCoordinator(pavel.id))
    assert [c.telegram_user_id for c in asked.deciders] == [RITA]
    with pytest.raises(Refusal) as refused:
        await approvals.approve(three.db, asked.request.approval.id, by=PAVEL, ctx=three.ctx)
    assert refused.value.code is Code.APPROVAL_OWN_REMOVAL
    with pytest.raises(Refusal):
        await approvals.reject(three.db, asked.request.approval.id, by=PAVEL, ctx=three.ctx)
    outcome = await approvals.approve(three.db, asked.request.approval.id, by=RITA, ctx=three.ctx)
    assert isinstance(outcome, approvals.Approved)
    assert not await coordinators.is_active(three.db, PAVEL)  # effective at once


async def test_removing_the_only_other_coordinator_has_nobody_to_approve(two: World) -> None:
    pavel = await two.coordinator(PAVEL)
    with pytest.raises(Refusal) as refused:
        await two.request(RemoveCoordinator(pavel.id))
    assert refused.value.code is Code.NO_APPROVER
    assert await approvals_repo.pending(two.db) == []  # nothing recorded
    assert await two.events("approval.requested") == []


async def test_the_approver_must_be_a_coordinator_now(three: World) -> None:
    asked = await three.requested(RemoveOrganisation(VIASNA))
    approval_id = asked.request.approval.id
    await coordinators.remove_from_cli(three.db, RITA, now=NOW)
    for by in (RITA, 5000, 424242):  # removed; a member; a stranger
        with pytest.raises(Refusal) as refused:
            await approvals.approve(three.db, approval_id, by=by, ctx=three.ctx)
        assert refused.value.code is Code.NOT_COORDINATOR
    assert (await approvals_repo.get(three.db, approval_id)).pending  # type: ignore[union-attr]
    outcome = await approvals.approve(three.db, approval_id, by=PAVEL, ctx=three.ctx)
    assert isinstance(outcome, approvals.Approved)


async def test_a_request_is_decided_once(two: World) -> None:
    asked = await two.requested(RemoveOrganisation(VIASNA))
    approval_id = asked.request.approval.id
    await approvals.approve(two.db, approval_id, by=PAVEL, ctx=two.ctx)
    for decide in (approvals.approve, approvals.reject):
        with pytest.raises(Refusal) as refused:
            await decide(two.db, approval_id, by=PAVEL, ctx=two.ctx)
        assert refused.value.code is Code.APPROVAL_DECIDED
    with pytest.raises(Refusal) as refused:
        await approvals.cancel(two.db, approval_id, by=OLENA, ctx=two.ctx)
    assert refused.value.code is Code.APPROVAL_DECIDED
    with pytest.raises(Refusal) as refused:
        await approvals.approve(two.db, 999, by=PAVEL, ctx=two.ctx)
    assert refused.value.code is Code.APPROVAL_NOT_FOUND


async def test_an_expired_request_cannot_be_approved(two: World) -> None:
    asked = await two.requested(RemoveOrganisation(VIASNA))
    approval_id = asked.request.approval.id
    late = two.later(approvals.DEFAULT_TTL + timedelta(minutes=1))
    with pytest.raises(Refusal) as refused:
        await approvals.approve(two.db, approval_id, by=PAVEL, ctx=late)
    assert refused.value.code is Code.APPROVAL_EXPIRED
    with pytest.raises(Refusal) as refused:
        await approvals.reject(two.db, approval_id, by=PAVEL, ctx=late)
    assert refused.value.code is Code.APPROVAL_EXPIRED
    with pytest.raises(Refusal) as refused:
        await approvals.cancel(two.db, approval_id, by=OLENA, ctx=late)
    assert refused.value.code is Code.APPROVAL_EXPIRED
    approval = await approvals_repo.get(two.db, approval_id)
    assert approval is not None and approval.status is ApprovalStatus.EXPIRED
    assert await two.name_of(VIASNA) == "Viasna"


async def test_cancelling_after_its_time_records_it_expired(two: World) -> None:
    asked = await two.requested(RemoveOrganisation(VIASNA))
    approval_id = asked.request.approval.id
    with pytest.raises(Refusal) as refused:
        await approvals.cancel(two.db, approval_id, by=OLENA, ctx=two.later(3 * DAY))
    assert refused.value.code is Code.APPROVAL_EXPIRED
    assert [e["action"] for e in await two.events() if e["action"].startswith("approval.")] == [
        "approval.requested", "approval.expired",
    ]  # fmt: skip
    assert await two.db.fetch_value("SELECT status FROM organisations WHERE id = 1") == "active"


# --- re-checked on every press ---------------------------------------------------------------


async def test_a_revision_approved_after_the_letter_changed_fails(two: World) -> None:
    asked = await two.requested(ReviseLetter(two.letter_id, OPPOSITE, material=False))
    approval_id = asked.request.approval.id
    # Meanwhile a material revision (no approval needed) makes a new version.
    await two.done(ReviseLetter(two.letter_id, MINOR, material=True))
    versions = await two.db.fetch_value("SELECT count(*) FROM versions")
    outcome = await approvals.approve(two.db, approval_id, by=PAVEL, ctx=two.ctx)
    assert isinstance(outcome, approvals.Failed)
    assert outcome.refusal.code is Code.APPROVAL_STALE
    assert await two.db.fetch_value("SELECT count(*) FROM versions") == versions
    approval = await approvals_repo.get(two.db, approval_id)
    assert approval is not None and approval.status is ApprovalStatus.FAILED
    assert approval.failure == "approval_stale"
    assert approval.decided_by == (await two.coordinator(PAVEL)).id
    assert "body" not in approval.data  # a text never adopted is not kept
    failed = await two.last_event("approval.failed")
    assert failed["data"] == {"approval": approval_id, "kind": "minor_revision",
                              "failure": "approval_stale"}  # fmt: skip
    assert await two.events("approval.approved") == []  # rolled back with the action


async def test_an_earlier_deadline_approved_after_it_moved_fails(two: World) -> None:
    asked = await two.requested(MoveDeadline(two.letter_id, NOW + 5 * DAY))
    await two.done(MoveDeadline(two.letter_id, NOW + 30 * DAY))  # later: nobody needed
    outcome = await approvals.approve(two.db, asked.request.approval.id, by=PAVEL, ctx=two.ctx)
    assert isinstance(outcome, approvals.Failed)
    assert outcome.refusal.code is Code.APPROVAL_STALE
    deadline = await two.db.fetch_value("SELECT deadline FROM letters WHERE id = 1")
    assert deadline.startswith("2026-03-04")  # NOW + 30 days


async def test_a_reopening_approved_after_someone_else_reopened_fails(two: World) -> None:
    await two.close()
    first = await two.requested(ReopenLetter(two.letter_id, NOW + 10 * DAY))
    second = await two.requested(ReopenLetter(two.letter_id, NOW + 12 * DAY), by=PAVEL)
    await approvals.approve(two.db, first.request.approval.id, by=PAVEL, ctx=two.ctx)
    outcome = await approvals.approve(two.db, second.request.approval.id, by=OLENA, ctx=two.ctx)
    assert isinstance(outcome, approvals.Failed)
    assert outcome.refusal.code is Code.NOT_CLOSED


# --- reject, cancel, expire ------------------------------------------------------------------


async def test_reject_ends_the_request_and_does_nothing(two: World) -> None:
    asked = await two.requested(RenameOrganisation(VIASNA, "Viasna (supports the authorities)"))
    request = await approvals.reject(two.db, asked.request.approval.id, by=PAVEL, ctx=two.ctx)
    assert request.approval.status is ApprovalStatus.REJECTED
    assert request.approval.decided_by == (await two.coordinator(PAVEL)).id
    assert await two.name_of(VIASNA) == "Viasna"
    assert await two.db.fetch_value("SELECT count(*) FROM organisation_renames") == 0
    event = await two.last_event("approval.rejected")
    assert event["actor"] == f"coordinator:{PAVEL}" and event["organisation_id"] == VIASNA


async def test_only_the_requester_cancels(two: World) -> None:
    asked = await two.requested(RemoveOrganisation(VIASNA))
    approval_id = asked.request.approval.id
    with pytest.raises(Refusal) as refused:
        await approvals.cancel(two.db, approval_id, by=PAVEL, ctx=two.ctx)
    assert refused.value.code is Code.APPROVAL_NOT_YOURS
    request = await approvals.cancel(two.db, approval_id, by=OLENA, ctx=two.ctx)
    assert request.approval.status is ApprovalStatus.CANCELLED
    assert (await two.last_event("approval.cancelled"))["data"]["why"] == "requester"
    with pytest.raises(Refusal) as refused:
        await approvals.approve(two.db, approval_id, by=PAVEL, ctx=two.ctx)
    assert refused.value.code is Code.APPROVAL_DECIDED


async def test_expire_due_ends_requests_past_their_time_and_tells_everyone(two: World) -> None:
    asked = await two.requested(RemoveOrganisation(VIASNA))
    approval_id = asked.request.approval.id
    assert await approvals.next_expiry(two.db) == NOW + approvals.DEFAULT_TTL
    assert await approvals.expire_due(two.db, two.later(approvals.DEFAULT_TTL - DAY)) == []
    expired = await approvals.expire_due(two.db, two.later(approvals.DEFAULT_TTL))
    assert [r.approval.id for r in expired] == [approval_id]
    assert expired[0].approval.status is ApprovalStatus.EXPIRED
    event = await two.last_event("approval.expired")
    assert event["actor"] == "system"
    told = {d["chat_id"] for d in await two.deliveries(f"approval:{approval_id}:expired:%")}
    assert told == {OLENA, PAVEL}  # the requester too
    assert await approvals.next_expiry(two.db) is None
    assert await approvals.expire_due(two.db, two.later(3 * approvals.DEFAULT_TTL)) == []


async def test_the_other_coordinators_are_asked_through_the_outbox(three: World) -> None:
    asked = await three.requested(RemoveOrganisation(VIASNA))
    approval_id = asked.request.approval.id
    requested = await three.deliveries(f"approval:{approval_id}:requested:%")
    assert {d["chat_id"] for d in requested} == {PAVEL, RITA}  # not the requester
    await approvals.approve(three.db, approval_id, by=PAVEL, ctx=three.ctx)
    approved = await three.deliveries(f"approval:{approval_id}:approved:%")
    assert {d["chat_id"] for d in approved} == {OLENA, RITA}  # not the approver
    assert [r.approval.id for r in await approvals.pending_requests(three.db)] == []


async def test_pending_requests_are_listed_oldest_first(two: World) -> None:
    first = await two.requested(RemoveOrganisation(VIASNA))
    second = await two.requested(RenameOrganisation(VIASNA, "Viasna Centre"), by=PAVEL)
    pending = await approvals.pending_requests(two.db)
    assert [r.approval.id for r in pending] == [first.request.approval.id,
                                                 second.request.approval.id]  # fmt: skip
    assert pending[1].description.new_name == "Viasna Centre"
    assert pending[1].description.responded
    assert pending[1].requested_by.telegram_user_id == PAVEL


# --- what the audit log holds --------------------------------------------------------------


async def test_approval_events_carry_no_free_text(two: World) -> None:
    secret = "Paragraph only the coordinators have seen"
    revision = await two.requested(
        ReviseLetter(two.letter_id, TEXT + "\n\n" + secret, material=False)
    )
    rename = await two.requested(RenameOrganisation(VIASNA, "Hidden New Name"))
    invite = await two.requested(AddCoordinator("Label For Someone"))
    await approvals.reject(two.db, revision.request.approval.id, by=PAVEL, ctx=two.ctx)
    await approvals.cancel(two.db, rename.request.approval.id, by=OLENA, ctx=two.ctx)
    await approvals.expire_due(two.db, two.later(3 * DAY))
    assert invite.request.approval.id  # expired with the others
    events = [e for e in await two.events() if e["action"].startswith("approval.")]
    assert {e["action"] for e in events} == {
        "approval.requested", "approval.rejected", "approval.cancelled", "approval.expired",
    }  # fmt: skip
    for event in events:
        assert set(event["data"]) <= {"approval", "kind", "why", "failure"}, event
        for text in (secret, "Hidden New Name", "Label For Someone"):
            assert text not in str(event["data"])
    # The request itself no longer holds the revision's text once it ended.
    ended = await approvals_repo.get(two.db, revision.request.approval.id)
    assert ended is not None and "body" not in ended.data


async def test_a_pending_revision_is_described_with_its_changes(two: World) -> None:
    asked = await two.requested(ReviseLetter(two.letter_id, OPPOSITE, material=False))
    description = asked.request.description
    assert description.kind is ApprovalKind.MINOR_REVISION
    assert description.signed == 1
    assert description.version is not None and description.version.number == 1
    assert description.changes  # the diff the other coordinators are shown
    assert asked.request.approval.data["after"] == 1


# --- the same action, approved or alone ------------------------------------------------------

TABLES = {
    "letters": "SELECT id, status, deadline, purged_at, closed_at FROM letters ORDER BY id",
    "versions": "SELECT letter_id, number, body, fingerprint, material FROM versions ORDER BY id",
    "organisations": "SELECT id, name, status FROM organisations ORDER BY id",
    "responses": "SELECT letter_id, organisation_id, decision, version_id, listing "
    "FROM responses ORDER BY letter_id, organisation_id",
    "members": "SELECT id, status FROM contacts WHERE role = 'member' ORDER BY id",
    "renames": "SELECT organisation_id, old_name, new_name, status FROM organisation_renames",
}


async def snapshot(world: World) -> dict[str, list[tuple[Any, ...]]]:
    return {
        name: [tuple(row) for row in await world.db.fetch_all(sql)] for name, sql in TABLES.items()
    }


AGREEMENT_KEYS = {"approval", "approved_by", "second_person"}


@pytest.mark.parametrize(
    ("setup", "make", "action"),
    [p for p in kinds() if p.id not in ("add-coordinator", "remove-coordinator", "rule-off")],
)
async def test_the_action_approved_is_the_action_done_alone(
    tmp_path: Path, setup: Setup, make: Callable[[World, int], Ask], action: str
) -> None:
    alone = await build(tmp_path / "alone.db", (OLENA,))
    agreed = await build(tmp_path / "agreed.db")
    try:
        await setup(alone)
        await setup(agreed)
        done = await alone.done(make(alone, 0))
        approved = await agreed.approved(make(agreed, 0))
        assert type(done.result) is type(approved.result)
        if isinstance(done.result, Purge) and isinstance(approved.result, Purge):
            # the outbox also held the request's notices to coordinators about the letter
            assert replace(done.result, messages=0) == replace(approved.result, messages=0)
        assert await snapshot(alone) == await snapshot(agreed)
        one_event = (await alone.last_event(action))["data"]
        two_event = (await agreed.last_event(action))["data"]
        ignored = AGREEMENT_KEYS | ({"messages"} if action == "letter.purged" else set())
        assert {k: v for k, v in one_event.items() if k not in ignored} == {
            k: v for k, v in two_event.items() if k not in ignored
        }
    finally:
        await alone.finish()
        await agreed.finish()


async def test_the_forgery_sequence_stops_at_its_first_step(two: World) -> None:
    """The issue's attack by one account: /reopen waits for a second coordinator; nothing
    of the sequence can go further alone."""
    await two.close()
    reopen = await two.request(ReopenLetter(two.letter_id, NOW + 10 * DAY))
    assert isinstance(reopen, approvals.Requested)
    assert await two.db.fetch_value("SELECT status FROM letters WHERE id = 1") == "closed"
    with pytest.raises(Refusal):  # cannot revise a closed letter either
        await two.request(ReviseLetter(two.letter_id, OPPOSITE, material=False))
    assert isinstance(
        await two.request(RenameOrganisation(VIASNA, "Viasna (supports the authorities)")),
        approvals.Requested,
    )
    assert isinstance(await two.request(PurgeLetter(two.letter_id)), approvals.Requested)
    assert await two.name_of(VIASNA) == "Viasna"
    assert await two.db.fetch_value("SELECT purged_at FROM letters WHERE id = 1") is None
