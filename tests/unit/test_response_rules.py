"""bot/services/responses.py without Telegram: what a member's sign, decline, withdraw and
comment are checked against, what they record, and what the log keeps of them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.db import contacts as contacts_repo
from bot.db import responses as responses_repo
from bot.db.letters import Letter, Version
from bot.db.types import ContactStatus, Decision, LetterStatus, Listing
from bot.services import responses
from bot.services.refusals import Code
from bot.services.responses import MAX_COMMENT, MAX_REASON, OrganisationState, check_answerable
from bot.services.signer import Signer
from bot.services.witnesses import response_witness
from tests.unit.letter_world import MINOR, NOW, TEXT, World, refused, world

__all__ = ["world"]

LATER = NOW + timedelta(hours=1)


# --- sign -------------------------------------------------------------------------------------


async def test_a_signature_records_the_version_and_listing_and_carries_the_receipt(
    world: World,
) -> None:
    [anna] = await world.organisation("Viasna")
    letter, version = await world.open_letter()
    outcome = await responses.sign(world.db, anna, letter.id, version.id, Listing.NAMED, now=LATER)
    assert outcome.changed and outcome.previous is None
    response = outcome.response
    assert (response.decision, response.version_id, response.listing) == (
        Decision.SIGNED, version.id, Listing.NAMED,
    )  # fmt: skip
    assert (response.contact_id, response.updated_at, response.reason) == (anna.id, LATER, None)
    # What the receipt shows: organisation, title, version (number and fingerprint).
    target = outcome.target
    assert (target.organisation_name, target.letter.title) == ("Viasna", "Joint letter")
    assert (target.version.number, target.version.fingerprint) == (1, version.fingerprint)
    # ... and its witness code: the event of this very answer.
    [event] = await world.events("response.signed")
    assert event["data"] == {
        "version": 1, "fingerprint": version.fingerprint, "listing": "named",
        "reason_given": False, "previous": None,
    }  # fmt: skip
    assert (event["actor"], event["organisation_id"], event["contact_id"]) == (
        f"contact:{anna.id}", anna.organisation_id, anna.id,
    )  # fmt: skip
    code = await response_witness(world.db, letter.id, anna.organisation_id or 0)
    assert code is not None and code.startswith(f"#{event['id']}-")


async def test_the_same_answer_twice_changes_nothing_and_logs_nothing(world: World) -> None:
    [anna] = await world.organisation("Viasna")
    letter, version = await world.open_letter()
    first = await responses.sign(world.db, anna, letter.id, version.id, Listing.NAMED, now=NOW)
    again = await responses.sign(world.db, anna, letter.id, version.id, Listing.NAMED, now=LATER)
    assert not again.changed and again.previous == first.response
    assert again.response.updated_at == NOW
    assert len(await world.events("response.signed")) == 1


async def test_one_response_per_organisation_whichever_contact_answers(world: World) -> None:
    anna, boris = await world.organisation("Viasna", contacts=2)
    letter, version = await world.open_letter()
    await responses.sign(world.db, anna, letter.id, version.id, Listing.NAMED, now=NOW)
    same = await responses.sign(world.db, boris, letter.id, version.id, Listing.NAMED, now=LATER)
    assert not same.changed  # a colleague's identical answer is a double tap
    changed = await responses.sign(
        world.db, boris, letter.id, version.id, Listing.ANONYMOUS, now=LATER
    )
    assert changed.changed and changed.previous is not None
    assert changed.previous.listing is Listing.NAMED
    assert (changed.response.listing, changed.response.contact_id) == (Listing.ANONYMOUS, boris.id)
    rows = await world.db.fetch_all("SELECT * FROM responses WHERE letter_id = ?", (letter.id,))
    assert len(rows) == 1
    events = await world.events("response.signed")
    assert [e["data"]["listing"] for e in events] == ["named", "anonymous"]
    assert events[1]["data"]["previous"] == "signed"


async def test_a_letter_the_organisation_did_not_receive_is_unknown_whatever_it_is(
    world: World,
) -> None:
    """Draft, missing, another organisation's: one refusal, so forged data learns nothing."""
    [anna] = await world.organisation("Viasna")
    draft, draft_version = await world.draft()
    theirs, theirs_version = await world.draft()
    [boris] = await world.organisation("Belarusian PEN")
    await world.circulate(theirs.id, [world.organisations["Belarusian PEN"]])
    for letter_id, version_id in (
        (draft.id, draft_version.id),
        (theirs.id, theirs_version.id),
        (999, 1),
    ):
        with refused(Code.UNKNOWN_TO_MEMBER):
            await responses.sign(world.db, anna, letter_id, version_id, Listing.NAMED, now=NOW)
    # The right letter with a version of another letter is as unknown.
    await world.circulate(draft.id)
    with refused(Code.UNKNOWN_TO_MEMBER):
        await responses.sign(world.db, boris, draft.id, theirs_version.id, Listing.NAMED, now=NOW)
    assert await world.events("response.signed") == []


