"""Benchmark: 2,000 contacts press Sign and Confirm, against the strict fake; ours vs a bare bot.

What is measured
----------------
Every contact presses two buttons: ✍️ Sign on the letter's summary (``sign:L:V``: the bot
answers the query, re-checks the press and sends the listing screen), then Confirm on that
screen (``sgc:L:V:1``: the bot answers, records the signature in one transaction and edits
the screen into the receipt). The listing choice (``sgl``) is skipped: the server re-checks
everything from the data, and the issue counts two presses per contact. Summaries are real
bot messages with real buttons (Sign is pressed on them); Confirm is pressed on the listing
screen the bot sent, with ``forge_callback`` (the data a client would send).

The baseline is a bare python-telegram-bot Application on its own fresh fake server (same
users, same summaries): a ``CallbackQueryHandler`` that answers the query and then sends the
listing screen (Sign) or edits the message into the receipt (Confirm), with the very texts
and keyboards ours sends, prepared once at start-up — no checks, no database, no gate, no
jobs. It uses the same ``ChatPacedRateLimiter`` and ``PerChatUpdateProcessor`` as the real
bot (``bot.throughput``), so both face the same pacing and the same concurrency (64 updates
at a time, one at a time per chat): the ratio measures our logic and database (the gate and
its identity lookup, the re-checks, the signature's transaction), not pacing.

Both bots run in this process, one after the other, with their fake server in the same event
loop: the fake's work per request (HTTP, HTML parsing) and the HTTP client's are in both
rates, which pulls the ratio towards 1. Read it as "what our logic costs on top of what any
PTB bot pays here", not as a CPU profile; the CPU time per update (process time, every
thread) is printed too, as a cross-check that other load on the machine moves less. Each
phase starts with ``gc.freeze()``: the fakes keep every request, update and message, and a
full collection over them (100-300 ms here) would otherwise land in the bots' latencies.
Run to run, the burst rates move by about ±10 % on this two-core machine; compare several
runs before reading much into a second decimal of the ratio.

Phases, for each bot (the bare bot first; ours idles on its long poll meanwhile):

1. Burst, fake's limits off — the ratio. All contacts press Sign at once (queued before the
   bot fetches anything); each presses Confirm the moment its listing screen arrives.
   Updates handled per second = presses / (first press → the bot's last receipt edit).
   With Telegram's limits this would be 2,000 new messages at under 30/s — over 70 s of
   waiting for send slots per bot, the same for both — so here the fake's limits are off
   (``Limits.enabled = False``, and the 15 s expiry of a press lifted: it would otherwise
   fail presses that wait in the queue) and both limiters' overall rate is raised to
   10,000/s. The press→answer times of this phase are printed with
   how many presses waited longer than Telegram's 15 s: with everyone pressing at once,
   that is the queue, not the handler.
2. Burst with Telegram's limits on (strict fake, 15 s expiry, limiters at their 28/s), on a
   smaller group (``--limited-contacts``, 200): both bots are bound by Telegram's 30 new
   messages a second (one per Sign), so both sit near 2 × 28 updates/s and the ratio near 1.
   Kept small on purpose: presses wait for the 64 update slots, which handlers hold while
   they wait for a send slot, so beyond about 64 + 28 × 15 Sign presses at once answers
   come after 15 s and fail.
3. Steady 50 presses/s with Telegram's limits on (the realistic case), the same presses for
   both bots (``--steady-contacts``, 300: 600 presses each). Presses go out on a fixed 20 ms
   schedule, alternating a new contact's Sign and the Confirm of the contact who pressed
   Sign 50 presses (1 s) earlier, on the listing screen the bot sent: 25 new messages a
   second, under the limiter's 28. Latency = from the fake queuing the press (the update
   with the callback query; taken when ``press`` or ``forge_callback`` returns) to the fake
   receiving ``answerCallbackQuery`` for that query id (``server.requests``; both
   ``time.monotonic``). Since our gate answers a press before any database work, what the
   member waits for is printed too: press → listing screen sent (Sign) and press → receipt
   edited (Confirm), from the fake's message events.

Goals, as ratios ours / bare (an absolute millisecond goal does not hold from machine to
machine): p99 press→answer in the steady run ≤ 1.5; CPU per update in the burst ≤ 1.2 (the
steady run's CPU per update is printed too: at a fixed 50 presses/s its wall time is the
same for both); no 429 from the strict fake; saturation (the burst's rate) ≥ 0.7.
``--profile FOLDER`` saves a cProfile of each bot's burst and steady run (compare a profile
only with a profile).

Set-up (not measured): a temporary database (on disk: the signature's commit is fsynced
like in production); 2,000 organisations with one active member each, inserted through the
repositories in one transaction; two letters created and circulated with the services
(``create_letter``, ``circulate``) with a composer that queues nothing: each contact's real
summary (``LetterComposer(settings).summary``) is posted to the fake directly, unpaced,
instead of through the outbox at 28/s (6,000 messages would take minutes), and only to the
contacts who press on it. Letter 1 is for the burst; letter 2 for the limited burst and the
steady run.

Checks at the end: one ``signed`` response per organisation and letter for every contact
that pressed, every press answered once and successfully, every receipt edited, no 429 and
no other rejection from the fake, no handler error in either bot (each has an error handler
that records them). The exit status is 0 only if the checks pass and both goals are met.

Run: ``.venv/bin/python bench/signoff.py [--contacts 2000] [--steady-contacts 300]``
(about 2 minutes on two cores).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import logging
import math
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
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
from bot.app import build_application, start_in_process, stop_in_process  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.context import BotApplication, services_of  # noqa: E402
from bot.db import letters as letters_repo  # noqa: E402
from bot.demo.factories import bind_members  # noqa: E402
from bot.fake_telegram import FakeTelegramServer, FakeUser  # noqa: E402
from bot.fake_telegram.models import FakeMessage, Limits  # noqa: E402
from bot.outgoing.letters import LetterComposer  # noqa: E402
from bot.services import letters as letters_service  # noqa: E402
from bot.services.deadlines import format_deadline  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.throughput import OVERALL_RATE, ChatPacedRateLimiter, PerChatUpdateProcessor  # noqa: E402

TOKEN = "123456789:AAF" + "s1gn0" * 7
BARE_TOKEN = "987654321:AAF" + "b4r3b" * 7
COORDINATOR_ID = 1001
FIRST_USER = 100_000
START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
FAST_RATE = 10_000.0  # both limiters' overall rate while the fake's limits are off
STEADY_RATE = 50.0  # presses a second
CONFIRM_LAG = 25  # contacts: a Confirm comes 2 × 25 presses (1 s) after its Sign
QUERY_TIMEOUT = Limits().callback_query_timeout  # Telegram's 15 s to answer a press
RATIO_GOAL = 0.7  # saturation, ours / bare: at least
P99_RATIO_GOAL = 1.5  # steady p99 press→answer, ours / bare: at most
CPU_RATIO_GOAL = 1.2  # CPU per update, ours / bare: at most
LETTER_BODY = "\n\n".join(
    f"{n}. We, the undersigned organisations, call on the members of the Human Rights Council "
    "to renew the mandate of the Special Rapporteur and to keep the situation under review."
    for n in range(1, 9)
)


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
    users: list[FakeUser]  # index n: contact n
    letters: list[LetterIds]
    summaries: list[dict[int, FakeMessage]] = field(default_factory=list)  # [letter][contact]
    errors: list[BaseException] = field(default_factory=list)
    phase: Phase | None = None

    def listen(self, event: str, message: FakeMessage) -> None:
        if self.phase is not None:
            self.phase.on_message(event, message)

    async def record_error(self, update: object, context: Any) -> None:
        self.errors.append(context.error)


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
    await bind_members(
        services.database, contacts, now=services.clock.now(), first_user_id=FIRST_USER, tg=tg
    )


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
        db,
        letter.id,
        None,
        requested_by=None,
        actor=actor,
        now=now,
        compose=lambda *_: (),
        default_offsets=(),
    )
    composer = LetterComposer(services.settings)
    summaries = []
    for recipient in await letters_repo.recipients(db, letter.id):  # contact n is at index n
        planned = composer.summary(opened.letter, version, recipient, now)
        summaries.append({"chat_id": recipient.telegram_user_id, **planned.message.params})
    return LetterIds(letter.id, version.id), summaries


async def post_directly(
    tg: FakeTelegramServer, token: str, payloads: dict[int, dict[str, Any]]
) -> dict[int, FakeMessage]:
    """Posts sendMessage payloads straight to the fake (its limits are off meanwhile)."""
    gate = asyncio.Semaphore(8)

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
        posted = await asyncio.gather(*(post(client, p) for p in payloads.values()))
    return dict(zip(payloads, posted, strict=True))


def set_overall_rate(limiter: ChatPacedRateLimiter, rate: float) -> None:
    # The limiter takes its rate in __init__ only, and build_application makes ours: the bench
    # changes the interval between phases, for both bots alike.
    limiter._interval = 1.0 / rate
    limiter._next_slot = 0.0


# --- the bare bot -----------------------------------------------------------------------------


def bare_application(
    tg: FakeTelegramServer, ours: Settings, letters: list[LetterIds]
) -> Application:
    """PTB with the same limiter and update processor as ours: answers, then sends or edits.

    The texts and keyboards are ours (for one organisation), prepared here once; the handler
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
        listing = keyboards.sign_listing(ids.letter_id, ids.version_id, "en")
        screens[ids.sign] = (listing_text, listing)
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
    """The presses of one phase, and what the bot did about them."""

    target: Target
    ids: LetterIds
    expected: int  # receipts that end the phase
    confirm_at_once: bool  # press Confirm as soon as the listing screen arrives
    pressed: dict[str, float] = field(default_factory=dict)  # query id -> queued at
    kinds: dict[str, str] = field(default_factory=dict)  # query id -> sign / confirm
    screens: dict[int, FakeMessage] = field(default_factory=dict)  # chat -> listing screen
    receipts: int = 0
    last_receipt: float = 0.0
    late_screens: int = 0
    first_request: int = 0  # index into the server's request log
    cpu: float = 0.0  # process CPU seconds (every thread) from the first press to the end
    done: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    # What the member sees: press → listing screen sent (Sign), press → receipt (Confirm).
    pressed_in: dict[tuple[str, int], float] = field(default_factory=dict)  # (kind, chat)
    results_ms: dict[str, list[float]] = field(default_factory=lambda: {"sign": [], "confirm": []})

    def _result(self, kind: str, chat_id: int) -> None:
        pressed = self.pressed_in.get((kind, chat_id))
        if pressed is not None:
            self.results_ms[kind].append((time.monotonic() - pressed) * 1000)

    def on_message(self, event: str, message: FakeMessage) -> None:
        buttons = {data for row in message.buttons for _, data in row}
        if event == "sent" and self.ids.listing in buttons:
            self.screens[message.chat_id] = message
            self._result("sign", message.chat_id)
            if self.confirm_at_once:
                task = asyncio.get_running_loop().create_task(self.confirm(message.chat_id))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
        elif event == "edited" and self.ids.receipt in buttons:
            self.receipts += 1
            self._result("confirm", message.chat_id)
            self.last_receipt = time.monotonic()
            if self.receipts >= self.expected:
                self.done.set()

    async def sign(self, n: int, summary: FakeMessage) -> None:
        user = self.target.users[n]
        query_id = await user.press(summary, self.ids.sign)
        self.pressed[query_id], self.kinds[query_id] = time.monotonic(), "sign"
        self.pressed_in["sign", user.id] = self.pressed[query_id]

    async def confirm(self, chat_id: int, fallback: FakeMessage | None = None) -> None:
        screen = self.screens.get(chat_id)
        if screen is None:  # the bot has not sent it yet: press on the summary instead
            self.late_screens += 1
            screen = fallback
        query_id = await self.target.tg.user(chat_id).forge_callback(self.ids.confirm, screen)
        self.pressed[query_id], self.kinds[query_id] = time.monotonic(), "confirm"
        self.pressed_in["confirm", chat_id] = self.pressed[query_id]

    async def finish(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self.done.wait(), timeout)
        except TimeoutError:
            print(
                f"{self.target.name}: timed out, {self.receipts} of {self.expected} receipts",
                file=sys.stderr,
            )
        self.cpu += time.process_time()
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
        return len(self.pressed) / wall if wall > 0 else math.nan

    @property
    def cpu_per_update_ms(self) -> float:
        return 1000 * self.cpu / len(self.pressed)

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


