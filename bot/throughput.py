"""How the bot pushes and takes work at Telegram's pace.

- ``ChatPacedRateLimiter``: every request that names a chat passes one admission gate
  right before it goes on the wire. Overall, sends are spaced evenly a little under
  Telegram's 30 a second, so no sliding second ever holds more than 30 (PTB's
  AIORateLimiter lets a full second's burst through and then 30/s more, which a strict
  server counts as up to 60 in one second). Private chats get a token bucket like
  Telegram's (a short burst, then about one a second), checked at the same instant as the
  overall slot, so a reply or a broadcast message waits its turn instead of earning a 429.
  Groups keep 20 a minute. A ``RetryAfter`` pauses every request for the time Telegram
  asks, then the request is retried (``RateLimitArgs(max_retries=0)`` hands it to the
  caller instead: the outbox re-queues the delivery itself).
- ``PerChatUpdateProcessor``: updates of one chat run in order, one at a time (a flow
  like "/newletter, then the title" must not be reordered); different chats run
  concurrently, so one member's paced replies never hold up anyone else. A chat's
  waiting updates hold none of the overall slots, and their number is capped.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

# Methods that put a new message into a chat: they count against Telegram's overall
# ~30/s (bulk sending) and against the chat's own limit.
SEND_ENDPOINTS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    }
)
# Edits share the per-chat (and per-group) limits with sends but not the overall one;
# answering a button press is not limited at all (Telegram's maintainers, tdlib issues).
PACED_ENDPOINTS = SEND_ENDPOINTS | {
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
}
# Telegram allows about 30 messages a second overall. Sends are spaced 1/28 s apart: any
# second then holds at most 29, and the one spare absorbs network jitter between our clock
# and Telegram's.
OVERALL_RATE = 28.0
SLOT_TOLERANCE = 0.003  # seconds a send may come early to keep the cadence after a late one
CHAT_BURST = 3  # messages a chat may get at once
CHAT_RATE_PERIOD = 3.15  # … refilled at CHAT_BURST per this many seconds: 1/s less 5% for jitter
GROUP_MAX_RATE = 20
GROUP_TIME_PERIOD = 60.0
MAX_RETRIES = 2
RETRY_AFTER_MARGIN = 0.1  # seconds added to Telegram's retry_after
MAX_TRACKED_CHATS = 10_000
# Connections to Telegram kept open. httpcore's pool walks every pooled connection (and
# polls each idle socket) for every request (encode/httpcore#1035), so each connection
# beyond what is in flight costs CPU on every request: with PTB's default of 256 a burst
# of presses, all answered at once, left 64 connections open and doubled the CPU per
# update (bench/signoff.py). Telegram's pace bounds what is in flight: ~30 sends a second
# and one answer per press, at 50-300 ms a request, fit in 16 connections. A request that
# finds none free waits for one (POOL_TIMEOUT), it does not fail.
CONNECTIONS = 16
POOL_TIMEOUT = 10.0
# Updates of one chat waiting for their turn: far beyond anything a person sends (a long
# paste is a few dozen parts); past it, more is refused rather than held in memory.
MAX_WAITING_PER_CHAT = 300


@dataclass(frozen=True)
class Pace:
    """The limits the bot keeps to: Telegram's. Tests of anything but pacing run the same
    rules faster (``faster``) against a fake server whose limits are raised to match."""

    overall_rate: float = OVERALL_RATE
    chat_burst: int = CHAT_BURST
    chat_period: float = CHAT_RATE_PERIOD
    group_max_rate: int = GROUP_MAX_RATE
    group_time_period: float = GROUP_TIME_PERIOD

    def faster(self, factor: float) -> Pace:
        """Sends and a chat's refill ``factor`` times faster; bursts and groups as they are."""
        return replace(
            self, overall_rate=self.overall_rate * factor, chat_period=self.chat_period / factor
        )


TELEGRAM_PACE = Pace()


@dataclass(frozen=True)
class RateLimitArgs:
    """``rate_limit_args`` for one call, e.g. ``bot.send_message(..., rate_limit_args=...)``."""

    max_retries: int = MAX_RETRIES
    # The caller has just passed ``admit(chat_id)`` for this very request: no second wait.
    admitted: bool = False


@dataclass
class _ChatBucket:
    tokens: float
    updated: float


