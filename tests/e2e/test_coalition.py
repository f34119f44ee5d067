"""Issue 14 §3–§6 end to end: a real coalition, where some organisations have nobody in
Telegram yet, names come with every kind of quotation mark, and letters close and reopen.

The letters' deadline is 20 Feb 2026 18:00 CET; the first reminder (7 days before) is due
13 Feb 17:00 UTC.
"""

from __future__ import annotations

import re

from bot import texts
from bot.fake_telegram import FakeTelegramServer, FakeUser
from tests.factories import (
    LINK,
    add_org,
    buttons,
    circulate,
    circulated,
    close,
    join,
    new_letter,
    revise_materially,
    sign,
    summary_of,
    utc,
)
from tests.harness import RunningBot


def chase_notes(user: FakeUser) -> list[str]:
    return [m.text for m in user.bot_messages if "can't get one in Telegram" in (m.text or "")]


async def test_organisations_without_a_contact_are_named_counted_and_chased(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    coordinator = bot.coordinator()
    viasna = await add_org(bot, "Human Rights Center “Viasna”")
    # §3: the same name with other quotation marks is refused, naming the one there.
    [duplicate] = await bot.ask(coordinator, '/addorg Human Rights Center "Viasna"')
    assert f"already an organisation named Human Rights Center “Viasna” (#{viasna})" in (
        duplicate.text
    )
    for name in ("Lawtrend", "PEN Belarus"):
        await add_org(bot, name)
    # §3: /invite takes the organisation's exact name as well as its number.
    [invited] = await bot.ask(coordinator, '/invite human rights center "viasna" Anna, lawyer')
    assert "for Human Rights Center “Viasna” (Anna, lawyer)" in invited.text
    match = LINK.search(invited.text)
    assert match
    anna = tg.add_user(3001, "Anna")
    await bot.ask(anna, f"/start {match.group(1)}")
    await bot.replies(coordinator)
    [unknown] = await bot.ask(coordinator, "/invite Viasna Anna")
    assert "No organisation is named “Viasna Anna”" in unknown.text

    # §6: /circulate with no organisations asks, naming how many "all" is.
    letter_id = await new_letter(bot)
    [question] = await bot.ask(coordinator, f"/circulate {letter_id}")
    assert "to all 3 organisations" in question.text
    assert buttons(question) == ["📨 Send to all 3 organisations", "Cancel"]
    await coordinator.press(question, "📨 Send to all 3 organisations")
    # §4: the answer says who received nothing, by name.
    done = await bot.edited(coordinator, question, "is open")
    assert "2 organisations received nothing: no contact has joined them yet — /invite" in (
        done.text
    )
    assert "• Lawtrend\n• PEN Belarus" in done.text
    await bot.replies(anna, 2)

    # §6: a second /circulate queues nothing, and no "0 of 0 delivered" report follows.
    first_broadcast = await bot.db.fetch_value("SELECT max(id) FROM broadcasts")
    await bot.settle()
    assert any("Delivery report" in (m.text or "") for m in coordinator.bot_messages)
    again = await circulate(bot, letter_id)
    assert "nobody new needs it" in again and "2 organisations received nothing" in again
    second = await bot.db.fetch_value("SELECT max(id) FROM broadcasts")
    assert second > first_broadcast
    assert await bot.db.fetch_value("SELECT finished_at FROM broadcasts WHERE id = ?", (second,))
    reports = await bot.db.fetch_value(
        "SELECT count(*) FROM deliveries WHERE kind = 'report' AND dedupe_key = ?",
        (f"outbox:report:b{second}",),
    )
    assert reports == 0
    await bot.settle()
    assert not [m for m in coordinator.bot_messages if "0 of 0" in (m.text or "")]

    # §4: /status shows them as their own state, apart from "no answer yet".
    summary, table, _ = await bot.ask(coordinator, f"/status {letter_id}", replies=3)
    assert "⏳ pending: 1" in summary.text
    assert "📭 no contact yet, received nothing: 2 — /invite" in summary.text
    assert "📭 Lawtrend — no contact yet: received nothing — /invite" in table.text
    assert "⏳ Human Rights Center “Viasna” — no answer yet" in table.text
    [details] = await bot.ask(coordinator, f"/letter {letter_id}")
    assert "signed: 0 · declined: 0 · no answer yet: 1 · no contact yet: 2" in details.text

    # §4: /remind says whom it could not reach, and counts only those it did.
    [reminded] = await bot.ask(coordinator, f"/remind {letter_id}")
    assert reminded.text.startswith("Reminder queued for 1 organisation (contacts: 1).")
    assert "2 organisations that owe an answer can't get a reminder in Telegram" in reminded.text
    assert "• Lawtrend — no contact has joined (/invite)" in reminded.text
    await bot.replies(anna)

    # §4: when reminders come due, coordinators learn whom to chase outside Telegram:
    # one message per run, never again for the same reminders.
    coordinator.mark_all_read()
    bot.clock.set(utc(2026, 2, 13, 17, 0))
    assert (await bot.run_due()).reminded == 3
    [note] = chase_notes(coordinator)
    assert f"Reminders for letter #{letter_id}" in note
    assert "2 organisations that owe an answer can't get one in Telegram" in note
    assert "• Lawtrend — no contact has joined (/invite)\n• PEN Belarus" in note
    [reminder] = await bot.replies(anna)
    assert reminder.text.startswith("⏰")
    assert (await bot.run_due()).reminded == 0
    assert len(chase_notes(coordinator)) == 1


async def test_one_count_current_version_buttons_and_the_letter_closing(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id, (first, second) = await circulated(bot, tg, ["A Org", "B Org"])
    await sign(bot, first)
    coordinator = bot.coordinator()
    await revise_materially(bot, letter_id)
    await bot.replies(first, 2)
    await bot.replies(second, 2)

    # §4: /letter counts as /status does; §6: v1 is neither material nor minor.
    [details] = await bot.ask(coordinator, f"/letter {letter_id}")
    [status, *_] = await bot.ask(coordinator, f"/status {letter_id}", replies=3)
    assert "signed: 0 · needs reconfirmation: 1 · declined: 0 · no answer yet: 1" in details.text
    assert "✅ signed: 0" in status.text and "🔁 needs reconfirmation: 1" in status.text
    v1, v2 = re.findall(r"^v\d · .*$", details.text, flags=re.MULTILINE)
    assert "material" not in v1 and "minor" not in v1
    assert v2.split(" — ")[1].startswith("material, ")

    # §4: a press on the old version's Sign button offers the current version.
    first.mark_all_read()
    await first.press(summary_of(first), "✍️ Sign")
    [refusal] = await bot.replies(first)
    assert "replaced by a material revision" in refusal.text
    assert buttons(refusal) == ["📄 Open v2"]
    await first.press(refusal, "📄 Open v2")
    [current] = await bot.replies(first)
    assert current.text.startswith("📄") and "Version: v2 · " in current.text
    assert buttons(current) == ["✍️ Sign", "Decline", "💬 Comment", "📄 Full text"]
    assert current.protect_content

    # §4: /mine gives the buttons that fit where each organisation stands.
    [mine] = await bot.ask(first, "/mine")
    assert buttons(mine) == ["✍️ Sign again", "Withdraw signature", "💬 Comment", "📄 Full text"]
    [theirs] = await bot.ask(second, "/mine")
    assert buttons(theirs) == ["✍️ Sign", "Decline", "💬 Comment", "📄 Full text"]
    await sign(bot, first, message=mine, button="✍️ Sign again")
    [mine] = await bot.ask(first, "/mine")
    assert "— signed" in mine.text
    assert buttons(mine) == ["Withdraw signature", "💬 Comment", "📄 Full text"]

    # §5: /close asks first, saying what will happen; Cancel changes nothing.
    [question] = await bot.ask(coordinator, f"/close {letter_id}")
    assert "members are told it closed" in question.text
    await coordinator.press(question, "Cancel")
    await bot.edited(coordinator, question, "stays open")
    status_now = await bot.db.fetch_value("SELECT status FROM letters WHERE id = ?", (letter_id,))
    assert status_now == "open"
    # §4: closing and reopening are told to every member who has the letter.
    first.mark_all_read()
    second.mark_all_read()
    assert "1 organisation signed" in await close(bot, letter_id)
    for member in (first, second):
        [notice] = await bot.replies(member)
        assert notice.text.startswith(f"🔒 Letter #{letter_id} for your organisation is closed")
        assert notice.protect_content and "mandate" not in notice.text
    [reopened] = await bot.ask(coordinator, f"/reopen {letter_id} 2026-03-01 18:00")
    assert "open again" in reopened.text
    for member in (first, second):
        [notice] = await bot.replies(member)
        assert notice.text.startswith(
            f"🔓 Letter #{letter_id} for your organisation is open again, until "
            "1 Mar 2026, 18:00 CET"
        )


async def test_typos_dates_and_plain_messages_point_the_right_way(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    coordinator = bot.coordinator()
    # §6: the nearest command the caller may use.
    [hint] = await bot.ask(coordinator, "/adorg Lawtrend")
    assert hint.text == texts.render(texts.UNKNOWN_COMMAND_SUGGEST, command="addorg")
    member = await join(bot, tg, 3100, await add_org(bot, "Lawtrend"))
    [plain] = await bot.ask(member, "/adorg Lawtrend")
    assert plain.text == texts.UNKNOWN_COMMAND  # a member never learns coordinators' commands
    [mine] = await bot.ask(member, "/mnie")
    assert "Did you mean /mine?" in mine.text
    stranger = tg.add_user(9001, "Stranger")
    [neutral] = await bot.ask(stranger, "/adorg")
    assert neutral.text == texts.NEUTRAL
    # §6: /whoami dates like every other message (the reader's zone and language).
    [who] = await bot.ask(member, "/whoami")
    assert "You joined on 2 Feb 2026, 10:00 CET." in who.text
    # §6: a member's plain message is pointed to the Comment button.
    [pointer] = await bot.ask(member, "We would like to add a paragraph on lawyers")
    assert "press 💬 Comment under it, or reply to the letter's message" in pointer.text
    [coordinators] = await bot.ask(coordinator, "hello")
    assert coordinators.text == texts.NOT_A_COMMAND
