"""Issue 17 end to end: a letter in English with a Russian translation, read by a Russian-
and an English-reading member, signed, published as list 1 (the PDF read back), two more
organisations signing afterwards (one recorded from an e-mail by a coordinator and approved
by another), list 2 with its changes, and the exports in two languages with each
language's names and order.

Two coordinators: record-changing steps (publish, collect, record) wait for the second
one, who approves through the approvals engine (its buttons are issue 16's handlers).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf

from bot import texts
from bot.approval_messages import action_context
from bot.fake_telegram import FakeTelegramServer
from bot.jobs.outbox import wake_outbox
from bot.services import approvals
from tests.conftest import COORDINATOR_ID, RunningBot, make_settings, running_bot
from tests.factories import (
    add_org,
    buttons,
    circulate,
    close,
    invite_token,
    join,
    lead,
    new_letter,
    next_with,
    sign,
    summary_of,
)
from tests.harness import until

SECOND = 1002
RUSSIAN = "\n\n".join(
    [
        "Мы, нижеподписавшиеся организации, обращаемся к вам накануне сессии Совета.",
        "Положение правозащитников в стране не улучшилось.",
        "Мы призываем вашу делегацию поддержать продление мандата.",
    ]
)


async def join_in(bot, tg: FakeTelegramServer, user_id: int, org_id: int, language: str):  # type: ignore[no-untyped-def]
    token = await invite_token(bot, org_id)
    member = tg.add_user(user_id, f"Member {user_id}", language_code=language)
    await bot.ask(member, f"/start {token}")
    await bot.replies(bot.coordinator())
    return member


async def approve_waiting(bot) -> None:  # type: ignore[no-untyped-def]
    """The second coordinator approves the request waiting (issue 16's Approve button
    calls the same engine)."""
    [waiting] = await approvals.pending_requests(bot.db)
    ctx = action_context(bot.settings, bot.clock.now())
    outcome = await approvals.approve(bot.db, waiting.approval.id, by=SECOND, ctx=ctx)
    assert isinstance(outcome, approvals.Approved), outcome
    wake_outbox(bot.app)


def pdf_text(tg: FakeTelegramServer, message) -> str:  # type: ignore[no-untyped-def]
    reader = pypdf.PdfReader(io.BytesIO(tg.file_content(message.document["file_id"])))
    return "\n".join(page.extract_text() for page in reader.pages)


def in_order(text: str, names: list[str]) -> bool:
    positions = [text.index(name) for name in names]
    return positions == sorted(positions)


async def test_a_letter_in_two_languages_published_twice(
    tg: FakeTelegramServer, tmp_path: Path, clock
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tg, tmp_path, coordinator_ids=frozenset({COORDINATOR_ID, SECOND}))
    async with running_bot(settings, clock, tg) as bot:
        coordinator = bot.coordinator()
        second = tg.add_user(SECOND, "Pavel")
        await bot.ask(second, "/start")

        # Organisations, listed per language; «Вясна» files under V in English.
        zubr = await add_org(bot, "Zubr Initiative")
        viasna = await add_org(bot, "Вясна")
        fidh = await add_org(bot, "FIDH")
        helsinki = await add_org(bot, "Belarusian Helsinki Committee")
        for command in (
            f"/orgname {viasna} en Viasna Human Rights Centre",
            f"/orgname {viasna} key Viasna",
            f"/orgname {zubr} ru Инициатива «Зубр»",
            f"/orgname {fidh} ru Международная федерация за права человека",
            f"/orgname {helsinki} ru Белорусский Хельсинкский комитет",
        ):
            [answer] = await bot.ask(coordinator, command)
            assert "listed" in answer.text or "files" in answer.text, answer.text
        english = await join_in(bot, tg, 5001, zubr, "en")
        russian = await join_in(bot, tg, 5002, viasna, "ru")
        later = await join_in(bot, tg, 5003, helsinki, "en")

        # The letter in English, with its Russian translation (a minor revision of a draft).
        letter_id = await new_letter(bot)
        [ask] = await bot.ask(coordinator, f"/translate {letter_id} ru")
        assert "into Русский" in ask.text
        [ack] = await bot.ask(coordinator, RUSSIAN)
        assert ack.text.startswith("Got it")
        await coordinator.press(ack, "Done")
        question = await next_with(coordinator, "Translation into")
        assert "Translation into Русский" in question.text
        await coordinator.press(question, buttons(question)[1])  # minor
        translated = await next_with(coordinator, "🌐 Letter")
        assert "translation into Русский" in translated.text
        await bot.ask(coordinator, f"/circulate {letter_id} all")

        # Each member reads in their language; the Russian reader has the original a tap away.
        summary_ru = await next_with(russian, "📄")
        assert "нижеподписавшиеся" in summary_ru.text
        original = texts.render(texts.BUTTON_ORIGINAL, "ru", language="English")
        assert original in buttons(summary_ru)
        summary_en = await next_with(english, "📄")
        assert "undersigned" in summary_en.text and len(buttons(summary_en)) == 4
        russian.mark_all_read()
        await russian.press(summary_ru, original)
        [text_en] = await russian.next_messages(1, timeout=20)
        assert "undersigned" in text_en.text

        # Both sign by name; the letter closes.
        english.mark_all_read()
        await sign(bot, english)
        await russian.press(summary_ru, texts.render(texts.BUTTON_SIGN, "ru"))
        [choose] = await russian.next_messages()
        await russian.press(choose, texts.render(texts.BUTTON_LISTING_NAMED, "ru"))
        confirm = await next_with(russian, lead(texts.SIGN_CONFIRM, "ru"))
        await russian.press(confirm, texts.render(texts.BUTTON_CONFIRM, "ru"))
        await next_with(russian, lead(texts.SIGN_RECEIPT, "ru"))
        await close(bot, letter_id)

        # List 1: asked by one coordinator, approved by the other; files to the approver.
        [waits] = await bot.ask(coordinator, f"/publish {letter_id}")
        assert waits.text.startswith("⏳ Request #"), waits.text
        await approve_waiting(bot)
        # Rendering a list's files takes seconds on a loaded machine: generous waits.
        second.mark_all_read()
        await second.send(f"/list {letter_id}")
        report, pdf_en, _docx, _md, _csv, also_ru = await bot.replies(second, 6, timeout=60)
        assert also_ru.document["file_name"].endswith("-ru.pdf")
        assert "List 1 of letter" in report.text
        assert pdf_en.document["file_name"].endswith("-en.pdf")
        second.mark_all_read()
        await second.send(f"/list {letter_id} 1 ru")
        _, pdf_ru, *_ = await bot.replies(second, 5, timeout=60)
        assert pdf_ru.document["file_name"].endswith("-ru.pdf")
        text = pdf_text(tg, pdf_en)
        assert "List 1" in text and "Page 1 of" in text
        assert in_order(text, ["Viasna Human Rights Centre", "Zubr Initiative"])
        text_ru = pdf_text(tg, pdf_ru)
        assert "Список 1" in text_ru or "List 1" in text_ru
        assert "Вясна" in text_ru and "Инициатива «Зубр»" in text_ru
        assert "нижеподписавшиеся" in text_ru
        # Members are told, with the PDF in their language, protected.
        notice = await next_with(russian, "📢")
        assert str(letter_id) in notice.text
        await until(lambda: any(m.document for m in russian.bot_messages))
        [ru_pdf] = [m for m in russian.bot_messages if m.document]
        assert ru_pdf.protect_content and ru_pdf.document["file_name"].endswith("-ru.pdf")

        # Collecting: organisations not signed are invited, neutrally.
        [waits] = await bot.ask(coordinator, f"/collect {letter_id} 2026-03-10 18:00")
        assert waits.text.startswith("⏳ Request #")
        await approve_waiting(bot)
        invitation = await next_with(later, "✍️")
        assert "Letter on the mandate" not in invitation.text
        later.mark_all_read()
        await sign(bot, later, message=invitation)

        # FIDH answered by e-mail: recorded by one coordinator, approved by the other.
        [waits] = await bot.ask(
            coordinator, f"/record {letter_id} {fidh} signed named via email Reply of 3 March"
        )
        assert waits.text.startswith("⏳ Request #"), waits.text
        await approve_waiting(bot)
        status = await bot.ask(coordinator, f"/status {letter_id}", replies=3)
        assert any("FIDH — signed" in m.text for m in status if m.text)

        # List 2 with what changed since list 1.
        [waits] = await bot.ask(coordinator, f"/publish {letter_id}")
        await approve_waiting(bot)
        second.mark_all_read()
        await second.send(f"/list {letter_id}")
        report, pdf_en, *_ = await bot.replies(second, 6, timeout=60)
        assert "List 2 of letter" in report.text
        text = pdf_text(tg, pdf_en)
        assert "List 2" in text and "Added since list 1" in text
        assert in_order(text, ["Belarusian Helsinki Committee", "FIDH", "Viasna", "Zubr"])

        # The exports in two languages: each language's names and order.
        _, md_en, csv_en = await bot.ask(coordinator, f"/export {letter_id}", replies=3)
        markdown = tg.file_content(md_en.document["file_id"]).decode()
        assert in_order(markdown, ["Belarusian Helsinki Committee", "FIDH", "Viasna", "Zubr"])
        table = tg.file_content(csv_en.document["file_id"]).decode("utf-8-sig")
        assert re.search(r"FIDH.*email", table)
        _, md_ru, _ = await bot.ask(coordinator, f"/export {letter_id} ru", replies=3)
        markdown = tg.file_content(md_ru.document["file_id"]).decode()
        assert "нижеподписавшиеся" in markdown
        assert in_order(
            markdown,
            [
                "Белорусский Хельсинкский комитет",
                "Инициатива «Зубр»",
                "Международная федерация за права человека",
            ],
        )


async def test_person_signing_recorded_answer_notify_copy_and_final_text(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    coordinator = bot.coordinator()
    first = await add_org(bot, "Human Rights House")
    second = await add_org(bot, "Legal Initiative")
    third = await add_org(bot, "Press Club")
    signer = await join(bot, tg, 6001, first)
    emailed = await join(bot, tg, 6002, second)
    decliner = await join(bot, tg, 6003, third)
    letter_id = await new_letter(bot)
    [on] = await bot.ask(coordinator, f"/signer {letter_id} on")
    assert "lists the person signing" in on.text
    [notify] = await bot.ask(coordinator, "/notify each")
    assert "each response" in notify.text
    await circulate(bot, letter_id)

    # The person signing is asked for once (name, then title), then remembered.
    await until(lambda: any((m.text or "").startswith("📄") for m in signer.bot_messages))
    signer.mark_all_read()
    await signer.press(summary_of(signer), "✍️ Sign")
    [choose] = await signer.next_messages()
    await signer.press(choose, "Listed by name")
    asked = await bot.edited(signer, choose.message_id, "lists the person signing")
    assert "Human Rights House" in asked.text
    [title] = await bot.ask(signer, "Алеся Бяляцкая")
    assert "title" in title.text and buttons(title) == ["Skip", "Cancel"]
    [confirm] = await bot.ask(signer, "Director")
    assert "Signing as: Алеся Бяляцкая, Director" in confirm.text
    await signer.press(confirm, "✅ Confirm")
    receipt = await bot.edited(signer, confirm.message_id, "Signed for")
    assert "Алеся Бяляцкая, Director" in receipt.text
    told = await next_with(coordinator, "🔔")
    assert "Human Rights House" in told.text
    [mine] = await bot.ask(signer, "/signer")
    assert "Алеся Бяляцкая, Director" in mine.text

    # An answer by e-mail, recorded step by step with buttons (one coordinator: at once).
    [ask_org] = await bot.ask(coordinator, f"/record {letter_id}")
    await coordinator.press(ask_org, f"#{second} Legal Initiative")
    ask_decision = await bot.edited(coordinator, ask_org.message_id, "what did it answer")
    await coordinator.press(ask_decision, "✅ Signed")
    ask_listing = await bot.edited(coordinator, ask_org.message_id, "to be listed")
    await coordinator.press(ask_listing, "Counted, not named")
    ask_version = await bot.edited(coordinator, ask_org.message_id, "Which version")
    await coordinator.press(ask_version, buttons(ask_version)[0])
    ask_channel = await bot.edited(coordinator, ask_org.message_id, "How did the answer come")
    await coordinator.press(ask_channel, "e-mail")
    await bot.edited(coordinator, ask_org.message_id, "short note")
    [done] = await bot.ask(coordinator, "Reply from the director, 3 March")
    assert done.text.startswith("📝 Recorded for Legal Initiative"), done.text
    notice = await next_with(emailed, "📨")
    assert "e-mail" in notice.text and "✍️ Sign" in buttons(notice)
    status = await bot.ask(coordinator, f"/status {letter_id}", replies=3)
    assert any("recorded by Olena via e-mail" in (m.text or "") for m in status)

    # A decline reaches the coordinator who chose /notify each at once.
    decliner.mark_all_read()
    await until(lambda: any((m.text or "").startswith("📄") for m in decliner.bot_messages))
    await decliner.press(summary_of(decliner), "Decline")
    [reason] = await decliner.next_messages()
    await decliner.press(reason, "Skip")
    told = await next_with(coordinator, "🔔 Letter #1 Letter on the mandate: Press Club")
    assert "declined" in told.text

    # The export lists the person: "Name, Title, Organisation".
    await close(bot, letter_id)
    _, md_file, _ = await bot.ask(coordinator, f"/export {letter_id}", replies=3)
    markdown = tg.file_content(md_file.document["file_id"]).decode()
    assert "Алеся Бяляцкая, Director, Human Rights House" in markdown

    # Published (one coordinator: at once), then collecting: its text is final.
    coordinator.mark_all_read()
    await coordinator.send(f"/publish {letter_id}")
    [report, *_] = await bot.replies(coordinator, 5, timeout=60)
    assert "list 1" in report.text
    await bot.ask(coordinator, f"/collect {letter_id} 2026-03-10 18:00")
    [refused] = await bot.ask(coordinator, f"/revise {letter_id}")
    assert "was published (list 1): its text and translations are final" in refused.text
    [refused] = await bot.ask(coordinator, f"/translate {letter_id} ru")
    assert "was published (list 1)" in refused.text

    # The next letter from this one: its organisations, not its text.
    [ask_title] = await bot.ask(coordinator, f"/copyletter {letter_id}")
    assert "not the text" in ask_title.text
    await bot.ask(coordinator, "Letter to the next session")
    await bot.ask(coordinator, "2026-06-10 18:00")
    [ack] = await bot.ask(coordinator, "A new text for the next session.")
    coordinator.mark_all_read()
    await coordinator.press(ack, "Done")
    [copied] = await bot.replies(coordinator)
    assert "made from letter #1" in copied.text and "circulate to: 3" in copied.text
