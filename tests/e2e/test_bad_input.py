"""Bad input: over a thousand generated updates against the running bot, from everyone.

Seeded and reproducible (``BAD_INPUT_SEED=<n>`` replays another run). Set-up: three
organisations; an open letter circulated to A and B, a closed one circulated to A and C,
a draft; members of each organisation, a removed contact of A, strangers, one-off
unknown accounts, groups and a channel. Then rounds of garbage from all of them at once
(one action per account and round; a round starts once the bot has settled the last one,
and the fake clock moves 4 s a round, so the flood guard keeps its default and stays out
of the way): random Unicode
(right-to-left, zero-width, combining marks, emoji, control characters), 10,000-character
texts, HTML and Markdown injection, forged and oversized button data naming every letter,
version and organisation, wrong commands, /start with made-up invites, edits, replies,
documents of the wrong type or 50 MB, stickers, locations, contacts, dice, presses of real
buttons and garbage in the middle of flows. The coordinator meanwhile feeds garbage into
/newletter and /revise and gives commands wrong arguments.

Shown afterwards:
(a) no handler error and no ERROR log line;
(b) no state change by anyone without the right: the tables are as before except
    responses and comments of the open letter made by its organisations' own members
    (what they may do), members' own preferences; no new audit event but theirs (their
    answers, and a member's change of their own language);
(c) no letter's title or text (distinctive marker words) in any chat but those of its
    organisations' members and the coordinator, in texts, captions or files;
(d) the strict fake accepted every request the bot made.

Lone surrogates are left out: Telegram sends UTF-8, which cannot carry them.
"""

from __future__ import annotations

import io
import logging
import os
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import docx
import pytest

from bot.fake_telegram import FakeGroup, FakeMessage, FakeTelegramServer, FakeUser
from bot.services import membership
from bot.settings import Settings
from tests.factories import circulate, close, new_letter
from tests.harness import COORDINATOR_ID, RunningBot, make_settings, running_bot

SEED = int(os.environ.get("BAD_INPUT_SEED", "20260207"))
ROUNDS = 24
ROUND_CLOCK = timedelta(seconds=4)  # fake time per round: 15 updates a minute per account
MIN_UPDATES = 1000

OPEN_TITLE = "Appeal ZEBRAOPEN on detentions"
OPEN_TEXT = "ZEBRAPARAONE we call for release.\n\nZEBRAPARATWO and for access to lawyers."
CLOSED_TITLE = "Statement QUOKKASHUT on elections"
CLOSED_TEXT = "QUOKKAPARAONE the vote was not free.\n\nQUOKKAPARATWO observers were expelled."
DRAFT_TITLE = "Note NARWHALDRAFT on prisons"
DRAFT_TEXT = "NARWHALPARAONE conditions worsened.\n\nNARWHALPARATWO visits were banned."
MARKERS = {
    "open": ("ZEBRAOPEN", "ZEBRAPARAONE", "ZEBRAPARATWO"),
    "closed": ("QUOKKASHUT", "QUOKKAPARAONE", "QUOKKAPARATWO"),
    "draft": ("NARWHALDRAFT", "NARWHALPARAONE", "NARWHALPARATWO"),
}
# Tables whose rows are the coalition's state. Left out as bookkeeping: flows (a guided
# step in progress), broadcasts and deliveries (the outbox), bot_state, audit (checked
# on its own below).
STATE_TABLES = (
    "organisations", "contacts", "invites", "letters", "letter_organisations", "versions",
    "responses", "comments", "milestones", "reminders", "reminder_sends",
)  # fmt: skip
PREFERENCES = ("language", "timezone", "quiet_start", "quiet_end")
# The preference changes the audit log records (time zone and quiet hours are not audited).
PREFERENCE_EVENTS = ("contact.language",)

# --- garbage ---------------------------------------------------------------------------------