def start_phase(target: Target, letter: int, expected: int, *, confirm_at_once: bool) -> Phase:
    # Everything so far (set-up, the fakes' records of earlier phases) leaves the garbage
    # collector's view: a full collection over the fakes' records would stall the loop.
    gc.collect()
    gc.freeze()
    phase = Phase(target, target.letters[letter], expected, confirm_at_once)
    phase.first_request = len(target.tg.requests)
    phase.cpu = -time.process_time()
    target.phase = phase
    return phase


async def burst(target: Target, letter: int, contacts: range, timeout: float) -> Phase:
    """Every contact presses Sign at once; each presses Confirm when its screen arrives."""
    phase = start_phase(target, letter, len(contacts), confirm_at_once=True)
    for n in contacts:  # press() never yields: all are queued before the bot fetches any
        await phase.sign(n, target.summaries[letter][n])
    await phase.finish(timeout)
    return phase


async def steady(target: Target, letter: int, contacts: range) -> Phase:
    """A new contact's Sign and the Confirm of the contact CONFIRM_LAG back, alternating, one
    press every 1/STEADY_RATE s on a fixed schedule (a late tick does not shift the rest)."""
    phase = start_phase(target, letter, len(contacts), confirm_at_once=False)
    order = list(contacts)
    plan: list[tuple[str, int]] = []
    for i in range(len(order) + CONFIRM_LAG):
        if i < len(order):
            plan.append(("sign", order[i]))
        if i >= CONFIRM_LAG:
            plan.append(("confirm", order[i - CONFIRM_LAG]))
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


