"""Issue 5 end to end: sign, decline, comment, withdraw, reconfirm; status, export."""

from __future__ import annotations

import asyncio
import csv
import io

from bot import texts
from bot.fake_telegram import FakeTelegramServer
from bot.outgoing.letters import LetterComposer
from bot.services import lifecycle, purge
from tests.factories import (
    circulate,
    circulated,
    close,
    new_letter,
    quick_letter,
    quick_member,
    quick_org,
    revise_materially,
    sign,
    summary_of,
    withdraw,
)
from tests.harness import RunningBot


async def test_sign_with_listing_choice_receipt_and_colleagues_told(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id, (anna, boris) = await circulated(bot, tg, ['Centre "Viasna" <Minsk>'], per_org=2)
    await anna.press(summary_of(anna), "✍️ Sign")
    [choose] = await bot.replies(anna)
    assert 'Centre "Viasna" <Minsk>' in choose.text  # exactly as it will be listed
    assert [b for row in choose.buttons for b, _ in row] == [
        "Listed by name",
        "Counted, not named",
        "Internal only",
        "Cancel",
    ]
    await anna.press(choose, "Counted, not named")
    confirm = await bot.edited(anna, choose, "Please confirm")
    assert "cannot be named" in confirm.text
    await anna.press(confirm, "✅ Confirm")
    receipt = await bot.edited(anna, choose, "Signed for")
    version = await bot.db.fetch_one("SELECT number, fingerprint FROM versions")
    assert f"v1 · {version['fingerprint']}" in receipt.text
    assert "2 Feb 2026" in receipt.text  # the time it was recorded
    [told] = await bot.replies(boris)
    assert "signed" in told.text and "cannot be named" in told.text
    row = await bot.db.fetch_one("SELECT decision, listing FROM responses")
    assert (row["decision"], row["listing"]) == ("signed", "anonymous")
    # A second tap on the same confirmation changes nothing.
    await anna.forge_callback(f"sgc:{letter_id}:1:2", confirm)
    [already] = await bot.replies(anna)
    assert "already signed" in already.text
    events = await bot.db.fetch_value(
        "SELECT count(*) FROM audit_events WHERE action = 'response.signed'"
    )
    assert events == 1


async def test_decline_with_reason_and_with_skip(bot: RunningBot, tg: FakeTelegramServer) -> None:
    _, (first, second) = await circulated(bot, tg, ["First", "Second"])
    await first.press(summary_of(first), "Decline")
    [ask] = await bot.replies(first)
    assert "send the reason" in ask.text
    [receipt] = await bot.ask(first, "We <never> sign & joint letters")
    assert receipt.text.startswith("Declined for First")
    await second.press(summary_of(second), "Decline")
    [ask] = await bot.replies(second)
    await second.press(ask, "Skip")
    [receipt] = await bot.replies(second)
    assert receipt.text.startswith("Declined for Second")
    reasons = await bot.db.fetch_all("SELECT reason FROM responses ORDER BY organisation_id")
    assert [r["reason"] for r in reasons] == ["We <never> sign & joint letters", None]


async def test_comment_reply_and_reply_to_a_draft(bot: RunningBot, tg: FakeTelegramServer) -> None:
    _, (member,) = await circulated(bot, tg, ["Org"])
    coordinator = bot.coordinator()
    await member.press(summary_of(member), "💬 Comment")
    [ask] = await bot.replies(member)
    assert "next message" in ask.text
    [thanks] = await bot.ask(member, "Paragraph 2 should <b>name</b> the prisoners")
    assert thanks.text == texts.COMMENT_SAVED
    [relayed] = await bot.replies(coordinator)
    assert "Paragraph 2 should <b>name</b> the prisoners" in relayed.text
    await coordinator.press(relayed, "↩️ Reply")
    [ask] = await bot.replies(coordinator)
    [sent] = await bot.ask(coordinator, "Good point — done in v2.")
    assert "sent to" in sent.text
    [answer] = await bot.replies(member)
    assert "Good point — done in v2." in answer.text
    # A reply (Telegram's reply) to the letter's message is a comment too.
    await member.reply(summary_of(member), "Typo in the title")
    [thanks] = await bot.replies(member)
    assert thanks.text == texts.COMMENT_SAVED
    await bot.replies(coordinator)
    [header, first, second] = await bot.ask(coordinator, "/comments 1", replies=3)
    assert "v1 · " in header.text
    assert "coordinators" in first.text and "Typo in the title" in second.text


async def test_withdraw_from_receipt_and_by_command(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id, (member,) = await circulated(bot, tg, ["Org"])
    receipt = await sign(bot, member)
    await member.press(receipt, "Withdraw signature")
    [question] = await bot.replies(member)
    assert "no longer be counted" in question.text  # what will happen, before it does
    await member.press(question, "Keep the signature")
    await bot.edited(member, question, "Not withdrawn")
    assert await bot.db.fetch_value("SELECT decision FROM responses") == "signed"
    await member.press(receipt, "Withdraw signature")
    [question] = await bot.replies(member)
    assert "is withdrawn" in await withdraw(bot, member, question)
    [nothing] = await bot.ask(member, f"/withdraw {letter_id}")
    assert "has not signed" in nothing.text
    # A repeated press (its buttons are gone, so forged) is checked again: nothing to withdraw.
    await member.forge_callback(f"wdc:{letter_id}:1", question)
    await bot.edited(member, question, "has not signed")
    await sign(bot, member)
    [question] = await bot.ask(member, f"/withdraw {letter_id}")
    assert "is withdrawn" in await withdraw(bot, member, question)
    [mine] = await bot.ask(member, "/mine")
    assert "signature withdrawn" in mine.text


async def test_material_revision_asks_signatories_to_confirm_again(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id, (first, second, third) = await circulated(bot, tg, ["A Org", "B Org", "C Org"])
    await sign(bot, first)
    await sign(bot, second, "Internal only")
    coordinator = bot.coordinator()
    await revise_materially(bot, letter_id)
    notice, _ = await bot.replies(first, 2)
    await bot.replies(third, 2)
    [status, *_] = await bot.ask(coordinator, f"/status {letter_id}", replies=3)
    assert "signed: 0" in status.text and "needs reconfirmation: 2" in status.text
    # The old Sign button refers to a superseded version: refused, nothing changes.
    first.mark_all_read()
    await first.press(summary_of(first), "✍️ Sign")
    [refusal] = await bot.replies(first)
    assert "replaced by a material revision" in refusal.text
    await sign(bot, first, message=notice, button="✍️ Sign again")  # on the new version
    [mine] = await bot.ask(first, "/mine")
    assert "— signed" in mine.text
    [mine] = await bot.ask(second, "/mine")
    assert "confirm again" in mine.text


async def test_stale_and_forged_buttons_change_nothing(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id, (member, outsider) = await circulated(bot, tg, ["Insider", "Outsider"])
    other_letter = await new_letter(bot, "Another letter")
    await circulate(bot, other_letter, "1")  # only to Insider
    summary = summary_of(member)
    version = summary.buttons[0][0][1].split(":")[2]
    for data in (
        f"sign:{other_letter}:2",  # a letter Outsider never received
        f"sgc:{letter_id}:{version}:9",  # a listing that does not exist
        f"sgc:{letter_id}:999:1",  # a version that does not exist
        "sgc:1:1",  # malformed
        "sign:" + "9" * 40,
    ):
        await outsider.forge_callback(data)
    await bot.settle()
    assert len(outsider.callback_answers) >= 5
    refusals = await bot.replies(outsider, 5)
    assert {m.text for m in refusals} == {texts.MEMBER_LETTER_UNKNOWN, texts.STALE_BUTTON}
    assert await bot.db.fetch_value("SELECT count(*) FROM responses") == 0
    assert "is closed" in await close(bot, letter_id)
    member.mark_all_read()
    await member.press(summary, "✍️ Sign")
    [refusal] = await bot.replies(member)
    assert refusal.text == texts.RESPONSE_LETTER_CLOSED
    assert await bot.db.fetch_value("SELECT count(*) FROM responses") == 0


async def test_forged_presses_learn_nothing_about_letters_of_others(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    """Issue 13: a letter the member's organisation never received (open, purged, a draft)
    is refused with the very sentence of a letter that does not exist, whatever the press,
    before anything else about it; and no refusal names a coordinator's command."""
    insider, outsider = await quick_org(bot, "Insider"), await quick_org(bot, "Outsider")
    # Three chats: their answers are paced side by side.
    outsiders = [await quick_member(bot, tg, user_id, outsider) for user_id in (2002, 2003, 2004)]
    letters_ids = [
        await quick_letter(bot, "Open", [insider]),
        await quick_letter(bot, "Purged", [insider]),
        await quick_letter(bot, "Draft"),
    ]
    now, actor = bot.clock.now(), "coordinator:1"
    await lifecycle.close_letter(
        bot.db,
        letters_ids[1],
        actor=actor,
        now=now,
        compose=LetterComposer(bot.settings).closed_notice,
    )
    await purge.purge_letter(bot.db, letters_ids[1], actor=actor, now=now)
    version = {
        row["letter_id"]: row["id"]
        for row in await bot.db.fetch_all("SELECT id, letter_id FROM versions")
    }
    open_id, purged_id, draft_id = letters_ids
    forged: list[list[str]] = [
        [f"{kind}:{open_id}:{version[open_id]}" for kind in ("sign", "decl", "cmt", "full")]
        + [f"sgl:{open_id}:{version[open_id]}:1", f"sgc:{open_id}:{version[open_id]}:1",
           f"dskip:{open_id}:{version[open_id]}", f"wd:{open_id}", f"/withdraw {open_id}"],
        [f"{kind}:{letter}:{version[letter]}" for kind in ("sign", "full", "cmt")
         for letter in (purged_id, draft_id)] + [f"wd:{purged_id}", f"wd:{draft_id}"],
        ["sign:99:1", "full:99:1", "sgc:99:1:1", "wd:99", "/withdraw 99",
         f"sign:{open_id}:{version[draft_id]}"],  # a real version of another letter
    ]  # fmt: skip
    for outsider, actions in zip(outsiders, forged, strict=True):
        outsider.mark_all_read()
        for action in actions:
            if action.startswith("/"):
                await outsider.send(action)
            else:
                await outsider.forge_callback(action)
    for outsider, actions in zip(outsiders, forged, strict=True):
        refusals = await bot.replies(outsider, len(actions))
        assert [m.text for m in refusals] == [texts.MEMBER_LETTER_UNKNOWN] * len(actions)
        await bot.silent(outsider)
    assert "/letters" not in texts.MEMBER_LETTER_UNKNOWN
    assert await bot.db.fetch_value("SELECT count(*) FROM responses") == 0
    assert await bot.db.fetch_value("SELECT count(*) FROM comments") == 0


async def test_two_contacts_confirming_at_once_end_in_one_response(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id, (anna, boris) = await circulated(bot, tg, ["Org"], per_org=2)
    version = summary_of(anna).buttons[0][0][1].split(":")[2]
    await asyncio.gather(
        anna.forge_callback(f"sgc:{letter_id}:{version}:1", summary_of(anna)),
        boris.forge_callback(f"sgc:{letter_id}:{version}:3", summary_of(boris)),
    )
    await bot.settle()
    assert anna.callback_answers and boris.callback_answers
    rows = await bot.db.fetch_all("SELECT * FROM responses")
    assert len(rows) == 1 and rows[0]["decision"] == "signed"


async def test_remind_reaches_only_organisations_that_owe_an_answer(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id, (signer, waiter) = await circulated(bot, tg, ["Signer", "Waiter"])
    await sign(bot, signer)
    [queued] = await bot.ask(bot.coordinator(), f"/remind {letter_id}")
    assert "Reminder queued for 1 organisation (contacts: 1)" in queued.text
    [reminder] = await bot.replies(waiter)
    assert reminder.text.startswith("⏰ A letter is waiting")
    assert "Letter on the mandate" not in reminder.text  # nothing on a lock screen
    await bot.silent(signer)


async def test_status_close_reopen_and_export(bot: RunningBot, tg: FakeTelegramServer) -> None:
    names = ["Zubr", "«Вясна»", "Égalité", "Amnesty International", "Hidden", "Internal"]
    letter_id, members = await circulated(bot, tg, names)
    listings = ["Listed by name", "Listed by name", "Listed by name", "Listed by name",
                "Counted, not named", "Internal only"]  # fmt: skip
    for member, listing in zip(members, listings, strict=True):
        await sign(bot, member, listing)
    coordinator = bot.coordinator()
    summary, table, chart = await bot.ask(coordinator, f"/status {letter_id}", replies=3)
    assert "signed: 6" in summary.text
    assert "«Вясна» — signed" in table.text
    assert chart.photo and "over time" in chart.caption
    # Issue 13: uploaded as a PNG file, not application/octet-stream.
    [upload] = [u for u in tg.uploads if u.field == "photo"]
    assert upload.file_name == f"letter-{letter_id}-status.png"
    assert upload.mime_type == "image/png"
    await close(bot, letter_id)
    [refused] = await bot.ask(coordinator, f"/revise {letter_id}")
    assert "closed" in refused.text
    docx_file, md_file, csv_file = await bot.ask(coordinator, f"/export {letter_id}", replies=3)
    markdown = tg.file_content(md_file.document["file_id"]).decode()
    listed = markdown.split("Signatories", 1)[1]
    order = [listed.index(n) for n in ("Amnesty", "Égalité", "Zubr", "«Вясна»")]
    assert order == sorted(order)
    assert "Hidden" not in listed and "Internal" not in listed
    assert "and 1 organisation that cannot be named" in listed
    table_csv = tg.file_content(csv_file.document["file_id"]).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(table_csv)))
    assert len(rows) == 6 and {r["organisation"] for r in rows} == set(names)
    assert docx_file.document["file_name"].endswith(".docx")
    [reopened] = await bot.ask(coordinator, f"/reopen {letter_id} 2026-03-01 18:00")
    assert "open again" in reopened.text