RTL = ["\u202eevil.exe\u202c", "مرحبا بالعالم", "שלום עולם", "\u200fاختبار\u200f", "\u202bab\u202c"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e"]
COMBINING = "".join(chr(c) for c in range(0x300, 0x36F))
EMOJI = ["👩‍👩‍👧‍👦", "🏳️‍🌈", "🇧🇾", "👍🏿", "🧑🏽‍⚖️", "❤️‍🔥", "🫠", "🔥" * 30]
CONTROL = ["\x00", "\x01", "\x07", "\x1b[31m", "\x7f", "\r", "\t", "\u2028", "\u2029", "\ufffd"]
INJECTION = [
    "<b>bold</b>", "<script>alert(1)</script>", "</b></i></a>", "<i>unclosed",
    '<a href="tg://user?id=1001">coordinator</a>', "&amp; &lt; &gt; &#0; &#x110000; &bogus;",
    "<pre><code class=\"language-</code>\">x</code></pre>", "<tg-spoiler>s</tg-spoiler>",
    "<blockquote expandable>", "*bold* _italic_ `code` ```pre``` ~strike~ ||spoiler||",
    "[link](http://evil.example) ![img](x)", "\\*not\\* \\_md\\_", "${jndi:ldap://x}",
    "'; DROP TABLE responses; --", "%s %d {0} {name} %(text)s", "<<<>>>", "&",
]  # fmt: skip
WORDS = ["sign", "letter", "yes", "Viasna", "подпишу", "да", "#1", "v1", "18:00", "2026"]
COMMANDS = [
    "start", "help", "whoami", "mine", "withdraw", "status", "letter", "letters", "comments",
    "export", "audit", "orgs", "addorg", "renameorg", "removeorg", "invite", "invites",
    "revoke", "contacts", "removecontact", "newletter", "revise", "preview", "circulate",
    "close", "reopen", "remind", "reminders", "deadline", "milestone", "milestones",
    "timezone", "quiet", "language", "cancel", "purge", "nosuchcommand", "START", "sign",
]  # fmt: skip
BUTTON_KINDS = [
    "orgs", "invites", "contacts", "help", "done", "cancel", "rkind", "sign", "decl", "cmt",
    "full", "letters", "sgl", "sgc", "sgx", "dskip", "wd", "rpl", "status", "prg",
    "lang", "nlang", "rsb", "rsl",
]  # fmt: skip
# What the coordinator's buttons would complete or change: not forged by the coordinator,
# whose garbage must leave the state alone too (members forge everything).
COORDINATOR_SAFE_KINDS = ["orgs", "invites", "contacts", "help", "letters", "status", "cancel"]


@dataclass
class World:
    open_id: int
    closed_id: int
    draft_id: int
    versions: dict[int, list[int]]  # letter → version ids
    orgs: dict[str, int]
    members: dict[str, list[FakeUser]]  # "A", "B", "C" → their members
    removed: FakeUser
    strangers: list[FakeUser]
    groups: list[FakeGroup]
    coordinator: FakeUser

    def ids(self) -> list[int]:
        every = [self.open_id, self.closed_id, self.draft_id, *self.orgs.values()]
        every += [v for versions in self.versions.values() for v in versions]
        return every


@dataclass
class Fuzzer:
    rng: random.Random
    world: World
    tg: FakeTelegramServer
    sent: dict[int, list[FakeMessage]] = field(default_factory=dict)
    actions: Counter[str] = field(default_factory=Counter)
    next_stranger: int = 900_000

    # --- text --------------------------------------------------------------------------

    def piece(self) -> str:
        pick = self.rng.randrange(9)
        if pick == 0:
            return self.rng.choice(RTL)
        if pick == 1:
            word = self.rng.choice(WORDS)
            return "".join(c + self.rng.choice(ZERO_WIDTH) for c in word)
        if pick == 2:
            base = self.rng.choice(WORDS)
            return "".join(c + "".join(self.rng.sample(COMBINING, 6)) for c in base)
        if pick == 3:
            return self.rng.choice(EMOJI)
        if pick == 4:
            return self.rng.choice(CONTROL)
        if pick in (5, 6):
            return self.rng.choice(INJECTION)
        if pick == 7:
            return "".join(chr(self.rng.randrange(0x20, 0xD7FF)) for _ in range(12))
        return self.rng.choice(WORDS)

    def garbage(self) -> str:
        roll = self.rng.random()
        if roll < 0.08:  # 10,000 characters (Telegram's clients split at 4096; a bot API
            # client need not): one character repeated, or a mix
            if self.rng.random() < 0.5:
                return self.rng.choice(["A", "я", "<", "&", "🔥", "\u0301"]) * 10_000
            text = ""
            while len(text) < 10_000:
                text += self.piece() + " "
            return text[:10_000]
        text = " ".join(self.piece() for _ in range(self.rng.randrange(1, 6)))
        return text if text.strip() else "x" + text

    def argument(self) -> str:
        return self.rng.choice(
            [
                "", "abc", "-1", "0", "1.5", "99999999999999999999999", "1 2 3", "#1", "v1",
                str(self.rng.choice(self.world.ids())), f"{self.rng.choice(self.world.ids())} "
                + self.piece(), self.piece(), "@" + "x" * 40, "all", "none", "7d,3d", "25-99",
                "2026-02-30 25:00", "Europe/Nowhere", "\n\n\n", self.garbage()[:300],
            ]
        )  # fmt: skip

    def command(self) -> str:
        name = self.rng.choice(COMMANDS)
        if self.rng.random() < 0.15:
            name += self.rng.choice(["@coalition_test_bot", "@other_bot", "@"])
        return f"/{name} {self.argument()}".rstrip() if self.rng.random() < 0.9 else f"/{name}"

    def button_data(self, kinds: list[str]) -> str:
        roll = self.rng.random()
        if roll < 0.1:  # oversized (Telegram caps at 64 bytes; a forged client may not)
            return self.rng.choice(kinds) + ":" + "1" * self.rng.randrange(60, 300)
        if roll < 0.2:
            return self.rng.choice(["", " ", "💥", "sign:1:1\n", "SIGN:1:1", "sign:01:1",
                                    "sign:-1:1", "sign:1:1:1:1:1:1", ":", "sgc::::",
                                    self.piece(), "sgc:" + "9" * 30 + ":1:1"])  # fmt: skip
        kind = self.rng.choice(kinds)
        ids = [*self.world.ids(), 0, 1, 2, 3, 4, 999_999, 2**31, 2**40]
        args = [self.rng.choice(ids) for _ in range(self.rng.choice([0, 1, 2, 2, 3, 3, 4]))]
        if kind in ("sgl", "sgc") and len(args) == 3:
            args[2] = self.rng.choice([1, 2, 3, 0, 4])
        return ":".join([kind, *map(str, args)])

    # --- actions of one private account ---------------------------------------------------

    def _bot_messages(self, user: FakeUser) -> list[FakeMessage]:
        return [m for m in user.bot_messages if not m.deleted]

    async def act(self, user: FakeUser, *, kinds: list[str] = BUTTON_KINDS) -> None:
        actions: list[tuple[float, Callable[[], Awaitable[Any]]]] = [
            (20, lambda: self.text(user)),
            (18, lambda: self.send(user, self.command(), "command")),
            (20, lambda: self.forge(user, kinds)),
            (8, lambda: self.press_real(user)),
            (5, lambda: self.edit(user)),
            (5, lambda: self.reply(user)),
            (6, lambda: self.document(user)),
            (3, lambda: self.sticker(user)),
            (3, lambda: self.location(user)),
            (3, lambda: self.odd(user)),
            (4, lambda: self.send(user, "/start " + self.token(), "bogus invite")),
        ]
        weights = [w for w, _ in actions]
        [(_, action)] = self.rng.choices(actions, weights=weights)
        await action()

    async def send(self, user: FakeUser, text: str, kind: str) -> None:
        self.actions[kind] += 1
        self.sent.setdefault(user.id, []).append(await user.send(text))

    async def text(self, user: FakeUser) -> None:
        await self.send(user, self.garbage(), "text")

    def token(self) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        if self.rng.random() < 0.7:
            return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randrange(1, 80)))
        return self.piece()

    async def forge(self, user: FakeUser, kinds: list[str]) -> None:
        self.actions["forged button"] += 1
        messages = self._bot_messages(user)
        on = self.rng.choice(messages) if messages and self.rng.random() < 0.7 else None
        await user.forge_callback(self.button_data(kinds), on)

    async def press_real(self, user: FakeUser) -> None:
        with_buttons = [
            m
            for m in self._bot_messages(user)
            if any(data and not data.startswith("http") for row in m.buttons for _, data in row)
        ]
        if not with_buttons:
            return await self.text(user)
        message = self.rng.choice(with_buttons)
        data = [d for row in message.buttons for _, d in row if d and not d.startswith("http")]
        self.actions["real button"] += 1
        await user.press(message, self.rng.choice(data))

    async def edit(self, user: FakeUser) -> None:
        own = [m for m in self.sent.get(user.id, []) if m.text is not None and not m.deleted]
        if not own:
            return await self.text(user)
        self.actions["edit"] += 1
        await user.edit(self.rng.choice(own), self.rng.choice([self.garbage(), self.command()]))

    async def reply(self, user: FakeUser) -> None:
        messages = self._bot_messages(user)
        if not messages:
            return await self.text(user)
        self.actions["reply"] += 1
        await user.reply(self.rng.choice(messages), self.garbage())

    async def document(self, user: FakeUser) -> None:
        self.actions["document"] += 1
        name, content, mime, size = self.rng.choice(
            [
                ("letter.exe", b"MZ\x90\x00" + bytes(200), "application/x-msdownload", None),
                ("photo.jpg", b"\xff\xd8\xff\xe0" + bytes(100), "image/jpeg", None),
                ("letter.docx", b"PK\x03\x04 not really a zip", None, None),
                ("letter.pdf", b"%PDF-1.4\n%%EOF", "application/pdf", None),
                ("letter.txt", "ZEBRA? нет\x00\xff".encode("utf-8", "replace"), None, None),
                ("letter.txt", b"\xff\xfe\xfa invalid utf-8 \xc3\x28", "text/plain", None),
                ("huge.docx", b"PK\x03\x04", None, 50 * 1024 * 1024),
                ("huge.txt", b"tiny", "text/plain", 50 * 1024 * 1024 + 1),
                (self.piece() + ".md", b"# title\n\n" + self.garbage().encode(), None, None),
                ("<b>x</b>.txt", b"text", "text/plain", None),
            ]
        )
        caption = self.garbage()[:1024] if self.rng.random() < 0.3 else None
        self.sent.setdefault(user.id, []).append(
            await user.send_document(name, content, mime, caption, declared_size=size)
        )

    async def sticker(self, user: FakeUser) -> None:
        self.actions["sticker"] += 1
        await user.send_sticker(self.rng.choice(EMOJI))

    async def location(self, user: FakeUser) -> None:
        self.actions["location"] += 1
        lat, lon = self.rng.choice([(53.9, 27.56), (91.0, 181.0), (-90.0, -180.0), (0.0, 0.0)])
        await user.send_location(lat, lon)

    async def odd(self, user: FakeUser) -> None:
        self.actions["odd message"] += 1
        fields = self.rng.choice(
            [
                {"contact": {"phone_number": "+375291234567", "first_name": "KGB"}},
                {"dice": {"emoji": "🎲", "value": 6}},
                {"voice": {"file_id": "AwACAgIAAxk", "file_unique_id": "AgADv",
                           "duration": 3}},
                {"venue": {"location": {"latitude": 1.0, "longitude": 2.0},
                           "title": "<b>x</b>", "address": "\u202e"}},
                {"forward_origin": {"type": "hidden_user", "sender_user_name": "x", "date": 0},
                 "text": "/status 1"},
            ]
        )  # fmt: skip
        await user.send_raw(fields)

    # --- others ------------------------------------------------------------------------------

    async def unknown_account(self) -> None:
        self.next_stranger += self.rng.randrange(1, 1000)
        user = self.tg.add_user(
            self.next_stranger,
            self.piece()[:64] or "x",
            last_name=self.rng.choice([None, self.piece()[:64]]),
            username=self.rng.choice([None, f"u{self.next_stranger}"]),
            language_code=self.rng.choice(["en", "be", "ar", "zz", None, "en-GB-x-hack"]),
        )
        self.world.strangers.append(user)
        await self.act(user)

    async def group_action(self) -> None:
        group = self.rng.choice(self.world.groups)
        people = [*self.world.members["A"], *self.world.strangers[:3]]
        member = self.rng.choice(people)
        self.actions[f"{group.chat_type} update"] += 1
        if not group.bot_is_member:
            await group.add_bot(member)
        elif group.chat_type == "channel":
            await group.post(self.rng.choice([self.garbage(), self.command()]))
        else:
            text = self.rng.choice(
                [self.command(), f"@coalition_test_bot {self.garbage()}",
                 f"/status@coalition_test_bot {self.world.open_id}"]
            )  # fmt: skip
            await group.send(member, text)