@contextlib.contextmanager
def profiled(folder: Path | None, name: str) -> Iterator[None]:
    """With ``--profile``: cProfile over the phase, saved as ``folder/name.prof`` (compare
    a profile only with a profile: the profiler slows some calls much more than others)."""
    if folder is None:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        folder.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(folder / f"{name}.prof")


async def run_phases(
    target: Target,
    fast: range,
    limited: range,
    steady_contacts: range,
    profile: Path | None = None,
) -> dict[str, Phase]:
    phases: dict[str, Phase] = {}
    limits = target.tg.limits
    limits.enabled, limits.callback_query_timeout = False, math.inf
    set_overall_rate(target.limiter, FAST_RATE)
    with profiled(profile, f"{target.name}-fast"):
        phases["fast"] = await burst(target, 0, fast, timeout=240)
    limits.enabled, limits.callback_query_timeout = True, QUERY_TIMEOUT
    set_overall_rate(target.limiter, OVERALL_RATE)
    await asyncio.sleep(2.5)  # the limiter's chat buckets refill after the burst
    phases["limited"] = await burst(target, 1, limited, timeout=120)
    await asyncio.sleep(1.0)
    with profiled(profile, f"{target.name}-steady"):
        phases["steady"] = await steady(target, 1, steady_contacts)
    return phases


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    ours: Target
    bare: Target
    ours_phases: dict[str, Phase]
    bare_phases: dict[str, Phase]
    signed: dict[int, tuple[int, int]]  # letter id -> (signed rows, distinct organisations)
    other_responses: int
    expected_signed: dict[int, int]  # letter id -> contacts who confirmed

    @property
    def signatures_ok(self) -> bool:
        expected = {letter: (count, count) for letter, count in self.expected_signed.items()}
        return self.signed == expected and self.other_responses == 0


