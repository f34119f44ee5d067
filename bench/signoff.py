"""Benchmark: 2,000 contacts press Sign and Confirm, against the strict fake; ours vs a bare bot.

What is measured
----------------
Every contact presses two buttons: ✍️ Sign on the letter's summary (``sign:L:V``: the bot
answers the query, checks the press and sends the listing screen) and then Confirm on that
screen (``sgc:L:V:1``: the bot answers, records the signature in one transaction and edits
the screen into the receipt). The listing choice (``sgl``) is skipped: the server re-checks
everything from the data, and the issue counts two presses per contact. The summaries are
real bot messages with real buttons; Sign is pressed on them, Confirm is pressed the moment
the listing screen arrives (a user who knows what to choose).

The baseline is a bare python-telegram-bot Application on its own fresh fake server (same
users, same summaries, same payloads): a ``CallbackQueryHandler`` that answers the query and
then sends the listing screen (Sign) or edits the message into the receipt (Confirm), with
the very texts and keyboards ours sends, prepared once at start-up: no checks, no database,
no gate. It uses the same ``ChatPacedRateLimiter`` and ``PerChatUpdateProcessor`` as the real
bot (``bot.throughput``), so both face the same pacing and the same concurrency and the ratio
measures our logic and database (gate, identity lookup, re-checks, the signature's
transaction with ``synchronous=FULL``), not pacing. Both bots run in this process, one at a
time, with the fake server in the same event loop: the fake's own work per request (HTTP,
HTML parsing) is in both rates, which pulls the ratio towards 1 — read it as "our cost on
top of what any bot pays here", not as a CPU profile.

Phases (each bot alone; the other is not running its measurement):

1. Handler throughput, burst. All contacts press Sign at once (queued in one go); Confirm
   follows each listing screen. Updates handled per second = 2 × contacts / (first press →
   the last receipt edit the bot makes). Telegram's 30 messages/s would make this phase
   70 s of waiting for send slots per bot (every Sign sends a new message), the same for
   both bots, so here the fake's limits are off (``Limits.enabled = False``) and both bots'
   limiters get an overall rate of 10,000/s: the ratio shows the cost of logic and database.
   Goal: ours / bare ≥ 0.7.
2. The same burst with Telegram's limits on (default limiter, strict fake), on a smaller
   group of contacts (``--limited-contacts``): both bots are bound by the 30 new messages
   a second (one per Sign), so both rates sit near 2 × 28 updates/s and the ratio near 1.
   Kept small on purpose: a bigger burst makes answers wait behind send slots (see the
   press→answer line it prints) and beyond Telegram's 15 s a query can no longer be answered.
3. Steady 50 presses/s with Telegram's limits on (the realistic case): presses are injected
   on a fixed 20 ms schedule, alternating a new contact's Sign and the Confirm of the contact
   who pressed Sign 25 presses (½ s) earlier, so 25 new messages a second stay under the
   limiter's 28. Latency = from the fake queuing the callback update (the press) to the
   fake receiving ``answerCallbackQuery`` for that query id (``server.requests``; both
   ``time.monotonic``). Goal: p99 ≤ 50 ms. The bare bot gets a shorter run for reference.

Set-up (not measured): a temporary database with one organisation and one active contact
per user, inserted through the repositories in one transaction; two letters created and
circulated with the services (``create_letter``, ``circulate``), circulation queueing
nothing — each contact's real summary (``LetterComposer(settings).summary``) is posted to the
fake directly, unpaced, instead of through the outbox at 28/s (6,000 messages would take
minutes). Letter 1 is for the burst, letter 2 for the limited burst and the steady run.

Checks at the end: every contact's signature recorded once (one ``signed`` response per
organisation and letter), every press answered exactly once and successfully, no 429 and
no other rejection from the fake, no handler error in either bot.

Run: ``.venv/bin/python bench/signoff.py [--contacts 2000] [--steady-contacts 1000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import keyboards, texts  # noqa: E402
from bot.app import build_application, services_of, start_in_process, stop_in_process  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.context import BotApplication  # noqa: E402
from bot.db import contacts as contacts_repo  # noqa: E402
from bot.db import letters as letters_repo  # noqa: E402
from bot.db import organisations as organisations_repo  # noqa: E402
from bot.db.timefmt import to_db  # noqa: E402
from bot.fake_telegram import FakeTelegramServer, FakeUser  # noqa: E402
from bot.fake_telegram.models import FakeMessage  # noqa: E402
from bot.messages import LetterComposer  # noqa: E402
from bot.services import letters as letters_service  # noqa: E402
from bot.services.deadlines import format_deadline  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.throughput import OVERALL_RATE, ChatPacedRateLimiter, PerChatUpdateProcessor  # noqa: E402

TOKEN = "123456789:AAF" + "s1gn0" * 7
BARE_TOKEN = "987654321:AAF" + "b4r3b" * 7
COORDINATOR_ID = 1001
FIRST_USER = 100_000
START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
FAST_RATE = 10_000.0  # the limiters' overall rate while the fake's limits are off
STEADY_RATE = 50.0  # presses a second
CONFIRM_LAG = 12  # contacts: a Confirm comes 2 × 12 presses (about ½ s) after its Sign
LETTER_BODY = "\n\n".join(
    f"{n}. We, the undersigned organisations, call on the members of the Human Rights Council "
    "to renew the mandate of the Special Rapporteur and to keep the situation under review."
    for n in range(1, 9)
)
LIMITS_OFF_GOAL = 0.7
P99_GOAL_MS = 50.0


# --- set-up -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterIds:
    letter_id: int
    version_id: int

    @property
    def sign(self) -> str:
        return f"sign:{self.letter_id}:{self.version_id}"

    @property
    def listing(self) -> str:  # the first choice on the listing screen identifies that screen
        return f"sgl:{self.letter_id}:{self.version_id}:1"

    @property
    def confirm(self) -> str:
        return f"sgc:{self.letter_id}:{self.version_id}:1"

    @property
    def receipt(self) -> str:  # the receipt's Withdraw button identifies a receipt
        return f"wd:{self.letter_id}"


@dataclass
class Target:
    """One bot under test: its fake server, its users, and their summaries per letter."""

    name: str
    tg: FakeTelegramServer
    limiter: ChatPacedRateLimiter
    users: list[FakeUser]
    letters: list[LetterIds]
    summaries: list[list[FakeMessage]] = field(default_factory=list)  # [letter][contact]
    errors: list[BaseException] = field(default_factory=list)
    phase: Phase | None = None

    def listen(self, event: str, message: FakeMessage) -> None:
        if self.phase is not None:
            self.phase.on_message(event, message)


def settings_for(tg: FakeTelegramServer, folder: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TOKEN,
        telegram_api_url=tg.base_url,
        telegram_file_url=tg.base_file_url,
        database_path=Path(folder) / "signoff.db",
        coordinator_ids=frozenset({COORDINATOR_ID}),
        log_level="WARNING",
    )


async def populate(app: BotApplication, tg: FakeTelegramServer, contacts: int) -> None:
    """One organisation with one active (bound) member per contact, in one transaction."""
    services = services_of(app)
    stamp = to_db(services.clock.now())
    async with services.database.transaction() as tx:
        for n in range(contacts):
            org_id = await organisations_repo.insert(
                tx, name=f"Organisation {n}", name_key=f"organisation {n}", now=stamp
            )
            contact_id = await contacts_repo.insert_invited_member(
                tx, organisation_id=org_id, label=None, now=stamp
            )
            await contacts_repo.bind(
                tx, contact_id, telegram_user_id=FIRST_USER + n, display_name=f"Contact {n}",
                language="en", now=stamp,
            )  # fmt: skip
            tg.add_user(FIRST_USER + n, f"Contact {n}").started = True


async def circulate_letter(
    app: BotApplication, title: str
) -> tuple[LetterIds, list[dict[str, Any]]]:
    """Creates and opens a letter for every organisation; returns each contact's summary
    (the real one, as sendMessage parameters) without queueing anything in the outbox."""
    services = services_of(app)
    db, now = services.database, services.clock.now()
    actor = f"coordinator:{COORDINATOR_ID}"
    letter, version = await letters_service.create_letter(
        db, title=title, deadline=now + timedelta(days=18), zone_name=services.settings.timezone,
        body=LETTER_BODY, source=letters_service.DraftSource(), language="en",
        created_by=COORDINATOR_ID, actor=actor, now=now,
    )  # fmt: skip
    opened = await letters_service.circulate(
        db, letter.id, None, requested_by=None, actor=actor, now=now, compose=lambda *_: ()
    )
    composer = LetterComposer(services.settings)
    summaries = []
    for recipient in await letters_repo.recipients(db, letter.id):
        planned = composer.summary(opened.letter, version, recipient, now)
        summaries.append({"chat_id": recipient.telegram_user_id, **planned.message.params})
    return LetterIds(letter.id, version.id), summaries


async def post_directly(
    tg: FakeTelegramServer, token: str, payloads: list[dict[str, Any]]
) -> list[FakeMessage]:
    """Posts sendMessage payloads to the fake as fast as it takes them (limits are off)."""
    gate = asyncio.Semaphore(32)

    async def post(client: httpx.AsyncClient, payload: dict[str, Any]) -> FakeMessage:
        async with gate:
            response = await client.post(f"{tg.base_url}{token}/sendMessage", json=payload)
        answer = response.json()
        if not answer.get("ok"):
            raise RuntimeError(f"set-up send failed: {answer}")
        message = tg.user(payload["chat_id"]).find(answer["result"]["message_id"])
        assert message is not None
        return message

    async with httpx.AsyncClient(timeout=30) as client:
        return list(await asyncio.gather(*(post(client, p) for p in payloads)))


def set_overall_rate(limiter: ChatPacedRateLimiter, rate: float) -> None:
    # The limiter takes its rate only in __init__ and build_application makes its own: the
    # bench changes the interval between phases, for both bots alike.
    limiter._interval = 1.0 / rate
    limiter._next_slot = 0.0


# --- the bare bot -----------------------------------------------------------------------------


def bare_application(
    tg: FakeTelegramServer, ours: Settings, letters: list[LetterIds]
) -> Application:
    """PTB with the same limiter and update processor as ours; answers and sends or edits.

    Texts and keyboards are ours (one organisation's), prepared here once; the handler
    only looks up what to send by the button's data.
    """
    listing_text = texts.render(
        texts.SIGN_CHOOSE_LISTING, "en", title="Letter for the burst", version="v1 · 0000000000",
        organisation="Organisation 1000",
    )  # fmt: skip
    receipt_text = texts.render(
        texts.SIGN_RECEIPT, "en", organisation="Organisation 1000", title="Letter for the burst",
        version="v1 · 0000000000", listing=texts.render(texts.LISTING_NAMED, "en"),
        when=format_deadline(START, ours.zone, "en"),
    )  # fmt: skip
    screens = {}
    for ids in letters:
        screens[ids.sign] = (listing_text, keyboards.sign_listing(ids.letter_id, ids.version_id, "en"))
        screens[ids.confirm] = (receipt_text, keyboards.receipt(ids.letter_id, "en"))

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        await query.answer()
        text, markup = screens[query.data]
        if query.data.startswith("sign:"):
            assert update.effective_chat is not None
            await context.bot.send_message(
                update.effective_chat.id, text, parse_mode=ParseMode.HTML,
                disable_web_page_preview=True, reply_markup=markup,
            )  # fmt: skip
        else:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)

    app = (
        Application.builder()
        .token(BARE_TOKEN)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .rate_limiter(ChatPacedRateLimiter())
        .concurrent_updates(PerChatUpdateProcessor())
        .build()
    )
    app.add_handler(CallbackQueryHandler(pressed))
    return app


# --- phases -----------------------------------------------------------------------------------


@dataclass
class Phase:
    """Presses of one phase, and what the bot did about them."""

    target: Target
    ids: LetterIds
    expected: int  # receipts that end the phase
    confirm_at_once: bool  # press Confirm as soon as the listing screen arrives
    pressed: dict[str, float] = field(default_factory=dict)  # query id -> queued at
    kinds: dict[str, str] = field(default_factory=dict)  # query id -> sign / confirm
    screens: dict[int, FakeMessage] = field(default_factory=dict)  # user -> listing screen
    receipts: int = 0
    last_receipt: float = 0.0
    late_screens: int = 0
    first_request: int = 0  # index into the server's request log
    done: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def on_message(self, event: str, message: FakeMessage) -> None:
        buttons = {data for row in message.buttons for _, data in row}
        if event == "sent" and self.ids.listing in buttons:
            self.screens[message.chat_id] = message
            if self.confirm_at_once:
                task = asyncio.get_running_loop().create_task(self.confirm(message.chat_id))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
        elif event == "edited" and self.ids.receipt in buttons:
            self.receipts += 1
            self.last_receipt = time.monotonic()
            if self.receipts >= self.expected:
                self.done.set()

    async def sign(self, n: int, summary: FakeMessage) -> None:
        query_id = await self.target.users[n].press(summary, self.ids.sign)
        self.pressed[query_id], self.kinds[query_id] = time.monotonic(), "sign"

    async def confirm(self, user_id: int, fallback: FakeMessage | None = None) -> None:
        screen = self.screens.get(user_id)
        if screen is None:
            self.late_screens += 1
            screen = fallback
        query_id = await self.target.tg.user(user_id).forge_callback(self.ids.confirm, screen)
        self.pressed[query_id], self.kinds[query_id] = time.monotonic(), "confirm"

    async def finish(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self.done.wait(), timeout)
        except TimeoutError:
            print(
                f"{self.target.name}: timed out with {self.receipts} of {self.expected} receipts",
                file=sys.stderr,
            )
        with contextlib.suppress(TimeoutError):
            await self.target.tg.wait_until_idle(quiet=0.2, timeout=30)
        self.target.phase = None

    def answers(self) -> dict[str, float]:
        """Query id -> when the fake received its (successful) answerCallbackQuery."""
        found: dict[str, float] = {}
        for record in self.target.tg.requests[self.first_request :]:
            if record.method == "answerCallbackQuery" and record.ok:
                query_id = str(record.params.get("callback_query_id"))
                if query_id in self.pressed and query_id not in found:
                    found[query_id] = record.time
        return found

    def latencies_ms(self, kind: str | None = None) -> list[float]:
        answered = self.answers()
        return sorted(
            (answered[q] - at) * 1000
            for q, at in self.pressed.items()
            if q in answered and (kind is None or self.kinds[q] == kind)
        )

    @property
    def rate(self) -> float:
        """Updates handled per second: presses / (first press → last receipt edit)."""
        wall = self.last_receipt - min(self.pressed.values())
        return len(self.pressed) / wall if wall > 0 else math.inf

    def problems(self) -> list[str]:
        found = []
        unanswered = len(self.pressed) - len(self.answers())
        if unanswered:
            found.append(f"{unanswered} presses not answered")
        if self.receipts != self.expected:
            found.append(f"{self.receipts} of {self.expected} receipts")
        if self.late_screens:
            found.append(f"{self.late_screens} Confirm presses before their listing screen")
        return found


def start_phase(
    target: Target, letter: int, expected: int, *, confirm_at_once: bool
) -> Phase:
    phase = Phase(target, target.letters[letter], expected, confirm_at_once)
    phase.first_request = len(target.tg.requests)
    target.phase = phase
    return phase


async def burst(target: Target, letter: int, contacts: range, timeout: float) -> Phase:
    """Every contact presses Sign at once; each presses Confirm when the screen arrives."""
    phase = start_phase(target, letter, len(contacts), confirm_at_once=True)
    for n in contacts:  # no await yields here: all of them are queued before the bot fetches
        await phase.sign(n, target.summaries[letter][n])
    await phase.finish(timeout)
    return phase


async def steady(target: Target, letter: int, contacts: range) -> Phase:
    """Sign of a new contact and Confirm of the contact CONFIRM_LAG presses back, alternating,
    one press every 1/STEADY_RATE s on a fixed schedule."""
    phase = start_phase(target, letter, len(contacts), confirm_at_once=False)
    order = list(contacts)
    lag = CONFIRM_LAG
    plan: list[tuple[str, int]] = []
    for i in range(len(order) + lag):
        if i < len(order):
            plan.append(("sign", order[i]))
        if i >= lag:
            plan.append(("confirm", order[i - lag]))
    summaries = target.summaries[letter]
    begin = time.monotonic() + 0.05
    for k, (kind, n) in enumerate(plan):
        delay = begin + k / STEADY_RATE - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if kind == "sign":
            await phase.sign(n, summaries[n])
        else:
            await phase.confirm(target.users[n].id, fallback=summaries[n])
    await phase.finish(timeout=30)
    return phase


# --- reporting --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(values)))
    return values[rank - 1]


def latency_text(phase: Phase, kind: str | None = None) -> str:
    values = phase.latencies_ms(kind)
    return (
        f"p50 {percentile(values, 50):.1f} ms, p99 {percentile(values, 99):.1f} ms, "
        f"max {values[-1] if values else math.nan:.1f} ms"
    )


def achieved_rate(phase: Phase) -> float:
    times = sorted(phase.pressed.values())
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else math.nan


# --- the run ----------------------------------------------------------------------------------


async def run_target_phases(
    target: Target,
    args: argparse.Namespace,
    fast_contacts: range,
    limited_contacts: range,
    steady_contacts: range,
) -> dict[str, Phase]:
    phases: dict[str, Phase] = {}
    target.tg.limits.enabled = False
    set_overall_rate(target.limiter, FAST_RATE)
    phases["fast"] = await burst(target, 0, fast_contacts, timeout=120)
    target.tg.limits.enabled = True
    set_overall_rate(target.limiter, OVERALL_RATE)
    await asyncio.sleep(3.5)  # chat buckets refill, the fake's sliding second empties
    phases["limited"] = await burst(target, 1, limited_contacts, timeout=120)
    await asyncio.sleep(3.5)
    phases["steady"] = await steady(target, 1, steady_contacts)
    return phases


async def run(args: argparse.Namespace) -> int:
    contacts = args.contacts
    limited = min(args.limited_contacts, contacts)
    steady_count = min(args.steady_contacts, contacts - limited)
    bare_steady_count = min(args.bare_steady_contacts, steady_count)
    fast_contacts = range(contacts)
    limited_contacts = range(contacts - limited, contacts)
    steady_contacts = range(steady_count)
    clock = FakeClock(START)
    tg = FakeTelegramServer(TOKEN, bot_username="coalition_bench_bot", clock=clock.timestamp)
    bare_tg = FakeTelegramServer(BARE_TOKEN, bot_username="bare_bench_bot", clock=clock.timestamp)
    await tg.start()
    await bare_tg.start()
    tg.add_user(COORDINATOR_ID, "Coordinator").started = True
    with tempfile.TemporaryDirectory() as folder:
        settings = settings_for(tg, folder)
        app = build_application(settings, clock=clock)
        ours_errors: list[BaseException] = []

        async def record(update: object, context: Any) -> None:
            ours_errors.append(context.error)

        app.add_error_handler(record)
        started = time.monotonic()
        await start_in_process(app, poll_timeout=1)
        try:
            # --- set-up, not measured
            tg.limits.enabled = bare_tg.limits.enabled = False
            await populate(app, tg, contacts)
            letters: list[LetterIds] = []
            payloads: list[list[dict[str, Any]]] = []
            for title in ("Letter for the burst", "Letter for the steady run"):
                ids, summaries = await circulate_letter(app, title)
                letters.append(ids)
                payloads.append(summaries)
            limiter = app.bot.rate_limiter
            assert isinstance(limiter, ChatPacedRateLimiter)
            ours = Target("ours", tg, limiter, [tg.user(FIRST_USER + n) for n in fast_contacts],
                          letters, errors=ours_errors)  # fmt: skip
            for user in ours.users:
                bare_tg.add_user(user.id, user.first_name).started = True
            bare_app = bare_application(bare_tg, settings, letters)
            bare_limiter = bare_app.bot.rate_limiter
            assert isinstance(bare_limiter, ChatPacedRateLimiter)
            bare = Target("bare", bare_tg, bare_limiter,
                          [bare_tg.user(u.id) for u in ours.users], letters)  # fmt: skip
            for target, token in ((ours, TOKEN), (bare, BARE_TOKEN)):
                target.tg.add_listener(target.listen)
                for letter_payloads in payloads:
                    target.summaries.append(await post_directly(target.tg, token, letter_payloads))
            print(
                f"set-up: {contacts} organisations and contacts, 2 letters, "
                f"{2 * len(payloads[0])} summaries on each fake, "
                f"{time.monotonic() - started:.1f} s",
                flush=True,
            )

            # --- the bare bot first (ours waits on an idle long poll meanwhile)
            async def record_bare(update: object, context: Any) -> None:
                bare.errors.append(context.error)

            bare_app.add_error_handler(record_bare)
            async with bare_app:
                await bare_app.start()
                assert bare_app.updater is not None
                await bare_app.updater.start_polling(poll_interval=0.0, timeout=1)
                try:
                    bare_phases = await run_target_phases(
                        bare, args, fast_contacts, limited_contacts, range(bare_steady_count)
                    )
                finally:
                    await bare_app.updater.stop()
                    await bare_app.stop()
            print(f"bare bot done at {time.monotonic() - started:.1f} s", flush=True)

            ours_phases = await run_target_phases(
                ours, args, fast_contacts, limited_contacts, steady_contacts
            )
            db = services_of(app).database
            signed = await db.fetch_all(
                "SELECT letter_id, count(*) AS n, count(DISTINCT organisation_id) AS orgs "
                "FROM responses WHERE decision = 'signed' GROUP BY letter_id ORDER BY letter_id"
            )
            other = await db.fetch_value("SELECT count(*) FROM responses WHERE decision != 'signed'")
        finally:
            await stop_in_process(app)
            await tg.stop()
            await bare_tg.stop()
    total = time.monotonic() - started
    return report(
        ours_phases, bare_phases, ours, bare, signed, other, contacts, limited, steady_count,
        total,
    )  # fmt: skip


def report(
    ours_phases: dict[str, Phase],
    bare_phases: dict[str, Phase],
    ours: Target,
    bare: Target,
    signed: list[dict[str, Any]],
    other: int,
    contacts: int,
    limited: int,
    steady_count: int,
    total: float,
) -> int:
    problems: list[str] = []
    for target, phases in ((ours, ours_phases), (bare, bare_phases)):
        for name, phase in phases.items():
            problems += [f"{target.name} {name}: {p}" for p in phase.problems()]
        too_many = sum(1 for r in target.tg.rejections if r.error_code == 429)
        if too_many:
            problems.append(f"{target.name}: {too_many} × 429 from the fake")
        rejected = [r for r in target.tg.rejections if r.error_code != 429]
        if rejected:
            first = rejected[0]
            problems.append(
                f"{target.name}: {len(rejected)} other rejections, e.g. {first.method} "
                f"{first.error_code} {first.description}"
            )
        if target.errors:
            problems.append(
                f"{target.name}: {len(target.errors)} handler errors, e.g. {target.errors[0]!r}"
            )
    expected = {1: contacts, 2: limited + steady_count}
    got = {row["letter_id"]: (row["n"], row["orgs"]) for row in signed}
    for letter_id, count in expected.items():
        if got.get(letter_id) != (count, count):
            problems.append(f"letter {letter_id}: signed (rows, organisations) {got.get(letter_id)}"
                            f", expected ({count}, {count})")  # fmt: skip
    if other:
        problems.append(f"{other} responses other than 'signed'")

    fast, bare_fast = ours_phases["fast"], bare_phases["fast"]
    lim, bare_lim = ours_phases["limited"], bare_phases["limited"]
    st, bare_st = ours_phases["steady"], bare_phases["steady"]
    ratio = fast.rate / bare_fast.rate
    p99 = percentile(st.latencies_ms(), 99)
    print()
    too_many = sum(1 for r in ours.tg.rejections + bare.tg.rejections if r.error_code == 429)
    print(f"signed: {got.get(1, (0, 0))[0]} + {got.get(2, (0, 0))[0]} responses, one per "
          f"organisation and letter; 429s: {too_many}; "
          f"handler errors: {len(ours.errors) + len(bare.errors)}")  # fmt: skip
    print(f"burst, limits off: {contacts} contacts × 2 presses; press→answer ours "
          f"{latency_text(fast)}; bare {latency_text(bare_fast)}")  # fmt: skip
    print(f"burst, Telegram's limits on ({limited} contacts): ours {lim.rate:.1f} vs bare "
          f"{bare_lim.rate:.1f} updates/s = ratio {lim.rate / bare_lim.rate:.2f} — bound by "
          f"30 new messages/s (one per Sign); press→answer ours {latency_text(lim)}")  # fmt: skip
    print(f"steady: {len(st.pressed)} presses at {achieved_rate(st):.1f}/s; sign "
          f"{latency_text(st, 'sign')}; confirm {latency_text(st, 'confirm')}; bare "
          f"({len(bare_st.pressed)} presses) {latency_text(bare_st)}")  # fmt: skip
    print(f"total run time {total:.0f} s")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print(
        f"signoff: ours {fast.rate:.1f} updates/s vs bare {bare_fast.rate:.1f} updates/s "
        f"= ratio {ratio:.2f} (goal ≥ {LIMITS_OFF_GOAL}; {2 * contacts} updates, fake's limits "
        "off, limiters at 10,000/s)"
    )
    print(
        f"signoff at {achieved_rate(st):.0f} presses/s: p50 {percentile(st.latencies_ms(), 50):.1f}"
        f" ms, p99 {p99:.1f} ms press→answer (goal p99 ≤ {P99_GOAL_MS:.0f} ms; Telegram's "
        "limits on)"
    )
    ok = ratio >= LIMITS_OFF_GOAL and p99 <= P99_GOAL_MS and not problems
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=2000, help="contacts in the burst")
    parser.add_argument("--limited-contacts", type=int, default=200,
                        help="contacts in the burst with Telegram's limits on")  # fmt: skip
    parser.add_argument("--steady-contacts", type=int, default=1000,
                        help="contacts in the steady run (2 presses each)")  # fmt: skip
    parser.add_argument("--bare-steady-contacts", type=int, default=250,
                        help="contacts in the bare bot's steady run")  # fmt: skip
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
