"""Membership rules without Telegram: names, duplicates, invites, removal, audit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db import Database, audit, open_database
from bot.db.migrate import apply_migrations
from bot.services import access, membership, outbox
from bot.services.refusals import Refusal

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
TTL = timedelta(days=7)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await open_database(tmp_path / "bot.db")
    await apply_migrations(database, NOW)
    yield database
    await database.close()


async def _invite(db: Database, org_id: int, now: datetime = NOW) -> membership.IssuedInvite:
    return await membership.issue_invite(
        db, org_id, label=None, created_by=1, actor="coordinator:1", now=now, ttl=TTL
    )


async def _redeem(db: Database, token: str, user_id: int, now: datetime = NOW):
    return await membership.redeem_invite(
        db,
        token,
        telegram_user_id=user_id,
        display_name=f"User {user_id}",
        language="en",
        is_coordinator=False,
        now=now,
    )


@pytest.mark.parametrize(
    "name",
    [
        'Human Rights Centre "Viasna"',
        "Праваабарончы цэнтр «Вясна»",
        "L'Association & Co <b>bold</b>",
        "Civil Rights Defenders 🕊️",
        "A" * 300,
    ],
)
async def test_names_are_kept_exactly_as_typed(db: Database, name: str) -> None:
    org = await membership.add_organisation(db, f"  {name} ", actor="cli", now=NOW)
    assert org.name == name


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Belarusian PEN", "belarusian  pen"),
        ("Belarusian PEN", "BelarusianPEN"),
        ("Праваабарончы цэнтр", "ПРАВААБАРОНЧЫ ЦЭНТР"),
        ("Libereco", "Libe\u200breco"),
    ],
)
async def test_duplicates_are_case_and_space_insensitive(db: Database, first, second) -> None:
    org = await membership.add_organisation(db, first, actor="cli", now=NOW)
    with pytest.raises(Refusal) as caught:
        await membership.add_organisation(db, second, actor="cli", now=NOW)
    assert caught.value.code == "duplicate"
    assert caught.value.data["org_id"] == org.id


@pytest.mark.parametrize(
    "second",
    [
        "Human Rights Center “Viasna”",  # curly quotes
        "Human Rights Center «Viasna»",  # guillemets
        "human rights center 'viasna'",  # single quotes, case
        "Human Rights Center ＂Viasna＂",  # full-width (NFKC)
        'Human  Rights\u00a0Center "Viasna"',  # spacing, no-break space
    ],
)
async def test_near_duplicates_are_refused_naming_the_existing_one(db: Database, second) -> None:
    """Issue 14 §3: the kind of quotation marks, dashes, NFKC forms, case and spacing do
    not make another organisation; the name as typed is kept exactly."""
    org = await membership.add_organisation(
        db, 'Human Rights Center "Viasna"', actor="cli", now=NOW
    )
    with pytest.raises(Refusal) as caught:
        await membership.add_organisation(db, second, actor="cli", now=NOW)
    assert caught.value.code == "duplicate"
    assert caught.value.data == {"name": 'Human Rights Center "Viasna"', "org_id": org.id}


@pytest.mark.parametrize("dash", ["-", "\u2010", "\u2013", "\u2014", "\u2212"])
async def test_dashes_are_one(db: Database, dash: str) -> None:
    await membership.add_organisation(db, "Belarus–Free Theatre", actor="cli", now=NOW)
    with pytest.raises(Refusal):
        await membership.add_organisation(db, f"Belarus{dash}Free Theatre", actor="cli", now=NOW)
    kept = await membership.add_organisation(db, "Belarus Free Theatre", actor="cli", now=NOW)
    assert kept.name == "Belarus Free Theatre"  # no dash at all is another name


async def test_stored_keys_follow_the_rules_at_start_up(db: Database) -> None:
    """Rows keyed by an older rule are recomputed; two that now clash both stay, the first
    keeps the key (new names like it are refused, naming it)."""
    for org_id, name, old_key in [
        (1, 'Centre "Viasna"', 'centre"viasna"'),
        (2, "Centre “Viasna”", "centre“viasna”"),  # slipped past the old rule
        (3, "Lawtrend", "lawtrend"),
    ]:
        await db.execute(
            "INSERT INTO organisations (id, name, name_key, status, created_at) "
            "VALUES (?, ?, ?, 'active', '2026-01-01T00:00:00+00:00')",
            (org_id, name, old_key),
        )
    clashes = await membership.refresh_name_keys(db)
    assert [(c.kept.id, c.other.id) for c in clashes] == [(1, 2)]
    with pytest.raises(Refusal) as caught:
        await membership.add_organisation(db, "Centre «Viasna»", actor="cli", now=NOW)
    assert caught.value.data["org_id"] == 1
    again = await membership.refresh_name_keys(db)  # at every start: the same result
    assert [(c.kept.id, c.other.id) for c in again] == [(1, 2)]
    names = [r["name"] for r in await db.fetch_all("SELECT name FROM organisations ORDER BY id")]
    assert names == ['Centre "Viasna"', "Centre “Viasna”", "Lawtrend"]  # never altered


async def test_an_organisation_by_name_or_number_and_the_rest(db: Database) -> None:
    viasna = await membership.add_organisation(db, "Human Rights Center “Viasna”", actor="cli",
                                               now=NOW)  # fmt: skip
    seven = await membership.add_organisation(db, "7 Days", actor="cli", now=NOW)
    find = membership.organisation_and_rest
    assert await find(db, 'human rights center "viasna" Anna, lawyer') == (viasna, "Anna, lawyer")
    assert await find(db, f"{viasna.id}  Anna") == (viasna, "Anna")
    assert await find(db, "7 Days Boris") == (seven, "Boris")  # the name before a number
    assert await membership.find_organisation(db, f"#{seven.id}") == seven
    with pytest.raises(Refusal) as caught:
        await find(db, "Viasna Anna")
    assert caught.value.code == "org_name_not_found"
    with pytest.raises(Refusal) as caught:
        await find(db, "99 Anna")
    assert caught.value.code == "org_not_found"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("   ", "name_empty"), ("A" * 301, "name_too_long"), ("Two\nlines", "name_invalid")],
)
async def test_unusable_names_are_refused(db: Database, raw: str, reason: str) -> None:
    with pytest.raises(Refusal) as caught:
        await membership.add_organisation(db, raw, actor="cli", now=NOW)
    assert caught.value.code == reason


async def test_invite_token_is_strong_short_and_stored_only_hashed(db: Database) -> None:
    org = await membership.add_organisation(db, "Org", actor="cli", now=NOW)
    issued = await _invite(db, org.id)
    assert len(issued.token) <= 64
    assert membership.TOKEN_SHAPE.match(issued.token)
    assert membership.TOKEN_BYTES * 8 >= 128
    stored = await db.fetch_all("SELECT * FROM invites")
    assert issued.token not in repr(stored)
    assert stored[0]["token_hash"] == membership.hash_token(issued.token)
    assert issued.token not in repr(issued)


async def test_invite_is_single_use(db: Database) -> None:
    org = await membership.add_organisation(db, "Org", actor="cli", now=NOW)
    issued = await _invite(db, org.id)
    joined = await _redeem(db, issued.token, 500)
    assert isinstance(joined, membership.Joined)
    assert joined.organisation.id == org.id
    reused = await _redeem(db, issued.token, 501)  # invalid to 501, and worth an alert
    assert reused == membership.ReusedInvite(
        issued.invite_id, joined.contact.id, None, "Org", NOW, presented_by=501
    )
    assert await _redeem(db, issued.token, 500) == membership.AlreadyBound("Org")  # their own
    who = await access.identify(db, set(), 500)
    assert who.is_member and who.organisation and who.organisation.id == org.id
    assert (await access.identify(db, set(), 501)).role is access.Role.UNKNOWN


async def test_expired_and_revoked_invites_are_invalid(db: Database) -> None:
    org = await membership.add_organisation(db, "Org", actor="cli", now=NOW)
    expired = await _invite(db, org.id)
    assert await _redeem(db, expired.token, 500, NOW + TTL) is membership.INVALID_INVITE
    revoked = await _invite(db, org.id)
    await membership.revoke_invite(db, revoked.invite_id, actor="cli", now=NOW)
    assert await _redeem(db, revoked.token, 500) is membership.INVALID_INVITE
    with pytest.raises(Refusal):
        await membership.revoke_invite(db, revoked.invite_id, actor="cli", now=NOW)


async def test_an_account_can_join_only_once(db: Database) -> None:
    first = await membership.add_organisation(db, "First", actor="cli", now=NOW)
    second = await membership.add_organisation(db, "Second", actor="cli", now=NOW)
    assert isinstance(
        await _redeem(db, (await _invite(db, first.id)).token, 500), membership.Joined
    )
    result = await _redeem(db, (await _invite(db, second.id)).token, 500)
    assert result == membership.AlreadyBound("First")


async def test_removing_an_organisation_removes_access_and_keeps_history(db: Database) -> None:
    org = await membership.add_organisation(db, "Org", actor="cli", now=NOW)
    await _redeem(db, (await _invite(db, org.id)).token, 500)
    pending = await _invite(db, org.id)
    _, removal = await membership.remove_organisation(db, org.id, actor="cli", now=NOW)
    assert removal.contacts == 2  # the joined contact and the invited one
    assert (await access.identify(db, set(), 500)).role is access.Role.UNKNOWN
    assert await _redeem(db, pending.token, 600) is membership.INVALID_INVITE
    assert await db.fetch_value("SELECT count(*) FROM organisations") == 1
    actions = [e.action for e in await audit.events(db)]
    assert actions == [
        "organisation.added",
        "invite.issued",
        "invite.used",
        "invite.issued",
        "organisation.removed",
    ]


async def test_removed_contact_loses_access(db: Database) -> None:
    org = await membership.add_organisation(db, "Org", actor="cli", now=NOW)
    joined = await _redeem(db, (await _invite(db, org.id)).token, 500)
    assert isinstance(joined, membership.Joined)
    await membership.remove_contact(db, joined.contact.id, actor="cli", now=NOW)
    assert (await access.identify(db, set(), 500)).role is access.Role.UNKNOWN
    with pytest.raises(Refusal):
        await membership.remove_contact(db, joined.contact.id, actor="cli", now=NOW)


async def test_coordinators_come_from_settings(db: Database) -> None:
    who = await access.identify(db, {42}, 42)
    assert who.is_coordinator
    assert (await access.identify(db, set(), 42)).role is access.Role.UNKNOWN


async def test_removal_stops_queued_messages_and_deletes_sent_ones_now(db: Database) -> None:
    """Issue 13: what the bot sent a removed contact goes from their chat at once (the
    outbox's deletion sweep does it); nothing more is sent; one on the wire follows."""
    org = await membership.add_organisation(db, "Org", actor="cli", now=NOW)
    joined = await _redeem(db, (await _invite(db, org.id)).token, 500)
    assert isinstance(joined, membership.Joined)
    ids = []
    async with db.transaction() as tx:
        for part in ("sent", "on-the-wire", "queued"):
            await outbox.enqueue(
                tx, broadcast_id=None, contact_id=joined.contact.id, chat_id=500,
                letter_id=None, kind="summary", dedupe_key=part, now=NOW,
                message=outbox.OutgoingMessage("sendMessage", {"text": part}),
            )  # fmt: skip
    for _ in range(2):
        delivery = await outbox.next_for_chat(db, 500, now=NOW)
        assert delivery is not None and await outbox.claim(db, delivery) is not None
        ids.append(delivery.id)
        if len(ids) == 1:
            await outbox.record_sent(db, ids[0], message_id=11, now=NOW)
    later = NOW + timedelta(hours=1)
    item, removal = await membership.remove_contact(db, joined.contact.id, actor="cli", now=later)
    assert item.contact.id == joined.contact.id
    assert removal == membership.Removal(1, (ids[0],), 0)
    statuses = await db.fetch_all("SELECT status, reason FROM deliveries ORDER BY id")
    assert statuses[2] == {"status": "cancelled", "reason": "removed"}
    assert [d.id for d in await outbox.due_deletions(db, now=later)] == [ids[0]]
    await outbox.record_sent(db, ids[1], message_id=12, now=later)  # it was on the wire
    assert [d.id for d in await outbox.due_deletions(db, now=later)] == ids
    await outbox.record_deleted(db, ids[0], now=later)
    outcome = await membership.deletion_outcome(db, removal)
    assert (outcome.deleted, outcome.refused, outcome.pending) == (1, 0, 0)
