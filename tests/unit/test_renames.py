"""Issue 16: renaming an organisation that has responded waits for the organisation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.db.types import RenameStatus
from bot.services import approvals, letter_export, membership, renames, responses
from bot.services.approvals import RemoveOrganisation, RenameOrganisation
from bot.services.audit_check import check_audit
from bot.services.refusals import Code, Refusal
from tests.unit.coalition16 import NEVER, NOW, OLENA, PEN, VIASNA, World, build, join


@pytest.fixture
async def one(tmp_path: Path) -> AsyncIterator[World]:
    """A single coordinator: renames are done (or asked) at once, without approval."""
    world = await build(tmp_path / "bot.db", (OLENA,))
    yield world
    await world.finish()


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[World]:
    world = await build(tmp_path / "bot.db")
    yield world
    await world.finish()


async def asked(world: World, organisation_id: int, name: str) -> renames.RenameAsked:
    done = await world.done(RenameOrganisation(organisation_id, name))
    assert isinstance(done.result, renames.RenameAsked), done.result
    return done.result


async def listed_names(world: World) -> dict[int, str]:
    status = await responses.letter_status(world.db, world.letter_id)
    return {o.row.organisation_id: o.row.organisation_name for o in status.organisations}


async def test_a_rename_of_an_organisation_that_signed_waits_for_it(one: World) -> None:
    result = await asked(one, VIASNA, "Viasna (supports the authorities)")
    rename = result.rename
    assert rename.pending and rename.old_name == "Viasna"
    assert rename.new_name == "Viasna (supports the authorities)"
    assert result.asked == 1 and result.replaced is None
    assert await one.name_of(VIASNA) == "Viasna"  # not yet
    assert (await renames.waiting(one.db))[VIASNA].id == rename.id
    question = await one.deliveries(f"rename:{rename.id}:contact:%")
    assert [d["chat_id"] for d in question] == [one.members[0].telegram_user_id]
    event = await one.last_event("organisation.rename_requested")
    assert event["data"]["second_person"] is False  # one coordinator alone
    assert await one.events("organisation.renamed") == []


async def test_lists_and_exports_show_the_old_name_until_confirmed(one: World) -> None:
    await asked(one, VIASNA, "Viasna Centre")
    assert (await listed_names(one))[VIASNA] == "Viasna"
    entries = {
        e.organisation.id: e.organisation.name for e in await membership.all_organisations(one.db)
    }
    assert entries[VIASNA] == "Viasna"
    export = await letter_export.export_input(one.db, one.letter_id, now=NOW, zone=ZoneInfo("UTC"))
    assert "Viasna" in [row.organisation for row in export.rows]
    assert "Viasna Centre" not in [row.organisation for row in export.rows]


async def test_use_new_renames_it_audited_with_who_confirmed(one: World) -> None:
    rename = (await asked(one, VIASNA, "Viasna Centre")).rename
    viasna = one.members[0]
    decided = await renames.confirm(one.db, viasna, rename.id, now=NOW)
    assert decided.confirmed and decided.organisation.name == "Viasna Centre"
    assert decided.rename.status is RenameStatus.CONFIRMED
    assert decided.rename.decided_by_contact == viasna.id
    assert await one.name_of(VIASNA) == "Viasna Centre"
    assert (await listed_names(one))[VIASNA] == "Viasna Centre"
    event = await one.last_event("organisation.renamed")
    assert event["actor"] == f"contact:{viasna.id}"
    assert event["data"] == {
        "rename": rename.id, "confirmed_by": f"contact:{viasna.id}", "old": "Viasna",
        "new": "Viasna Centre",
    }  # fmt: skip
    assert await renames.waiting(one.db) == {}
    with pytest.raises(Refusal) as refused:  # answered once
        await renames.keep(one.db, viasna, rename.id, now=NOW)
    assert refused.value.code is Code.RENAME_NOT_PENDING


async def test_keep_old_keeps_the_name(one: World) -> None:
    rename = (await asked(one, VIASNA, "Viasna (supports the authorities)")).rename
    viasna = one.members[0]
    decided = await renames.keep(one.db, viasna, rename.id, now=NOW)
    assert not decided.confirmed and decided.rename.status is RenameStatus.KEPT
    assert await one.name_of(VIASNA) == "Viasna"
    event = await one.last_event("organisation.rename_kept")
    assert event["data"] == {"rename": rename.id, "kept": "Viasna"}
    assert await one.events("organisation.renamed") == []
    with pytest.raises(Refusal):
        await renames.confirm(one.db, viasna, rename.id, now=NOW)
    assert await one.name_of(VIASNA) == "Viasna"


async def test_a_decline_counts_as_having_responded(one: World) -> None:
    await asked(one, PEN, "PEN Belarus")  # PEN declined: still its record
    assert await one.name_of(PEN) == "Belarusian PEN"


async def test_an_organisation_that_never_responded_is_renamed_at_once(one: World) -> None:
    done = await one.done(RenameOrganisation(NEVER, "Always Answers"))
    assert not done.alone and isinstance(done.result, renames.Renamed)
    assert await one.name_of(NEVER) == "Always Answers"
    assert await renames.waiting(one.db) == {}


async def test_a_new_rename_replaces_one_still_waiting(one: World) -> None:
    first = (await asked(one, VIASNA, "Viasna One")).rename
    second = await asked(one, VIASNA, "Viasna Two")
    assert second.replaced is not None and second.replaced.id == first.id
    cancelled = await one.last_event("organisation.rename_cancelled")
    assert cancelled["data"] == {"rename": first.id, "why": "replaced"}
    assert (await renames.waiting(one.db))[VIASNA].new_name == "Viasna Two"
    with pytest.raises(Refusal) as refused:  # the replaced question's buttons
        await renames.confirm(one.db, one.members[0], first.id, now=NOW)
    assert refused.value.code is Code.RENAME_NOT_PENDING
    await renames.confirm(one.db, one.members[0], second.rename.id, now=NOW)
    assert await one.name_of(VIASNA) == "Viasna Two"


async def test_only_a_contact_of_the_organisation_answers(one: World) -> None:
    rename = (await asked(one, VIASNA, "Viasna Centre")).rename
    pen = one.members[1]
    for answer in (renames.confirm, renames.keep):
        with pytest.raises(Refusal) as refused:
            await answer(one.db, pen, rename.id, now=NOW)
        assert refused.value.code is Code.RENAME_NOT_PENDING
    with pytest.raises(Refusal):
        await renames.confirm(one.db, one.members[0], 999, now=NOW)
    assert await one.name_of(VIASNA) == "Viasna"


async def test_a_removed_contact_cannot_answer(one: World) -> None:
    rename = (await asked(one, VIASNA, "Viasna Centre")).rename
    viasna = one.members[0]
    await membership.remove_contact(one.db, viasna.id, actor="coordinator:1001", now=NOW)
    with pytest.raises(Refusal):
        await renames.confirm(one.db, viasna, rename.id, now=NOW)
    assert await one.name_of(VIASNA) == "Viasna"


async def test_an_organisation_with_no_live_contact_waits(one: World) -> None:
    viasna = one.members[0]
    await membership.remove_contact(one.db, viasna.id, actor="coordinator:1001", now=NOW)
    result = await asked(one, VIASNA, "Viasna Centre")
    assert result.asked == 0  # nobody can answer: it waits
    assert result.rename.pending
    assert await one.name_of(VIASNA) == "Viasna"
    # A contact who joins later is asked.
    newcomer = await join(one.db, VIASNA, 7000)
    assert await renames.ask_new_contact(
        one.db, newcomer, now=NOW, ask=lambda r, c: one.ctx.rename_question(r, c)
    ) == 1  # fmt: skip
    assert [d["chat_id"] for d in await one.deliveries(f"rename:{result.rename.id}:%")] == [7000]
    await renames.confirm(one.db, newcomer, result.rename.id, now=NOW)
    assert await one.name_of(VIASNA) == "Viasna Centre"


async def test_removing_the_organisation_cancels_its_waiting_rename(one: World) -> None:
    rename = (await asked(one, VIASNA, "Viasna Centre")).rename
    await one.done(RemoveOrganisation(VIASNA))
    assert await renames.waiting(one.db) == {}
    event = await one.last_event("organisation.rename_cancelled")
    assert event["data"] == {"rename": rename.id, "why": "removed"}


async def test_a_name_taken_meanwhile_is_not_applied(one: World) -> None:
    rename = (await asked(one, VIASNA, "Viasna Centre")).rename
    await one.done(RenameOrganisation(NEVER, "Viasna Centre"))  # never responded: at once
    with pytest.raises(Refusal) as refused:
        await renames.confirm(one.db, one.members[0], rename.id, now=NOW)
    assert refused.value.code is Code.RENAME_NOT_PENDING
    assert await one.name_of(VIASNA) == "Viasna"
    # It can never be applied: it no longer waits (coordinators would see it for ever).
    assert await renames.waiting(one.db) == {}
    event = await one.last_event("organisation.rename_cancelled")
    assert event["data"] == {"rename": rename.id, "why": "name taken"}
    check = await check_audit(one.db)
    assert check.ok, check.record.first


async def test_with_two_coordinators_the_rename_is_asked_after_approval(two: World) -> None:
    requested = await two.requested(RenameOrganisation(VIASNA, "Viasna Centre"))
    assert await renames.waiting(two.db) == {}  # nobody asked the organisation yet
    approval_id = requested.request.approval.id
    approved = await approvals.approve(two.db, approval_id, by=1002, ctx=two.ctx)
    assert isinstance(approved, approvals.Approved)
    assert isinstance(approved.result, renames.RenameAsked)
    rename = (await renames.waiting(two.db))[VIASNA]
    assert rename.approval_id == approval_id
    event = await two.last_event("organisation.rename_requested")
    assert event["data"]["approval"] == approval_id
    assert event["data"]["approved_by"] == "coordinator:1002"
    assert await two.name_of(VIASNA) == "Viasna"  # still the organisation's to agree
    await renames.confirm(two.db, two.members[0], rename.id, now=NOW + timedelta(hours=1))
    assert await two.name_of(VIASNA) == "Viasna Centre"
