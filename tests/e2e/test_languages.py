"""Issue 8 end to end: the whole member flow in English, Russian and Belarusian.

Each member joins with their Telegram app in one language and from then on sees only
that language: the welcome, the letter and its buttons, the full text, a reminder the
coordinator sends with /remind, signing, commenting and withdrawing; dates and relative
times in their locale. Coordinators read their own language; a letter's export follows
the letter's language; /language switches.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.fake_telegram import FakeTelegramServer
from bot.services.deadlines import format_deadline, relative_hint
from tests.factories import (
    DEADLINE,
    add_org,
    buttons,
    circulate,
    close,
    invite_token,
    lead,
    new_letter,
    next_with,
    seen,
)
from tests.harness import RunningBot

ZURICH = ZoneInfo("Europe/Zurich")
DEADLINE_AT = datetime(2026, 2, 20, 18, 0, tzinfo=ZURICH)


say = seen  # what a reader sees in that language


LANGUAGES = [("en", "en-GB"), ("ru", "ru"), ("be", "be")]


@pytest.mark.parametrize(("language", "app_language"), LANGUAGES)
async def test_the_member_flow_in_the_members_language(
    bot: RunningBot, tg: FakeTelegramServer, language: str, app_language: str
) -> None:
    coordinator = bot.coordinator()
    org_id = await add_org(bot, "Праваабарончы цэнтр «Вясна»")
    token = await invite_token(bot, org_id)
    member = tg.add_user(4001, "Алеся", language_code=app_language)

    # Join: the welcome in the member's language; the coordinator's notice in theirs (en).
    [welcome] = await bot.ask(member, f"/start {token}")
    assert welcome.text == say(
        texts.WELCOME_MEMBER, language, organisation="Праваабарончы цэнтр «Вясна»"
    )
    assert buttons(welcome) == [texts.render(texts.BUTTON_SHOW_HELP, language)]
    [joined] = await bot.replies(coordinator)
    assert joined.text.startswith("✅ Алеся joined")
    stored = await bot.db.fetch_value("SELECT language FROM contacts WHERE telegram_user_id = 4001")
    assert stored == language
    [help_text] = await bot.ask(member, "/help")
    assert help_text.text.startswith(lead(texts.MEMBER_HELP, language).strip())

    # Read: the letter, its buttons, deadline and relative time, all in the member's locale.
    letter_id = await new_letter(bot)
    await circulate(bot, letter_id)
    summary, full = await bot.replies(member, 2)
    now = bot.clock.now()
    deadline_line = texts.translate(texts.LETTER_SUMMARY, language).split("\n")[2]
    assert say(deadline_line.split("{")[0], "en") in summary.text  # "Срок: ", "Тэрмін: "
    assert format_deadline(DEADLINE_AT, ZURICH, language) in summary.text
    assert relative_hint(DEADLINE_AT, now, language) in summary.text
    actions = (
        texts.BUTTON_SIGN,
        texts.BUTTON_DECLINE,
        texts.BUTTON_COMMENT,
        texts.BUTTON_FULL_TEXT,
    )
    expected_buttons = [texts.render(action, language) for action in actions]
    assert buttons(summary) == expected_buttons
    part = texts.translate(texts.LETTER_PART_HEADER, language).split("{part}")[0]
    assert say(part.split("{version}")[1], "en") in full.text

    # Reminder: the coordinator's /remind reaches the member in their language.
    [queued] = await bot.ask(coordinator, f"/remind {letter_id}")
    assert queued.text.startswith("Reminder queued for 1 organisation")
    reminder = await next_with(bot, member, lead(texts.REMIND_NOTE, language))
    assert relative_hint(DEADLINE_AT, bot.clock.now(), language) in reminder.text
    assert buttons(reminder) == [expected_buttons[0], expected_buttons[1], expected_buttons[3]]
    member.mark_all_read()

    # Sign: listing choice, confirmation and receipt.
    await member.press(summary, texts.render(texts.BUTTON_SIGN, language))
    [choose] = await bot.replies(member)
    assert choose.text.startswith(lead(texts.SIGN_CHOOSE_LISTING, language))
    assert buttons(choose) == [texts.render(b, language) for b in (
        texts.BUTTON_LISTING_NAMED, texts.BUTTON_LISTING_ANONYMOUS,
        texts.BUTTON_LISTING_INTERNAL, texts.BUTTON_CANCEL)]  # fmt: skip
    await member.press(choose, texts.render(texts.BUTTON_LISTING_ANONYMOUS, language))
    confirm = await next_with(bot, member, lead(texts.SIGN_CONFIRM, language))
    assert texts.render(texts.LISTING_ANONYMOUS, language) in confirm.text
    await member.press(confirm, texts.render(texts.BUTTON_CONFIRM, language))
    receipt = await next_with(bot, member, lead(texts.SIGN_RECEIPT, language))
    assert texts.render(texts.LISTING_ANONYMOUS, language) in receipt.text
    assert buttons(receipt) == [texts.render(texts.BUTTON_WITHDRAW, language)]

    # Comment.
    await member.press(summary, texts.render(texts.BUTTON_COMMENT, language))
    [ask] = await bot.replies(member)
    assert ask.text.startswith(lead(texts.COMMENT_ASK, language))
    assert "3000" in ask.text
    [thanks] = await bot.ask(member, "Абзац 2: назавіце палітвязняў")
    assert thanks.text == say(texts.COMMENT_SAVED, language)
    [relayed] = await bot.replies(coordinator)
    assert relayed.text.startswith("💬 Comment #1") and buttons(relayed) == ["↩️ Reply"]

    # Withdraw, from the receipt's button.
    await member.press(receipt, texts.render(texts.BUTTON_WITHDRAW, language))
    question = await next_with(bot, member, lead(texts.WITHDRAW_ASK, language))
    await member.press(question, texts.render(texts.BUTTON_WITHDRAW_CONFIRM, language))
    withdrawn = await next_with(bot, member, lead(texts.WITHDRAW_RECEIPT, language))
    assert "Праваабарончы цэнтр «Вясна»" in withdrawn.text
    [mine] = await bot.ask(member, "/mine")
    assert texts.render(texts.STATE_WITHDRAWN, language) in mine.text

    # Nothing the member saw was in another language's words.
    foreign = {
        "en": ("Подпіс", "Подпис", "Срок", "Тэрмін", "письмо"),
        "ru": ("Sign", "Deadline", "Тэрмін", "ліст", "Падпіс"),
        "be": ("Sign", "Deadline", "Срок", "письмо", "Подпис"),
    }[language]
    for message in member.bot_messages:
        if message is full:
            continue  # the letter's own text is the coordinators' (English here)
        shown = message.text or message.caption or ""
        assert not any(word in shown for word in foreign), (language, shown)


async def test_coordinators_read_their_language_and_language_switches(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    coordinator = tg.add_user(1001, "Алена", language_code="be")
    [help_text] = await bot.ask(coordinator, "/start")  # also sets their own menu
    assert help_text.text.startswith("Coalition Bot — каардынатар")
    await bot.settle()
    menu = next(v for (scope, _), v in tg.commands.items() if scope == "chat:1001")
    assert menu[0]["description"] == texts.render(texts.CMD_LETTERS, "be")
    # Members' menus exist in each language for Telegram apps in that language.
    for code in ("", "ru", "be"):
        assert ("default", code) in tg.commands
    assert tg.commands[("default", "ru")][0]["description"] == "Открытые письма моей организации"

    [ask] = await bot.ask(coordinator, "/language")
    assert buttons(ask) == ["English", "Русский", "✓ Беларуская"]
    await coordinator.press(ask, "Русский")
    await next_with(bot, coordinator, "Теперь я пишу вам по-русски.")
    [orgs] = await bot.ask(coordinator, "/orgs")
    assert orgs.text == say(texts.ORGS_EMPTY, "ru")
    await bot.settle()
    menu = next(v for (scope, _), v in tg.commands.items() if scope == "chat:1001")
    assert menu[0]["description"] == "Письма и их состояние"
    events = await bot.db.fetch_value(
        "SELECT count(*) FROM audit_events WHERE action = 'contact.language'"
    )
    assert events == 1


async def test_a_letter_in_belarusian_is_exported_in_belarusian(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    coordinator = bot.coordinator()
    org_id = await add_org(bot, "Zubr")
    token = await invite_token(bot, org_id)
    member = tg.add_user(4002, "Ян", language_code="ru")
    await bot.ask(member, f"/start {token}")
    await bot.replies(coordinator)
    await bot.ask(coordinator, "/newletter Сумесны ліст")
    [ask_text] = await bot.ask(coordinator, DEADLINE)
    assert (
        "The letter's language (for the export and its signatory list): English." in ask_text.text
    )
    assert buttons(ask_text)[:3] == ["✓ English", "Русский", "Беларуская"]
    await coordinator.press(ask_text, "Беларуская")
    await bot.settle()  # the same message, its buttons edited
    assert buttons(ask_text)[:3] == ["English", "Русский", "✓ Беларуская"]
    assert "signatory list): Беларуская." in ask_text.text
    [_] = await bot.ask(coordinator, "Мы, ніжэйпадпісаныя арганізацыі, звяртаемся да вас.")
    await coordinator.press(ask_text, "Done")
    created = await next_with(bot, coordinator, "Letter #1 created")
    assert "Language: Беларуская" in created.text
    await circulate(bot, 1)
    summary, _ = await bot.replies(member, 2)
    await member.press(summary, "✍️ Подписать")
    [choose] = await bot.replies(member)
    await member.press(choose, "Учесть, но не называть")
    confirm = await next_with(bot, member, "Подтвердите")
    await member.press(confirm, "✅ Подтвердить")
    await next_with(bot, member, "✅ Подписано")
    await close(bot, 1)
    _, md_file, _ = await bot.ask(coordinator, "/export 1", replies=3)
    markdown = tg.file_content(md_file.document["file_id"]).decode()
    assert "## Арганізацыі, якія падпісалі" in markdown
    assert "і яшчэ 1 арганізацыя, якую нельга назваць" in markdown
    assert "Ліст 1 · версія v1" in markdown
