"""Issue 16: renaming an organisation that has responded waits for the organisation."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.db.types import RenameStatus
from bot.services import approvals, letter_export, membership, org_names, renames, responses
from bot.services.approvals import RemoveOrganisation, RenameOrganisation
from bot.services.audit_check import check_audit
from bot.services.refusals import Code, Refusal
from tests.unit.coalition16 import NEVER, NOW, PEN, VIASNA, World, join


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


# --- a name in a language's list (issue 17's /orgname) takes the same path ---------------------


async def be_name(world: World, organisation_id: int) -> str:
    return (await org_names.listed(world.db, organisation_id)).name_in("be")


async def test_a_listed_name_of_an_organisation_that_signed_waits_for_it(one: World) -> None:
    done = await one.done(RenameOrganisation(VIASNA, "Вясна (за ўладу)", language="BE"))
    assert done.alone and isinstance(done.result, renames.RenameAsked)
    rename = done.result.rename
    assert (rename.language, rename.old_name, rename.new_name) == (
        "be", "Viasna", "Вясна (за ўладу)",
    )  # fmt: skip
    assert done.result.asked == 1
    assert await be_name(one, VIASNA) == "Viasna"  # not yet
    assert await renames.waiting(one.db) == {}  # the primary name is not changing
    assert (await renames.waiting_listed(one.db))[(VIASNA, "be")].id == rename.id
    requested = await one.last_event("organisation.rename_requested")
    assert requested["data"]["language"] == "be"
    decided = await renames.confirm(one.db, one.members[0], rename.id, now=NOW)
    assert decided.confirmed and decided.rename.status is RenameStatus.CONFIRMED
    assert await be_name(one, VIASNA) == "Вясна (за ўладу)"
    assert await one.name_of(VIASNA) == "Viasna"  # the primary name is another list's
    event = await one.last_event("organisation.listed_name")
    assert event["data"] == {
        "rename": rename.id, "confirmed_by": f"contact:{one.members[0].id}",
        "language": "be", "old": None, "new": "Вясна (за ўладу)",
    }  # fmt: skip


async def test_keep_old_keeps_the_listed_name(one: World) -> None:
    done = await one.done(RenameOrganisation(VIASNA, "Вясна (за ўладу)", language="be"))
    assert isinstance(done.result, renames.RenameAsked)
    await renames.keep(one.db, one.members[0], done.result.rename.id, now=NOW)
    assert await be_name(one, VIASNA) == "Viasna"
    assert await one.events("organisation.listed_name") == []


async def test_a_listed_name_of_an_organisation_that_never_responded_is_set_at_once(
    one: World,
) -> None:
    done = await one.done(RenameOrganisation(NEVER, "Заўсёды адказвае", language="be"))
    assert not done.alone and isinstance(done.result, org_names.ListedNameChange)
    assert await be_name(one, NEVER) == "Заўсёды адказвае"
    assert "second_person" not in (await one.last_event("organisation.listed_name"))["data"]


async def test_clearing_a_listed_name_of_one_that_responded_waits_too(one: World) -> None:
    await one.done(RenameOrganisation(NEVER, "Заўсёды адказвае", language="be"))
    await responses.decline(one.db, one.members[2], one.letter_id, one.version_id, None, now=NOW)
    done = await one.done(RenameOrganisation(NEVER, "-", language="be"))
    assert isinstance(done.result, renames.RenameAsked)
    rename = done.result.rename
    assert (rename.old_name, rename.new_name) == ("Заўсёды адказвае", "Never Answers")
    assert await be_name(one, NEVER) == "Заўсёды адказвае"
    await renames.confirm(one.db, one.members[2], rename.id, now=NOW)
    assert await be_name(one, NEVER) == "Never Answers"
    assert (await org_names.listed(one.db, NEVER)).names == {}


async def test_a_listed_name_change_needs_a_second_coordinator(two: World) -> None:
    asked = await two.requested(RenameOrganisation(VIASNA, "Вясна (за ўладу)", language="be"))
    description = asked.request.description
    assert (description.language, description.new_name) == ("be", "Вясна (за ўладу)")
    assert await renames.waiting_listed(two.db) == {}
    approved = await approvals.approve(two.db, asked.request.approval.id, by=1002, ctx=two.ctx)
    assert isinstance(approved.result, renames.RenameAsked)
    assert approved.result.rename.language == "be"
    assert await be_name(two, VIASNA) == "Viasna"


async def test_primary_and_listed_renames_wait_side_by_side(one: World) -> None:
    primary = await asked(one, VIASNA, "Viasna Centre")
    listed = await one.done(RenameOrganisation(VIASNA, "Вясна", language="be"))
    assert isinstance(listed.result, renames.RenameAsked)
    assert listed.result.replaced is None  # another list's rename is not replaced
    assert (await renames.waiting(one.db))[VIASNA].id == primary.rename.id
    newcomer = await join(one.db, VIASNA, 7000)
    asked_again = await renames.ask_new_contact(
        one.db, newcomer, now=NOW, ask=lambda r, c: one.ctx.rename_question(r, c)
    )
    assert asked_again == 2
    await one.done(RemoveOrganisation(VIASNA))
    assert await renames.waiting(one.db) == {} and await renames.waiting_listed(one.db) == {}


async def test_a_listed_rename_overtaken_by_a_primary_rename_ends(one: World) -> None:
    """The be list shows the primary name; the organisation renames itself first: the
    change asked of the be list no longer starts from what it shows, so it ends."""
    listed = await one.done(RenameOrganisation(VIASNA, "Вясна", language="be"))
    assert isinstance(listed.result, renames.RenameAsked)
    primary = await asked(one, VIASNA, "Viasna Centre")
    await renames.confirm(one.db, one.members[0], primary.rename.id, now=NOW)
    with pytest.raises(Refusal) as refused:
        await renames.confirm(one.db, one.members[0], listed.result.rename.id, now=NOW)
    assert refused.value.code is Code.RENAME_NOT_PENDING
    assert await be_name(one, VIASNA) == "Viasna Centre"
    assert await renames.waiting_listed(one.db) == {}
    event = await one.last_event("organisation.rename_cancelled")
    assert event["data"] == {"rename": listed.result.rename.id, "why": "changed"}


async def test_an_unchanged_listed_name_is_refused(one: World) -> None:
    with pytest.raises(Refusal) as refused:
        await one.request(RenameOrganisation(VIASNA, "-", language="be"))
    assert refused.value.code is Code.ORG_NAME_UNCHANGED
    with pytest.raises(Refusal) as refused:
        await one.request(RenameOrganisation(VIASNA, "Viasna", language="xx"))
    assert refused.value.code is Code.LANGUAGE_UNKNOWN


async def test_audit_verify_names_a_rename_moved_to_another_list(one: World) -> None:
    done = await one.done(RenameOrganisation(VIASNA, "Вясна", language="be"))
    assert isinstance(done.result, renames.RenameAsked)
    await one.db.execute("UPDATE organisation_renames SET language = NULL")
    check = await check_audit(one.db)
    assert not check.ok and check.record.first is not None
    assert check.record.first.table == "organisation_renames"
    await one.db.execute("UPDATE organisation_renames SET language = 'be'")