class ChatPacedRateLimiter(BaseRateLimiter[RateLimitArgs]):
    def __init__(
        self,
        *,
        overall_rate: float = OVERALL_RATE,
        chat_burst: int = CHAT_BURST,
        chat_period: float = CHAT_RATE_PERIOD,
        group_max_rate: int = GROUP_MAX_RATE,
        group_time_period: float = GROUP_TIME_PERIOD,
        max_retries: int = MAX_RETRIES,
    ) -> None:
        self._interval = 1.0 / overall_rate
        self._chat_burst = float(chat_burst)
        self._chat_rate = chat_burst / chat_period  # tokens a second
        self._group_max_rate = group_max_rate
        self._group_time_period = group_time_period
        self._max_retries = max_retries
        self._next_slot = 0.0  # monotonic time of the next overall send slot
        self._paused_until = 0.0  # after a RetryAfter: nobody sends before this
        self._gate: asyncio.Lock | None = None  # FIFO: one admission at a time
        self._chats: OrderedDict[int, _ChatBucket] = OrderedDict()
        self._groups: OrderedDict[int | str, AsyncLimiter] = OrderedDict()

    @classmethod
    def keeping(cls, pace: Pace) -> ChatPacedRateLimiter:
        return cls(
            overall_rate=pace.overall_rate,
            chat_burst=pace.chat_burst,
            chat_period=pace.chat_period,
            group_max_rate=pace.group_max_rate,
            group_time_period=pace.group_time_period,
        )

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    # --- per chat -------------------------------------------------------------------------

    def _bucket(self, chat_id: int, now: float) -> _ChatBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = _ChatBucket(self._chat_burst, now)
            while len(self._chats) > MAX_TRACKED_CHATS:
                self._chats.popitem(last=False)
        else:
            refill = (now - bucket.updated) * self._chat_rate
            bucket.tokens = min(self._chat_burst, bucket.tokens + refill)
            bucket.updated = now
        self._chats.move_to_end(chat_id)
        return bucket

    def _chat_wait(self, chat_id: int, now: float) -> float:
        bucket = self._bucket(chat_id, now)
        return 0.0 if bucket.tokens >= 1.0 else (1.0 - bucket.tokens) / self._chat_rate

    async def wait_for_chat(self, chat_id: int) -> None:
        """Returns once a message to ``chat_id`` could go out now (nothing is consumed).

        The outbox waits here before it queues for the overall slot, so a chat that must
        wait its turn does not hold up the others.
        """
        while True:
            now = time.monotonic()
            wait = max(self._chat_wait(chat_id, now), self._paused_until - now)
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    # --- admission ------------------------------------------------------------------------

    def _group_limiter(self, group_id: int | str) -> AsyncLimiter:
        limiter = self._groups.get(group_id)
        if limiter is None:
            limiter = AsyncLimiter(self._group_max_rate, self._group_time_period)
            self._groups[group_id] = limiter
            while len(self._groups) > MAX_TRACKED_CHATS:
                self._groups.popitem(last=False)
        self._groups.move_to_end(group_id)
        return limiter

    async def _take_chat_token(self, private_chat: int) -> None:
        """Only the chat's own limit (edits): no overall slot."""
        while True:
            await self.wait_for_chat(private_chat)
            now = time.monotonic()
            if self._chat_wait(private_chat, now) <= 0:  # no await since the check
                self._bucket(private_chat, now).tokens -= 1.0
                return

    async def _admit(
        self, private_chat: int | None, group: int | str | None, *, overall: bool = True
    ) -> None:
        if group is not None and self._group_max_rate:
            await self._group_limiter(group).acquire()
        if not overall:
            if private_chat is not None:
                await self._take_chat_token(private_chat)
            return
        if self._gate is None:
            self._gate = asyncio.Lock()
        while True:
            if private_chat is not None:
                await self.wait_for_chat(private_chat)  # outside the gate: others go first
            async with self._gate:
                now = time.monotonic()
                # Again after each sleep: a RetryAfter may have paused everyone meanwhile.
                while (wait := max(self._next_slot, self._paused_until) - now) > 0:
                    await asyncio.sleep(wait)
                    now = time.monotonic()
                if private_chat is not None:
                    if self._chat_wait(private_chat, now) > 0:
                        continue  # another request to this chat took the token meanwhile
                    self._bucket(private_chat, now).tokens -= 1.0
                # Keep the cadence (a wake-up a millisecond late must not cost a slot), but
                # never let two sends come closer than the interval less a small tolerance.
                self._next_slot = max(
                    self._next_slot + self._interval, now + self._interval - SLOT_TOLERANCE
                )
                return

    async def admit(self, chat_id: int) -> None:
        """Waits for and takes the slot of one request to ``chat_id``, to be sent right away
        with ``RateLimitArgs(admitted=True)``.

        The outbox takes the slot first, then marks its delivery ``sending`` (one commit)
        and sends: nothing marked ever waits for a slot. It asks for the next slot only
        once that mark is committed, so a slow commit delays the next send instead of
        bunching several behind it (no sliding second at the wire holds more than 30).
        """
        chat_id = int(chat_id)
        await self._admit(chat_id if chat_id > 0 else None, _group_id(chat_id))

    def _pause(self, error: RetryAfter) -> None:
        until = time.monotonic() + retry_after_seconds(error) + RETRY_AFTER_MARGIN
        self._paused_until = max(self._paused_until, until)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        max_retries = self._max_retries if rate_limit_args is None else rate_limit_args.max_retries
        admitted = rate_limit_args is not None and rate_limit_args.admitted
        paced = endpoint in PACED_ENDPOINTS
        overall = endpoint in SEND_ENDPOINTS
        private_chat = _private_chat_id(endpoint, data)
        group = _group_id(data.get("chat_id")) if paced else None
        for attempt in range(max_retries + 1):
            if paced and not (admitted and attempt == 0):
                await self._admit(private_chat, group, overall=overall)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                # Telegram's flood control is for the whole bot: everyone waits.
                self._pause(error)
                if attempt == max_retries:
                    raise
                log.info(
                    "flood control: retrying %s after %ss", endpoint, retry_after_seconds(error)
                )
        raise AssertionError("unreachable")


