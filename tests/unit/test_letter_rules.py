"""bot/services/letters.py without Telegram: creating a draft, circulating it (to all, to
chosen organisations, again), revising it (material or minor), moving its deadline, and who
may read which version."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.db import letters as letters_repo
from bot.db.types import LetterStatus, Listing
from bot.services import letters, membership, responses
from bot.services.letter_text import fingerprint
from bot.services.letters import MAX_BODY, MAX_TITLE, DraftSource
from bot.services.refusals import Code
from tests.unit.letter_world import (
    COORDINATOR,
    DEADLINE,
    MINOR,
    NOW,
    TEXT,
    ZONE,
    World,
    refused,
    summary,
    world,
)

__all__ = ["world"]

DAYS = [timedelta(days=7), timedelta(days=3)]


async def create(world: World, **changes: object) -> tuple[letters.Letter, letters.Version]:
    values: dict[str, object] = {
        "title": "Joint letter", "deadline": DEADLINE, "zone_name": ZONE, "body": TEXT,
        "source": DraftSource(), "language": "en", "created_by": 1001, "actor": COORDINATOR,
        "now": NOW,
    }  # fmt: skip
    values.update(changes)
    return await letters.create_letter(world.db, **values)  # type: ignore[arg-type]


async def letter_count(world: World) -> int:
    return int(await world.db.fetch_value("SELECT count(*) FROM letters"))


# --- creating -------------------------------------------------------------------------------


async def test_a_new_letter_is_a_draft_with_a_material_first_version_logged_without_text(
    world: World,
) -> None:
    title = "  Joint\tletter  on   Belarus "
    letter, version = await create(world, title=title, body=TEXT + "\n\n")
    assert (letter.status, letter.title, letter.deadline) == (
        LetterStatus.DRAFT, "Joint letter on Belarus", DEADLINE,
    )  # fmt: skip
    assert letter.opened_at is None and not letter.ask_signer
    assert (version.number, version.material, version.body) == (1, True, TEXT)
    assert version.fingerprint == fingerprint(TEXT)
    [created] = await world.events("letter.created")
    assert "Belarus" not in str(created["data"])  # no title in the log: purge
    [added] = await world.events("version.added")
    assert added["data"] == {
        "version": 1, "fingerprint": version.fingerprint, "material": True, "source": "text",
    }  # fmt: skip


async def test_a_letter_listing_signers_says_so_in_its_record_and_log(world: World) -> None:
    letter, _ = await create(world, ask_signer=True)
    assert letter.ask_signer
    [created] = await world.events("letter.created")
    assert created["data"]["ask_signer"] is True


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"title": " \n "}, Code.TITLE_EMPTY),
        ({"title": "x" * (MAX_TITLE + 1)}, Code.TITLE_TOO_LONG),
        ({"title": "Joint\x00letter"}, Code.TITLE_INVALID),
        ({"body": "\n  \n"}, Code.TEXT_EMPTY),
        ({"body": "x" * (MAX_BODY + 1)}, Code.TEXT_TOO_LONG),
        ({"deadline": NOW}, Code.DEADLINE_PAST),
        ({"deadline": NOW - timedelta(minutes=1)}, Code.DEADLINE_PAST),
    ],
)
async def test_a_draft_needs_a_title_a_text_and_a_deadline_ahead(
    world: World, changes: dict[str, object], code: Code
) -> None:
    with refused(code):
        await create(world, **changes)
    assert await letter_count(world) == 0


async def test_the_longest_title_and_text_are_taken_whole(world: World) -> None:
    letter, version = await create(world, title="T" * MAX_TITLE, body="x" * MAX_BODY)
    assert letter.title == "T" * MAX_TITLE and version.body == "x" * MAX_BODY


# --- circulating ----------------------------------------------------------------------------


async def test_circulating_to_all_opens_the_draft_and_queues_one_message_per_contact(
    world: World,
) -> None:
    await world.organisation("Viasna", contacts=2)
    await world.organisation("PEN")
    await world.organisation("Nobody", contacts=0)
    letter, version = await world.draft()
    done = await world.circulate(letter.id, offsets=DAYS)
    assert (done.letter.status, done.letter.opened_at) == (LetterStatus.OPEN, NOW)
    assert (done.organisations, done.recipients, done.queued) == (3, 3, 3)
    assert done.no_contact == ("Nobody",)
    queued = await world.queued(letter.id, "summary")
    assert [d["broadcast_id"] for d in queued] == [done.broadcast_id] * 3
    [event] = await world.events("letter.circulated")
    assert event["data"] == {
        "organisations": sorted(world.organisations.values()), "version": version.number,
        "queued": 3,
    }  # fmt: skip


async def test_circulating_to_chosen_organisations_reaches_only_them_once_each(
    world: World,
) -> None:
    await world.organisation("Viasna")
    await world.organisation("PEN", contacts=2)
    letter, _ = await world.draft()
    pen = world.organisations["PEN"]
    done = await world.circulate(letter.id, [pen, pen])
    assert (done.organisations, done.recipients, done.queued) == (1, 2, 2)
    assert await letters_repo.organisation_ids(world.db, letter.id) == [pen]


async def test_circulating_again_queues_nothing_twice_and_reaches_organisations_added(
    world: World,
) -> None:
    await world.organisation("Viasna")
    letter, _ = await world.draft()
    first = await world.circulate(letter.id, offsets=DAYS)
    again = await world.circulate(letter.id, offsets=DAYS)
    assert (first.queued, again.queued) == (1, 0)
    await world.organisation("PEN")
    later = await world.circulate(letter.id, [world.organisations["PEN"]], offsets=DAYS)
    assert (later.recipients, later.queued) == (1, 1)
    assert later.letter.opened_at == NOW  # still opened when it first was
    assert len(await world.queued(letter.id, "summary")) == 2
    # Reminders are planned for each organisation once.
    count = await world.db.fetch_value(
        "SELECT count(*) FROM reminders WHERE letter_id = ?", (letter.id,)
    )
    assert count == 2 * len(DAYS)


async def test_an_unknown_or_removed_organisation_stops_the_whole_circulation(
    world: World,
) -> None:
    await world.organisation("Viasna")
    await world.organisation("Gone")
    gone = world.organisations["Gone"]
    await membership.remove_organisation(world.db, gone, actor=COORDINATOR, now=NOW)
    letter, _ = await world.draft()
    for chosen in (999, gone):
        with refused(Code.ORG_NOT_FOUND) as caught:
            await world.circulate(letter.id, [world.organisations["Viasna"], chosen])
        assert caught.value.data == {"ref": chosen}
    assert (await letters_repo.existing(world.db, letter.id)).status is LetterStatus.DRAFT
    assert (await letters_repo.existing(world.db, letter.id)).status is LetterStatus.DRAFT
    assert await world.queued(letter.id) == []
    assert await world.events("letter.circulated") == []


async def test_a_letter_goes_to_no_one_without_organisations_nor_once_closed(
    world: World,
) -> None:
    letter, _ = await world.draft()
    with pytest.raises(ValueError):  # an empty choice is the caller's mistake, not "all"
        await world.circulate(letter.id, [])
    with refused(Code.NO_ORGANISATIONS):
        await world.circulate(letter.id)
    with refused(Code.NO_ORGANISATIONS):
        await letters.circulation_preview(world.db, letter.id)
    await world.organisation("Viasna")
    await world.circulate(letter.id)
    await world.close(letter.id)
    with refused(Code.LETTER_CLOSED):
        await world.circulate(letter.id)
    with refused(Code.LETTER_NOT_FOUND):
        await world.circulate(999)


async def test_a_contact_who_joins_later_gets_the_open_letters_of_their_organisation(
    world: World,
) -> None:
    await world.organisation("Viasna")
    open_letter, _ = await world.open_letter()
    await world.draft()  # a draft is not delivered
    closed, _ = await world.open_letter()
    await world.close(closed.id)
    late = await world.join(world.organisations["Viasna"])
    queued = await letters.deliver_open_letters(
        world.db, late.id, world.organisations["Viasna"], now=NOW, compose=summary
    )
    assert queued == 1
    [delivery] = [d for d in await world.queued(open_letter.id) if d["contact_id"] == late.id]
    assert delivery["chat_id"] == late.telegram_user_id


# --- revising -------------------------------------------------------------------------------


async def test_a_material_revision_and_a_minor_one_are_versions_told_to_every_recipient(
    world: World,
) -> None:
    await world.organisation("Viasna", contacts=2)
    letter, first = await world.open_letter()
    minor = await world.revise(letter.id, MINOR, material=False)
    assert (minor.version.number, minor.version.material, minor.previous) == (2, False, first)
    assert minor.notices_queued == 2
    material = await world.revise(letter.id, TEXT + "\n\nA new paragraph.", material=True)
    assert (material.version.number, material.version.material) == (3, True)
    assert material.previous == minor.version
    notices = await world.queued(letter.id, "notice")
    assert len(notices) == 4 and {n["broadcast_id"] for n in notices} != {None}
    assert [e["data"]["material"] for e in await world.events("version.added")] == [
        True, False, True,
    ]  # fmt: skip


async def test_revising_a_draft_tells_no_one(world: World) -> None:
    await world.organisation("Viasna")
    letter, _ = await world.draft()
    revision = await world.revise(letter.id, MINOR, material=True)
    assert revision.notices_queued == 0 and await world.queued(letter.id) == []
    assert (await letters_repo.existing(world.db, letter.id)).status is LetterStatus.DRAFT


@pytest.mark.parametrize(
    "same", [TEXT, TEXT + "  \n\n\n", "\r\n".join(TEXT.split("\n")), "\n" + TEXT]
)
async def test_a_revision_that_changes_nothing_a_reader_sees_is_refused(
    world: World, same: str
) -> None:
    await world.organisation("Viasna")
    letter, _ = await world.open_letter()
    with refused(Code.LETTER_UNCHANGED) as caught:
        await world.revise(letter.id, same, material=True)
    assert caught.value.data == {"version": 1}
    with refused(Code.LETTER_UNCHANGED):
        await letters.revision_draft(world.db, letter.id, same)
    assert len(await letters_repo.versions(world.db, letter.id)) == 1


async def test_a_revision_is_checked_against_the_latest_version(world: World) -> None:
    letter, _ = await world.draft()
    await world.revise(letter.id, MINOR, material=False)
    again = await world.revise(letter.id, TEXT, material=False)  # back to the first text: new
    assert again.version.number == 3
    body, current = await letters.revision_draft(world.db, letter.id, MINOR + "\r\n")
    assert (body, current.number) == (MINOR, 3)


async def test_a_closed_letter_cannot_be_revised(world: World) -> None:
    await world.organisation("Viasna")
    letter, _ = await world.open_letter()
    await world.close(letter.id)
    with refused(Code.LETTER_CLOSED):
        await world.revise(letter.id, MINOR, material=False)
    with refused(Code.LETTER_CLOSED):
        await letters.revisable(world.db, letter.id)


# --- deadlines ------------------------------------------------------------------------------


async def move(world: World, letter_id: int, deadline: datetime) -> letters.DeadlineMove:
    return await letters.move_deadline(
        world.db, letter_id, deadline, actor=COORDINATOR, now=NOW, compose=summary,
        default_offsets=DAYS,
    )  # fmt: skip


async def test_moving_an_open_letters_deadline_tells_every_recipient_each_time(
    world: World,
) -> None:
    await world.organisation("Viasna", contacts=2)
    letter, _ = await world.open_letter()
    later = DEADLINE + timedelta(days=5)
    moved = await move(world, letter.id, later)
    assert (moved.previous, moved.letter.deadline) == (DEADLINE, later)
    assert (moved.recipients, moved.queued) == (2, 2)
    back = await move(world, letter.id, DEADLINE)
    assert back.queued == 2  # a second move: told again
    [first, second] = await world.events("deadline.moved")
    assert (first["data"]["from"], first["data"]["to"]) == (
        DEADLINE.isoformat(), later.isoformat(),
    )  # fmt: skip
    assert second["data"]["to"] == DEADLINE.isoformat()


async def test_moving_a_drafts_deadline_tells_no_one(world: World) -> None:
    await world.organisation("Viasna")
    letter, _ = await world.draft()
    moved = await move(world, letter.id, DEADLINE + timedelta(days=1))
    assert (moved.recipients, moved.queued, moved.letter.status) == (0, 0, LetterStatus.DRAFT)


@pytest.mark.parametrize(
    ("deadline", "code"),
    [(NOW, Code.DEADLINE_PAST), (DEADLINE, Code.DEADLINE_UNCHANGED)],
)
async def test_a_deadline_must_be_ahead_and_new(
    world: World, deadline: datetime, code: Code
) -> None:
    await world.organisation("Viasna")
    letter, _ = await world.open_letter()
    with refused(code):
        await move(world, letter.id, deadline)
    assert await world.events("deadline.moved") == []


async def test_a_closed_letters_deadline_moves_only_by_reopening(world: World) -> None:
    await world.organisation("Viasna")
    letter, _ = await world.open_letter()
    await world.close(letter.id)
    with refused(Code.LETTER_CLOSED):
        await move(world, letter.id, DEADLINE + timedelta(days=1))


# --- who may read which version -------------------------------------------------------------


async def test_only_a_recipient_reads_and_only_the_current_version_of_an_open_letter(
    world: World,
) -> None:
    [anna] = await world.organisation("Viasna")
    letter, first = await world.open_letter()
    [boris] = await world.organisation("PEN")  # joined after the circulation: not a recipient
    access = await letters.reader_access(world.db, letter.id, first.id, anna.id)
    assert (access.version, access.recipient.contact_id) == (first, anna.id)
    with refused(Code.UNKNOWN_TO_MEMBER):
        await letters.reader_access(world.db, letter.id, first.id, boris.id)
    second = (await world.revise(letter.id, MINOR, material=False)).version
    with refused(Code.VERSION_REPLACED) as caught:  # a minor revision replaces the text too
        await letters.reader_access(world.db, letter.id, first.id, anna.id)
    assert caught.value.data["latest_id"] == second.id
    await responses.sign(world.db, anna, letter.id, second.id, Listing.NAMED, now=NOW)
    await world.close(letter.id)
    with refused(Code.FULL_TEXT_CLOSED):
        await letters.reader_access(world.db, letter.id, second.id, anna.id)
