"""Telegram flood limits: global sliding second, per-private-chat bucket, per-group minute."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from .models import Limits

__all__ = ["RateLimiter"]


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._global: deque[float] = deque()
        self._buckets: dict[int, _Bucket] = {}
        self._groups: dict[int, deque[float]] = {}

    def _bucket(self, chat_id: int, now: float) -> _Bucket:
        lim = self.limits
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = self._buckets[chat_id] = _Bucket(float(lim.per_chat_burst), now)
        else:
            refill = (now - bucket.updated) * lim.per_chat_per_second
            bucket.tokens = min(float(lim.per_chat_burst), bucket.tokens + refill)
            bucket.updated = now
        return bucket

    def retry_after(
        self, chat_id: int, is_group: bool, now: float, *, is_send: bool = True
    ) -> int | None:
        """Seconds to wait if a request now would exceed a limit, else None (nothing consumed).

        The overall ~30/s limit is Telegram's for *sending* (bulk notifications); edits
        share the per-chat and per-group limits with sends but not the overall one
        (answering a button press has no limit at all).
        """
        lim = self.limits
        if not lim.enabled:
            return None
        waits: list[float] = []
        while self._global and self._global[0] <= now - 1.0:
            self._global.popleft()
        if is_send and len(self._global) >= lim.global_per_second:
            waits.append(self._global[0] + 1.0 - now)
        if is_group:
            window = self._groups.setdefault(chat_id, deque())
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= lim.group_per_minute:
                waits.append(window[0] + 60.0 - now)
        else:
            bucket = self._bucket(chat_id, now)
            if bucket.tokens < 1.0:
                waits.append((1.0 - bucket.tokens) / lim.per_chat_per_second)
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))

    def consume(self, chat_id: int, is_group: bool, now: float, *, is_send: bool = True) -> None:
        if not self.limits.enabled:
            return
        if is_send:
            self._global.append(now)
        if is_group:
            self._groups.setdefault(chat_id, deque()).append(now)
        else:
            self._bucket(chat_id, now).tokens -= 1.0