def retry_after_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, whether PTB gives an int or (PTB_TIMEDELTA) a timedelta."""
    with warnings.catch_warnings():
        # PTB 22 warns that the int form is deprecated; both forms are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _private_chat_id(endpoint: str, data: dict[str, Any]) -> int | None:
    if endpoint not in PACED_ENDPOINTS:
        return None
    try:
        chat_id = int(data.get("chat_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None  # @channelusername or inline messages: not a private chat
    return chat_id if chat_id > 0 else None  # groups are paced per minute instead


def _group_id(chat_id: object) -> int | str | None:
    if isinstance(chat_id, str):
        try:
            chat_id = int(chat_id)
        except ValueError:
            return chat_id  # @channelusername
    if isinstance(chat_id, int) and chat_id < 0:
        return chat_id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of one chat in order, one at a time; different chats concurrently.

    An update first waits for its chat's turn and only then takes one of the overall
    slots (``max_concurrent_updates``): a chat that sends a lot (a coordinator pasting a
    letter in 35 parts, a runaway account) queues behind itself and holds at most one
    slot, so it never holds up anyone else. A chat's queue is capped: an update arriving
    while ``max_waiting_per_chat`` of the same chat still wait is not processed, and
    counted (``take_dropped``) so the gate can say so to that chat.
    """

    def __init__(
        self,
        max_concurrent_updates: int = 64,
        *,
        max_waiting_per_chat: int = MAX_WAITING_PER_CHAT,
        on_arrival: Callable[[object], Coroutine[Any, Any, None]] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._max_waiting = max_waiting_per_chat
        # Run for every update as it arrives: beside its wait if it must wait behind its
        # chat, else first thing in its turn (e.g. answering a button press).
        self.on_arrival = on_arrival
        self._arrivals: set[asyncio.Task[None]] = set()
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._dropped: OrderedDict[int, int] = OrderedDict()

    # PTB declares process_update final (subclasses implement do_process_update); ours must
    # see each update as it arrives, before PTB's concurrency limit, to order it by chat.
    async def process_update(  # type: ignore[misc]
        self, update: object, coroutine: Awaitable[Any]
    ) -> None:
        key = _ordering_key(update)
        queued = self._waiting.get(key, 0)
        if queued and self.on_arrival is not None:
            # It waits behind its chat: the hook runs beside the wait, at once (not before
            # it: an await here would let a later update of the chat take its place).
            arrival = asyncio.create_task(self.on_arrival(update))
            self._arrivals.add(arrival)
            arrival.add_done_callback(self._arrivals.discard)
        if queued >= self._max_waiting:
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # never to run: no "never awaited" warning
            if key not in self._dropped:
                log.warning("chat %s has %d updates waiting; dropping more", key, queued)
            self._dropped[key] = self._dropped.pop(key, 0) + 1
            while len(self._dropped) > MAX_TRACKED_CHATS:
                self._dropped.popitem(last=False)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = queued + 1
        try:
            # The overall slot only once it is this chat's turn (the base class takes it
            # first: a chat's queued updates would hold every slot).
            async with lock, self._semaphore:
                if not queued and self.on_arrival is not None:
                    await self.on_arrival(update)  # its turn came at once: the hook first
                await coroutine
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:  # forget idle chats: bounded memory
                del self._waiting[key]
                del self._locks[key]

    @property
    def in_progress(self) -> int:
        """Updates being handled or waiting their turn, and arrival hooks still running."""
        return sum(self._waiting.values()) + len(self._arrivals)

    def pending(self, chat_id: int) -> int:
        """Updates of this chat being handled or waiting their turn (the current one too)."""
        return self._waiting.get(chat_id, 0)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine  # unused: process_update orders and limits itself

    def take_dropped(self, chat_id: int) -> int:
        """How many updates of the chat were not processed (queue full) since last asked."""
        return self._dropped.pop(chat_id, 0)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _ordering_key(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return 0
