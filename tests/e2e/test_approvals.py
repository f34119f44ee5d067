"""Issue 16 end to end: two people for what changes the record, and every signer told.

Two coordinators (Olena 1001, Pavel 1002; a third, Sasha 1003, where a removal needs
someone other than the one removed): a request waits, the other coordinators get it with
Approve / Reject, the requester cannot approve it, it expires, and a removed coordinator
is nobody at their very next update. The forgery of issue 16 (reopen → minor revision with
the opposite text → close → rename the signatory → purge) stops at its first step with
two coordinators, and with one every step reaches the signer.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import docx
import pytest

from bot.clock import FakeClock
from bot.fake_telegram import FakeMessage, FakeTelegramServer, FakeUser
from tests.factories import LINK, TEXT, buttons, circulated, close, sign
from tests.harness import RunningBot, make_settings, running_bot

FORGED_NAME = "Viasna (supports the authorities)"
OPPOSITE = TEXT + "\n\nThe undersigned support the authorities' actions in full."
REOPEN = "2026-03-01 18:00"


def request_id(message: FakeMessage) -> int:
    match = re.search(r"Request #(\d+)", message.text or "")
    assert match, message.text
    return int(match.group(1))


async def coordinator(bot: RunningBot, tg: FakeTelegramServer, account: int, name: str) -> FakeUser:
    """A coordinator from COORDINATOR_IDS, who has written to the bot (their chat exists)."""
    user = tg.add_user(account, name)
    await bot.ask(user, "/start")
    return user


@pytest.fixture
async def two(
    tg: FakeTelegramServer, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[tuple[RunningBot, FakeUser]]:
    settings = make_settings(tg, tmp_path, coordinator_ids=frozenset({1001, 1002}))
    async with running_bot(settings, clock, tg) as bot:
        bot.coordinator()
        yield bot, await coordinator(bot, tg, 1002, "Pavel")


async def revise_minor(bot: RunningBot, letter_id: int, text: str) -> FakeMessage:
    """/revise with ``text``, marked minor; the coordinator's answer."""
    olena = bot.coordinator()
    [ask] = await bot.ask(olena, f"/revise {letter_id}")
    assert "new text" in (ask.text or ""), ask.text
    [got] = await bot.ask(olena, text)
    assert "characters" in (got.text or ""), got.text
    await olena.press(got, "Done")
    [kind] = await bot.replies(olena)
    await olena.press(kind, "Minor: signatures stand")
    [done] = await bot.replies(olena)
    return done


async def purge(bot: RunningBot, letter_id: int, marker: str) -> FakeMessage:
    olena = bot.coordinator()
    [question] = await bot.ask(olena, f"/purge {letter_id}")
    assert "for good" in (question.text or ""), question.text
    await olena.press(question, "🗑 Purge it")
    return await bot.edited(olena, question, marker)


async def org_name(bot: RunningBot, org_id: int) -> str:
    return str(await bot.db.fetch_value("SELECT name FROM organisations WHERE id = ?", (org_id,)))


async def test_the_forgery_stops_at_its_first_step_with_two_coordinators(
    two: tuple[RunningBot, FakeUser], tg: FakeTelegramServer
) -> None:
    bot, pavel = two
    olena = bot.coordinator()
    letter_id, [anna] = await circulated(bot, tg, ["Viasna"])
    org_id = int(await bot.db.fetch_value("SELECT id FROM organisations"))
    await sign(bot, anna)
    await close(bot, letter_id)
    [closed] = await bot.replies(anna)
    assert f"Letter #{letter_id} for your organisation is closed" in (closed.text or "")
    await bot.unread(pavel)

    # 1. Reopen: it waits for Pavel, who is asked with the full description.
    [waits] = await bot.ask(olena, f"/reopen {letter_id} {REOPEN}")
    assert "Request #" in waits.text and "waits for a second coordinator" in waits.text
    [asked] = await bot.replies(pavel)
    assert "needs a second coordinator" in asked.text
    assert f"Reopen letter #{letter_id}" in asked.text and "(signed: 1)" in asked.text
    assert buttons(asked) == ["✅ Approve", "✖️ Reject"]
    # The rest of the sequence cannot go further: a closed letter is not revised, and the
    # rename and the purge wait too.
    [refused] = await bot.ask(olena, f"/revise {letter_id}")
    assert "closed" in refused.text
    [renamed] = await bot.ask(olena, f"/renameorg {org_id} {FORGED_NAME}")
    assert "Request #" in renamed.text and "waits for a second coordinator" in renamed.text
    purged = await purge(bot, letter_id, "Request #")
    assert "waits for a second coordinator" in purged.text
    # Nothing changed, and the signer was not bothered with anything that did not happen.
    row = await bot.db.fetch_one("SELECT status, purged_at FROM letters WHERE id = ?", (letter_id,))
    assert (row["status"], row["purged_at"]) == ("closed", None)
    assert await bot.db.fetch_value("SELECT count(*) FROM versions") == 1
    assert await org_name(bot, org_id) == "Viasna"
    assert await bot.db.fetch_value("SELECT count(*) FROM organisation_renames") == 0
    pending = await bot.db.fetch_all("SELECT kind FROM approvals WHERE status = 'pending'")
    assert [r["kind"] for r in pending] == ["reopen", "rename_organisation", "purge"]
    await bot.silent(anna)