async def run(args: argparse.Namespace) -> int:
    contacts = args.contacts
    limited_count = min(args.limited_contacts, contacts)
    steady_count = min(args.steady_contacts, contacts - limited_count)
    fast = range(contacts)
    limited = range(contacts - limited_count, contacts)  # apart from the steady contacts
    steady_contacts = range(steady_count)  # the same presses for both bots
    clock = FakeClock(START)
    tg = FakeTelegramServer(TOKEN, bot_username="coalition_bench_bot", clock=clock.timestamp)
    bare_tg = FakeTelegramServer(BARE_TOKEN, bot_username="bare_bench_bot", clock=clock.timestamp)
    await tg.start()
    await bare_tg.start()
    tg.add_user(COORDINATOR_ID, "Coordinator").started = True
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        settings = settings_for(tg, folder)
        app = build_application(settings, clock=clock)
        limiter = app.bot.rate_limiter
        assert isinstance(limiter, ChatPacedRateLimiter)
        ours = Target("ours", tg, limiter, [], [])
        app.add_error_handler(ours.record_error)
        await start_in_process(app, poll_timeout=1)
        try:
            # --- set-up, not measured
            tg.limits.enabled = bare_tg.limits.enabled = False
            await populate(app, tg, contacts)
            payloads = []
            for title in ("Letter for the burst", "Letter for the steady run"):
                ids, summaries = await circulate_letter(app, title)
                ours.letters.append(ids)
                payloads.append(summaries)
            ours.users = [tg.user(FIRST_USER + n) for n in fast]
            for user in ours.users:
                bare_tg.add_user(user.id, user.first_name).started = True
            bare_app = bare_application(bare_tg, settings, ours.letters)
            bare_limiter = bare_app.bot.rate_limiter
            assert isinstance(bare_limiter, ChatPacedRateLimiter)
            bare_users = [bare_tg.user(u.id) for u in ours.users]
            bare = Target("bare", bare_tg, bare_limiter, bare_users, ours.letters)
            bare_app.add_error_handler(bare.record_error)
            posted = 0
            for target, token in ((ours, TOKEN), (bare, BARE_TOKEN)):
                target.tg.add_listener(target.listen)
                # Summaries only where someone presses: letter 1 everyone, letter 2 the
                # contacts of the limited burst and of the steady run.
                for letter, pressing in enumerate((fast, sorted({*limited, *steady_contacts}))):
                    chosen = {n: payloads[letter][n] for n in pressing}
                    target.summaries.append(await post_directly(target.tg, token, chosen))
                    posted += len(chosen)
            print(
                f"set-up: {contacts} organisations with a contact each, 2 letters circulated, "
                f"{posted} summaries posted, {time.monotonic() - started:.0f} s",
                flush=True,
            )

            # --- the bare bot, then ours
            async with bare_app:
                await bare_app.start()
                assert bare_app.updater is not None
                await bare_app.updater.start_polling(poll_interval=0.0, timeout=1)
                try:
                    bare_phases = await run_phases(
                        bare, fast, limited, steady_contacts, args.profile
                    )
                finally:
                    await bare_app.updater.stop()
                    await bare_app.stop()
            print(f"bare bot measured at {time.monotonic() - started:.0f} s", flush=True)
            ours_phases = await run_phases(ours, fast, limited, steady_contacts, args.profile)

            db = services_of(app).database
            rows = await db.fetch_all(
                "SELECT letter_id, count(*) AS n, count(DISTINCT organisation_id) AS orgs "
                "FROM responses WHERE decision = 'signed' GROUP BY letter_id"
            )
            other = await db.fetch_value(
                "SELECT count(*) FROM responses WHERE decision != 'signed'"
            )
        finally:
            await stop_in_process(app)
            await tg.stop()
            await bare_tg.stop()
    outcome = Outcome(
        ours,
        bare,
        ours_phases,
        bare_phases,
        signed={row["letter_id"]: (row["n"], row["orgs"]) for row in rows},
        other_responses=other,
        expected_signed={
            ours.letters[0].letter_id: contacts,
            ours.letters[1].letter_id: limited_count + steady_count,
        },
    )
    print(f"total run time {time.monotonic() - started:.0f} s")
    return report(outcome)