# --- set-up -------------------------------------------------------------------------------


async def quick_member(
    bot: RunningBot, tg: FakeTelegramServer, org_id: int, user_id: int
) -> FakeUser:
    """A member who joined through an invite (the services' own path, without the chat)."""
    now = bot.clock.now()
    issued = await membership.issue_invite(
        bot.db, org_id, label=None, created_by=COORDINATOR_ID,
        actor=f"coordinator:{COORDINATOR_ID}", now=now, ttl=timedelta(days=7),
    )  # fmt: skip
    user = tg.add_user(user_id, f"Member {user_id}")
    user.started = True  # opened the bot: the invite was used through /start
    joined = await membership.redeem_invite(
        bot.db, issued.token, telegram_user_id=user_id, display_name=user.first_name,
        language="en", now=now,
    )  # fmt: skip
    assert isinstance(joined, membership.Joined)
    return user


async def _set_up(bot: RunningBot, tg: FakeTelegramServer) -> World:
    coordinator = bot.coordinator()
    actor, now = f"coordinator:{COORDINATOR_ID}", bot.clock.now()
    orgs = {
        key: (await membership.add_organisation(bot.db, name, actor=actor, now=now)).id
        for key, name in (("A", "Org A <b>"), ("B", "Org B «Б»"), ("C", "Org C \u202eC"))
    }
    members: dict[str, list[FakeUser]] = {"A": [], "B": [], "C": []}
    for first_id, key, count in ((5000, "A", 6), (5100, "B", 3), (5200, "C", 3)):
        for n in range(count):
            members[key].append(await quick_member(bot, tg, orgs[key], first_id + n))
    removed = await quick_member(bot, tg, orgs["A"], 5099)
    contact_id = await bot.db.fetch_value(
        "SELECT id FROM contacts WHERE telegram_user_id = ?", (removed.id,)
    )
    await membership.remove_contact(bot.db, contact_id, actor=actor, now=now)
    # One invite nobody used: guessed tokens must not take it.
    await membership.issue_invite(
        bot.db, orgs["C"], label="unused", created_by=COORDINATOR_ID, actor=actor, now=now,
        ttl=timedelta(days=7),
    )  # fmt: skip

    closed_id = await new_letter(bot, CLOSED_TITLE, CLOSED_TEXT)
    await circulate(bot, closed_id, f"{orgs['A']} {orgs['C']}")
    open_id = await new_letter(bot, OPEN_TITLE, OPEN_TEXT)
    await circulate(bot, open_id, f"{orgs['A']} {orgs['B']}")
    draft_id = await new_letter(bot, DRAFT_TITLE, DRAFT_TEXT)
    await bot.ask(coordinator, f"/milestone {open_id} Session opens 2026-03-02 10:00")
    receivers = [*members["A"], *members["B"], *members["C"]]
    await bot.settle()
    assert all(len(m.bot_messages) >= 2 for m in receivers)
    assert all(len(m.bot_messages) >= 4 for m in members["A"])
    assert "is closed" in await close(bot, closed_id)
    versions: dict[int, list[int]] = {}
    for row in await bot.db.fetch_all("SELECT id, letter_id FROM versions ORDER BY id"):
        versions.setdefault(row["letter_id"], []).append(row["id"])

    strangers = [tg.add_user(8000 + n, f"Stranger {n}") for n in range(24)]
    groups = [
        tg.add_group(-100_001, "Group <b>", type="group"),
        tg.add_group(-100_002, "Supergroup \u202e", type="supergroup"),
        tg.add_group(-100_003, "Channel", type="channel"),
    ]
    await bot.settle()
    return World(open_id, closed_id, draft_id, versions, orgs, members, removed, strangers,
                 groups, coordinator)  # fmt: skip


