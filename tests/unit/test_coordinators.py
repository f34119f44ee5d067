"""Issue 16: coordinators are records — from the settings, the CLI and single-use
invitations; removed at once, never the last; the invitation's token never stored."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from bot.db import approvals as approvals_repo
from bot.db import contacts as contacts_repo
from bot.db import coordinators as coordinators_repo
from bot.db.types import ApprovalStatus, ContactStatus
from bot.services import access, approvals, coordinators, membership, outbox, startup
from bot.services.approvals import AddCoordinator, RemoveCoordinator, RemoveOrganisation
from bot.services.coordinators import IssuedCoordinatorInvite
from bot.services.refusals import Code, Refusal
from tests.unit.coalition16 import (
    NOW,
    OLENA,
    PAVEL,
    RITA,
    TTL,
    VIASNA,
    World,
)


async def live_ids(world: World) -> list[int | None]:
    return [c.telegram_user_id for c in await coordinators.active(world.db)]


# --- COORDINATOR_IDS and the CLI ---------------------------------------------------------------


async def test_the_settings_bootstrap_coordinators_once(two: World) -> None:
    assert await live_ids(two) == [OLENA, PAVEL]
    added = await two.events("coordinator.added")
    assert [(e["actor"], e["data"]) for e in added] == [
        ("settings", {"telegram_user_id": OLENA, "via": "settings"}),
        ("settings", {"telegram_user_id": PAVEL, "via": "settings"}),
    ]
    again = await coordinators.bootstrap(two.db, {OLENA, PAVEL}, now=NOW)
    assert again == coordinators.Bootstrap()  # a restart changes nothing
    assert len(await two.events("coordinator.added")) == 2
    assert (await access.identify(two.db, PAVEL)).is_coordinator


async def test_one_removed_through_the_bot_is_not_brought_back_by_a_restart(
    three: World, caplog: pytest.LogCaptureFixture
) -> None:
    pavel = await three.coordinator(PAVEL)
    await three.approved(RemoveCoordinator(pavel.id), approver=RITA)
    assert not await coordinators.is_active(three.db, PAVEL)
    with caplog.at_level(logging.WARNING, logger="bot.services.startup"):
        restarted = await coordinators.bootstrap(three.db, {OLENA, PAVEL, RITA}, now=NOW)
        startup.report(restarted)
    assert restarted.kept_removed == (PAVEL,) and restarted.added == ()
    assert not await coordinators.is_active(three.db, PAVEL)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"coalition-bot coordinators add {PAVEL}" in w for w in warnings), warnings
    # The operator restores them from the CLI: audited as the CLI's, done alone.
    restored = await coordinators.add_from_cli(three.db, PAVEL, now=NOW)
    assert restored.live and await coordinators.is_active(three.db, PAVEL)
    event = await three.last_event("coordinator.added")
    assert event["actor"] == "cli"
    assert event["data"] == {"telegram_user_id": PAVEL, "via": "cli", "second_person": False}
    with pytest.raises(Refusal) as refused:
        await coordinators.add_from_cli(three.db, PAVEL, now=NOW)
    assert refused.value.code is Code.COORDINATOR_ALREADY


async def test_one_removed_from_the_cli_stays_removed_too(two: World) -> None:
    await coordinators.remove_from_cli(two.db, PAVEL, now=NOW)
    event = await two.last_event("coordinator.removed")
    assert event["actor"] == "cli" and event["data"]["second_person"] is False
    restarted = await coordinators.bootstrap(two.db, {OLENA, PAVEL}, now=NOW)
    assert restarted.kept_removed == (PAVEL,)
    with pytest.raises(Refusal) as refused:
        await coordinators.remove_from_cli(two.db, PAVEL, now=NOW)
    assert refused.value.code is Code.COORDINATOR_NOT_FOUND


async def test_an_id_dropped_from_the_settings_stops_being_a_coordinator(two: World) -> None:
    dropped = await coordinators.bootstrap(two.db, {OLENA}, now=NOW)
    assert dropped.dropped == (PAVEL,)
    assert await live_ids(two) == [OLENA]
    listed_again = await coordinators.bootstrap(two.db, {OLENA, PAVEL}, now=NOW)
    assert listed_again.added == (PAVEL,)  # the settings took it away, the settings give it
    assert await live_ids(two) == [OLENA, PAVEL]


async def test_a_members_account_cannot_become_a_coordinator(two: World) -> None:
    member = two.members[0].telegram_user_id
    assert member is not None
    started = await coordinators.bootstrap(two.db, {OLENA, PAVEL, member}, now=NOW)
    assert started.members == (member,) and started.added == ()
    with pytest.raises(Refusal) as refused:
        await coordinators.add_from_cli(two.db, member, now=NOW)
    assert refused.value.code is Code.ACCOUNT_IS_MEMBER
    assert not await coordinators.is_active(two.db, member)
    assert (await access.identify(two.db, member)).role is access.Role.MEMBER


# --- removal ---------------------------------------------------------------------------------


async def test_the_last_coordinator_cannot_be_removed(one: World) -> None:
    with pytest.raises(Refusal) as refused:
        await coordinators.remove_from_cli(one.db, OLENA, now=NOW)
    assert refused.value.code is Code.LAST_COORDINATOR
    olena = await one.coordinator(OLENA)
    with pytest.raises(Refusal) as refused:
        await one.request(RemoveCoordinator(olena.id))
    assert refused.value.code is Code.LAST_COORDINATOR
    assert await live_ids(one) == [OLENA]


async def test_a_removal_approved_when_only_one_would_remain_fails(three: World) -> None:
    """Two requests to remove the other two: approving the second would leave nobody
    to approve anything, but it is the last coordinator rule that stops it."""
    pavel, rita = await three.coordinator(PAVEL), await three.coordinator(RITA)
    first = await three.requested(RemoveCoordinator(pavel.id))
    second = await three.requested(RemoveCoordinator(rita.id))
    await approvals.approve(three.db, first.request.approval.id, by=RITA, ctx=three.ctx)
    with pytest.raises(Refusal) as refused:  # Rita cannot approve her own removal
        await approvals.approve(three.db, second.request.approval.id, by=RITA, ctx=three.ctx)
    assert refused.value.code is Code.APPROVAL_OWN_REMOVAL
    assert await live_ids(three) == [OLENA, RITA]


async def test_removal_is_effective_at_once_and_cancels_their_requests(three: World) -> None:
    db = three.db
    theirs = await three.requested(RemoveOrganisation(VIASNA), by=PAVEL)
    async with db.transaction() as tx:  # a message to them still waiting in the outbox
        await outbox.enqueue(
            tx, broadcast_id=None, contact_id=None, chat_id=PAVEL, letter_id=None,
            kind="notice", message=outbox.OutgoingMessage("sendMessage", {"text": "hi"}),
            dedupe_key="to-pavel", now=NOW,
        )  # fmt: skip
    pavel = await three.coordinator(PAVEL)
    removed = await three.approved(RemoveCoordinator(pavel.id), approver=RITA)
    assert isinstance(removed.result, coordinators.CoordinatorRemoved)
    assert [a.id for a in removed.result.cancelled] == [theirs.request.approval.id]
    assert (await access.identify(db, PAVEL)).role is access.Role.UNKNOWN
    with pytest.raises(Refusal) as refused:
        await approvals.approve(db, theirs.request.approval.id, by=OLENA, ctx=three.ctx)
    assert refused.value.code is Code.APPROVAL_DECIDED
    cancelled = await approvals_repo.get(db, theirs.request.approval.id)
    assert cancelled is not None and cancelled.status is ApprovalStatus.CANCELLED
    event = await three.last_event("approval.cancelled")
    assert event["data"] == {
        "approval": theirs.request.approval.id, "kind": "remove_organisation",
        "why": "requester removed",
    }  # fmt: skip
    told = await three.deliveries(f"approval:{theirs.request.approval.id}:cancelled:%")
    assert {d["chat_id"] for d in told} == {OLENA, RITA}
    assert [d["status"] for d in await three.deliveries("to-pavel")] == ["cancelled"]
    removal = await three.last_event("coordinator.removed")
    assert removal["data"]["approved_by"] == f"coordinator:{RITA}"
    assert removal["data"]["via"] == "bot"


# --- invitations -----------------------------------------------------------------------------


def everything_stored(path: Path) -> str:
    """Every value of every table, as text (what someone holding the file can read)."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(
            repr(row) for table in tables for row in conn.execute(f'SELECT * FROM "{table}"')
        )
    finally:
        conn.close()


