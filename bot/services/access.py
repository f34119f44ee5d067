"""Who is talking to the bot, and whether to listen.

Authority is looked up on every update: coordinators from ``COORDINATOR_IDS``,
members from the database (a removed contact loses access on its very next
update). The flood guard and the neutral-reply limiter are in memory: after a
restart they start afresh, which only ever makes the bot more forgiving.
"""

from __future__ import annotations

import enum
from collections import OrderedDict, deque
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db import contacts as contacts_repo
from bot.db import organisations as organisations_repo
from bot.db.connection import Executor
from bot.db.contacts import Contact
from bot.db.organisations import Organisation


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    MEMBER = "member"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Identity:
    telegram_user_id: int
    role: Role
    contact: Contact | None = None
    organisation: Organisation | None = None

    @property
    def language(self) -> str:
        return self.contact.language if self.contact else "en"

    @property
    def is_coordinator(self) -> bool:
        return self.role is Role.COORDINATOR

    @property
    def is_member(self) -> bool:
        return self.role is Role.MEMBER


async def identify(
    db: Executor, coordinator_ids: Collection[int], telegram_user_id: int
) -> Identity:
    contact = await contacts_repo.live_by_telegram_user(db, telegram_user_id)
    if telegram_user_id in coordinator_ids:
        # Their contact (if recorded yet) only carries their language.
        own = contact if contact is not None and contact.role == "coordinator" else None
        return Identity(telegram_user_id, Role.COORDINATOR, own)
    if contact is None or contact.organisation_id is None:
        return Identity(telegram_user_id, Role.UNKNOWN)
    organisation = await organisations_repo.get_active(db, contact.organisation_id)
    if organisation is None:  # removed organisation: its contacts have no access
        return Identity(telegram_user_id, Role.UNKNOWN)
    return Identity(telegram_user_id, Role.MEMBER, contact, organisation)


class FloodVerdict(enum.Enum):
    ALLOW = "allow"
    NOTIFY = "notify"  # just went over the limit: tell them once, then ignore
    IGNORE = "ignore"


class FloodGuard:
    """Counts weighted updates per account over a sliding minute.

    Going over ``max_per_minute`` pauses the account for ``pause``. Invalid
    invite attempts are recorded with a higher weight, so guessing tokens is
    stopped after a handful of tries.
    """

    WINDOW = timedelta(minutes=1)

    def __init__(self, max_per_minute: int, pause: timedelta, *, max_accounts: int = 50_000):
        self.max_per_minute = max_per_minute
        self.pause = pause
        self._max_accounts = max_accounts
        self._events: OrderedDict[int, deque[tuple[datetime, int]]] = OrderedDict()
        self._paused_until: dict[int, datetime] = {}

    def check(self, account: int, now: datetime, weight: int = 1) -> FloodVerdict:
        until = self._paused_until.get(account)
        if until is not None:
            if now < until:
                return FloodVerdict.IGNORE
            del self._paused_until[account]
            self._events.pop(account, None)
        events = self._events.setdefault(account, deque())
        self._events.move_to_end(account)
        while events and now - events[0][0] >= self.WINDOW:
            events.popleft()
        events.append((now, weight))
        if sum(w for _, w in events) > self.max_per_minute:
            self._paused_until[account] = now + self.pause
            return FloodVerdict.NOTIFY
        self._forget_oldest()
        return FloodVerdict.ALLOW

    def penalise(self, account: int, now: datetime, weight: int) -> FloodVerdict:
        """Adds extra weight (e.g. a wrong invite token) on top of the update itself."""
        return self.check(account, now, weight)

    def _forget_oldest(self) -> None:
        # Bounded memory even if many accounts write once (e.g. a spam wave).
        while len(self._events) > self._max_accounts:
            self._events.popitem(last=False)


class NeutralReplies:
    """At most one neutral sentence per account per ``interval``."""

    def __init__(self, interval: timedelta = timedelta(hours=1), *, max_accounts: int = 50_000):
        self.interval = interval
        self._max_accounts = max_accounts
        self._last: OrderedDict[int, datetime] = OrderedDict()

    def should_reply(self, account: int, now: datetime) -> bool:
        last = self._last.get(account)
        if last is not None and now - last < self.interval:
            return False
        self._last[account] = now
        self._last.move_to_end(account)
        while len(self._last) > self._max_accounts:
            self._last.popitem(last=False)
        return True