def _coordinator_script(fuzz: Fuzzer, world: World) -> list[Callable[[], Awaitable[Any]]]:
    """Garbage in the coordinator's flows and commands that must change nothing: a flow is
    never completed (no Done, no valid deadline) and every argument is wrong."""
    user, rng = world.coordinator, fuzz.rng
    open_id, draft_id = world.open_id, world.draft_id

    def say(text: str) -> Callable[[], Awaitable[Any]]:
        return lambda: fuzz.send(user, text, "coordinator")

    steps: list[Callable[[], Awaitable[Any]]] = [
        say("/newletter"), say(fuzz.garbage()[:200]), say("2026-13-45 25:61"),
        lambda: fuzz.document(user), lambda: fuzz.sticker(user), say(fuzz.garbage()),
        say("<b>2026</b>-02-20"), say(fuzz.garbage()), say("/cancel"),
        say(f"/revise {open_id}"), lambda: fuzz.document(user), say(fuzz.garbage()),
        lambda: fuzz.location(user), say(fuzz.garbage()), say("/cancel"),
        say(f"/revise {draft_id}"), lambda: fuzz.document(user), say("/cancel"),
        say("/close"), say("/close abc"), say("/close 99999"), say(f"/reopen {open_id}"),
        say(f"/deadline {open_id} {fuzz.piece()}"), say("/deadline"),
        say("/circulate 99999 all"), say(f"/circulate {draft_id} {fuzz.piece()}"),
        say("/invite abc"), say("/invite 99999"), say("/removeorg"), say("/removeorg 99999"),
        say("/renameorg"), say("/renameorg 99999 New"), say("/removecontact abc"),
        say("/revoke abc"), say(f"/milestone {open_id} {fuzz.piece()}"),
        say(f"/reminders {open_id} {fuzz.piece()}"), say("/remind 99999"),
        say(f"/letter {fuzz.piece()}"), say(f"/status -{open_id}"), say("/addorg"),
        say("/audit abc"), say("/export 99999"), say("/purge abc"), say("/purge 99999"),
        say(f"/purge {open_id}"), say(f"/purge {world.closed_id}"), say(fuzz.garbage()),
    ]  # fmt: skip
    kinds = COORDINATOR_SAFE_KINDS
    for _ in range(8):
        steps.insert(rng.randrange(len(steps)), lambda: fuzz.forge(user, kinds))
    return steps