async def test_an_approved_invitation_link_is_shown_once_to_the_requester(two: World) -> None:
    db = two.db
    approved = await two.approved(AddCoordinator("Deputy"))
    result = approved.result
    assert isinstance(result, approvals.CoordinatorInvited)
    assert result.invitation is None  # nothing minted into the approval's messages
    assert result.coordinator.status is ContactStatus.INVITED
    assert result.coordinator.label == "Deputy"
    approval_id = approved.request.approval.id
    assert (await approvals_repo.get(db, approval_id)).contact_id == result.coordinator.id  # type: ignore[union-attr]
    with pytest.raises(Refusal) as refused:  # the approver does not get it
        await coordinators.invitation_link(db, approval_id, by=PAVEL, now=NOW, ttl=TTL)
    assert refused.value.code is Code.APPROVAL_NOT_YOURS
    issued = await coordinators.invitation_link(db, approval_id, by=OLENA, now=NOW, ttl=TTL)
    assert issued.contact_id == result.coordinator.id and issued.expires_at == NOW + TTL
    assert issued.token not in repr(issued)
    with pytest.raises(Refusal) as refused:  # once
        await coordinators.invitation_link(db, approval_id, by=OLENA, now=NOW, ttl=TTL)
    assert refused.value.code is Code.INVITATION_SHOWN
    stored = everything_stored(two.path)
    assert issued.token not in stored
    assert membership.hash_token(issued.token) in stored  # only its hash
    # Used: a coordinator from now on, added by the requester.
    joined = await membership.redeem_invite(
        db, issued.token, telegram_user_id=2024, display_name="Deputy", language="ru", now=NOW
    )
    assert isinstance(joined, membership.CoordinatorJoined)
    assert joined.added_by == (await two.coordinator(OLENA)).id
    assert await live_ids(two) == [OLENA, PAVEL, 2024]
    assert (await access.identify(db, 2024)).is_coordinator
    event = await two.last_event("coordinator.added")
    assert event["actor"] == "coordinator:2024"
    assert event["data"]["via"] == "invitation"
    assert issued.token not in everything_stored(two.path)
    again = await membership.redeem_invite(
        db, issued.token, telegram_user_id=2025, display_name="X", language="en", now=NOW
    )
    assert isinstance(again, membership.InvalidInvite)
    assert not await coordinators.is_active(db, 2025)


