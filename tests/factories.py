"""What scenarios share: the set-ups and the steps people take, on top of ``tests/harness``.

Through the chat (what a coordinator or a member does): ``add_org``, ``invite_token``,
``join``, ``new_letter``, ``circulate``, ``circulated``, ``sign``, ``withdraw``, ``close``,
``revise_materially``, ``confirm_removal``. Without it, through the services (fast, for
what a test only needs to exist): ``quick_org``, ``quick_member``, ``quick_letter``. And a
broadcast queued straight into the outbox, over many members bound at once
(``bot.demo.factories.bind_members``, shared with the benchmarks).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bot import texts
from bot.context import services_of
from bot.db import deliveries as deliveries_repo
from bot.demo.factories import BoundMember, bind_members
from bot.fake_telegram import FakeMessage, FakeTelegramServer, FakeUser
from bot.outgoing.letters import LetterComposer
from bot.services import letters, membership, outbox
from bot.services.letters import DraftSource
from bot.services.outbox import OutgoingMessage
from tests.harness import BOT_USERNAME, COORDINATOR_ID, RunningBot

DEADLINE = "2026-02-20 18:00"
PARAGRAPHS = [
    "We, the undersigned organisations, write to you ahead of the session of the Council.",
    "The situation of human rights defenders in the country has not improved.",
    "We urge your delegation to support the renewal of the mandate.",
]
TEXT = "\n\n".join(PARAGRAPHS)
LINK = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)")
OUTBOX_NOTICE = "⚠️"  # how the outbox's notices to coordinators start (unreachable, refused)
REMINDER = "⏰ A letter is waiting for your organisation's answer"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def buttons(message: FakeMessage) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


# --- organisations and members ----------------------------------------------------------------


async def add_org(bot: RunningBot, name: str) -> int:
    [answer] = await bot.ask(bot.coordinator(), f"/addorg {name}")
    match = re.search(r"#(\d+)", answer.text or "")
    assert match, answer.text
    return int(match.group(1))


async def invite_token(bot: RunningBot, org_id: int, label: str = "") -> str:
    [answer] = await bot.ask(bot.coordinator(), f"/invite {org_id} {label}".strip())
    match = LINK.search(answer.text or "")
    assert match, answer.text
    return match.group(1)


async def join(bot: RunningBot, tg: FakeTelegramServer, user_id: int, org_id: int) -> FakeUser:
    """A member joining through an invitation the coordinator asked for in the chat (what
    else the member got on joining, letters already open, is read too)."""
    token = await invite_token(bot, org_id)
    member = tg.add_user(user_id, f"Member {user_id}")
    got = await bot.ask(member, f"/start {token}", replies=None)
    assert [m for m in got if (m.text or "").startswith("Welcome!")], got
    await bot.replies(bot.coordinator())  # "… joined for …"
    return member


async def quick_org(bot: RunningBot, name: str) -> int:
    return (await membership.add_organisation(bot.db, name, actor="test", now=bot.clock.now())).id


async def quick_member(
    bot: RunningBot, tg: FakeTelegramServer, user_id: int, org_id: int
) -> FakeUser:
    """A member joined through an invitation issued without the coordinator's chat (fast)."""
    invite = await membership.issue_invite(
        bot.db, org_id, label=None, created_by=None, actor="test", now=bot.clock.now(),
        ttl=timedelta(days=1),
    )  # fmt: skip
    member = tg.add_user(user_id, f"Member {user_id}")
    [welcome] = await bot.ask(member, f"/start {invite.token}")
    assert (welcome.text or "").startswith("Welcome!"), welcome.text
    return member


async def confirm_removal(
    bot: RunningBot, command: str, button: str = "Remove", *, asks: str = "Remove "
) -> FakeMessage:
    """/removeorg or /removecontact, then a press on its question; the edited answer."""
    coordinator = bot.coordinator()
    [question] = await bot.ask(coordinator, command)
    text = question.text or ""
    assert text.startswith("Remove ") and asks in text, text
    await coordinator.press(question, button)
    marker = "Not removed" if button == "Keep" else "direct answers"
    return await bot.edited(coordinator, question, marker)


# --- letters ----------------------------------------------------------------------------------


async def new_letter(
    bot: RunningBot, title: str = "Letter on the mandate", text: str = TEXT
) -> int:
    [created] = await bot.ask(bot.coordinator(), f"/newletter {title}\n{DEADLINE}\n{text}")
    match = re.search(r"Letter #(\d+) created", created.text or "")
    assert match, created.text
    return int(match.group(1))


