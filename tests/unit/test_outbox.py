"""The outbox without Telegram: queueing, claiming, outcomes, progress, deletion bookkeeping."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db import Database, audit, open_database
from bot.db import contacts as contacts_repo
from bot.db import deliveries as repo
from bot.db import letters as letters_repo
from bot.db.migrate import apply_migrations
from bot.db.timefmt import to_db
from bot.demo.factories import bind_members
from bot.services import outbox
from bot.services.outbox import OutgoingMessage
from bot.services.refusals import Refusal
from bot.services.resend import Resend, resend_uncertain

NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
HELLO = OutgoingMessage("sendMessage", {"text": "hello", "parse_mode": "HTML"})


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "bot.db")
    await apply_migrations(database, NOW)
    yield database
    await database.close()


async def member(db: Database, n: int, *, status: str = "active") -> int:
    """An active contact of its own organisation, Telegram user 7000 + n."""
    [bound] = await bind_members(
        db, 1, now=NOW, first_user_id=7000 + n, organisation=f"Org {n}", name=f"Member {n}",
        label=f"label {n}",
    )  # fmt: skip
    if status != "active":
        async with db.transaction() as tx:
            await contacts_repo.set_status(tx, bound.contact_id, status, now=NOW)
    return bound.contact_id


async def queue(
    db: Database,
    contacts: list[int],
    parts: int = 1,
    *,
    requested_by: int | None = 1001,
    key: str = "k",
) -> int:
    async with db.transaction() as tx:
        broadcast_id = await outbox.create_broadcast(
            tx, letter_id=None, kind="circulation", requested_by=requested_by, now=NOW
        )
        for contact_id in contacts:
            for part in range(parts):
                await outbox.enqueue(
                    tx, broadcast_id=broadcast_id, contact_id=contact_id,
                    chat_id=7000 + contact_id, letter_id=None, kind="summary",
                    message=OutgoingMessage("sendMessage", {"text": f"{contact_id}/{part}"}),
                    dedupe_key=f"{key}:{contact_id}:{part}", now=NOW,
                )  # fmt: skip
    return broadcast_id


async def take(db: Database, chat_id: int, now: datetime = NOW) -> repo.Delivery:
    """The chat's next delivery, claimed (status 'sending')."""
    delivery = await outbox.next_for_chat(db, chat_id, now=now)
    assert delivery is not None
    assert await outbox.claim(db, delivery) is not None
    return delivery


async def status_of(db: Database, delivery_id: int) -> tuple[str, str | None, int]:
    row = await db.fetch_one(
        "SELECT status, reason, attempts FROM deliveries WHERE id = ?", (delivery_id,)
    )
    assert row is not None
    return row["status"], row["reason"], row["attempts"]


# --- messages ---------------------------------------------------------------------------------


