"""Issue 4 end to end: letters, versions, circulation, revisions and DRAFT_TTL."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import docx

from bot import texts
from bot.fake_telegram import FakeTelegramServer, FakeUser
from bot.jobs.outbox import delete_expired_messages
from bot.outgoing.letters import LetterComposer
from bot.services import lifecycle
from bot.services.letter_text import fingerprint, normalise
from tests.factories import (
    DEADLINE,
    PARAGRAPHS,
    TEXT,
    add_org,
    circulate,
    invite_token,
    join,
    new_letter,
    wake_outbox,
)
from tests.harness import RunningBot, make_settings, running_bot


def visible_texts(user: FakeUser) -> list[str]:
    return [m.text or m.caption or "" for m in user.bot_messages]


async def test_guided_newletter_with_text_in_two_messages(bot: RunningBot) -> None:
    coordinator = bot.coordinator()
    [ask_title] = await bot.ask(coordinator, "/newletter")
    assert "title" in ask_title.text
    [ask_deadline] = await bot.ask(coordinator, "Letter on the <mandate> & more")
    assert "Letter on the <mandate> & more" in ask_deadline.text
    # The examples are three weeks ahead of today (2 Feb 2026): one copied is accepted.
    assert "e.g. 2026-02-23 18:00, 23.02.2026 18:00 or 2026-02-23" in ask_deadline.text
    [past] = await bot.ask(coordinator, "2020-01-01 10:00")
    assert past.text.startswith("1 Jan 2020, 10:00 CET has already passed")
    [gap] = await bot.ask(coordinator, "2026-03-29 02:30")
    assert "does not exist" in gap.text
    [bad] = await bot.ask(coordinator, "next friday")
    assert "can't read that date" in bad.text
    [ask_text] = await bot.ask(coordinator, "20.02.2026 18:00")
    assert "20 Feb 2026, 18:00 CET" in ask_text.text
    [got] = await bot.ask(coordinator, PARAGRAPHS[0])
    assert f"{len(PARAGRAPHS[0])} characters so far" in got.text
    await coordinator.send("\n\n".join(PARAGRAPHS[1:]))  # the same paste: one reply, edited
    await bot.settle()
    assert f"{len(TEXT)} characters so far" in got.text
    await bot.silent(coordinator)
    await coordinator.press(got, "Done")
    [created] = await bot.replies(coordinator)
    expected = f"v1 · {fingerprint(TEXT)}"
    assert "Letter #1 created" in created.text and expected in created.text
    [listing] = await bot.ask(coordinator, "/letters")
    assert "Letter on the <mandate> & more" in listing.text and "draft" in listing.text
    [details] = await bot.ask(coordinator, "/letter 1")
    assert expected in details.text


async def test_flow_survives_a_restart_and_cancel_leaves_it(
    tg: FakeTelegramServer, tmp_path, clock
) -> None:
    settings = make_settings(tg, tmp_path)
    async with running_bot(settings, clock, tg) as bot:
        await bot.ask(bot.coordinator(), "/newletter")
        await bot.ask(bot.coordinator(), "Title kept across a restart")
    async with running_bot(settings, clock, tg) as bot:
        [ask_text] = await bot.ask(bot.coordinator(), DEADLINE)
        assert "Now the <b>text</b>" in ask_text.html
        [cancelled] = await bot.ask(bot.coordinator(), "/cancel")
        assert cancelled.text == texts.FLOW_CANCELLED
        [pointer] = await bot.ask(bot.coordinator(), "some text")
        assert pointer.text == texts.NOT_A_COMMAND
        assert await bot.db.fetch_value("SELECT count(*) FROM letters") == 0


def make_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Сумесны ліст", level=1)
    document.add_paragraph("Мы, ніжэйпадпісаныя арганізацыі, звяртаемся да вас.")
    table = document.add_table(rows=2, cols=2)
    for row, cells in enumerate([("Арганізацыя", "Краіна"), ("Вясна", "Беларусь")]):
        for column, value in enumerate(cells):
            table.cell(row, column).text = value
    document.add_paragraph("Заклікаем падтрымаць рэзалюцыю.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


async def test_docx_draft_is_read_circulated_and_its_file_sent(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    coordinator = bot.coordinator()
    org_id = await add_org(bot, "Вясна")
    member = await join(bot, tg, 2001, org_id)
    await bot.ask(coordinator, f"/newletter Ліст пра мандат\n{DEADLINE}")
    await coordinator.send_document("letter.pdf", b"%PDF-1.4 nonsense")
    [refused] = await bot.replies(coordinator)
    assert refused.text == texts.FILE_UNSUPPORTED
    await coordinator.send_document("broken.docx", b"PK\x03\x04 not really a zip")
    [broken] = await bot.replies(coordinator)
    assert "damaged" in broken.text or "can read" in broken.text
    await coordinator.send_document(
        "Ліст.docx",
        make_docx(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    [created] = await bot.replies(coordinator)
    assert "Letter #1 created" in created.text
    body = await bot.db.fetch_value("SELECT body FROM versions WHERE letter_id = 1")
    assert body.index("Сумесны ліст") < body.index("Вясна | Беларусь") < body.index("Заклікаем")
    await circulate(bot, 1)
    messages = await bot.replies(member, 3)
    summary, part, original = messages
    assert "Ліст пра мандат" in summary.text and summary.protect_content
    assert [b for row in summary.buttons for b, _ in row] == [
        "✍️ Sign",
        "Decline",
        "💬 Comment",
        "📄 Full text",
    ]
    assert "Вясна | Беларусь" in part.text and part.protect_content
    assert original.document["file_name"] == "Ліст.docx" and original.protect_content


async def test_long_draft_is_split_within_limits_and_reassembles(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    coordinator = bot.coordinator()
    member = await join(bot, tg, 2001, await add_org(bot, "Org"))
    paragraph = (
        "Права чалавека — універсальныя. Human rights defenders & lawyers <must> be free; "
        "«свабода» для ўсіх 🕊️. "
    )
    paragraphs = [f"{i}. " + paragraph * 3 for i in range(100)]
    long_text = "\n\n".join(paragraphs)
    assert len(long_text) > 30_000
    await bot.ask(coordinator, f"/newletter Long letter\n{DEADLINE}")
    chunks, chunk = [], ""
    for p in paragraphs:  # as a phone splits a long paste: at most 4096 per message
        if len(chunk) + len(p) + 2 > 4000:
            chunks.append(chunk)
            chunk = ""
        chunk = f"{chunk}\n\n{p}" if chunk else p
    chunks.append(chunk)
    [got] = await bot.ask(coordinator, chunks[0])
    for piece in chunks[1:]:  # one paste: its acknowledgement is edited, not repeated
        await coordinator.send(piece)
    await bot.settle()
    assert f"{len(normalise(long_text))} characters so far" in got.text
    await coordinator.press(got, "Done")
    await bot.replies(coordinator)
    await circulate(bot, 1)

    def last_part_arrived() -> bool:
        found = re.findall(r"part (\d+) of (\d+)", " ".join(visible_texts(member)))
        return any(a == b for a, b in found)

    await bot.settle()
    assert last_part_arrived()
    parts = [m for m in member.bot_messages if "part " in (m.text or "")]
    assert len(parts) >= 8
    rebuilt = "\n\n".join(m.text.split("\n\n", 1)[1] for m in parts)
    assert normalise(rebuilt) == normalise(long_text)
    assert not [r for r in tg.rejections if r.method == "sendMessage"]


async def test_joining_later_and_adding_organisations_later(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    first = await add_org(bot, "First")
    second = await add_org(bot, "Second")
    early = await join(bot, tg, 2001, first)
    letter_id = await new_letter(bot)
    await circulate(bot, letter_id, str(first))
    await bot.replies(early, 2)
    late = tg.add_user(2002, "Member 2002")  # joins after circulation: gets it on joining
    got = await bot.ask(late, f"/start {await invite_token(bot, first)}", replies=3)
    [welcome] = [m for m in got if m.text.startswith("Welcome!")]
    received = [m for m in got if m is not welcome]
    assert "Letter on the mandate" in received[0].text
    other = await join(bot, tg, 2003, second)
    await bot.silent(other)  # not circulated to Second yet
    answer = await circulate(bot, letter_id, str(second))
    assert "Contacts: 1\n" in answer
    await bot.replies(other, 2)
    await bot.silent(early)  # nobody gets it twice


async def test_preview_is_what_members_get(bot: RunningBot) -> None:
    letter_id = await new_letter(bot)
    coordinator = bot.coordinator()
    intro, summary, part = await bot.ask(coordinator, f"/preview {letter_id}", replies=3)
    assert "Preview" in intro.text
    assert "Letter on the mandate" in summary.text and summary.protect_content
    assert PARAGRAPHS[2] in part.text
    await coordinator.press(summary, "📄 Full text")
    [refusal] = await bot.replies(coordinator)
    assert refusal.text == texts.PREVIEW_BUTTON
    assert coordinator.callback_answers  # the press itself was answered


async def test_full_text_is_deleted_after_draft_ttl_and_can_be_fetched_again(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    member = await join(bot, tg, 2001, await add_org(bot, "Org"))
    await circulate(bot, await new_letter(bot))
    summary, part = await bot.replies(member, 2)
    bot.clock.advance(bot.settings.draft_ttl - timedelta(minutes=1))
    assert await delete_expired_messages(bot.app) == 0
    bot.clock.advance(timedelta(minutes=2))
    assert await delete_expired_messages(bot.app) == 1
    visible = [m.message_id for m in member.messages]
    assert summary.message_id in visible and part.message_id not in visible
    await member.press(summary, "📄 Full text")
    [again] = await bot.replies(member)
    assert PARAGRAPHS[1] in again.text and again.protect_content


async def test_full_text_only_of_the_current_version_of_an_open_letter(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    """Issue 13: the summary keeps its Full text button; a superseded version's text and a
    closed letter's text are refused, the current version of an open letter still comes."""
    member = await join(bot, tg, 2001, await add_org(bot, "Org"))
    coordinator = bot.coordinator()
    letter_id = await new_letter(bot)
    await circulate(bot, letter_id)
    summary, _ = await bot.replies(member, 2)
    await member.press(summary, "📄 Full text")  # the current version: sent again
    [again] = await bot.replies(member)
    assert PARAGRAPHS[1] in again.text
    await bot.ask(coordinator, f"/revise {letter_id}")
    [got] = await bot.ask(coordinator, TEXT.replace("mandate.", "mandate, NEWWORDING."))
    await coordinator.press(got, "Done")
    [kind] = await bot.replies(coordinator)
    await coordinator.press(kind, "Minor: signatures stand")
    await bot.replies(coordinator)
    await bot.replies(member, 2)  # the revision notice and the new text
    await member.press(summary, "📄 Full text")  # v1's button, after v2 replaced it
    [refusal] = await bot.replies(member)
    assert refusal.text.startswith("This is not the current text: version v2 · ")
    await bot.silent(member)  # and not the old text
    await member.press(refusal, "📄 Full text")  # the current one, offered instead
    [current] = await bot.replies(member)
    assert "NEWWORDING" in current.text and "v2 · " in current.text
    await lifecycle.close_letter(
        bot.db,
        letter_id,
        actor="test",
        now=bot.clock.now(),
        compose=LetterComposer(bot.settings).closed_notice,
    )
    wake_outbox(bot)
    [notice] = await bot.replies(member)  # members are told it closed
    assert notice.text.startswith(f"🔒 Letter #{letter_id}")
    await member.press(refusal, "📄 Full text")
    [closed] = await bot.replies(member)
    assert closed.text == texts.FULL_TEXT_CLOSED
    await bot.silent(member)