# --- reporting --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return math.nan
    return values[max(1, math.ceil(q / 100 * len(values))) - 1]


def latency_text(
    phase: Phase, kind: str | None = None, unit: str = "ms", *, result: bool = False
) -> str:
    """p50 and p99 of press→answer, or with ``result`` of press→screen or receipt."""
    values = sorted(phase.results_ms[kind or "sign"]) if result else phase.latencies_ms(kind)
    scale = 1000 if unit == "s" else 1
    p50, p99 = percentile(values, 50) / scale, percentile(values, 99) / scale
    return f"p50 {p50:.1f} {unit}, p99 {p99:.1f} {unit}"


def achieved_rate(phase: Phase) -> float:
    times = sorted(phase.pressed.values())
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else math.nan


def phase_of(phases: dict[str, Phase], request_index: int) -> str:
    """The phase during which the fake received its ``request_index``-th request."""
    name = "set-up"
    for phase_name, phase in phases.items():
        if request_index >= phase.first_request:
            name = phase_name
    return name


def problems_of(outcome: Outcome) -> list[str]:
    found: list[str] = []
    for target, phases in (
        (outcome.ours, outcome.ours_phases),
        (outcome.bare, outcome.bare_phases),
    ):
        for name, phase in phases.items():
            found += [f"{target.name}, {name}: {problem}" for problem in phase.problems()]
        too_many = [(i, r) for i, r in enumerate(target.tg.requests) if r.error_code == 429]
        if too_many:
            where = Counter(f"{r.method} in {phase_of(phases, i)}" for i, r in too_many)
            found.append(
                f"{target.name}: {len(too_many)} × 429 from the fake "
                f"({', '.join(f'{n} × {k}' for k, n in where.items())})"
            )
        rejected = [r for r in target.tg.rejections if r.error_code != 429]
        if rejected:
            first = rejected[0]
            found.append(
                f"{target.name}: {len(rejected)} other rejections, "
                f"e.g. {first.method} {first.error_code} {first.description}"
            )
        if target.errors:
            found.append(
                f"{target.name}: {len(target.errors)} handler errors, e.g. {target.errors[0]!r}"
            )
    if not outcome.signatures_ok:
        found.append(
            f"signed responses (rows, organisations) per letter: {outcome.signed}, "
            f"expected {outcome.expected_signed} of each; "
            f"{outcome.other_responses} responses other than 'signed'"
        )
    return found