async def test_with_one_coordinator_the_signer_is_told_at_every_step(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    olena = bot.coordinator()
    letter_id, [anna] = await circulated(bot, tg, ["Viasna"])
    org_id = int(await bot.db.fetch_value("SELECT id FROM organisations"))
    receipt = await sign(bot, anna)  # a witness of the signature, to keep outside the server
    code = re.search(r"Witness code: (#[0-9a-f-]+)", receipt.text).group(1)  # type: ignore[union-attr]
    closed = await close(bot, letter_id)
    assert "Audit log witness: #" in closed
    [told] = await bot.replies(anna)
    assert f"Letter #{letter_id} for your organisation is closed" in told.text

    # 1. Reopen: done alone, and the signer may withdraw.
    [reopened] = await bot.ask(olena, f"/reopen {letter_id} {REOPEN}")
    assert "open again" in reopened.text and "without a second coordinator" in reopened.text
    [notice] = await bot.replies(anna)
    assert "is open again" in notice.text and "signature stands" in notice.text
    assert "Withdraw signature" in buttons(notice)
    # 2. A minor revision with the opposite text: the signer sees the diff, with Withdraw.
    revised = await revise_minor(bot, letter_id, OPPOSITE)
    assert "(minor)" in revised.text and "without a second coordinator" in revised.text
    diff, full = await bot.replies(anna, 2)  # the change, then the new text in full
    assert "has a new version" in diff.text and "support the authorities" in diff.text
    assert full.text.endswith("The undersigned support the authorities' actions in full.")
    assert "Withdraw signature" in buttons(diff)
    # 3. Close: told.
    await close(bot, letter_id)
    [told] = await bot.replies(anna)
    assert f"Letter #{letter_id} for your organisation is closed" in told.text
    # 4. Rename the signatory: the organisation is asked; lists keep the name it signed under.
    [asked] = await bot.ask(olena, f"/renameorg {org_id} {FORGED_NAME}")
    assert "so it decides" in asked.text and "(asked: 1)" in asked.text
    [question] = await bot.replies(anna)
    assert "want to list your organisation as" in question.text and FORGED_NAME in question.text
    assert await org_name(bot, org_id) == "Viasna"
    [listed] = await bot.ask(olena, "/orgs")
    assert f"Viasna (rename to {FORGED_NAME} waiting for the organisation)" in listed.text
    docx_file, md_file, csv_file = await bot.ask(olena, f"/export {letter_id}", replies=3)
    markdown = tg.file_content(md_file.document["file_id"]).decode()
    assert "- Viasna" in markdown and FORGED_NAME not in markdown
    # The reopening, the minor revision and the rename request, each by one coordinator.
    assert "Done without a second coordinator (3)" in markdown
    # Named by their number, never by their Telegram account (the export leaves the bot).
    assert "— coordinator \\#1" in markdown and "1001" not in markdown  # "#" escaped
    document = docx.Document(io.BytesIO(tg.file_content(docx_file.document["file_id"])))
    assert "Done without a second coordinator (3)" in [p.text for p in document.paragraphs]
    rows = list(csv.DictReader(io.StringIO(tg.file_content(csv_file.document["file_id"])
                                           .decode("utf-8-sig"))))  # fmt: skip
    assert rows[0]["minor_versions_after"].startswith("v2")
    assert "not told" not in rows[0]["told_of_them"]
    # /status: the summary, what was done alone (a message of its own), the table, the chart.
    summary, alone, table, chart = await bot.ask(olena, f"/status {letter_id}", replies=4)
    assert summary.text.startswith(f"#{letter_id} Letter on the mandate — closed, v2")
    assert alone.text.startswith("⚠️ Done without a second coordinator (3):")
    assert "letter reopened" in alone.text and "minor revision of a signed text" in alone.text
    assert "organisation's rename asked of it" in alone.text
    assert table.text.startswith(f"#{letter_id} by organisation") and chart.photo
    # The signer keeps the old name.
    await anna.press(question, "Keep “Viasna”")
    await bot.edited(anna, question, "stays listed as")
    assert await org_name(bot, org_id) == "Viasna"
    [kept] = await bot.replies(olena)
    assert "kept the name of organisation" in kept.text
    # 5. Purge: done alone, marked so.
    done = await purge(bot, letter_id, "is purged")
    assert "without a second coordinator" in done.text
    alone_events = await bot.db.fetch_all(
        "SELECT action FROM audit_events WHERE json_extract(data, '$.second_person') = 0 "
        "ORDER BY id"
    )
    assert [r["action"] for r in alone_events] == [
        "letter.reopened", "version.added", "organisation.rename_requested", "letter.purged",
    ]  # fmt: skip
    # The signer's witness still holds: nothing before it was rewritten.
    [checked] = await bot.ask(anna, f"/verify {code}")
    assert code in checked.text and "✅" in checked.text


async def test_approved_changes_reach_the_signer_and_a_rename_waits_for_the_organisation(
    two: tuple[RunningBot, FakeUser], tg: FakeTelegramServer
) -> None:
    bot, pavel = two
    olena = bot.coordinator()
    letter_id, [anna] = await circulated(bot, tg, ["Viasna"])
    org_id = int(await bot.db.fetch_value("SELECT id FROM organisations"))
    await sign(bot, anna)
    await bot.unread(pavel)
    # A minor revision of the signed letter: Pavel sees the diff, approves; Anna sees it too.
    waits = await revise_minor(bot, letter_id, OPPOSITE)
    assert "waits for a second coordinator" in waits.text
    [asked] = await bot.replies(pavel)
    assert "revision of letter" in asked.text
    assert "support the authorities" in asked.text  # the changed paragraph, in the request
    await pavel.press(asked, "✅ Approve")
    await bot.edited(pavel, asked, "was approved by")
    [approved] = await bot.replies(olena)
    assert f"Request #{request_id(waits)} was approved by Pavel" in approved.text
    diff, full = await bot.replies(anna, 2)  # the change, then the new text in full
    assert "has a new version" in diff.text and "Withdraw signature" in buttons(diff)
    assert full.text.endswith("The undersigned support the authorities' actions in full.")
    await anna.press(diff, "Withdraw signature")
    [withdrawing] = await bot.replies(anna)
    assert "Withdraw the signature of" in withdrawing.text
    # A rename of the organisation, approved, waits for the organisation; it confirms.
    [waits] = await bot.ask(olena, f"/renameorg {org_id} Viasna Centre")
    assert "Request #" in waits.text
    [asked] = await bot.replies(pavel)
    assert "Rename organisation" in asked.text
    await pavel.press(asked, "✅ Approve")
    await bot.edited(pavel, asked, "was approved by")
    [approved] = await bot.replies(olena)
    assert f"Request #{request_id(waits)} was approved by Pavel" in approved.text
    [question] = await bot.replies(anna)
    assert "want to list your organisation as" in question.text
    assert await org_name(bot, org_id) == "Viasna"
    await anna.press(question, "Use “Viasna Centre”")
    await bot.edited(anna, question, "listed as Viasna Centre")
    assert await org_name(bot, org_id) == "Viasna Centre"
    for each in (olena, pavel):
        [confirmed] = await bot.replies(each)
        assert "confirmed the new name of organisation" in confirmed.text


async def test_approval_rejection_self_approval_and_expiry(
    two: tuple[RunningBot, FakeUser], tg: FakeTelegramServer
) -> None:
    bot, pavel = two
    olena = bot.coordinator()
    letter_id, [anna] = await circulated(bot, tg, ["Viasna"])
    await bot.unread(pavel)
    # An earlier deadline waits; Olena cannot approve her own request (a forged press).
    [waits] = await bot.ask(olena, f"/deadline {letter_id} 2026-02-15 18:00")
    approval_id = request_id(waits)
    await olena.forge_callback(f"apok:{approval_id}", waits)
    await bot.edited(olena, waits, "another coordinator must approve")
    # Pavel approves: done, Olena told, the members told of the new deadline.
    [asked] = await bot.replies(pavel)
    assert "needs a second coordinator" in asked.text and "earlier" in asked.text
    await pavel.press(asked, "✅ Approve")
    approved = await bot.edited(pavel, asked, "was approved by")
    assert "is done" in approved.text
    [told] = await bot.replies(olena)
    assert f"Request #{approval_id} was approved by Pavel" in told.text
    [moved] = await bot.replies(anna)
    assert "deadline of letter" in moved.text
    deadline = await bot.db.fetch_value("SELECT deadline FROM letters WHERE id = ?", (letter_id,))
    assert deadline.startswith("2026-02-15")
    event = await bot.db.fetch_one(
        "SELECT data FROM audit_events WHERE action = 'deadline.moved' ORDER BY id DESC"
    )
    data = json.loads(event["data"])
    assert (data["approval"], data["approved_by"]) == (approval_id, "coordinator:1002")
    # A second press changes nothing.
    await pavel.forge_callback(f"apok:{approval_id}", approved)
    await bot.edited(pavel, approved, "no longer waiting")

    # Rejected: nothing done, the requester told.
    await close(bot, letter_id)
    await bot.unread(pavel)
    [waits] = await bot.ask(olena, f"/reopen {letter_id} {REOPEN}")
    rejected_id = request_id(waits)
    [asked] = await bot.replies(pavel)
    assert "Reopen letter" in asked.text
    await pavel.press(asked, "✖️ Reject")
    await bot.edited(pavel, asked, "was rejected by")
    [told] = await bot.replies(olena)
    assert f"was rejected by Pavel (#{rejected_id}): nothing was done" in told.text
    assert await bot.db.fetch_value("SELECT status FROM letters") == "closed"

    # Expired: two days on, nobody decided; both are told, nothing is done.
    [waits] = await bot.ask(olena, f"/reopen {letter_id} {REOPEN}")
    expiring = request_id(waits)
    [asked] = await bot.replies(pavel)
    assert f"Request #{expiring} from" in asked.text
    # /approvals: the buttons each may use (Pavel decides, Olena may cancel hers).
    [listed] = await bot.ask(pavel, "/approvals")
    assert f"#{expiring} from Olena" in listed.text and buttons(listed) == [
        "✅ Approve", "✖️ Reject",
    ]  # fmt: skip
    [mine] = await bot.ask(olena, "/approvals")
    assert f"#{expiring} from" in mine.text and buttons(mine) == ["Cancel my request"]
    bot.clock.advance(timedelta(hours=48))
    await bot.run_due()
    for each in (olena, pavel):
        [expired] = await bot.replies(each)
        assert f"Request #{expiring} expired" in expired.text
    assert (
        await bot.db.fetch_value("SELECT status FROM approvals WHERE id = ?", (expiring,))
        == "expired"
    )
    # A press on the expired request's button says so, and does nothing.
    await pavel.press(asked, "✅ Approve")
    await bot.edited(pavel, asked, f"Request #{expiring} has expired: nothing was done")
    assert await bot.db.fetch_value("SELECT status FROM letters") == "closed"
    [empty] = await bot.ask(olena, "/approvals")
    assert "No request is waiting" in empty.text


async def test_invitation_and_removal_of_coordinators(
    tg: FakeTelegramServer, clock: FakeClock, tmp_path: Path
) -> None:
    ids = frozenset({1001, 1002, 1003})
    settings = make_settings(tg, tmp_path, coordinator_ids=ids)
    async with running_bot(settings, clock, tg) as bot:
        olena = bot.coordinator()
        pavel = await coordinator(bot, tg, 1002, "Pavel")
        sasha = await coordinator(bot, tg, 1003, "Sasha")
        [listed] = await bot.ask(olena, "/coordinators")
        assert listed.text.startswith("Coordinators (3)") and "approval rule:" in listed.text
        assert "Telegram id 1002" in listed.text and "from COORDINATOR_IDS" in listed.text

        # A new coordinator: approved by Pavel; only Olena's button shows the link, once.
        [waits] = await bot.ask(olena, "/invitecoordinator for Dasha")
        assert "waits for a second coordinator" in waits.text and "t.me" not in waits.text
        approval = request_id(waits)
        await bot.unread(sasha)
        [asked] = await bot.replies(pavel)
        assert "Invite a new coordinator (for Dasha)" in asked.text
        await pavel.press(asked, "✅ Approve")
        await bot.edited(pavel, asked, "was approved by")
        [ready] = await bot.replies(olena)
        assert "Press the button to see the link" in ready.text
        assert buttons(ready) == ["🔗 Show the invitation link"]
        [approved] = await bot.replies(sasha)
        assert "was approved" in approved.text and buttons(approved) == []
        payloads = await bot.db.fetch_all("SELECT payload FROM deliveries")
        assert not [p for p in payloads if "start=" in (p["payload"] or "")]
        await olena.press(ready, "🔗 Show the invitation link")
        shown = await bot.edited(olena, ready, "Single-use")
        token = LINK.search(shown.text).group(1)  # type: ignore[union-attr]
        await olena.forge_callback(f"aplink:{approval}", shown)  # once only
        await bot.edited(olena, shown, "shown only once")
        dasha = tg.add_user(1004, "Dasha")
        [welcome] = await bot.ask(dasha, f"/start {token}")
        assert "You are now a coordinator" in welcome.text
        [pending] = await bot.ask(dasha, "/approvals")
        assert "No request is waiting" in pending.text

        # Removing Pavel: he cannot decide it; Sasha approves; Pavel is nobody at once.
        await bot.unread(olena)
        await bot.unread(pavel)
        await bot.unread(sasha)
        [question] = await bot.ask(olena, "/removecoordinator 2")
        assert "lose access" in question.text
        await olena.press(question, "Remove")
        waiting = await bot.edited(olena, question, "waits for a second coordinator")
        [told] = await bot.replies(pavel)
        assert "Remove coordinator #2" in told.text
        assert buttons(told) == []  # about him: another coordinator decides
        [asked] = await bot.replies(sasha)
        assert "Remove coordinator #2" in asked.text
        await pavel.forge_callback(f"apok:{request_id(waiting)}", told)
        await bot.edited(pavel, told, "about removing you")
        await sasha.press(asked, "✅ Approve")
        await bot.edited(sasha, asked, "was approved by")
        await bot.unread(pavel)
        [stranger] = await bot.ask(pavel, "/letters")  # answered as anyone uninvited
        assert "private bot that works by invitation only" in stranger.text
        await bot.ask(pavel, "/coordinators", replies=0)  # not again within the hour
        [listed] = await bot.ask(olena, "/coordinators")
        assert "approval rule:" in listed.text
        assert "Telegram id 1002" not in listed.text and "Telegram id 1004" in listed.text
        # Restarting with 1002 still in COORDINATOR_IDS does not bring Pavel back.
    async with running_bot(settings, clock, tg) as bot:
        assert (
            await bot.db.fetch_value("SELECT status FROM contacts WHERE telegram_user_id = 1002")
            == "removed"
        )


async def test_a_purge_by_the_retention_setting_is_announced_a_day_ahead_once(
    tg: FakeTelegramServer, clock: FakeClock, tmp_path: Path
) -> None:
    settings = make_settings(tg, tmp_path, retention_days=3)
    async with running_bot(settings, clock, tg) as bot:
        olena = bot.coordinator()
        letter_id, _ = await circulated(bot, tg, ["Viasna"])
        await close(bot, letter_id)
        await bot.unread(olena)
        clock.advance(timedelta(days=1, hours=23))
        await bot.run_due()
        assert not [m for m in await bot.unread(olena) if "will be purged" in (m.text or "")]
        clock.advance(timedelta(hours=1))
        await bot.run_due()
        [notice] = [m for m in await bot.unread(olena) if "will be purged" in (m.text or "")]
        assert "will be purged by the retention setting" in notice.text
        assert f"Letter #{letter_id}" in notice.text
        clock.advance(timedelta(hours=12))
        await bot.run_due()
        assert not [m for m in await bot.unread(olena) if "will be purged" in (m.text or "")]
        clock.advance(timedelta(hours=12))
        await bot.run_due()  # purged by the clock: no approval asked
        assert await bot.db.fetch_value("SELECT purged_at FROM letters") is not None
        assert await bot.db.fetch_value("SELECT count(*) FROM approvals") == 0