async def test_a_removed_contact_cannot_answer_and_a_blocked_one_still_can(world: World) -> None:
    anna, boris = await world.organisation("Viasna", contacts=2)
    letter, version = await world.open_letter()
    removed = await world.set_status(anna, ContactStatus.REMOVED)
    with refused(Code.UNKNOWN_TO_MEMBER):
        await responses.sign(world.db, removed, letter.id, version.id, Listing.NAMED, now=NOW)
    blocked = await world.set_status(boris, ContactStatus.UNREACHABLE)
    outcome = await responses.sign(world.db, blocked, letter.id, version.id, Listing.NAMED, now=NOW)
    assert outcome.changed


async def test_a_closed_letter_takes_no_answer(world: World) -> None:
    [anna] = await world.organisation("Viasna")
    letter, version = await world.open_letter()
    await world.close(letter.id)
    with refused(Code.ANSWERS_CLOSED):
        await responses.sign(world.db, anna, letter.id, version.id, Listing.NAMED, now=NOW)
    with refused(Code.ANSWERS_CLOSED):
        await responses.decline(world.db, anna, letter.id, version.id, None, now=NOW)
    with refused(Code.ANSWERS_CLOSED):
        await responses.add_comment(world.db, anna, letter.id, version.id, "Late", now=NOW)


async def test_a_material_revision_supersedes_earlier_versions_a_minor_one_does_not(
    world: World,
) -> None:
    viasna, pen = (await world.organisation("Viasna"))[0], (await world.organisation("PEN"))[0]
    letter, first = await world.open_letter()
    minor = (await world.revise(letter.id, MINOR, material=False)).version
    # After a minor revision the first version still takes answers.
    await responses.sign(world.db, viasna, letter.id, first.id, Listing.NAMED, now=NOW)
    material = (await world.revise(letter.id, TEXT + "\n\nAnd more.", material=True)).version
    for version in (first, minor):
        with refused(Code.VERSION_SUPERSEDED) as caught:
            await responses.sign(world.db, pen, letter.id, version.id, Listing.NAMED, now=NOW)
        assert caught.value.data["latest"] == material.number == 3
        with refused(Code.VERSION_SUPERSEDED):
            await responses.decline(world.db, pen, letter.id, version.id, None, now=NOW)
        with refused(Code.VERSION_SUPERSEDED):
            await responses.add_comment(world.db, pen, letter.id, version.id, "Hm", now=NOW)
    outcome = await responses.sign(world.db, pen, letter.id, material.id, Listing.NAMED, now=NOW)
    assert outcome.target.latest == material
    status = await responses.letter_status(world.db, letter.id)
    states = {o.row.organisation_name: o.state for o in status.organisations}
    assert states == {"Viasna": OrganisationState.RECONFIRM, "PEN": OrganisationState.SIGNED}


def test_a_published_letter_is_answered_on_its_published_version_only() -> None:
    """``check_answerable`` on versions as they are: published, only the latest counts."""
    letter = Letter(
        1, "t", LetterStatus.OPEN, "en", NOW, "Europe/Zurich", None, None, NOW, NOW, None, None
    )
    one = Version(1, 1, 1, "a", "0123abcd", True, "text", None, None, None, NOW)
    two = replace(one, id=2, number=2, fingerprint="89abcdef", material=False)
    check_answerable(letter, one, [one, two], published=False)  # minor: still answerable
    check_answerable(letter, two, [one, two], published=True)
    with refused(Code.VERSION_NOT_PUBLISHED) as caught:
        check_answerable(letter, one, [one, two], published=True)
    assert "89abcdef"[:4] in str(caught.value.data["latest"])