async def quick_letter(
    bot: RunningBot, title: str, organisations: Sequence[int] | None = (), text: str = TEXT
) -> int:
    """A letter made without the coordinator's chat (fast), circulated to ``organisations``
    (None: all; empty: a draft); its messages to the members are sent once the bot settles."""
    now = bot.clock.now()
    letter, _ = await letters.create_letter(
        bot.db, title=title, deadline=now + timedelta(days=18), zone_name="Europe/Zurich",
        body=text, source=DraftSource(), language="en", created_by=None, actor="test", now=now,
    )  # fmt: skip
    if organisations is None or organisations:
        await letters.circulate(
            bot.db, letter.id, organisations, requested_by=None, actor="test", now=now,
            compose=LetterComposer(bot.settings).circulation, default_offsets=(),
        )  # fmt: skip
        wake_outbox(bot)
    return letter.id


async def circulate(bot: RunningBot, letter_id: int, targets: str = "all") -> str:
    """/circulate's answer (the outbox's notices of who can't be reached aside)."""
    got = await bot.ask(bot.coordinator(), f"/circulate {letter_id} {targets}", replies=None)
    [answer] = [m for m in got if not (m.text or "").startswith(OUTBOX_NOTICE)]
    return answer.text or ""


async def circulated(
    bot: RunningBot, tg: FakeTelegramServer, orgs: list[str], per_org: int = 1
) -> tuple[int, list[FakeUser]]:
    """A letter circulated to new organisations; returns the letter id and their members
    (each has read the summary and the full text)."""
    members = []
    for index, name in enumerate(orgs):
        org_id = await add_org(bot, name)
        for n in range(per_org):
            members.append(await join(bot, tg, 3000 + index * 10 + n, org_id))
    letter_id = await new_letter(bot)
    await circulate(bot, letter_id)
    for member in members:
        await bot.replies(member, 2)  # the summary and the full text
    return letter_id, members


async def revise_materially(bot: RunningBot, letter_id: int) -> None:
    """/revise with a new paragraph, marked material (the members' notices follow)."""
    coordinator = bot.coordinator()
    await bot.ask(coordinator, f"/revise {letter_id}")
    [got] = await bot.ask(coordinator, TEXT + "\n\nA new demanding paragraph.")
    await coordinator.press(got, "Done")
    [kind] = await bot.replies(coordinator)
    await coordinator.press(kind, "Material: ask to sign again")
    await bot.replies(coordinator)


async def close(bot: RunningBot, letter_id: int) -> str:
    """/close and its confirmation tap; the text it ends with."""
    coordinator = bot.coordinator()
    [question] = await bot.ask(coordinator, f"/close {letter_id}")
    assert (question.text or "").startswith(f"Close letter #{letter_id}"), question.text
    await coordinator.press(question, "🔒 Close it")
    return (await bot.edited(coordinator, question, "is closed")).text or ""


# --- responses --------------------------------------------------------------------------------


def summary_of(member: FakeUser) -> FakeMessage:
    return next(m for m in member.bot_messages if m.text and m.text.startswith("📄"))


async def sign(
    bot: RunningBot,
    member: FakeUser,
    listing: str = "Listed by name",
    message: FakeMessage | None = None,
    button: str = "✍️ Sign",
) -> FakeMessage:
    """Sign, the listing, Confirm; the receipt (the listing screen, edited)."""
    await member.press(message or summary_of(member), button)
    [choose] = await bot.replies(member)
    await member.press(choose, listing)
    confirm = await bot.edited(member, choose, "Please confirm")
    await member.press(confirm, "✅ Confirm")
    return await bot.edited(member, choose, "Signed for")


async def withdraw(bot: RunningBot, member: FakeUser, question: FakeMessage) -> str:
    """The second tap on Withdraw; the receipt it ends with."""
    assert (question.text or "").startswith("Withdraw the signature of"), question.text
    await member.press(question, "↩️ Yes, withdraw it")
    return (await bot.edited(member, question, "is withdrawn")).text or ""


def reminders_of(user: FakeUser) -> list[str]:
    return [m.text for m in user.bot_messages if m.text and m.text.startswith(REMINDER)]


# --- broadcasts straight into the outbox ------------------------------------------------------


