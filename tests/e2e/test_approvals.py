"""Issue 16 end to end: two people for what changes the record, and every signer told.

Two coordinators (Olena 1001, Pavel 1002; a third, Sasha 1003, where a removal needs
someone other than the one removed): a request waits, the other coordinators get it with
Approve / Reject, the requester cannot approve it, it expires, and a removed coordinator
is nobody at their very next update. The forgery of issue 16 (reopen → minor revision with
the opposite text → close → rename the signatory → purge) stops at its first step with
two coordinators, and with one every step reaches the signer.
"""

from __future__ import annotations

import asyncio
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
from bot.fake_telegram import FakeTelegramServer, FakeUser
from tests.conftest import RunningBot, make_settings, running_bot
from tests.factories import LINK, TEXT, circulated, close, sign

FORGED_NAME = "Viasna (supports the authorities)"
OPPOSITE = TEXT + "\n\nThe undersigned support the authorities' actions in full."
REOPEN = "2026-03-01 18:00"


def buttons(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [text for row in message.buttons for text, _ in row]


async def arrives(user: FakeUser, marker: str, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    """The newest bot message in ``user``'s chat holding ``marker`` (waits for it)."""
    async with asyncio.timeout(timeout):
        while True:
            for message in reversed(user.bot_messages):
                if marker in (message.text or ""):
                    return message
            await asyncio.sleep(0.05)


async def answer(bot: RunningBot, user: FakeUser, text: str, marker: str):  # type: ignore[no-untyped-def]
    """``user`` sends ``text``; their next message holding ``marker`` (notices and
    delivery reports may come in between)."""
    user.mark_all_read()
    await user.send(text)
    async with asyncio.timeout(20):
        while True:
            [message] = await bot.replies(user)
            if marker in (message.text or ""):
                return message


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


async def revise_minor(bot: RunningBot, letter_id: int, text: str):  # type: ignore[no-untyped-def]
    """/revise with ``text``, marked minor; the coordinator's answer."""
    olena = bot.coordinator()
    await answer(bot, olena, f"/revise {letter_id}", "new text")
    got = await answer(bot, olena, text, "characters")
    await olena.press(got, "Done")
    [kind] = await bot.replies(olena)
    await olena.press(kind, "Minor: signatures stand")
    [done] = await bot.replies(olena)
    return done


async def purge(bot: RunningBot, letter_id: int, marker: str):  # type: ignore[no-untyped-def]
    olena = bot.coordinator()
    question = await answer(bot, olena, f"/purge {letter_id}", "for good")
    await olena.press(question, "🗑 Purge it")
    return await bot.edited(olena, question.message_id, marker)


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
    await bot.tg.wait_until_idle()
    anna.mark_all_read()
    pavel.mark_all_read()

    # 1. Reopen: it waits for Pavel, who is asked with the full description.
    waits = await answer(bot, olena, f"/reopen {letter_id} {REOPEN}", "Request #")
    assert "waits for a second coordinator" in waits.text
    asked = await arrives(pavel, "needs a second coordinator")
    assert f"Reopen letter #{letter_id}" in asked.text and "(signed: 1)" in asked.text
    assert buttons(asked) == ["✅ Approve", "✖️ Reject"]
    # The rest of the sequence cannot go further: a closed letter is not revised, and the
    # rename and the purge wait too.
    refused = await answer(bot, olena, f"/revise {letter_id}", "closed")
    assert "closed" in refused.text
    renamed = await answer(bot, olena, f"/renameorg {org_id} {FORGED_NAME}", "Request #")
    assert "waits for a second coordinator" in renamed.text
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
    await bot.tg.wait_until_idle()
    assert anna.unread == []


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

    # 1. Reopen: done alone, and the signer may withdraw.
    reopened = await answer(bot, olena, f"/reopen {letter_id} {REOPEN}", "open again")
    assert "without a second coordinator" in reopened.text
    notice = await arrives(anna, "is open again")
    assert "signature stands" in notice.text and "Withdraw signature" in buttons(notice)
    # 2. A minor revision with the opposite text: the signer sees the diff, with Withdraw.
    revised = await revise_minor(bot, letter_id, OPPOSITE)
    assert "(minor)" in revised.text and "without a second coordinator" in revised.text
    diff = await arrives(anna, "has a new version")
    assert "support the authorities" in diff.text and "Withdraw signature" in buttons(diff)
    # 3. Close: told.
    await close(bot, letter_id)
    await arrives(anna, f"Letter #{letter_id} for your organisation is closed")
    # 4. Rename the signatory: the organisation is asked; lists keep the name it signed under.
    asked = await answer(bot, olena, f"/renameorg {org_id} {FORGED_NAME}", "so it decides")
    assert "(asked: 1)" in asked.text
    question = await arrives(anna, "want to list your organisation as")
    assert FORGED_NAME in question.text
    assert await org_name(bot, org_id) == "Viasna"
    [listed] = await bot.ask(olena, "/orgs")
    assert f"Viasna (rename to {FORGED_NAME} waiting for the organisation)" in listed.text
    docx_file, md_file, csv_file = await bot.ask(olena, f"/export {letter_id}", replies=3)
    markdown = tg.file_content(md_file.document["file_id"]).decode()
    assert "- Viasna" in markdown and FORGED_NAME not in markdown
    # The reopening, the minor revision and the rename request, each by one coordinator.
    assert "Done without a second coordinator (3)" in markdown
    document = docx.Document(io.BytesIO(tg.file_content(docx_file.document["file_id"])))
    assert "Done without a second coordinator (3)" in [p.text for p in document.paragraphs]
    rows = list(csv.DictReader(io.StringIO(tg.file_content(csv_file.document["file_id"])
                                           .decode("utf-8-sig"))))  # fmt: skip
    assert rows[0]["minor_versions_after"].startswith("v2")
    assert "not told" not in rows[0]["told_of_them"]
    alone = await answer(bot, olena, f"/status {letter_id}", "Done without a second")
    assert "letter reopened" in alone.text and "minor revision of a signed text" in alone.text
    # The signer keeps the old name.
    await anna.press(question, "Keep “Viasna”")
    await bot.edited(anna, question.message_id, "stays listed as")
    assert await org_name(bot, org_id) == "Viasna"
    await arrives(olena, "kept the name of organisation")
    # 5. Purge: done alone, marked so.
    done = await purge(bot, letter_id, "is purged")
    assert "without a second coordinator" in done.text
    alone = await bot.db.fetch_all(
        "SELECT action FROM audit_events WHERE json_extract(data, '$.second_person') = 0 "
        "ORDER BY id"
    )
    assert [r["action"] for r in alone] == [
        "letter.reopened", "version.added", "organisation.rename_requested", "letter.purged",
    ]  # fmt: skip
    # The signer's witness still holds: nothing before it was rewritten.
    checked = await answer(bot, anna, f"/verify {code}", code)
    assert "✅" in checked.text


async def test_approved_changes_reach_the_signer_and_a_rename_waits_for_the_organisation(
    two: tuple[RunningBot, FakeUser], tg: FakeTelegramServer
) -> None:
    bot, pavel = two
    olena = bot.coordinator()
    letter_id, [anna] = await circulated(bot, tg, ["Viasna"])
    org_id = int(await bot.db.fetch_value("SELECT id FROM organisations"))
    await sign(bot, anna)
    # A minor revision of the signed letter: Pavel sees the diff, approves; Anna sees it too.
    waits = await revise_minor(bot, letter_id, OPPOSITE)
    assert "waits for a second coordinator" in waits.text
    asked = await arrives(pavel, "revision of letter")
    assert "support the authorities" in asked.text  # the changed paragraph, in the request
    await pavel.press(asked, "✅ Approve")
    await bot.edited(pavel, asked.message_id, "was approved by")
    diff = await arrives(anna, "has a new version")
    assert "Withdraw signature" in buttons(diff)
    await anna.press(diff, "Withdraw signature")
    await arrives(anna, "Withdraw the signature of")
    # A rename of the organisation, approved, waits for the organisation; it confirms.
    await answer(bot, olena, f"/renameorg {org_id} Viasna Centre", "Request #")
    asked = await arrives(pavel, "Rename organisation")
    await pavel.press(asked, "✅ Approve")
    question = await arrives(anna, "want to list your organisation as")
    assert await org_name(bot, org_id) == "Viasna"
    await anna.press(question, "Use “Viasna Centre”")
    await bot.edited(anna, question.message_id, "listed as Viasna Centre")
    assert await org_name(bot, org_id) == "Viasna Centre"
    await arrives(olena, "confirmed the new name of organisation")
    await arrives(pavel, "confirmed the new name of organisation")


async def test_approval_rejection_self_approval_and_expiry(
    two: tuple[RunningBot, FakeUser], tg: FakeTelegramServer
) -> None:
    bot, pavel = two
    olena = bot.coordinator()
    letter_id, [anna] = await circulated(bot, tg, ["Viasna"])
    pavel.mark_all_read()
    # An earlier deadline waits; Olena cannot approve her own request (a forged press).
    waits = await answer(bot, olena, f"/deadline {letter_id} 2026-02-15 18:00", "Request #")
    approval_id = int(re.search(r"Request #(\d+)", waits.text).group(1))  # type: ignore[union-attr]
    await olena.forge_callback(f"apok:{approval_id}", waits)
    await bot.edited(olena, waits.message_id, "another coordinator must approve")
    # Pavel approves: done, Olena told, the members told of the new deadline.
    asked = await arrives(pavel, "needs a second coordinator")
    assert "earlier" in asked.text
    await pavel.press(asked, "✅ Approve")
    approved = await bot.edited(pavel, asked.message_id, "was approved by")
    assert "is done" in approved.text
    await arrives(olena, f"Request #{approval_id} was approved by Pavel")
    await arrives(anna, "deadline of letter")
    deadline = await bot.db.fetch_value("SELECT deadline FROM letters WHERE id = ?", (letter_id,))
    assert deadline.startswith("2026-02-15")
    event = await bot.db.fetch_one(
        "SELECT data FROM audit_events WHERE action = 'deadline.moved' ORDER BY id DESC"
    )
    data = json.loads(event["data"])
    assert (data["approval"], data["approved_by"]) == (approval_id, "coordinator:1002")
    # A second press changes nothing.
    await pavel.forge_callback(f"apok:{approval_id}", approved)
    await bot.edited(pavel, approved.message_id, "no longer waiting")

    # Rejected: nothing done, the requester told.
    await close(bot, letter_id)
    waits = await answer(bot, olena, f"/reopen {letter_id} {REOPEN}", "Request #")
    asked = await arrives(pavel, "Reopen letter")
    await pavel.press(asked, "✖️ Reject")
    await bot.edited(pavel, asked.message_id, "was rejected by")
    await arrives(olena, "was rejected by Pavel (#2): nothing was done")
    assert await bot.db.fetch_value("SELECT status FROM letters") == "closed"

    # Expired: two days on, nobody decided; both are told, nothing is done.
    waits = await answer(bot, olena, f"/reopen {letter_id} {REOPEN}", "Request #")
    expiring = int(re.search(r"Request #(\d+)", waits.text).group(1))  # type: ignore[union-attr]
    asked = await arrives(pavel, f"Request #{expiring} from")
    # /approvals: the buttons each may use (Pavel decides, Olena may cancel hers).
    [listed] = await bot.ask(pavel, "/approvals")
    assert f"#{expiring} from Olena" in listed.text and buttons(listed) == [
        "✅ Approve", "✖️ Reject",
    ]  # fmt: skip
    mine = await answer(bot, olena, "/approvals", f"#{expiring} from")
    assert buttons(mine) == ["Cancel my request"]
    bot.clock.advance(timedelta(hours=48))
    await bot.run_due()
    await arrives(olena, f"Request #{expiring} expired")
    await arrives(pavel, f"Request #{expiring} expired")
    assert (
        await bot.db.fetch_value("SELECT status FROM approvals WHERE id = ?", (expiring,))
        == "expired"
    )
    await pavel.press(asked, "✅ Approve")
    await bot.edited(pavel, asked.message_id, "no longer waiting")
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
        listed = await answer(bot, olena, "/coordinators", "approval rule:")
        assert listed.text.startswith("Coordinators (3)")
        assert "Telegram id 1002" in listed.text and "from COORDINATOR_IDS" in listed.text

        # A new coordinator: approved by Pavel; only Olena's button shows the link, once.
        waits = await answer(bot, olena, "/invitecoordinator for Dasha", "Request #")
        assert "waits for a second coordinator" in waits.text and "t.me" not in waits.text
        approval = int(re.search(r"Request #(\d+)", waits.text).group(1))  # type: ignore[union-attr]
        asked = await arrives(pavel, "Invite a new coordinator (for Dasha)")
        await pavel.press(asked, "✅ Approve")
        ready = await arrives(olena, "Press the button to see the link")
        assert buttons(ready) == ["🔗 Show the invitation link"]
        assert "🔗 Show the invitation link" not in buttons(await arrives(sasha, "was approved"))
        payloads = await bot.db.fetch_all("SELECT payload FROM deliveries")
        assert not [p for p in payloads if "start=" in (p["payload"] or "")]
        await olena.press(ready, "🔗 Show the invitation link")
        shown = await bot.edited(olena, ready.message_id, "Single-use")
        token = LINK.search(shown.text).group(1)  # type: ignore[union-attr]
        await olena.forge_callback(f"aplink:{approval}", shown)  # once only
        await bot.edited(olena, shown.message_id, "shown only once")
        dasha = tg.add_user(1004, "Dasha")
        [welcome] = await bot.ask(dasha, f"/start {token}")
        assert "You are now a coordinator" in welcome.text
        [pending] = await bot.ask(dasha, "/approvals")
        assert "No request is waiting" in pending.text

        # Removing Pavel: he cannot decide it; Sasha approves; Pavel is nobody at once.
        question = await answer(bot, olena, "/removecoordinator 2", "lose access")
        await olena.press(question, "Remove")
        await bot.edited(olena, question.message_id, "waits for a second coordinator")
        told = await arrives(pavel, "Remove coordinator #2")
        assert buttons(told) == []  # about him: another coordinator decides
        asked = await arrives(sasha, "Remove coordinator #2")
        await pavel.forge_callback("apok:2", told)
        await bot.edited(pavel, told.message_id, "about removing you")
        await sasha.press(asked, "✅ Approve")
        await bot.edited(sasha, asked.message_id, "was approved by")
        pavel.mark_all_read()
        await pavel.send("/letters")
        await pavel.send("/coordinators")
        await bot.tg.wait_until_idle()
        assert all("Coordinators" not in (m.text or "") for m in pavel.unread)
        listed = await answer(bot, olena, "/coordinators", "approval rule:")
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
        clock.advance(timedelta(days=1, hours=23))
        await bot.run_due()
        assert not [m for m in olena.bot_messages if "will be purged" in (m.text or "")]
        clock.advance(timedelta(hours=1))
        await bot.run_due()
        notice = await arrives(olena, "will be purged by the retention setting")
        assert f"Letter #{letter_id}" in notice.text
        clock.advance(timedelta(hours=12))
        await bot.run_due()
        announced = [m for m in olena.bot_messages if "will be purged" in (m.text or "")]
        assert len(announced) == 1
        clock.advance(timedelta(hours=12))
        await bot.run_due()  # purged by the clock: no approval asked
        assert await bot.db.fetch_value("SELECT purged_at FROM letters") is not None