def test_outgoing_message_round_trips_and_refuses_what_cannot_be_sent() -> None:
    markup = {"inline_keyboard": [[{"text": "Sign", "callback_data": "s:1"}]]}
    message = OutgoingMessage("sendMessage", {"text": "Привет <b>x</b>", "reply_markup": markup})
    assert OutgoingMessage.from_payload(message.to_payload()) == message
    assert OutgoingMessage.from_payload("{}") is None  # a purged payload
    with pytest.raises(ValueError, match="chat_id"):
        OutgoingMessage("sendMessage", {"text": "x", "chat_id": 5})
    with pytest.raises(ValueError, match="needs document"):
        OutgoingMessage("sendDocument", {"caption": "no file"})
    with pytest.raises(ValueError, match="does not send"):
        OutgoingMessage("sendSticker", {"sticker": "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        OutgoingMessage("sendMessage", {"text": "x", "when": NOW})  # not JSON-able


# --- queueing ---------------------------------------------------------------------------------


async def test_enqueue_is_idempotent_by_dedupe_key(db: Database) -> None:
    contact = await member(db, 1)
    broadcast_id = await queue(db, [contact], parts=2)
    again = await queue(db, [contact], parts=3)  # a retried command: only the new part is added
    rows = await db.fetch_all("SELECT broadcast_id, dedupe_key FROM deliveries ORDER BY id")
    assert [(r["broadcast_id"], r["dedupe_key"]) for r in rows] == [
        (broadcast_id, "k:1:0"),
        (broadcast_id, "k:1:1"),
        (again, "k:1:2"),
    ]
    async with db.transaction() as tx:
        queued = await outbox.enqueue(
            tx, broadcast_id=None, contact_id=contact, chat_id=7001, letter_id=None,
            kind="notice", message=HELLO, dedupe_key="k:1:0", now=NOW,
        )  # fmt: skip
    assert queued is False


async def test_enqueue_rolls_back_with_the_callers_transaction(db: Database) -> None:
    contact = await member(db, 1)
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            broadcast_id = await outbox.create_broadcast(
                tx, letter_id=None, kind="circulation", requested_by=None, now=NOW
            )
            await outbox.enqueue(
                tx, broadcast_id=broadcast_id, contact_id=contact, chat_id=7001, letter_id=None,
                kind="summary", message=HELLO, dedupe_key="x", now=NOW,
            )  # fmt: skip
            raise RuntimeError("the letter could not be opened")
    assert await db.fetch_value("SELECT count(*) FROM deliveries") == 0
    assert await db.fetch_value("SELECT count(*) FROM broadcasts") == 0


async def test_delete_after_must_be_within_telegrams_48_hours(db: Database) -> None:
    async with db.transaction() as tx:
        with pytest.raises(ValueError, match="48 hours"):
            await outbox.enqueue(
                tx, broadcast_id=None, contact_id=None, chat_id=1, letter_id=None, kind="x",
                message=HELLO, dedupe_key="a", now=NOW, delete_after=NOW + timedelta(hours=48),
            )  # fmt: skip
        assert await outbox.enqueue(
            tx, broadcast_id=None, contact_id=None, chat_id=1, letter_id=None, kind="x",
            message=HELLO, dedupe_key="b", now=NOW, delete_after=NOW + timedelta(hours=47),
        )  # fmt: skip


# --- draining ---------------------------------------------------------------------------------


async def test_chats_are_taken_in_order_one_delivery_at_a_time(db: Database) -> None:
    first, second = await member(db, 1), await member(db, 2)
    await queue(db, [first, second], parts=2)
    assert await outbox.due_chats(db, now=NOW, limit=10) == [7001, 7002]

    delivery = await take(db, 7001)
    assert delivery.payload == OutgoingMessage("sendMessage", {"text": "1/0"}).to_payload()
    # While its first is being sent, the chat is not due (its second must wait its turn).
    assert await outbox.due_chats(db, now=NOW, limit=10) == [7002]
    assert await outbox.next_for_chat(db, 7001, now=NOW) is None
    assert await outbox.claim(db, delivery) is None  # claimed already

    await outbox.record_sent(db, delivery.id, message_id=42, now=NOW)
    row = await repo.get_delivery(db, delivery.id)
    assert row is not None
    assert (row.status, row.telegram_message_id, row.sent_at) == ("sent", 42, NOW)
    following = await outbox.next_for_chat(db, 7001, now=NOW)
    assert following is not None and following.id == delivery.id + 1


async def test_network_error_backs_off_exponentially_and_keeps_the_chats_order(
    db: Database,
) -> None:
    contact = await member(db, 1)
    await queue(db, [contact], parts=2)
    delivery = await take(db, 7001)
    assert await outbox.record_not_sent(db, delivery, error="Bad Gateway", now=NOW)
    row = await repo.get_delivery(db, delivery.id)
    assert row is not None
    assert (row.status, row.attempts, row.not_before, row.error) == (
        "pending", 1, NOW + timedelta(seconds=2), "Bad Gateway",
    )  # fmt: skip
    # Not due yet, and the chat's second message does not overtake it.
    assert await outbox.due_chats(db, now=NOW, limit=10) == []
    assert await outbox.next_for_chat(db, 7001, now=NOW) is None
    assert await outbox.next_due_at(db) == NOW + timedelta(seconds=2)

    later = NOW + timedelta(seconds=2)
    assert await outbox.due_chats(db, now=later, limit=10) == [7001]
    again = await take(db, 7001, later)
    assert again.id == delivery.id and again.attempts == 1
    assert await outbox.record_not_sent(db, again, error="Bad Gateway", now=later)
    row = await repo.get_delivery(db, delivery.id)
    assert row is not None and row.not_before == later + timedelta(seconds=4)

    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 10, 14)] == [
        2, 4, 8, 900, 900,
    ]  # fmt: skip


async def test_network_errors_give_up_after_max_attempts(db: Database) -> None:
    contact = await member(db, 1)
    await queue(db, [contact])
    await db.execute("UPDATE deliveries SET attempts = ?", (outbox.MAX_ATTEMPTS - 1,))
    delivery = await take(db, 7001)
    assert not await outbox.record_not_sent(db, delivery, error="Bad Gateway", now=NOW)
    assert await status_of(db, delivery.id) == ("failed", "network", outbox.MAX_ATTEMPTS)


