"""Issue 16: `audit verify` replays the log and names the first place the tables differ.

A coalition is built through the services (no Telegram) on a real database; then someone
holding the file edits the tables directly, the way the issue describes, and the check
must name the edit in one line. A database the services alone wrote must verify.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db import Database, audit, open_database
from bot.db.contacts import Contact
from bot.db.migrate import apply_migrations
from bot.services import (
    languages,
    letters,
    lifecycle,
    membership,
    milestones,
    purge,
    reminders,
    responses,
)
from bot.services.audit_check import AuditCheck, check_audit
from bot.services.letter_text import fingerprint
from bot.services.letters import DraftSource
from bot.services.replay import NO_RECORD, REDUCERS
from bot.services.responses import Listing

NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
COORDINATOR = "coordinator:1001"
TTL = timedelta(days=7)
TEXT = "Excellencies,\n\nWe call on the Council to renew the mandate.\n\nRespectfully,"
NAMES = ("Viasna", "Belarusian PEN", "Free Media", "Never Answers")


def nothing(*args: object) -> list:
    """A composer that queues no message (these tests are about the record)."""
    return []


@dataclass
class Coalition:
    db: Database
    path: Path
    contacts: list[Contact]
    letter_id: int
    version_id: int


@pytest.fixture
async def coalition(tmp_path: Path) -> AsyncIterator[Coalition]:
    built = await build_coalition(tmp_path / "bot.db")
    yield built
    await built.db.close()


async def build_coalition(path: Path) -> Coalition:
    """Four organisations with one contact each; letter #1 circulated to all of them:
    Viasna signed (internal only), Belarusian PEN signed (by name), Free Media declined with
    a reason, Never Answers has not answered. The database stays open."""
    db = await open_database(path)
    await apply_migrations(db, NOW)
    contacts = []
    for n, name in enumerate(NAMES):
        org = await membership.add_organisation(db, name, actor=COORDINATOR, now=NOW)
        contacts.append(await join(db, org.id, 5000 + n))
    letter, version = await letters.create_letter(
        db, title="Joint letter", deadline=NOW + timedelta(days=20), zone_name="Europe/Zurich",
        body=TEXT, source=DraftSource(), language="en", created_by=1001, actor=COORDINATOR,
        now=NOW,
    )  # fmt: skip
    await letters.circulate(
        db, letter.id, None, requested_by=1001, actor=COORDINATOR, now=NOW, compose=nothing,
        default_offsets=[],
    )  # fmt: skip
    viasna, pen, media, _ = contacts
    await responses.sign(db, viasna, letter.id, version.id, Listing.INTERNAL, now=NOW)
    await responses.sign(db, pen, letter.id, version.id, Listing.NAMED, now=NOW)
    await responses.decline(db, media, letter.id, version.id, "Not our mandate", now=NOW)
    return Coalition(db, path, contacts, letter.id, version.id)


async def join(db: Database, org_id: int, user_id: int) -> Contact:
    issued = await membership.issue_invite(
        db, org_id, label=None, created_by=1001, actor=COORDINATOR, now=NOW, ttl=TTL
    )
    joined = await membership.redeem_invite(
        db, issued.token, telegram_user_id=user_id, display_name=f"User {user_id}",
        language="en", is_coordinator=False, now=NOW,
    )  # fmt: skip
    assert isinstance(joined, membership.Joined)
    return joined.contact


def edit(path: Path, *statements: str) -> None:
    """What someone holding the file does: plain SQL on the tables (no trigger guards them)."""
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


async def event_of(db: Database, action: str, organisation_id: int | None = None) -> int:
    """The id of the last event of ``action`` (about ``organisation_id``, if given)."""
    return await db.fetch_value(
        "SELECT max(id) FROM audit_events WHERE action = ? AND (? IS NULL OR organisation_id = ?)",
        (action, organisation_id, organisation_id),
    )


async def first_difference(coalition: Coalition) -> str:
    check = await check_audit(coalition.db)
    assert check.chain.ok, check.chain.reason  # the log itself was not touched
    assert not check.record.ok
    return str(check.record.first)


async def test_a_database_the_services_wrote_verifies(coalition: Coalition) -> None:
    check = await check_audit(coalition.db)
    assert check.ok and check.chain.ok and check.record.ok
    assert check.record.differences == () and check.record.unknown == {}
    assert check.record.events == check.chain.count == await audit.last_event_id(coalition.db)


async def test_every_action_of_the_services_replays_cleanly(coalition: Coalition) -> None:
    """Every path that changes the record, one after the other, and the log still describes
    the tables exactly: revisions, withdrawals, renames, removals, deadlines, closing,
    reopening, purging, and the actions that change no record."""
    db, letter_id = coalition.db, coalition.letter_id
    viasna, pen, media, never = coalition.contacts
    later = NOW + timedelta(hours=1)
    revision = await letters.revise(
        db, letter_id, body=TEXT + "\n\nA minor fix.", material=False, source=DraftSource(),
        created_by=1001, actor=COORDINATOR, now=later, compose_notice=nothing,
    )  # fmt: skip
    await responses.withdraw(db, pen, letter_id, now=later)
    await responses.sign(db, pen, letter_id, revision.version.id, Listing.ANONYMOUS, now=later)
    await responses.decline(db, never, letter_id, revision.version.id, None, now=later)
    await responses.add_comment(db, viasna, letter_id, revision.version.id, "Thanks", now=later)
    await membership.rename_organisation(db, 3, "Free Media Belarus", actor=COORDINATOR, now=later)
    await letters.move_deadline(
        db, letter_id, NOW + timedelta(days=30), actor=COORDINATOR, now=later, compose=nothing,
        default_offsets=[],
    )  # fmt: skip
    await milestones.add_milestone(
        db, letter_id, "Session opens", NOW + timedelta(days=10), created_by=1001,
        actor=COORDINATOR, now=later,
    )  # fmt: skip
    await reminders.set_offsets(
        db, letter_id, [timedelta(days=1)], default_offsets=[], actor=COORDINATOR, now=later
    )
    await languages.set_language(db, viasna, "be", actor=f"contact:{viasna.id}", now=later)
    await languages.ensure_coordinator(db, 1001, display_name="Olena", language="en", now=later)
    await lifecycle.close_letter(db, letter_id, actor=COORDINATOR, now=later, compose=nothing)
    await lifecycle.reopen_letter(
        db, letter_id, NOW + timedelta(days=40), actor=COORDINATOR, now=later,
        default_offsets=[], compose=nothing,
    )  # fmt: skip
    await lifecycle.close_letter(db, letter_id, actor=COORDINATOR, now=later, compose=nothing)
    await purge.purge_letter(db, letter_id, actor=COORDINATOR, now=later)
    # A second letter, to a chosen organisation, still open.
    second, version = await letters.create_letter(
        db, title="Second", deadline=NOW + timedelta(days=9), zone_name="UTC", body=TEXT,
        source=DraftSource(), language="ru", created_by=1001, actor=COORDINATOR, now=later,
    )  # fmt: skip
    await letters.circulate(
        db, second.id, [2], requested_by=1001, actor=COORDINATOR, now=later, compose=nothing,
        default_offsets=[],
    )  # fmt: skip
    await responses.sign(db, pen, second.id, version.id, Listing.NAMED, now=later)
    # People come and go.
    extra = await join(db, 1, 6000)
    await membership.remove_contact(db, extra.id, actor=COORDINATOR, now=later)
    pending = await membership.issue_invite(
        db, 2, label="later", created_by=1001, actor=COORDINATOR, now=later, ttl=TTL
    )
    await membership.revoke_invite(db, pending.invite_id, actor=COORDINATOR, now=later)
    await membership.issue_invite(
        db, 4, label=None, created_by=1001, actor=COORDINATOR, now=later, ttl=TTL
    )  # never used
    await membership.remove_organisation(db, 4, actor=COORDINATOR, now=later)
    await membership.set_reachable(db, media, False, now=later)

    check = await check_audit(db)
    assert check.ok, check.record.first
    actions = {row["action"] for row in await db.fetch_all("SELECT action FROM audit_events")}
    assert actions <= REDUCERS.keys() | NO_RECORD
    assert len(actions & REDUCERS.keys()) == len(REDUCERS)  # every reducer was exercised


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        pytest.param(
            ["UPDATE responses SET listing = 'named' WHERE organisation_id = 1"],
            "responses: letter #1, organisation #1 'Viasna': the table says signed, listed by "
            "name; the audit log says signed, internal only (event #{signed_1})",
            id="listing-internal-made-named",
        ),
        pytest.param(
            [
                "INSERT INTO responses (letter_id, organisation_id, decision, version_id, "
                "listing, contact_id, created_at, updated_at) VALUES (1, 4, 'signed', 1, "
                "'named', 4, '2026-02-02T09:00:00+00:00', '2026-02-02T09:00:00+00:00')"
            ],
            "responses: letter #1, organisation #4 'Never Answers': the table says signed "
            "v1 · {fingerprint}, listed by name, by contact #4; the audit log has no response "
            "from it",
            id="signature-inserted",
        ),
        pytest.param(
            [
                "UPDATE responses SET decision = 'signed', listing = 'named', reason = NULL "
                "WHERE organisation_id = 3"
            ],
            "responses: letter #1, organisation #3 'Free Media': the table says signed v1 · "
            "{fingerprint}, listed by name; the audit log says declined v1 · {fingerprint}, "
            "with a reason (event #{declined_3})",
            id="decline-made-signature",
        ),
        pytest.param(
            ["UPDATE responses SET contact_id = 1 WHERE organisation_id = 2"],
            "responses: letter #1, organisation #2 'Belarusian PEN': the table says signed, "
            "by contact #1; the audit log says signed, by contact #2 (event #{signed_2})",
            id="signer-changed",
        ),
        pytest.param(
            ["UPDATE organisations SET name = 'Viasna (supports the authorities)' WHERE id = 1"],
            "organisations: organisation #1: the table says 'Viasna (supports the "
            "authorities)'; the audit log says 'Viasna' (event #1)",
            id="organisation-renamed",
        ),
        pytest.param(
            ["UPDATE organisations SET status = 'removed' WHERE id = 2"],
            "organisations: organisation #2 'Belarusian PEN': the table says removed; the "
            "audit log says active (event #{added_2})",
            id="organisation-removed",
        ),
        pytest.param(
            ["UPDATE letters SET status = 'closed' WHERE id = 1"],
            "letters: letter #1: the table says closed; the audit log says open "
            "(event #{circulated})",
            id="letter-closed",
        ),
        pytest.param(
            ["UPDATE letters SET deadline = '2026-02-03T09:00:00+00:00' WHERE id = 1"],
            "letters: letter #1: the table says the deadline 2026-02-03T09:00:00+00:00; the "
            "audit log says 2026-02-22T09:00:00+00:00 (event #{created})",
            id="deadline-moved",
        ),
        pytest.param(
            ["UPDATE versions SET body = replace(body, 'renew', 'end') WHERE id = 1"],
            "versions: letter #1, v1: the text in the table no longer has its fingerprint "
            "{fingerprint} (it is {changed}): the text was changed",
            id="version-text-changed",
        ),
        pytest.param(
            [
                "UPDATE versions SET body = replace(body, 'renew', 'end'), "
                "fingerprint = '{changed}' WHERE id = 1"
            ],
            "versions: letter #1, v1: the table says fingerprint {changed}; the audit log "
            "says {fingerprint} (event #{version})",
            id="version-text-and-fingerprint-changed",
        ),
        pytest.param(
            ["UPDATE versions SET material = 0 WHERE id = 1"],
            "versions: letter #1, v1: the table says minor; the audit log says material "
            "(event #{version})",
            id="version-made-minor",
        ),
        pytest.param(
            ["UPDATE versions SET body = NULL WHERE id = 1"],
            "versions: letter #1, v1: the table says the text is gone; the audit log says "
            "the letter was never purged (event #{circulated})",
            id="text-removed-without-purge",
        ),
        pytest.param(
            [
                "INSERT INTO versions (letter_id, number, body, fingerprint, created_at) "
                "VALUES (1, 2, 'Another text', '{other}', '2026-02-02T09:00:00+00:00')"
            ],
            "versions: letter #1, v2: the table has it ({other}); the audit log never added it",
            id="version-inserted",
        ),
        pytest.param(
            ["UPDATE contacts SET telegram_user_id = 777 WHERE id = 1"],
            "contacts: contact #1: the table says has access, organisation #1, Telegram "
            "account 777; the audit log says has access, organisation #1, Telegram account "
            "5000 (event #{joined_1})",
            id="contact-rebound",
        ),
        pytest.param(
            [
                "INSERT INTO contacts (role, organisation_id, telegram_user_id, status, "
                "created_at) VALUES ('member', 4, 666, 'active', '2026-02-02T09:00:00+00:00')"
            ],
            "contacts: contact #5: the table has it (has access, organisation #4, Telegram "
            "account 666); the audit log never invited it",
            id="contact-inserted",
        ),
        pytest.param(
            ["DELETE FROM letter_organisations WHERE organisation_id = 4"],
            "letters: letter #1, organisation #4 'Never Answers': the table says it did not "
            "go to it; the audit log says it did (event #{circulated})",
            id="recipient-removed",
        ),
    ],
)
async def test_each_direct_table_edit_is_named(
    coalition: Coalition, statements: list[str], expected: str
) -> None:
    db = coalition.db
    values = {
        "fingerprint": fingerprint(TEXT),
        "changed": fingerprint(TEXT.replace("renew", "end")),
        "other": fingerprint("Another text"),
        "added_2": await event_of(db, "organisation.added", 2),
        "signed_1": await event_of(db, "response.signed", 1),
        "signed_2": await event_of(db, "response.signed", 2),
        "declined_3": await event_of(db, "response.declined", 3),
        "joined_1": await event_of(db, "invite.used", 1),
        "created": await event_of(db, "letter.created"),
        "version": await event_of(db, "version.added"),
        "circulated": await event_of(db, "letter.circulated"),
    }
    edit(coalition.path, *(statement.format(**values) for statement in statements))
    assert await first_difference(coalition) == expected.format(**values)


async def test_an_edit_covered_up_by_a_later_change_is_still_found(coalition: Coalition) -> None:
    """The table is edited, then a real action makes it agree with the log again: the event
    of that action records what it found, which the log before it contradicts."""
    db, viasna = coalition.db, coalition.contacts[0]
    edit(
        coalition.path,
        "UPDATE responses SET decision = 'withdrawn', listing = NULL, version_id = NULL "
        "WHERE organisation_id = 1",
        "UPDATE organisations SET name = 'Viasna (supports the authorities)' WHERE id = 1",
    )
    await responses.sign(
        db, viasna, coalition.letter_id, coalition.version_id, Listing.INTERNAL, now=NOW
    )
    await membership.rename_organisation(db, 1, "Viasna", actor=COORDINATOR, now=NOW)
    resigned = await event_of(db, "response.signed", 1)
    renamed = await event_of(db, "organisation.renamed", 1)
    check = await check_audit(db)
    assert check.chain.ok and len(check.record.differences) == 2  # the tables agree again
    assert [str(d) for d in check.record.differences] == [
        f"responses: letter #1, organisation #1 'Viasna': event #{resigned} (response.signed) "
        f"found withdrawn in the table; the audit log before it says signed (event "
        f"#{await event_of_before(db, 'response.signed', 1, resigned)}): the table was "
        "changed in between",
        f"organisations: organisation #1: event #{renamed} (organisation.renamed) found "
        "'Viasna (supports the authorities)' in the table; the audit log before it says "
        "'Viasna' (event #1): the table was changed in between",
    ]


async def event_of_before(db: Database, action: str, organisation_id: int, before: int) -> int:
    return await db.fetch_value(
        "SELECT max(id) FROM audit_events WHERE action = ? AND organisation_id = ? AND id < ?",
        (action, organisation_id, before),
    )


async def test_an_unknown_action_fails_only_where_it_would_change_the_record(
    coalition: Coalition,
) -> None:
    db = coalition.db
    async with db.transaction() as tx:
        await audit.append(tx, now=NOW, actor=COORDINATOR, action="approval.requested")
    check = await check_audit(db)
    assert check.ok and check.record.unknown == {"approval.requested": 1}
    async with db.transaction() as tx:
        await audit.append(
            tx, now=NOW, actor=COORDINATOR, action="response.recorded", letter_id=1,
            organisation_id=4, data={"decision": "signed"},
        )  # fmt: skip
    check = await check_audit(db)
    assert not check.ok
    assert str(check.record.first).startswith(
        f"audit log: event #{await audit.last_event_id(db)} (response.recorded): this action "
        "changes the record and this check cannot replay it"
    )


async def check_after(coalition: Coalition, *statements: str) -> AuditCheck:
    edit(coalition.path, *statements)
    return await check_audit(coalition.db)


async def test_several_differences_are_all_listed_in_order(coalition: Coalition) -> None:
    """Organisations come before responses; the CLI prints the first and counts the rest."""
    check = await check_after(
        coalition,
        "UPDATE responses SET listing = 'named' WHERE organisation_id = 1",
        "UPDATE organisations SET name = 'Renamed' WHERE id = 2",
    )
    assert [d.table for d in check.record.differences] == ["organisations", "responses"]
    assert check.record.first is check.record.differences[0]
