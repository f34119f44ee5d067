"""Issue 3 end to end: organisations, single-use invites, contacts and the gate."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from bot import texts
from bot.fake_telegram import FakeTelegramServer
from bot.jobs.outbox import delete_expired_messages
from bot.services import membership
from tests.factories import (
    add_org,
    confirm_removal,
    invite_token,
    join,
    quick_letter,
    quick_member,
    quick_org,
)
from tests.harness import BOT_USERNAME, COORDINATOR_ID, RunningBot, make_settings, running_bot

TRICKY_NAMES = [
    '<b>Viasna</b> & "Friends"',
    "Праваабарончы цэнтр «Вясна»",
    "Human Rights House 🏠 Vilnius",
    "L'Observatoire <script>alert(1)</script>",
]


async def test_names_are_shown_exactly_as_typed(bot: RunningBot) -> None:
    for name in TRICKY_NAMES:
        org_id = await add_org(bot, name)
        assert name in (
            await bot.db.fetch_value("SELECT name FROM organisations WHERE id = ?", (org_id,))
        )
    [listing] = await bot.ask(bot.coordinator(), "/orgs")
    for name in TRICKY_NAMES:
        assert name in listing.text  # what the user sees, after entity parsing
    [duplicate] = await bot.ask(bot.coordinator(), "/addorg праваабарончы  цэнтр «ВЯСНА»")
    assert "There is already an organisation" in duplicate.text
    assert await bot.db.fetch_value("SELECT count(*) FROM organisations") == len(TRICKY_NAMES)


async def test_invite_join_greeting_and_coordinator_notice(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    org_id = await add_org(bot, TRICKY_NAMES[1])
    token = await invite_token(bot, org_id, "Anna, programme lead")
    assert len(token) <= 64
    member = tg.add_user(2001, "Anna <K>", language_code="be")
    [welcome] = await bot.ask(member, f"/start {token}")
    assert TRICKY_NAMES[1] in welcome.text
    assert "падпісаць, адмовіцца або пракаментаваць" in welcome.text  # her app is in Belarusian
    [notice] = await bot.replies(bot.coordinator())
    assert notice.text.startswith(f"✅ Anna <K> joined for {TRICKY_NAMES[1]}")
    [who] = await bot.ask(member, "/whoami")
    assert TRICKY_NAMES[1] in who.text
    [help_text] = await bot.ask(member, "/help")
    assert "/whoami" in help_text.text and "/addorg" not in help_text.text
    [refused] = await bot.ask(member, "/addorg Fake Org")
    assert refused.text == texts.render(texts.COORDINATORS_ONLY, "be")
    [listing] = await bot.ask(bot.coordinator(), "/orgs")
    assert "Anna <K> (Anna, programme lead) — active" in listing.text


async def test_used_expired_revoked_and_random_tokens_all_look_the_same(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    org_id = await add_org(bot, "Org")
    used = await invite_token(bot, org_id)
    await bot.ask(tg.add_user(2001, "First"), f"/start {used}")
    await bot.replies(bot.coordinator())
    expiring = await invite_token(bot, org_id)
    revoked = await invite_token(bot, org_id)
    [invites] = await bot.ask(bot.coordinator(), "/invites")
    revoked_id = int(re.findall(r"#(\d+)", invites.text)[-1])
    [done] = await bot.ask(bot.coordinator(), f"/revoke {revoked_id}")
    assert "is cancelled" in done.text
    bot.clock.advance(bot.settings.invite_ttl + timedelta(seconds=1))
    answers = []
    for user_id, token in ((3001, used), (3002, expiring), (3003, revoked), (3004, "A" * 32)):
        [answer] = await bot.ask(tg.add_user(user_id, "Someone"), f"/start {token}")
        answers.append(answer.text)
    assert answers == [texts.NEUTRAL] * 4
    bound = await bot.db.fetch_value(
        "SELECT count(*) FROM contacts WHERE telegram_user_id BETWEEN 3001 AND 3004"
    )
    assert bound == 0


async def test_a_used_invitation_presented_again_alerts_the_coordinators(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    """Issue 13: the rightful person finding their link used may mean an impostor joined."""
    org_id = await add_org(bot, "Org <Minsk>")
    token = await invite_token(bot, org_id, "Anna")
    first = tg.add_user(2001, "First")
    await bot.ask(first, f"/start {token}")
    await bot.replies(bot.coordinator())  # "… joined for …"
    second = tg.add_user(3001, "Real Name", username="second_account")
    [answer] = await bot.ask(second, f"/start {token}")
    assert answer.text == texts.NEUTRAL  # the second account learns nothing
    [alert] = await bot.replies(bot.coordinator())
    assert alert.text.startswith("⚠️ Invitation #1 (Anna) for Org <Minsk> was used on 2 Feb 2026")
    assert "(contact #2)" in alert.text and "/removecontact 2" in alert.text
    assert "another Telegram account (id 3001)" in alert.text
    assert "Real Name" not in alert.text and "second_account" not in alert.text
    queued = "SELECT count(*) FROM deliveries WHERE dedupe_key LIKE 'invite:1:reused-by:%'"
    assert await bot.db.fetch_value(queued) == 1  # through the outbox
    # The same account again: no second alert. The rightful person: no alert at all.
    bot.clock.advance(timedelta(hours=2))
    await second.send(f"/start {token}")
    [again] = await bot.ask(first, f"/start {token}")
    assert "already a contact of <b>Org &lt;Minsk&gt;</b>" in again.html
    await bot.silent(bot.coordinator())
    assert await bot.db.fetch_value(queued) == 1
    # Someone else, even a member of another organisation, alerts again.
    other = await join(bot, tg, 2002, await add_org(bot, "Other"))
    [refused] = await bot.ask(other, f"/start {token}")
    assert "already a contact of <b>Other</b>" in refused.html
    [alert] = await bot.replies(bot.coordinator())
    assert "id 2002" in alert.text
    assert await bot.db.fetch_value(queued) == 2


async def test_start_addressed_to_this_bot_joins(bot: RunningBot, tg: FakeTelegramServer) -> None:
    token = await invite_token(bot, await add_org(bot, "Org"))
    member = tg.add_user(2001, "Member")
    [welcome] = await bot.ask(member, f"/start@{BOT_USERNAME} {token}")
    assert welcome.text.startswith("Welcome!")


async def test_an_account_cannot_take_a_second_invite(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    first = await add_org(bot, "First Org")
    second = await add_org(bot, "Second Org")
    member = await join(bot, tg, 2001, first)
    token = await invite_token(bot, second)
    [answer] = await bot.ask(member, f"/start {token}")
    assert "already a contact of <b>First Org</b>" in answer.html
    # The second invitation is still unused and still works for someone else.
    other = tg.add_user(2002, "Other")
    [welcome] = await bot.ask(other, f"/start {token}")
    assert "Second Org" in welcome.text


async def test_removed_contact_loses_access_even_to_old_buttons(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    org_id = await add_org(bot, "Org")
    member = await join(bot, tg, 2001, org_id)
    welcome = member.bot_messages[-1]
    contact_id = await bot.db.fetch_value("SELECT id FROM contacts WHERE telegram_user_id = 2001")
    removed = await confirm_removal(bot, f"/removecontact {contact_id}")
    assert "no longer has access" in removed.text
    await member.press(welcome, "Show my commands")
    [answer] = await bot.replies(member)
    assert answer.text == texts.NEUTRAL
    await member.send("/whoami")
    await bot.silent(member)  # the neutral sentence only once an hour
    [contacts] = await bot.ask(bot.coordinator(), "/contacts")
    assert contacts.text == texts.CONTACTS_EMPTY


async def test_removal_asks_first_then_deletes_what_the_bot_sent_and_says_what_it_could_not(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    """Issue 13 / 14 §5: one confirmation tap; then the removed people's messages about
    letters go from their chats at once where Telegram's 48 hours allow, and the
    coordinator is told what could not be deleted."""
    first_org, second_org = await quick_org(bot, "First"), await quick_org(bot, "Second")
    anna, boris = [await quick_member(bot, tg, user_id, first_org) for user_id in (2001, 2002)]
    carl = await quick_member(bot, tg, 2003, second_org)
    members = (anna, boris, carl)
    await quick_letter(bot, "Old letter", None)
    old = [await bot.replies(member, 2) for member in members]
    bot.clock.advance(timedelta(hours=25))
    await delete_expired_messages(bot.app)  # DRAFT_TTL: the old full texts are gone
    bot.clock.advance(timedelta(hours=24))  # the old summaries are 49 hours old now
    await quick_letter(bot, "New letter", None)
    new = [await bot.replies(member, 2) for member in members]
    anna_id, boris_id = [
        await bot.db.fetch_value("SELECT id FROM contacts WHERE telegram_user_id = ?", (u.id,))
        for u in (anna, boris)
    ]
    # Keep: nothing happens. A member forging the Remove press: refused, nothing happens.
    kept = await confirm_removal(bot, f"/removecontact {boris_id}", "Keep")
    assert kept.text == f"Not removed: contact #{boris_id} keeps their access."
    boris.mark_all_read()
    await boris.forge_callback(f"rmcontact:{anna_id}:1")
    [refused] = await bot.replies(boris)
    assert refused.text == texts.COORDINATORS_ONLY
    # Remove: the question says what will happen, in one sentence.
    [question] = await bot.ask(bot.coordinator(), f"/removecontact {anna_id}")
    assert "lose access at once" in question.text and "48 hours" in question.text
    assert [b for row in question.buttons for b, _ in row] == ["Remove", "Keep"]
    await bot.coordinator().press(question, "Remove")
    done = await bot.edited(bot.coordinator(), question, "direct answers")
    assert "no longer has access" in done.text
    assert "Deleted from their chats: 2 messages about letters." in done.text
    assert "1 message could not be deleted" in done.text and "48 hours" in done.text
    assert [m.message_id for m in anna.messages if (m.text or "").startswith("📄")] == [
        old[0][0].message_id  # the 49-hour-old summary: Telegram refuses
    ]
    assert all(not m.deleted for m in [*old[1][:1], *new[1]])  # Boris's chat is untouched
    # A second press (a double tap, another coordinator) changes nothing and says so;
    # the report stays.
    await bot.coordinator().forge_callback(f"rmcontact:{anna_id}:1", done)
    [again] = await bot.replies(bot.coordinator())
    assert again.text.startswith(f"There is no contact #{anna_id} with access")
    assert "Deleted from their chats" in bot.coordinator().find(question.message_id).text
    # The organisation: all its contacts at once.
    done = await confirm_removal(
        bot, f"/removeorg {second_org}", asks="Its 1 contact loses access at once"
    )
    assert "1 contact lost access" in done.text
    assert "Deleted from their chats: 2 messages" in done.text
    assert "1 message could not be deleted" in done.text
    assert {m.message_id for m in carl.messages if m.from_bot} >= {old[2][0].message_id}
    assert not any(m.message_id in {n.message_id for n in new[2]} for m in carl.messages)
    assert (
        await bot.db.fetch_value(
            "SELECT count(*) FROM deliveries WHERE contact_id = ? AND deleted_at IS NULL "
            "AND delete_error IS NULL AND telegram_message_id IS NOT NULL",
            (anna_id,),
        )
        == 0
    )


async def test_removing_an_organisation_cuts_its_contacts_off(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    org_id = await add_org(bot, "Gone Org")
    member = await join(bot, tg, 2001, org_id)
    pending = await invite_token(bot, org_id)
    removed = await confirm_removal(bot, f"/removeorg {org_id}")
    assert "2 contacts lost access" in removed.text
    [answer] = await bot.ask(member, "/whoami")
    assert answer.text == texts.NEUTRAL
    [late] = await bot.ask(tg.add_user(2002, "Late"), f"/start {pending}")
    assert late.text == texts.NEUTRAL


async def test_fifty_random_tokens_are_refused_and_rate_limited(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    org_id = await add_org(bot, "Org")
    real_token = await invite_token(bot, org_id)
    attacker = tg.add_user(6666, "Guesser")
    for _ in range(50):
        await attacker.send(f"/start {secrets.token_urlsafe(24)}")
    await bot.settle()
    assert [m.text for m in attacker.bot_messages] == [texts.NEUTRAL]  # one sentence, no hint
    await bot.replies(attacker)
    # While paused, even a real token is ignored (no oracle); nothing was bound.
    await attacker.send(f"/start {real_token}")
    await bot.silent(attacker)
    assert (
        await bot.db.fetch_value("SELECT count(*) FROM contacts WHERE telegram_user_id = 6666") == 0
    )
    # After the pause the account may try again.
    bot.clock.advance(bot.settings.flood_pause + timedelta(hours=1))
    [welcome] = await bot.ask(attacker, f"/start {real_token}")
    assert welcome.text.startswith("Welcome!")


async def test_flooding_member_gets_one_notice_then_silence(
    tg: FakeTelegramServer, tmp_path, clock
) -> None:
    settings = make_settings(tg, tmp_path, flood_max_per_minute=6)
    async with running_bot(settings, clock, tg) as bot:
        member = await join(bot, tg, 2001, await add_org(bot, "Org"))
        for _ in range(15):
            await member.send("/whoami")
        # /start counted once: five answers, then the one notice, then nothing.
        answers = await bot.replies(member, 6)
        assert [("You are a contact" in m.text) for m in answers] == [True] * 5 + [False]
        assert "faster than I can take them" in answers[-1].text
        await bot.silent(member)
        bot.clock.advance(settings.flood_pause + timedelta(seconds=1))
        answer, heard = await bot.ask(member, "/whoami", replies=2)
        assert "You are a contact" in answer.text
        assert heard.text.startswith("I am listening again.")  # if not told already


async def test_flood_guard_keeps_coordinators_and_flow_input_and_says_when_a_member_is_heard(
    tg: FakeTelegramServer, tmp_path, clock
) -> None:
    """Issue 14 §2: a coordinator pasting a letter in 35 parts, about one a second, loses
    none of it; a member's input to a flow they started is kept; a stranger flooding is
    still ignored; a paused member is told until when, and told when they are heard again."""
    settings = make_settings(tg, tmp_path, flood_max_per_minute=5)
    async with running_bot(settings, clock, tg) as bot:
        org_id = await quick_org(bot, "Org")
        member, commenter = [await quick_member(bot, tg, n, org_id) for n in (2001, 2002)]
        await quick_letter(bot, "A letter", [org_id])
        [summary, _] = await bot.replies(commenter, 2)
        coordinator = bot.coordinator()
        await bot.ask(coordinator, "/newletter Pasted paragraph by paragraph\n2026-02-20 18:00")
        parts = [f"Paragraph {n}: PASTEMARK{n:02d} we call on the Council." for n in range(35)]
        for part in parts:  # the client sends them about a second apart
            clock.advance(timedelta(seconds=1))
            await coordinator.send(part)
        # Meanwhile, in other chats: a stranger floods, …
        stranger = tg.add_user(6001, "Stranger")
        for n in range(12):
            await stranger.send(f"hello {n}")
        # … a member floods and is paused, …
        member.mark_all_read()
        for _ in range(8):
            await member.send("/whoami")
        answers = await bot.replies(member, 5)
        assert [("You are a contact" in m.text) for m in answers] == [True] * 4 + [False]
        assert answers[-1].text.startswith("You are sending messages faster than I can take")
        assert "until 2 Feb 2026, 10:10 CET" in answers[-1].text  # when they will be heard
        # … and a member in a flow they started goes over the limit: the input is kept.
        commenter.mark_all_read()
        await commenter.press(summary, "💬 Comment")
        for _ in range(4):
            await commenter.send("/whoami")
        await commenter.send("Please name the lawyers in paragraph 2.")
        replies = await bot.replies(commenter, 7)
        assert replies[4].text.startswith("You are sending messages faster")  # the 4th /whoami
        assert replies[5].text == texts.COMMENT_SAVED  # the comment is heard
        assert replies[6].text.startswith("I am listening again.")
        # Every part of the paste landed.
        await bot.settle()
        assert any(m.buttons for m in coordinator.bot_messages)
        done = next(m for m in coordinator.bot_messages if m.buttons)
        await coordinator.press(done, "Done")
        await bot.settle()
        assert any("created" in (m.text or "") for m in coordinator.bot_messages)
        body = await bot.db.fetch_value("SELECT body FROM versions ORDER BY id DESC LIMIT 1")
        assert [n for n in range(35) if f"PASTEMARK{n:02d}" not in body] == []
        assert [m.text for m in stranger.bot_messages] == [texts.NEUTRAL]
        # The paused member hears nothing more until the pause is over; then they are told.
        await bot.silent(member)
        clock.advance(settings.flood_pause)
        await bot.run_due()
        [heard] = await bot.replies(member)
        assert heard.text.startswith("I am listening again. What you sent between 2 Feb 2026")
        [answer] = await bot.ask(member, "/whoami")
        assert "You are a contact" in answer.text


async def test_bot_added_to_a_group_leaves_and_says_nothing(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    coordinator = bot.coordinator()
    await coordinator.send("/start")
    await bot.replies(coordinator)
    group = tg.add_group(-100500, "Coalition chat", type="supergroup")
    await group.add_bot(by=coordinator)
    await group.send(coordinator, "/orgs")
    await bot.settle()
    assert tg.calls["leaveChat"] >= 1
    assert not group.bot_is_member
    assert tg.messages_sent_to(-100500) == []
    channel = tg.add_group(-100600, "Channel", type="channel")
    await channel.add_bot(by=coordinator)
    await channel.post("/start")
    await bot.settle()
    assert tg.messages_sent_to(-100600) == []


async def test_orgs_list_is_paginated_and_never_cut(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    names = [f"Organisation {i:03d} " + "for human rights and democracy " * 6 for i in range(60)]
    for name in names:  # prepared from the terminal, as a coordinator would before launch
        await membership.add_organisation(bot.db, name, actor="cli", now=bot.clock.now())
    coordinator = bot.coordinator()
    [page] = await bot.ask(coordinator, "/orgs")
    seen = [page.text]
    pages = int(re.search(r"page 1 of (\d+)", page.text).group(1))
    assert pages > 1
    for number in range(2, pages + 1):
        await coordinator.press(page, "Next »")
        page = await bot.edited(coordinator, page, f"page {number} of {pages}")
        seen.append(page.text)
    for name in names:
        assert name.strip() in "\n".join(seen)
    assert not [r for r in tg.rejections if r.method in ("sendMessage", "editMessageText")]


async def test_members_cannot_page_the_coordinators_lists(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    member = await join(bot, tg, 2001, await add_org(bot, "Org"))
    member.mark_all_read()
    await member.forge_callback("orgs:2")
    [refusal] = await bot.replies(member)
    assert refusal.text == texts.COORDINATORS_ONLY
    await member.forge_callback("x" * 64)
    [refusal] = await bot.replies(member)
    assert refusal.text == texts.STALE_BUTTON
    assert len(member.callback_answers) == 2  # every press answered


async def test_coordinator_dropped_from_settings_loses_access(
    tg: FakeTelegramServer, tmp_path, clock
) -> None:
    settings = make_settings(tg, tmp_path)
    async with running_bot(settings, clock, tg) as bot:
        [answer] = await bot.ask(bot.coordinator(), "/orgs")
        assert answer.text.startswith("No organisations yet.")
    demoted = make_settings(tg, tmp_path, coordinator_ids=frozenset({9999}))
    async with running_bot(demoted, clock, tg) as bot:
        [answer] = await bot.ask(tg.user(COORDINATOR_ID), "/orgs")
        assert answer.text == texts.NEUTRAL


async def test_usage_errors_are_polite(bot: RunningBot) -> None:
    coordinator = bot.coordinator()
    cases = {
        "/addorg": "exactly as it should appear",
        "/renameorg 1": "Usage: /renameorg",
        "/removeorg abc": "Usage: /removeorg",
        "/invite": "Usage: /invite",
        "/invite 77": "There is no organisation #77",
        "/revoke x": "Usage: /revoke",
        "/revoke 5": "Invitation #5 does not exist",
        "/removecontact 9": "There is no contact #9",
        f"/addorg {'N' * 301}": "too long: at most 300",
    }
    for command, expected in cases.items():
        [answer] = await bot.ask(coordinator, command)
        assert expected in answer.text, (command, answer.text)