async def test_flood_control_requeues_without_counting_the_attempt(db: Database) -> None:
    contact = await member(db, 1)
    await queue(db, [contact])
    delivery = await take(db, 7001)
    assert await status_of(db, delivery.id) == ("sending", None, 1)
    await outbox.record_flood_control(db, delivery.id)
    assert await status_of(db, delivery.id) == ("pending", None, 0)
    assert await outbox.due_chats(db, now=NOW, limit=10) == [7001]


async def test_timed_out_is_uncertain_and_never_taken_again(db: Database) -> None:
    contact = await member(db, 1)
    await queue(db, [contact], parts=2)
    delivery = await take(db, 7001)
    await outbox.record_uncertain(db, delivery.id, error="Timed out")
    assert await status_of(db, delivery.id) == ("uncertain", "timed_out", 1)
    following = await outbox.next_for_chat(db, 7001, now=NOW)
    assert following is not None and following.id == delivery.id + 1


async def test_restart_turns_sending_into_uncertain_and_resumes_pending(db: Database) -> None:
    contacts = [await member(db, n) for n in (1, 2)]
    await queue(db, contacts, parts=2)
    in_flight = await take(db, 7001)  # the process dies here, mid-request
    assert await outbox.recover_interrupted(db) == 1
    row = await repo.get_delivery(db, in_flight.id)
    assert row is not None
    assert (row.status, row.reason) == ("uncertain", "interrupted")
    assert row.error == outbox.INTERRUPTED
    assert await outbox.due_chats(db, now=NOW, limit=10) == [7001, 7002]
    following = await outbox.next_for_chat(db, 7001, now=NOW)
    assert following is not None and following.id == in_flight.id + 1
    assert await outbox.recover_interrupted(db) == 0


async def test_forbidden_marks_unreachable_cancels_the_rest_and_notifies_once(
    db: Database,
) -> None:
    blocked, other = await member(db, 1), await member(db, 2)
    broadcast_id = await queue(db, [blocked, other], parts=3)
    notice = {1001: OutgoingMessage("sendMessage", {"text": "Member 1 can't be reached"})}
    delivery = await take(db, 7001)
    assert await outbox.record_unreachable(db, delivery, error="Forbidden", now=NOW, notices=notice)
    contact = await contacts_repo.get(db, blocked)
    assert contact is not None and contact.status == "unreachable"
    rows = await db.fetch_all(
        "SELECT contact_id, status, reason FROM deliveries WHERE broadcast_id = ? ORDER BY id",
        (broadcast_id,),
    )
    assert [(r["contact_id"], r["status"], r["reason"]) for r in rows] == [
        (blocked, "failed", "unreachable"),
        (blocked, "cancelled", "unreachable"),
        (blocked, "cancelled", "unreachable"),
        (other, "pending", None),
        (other, "pending", None),
        (other, "pending", None),
    ]
    notices = await db.fetch_all("SELECT chat_id, kind FROM deliveries WHERE broadcast_id IS NULL")
    assert [(r["chat_id"], r["kind"]) for r in notices] == [(1001, "notice")]

    # The same contact failing again in this broadcast (e.g. a retried delivery) tells nobody.
    async with db.transaction() as tx:
        await repo.insert_delivery(
            tx, broadcast_id=broadcast_id, contact_id=blocked, chat_id=7001, letter_id=None,
            kind="x", payload=HELLO.to_payload(), dedupe_key="late", now=NOW,
            delete_after=None,
        )  # fmt: skip
    late = await take(db, 7001)
    assert not await outbox.record_unreachable(db, late, error="Forbidden", now=NOW, notices=notice)

    progress = await outbox.broadcast_progress(db, broadcast_id)
    assert (progress.total, progress.sent, progress.unreachable, progress.pending) == (7, 0, 4, 3)
    assert [(c.name, c.organisation) for c in progress.unreachable_contacts] == [
        ("Member 1", "Org 1")
    ]