async def test_a_letter_listing_the_person_signing_needs_one_and_remembers_it(
    world: World,
) -> None:
    anna, boris = await world.organisation("Viasna", contacts=2)
    letter, version = await world.open_letter(ask_signer=True)
    with refused(Code.SIGNER_NEEDED):
        await responses.sign(world.db, anna, letter.id, version.id, Listing.NAMED, now=NOW)
    person = Signer("Anna Kowalska", "Director")
    outcome = await responses.sign(
        world.db, anna, letter.id, version.id, Listing.NAMED, now=NOW, person=person
    )
    assert (outcome.response.signer_name, outcome.response.signer_title) == (
        "Anna Kowalska", "Director",
    )  # fmt: skip
    # The person is not in the log (personal data, purged with the letter); that one was is.
    [event] = await world.events("response.signed")
    assert event["data"]["signer"] is True
    assert "Anna" not in str(event["data"])
    # Remembered for the contact: the next letter takes it without asking again.
    second, second_version = await world.open_letter(ask_signer=True)
    again = await responses.sign(
        world.db, anna, second.id, second_version.id, Listing.NAMED, now=NOW
    )
    assert again.response.signer_name == "Anna Kowalska"
    # ... for that contact only: a colleague is asked.
    with refused(Code.SIGNER_NEEDED):
        await responses.sign(world.db, boris, second.id, second_version.id, Listing.NAMED, now=NOW)


async def test_another_person_signing_is_a_new_answer(world: World) -> None:
    [anna] = await world.organisation("Viasna")
    letter, version = await world.open_letter(ask_signer=True)
    sign = responses.sign
    await sign(world.db, anna, letter.id, version.id, Listing.NAMED, now=NOW, person=Signer("A"))
    same = await sign(world.db, anna, letter.id, version.id, Listing.NAMED, now=NOW)
    assert not same.changed
    other = await sign(
        world.db, anna, letter.id, version.id, Listing.NAMED, now=NOW, person=Signer("B", "Head")
    )
    assert other.changed and other.response.signer_name == "B"


async def test_a_letter_without_signers_stores_none_even_when_given(world: World) -> None:
    [anna] = await world.organisation("Viasna")
    letter, version = await world.open_letter()
    outcome = await responses.sign(
        world.db, anna, letter.id, version.id, Listing.NAMED, now=NOW, person=Signer("Anna")
    )
    assert outcome.response.signer_name is None
    assert (await contacts_repo.existing(world.db, anna.id)).signer_name is None


# --- decline ----------------------------------------------------------------------------------


async def test_a_decline_keeps_its_reason_trimmed_and_logs_only_that_there_was_one(
    world: World,
) -> None:
    [anna] = await world.organisation("Viasna")
    letter, version = await world.open_letter()
    outcome = await responses.decline(
        world.db, anna, letter.id, version.id, "  Not our mandate \n", now=NOW
    )
    response = outcome.response
    assert (response.decision, response.reason) == (Decision.DECLINED, "Not our mandate")
    assert (response.version_id, response.listing) == (version.id, None)
    [event] = await world.events("response.declined")
    assert event["data"]["reason_given"] is True and "mandate" not in str(event["data"])


async def test_skip_after_a_reason_keeps_the_reason(world: World) -> None:
    [anna] = await world.organisation("Viasna")
    letter, version = await world.open_letter()
    await responses.decline(world.db, anna, letter.id, version.id, "Not now", now=NOW)
    skipped = await responses.decline(world.db, anna, letter.id, version.id, None, now=LATER)
    assert not skipped.changed and skipped.response.reason == "Not now"
    changed = await responses.decline(world.db, anna, letter.id, version.id, "Later", now=LATER)
    assert changed.changed and changed.response.reason == "Later"


@pytest.mark.parametrize(
    ("reason", "code"),
    [("   \n ", Code.REASON_EMPTY), ("x" * (MAX_REASON + 1), Code.REASON_TOO_LONG)],
)
async def test_a_reason_must_say_something_and_fit(world: World, reason: str, code: Code) -> None:
    [anna] = await world.organisation("Viasna")
    letter, version = await world.open_letter()
    with refused(code):
        await responses.decline(world.db, anna, letter.id, version.id, reason, now=NOW)
    assert await responses_repo.get(world.db, letter.id, anna.organisation_id or 0) is None


