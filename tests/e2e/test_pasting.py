"""Issue 14 §1 and §6 end to end: a long letter pasted the way Telegram apps send it, a
Word paste revised against a .docx, signatory lists in the text, images at the text step
and deadlines typed the way people type them."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.fake_telegram import FakeTelegramServer, FakeUser
from bot.services.letter_text import fingerprint, normalise
from tests import letter_samples as sample
from tests.factories import DEADLINE, add_org, circulate, join
from tests.harness import RunningBot, make_settings, running_bot

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def paste(bot: RunningBot, user: FakeUser, parts: list[str]):  # type: ignore[no-untyped-def]
    """Sends the parts of one paste back to back, as a Telegram app does; returns the one
    acknowledgement once it counts every part."""
    [ack] = await bot.ask(user, parts[0])
    for part in parts[1:]:
        await user.send(part)
    total = len(normalise("\n\n".join(parts)))  # within a few characters of the joined text
    await bot.settle()
    assert _counted(ack.text) >= total - 2 * len(parts)
    return ack


def _counted(text: str | None) -> int:
    match = re.search(r"Got it: (\d+) characters", text or "")
    return int(match.group(1)) if match else 0


async def stored_body(bot: RunningBot, letter_id: int = 1, number: int = 1) -> str:
    query = "SELECT body FROM versions WHERE letter_id = ? AND number = ?"
    return await bot.db.fetch_value(query, (letter_id, number))


async def test_a_long_paste_split_by_telegram_is_stored_exactly_as_written(
    bot: RunningBot,
) -> None:
    coordinator = bot.coordinator()
    text = sample.with_blank_lines()
    parts = sample.split_like_telegram(text)
    assert len(text) > 6000 and len(parts) == 2
    await bot.ask(coordinator, f"/newletter Joint letter on the mandate\n{DEADLINE}")
    ack = await paste(bot, coordinator, parts)
    assert f"Got it: {len(text)} characters so far" in ack.text
    assert "between paragraphs; I kept the paragraph break" in ack.text
    assert ack.button_texts == ["Done", "Cancel"]
    assert [m for m in coordinator.bot_messages if "Got it" in (m.text or "")] == [ack]

    # A later paste (a minute on) gets its own acknowledgement; Done moves there.
    bot.clock.advance(timedelta(minutes=1))
    [later] = await bot.ask(coordinator, "Annex: contacts for the delegations.")
    await bot.settle()
    assert ack.button_texts == [] and later.button_texts == ["Done", "Cancel"]
    await coordinator.press(later, "Done")
    [created] = await bot.replies(coordinator)
    expected = text + "\n\nAnnex: contacts for the delegations."
    assert await stored_body(bot) == normalise(expected)
    assert f"v1 · {fingerprint(expected)}" in created.text


async def test_newletter_with_title_deadline_and_a_long_text_in_one_paste(
    bot: RunningBot,
) -> None:
    coordinator = bot.coordinator()
    text = sample.word_paste()
    first, second = sample.split_like_telegram(f"/newletter Joint letter\n{DEADLINE}\n{text}")
    question, ack = await bot.ask(coordinator, first, replies=2)  # not a letter from a part
    assert "Deadline: 20 Feb 2026, 18:00 CET" in question.text and "Got it" in ack.text
    await coordinator.send(second)
    await bot.settle()
    assert f"Got it: {len(text)} characters" in ack.text
    await coordinator.press(ack, "Done")
    [created] = await bot.replies(coordinator)
    assert "Letter #1 created" in created.text and await stored_body(bot) == text


async def test_a_letter_pasted_paragraph_by_paragraph_gets_one_acknowledgement(
    bot: RunningBot,
) -> None:
    coordinator = bot.coordinator()
    paragraphs = sample.paragraphs()[:12]  # (the flood guard's limit is another issue's)
    await bot.ask(coordinator, f"/newletter Joint letter\n{DEADLINE}")
    [ack] = await bot.ask(coordinator, paragraphs[0])
    for paragraph in paragraphs[1:]:  # about one a second, as a person pastes them
        bot.clock.advance(timedelta(seconds=1))
        await coordinator.send(paragraph)
    text = "\n\n".join(paragraphs)
    await bot.settle()
    assert f"Got it: {len(text)} characters so far" in ack.text
    await bot.settle()
    assert coordinator.unread == []  # twelve messages, one reply
    assert "Telegram split" not in ack.text  # separate messages, nothing was joined
    await coordinator.press(ack, "Done")
    await bot.replies(coordinator)
    assert await stored_body(bot) == text


async def test_a_paste_cut_inside_a_sentence_is_joined_with_a_space_across_a_restart(
    tg: FakeTelegramServer, tmp_path, clock
) -> None:
    text = "Geneva, 2 February 2026\n\n" + sample.with_blank_lines()
    first, second = sample.split_near_limit(text, window=100)  # a phone, cutting at a space
    assert not first.endswith((".", "\n")) and second[0].islower()
    settings = make_settings(tg, tmp_path)
    async with running_bot(settings, clock, tg) as bot:
        coordinator = bot.coordinator()
        await bot.ask(coordinator, f"/newletter Joint letter\n{DEADLINE}")
        [ack] = await bot.ask(coordinator, first)
    async with running_bot(settings, clock, tg) as bot:  # the paste's parts are in the database
        await coordinator.send(second)
        await bot.settle()
        assert f"Got it: {len(text)} characters" in ack.text
        assert "inside a sentence; I joined it with a space" in ack.text
        assert "competent courts and prosecutors on request" in ack.text
        await coordinator.press(ack, "Done")
        await bot.replies(coordinator)
        assert await stored_body(bot) == normalise(text)


async def test_a_word_paste_revised_against_the_docx_shows_the_one_changed_figure(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    coordinator = bot.coordinator()
    member = await join(bot, tg, 2001, await add_org(bot, "Human Rights House"))
    await bot.ask(coordinator, f"/newletter Joint letter on the mandate\n{DEADLINE}")
    await coordinator.send_document("joint-letter.docx", sample.as_docx(), DOCX)
    [created] = await bot.replies(coordinator)
    assert "Letter #1 created" in created.text
    assert await stored_body(bot) == "\n\n".join(sample.paragraphs())
    await circulate(bot, 1)
    await bot.settle()
    assert any(m.document for m in member.bot_messages)  # the draft, all of it

    revised = sample.word_paste().replace(sample.FIGURE, sample.REVISED_FIGURE)
    await bot.ask(coordinator, "/revise 1")
    ack = await paste(bot, coordinator, sample.split_like_telegram(revised))
    assert "at a line break; I kept the line break" in ack.text
    await coordinator.press(ack, "Done")
    [kind] = await bot.replies(coordinator)
    assert "1 paragraph changed." in kind.text
    assert kind.text.count("§") == 1 and "§5 changed" in kind.text
    assert "<s>150</s>" in kind.html and "<u>163</u>" in kind.html
    await coordinator.press(kind, "Material: ask to sign again")
    await bot.replies(coordinator)
    assert await stored_body(bot, number=2) == normalise(revised)

    await bot.settle()
    assert any("new version" in (m.text or "") for m in member.bot_messages)
    [notice] = [m for m in member.bot_messages if "new version" in (m.text or "")]
    assert "has a new version: v2" in notice.text
    assert notice.text.count("§") == 1 and "§5 changed" in notice.text
    assert "<s>150</s>" in notice.html and "<u>163</u>" in notice.html
    # What the coordinator was shown is what the member got.
    shown = kind.html[kind.html.index("<b>§5") :]
    assert notice.html[notice.html.index("<b>§5") :].startswith(shown[: shown.index("\n\n")])


SIGNATURES = ["Human Rights House", "Legal Initiative", "Lawtrend"]


async def test_a_signatory_list_in_the_text_is_warned_about_before_it_is_stored(
    bot: RunningBot,
) -> None:
    coordinator = bot.coordinator()
    for name in SIGNATURES:
        await add_org(bot, name)
    signed = sample.with_blank_lines() + "\n" + "\n".join(f"- {n}" for n in SIGNATURES)
    await bot.ask(coordinator, f"/newletter Joint letter\n{DEADLINE}")
    ack = await paste(bot, coordinator, sample.split_like_telegram(signed))
    assert "seems to contain a list of signatories (3 lines, starting with «- Human" in ack.text
    assert "would appear twice" in ack.text
    await coordinator.press(ack, "Done")  # a warning, not a refusal
    [created] = await bot.replies(coordinator)
    assert "Letter #1 created" in created.text

    # A file: the warning comes before the letter exists; Done creates it.
    await bot.ask(coordinator, f"/newletter Second letter\n{DEADLINE}")
    names = [f"Sincerely,\n{name}" if i == 0 else name for i, name in enumerate(SIGNATURES)]
    short = "\n".join(["We urge you.", *names])
    await coordinator.send_document("letter.txt", short.encode())
    [warned] = await bot.replies(coordinator)
    assert f"Read {len(short)} characters from letter.txt" in warned.text
    assert "starting with «Human Rights House»" in warned.text and "twice" in warned.text
    assert await bot.db.fetch_value("SELECT count(*) FROM letters") == 1
    await coordinator.press(warned, "Done")
    [second] = await bot.replies(coordinator)
    assert "Letter #2 created" in second.text

    # A revision: the warning is in the question asked before anything is stored.
    await bot.ask(coordinator, "/revise 2")
    await coordinator.send_document("v2.docx", sample.as_docx(), DOCX)
    [kind] = await bot.replies(coordinator)
    assert "twice" not in kind.text
    await coordinator.press(kind, "Cancel")
    await bot.replies(coordinator)
    await bot.ask(coordinator, "/revise 1")
    await coordinator.send_document("v2.txt", signed.replace("1,150", "1,163").encode())
    [kind] = await bot.replies(coordinator)
    assert "would appear twice" in kind.text and "1 paragraph changed." in kind.text


async def test_images_and_other_media_at_the_text_step_say_which_files_work(
    bot: RunningBot,
) -> None:
    coordinator = bot.coordinator()
    await bot.ask(coordinator, f"/newletter Joint letter\n{DEADLINE}")
    coordinator.mark_all_read()
    photo = {"file_id": "AgACAgIAAxk", "file_unique_id": "AQADphoto", "width": 90, "height": 90}
    await coordinator.send_raw({"photo": [photo]})
    [answer] = await bot.replies(coordinator)
    assert "can't read images" in answer.text and ".docx" in answer.text
    await coordinator.send_document("scan.jpg", b"\xff\xd8\xff\xe0" + bytes(64), "image/jpeg")
    [answer] = await bot.replies(coordinator)
    assert "can't read images" in answer.text
    await coordinator.send_sticker()
    [answer] = await bot.replies(coordinator)
    assert ".txt, .md or .docx" in answer.text
    await coordinator.send_raw({"voice": {"file_id": "AwAC", "file_unique_id": "v", "duration": 3}})
    [answer] = await bot.replies(coordinator)
    assert ".txt, .md or .docx" in answer.text
    assert await bot.db.fetch_value("SELECT count(*) FROM letters") == 0


async def test_deadlines_typed_as_people_type_them(bot: RunningBot) -> None:
    coordinator = bot.coordinator()  # the fake clock stands at 2 Feb 2026
    await bot.ask(coordinator, "/newletter Joint letter")
    for typed, understood in [
        ("01/02/2026 18:00", "1 Feb 2026, 18:00 CET has already passed"),
        ("02/13/2026", "has no month 13"),
        ("13.02.2026 6pm", "Deadline: 13 Feb 2026, 18:00 CET"),
    ]:
        [answer] = await bot.ask(coordinator, typed)
        assert understood in answer.text, answer.text
    for typed in ["13/02/2026 18:00", "Feb 13 18:00", "13 февраля 18:00", "13 лютага 18:00"]:
        await bot.ask(coordinator, "/newletter Joint letter")
        [answer] = await bot.ask(coordinator, typed)
        assert "Deadline: 13 Feb 2026, 18:00 CET" in answer.text, (typed, answer.text)