async def test_removed_contact_and_purged_letter_are_never_sent(db: Database) -> None:
    removed, purged = await member(db, 1), await member(db, 2)
    broadcast_id = await queue(db, [removed, purged])
    await contacts_repo.set_status(db, removed, "removed", now=NOW)
    await db.execute("UPDATE deliveries SET payload = '{}' WHERE contact_id = ?", (purged,))
    for chat_id in (7001, 7002):
        delivery = await outbox.next_for_chat(db, chat_id, now=NOW)
        assert delivery is not None
        assert await outbox.claim(db, delivery) is None
    progress = await outbox.broadcast_progress(db, broadcast_id)
    assert (progress.cancelled, progress.pending, progress.finished) == (2, 0, True)
    rows = await db.fetch_all("SELECT reason FROM deliveries ORDER BY id")
    assert [r["reason"] for r in rows] == ["removed", "purged"]


async def test_refused_is_failed_and_reported_once_per_broadcast(db: Database) -> None:
    contacts = [await member(db, n) for n in (1, 2)]
    broadcast_id = await queue(db, contacts, requested_by=None)
    notice = {1001: OutgoingMessage("sendMessage", {"text": "refused"})}
    queued = 0
    for chat_id in (7001, 7002):
        delivery = await take(db, chat_id)
        queued += await outbox.record_refused(
            db, delivery, error="Can't parse entities", now=NOW, notices=notice
        )
    assert queued == 1
    progress = await outbox.broadcast_progress(db, broadcast_id)
    assert (progress.failed, progress.refused_error) == (2, "Can't parse entities")


async def test_progress_counts_add_up_and_finishing_queues_one_report(db: Database) -> None:
    contacts = [await member(db, n) for n in (1, 2, 3)]
    broadcast_id = await queue(db, contacts, parts=2)
    broadcast = await outbox.get_broadcast(db, broadcast_id)
    assert broadcast is not None
    report = OutgoingMessage("sendMessage", {"text": "report"})

    assert not await outbox.finish_broadcast(db, broadcast, now=NOW, report=report)
    for chat_id, outcome in ((7001, "sent"), (7002, "uncertain"), (7003, "sent")):
        for _ in range(2):
            delivery = await take(db, chat_id)
            if outcome == "sent":
                await outbox.record_sent(db, delivery.id, message_id=1, now=NOW)
            else:
                await outbox.record_uncertain(db, delivery.id, error="Timed out")
    progress = await outbox.broadcast_progress(db, broadcast_id)
    assert (progress.total, progress.sent, progress.uncertain, progress.pending) == (6, 4, 2, 0)
    assert progress.finished

    assert await outbox.finish_broadcast(db, broadcast, now=NOW, report=report)
    assert not await outbox.finish_broadcast(db, broadcast, now=NOW, report=report)
    reports = await db.fetch_all("SELECT chat_id, kind FROM deliveries WHERE kind = 'report'")
    assert [(r["chat_id"], r["kind"]) for r in reports] == [(1001, "report")]
    assert await outbox.unfinished_broadcasts(db) == []


async def test_due_deletions_skip_unsent_deleted_and_refused(db: Database) -> None:
    contact = await member(db, 1)
    async with db.transaction() as tx:
        for n in range(4):
            await outbox.enqueue(
                tx, broadcast_id=None, contact_id=contact, chat_id=7001, letter_id=None,
                kind="fulltext", message=HELLO, dedupe_key=f"d{n}", now=NOW,
                delete_after=NOW + timedelta(hours=24),
            )  # fmt: skip
    ids = []
    for n in range(3):  # the fourth stays pending
        delivery = await take(db, 7001)
        await outbox.record_sent(db, delivery.id, message_id=100 + n, now=NOW)
        ids.append(delivery.id)
    assert await outbox.due_deletions(db, now=NOW + timedelta(hours=23)) == []
    later = NOW + timedelta(hours=24)
    assert [d.id for d in await outbox.due_deletions(db, now=later)] == ids
    await outbox.record_deleted(db, ids[0], now=later)
    await outbox.record_delete_refused(db, ids[1], error="Message can't be deleted for everyone")
    assert [d.id for d in await outbox.due_deletions(db, now=later)] == [ids[2]]


# --- sending uncertain messages again (a coordinator's choice) -------------------------------


async def letter(db: Database, status: str = "open") -> int:
    async with db.transaction() as tx:
        letter_id = await letters_repo.insert_letter(
            tx, title="T", language="en", deadline=NOW + timedelta(days=9),
            timezone="Europe/Zurich", created_by=1001, now=NOW,
        )  # fmt: skip
        await tx.execute("UPDATE letters SET status = ? WHERE id = ?", (status, letter_id))
    return letter_id