async def test_a_reason_of_the_greatest_length_is_taken_whole(world: World) -> None:
    [anna] = await world.organisation("Viasna")
    letter, version = await world.open_letter()
    reason = "я" * MAX_REASON
    outcome = await responses.decline(world.db, anna, letter.id, version.id, reason, now=NOW)
    assert outcome.response.reason == reason


async def test_signing_after_declining_clears_the_reason(world: World) -> None:
    [anna] = await world.organisation("Viasna")
    letter, version = await world.open_letter()
    await responses.decline(world.db, anna, letter.id, version.id, "No", now=NOW)
    outcome = await responses.sign(world.db, anna, letter.id, version.id, Listing.NAMED, now=NOW)
    assert outcome.previous is not None and outcome.previous.decision is Decision.DECLINED
    assert outcome.response.reason is None


# --- withdraw ---------------------------------------------------------------------------------


async def test_only_a_signature_can_be_withdrawn(world: World) -> None:
    [anna] = await world.organisation("Viasna")
    letter, version = await world.open_letter()
    with refused(Code.NOTHING_TO_WITHDRAW):  # no answer yet
        await responses.withdraw(world.db, anna, letter.id, now=NOW)
    await responses.decline(world.db, anna, letter.id, version.id, None, now=NOW)
    with refused(Code.NOTHING_TO_WITHDRAW):
        await responses.withdraw(world.db, anna, letter.id, now=NOW)
    await responses.sign(world.db, anna, letter.id, version.id, Listing.NAMED, now=NOW)
    outcome = await responses.withdraw(world.db, anna, letter.id, now=LATER)
    assert outcome.changed
    assert (outcome.response.decision, outcome.response.version_id) == (Decision.WITHDRAWN, None)
    assert outcome.response.listing is None
    with refused(Code.NOTHING_TO_WITHDRAW):  # withdrawn already
        await responses.withdraw(world.db, anna, letter.id, now=LATER)
    [event] = await world.events("response.withdrawn")
    assert event["data"]["previous"] == "signed"
    status = await responses.letter_status(world.db, letter.id)
    assert status.organisations[0].state is OrganisationState.WITHDRAWN
    assert status.tally.pending == 1 and status.organisations[0].waiting


async def test_a_signature_of_a_superseded_version_can_still_be_withdrawn(world: World) -> None:
    [anna] = await world.organisation("Viasna")
    letter, version = await world.open_letter()
    await responses.sign(world.db, anna, letter.id, version.id, Listing.NAMED, now=NOW)
    latest = (await world.revise(letter.id, TEXT + " More.", material=True)).version
    target = await responses.withdrawable(world.db, anna, letter.id)
    assert target.version == latest
    outcome = await responses.withdraw(world.db, anna, letter.id, now=NOW)
    assert outcome.response.decision is Decision.WITHDRAWN


async def test_withdrawing_is_refused_once_the_letter_is_closed_or_unknown(world: World) -> None:
    [anna] = await world.organisation("Viasna")
    [boris] = await world.organisation("PEN")
    letter, version = await world.open_letter()
    await responses.sign(world.db, anna, letter.id, version.id, Listing.NAMED, now=NOW)
    await world.close(letter.id)
    with refused(Code.ANSWERS_CLOSED):
        await responses.withdraw(world.db, anna, letter.id, now=NOW)
    mine, _ = await world.draft()
    with refused(Code.UNKNOWN_TO_MEMBER):  # before anything else about the letter
        await responses.withdrawable(world.db, boris, mine.id)
    with refused(Code.UNKNOWN_TO_MEMBER):
        await responses.withdrawable(world.db, boris, 999)


# --- comments ---------------------------------------------------------------------------------


async def test_a_comment_is_stored_trimmed_on_its_version_and_logged_without_its_text(
    world: World,
) -> None:
    [anna] = await world.organisation("Viasna")
    letter, version = await world.open_letter()
    target, comment = await responses.add_comment(
        world.db, anna, letter.id, version.id, "  Please add a date. ", now=NOW
    )
    assert (comment.body, comment.version_id, comment.contact_id) == (
        "Please add a date.", version.id, anna.id,
    )  # fmt: skip
    assert comment.organisation_id == target.organisation_id == anna.organisation_id
    [event] = await world.events("comment.added")
    assert event["data"] == {"comment_id": comment.id, "version": 1}