async def test_revision_notice_shows_changed_paragraphs(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    member = await join(bot, tg, 2001, await add_org(bot, "Org"))
    coordinator = bot.coordinator()
    letter_id = await new_letter(bot)
    await circulate(bot, letter_id)
    await bot.replies(member, 2)
    revised = TEXT.replace("renewal of the mandate", "renewal and strengthening of the mandate")
    revised += "\n\nWe stand ready to brief your delegation."
    [ask] = await bot.ask(coordinator, f"/revise {letter_id}")
    assert "v1 · " in ask.text
    [got] = await bot.ask(coordinator, revised)
    await coordinator.press(got, "Done")
    [kind] = await bot.replies(coordinator)
    assert "2 paragraphs changed" in kind.text
    await coordinator.press(kind, "Material: ask to sign again")
    [done] = await bot.replies(coordinator)
    assert "version v2 · " in done.text and "material" in done.text
    notice, _ = await bot.replies(member, 2)
    assert "has a new version: v2" in notice.text
    assert "confirmed again" in notice.text
    assert "<u>and strengthening</u>" in notice.html or "and strengthening" in notice.html
    assert "§4 added" in notice.text
    assert [b for row in notice.buttons for b, _ in row] == ["✍️ Sign again", "📄 Full text"]
    await bot.ask(coordinator, f"/revise {letter_id}")
    [got] = await bot.ask(coordinator, revised)
    await coordinator.press(got, "Done")
    [unchanged] = await bot.replies(coordinator)
    assert "identical to version 2" in unchanged.text
    assert await bot.db.fetch_value("SELECT count(*) FROM versions") == 2


async def test_members_cannot_read_letters_of_others(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    insider = await join(bot, tg, 2001, await add_org(bot, "Insider"))
    outsider = await join(bot, tg, 2002, await add_org(bot, "Outsider"))
    letter_id = await new_letter(bot)
    await circulate(bot, letter_id, "1")
    summary, _ = await bot.replies(insider, 2)
    version_id = summary.buttons[1][1][1].split(":")[2]
    outsider.mark_all_read()
    await outsider.forge_callback(f"full:{letter_id}:{version_id}")
    [refusal] = await bot.replies(outsider)
    assert refusal.text == texts.MEMBER_LETTER_UNKNOWN
    await bot.silent(outsider)
    [refused] = await bot.ask(outsider, f"/preview {letter_id}")
    assert refused.text == texts.COORDINATORS_ONLY


async def test_blocked_member_is_reported_and_gets_the_letter_once_back(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    member = await join(bot, tg, 2001, await add_org(bot, "Org"))
    member.block()
    await bot.settle()
    state = "SELECT status FROM contacts WHERE telegram_user_id = 2001"
    assert await bot.db.fetch_value(state) == "unreachable"
    await circulate(bot, await new_letter(bot))
    coordinator = bot.coordinator()
    await bot.settle()
    assert any("can't be reached" in (m.text or "").lower() for m in coordinator.bot_messages)
    member.unblock()  # Telegram tells the bot; the letter it missed comes now
    summary, part = await bot.replies(member, 2)
    assert "Letter on the mandate" in summary.text and PARAGRAPHS[0] in part.text
    assert await bot.db.fetch_value(state) == "active"
    await bot.silent(member)  # once, not twice