async def test_a_single_coordinators_invitation_is_the_direct_answer(one: World) -> None:
    done = await one.done(AddCoordinator(None))
    assert done.alone and isinstance(done.result, approvals.CoordinatorInvited)
    issued = done.result.invitation
    assert isinstance(issued, IssuedCoordinatorInvite)
    assert issued.token not in everything_stored(one.path)
    assert (await one.last_event("coordinator.invited"))["data"] == {"second_person": False}


async def test_no_link_for_a_rejected_invitation(two: World) -> None:
    asked = await two.requested(AddCoordinator("Deputy"))
    approval_id = asked.request.approval.id
    with pytest.raises(Refusal) as refused:  # not approved yet
        await coordinators.invitation_link(two.db, approval_id, by=OLENA, now=NOW, ttl=TTL)
    assert refused.value.code is Code.APPROVAL_DECIDED
    await approvals.reject(two.db, approval_id, by=PAVEL, ctx=two.ctx)
    with pytest.raises(Refusal) as refused:
        await coordinators.invitation_link(two.db, approval_id, by=OLENA, now=NOW, ttl=TTL)
    assert refused.value.code is Code.APPROVAL_DECIDED
    assert await two.db.fetch_value("SELECT count(*) FROM invites") == 3  # the members' only


async def test_a_member_cannot_use_a_coordinator_invitation(one: World) -> None:
    done = await one.done(AddCoordinator(None))
    assert isinstance(done.result, approvals.CoordinatorInvited)
    issued = done.result.invitation
    assert issued is not None
    member = one.members[0]
    assert member.telegram_user_id is not None
    used = await membership.redeem_invite(
        one.db, issued.token, telegram_user_id=member.telegram_user_id, display_name="M",
        language="en", now=NOW,
    )  # fmt: skip
    assert used == membership.AlreadyBound("Viasna")
    assert not await coordinators.is_active(one.db, member.telegram_user_id)
    invited = await coordinators_get(one, issued.contact_id)
    assert invited.status is ContactStatus.INVITED  # still waiting for its person


