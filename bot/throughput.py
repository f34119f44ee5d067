"""How the bot pushes and takes work at Telegram's pace.

- ``ChatPacedRateLimiter``: PTB's AIORateLimiter keeps the overall (30/s) and group
  (20/min) limits but does not pace private chats; Telegram allows about one message a
  second per chat (short bursts tolerated). This adds a small leaky bucket per chat,
  so a reply waits its turn instead of earning a 429.
- ``PerChatUpdateProcessor``: updates of one chat run in order, one at a time (a flow
  like "/newletter, then the title" must not be reordered); different chats run
  concurrently, so one member's paced replies never hold up anyone else.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Update
from telegram.ext import AIORateLimiter, BaseUpdateProcessor

# Methods that put a message into a chat (and count against its per-chat limit).
PACED_ENDPOINTS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
    }
)
CHAT_BURST = 3  # messages a chat may get at once
CHAT_RATE_PERIOD = 3.0  # … refilled at CHAT_BURST per this many seconds: 1 a second
MAX_TRACKED_CHATS = 10_000


class ChatPacedRateLimiter(AIORateLimiter):
    def __init__(self, *, chat_burst: int = CHAT_BURST, chat_period: float = CHAT_RATE_PERIOD):
        super().__init__(overall_max_rate=30, overall_time_period=1, group_max_rate=20,
                         group_time_period=60, max_retries=2)  # fmt: skip
        self._chat_burst = chat_burst
        self._chat_period = chat_period
        self._chat_limiters: OrderedDict[int, AsyncLimiter] = OrderedDict()

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chat_limiters.get(chat_id)
        if limiter is None:
            limiter = AsyncLimiter(self._chat_burst, self._chat_period)
            self._chat_limiters[chat_id] = limiter
            while len(self._chat_limiters) > MAX_TRACKED_CHATS:
                self._chat_limiters.popitem(last=False)
        self._chat_limiters.move_to_end(chat_id)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat_id = _private_chat_id(endpoint, data)
        if chat_id is not None:
            async with self._chat_limiter(chat_id):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


def _private_chat_id(endpoint: str, data: dict[str, Any]) -> int | None:
    if endpoint not in PACED_ENDPOINTS:
        return None
    try:
        chat_id = int(data.get("chat_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None  # @channelusername or inline messages: not a private chat
    return chat_id if chat_id > 0 else None  # groups are paced by AIORateLimiter


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _ordering_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:  # forget idle chats: bounded memory
                del self._waiting[key]
                del self._locks[key]

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