@pytest.mark.parametrize(
    ("body", "code"),
    [(" \n\t", Code.COMMENT_EMPTY), ("x" * (MAX_COMMENT + 1), Code.COMMENT_TOO_LONG)],
)
async def test_a_comment_must_say_something_and_fit(world: World, body: str, code: Code) -> None:
    [anna] = await world.organisation("Viasna")
    letter, version = await world.open_letter()
    with refused(code):
        await responses.add_comment(world.db, anna, letter.id, version.id, body, now=NOW)


async def test_a_reply_goes_to_the_member_who_commented_while_they_are_active(
    world: World,
) -> None:
    anna, boris = await world.organisation("Viasna", contacts=2)
    letter, version = await world.open_letter()
    _, comment = await responses.add_comment(world.db, anna, letter.id, version.id, "Q?", now=NOW)
    reply = await responses.reply_to_comment(
        world.db, comment.id, " A. ", coordinator_id=1001, now=NOW
    )
    assert (reply.reply.body, reply.reply.parent_id, reply.member.id) == ("A.", comment.id, anna.id)
    assert reply.member_chat == anna.telegram_user_id
    [event] = await world.events("comment.replied")
    assert event["data"] == {"comment_id": comment.id, "reply_id": reply.reply.id}
    with refused(Code.COMMENT_NOT_FOUND):  # a reply is not a member's comment
        await responses.reply_to_comment(world.db, reply.reply.id, "B", coordinator_id=1, now=NOW)
    with refused(Code.COMMENT_NOT_FOUND):
        await responses.reply_to_comment(world.db, 999, "B", coordinator_id=1, now=NOW)
    _, other = await responses.add_comment(world.db, boris, letter.id, version.id, "Q2", now=NOW)
    await world.set_status(boris, ContactStatus.UNREACHABLE)
    with refused(Code.MEMBER_GONE):
        await responses.reply_to_comment(world.db, other.id, "B", coordinator_id=1, now=NOW)


async def test_the_thread_groups_comments_by_version_with_their_replies(world: World) -> None:
    [anna] = await world.organisation("Viasna")
    letter, first = await world.open_letter()
    _, one = await responses.add_comment(world.db, anna, letter.id, first.id, "One", now=NOW)
    await responses.reply_to_comment(world.db, one.id, "Re", coordinator_id=1001, now=NOW)
    second = (await world.revise(letter.id, MINOR, material=False)).version
    await responses.add_comment(world.db, anna, letter.id, second.id, "Two", now=NOW)
    thread = await responses.comment_thread(world.db, letter.id)
    seen = [(v.number, [(i.comment.body, i.organisation) for i in items]) for v, items in thread]
    assert seen == [
        (1, [("One", "Viasna")]),
        (2, [("Two", "Viasna")]),
    ]
    assert [r.body for r in thread[0][1][0].replies] == ["Re"]


# --- how a letter stands ----------------------------------------------------------------------


async def test_the_tally_counts_each_organisation_once_by_its_state(world: World) -> None:
    [signed] = await world.organisation("Signed")
    [declined] = await world.organisation("Declined")
    await world.organisation("Pending")
    [blocked] = await world.organisation("Blocked")
    await world.organisation("Nobody", contacts=0)
    letter, version = await world.open_letter()
    await responses.sign(world.db, signed, letter.id, version.id, Listing.NAMED, now=NOW)
    await responses.decline(world.db, declined, letter.id, version.id, None, now=NOW)
    await world.set_status(blocked, ContactStatus.UNREACHABLE)
    status = await responses.letter_status(world.db, letter.id)
    assert {o.row.organisation_name: o.state for o in status.organisations} == {
        "Signed": OrganisationState.SIGNED,
        "Declined": OrganisationState.DECLINED,
        "Pending": OrganisationState.PENDING,
        "Blocked": OrganisationState.PENDING,
        "Nobody": OrganisationState.NO_CONTACT,
    }
    assert [o.row.organisation_name for o in status.organisations if o.unreachable] == ["Blocked"]
    assert status.tally == responses.Tally(
        organisations=5, signed=1, reconfirm=0, declined=1, pending=2, no_contact=1, unreachable=1
    )
    assert await responses.tally(world.db, letter.id) == status.tally
