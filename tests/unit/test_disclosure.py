"""Issue 16: every signer sees every change to what they signed — and the record says
whether they were shown it; a purge leaves nothing of a letter in the requests about it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.db import approvals as approvals_repo
from bot.db import deliveries as deliveries_repo
from bot.db.types import ApprovalStatus
from bot.services import (
    approvals,
    disclosure,
    letter_export,
    lifecycle,
    membership,
    purge,
    renames,
    responses,
)
from bot.services.approvals import PurgeLetter, RenameOrganisation, ReopenLetter, ReviseLetter
from bot.services.export import render_csv
from bot.services.outbox import OutgoingMessage
from bot.services.refusals import Code, Refusal
from bot.services.responses import OrganisationState
from tests.unit.coalition16 import (
    MINOR,
    NOW,
    OLENA,
    OPPOSITE,
    PAVEL,
    TEXT,
    VIASNA,
    World,
    letter_notice,
)

LATER = NOW + timedelta(hours=2)
UTC = ZoneInfo("UTC")


async def deliver(world: World, like: str) -> None:
    """The outbox sent these messages (at LATER)."""
    await world.db.execute(
        "UPDATE deliveries SET status = 'sending' WHERE dedupe_key LIKE ?", (like,)
    )
    for delivery in await world.deliveries(like):
        await deliveries_repo.mark_sent(world.db, delivery["id"], message_id=1, now=LATER)


async def test_signers_to_tell_are_the_live_contacts_of_organisations_that_signed(
    one: World,
) -> None:
    told = await disclosure.signers_to_tell(one.db, one.letter_id)
    assert [(r.organisation_id, r.contact_id) for r in told] == [(VIASNA, one.members[0].id)]


async def test_a_minor_revision_after_a_signature_is_recorded_with_when_it_was_shown(
    one: World,
) -> None:
    await one.done(ReviseLetter(one.letter_id, MINOR, material=False))
    viasna = one.members[0]
    notices = await one.deliveries(f"letter:1:v2:contact:{viasna.id}:%")
    assert {d["kind"] for d in notices} == {"notice", "fulltext"}  # the diff and the text
    shown = await disclosure.signatures(one.db, one.letter_id)
    assert set(shown) == {VIASNA}  # PEN declined: no signature to disclose
    signature = shown[VIASNA]
    assert signature.version == 1
    assert [(m.number, m.told_at) for m in signature.later_minor] == [(2, None)]
    assert signature.untold == signature.later_minor  # queued is not shown
    await deliver(one, f"letter:1:v2:contact:{viasna.id}:%")
    signature = (await disclosure.signatures(one.db, one.letter_id))[VIASNA]
    assert [(m.number, m.told_at) for m in signature.later_minor] == [(2, LATER)]
    assert signature.untold == ()
    # The signature stands (it was shown), and the CSV says when it was told.
    status = await responses.letter_status(one.db, one.letter_id)
    viasna_state = next(o for o in status.organisations if o.row.organisation_id == VIASNA)
    assert viasna_state.state is OrganisationState.SIGNED
    row = csv_row(await csv_rows(one), "Viasna")
    assert row["valid_for_final_version"] == "yes"
    assert "v2 " + LATER.isoformat(timespec="seconds") in row.values()


async def test_an_organisation_with_no_live_contact_is_not_told_and_must_sign_again(
    one: World,
) -> None:
    viasna = one.members[0]
    await membership.remove_contact(one.db, viasna.id, actor="coordinator:1001", now=NOW)
    assert await disclosure.signers_to_tell(one.db, one.letter_id) == []
    await one.done(ReviseLetter(one.letter_id, MINOR, material=False))
    signature = (await disclosure.signatures(one.db, one.letter_id))[VIASNA]
    assert [(m.number, m.told_at) for m in signature.later_minor] == [(2, None)]
    status = await responses.letter_status(one.db, one.letter_id)
    viasna_state = next(o for o in status.organisations if o.row.organisation_id == VIASNA)
    assert viasna_state.state is OrganisationState.RECONFIRM  # no silent signature
    row = csv_row(await csv_rows(one), "Viasna")
    assert row["valid_for_final_version"] == "no"
    assert "v2 not told" in row.values()


async def test_a_material_revision_is_not_a_later_minor_one(one: World) -> None:
    await one.done(ReviseLetter(one.letter_id, OPPOSITE, material=True))
    assert (await disclosure.signatures(one.db, one.letter_id))[VIASNA].later_minor == ()
    status = await responses.letter_status(one.db, one.letter_id)
    viasna_state = next(o for o in status.organisations if o.row.organisation_id == VIASNA)
    assert viasna_state.state is OrganisationState.RECONFIRM  # asked to sign again


async def test_a_reopening_reaches_the_signers(one: World) -> None:
    await one.close()
    await one.done(ReopenLetter(one.letter_id, NOW + timedelta(days=10)))
    viasna = one.members[0]
    notices = await one.deliveries("letter:1:v1:contact:%:open:%")
    assert viasna.id in {d["contact_id"] for d in notices}


async def csv_rows(world: World) -> list[dict[str, str]]:
    data = await letter_export.export_input(world.db, world.letter_id, now=LATER, zone=UTC)
    text = render_csv(data).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def csv_row(rows: list[dict[str, str]], organisation: str) -> dict[str, str]:
    return next(row for row in rows if organisation in row.values())


# --- a purge clears what requests held ----------------------------------------------------------


async def test_a_purge_clears_what_requests_about_the_letter_held(two: World) -> None:
    db = two.db
    secret = "A paragraph nobody adopted"
    waiting = await two.requested(
        ReviseLetter(two.letter_id, TEXT + "\n\n" + secret, material=False)
    )
    waiting_id = waiting.request.approval.id
    assert secret in (await approvals_repo.get(db, waiting_id)).params  # type: ignore[union-attr]
    # The other coordinators' notices hold the request's description.
    asked = await two.deliveries(f"approval:{waiting_id}:requested:%")
    assert asked and all(secret in d["payload"] for d in asked)
    await two.close()  # closing needs nobody
    purge = await two.requested(PurgeLetter(two.letter_id), by=PAVEL)
    approved = await approvals.approve(db, purge.request.approval.id, by=OLENA, ctx=two.ctx)
    assert isinstance(approved, approvals.Approved)
    ended = await approvals_repo.get(db, waiting_id)
    assert ended is not None and ended.status is ApprovalStatus.CANCELLED
    assert ended.params == "{}"
    cancelled = [
        e for e in await two.events("approval.cancelled") if e["data"]["approval"] == waiting_id
    ]
    assert cancelled and cancelled[0]["data"]["why"] == "purged"
    everything = "\n".join(
        str(tuple(row)) for row in await db.fetch_all("SELECT * FROM approvals")
    ) + "\n".join(str(tuple(row)) for row in await db.fetch_all("SELECT * FROM deliveries"))
    assert secret not in everything
    with pytest.raises(Refusal) as refused:
        await approvals.approve(db, waiting_id, by=OLENA, ctx=two.ctx)
    assert refused.value.code is Code.APPROVAL_DECIDED


async def test_the_forgery_sequence_by_a_single_coordinator_is_told_at_each_step(
    one: World,
) -> None:
    """Reopen → minor revision with the opposite text → close → rename the signatory →
    purge, by the only coordinator: Viasna's contact gets a message at each step, the
    rename waits for Viasna, and every step is marked as done without a second person."""
    db, viasna = one.db, one.members[0]
    await one.close()
    await one.done(ReopenLetter(one.letter_id, NOW + timedelta(days=10)))
    await one.done(ReviseLetter(one.letter_id, OPPOSITE, material=False))
    await lifecycle.close_letter(
        db, one.letter_id, actor="coordinator:1001", now=NOW, compose=letter_notice
    )
    renamed = await one.done(RenameOrganisation(VIASNA, "Viasna (supports the authorities)"))
    assert isinstance(renamed.result, renames.RenameAsked) and renamed.result.asked == 1
    to_viasna = [d["dedupe_key"] for d in await one.deliveries() if d["contact_id"] == viasna.id]
    assert any(key.startswith(f"letter:1:v1:contact:{viasna.id}:open:") for key in to_viasna)
    assert f"letter:1:v2:contact:{viasna.id}:notice" in to_viasna  # the diff
    assert f"letter:1:v2:contact:{viasna.id}:text-1" in to_viasna  # the new text
    assert any(key.startswith(f"letter:1:v2:contact:{viasna.id}:closed:") for key in to_viasna)
    assert any(key.startswith("rename:") for key in to_viasna)
    assert await one.name_of(VIASNA) == "Viasna"  # not without Viasna's yes
    await one.done(PurgeLetter(one.letter_id))
    alone = [a.action for a in await approvals.done_alone(db, one.letter_id)]
    assert alone == [
        "letter.reopened", "version.added", "organisation.rename_requested", "letter.purged",
    ]  # fmt: skip


# --- RETENTION_DAYS: no approval, announced a day ahead -------------------------------------------


def announcement(letter: object, purge_at: object, coordinator: object) -> OutgoingMessage:
    return OutgoingMessage("sendMessage", {"text": f"purge at {purge_at}"})


async def test_a_purge_by_the_clock_is_announced_a_day_ahead_once_per_closing(
    two: World,
) -> None:
    db, retention, day = two.db, timedelta(days=30), timedelta(days=1)
    await two.close()  # closed at NOW
    assert await purge.next_announcement(db, retention=retention) == NOW + retention - day
    early = await purge.announce_purges(
        db, now=NOW + retention - 2 * day, retention=retention, compose=announcement
    )
    assert early == []
    due = await purge.announce_purges(
        db, now=NOW + retention - day, retention=retention, compose=announcement
    )
    assert [(a.letter.id, a.purge_at, a.queued) for a in due] == [
        (two.letter_id, NOW + retention, 2)
    ]
    told = await two.deliveries(f"purge:{two.letter_id}:%")
    assert {d["chat_id"] for d in told} == {OLENA, PAVEL}
    again = await purge.announce_purges(
        db, now=NOW + retention - day, retention=retention, compose=announcement
    )
    assert again == []
    # The clock purges without a request, as the settings agreed.
    purged = await purge.purge_expired(db, now=NOW + retention, retention=retention)
    assert [p.letter_id for p in purged] == [two.letter_id]
    event = await two.last_event("letter.purged")
    assert event["actor"] == "system" and "second_person" not in event["data"]
    assert await approvals_repo.pending(db) == []


async def test_a_letter_reopened_and_closed_again_is_announced_again(one: World) -> None:
    db, retention, day = one.db, timedelta(days=30), timedelta(days=1)
    await one.close()
    first = await purge.announce_purges(
        db, now=NOW + retention - day, retention=retention, compose=announcement
    )
    assert len(first) == 1
    reopened_at = NOW + retention - day + timedelta(hours=1)
    await one.done(ReopenLetter(one.letter_id, reopened_at + 10 * day), by=OLENA)
    await lifecycle.close_letter(
        db, one.letter_id, actor="coordinator:1001", now=reopened_at, compose=letter_notice
    )
    second = await purge.announce_purges(
        db, now=reopened_at + retention - day, retention=retention, compose=announcement
    )
    assert [a.purge_at for a in second] == [reopened_at + retention]