def opened_coordinator(bot: RunningBot) -> FakeUser:
    """The coordinator, who has opened the bot: their progress messages and reports go out
    without their having written first."""
    user = bot.coordinator()
    user.started = True
    return user


def wake_outbox(bot: RunningBot) -> None:
    sender = services_of(bot.app).outbox_sender
    assert sender is not None
    sender.wake()


async def bound_members(
    bot: RunningBot, count: int, *, first_id: int = 50_000
) -> list[BoundMember]:
    """Organisations "Org 000" … with one active contact each ("Member 000" …), whose
    accounts have opened the bot."""
    return await bind_members(
        bot.db, count, now=bot.clock.now(), first_user_id=first_id, tg=bot.tg,
        organisation="Org {n:03d}", name="Member {n:03d}",
    )  # fmt: skip


def text(body: str, **params: Any) -> OutgoingMessage:
    return OutgoingMessage("sendMessage", {"text": body, "parse_mode": "HTML", **params})


def three_parts(member: BoundMember) -> list[OutgoingMessage]:
    """A summary with a button, then a text in two parts."""
    markup = {"inline_keyboard": [[{"text": "Sign", "callback_data": f"s:{member.contact_id}"}]]}
    return [
        text(f"<b>Summary</b> for {member.name}", reply_markup=markup, protect_content=True),
        text(f"Full text 1/2 for {member.name}", link_preview_options={"is_disabled": True}),
        text(f"Full text 2/2 for {member.name}"),
    ]


async def queue(
    bot: RunningBot,
    members: list[BoundMember],
    compose: Callable[[BoundMember], list[OutgoingMessage]],
    *,
    requested_by: int | None = COORDINATOR_ID,
    delete_after: timedelta | None = None,
) -> int:
    """One broadcast, queued in one transaction like /circulate does, then the sender woken."""
    now = bot.clock.now()
    async with bot.db.transaction() as tx:
        broadcast_id = await outbox.create_broadcast(
            tx, letter_id=None, kind="circulation", requested_by=requested_by, now=now
        )
        for member in members:
            for part, message in enumerate(compose(member)):
                await outbox.enqueue(
                    tx,
                    broadcast_id=broadcast_id,
                    contact_id=member.contact_id,
                    chat_id=member.telegram_user_id,
                    letter_id=None,
                    kind="summary" if part == 0 else "fulltext",
                    message=message,
                    dedupe_key=f"test:{broadcast_id}:{member.contact_id}:{part}",
                    now=now,
                    delete_after=None if delete_after is None else now + delete_after,
                )
    wake_outbox(bot)
    return broadcast_id


async def drained(bot: RunningBot, broadcast_id: int, timeout: float = 20.0) -> None:
    """Until the broadcast is finished and nothing at all (report, notices) is queued. A
    delivery backing off waits for the fake clock: tests that move it meanwhile wait here
    while it comes due."""
    async with asyncio.timeout(timeout):
        while True:
            await bot.settle()
            broadcast = await deliveries_repo.get_broadcast(bot.db, broadcast_id)
            queued = await bot.db.fetch_value(
                "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
            )
            if broadcast is not None and broadcast.finished_at is not None and queued == 0:
                return
            await asyncio.sleep(0.05)


def texts_of(tg: FakeTelegramServer, chat_id: int) -> list[str]:
    return [m.text or m.caption or "" for m in tg.messages_sent_to(chat_id)]


async def statuses(bot: RunningBot, broadcast_id: int) -> list[tuple[str, str | None]]:
    rows = await bot.db.fetch_all(
        "SELECT status, reason FROM deliveries WHERE broadcast_id = ? ORDER BY id",
        (broadcast_id,),
    )
    return [(row["status"], row["reason"]) for row in rows]


def seen(message: str, language: str, **params: object) -> str:
    """What a reader sees: the rendered text without its HTML tags."""
    return re.sub(r"<[^>]+>", "", texts.render(message, language, **params))


def lead(message: str, language: str) -> str:
    """The translated text up to its first placeholder: enough to recognise it."""
    return seen(texts.translate(message, language).split("{", 1)[0], "en")


async def next_with(bot: RunningBot, user: FakeUser, marker: str) -> FakeMessage:
    """The bot message (new or edited) whose text starts with ``marker``, once settled."""
    await bot.settle()
    found = [m for m in user.bot_messages if (m.text or m.caption or "").startswith(marker)]
    assert found, (marker, [m.text or m.caption for m in user.bot_messages])
    return found[0]