def report(outcome: Outcome) -> int:
    ours, bare = outcome.ours_phases, outcome.bare_phases
    fast, bare_fast = ours["fast"], bare["fast"]
    limited, bare_limited = ours["limited"], bare["limited"]
    steady_run, bare_steady = ours["steady"], bare["steady"]
    problems = problems_of(outcome)
    too_many = {  # the goal is ours'; the bare bot's are shown as a check on the limiter
        target.name: sum(1 for r in target.tg.requests if r.error_code == 429)
        for target in (outcome.ours, outcome.bare)
    }
    signed = sum(n for n, _ in outcome.signed.values())
    late = {
        name: sum(1 for ms in phase.latencies_ms() if ms > QUERY_TIMEOUT * 1000)
        for name, phase in (("ours", fast), ("bare", bare_fast))
    }
    saturation = fast.rate / bare_fast.rate
    cpu_ratio = fast.cpu_per_update_ms / bare_fast.cpu_per_update_ms
    steady_cpu_ratio = steady_run.cpu_per_update_ms / bare_steady.cpu_per_update_ms
    ours_ms, bare_ms = steady_run.latencies_ms(), bare_steady.latencies_ms()
    p50 = (percentile(ours_ms, 50), percentile(bare_ms, 50))
    p99 = (percentile(ours_ms, 99), percentile(bare_ms, 99))
    p50_ratio, p99_ratio = p50[0] / p50[1], p99[0] / p99[1]
    print()
    print(
        f"checks: {signed} signatures recorded (one per organisation and letter: "
        f"{'yes' if outcome.signatures_ok else 'NO'}), 429s: ours {too_many['ours']}, "
        f"bare {too_many['bare']}, "
        f"handler errors: {len(outcome.ours.errors) + len(outcome.bare.errors)}"
    )
    print(
        f"burst, limits off: press→answer ours {latency_text(fast, unit='s')}, bare "
        f"{latency_text(bare_fast, unit='s')}; answered after Telegram's "
        f"{QUERY_TIMEOUT:.0f} s: ours {late['ours']}, bare {late['bare']} "
        f"of {len(fast.pressed)}"
    )
    print(
        f"burst, Telegram's limits on ({limited.expected} contacts at once): ours "
        f"{limited.rate:.1f} vs bare {bare_limited.rate:.1f} updates/s = ratio "
        f"{limited.rate / bare_limited.rate:.2f}, bound by 30 new messages/s (one per Sign); "
        f"press→answer ours {latency_text(limited)}, "
        f"bare {latency_text(bare_limited)}"
    )
    print(
        f"steady, Telegram's limits on, {len(steady_run.pressed)} presses each at "
        f"{achieved_rate(steady_run):.0f} and {achieved_rate(bare_steady):.0f} presses/s: "
        f"ours Sign {latency_text(steady_run, 'sign')}, Confirm "
        f"{latency_text(steady_run, 'confirm')}, max {max(ours_ms, default=math.nan):.1f} ms; "
        f"bare Sign {latency_text(bare_steady, 'sign')}, Confirm "
        f"{latency_text(bare_steady, 'confirm')}, max {max(bare_ms, default=math.nan):.1f} ms; "
        f"CPU per update ours {steady_run.cpu_per_update_ms:.1f} ms, bare "
        f"{bare_steady.cpu_per_update_ms:.1f} ms = ratio {steady_cpu_ratio:.2f}"
    )
    print(
        "steady, what the member sees: press→listing screen ours "
        f"{latency_text(steady_run, 'sign', result=True)}, bare "
        f"{latency_text(bare_steady, 'sign', result=True)}; press→receipt ours "
        f"{latency_text(steady_run, 'confirm', result=True)}, bare "
        f"{latency_text(bare_steady, 'confirm', result=True)}"
    )
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print(
        f"signoff saturation: ours {fast.rate:.1f} updates/s vs bare {bare_fast.rate:.1f} "
        f"updates/s = ratio {saturation:.2f} (goal ≥ {RATIO_GOAL}; {len(fast.pressed)} "
        "updates at once, fake's limits off)"
    )
    print(
        f"signoff CPU per update: ours {fast.cpu_per_update_ms:.2f} ms vs bare "
        f"{bare_fast.cpu_per_update_ms:.2f} ms = ratio {cpu_ratio:.2f} "
        f"(goal ≤ {CPU_RATIO_GOAL}; the burst, fake included)"
    )
    print(
        f"signoff steady at {achieved_rate(steady_run):.0f} presses/s, press→answer ours/bare: "
        f"p50 {p50[0]:.1f}/{p50[1]:.1f} ms = {p50_ratio:.2f}, p99 {p99[0]:.1f}/{p99[1]:.1f} "
        f"ms = {p99_ratio:.2f} (goal p99 ≤ {P99_RATIO_GOAL}; Telegram's limits on), "
        f"429s: {too_many['ours']} (goal 0; the bare bot's: {too_many['bare']})"
    )
    met = (
        saturation >= RATIO_GOAL
        and cpu_ratio <= CPU_RATIO_GOAL
        and p99_ratio <= P99_RATIO_GOAL
        and not problems
    )
    return 0 if met else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=2000, help="contacts in the burst")
    parser.add_argument("--limited-contacts", type=int, default=200,
                        help="contacts in the burst with Telegram's limits on")  # fmt: skip
    parser.add_argument("--steady-contacts", type=int, default=300,
                        help="contacts in each bot's steady run (2 presses each)")  # fmt: skip
    parser.add_argument("--profile", type=Path, default=None, metavar="FOLDER",
                        help="save a cProfile of each bot's burst and steady run")  # fmt: skip
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
