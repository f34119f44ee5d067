"""bot/services/purge.py without Telegram, beyond the schema walk of test_purge_guard.py:
which letters may be purged, what a purge of a real letter keeps (the record of who signed
what, and a chain that still verifies) and ends (requests about it, messages still to go or
to delete), RETENTION_DAYS and its announcement a day ahead."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.db import letters as letters_repo
from bot.db import responses as responses_repo
from bot.db.coordinators import Coordinator
from bot.db.letters import Letter
from bot.db.timefmt import to_db
from bot.db.types import Decision, Listing
from bot.services import approvals, coordinators, letters, lifecycle, purge, responses
from bot.services.audit_check import check_audit
from bot.services.outbox import OutgoingMessage
from bot.services.refusals import Code
from bot.services.signer import Signer
from tests.unit.letter_world import COORDINATOR, MINOR, NOW, World, refused, summary, world

__all__ = ["world"]

DAY = timedelta(days=1)
RETENTION = timedelta(days=30)


async def signed_and_closed(world: World) -> tuple[int, list[int]]:
    """A letter in two versions: Viasna signed (by name, with the person signing), PEN
    declined with a reason and commented (with a coordinator's reply); then closed.
    Returns the letter and its version ids."""
    [anna] = await world.organisation("Viasna")
    [boris] = await world.organisation("PEN")
    letter, first = await world.open_letter(ask_signer=True)
    second = (await world.revise(letter.id, MINOR, material=False)).version
    await responses.sign(
        world.db, anna, letter.id, second.id, Listing.NAMED, now=NOW, person=Signer("Anna", "Head")
    )
    await responses.decline(world.db, boris, letter.id, second.id, "Not our mandate", now=NOW)
    _, comment = await responses.add_comment(world.db, boris, letter.id, first.id, "Hm", now=NOW)
    await responses.reply_to_comment(world.db, comment.id, "Ok", coordinator_id=1001, now=NOW)
    await world.close(letter.id, now=NOW + DAY)
    return letter.id, [first.id, second.id]


async def purge_now(world: World, letter_id: int, now: datetime = NOW + 2 * DAY) -> purge.Purge:
    return await purge.purge_letter(world.db, letter_id, actor=COORDINATOR, now=now)


# --- which letters ----------------------------------------------------------------------------


async def test_only_a_closed_letter_not_purged_yet_can_be_purged(world: World) -> None:
    await world.organisation("Viasna")
    draft, _ = await world.draft()
    opened, _ = await world.open_letter()
    for letter_id in (draft.id, opened.id):
        with refused(Code.PURGE_NOT_CLOSED):
            await purge_now(world, letter_id)
    with refused(Code.LETTER_NOT_FOUND):
        await purge_now(world, 999)
    await world.close(opened.id)
    await purge_now(world, opened.id)
    with refused(Code.LETTER_PURGED):
        await purge_now(world, opened.id)
    assert len(await world.events("letter.purged")) == 1


# --- what goes, what stays ----------------------------------------------------------------------


async def test_a_purge_keeps_who_signed_what_and_the_chain_still_verifies(world: World) -> None:
    letter_id, version_ids = await signed_and_closed(world)
    before = await responses.letter_status(world.db, letter_id)
    fingerprints = [v.fingerprint for v in before.versions]
    done = await purge_now(world, letter_id)
    assert (done.versions, done.comments) == (2, 2)
    after = await responses.letter_status(world.db, letter_id)
    # The tally, each organisation's decision, listing and version signed are as they were.
    assert after.tally == before.tally
    assert [(o.row.organisation_name, o.state) for o in after.organisations] == [
        (o.row.organisation_name, o.state) for o in before.organisations
    ]
    signed = await responses_repo.existing(world.db, letter_id, world.organisations["Viasna"])
    assert (signed.decision, signed.listing, signed.version_id) == (
        Decision.SIGNED, Listing.NAMED, version_ids[1],
    )  # fmt: skip
    # Version numbers and fingerprints stay (receipts still match); the texts go.
    versions = await letters_repo.versions(world.db, letter_id)
    assert [(v.number, v.fingerprint, v.body) for v in versions] == [
        (1, fingerprints[0], None), (2, fingerprints[1], None),
    ]  # fmt: skip
    assert (await letters_repo.existing(world.db, letter_id)).title is None
    # The person signing, the reason and the comments go.
    assert (signed.signer_name, signed.signer_title) == (None, None)
    declined = await responses_repo.existing(world.db, letter_id, world.organisations["PEN"])
    assert (declined.decision, declined.reason) == (Decision.DECLINED, None)
    thread = await responses.comment_thread(world.db, letter_id)
    assert [item.comment.body for _, items in thread for item in items] == [None]
    assert [r.body for _, items in thread for item in items for r in item.replies] == [None]
    # The log never held the texts, and still verifies with them gone.
    check = await check_audit(world.db)
    assert check.ok, check.record.first
    [event] = await world.events("letter.purged")
    assert event["data"]["versions"] == 2 and event["actor"] == COORDINATOR
    assert not [e for e in await world.events("response.signed") if "Anna" in str(e["data"])]


async def test_a_purged_letter_cannot_be_read_reopened_or_revised(world: World) -> None:
    letter_id, version_ids = await signed_and_closed(world)
    await purge_now(world, letter_id)
    contact = await world.db.fetch_value("SELECT min(id) FROM contacts WHERE role = 'member'")
    with refused(Code.LETTER_PURGED):
        await letters.reader_access(world.db, letter_id, version_ids[1], int(contact))
    with refused(Code.NOT_CLOSED):
        await lifecycle.reopen_letter(
            world.db, letter_id, NOW + 10 * DAY, actor=COORDINATOR, now=NOW + 3 * DAY,
            default_offsets=(), compose=summary,
        )  # fmt: skip
    with refused(Code.LETTER_CLOSED):
        await world.revise(letter_id, "New text", material=True)


async def test_messages_about_the_letter_are_emptied_unsent_ones_cancelled_sent_ones_deleted(
    world: World,
) -> None:
    await world.organisation("Viasna", contacts=3)
    letter, _ = await world.open_letter()
    [sent, deleted, waiting] = await world.queued(letter.id, "summary")
    await world.db.execute(
        "UPDATE deliveries SET status = 'sent', telegram_message_id = 10, sent_at = ? "
        "WHERE id IN (?, ?)",
        (to_db(NOW), sent["id"], deleted["id"]),
    )
    await world.db.execute(
        "UPDATE deliveries SET deleted_at = ? WHERE id = ?", (to_db(NOW), deleted["id"])
    )
    await world.close(letter.id)
    done = await purge_now(world, letter.id, now=NOW + DAY)
    assert done.to_delete == 1  # the one still in a chat; the deleted one is gone already
    rows = {d["id"]: d for d in await world.queued(letter.id)}
    assert {d["payload"] for d in rows.values()} == {"{}"}
    assert (rows[waiting["id"]]["status"], rows[waiting["id"]]["reason"]) == (
        "cancelled", "purged",
    )  # fmt: skip
    assert rows[sent["id"]]["delete_after"] == to_db(NOW + DAY)
    assert rows[deleted["id"]]["delete_after"] is None


async def test_requests_about_the_letter_end_with_it(world: World) -> None:
    await coordinators.bootstrap(world.db, {1001, 1002}, now=NOW)
    letter_id, _ = await signed_and_closed(world)
    ctx = approvals.ActionContext(now=NOW + DAY)
    asked = await approvals.request(
        world.db, approvals.ReopenLetter(letter_id, NOW + 20 * DAY), by=1001, ctx=ctx
    )
    assert isinstance(asked, approvals.Requested)
    await purge_now(world, letter_id)
    assert await approvals.pending_requests(world.db) == []
    [cancelled] = await world.events("approval.cancelled")
    assert cancelled["data"] == {
        "approval": asked.request.approval.id, "kind": "reopen", "why": "purged",
    }  # fmt: skip
    params = await world.db.fetch_value(
        "SELECT params FROM approvals WHERE id = ?", (asked.request.approval.id,)
    )
    assert params == "{}"  # what it held (here a deadline) goes too


# --- RETENTION_DAYS ---------------------------------------------------------------------------


async def closed_at(world: World, when: datetime) -> Letter:
    if "Viasna" not in world.organisations:
        await world.organisation("Viasna")
    letter, _ = await world.open_letter(now=when - DAY, deadline=when + 10 * DAY)
    return await world.close(letter.id, now=when)


async def test_retention_purges_letters_closed_long_enough_ago_and_nothing_else(
    world: World,
) -> None:
    old = await closed_at(world, NOW)
    young = await closed_at(world, NOW + 5 * DAY)
    still_open, _ = await world.open_letter()
    now = NOW + RETENTION
    assert await lifecycle.next_purge(world.db, retention=RETENTION) == now
    done = await purge.purge_expired(world.db, now=now, retention=RETENTION)
    assert [p.letter_id for p in done] == [old.id]
    assert await purge.purge_expired(world.db, now=now, retention=RETENTION) == []
    assert await lifecycle.next_purge(world.db, retention=RETENTION) == young.closed_at + RETENTION
    for letter_id in (young.id, still_open.id):
        assert (await letters_repo.existing(world.db, letter_id)).purged_at is None
    [event] = await world.events("letter.purged")
    assert event["actor"] == "system"


def announcement(letter: Letter, purge_at: datetime, coordinator: Coordinator) -> OutgoingMessage:
    return OutgoingMessage("sendMessage", {"text": f"{letter.id} goes at {purge_at}"})


async def test_coordinators_are_told_a_day_ahead_once_per_closing(world: World) -> None:
    await coordinators.bootstrap(world.db, {1001, 1002}, now=NOW)
    letter = await closed_at(world, NOW)
    assert letter.closed_at is not None
    purge_at = letter.closed_at + RETENTION
    ahead = purge_at - purge.ANNOUNCE_AHEAD
    assert await purge.next_announcement(world.db, retention=RETENTION) == ahead

    async def announce(now: datetime) -> list[purge.PurgeAnnouncement]:
        return await purge.announce_purges(
            world.db, now=now, retention=RETENTION, compose=announcement
        )

    assert await announce(ahead - timedelta(minutes=1)) == []
    [told] = await announce(ahead)
    assert (told.letter.id, told.purge_at, told.queued) == (letter.id, purge_at, 2)
    assert await announce(ahead + DAY) == []  # once
    assert await purge.next_announcement(world.db, retention=RETENTION) is None
    # Reopened and closed again: a new closing, announced again when its time comes.
    await lifecycle.reopen_letter(
        world.db, letter.id, ahead + 10 * DAY, actor=COORDINATOR, now=ahead + DAY,
        default_offsets=(), compose=summary,
    )  # fmt: skip
    reclosed = await world.close(letter.id, now=ahead + 2 * DAY)
    assert reclosed.closed_at is not None
    assert await announce(ahead + 2 * DAY) == []
    again = reclosed.closed_at + RETENTION - purge.ANNOUNCE_AHEAD
    [told_again] = await announce(again)
    assert told_again.queued == 2
    chats = [d["chat_id"] for d in await world.queued(letter.id, "notice")]
    assert sorted(chats) == [1001, 1001, 1002, 1002]