# --- the oracles ----------------------------------------------------------------------------


async def _snapshot(bot: RunningBot) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    tables = {}
    for table in STATE_TABLES:
        rows = await bot.db.fetch_all(f"SELECT rowid AS _rowid, * FROM {table}")
        tables[table] = {(row["_rowid"],): dict(row) for row in rows}
    return tables


async def _contact_ids(bot: RunningBot, users: list[FakeUser]) -> dict[int, int]:
    found = {}
    for user in users:
        contact = await bot.db.fetch_value(
            "SELECT id FROM contacts WHERE telegram_user_id = ? AND status = 'active'", (user.id,)
        )
        if contact is not None:
            found[contact] = user.id
    return found


def _check_state(
    before: dict[str, dict[tuple[Any, ...], dict[str, Any]]],
    after: dict[str, dict[tuple[Any, ...], dict[str, Any]]],
    *,
    open_id: int,
    may_answer: dict[int, int],  # contact → organisation: members of the open letter's orgs
    members: set[int],  # every active member's contact: each may set their own preferences
) -> Counter[str]:
    """Everything as before, but what the open letter's own members may do, and members'
    own preferences."""
    allowed = Counter()
    for table in STATE_TABLES:
        old, new = before[table], after[table]
        for key in old.keys() - new.keys():
            raise AssertionError(f"{table}: row {old[key]} was deleted")
        for key, row in new.items():
            if old.get(key) == row:
                continue
            if table in ("responses", "comments"):
                own = may_answer.get(row["contact_id"]) == row["organisation_id"]
                assert row["letter_id"] == open_id and own, f"{table}: {old.get(key)} → {row}"
                allowed[table] += 1
                continue
            if table == "contacts" and key in old:
                changed = {k for k in row if row[k] != old[key][k]}
                assert changed <= set(PREFERENCES), f"contacts: {old[key]} → {row}"
                assert row["id"] in members, f"preferences of a non-member: {row}"
                allowed["preferences"] += 1
                continue
            raise AssertionError(f"{table}: {old.get(key)} → {row}")
    return allowed


