"""Issue 17 end to end: a letter in English with a Russian translation, read by a Russian-
and an English-reading member, signed, published as list 1 (the PDF read back), two more
organisations signing afterwards (one recorded from an e-mail by a coordinator and approved
by another), list 2 with its changes, and the exports in two languages with each
language's names and order.

Two coordinators: record-changing steps (publish, collect, record) wait for the second
one, who approves with the Approve button the request brings (and gets the published list
with its files). With one coordinator they are done at once, and /status and the export
list them among what was done without a second coordinator.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf

from bot import texts
from bot.clock import FakeClock
from bot.fake_telegram import FakeMessage, FakeTelegramServer, FakeUser
from tests.factories import (
    add_org,
    buttons,
    circulate,
    close,
    invite_token,
    join,
    lead,
    new_letter,
    sign,
    summary_of,
)
from tests.harness import COORDINATOR_ID, RunningBot, make_settings, running_bot

SECOND = 1002
RUSSIAN = "\n\n".join(
    [
        "Мы, нижеподписавшиеся организации, обращаемся к вам накануне сессии Совета.",
        "Положение правозащитников в стране не улучшилось.",
        "Мы призываем вашу делегацию поддержать продление мандата.",
    ]
)


async def join_in(
    bot: RunningBot, tg: FakeTelegramServer, user_id: int, org_id: int, language: str
) -> FakeUser:
    token = await invite_token(bot, org_id)
    member = tg.add_user(user_id, f"Member {user_id}", language_code=language)
    await bot.ask(member, f"/start {token}")
    await bot.replies(bot.coordinator())
    return member


async def approve_waiting(
    bot: RunningBot, second: FakeUser, waits: FakeMessage
) -> list[FakeMessage]:
    """The request ``waits`` announces reaches the second coordinator, who approves it with
    its button; the requester is told. What else the approver got (a published list's
    report and files)."""
    match = re.search(r"Request #(\d+)", waits.text or "")
    assert waits.text.startswith("⏳ Request #") and match, waits.text
    [asked] = await bot.replies(second)
    assert f"Request #{match.group(1)} from" in asked.text, asked.text
    await second.press(asked, "✅ Approve")
    await bot.edited(second, asked, "was approved by")
    [told] = await bot.replies(bot.coordinator())
    assert f"Request #{match.group(1)} was approved by Pavel" in told.text, told.text
    return await bot.unread(second)


def pdf_text(tg: FakeTelegramServer, message: FakeMessage) -> str:
    assert message.document is not None
    reader = pypdf.PdfReader(io.BytesIO(tg.file_content(message.document["file_id"])))
    return "\n".join(page.extract_text() for page in reader.pages)


def in_order(text: str, names: list[str]) -> bool:
    positions = [text.index(name) for name in names]
    return positions == sorted(positions)


async def test_a_letter_in_two_languages_published_twice(
    tg: FakeTelegramServer, tmp_path: Path, clock: FakeClock
) -> None:
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
        [question] = await bot.replies(coordinator)
        assert question.text.startswith("Translation into Русский"), question.text
        await coordinator.press(question, buttons(question)[1])  # minor
        [translated] = await bot.replies(coordinator)
        assert translated.text.startswith("🌐 Letter"), translated.text
        assert "translation into Русский" in translated.text
        await circulate(bot, letter_id)

        # Each member reads in their language; the Russian reader has the original a tap away.
        summary_ru, _ = await bot.replies(russian, 2)  # the summary and the full text
        assert summary_ru.text.startswith("📄") and "нижеподписавшиеся" in summary_ru.text
        original = texts.render(texts.BUTTON_ORIGINAL, "ru", language="English")
        assert original in buttons(summary_ru)
        summary_en, _ = await bot.replies(english, 2)
        assert summary_en.text.startswith("📄") and "undersigned" in summary_en.text
        assert len(buttons(summary_en)) == 4
        await bot.replies(later, 2)
        await russian.press(summary_ru, original)
        [text_en] = await bot.replies(russian)
        assert "undersigned" in text_en.text
        # A contact who joins now gets the open letter in their language too.
        newcomer = tg.add_user(5004, "Member 5004", language_code="ru")
        got = await bot.ask(newcomer, f"/start {await invite_token(bot, viasna)}", replies=None)
        [late_summary] = [m for m in got if (m.text or "").startswith("📄")]
        assert "нижеподписавшиеся" in late_summary.text and original in buttons(late_summary)
        await bot.unread(coordinator)

        # Both sign by name; the letter closes.
        await sign(bot, english)
        await russian.press(summary_ru, texts.render(texts.BUTTON_SIGN, "ru"))
        [choose] = await bot.replies(russian)
        await russian.press(choose, texts.render(texts.BUTTON_LISTING_NAMED, "ru"))
        confirm = await bot.edited(russian, choose, lead(texts.SIGN_CONFIRM, "ru"))
        await russian.press(confirm, texts.render(texts.BUTTON_CONFIRM, "ru"))
        await bot.edited(russian, choose, lead(texts.SIGN_RECEIPT, "ru"))
        await close(bot, letter_id)
        for member in (english, russian, later):
            [closed] = await bot.replies(member)
            assert f"#{letter_id}" in closed.text, closed.text
        await bot.unread(coordinator)
        await bot.unread(second)

        # List 1: asked by one coordinator, approved by the other.
        [waits] = await bot.ask(coordinator, f"/publish {letter_id}")
        published, *files = await approve_waiting(bot, second, waits)
        assert published.text.startswith(f"📢 Letter #{letter_id} Letter on the mandate: list 1")
        names = [m.document["file_name"] for m in files]
        assert names == [
            f"letter-{letter_id}-list-1-{end}"
            for end in ("en.pdf", "en.docx", "en.md", "en-signatories.csv", "ru.pdf")
        ]
        # /list gives the same again.
        report, pdf_en, *again = await bot.ask(second, f"/list {letter_id}", replies=6)
        assert "List 1 of letter" in report.text
        assert [m.document["file_name"] for m in [pdf_en, *again]] == names
        _, pdf_ru, *_ = await bot.ask(second, f"/list {letter_id} 1 ru", replies=5)
        assert pdf_ru.document["file_name"].endswith("-ru.pdf")
        text = pdf_text(tg, pdf_en)
        assert "List 1" in text and "Page 1 of" in text
        assert in_order(text, ["Viasna Human Rights Centre", "Zubr Initiative"])
        text_ru = pdf_text(tg, pdf_ru)
        assert "Список 1" in text_ru or "List 1" in text_ru
        assert "Вясна" in text_ru and "Инициатива «Зубр»" in text_ru
        assert "нижеподписавшиеся" in text_ru
        # Members are told, with the PDF in their language, protected.
        notice, ru_pdf = await bot.replies(russian, 2)
        assert notice.text.startswith("📢") and str(letter_id) in notice.text
        assert ru_pdf.protect_content and ru_pdf.document["file_name"].endswith("-ru.pdf")

        # Collecting: organisations not signed are invited, neutrally.
        [waits] = await bot.ask(coordinator, f"/collect {letter_id} 2026-03-10 18:00")
        assert await approve_waiting(bot, second, waits) == []
        # (It was told of list 1 too, as every organisation the letter reached.)
        published, pdf, invitation = await bot.replies(later, 3)
        assert published.text.startswith("📢") and pdf.document["file_name"].endswith("-en.pdf")
        assert invitation.text.startswith("✍️"), invitation.text
        assert "Letter on the mandate" not in invitation.text
        await sign(bot, later, message=invitation)

        # FIDH answered by e-mail: recorded by one coordinator, approved by the other.
        [waits] = await bot.ask(
            coordinator, f"/record {letter_id} {fidh} signed named via email Reply of 3 March"
        )
        assert await approve_waiting(bot, second, waits) == []
        status = await bot.ask(coordinator, f"/status {letter_id}", replies=3)
        assert any("FIDH — signed" in m.text for m in status if m.text)

        # List 2 with what changed since list 1.
        [waits] = await bot.ask(coordinator, f"/publish {letter_id}")
        published, pdf_en, *_ = await approve_waiting(bot, second, waits)
        assert published.text.startswith(f"📢 Letter #{letter_id} Letter on the mandate: list 2")
        report, *_ = await bot.ask(second, f"/list {letter_id}", replies=6)
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
    for member in (signer, emailed, decliner):
        summary, _ = await bot.replies(member, 2)  # the summary and the full text
        assert summary.text.startswith("📄"), summary.text

    # The person signing is asked for once (name, then title), then remembered.
    await signer.press(summary_of(signer), "✍️ Sign")
    [choose] = await bot.replies(signer)
    await signer.press(choose, "Listed by name")
    asked = await bot.edited(signer, choose, "lists the person signing")
    assert "Human Rights House" in asked.text
    [title] = await bot.ask(signer, "Алеся Бяляцкая")
    assert "title" in title.text and buttons(title) == ["Skip", "Cancel"]
    [confirm] = await bot.ask(signer, "Director")
    assert "Signing as: Алеся Бяляцкая, Director" in confirm.text
    await signer.press(confirm, "✅ Confirm")
    receipt = await bot.edited(signer, confirm, "Signed for")
    assert "Алеся Бяляцкая, Director" in receipt.text
    [told] = await bot.replies(coordinator)
    assert told.text.startswith("🔔") and "Human Rights House" in told.text
    [mine] = await bot.ask(signer, "/signer")
    assert "Алеся Бяляцкая, Director" in mine.text

    # An answer by e-mail, recorded step by step with buttons (one coordinator: at once).
    [ask_org] = await bot.ask(coordinator, f"/record {letter_id}")
    await coordinator.press(ask_org, f"#{second} Legal Initiative")
    ask_decision = await bot.edited(coordinator, ask_org, "what did it answer")
    await coordinator.press(ask_decision, "✅ Signed")
    ask_listing = await bot.edited(coordinator, ask_org, "to be listed")
    await coordinator.press(ask_listing, "Counted, not named")
    ask_version = await bot.edited(coordinator, ask_org, "Which version")
    await coordinator.press(ask_version, buttons(ask_version)[0])
    ask_channel = await bot.edited(coordinator, ask_org, "How did the answer come")
    await coordinator.press(ask_channel, "e-mail")
    await bot.edited(coordinator, ask_org, "short note")
    [done] = await bot.ask(coordinator, "Reply from the director, 3 March")
    assert done.text.startswith("📝 Recorded for Legal Initiative"), done.text
    [notice] = await bot.replies(emailed)
    assert notice.text.startswith("📨") and "e-mail" in notice.text
    assert "✍️ Sign" in buttons(notice)
    _, alone, table, _ = await bot.ask(coordinator, f"/status {letter_id}", replies=4)
    assert "recorded by Olena via e-mail" in table.text
    assert alone.text.startswith("⚠️ Done without a second coordinator (1):")
    assert "organisation's answer recorded by a coordinator — coordinator #1" in alone.text

    # A decline reaches the coordinator who chose /notify each at once.
    await decliner.press(summary_of(decliner), "Decline")
    [reason] = await bot.replies(decliner)
    await decliner.press(reason, "Skip")
    [told] = await bot.replies(coordinator)
    assert told.text.startswith("🔔 Letter #1 Letter on the mandate: Press Club"), told.text
    assert "declined" in told.text

    # The export lists the person: "Name, Title, Organisation".
    await close(bot, letter_id)
    _, md_file, _ = await bot.ask(coordinator, f"/export {letter_id}", replies=3)
    markdown = tg.file_content(md_file.document["file_id"]).decode()
    assert "Алеся Бяляцкая, Director, Human Rights House" in markdown
    assert "Done without a second coordinator (1)" in markdown
    assert "organisation's answer recorded by a coordinator — coordinator \\#1" in markdown

    # Published (one coordinator: at once), then collecting: its text is final.
    report, *_ = await bot.ask(coordinator, f"/publish {letter_id}", replies=5)
    assert "list 1" in report.text
    _, alone, _, _ = await bot.ask(coordinator, f"/status {letter_id}", replies=4)
    assert alone.text.startswith("⚠️ Done without a second coordinator (2):")
    assert "list of signatories published — coordinator #1" in alone.text
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
    await coordinator.press(ack, "Done")
    [copied] = await bot.replies(coordinator)
    assert "made from letter #1" in copied.text and "circulate to: 3" in copied.text