async def test_a_coordinators_account_cannot_join_an_organisation(one: World) -> None:
    issued = await membership.issue_invite(
        one.db, VIASNA, label=None, created_by=OLENA, actor="cli", now=NOW, ttl=TTL
    )
    used = await membership.redeem_invite(
        one.db, issued.token, telegram_user_id=OLENA, display_name="Olena", language="en",
        now=NOW,
    )  # fmt: skip
    assert used == membership.AlreadyBound(None)
    assert (await access.identify(one.db, OLENA)).is_coordinator


async def test_an_expired_coordinator_invitation_does_not_work(one: World) -> None:
    done = await one.done(AddCoordinator(None))
    assert isinstance(done.result, approvals.CoordinatorInvited)
    issued = done.result.invitation
    assert issued is not None
    used = await membership.redeem_invite(
        one.db, issued.token, telegram_user_id=2024, display_name="Late", language="en",
        now=issued.expires_at,
    )  # fmt: skip
    assert isinstance(used, membership.InvalidInvite)
    assert not await coordinators.is_active(one.db, 2024)


async def coordinators_get(world: World, contact_id: int) -> coordinators.Coordinator:
    found = await coordinators_repo.get(world.db, contact_id)
    assert found is not None
    return found


async def test_first_heard_records_name_and_language_once(one: World) -> None:
    olena = await one.coordinator(OLENA)
    contact = await contacts_repo.existing(one.db, olena.id)
    await coordinators.first_heard(one.db, contact, display_name="Olena", language="be", now=NOW)
    await coordinators.first_heard(one.db, contact, display_name="Other", language="ru", now=NOW)
    heard = await one.coordinator(OLENA)
    assert (heard.display_name, heard.language) == ("Olena", "be")
    assert await coordinators.languages(one.db) == {OLENA: "be"}
    assert len(await one.events("coordinator.registered")) == 1


async def test_an_invitation_not_used_yet_can_be_withdrawn(two: World) -> None:
    """A link shown on a phone that was then seized must not stay good for a week: the
    invited coordinator is removed (that needs nobody: it only makes things stricter) and
    the link stops working."""
    approved = await two.approved(AddCoordinator("Deputy"))
    assert isinstance(approved.result, approvals.CoordinatorInvited)
    invited = approved.result.coordinator
    approval_id = approved.request.approval.id
    issued = await coordinators.invitation_link(two.db, approval_id, by=OLENA, now=NOW, ttl=TTL)
    withdrawn = await two.done(RemoveCoordinator(invited.id), by=PAVEL)
    assert not withdrawn.alone
    assert await live_ids(two) == [OLENA, PAVEL]
    event = await two.last_event("coordinator.removed")
    assert event["contact_id"] == invited.id and "second_person" not in event["data"]
    used = await membership.redeem_invite(
        two.db, issued.token, telegram_user_id=2024, display_name="Thief", language="en",
        now=NOW,
    )  # fmt: skip
    assert isinstance(used, membership.InvalidInvite)
    assert not await coordinators.is_active(two.db, 2024)
    with pytest.raises(Refusal) as refused:  # once removed, it is gone
        await two.request(RemoveCoordinator(invited.id), by=PAVEL)
    assert refused.value.code is Code.COORDINATOR_NOT_FOUND


async def test_a_joined_coordinator_is_removed_only_with_approval(two: World) -> None:
    approved = await two.approved(AddCoordinator("Deputy"))
    assert isinstance(approved.result, approvals.CoordinatorInvited)
    issued = await coordinators.invitation_link(
        two.db, approved.request.approval.id, by=OLENA, now=NOW, ttl=TTL
    )
    joined = await membership.redeem_invite(
        two.db, issued.token, telegram_user_id=2024, display_name="D", language="en", now=NOW
    )
    assert isinstance(joined, membership.CoordinatorJoined)
    asked = await two.request(RemoveCoordinator(joined.contact.id), by=PAVEL)
    assert isinstance(asked, approvals.Requested)