def _own_preference(event: dict[str, Any], members: set[int]) -> bool:
    """A member setting their own preference: the change the state oracle lets through."""
    return (
        event["action"] in PREFERENCE_EVENTS
        and event["contact_id"] in members
        and event["actor"] == f"contact:{event['contact_id']}"
        and event["letter_id"] is None
    )


async def _check_audit(  # type: ignore[no-untyped-def]
    bot: RunningBot, after_id: int, may_answer: dict[int, int], open_id: int, members: set[int]
):
    events = await bot.db.fetch_all(
        "SELECT actor, action, letter_id, contact_id FROM audit_events WHERE id > ? ORDER BY id",
        (after_id,),
    )
    for event in events:
        if _own_preference(event, members):
            continue
        actor = event["actor"]
        member = actor.startswith("contact:") and int(actor.split(":")[1]) in may_answer
        if member and event["action"] == "contact.language":
            continue  # a member's own preference, allowed in the contacts table above too
        assert member and event["letter_id"] == open_id, f"audit event by {dict(event)}"
        assert event["action"] in (
            "response.signed", "response.declined", "response.withdrawn", "comment.added",
        ), dict(event)  # fmt: skip
    return Counter(event["action"] for event in events)


def _visible(tg: FakeTelegramServer, message: FakeMessage) -> str:
    """Everything a bot message shows: text, caption, buttons and any file's content."""
    parts = [message.text or "", message.html or "", message.caption or ""]
    parts += [text for row in message.buttons for text, _ in row]
    if message.document is not None:
        parts.append(message.document.get("file_name") or "")
        content = tg.file_content(message.document["file_id"])
        if (message.document.get("file_name") or "").endswith(".docx"):
            paragraphs = docx.Document(io.BytesIO(content)).paragraphs
            parts += [p.text for p in paragraphs]
        else:
            parts.append(content.decode("utf-8", "replace"))
    return "\n".join(parts)