async def uncertain(db: Database, chat_id: int) -> repo.Delivery:
    delivery = await take(db, chat_id)
    await outbox.record_uncertain(db, delivery.id, error="Timed out")
    return delivery


async def test_resend_requeues_only_what_is_still_uncertain_once_in_a_new_broadcast(
    db: Database,
) -> None:
    contacts = [await member(db, n) for n in (1, 2, 3)]
    broadcast_id = await queue(db, contacts)
    lost = await uncertain(db, 7001)
    delivered = await take(db, 7002)
    await outbox.record_sent(db, delivered.id, message_id=5, now=NOW)
    gone = await uncertain(db, 7003)
    async with db.transaction() as tx:  # the third contact was removed meanwhile
        await contacts_repo.set_status(tx, contacts[2], "removed", now=NOW)
    progress = await outbox.broadcast_progress(db, broadcast_id)
    assert [who.name for who in progress.uncertain_contacts] == ["Member 1", "Member 3"]

    later = NOW + timedelta(hours=1)
    done = await resend_uncertain(
        db, broadcast_id=broadcast_id, requested_by=1002, actor="coordinator:1002", now=later
    )
    assert done.messages == 1 and done.broadcast_id is not None
    assert await status_of(db, lost.id) == ("pending", None, 0)
    assert await status_of(db, gone.id) == ("uncertain", "timed_out", 1)  # removed: left
    resend = await outbox.get_broadcast(db, done.broadcast_id)
    assert resend is not None and (resend.kind, resend.requested_by) == ("resend", 1002)
    assert (await outbox.broadcast_progress(db, done.broadcast_id)).pending == 1
    # Pressed again (or twice at once): nothing is uncertain any more, nothing is queued.
    again = await resend_uncertain(
        db, broadcast_id=broadcast_id, requested_by=1002, actor="coordinator:1002", now=later
    )
    assert again == Resend(0, None)
    events = [e for e in await audit.events(db) if e.action == "delivery.resent"]
    assert len(events) == 1 and events[0].actor == "coordinator:1002"
    assert json.loads(events[0].data) == {
        "broadcast": done.broadcast_id, "from_broadcast": broadcast_id, "messages": 1
    }  # fmt: skip


async def test_resend_of_a_letter_takes_its_contacts_messages_and_keeps_draft_ttl(
    db: Database,
) -> None:
    letter_id = await letter(db)
    contact = await member(db, 1)
    async with db.transaction() as tx:
        broadcast_id = await outbox.create_broadcast(
            tx, letter_id=letter_id, kind="circulation", requested_by=None, now=NOW
        )
        for part, ttl in enumerate([None, timedelta(hours=24)]):
            await outbox.enqueue(
                tx, broadcast_id=broadcast_id, contact_id=contact, chat_id=7001,
                letter_id=letter_id, kind="summary", message=HELLO, dedupe_key=f"l:{part}",
                now=NOW, delete_after=None if ttl is None else NOW + ttl,
            )  # fmt: skip
    first, second = await uncertain(db, 7001), await uncertain(db, 7001)
    assert [w.name for w in await outbox.uncertain_of_letter(db, letter_id)] == ["Member 1"]
    later = NOW + timedelta(hours=30)  # past the first DRAFT_TTL
    done = await resend_uncertain(
        db, letter_id=letter_id, requested_by=1001, actor="coordinator:1001", now=later
    )
    assert done.messages == 2
    summary, full_text = [await repo.get_delivery(db, d.id) for d in (first, second)]
    assert summary is not None and summary.delete_after is None
    # DRAFT_TTL counts again from now: a text sent again is not deleted at once.
    assert full_text is not None and full_text.delete_after == later + timedelta(hours=24)
    assert await outbox.uncertain_of_letter(db, letter_id) == ()


@pytest.mark.parametrize(
    ("state", "reason"), [("closed", "resend_closed"), ("purged", "letter_purged")]
)
async def test_a_closed_or_purged_letters_messages_are_not_sent_again(
    db: Database, state: str, reason: str
) -> None:
    letter_id = await letter(db, "closed")
    if state == "purged":
        await db.execute("UPDATE letters SET purged_at = ? WHERE id = ?", (to_db(NOW), letter_id))
    with pytest.raises(Refusal) as refused:
        await resend_uncertain(
            db, letter_id=letter_id, requested_by=1001, actor="coordinator:1001", now=NOW
        )
    assert refused.value.code == reason
    assert [e for e in await audit.events(db) if e.action == "delivery.resent"] == []