def _check_leaks(tg: FakeTelegramServer, world: World) -> int:
    members = world.members
    allowed = {
        "open": {u.id for u in (*members["A"], *members["B"])},
        "closed": {u.id for u in (*members["A"], *members["C"])},
        "draft": set(),
    }
    checked = 0
    # The oracle sees what it looks for: the letters' own members do have their texts.
    for letter, users in allowed.items():
        for user_id in users:
            shown = "\n".join(_visible(tg, m) for m in tg.messages_sent_to(user_id))
            assert all(marker in shown for marker in MARKERS[letter]), (letter, user_id)
    for chat in [*tg.users, *world.groups]:
        bot_messages = tg.messages_sent_to(chat.id)
        if isinstance(chat, FakeGroup):
            assert bot_messages == [], f"the bot wrote in {chat!r}: {bot_messages}"
            continue
        if chat.id == COORDINATOR_ID:
            continue
        for message in bot_messages:
            shown = _visible(tg, message)
            checked += 1
            for letter, markers in MARKERS.items():
                if chat.id in allowed[letter]:
                    continue
                leaked = [m for m in markers if m in shown]
                assert not leaked, f"{letter} letter content {leaked} sent to {chat!r}: {message}"
    return checked


# --- the test -------------------------------------------------------------------------------


@pytest.fixture
def settings(tg: FakeTelegramServer, tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return make_settings(tg, tmp_path, log_level="INFO")


async def test_a_thousand_bad_updates_change_nothing_leak_nothing_break_nothing(
    settings: Settings, clock, tg: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(SEED)
    tg.add_user(COORDINATOR_ID, "Olena").started = True  # before the start: gets her menu
    async with running_bot(settings, clock, tg) as bot:
        world = await _set_up(bot, tg)
        fuzz = Fuzzer(rng, world, tg)
        open_orgs = {world.orgs["A"], world.orgs["B"]}
        may_answer = {
            contact: org
            for contact, org in (
                (row["id"], row["organisation_id"])
                for row in await bot.db.fetch_all(
                    "SELECT id, organisation_id FROM contacts WHERE status = 'active'"
                )
            )
            if org in open_orgs
        }
        members = {
            row["id"]
            for row in await bot.db.fetch_all(
                "SELECT id FROM contacts WHERE status = 'active' AND role = 'member'"
            )
        }
        before = await _snapshot(bot)
        last_event = await bot.db.fetch_value("SELECT max(id) FROM audit_events")
        first_update = len(tg.updates)
        caplog.clear()

        script = _coordinator_script(fuzz, world)
        private = [
            *world.members["A"], *world.members["B"], *world.members["C"], world.removed,
            *world.strangers,
        ]  # fmt: skip
        for round_number in range(ROUNDS):
            rng.shuffle(private)
            for user in private:
                await fuzz.act(user)
            for _ in range(3):
                await fuzz.unknown_account()
            for _ in range(4):
                await fuzz.group_action()
            if round_number < len(script):
                await script[round_number]()
            for step in script[ROUNDS:] if round_number == ROUNDS - 1 else []:
                await step()
            clock.advance(ROUND_CLOCK)
            await bot.settle()
        fed = len(tg.updates) - first_update
        await bot.settle()
        pending = await bot.db.fetch_value(
            "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
        )
        assert pending == 0

        # (b) state and audit
        after = await _snapshot(bot)
        changed = _check_state(
            before, after, open_id=world.open_id, may_answer=may_answer, members=members
        )
        audited = await _check_audit(bot, last_event, may_answer, world.open_id, members)
        # The bot still works for everyone after all that.
        [who] = await bot.ask(world.members["C"][0], "/whoami")
        assert "Org C" in who.text

    # (a) no handler error (running_bot would have failed) and no ERROR line
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [f"{r.name}: {r.getMessage()}" for r in errors]
    # (c) no letter content to anyone outside its organisations
    checked = _check_leaks(tg, world)
    # (d) the strict fake accepted everything
    summary = Counter(
        (r.method, r.error_code, r.description, str(r.params.get("chat_id"))[:8])
        for r in tg.rejections
    )
    assert tg.rejections == [], "\n".join(f"{n} × {k}" for k, n in summary.most_common())

    assert fed >= MIN_UPDATES, fed
    print(
        f"\nseed {SEED}: {fed} updates, {sum(fuzz.actions.values())} actions "
        f"{dict(fuzz.actions)}; {checked} bot messages checked; allowed changes "
        f"{dict(changed)}; audit {dict(audited)}"
    )
