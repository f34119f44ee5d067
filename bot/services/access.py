"""Who is talking to the bot, and whether to listen.

Authority is looked up in the database on every update: coordinators and members are
contacts, and a removed one loses access on its very next update (``COORDINATOR_IDS``
only bootstraps coordinators at start-up: ``bot.services.coordinators``). The flood
guard and the neutral-reply limiter are in memory: after a restart they start afresh,
which only ever makes the bot more forgiving.

The flood guard pauses strangers and members outside a guided flow; a paused member is
told until when, and told again when the pause is over (``HeardAgain``). Coordinators
are never paused, and a member's input to a flow they started is never dropped: their
updates wait their turn in their own chat instead (``bot.throughput``).
"""

from __future__ import annotations

import enum
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.db import contacts as contacts_repo
from bot.db.connection import Database, Executor
from bot.db.contacts import Contact
from bot.db.organisations import Organisation
from bot.db.types import ContactRole
from bot.services import outbox
from bot.services.outbox import OutgoingMessage


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


async def identify(db: Executor, telegram_user_id: int) -> Identity:
    """Who the account is now: a coordinator (a live coordinator contact: removed, they
    are nobody at their very next update), a member of an active organisation, or unknown."""
    found = await contacts_repo.live_with_organisation(db, telegram_user_id)
    contact, organisation = found if found is not None else (None, None)
    if contact is not None and contact.role is ContactRole.COORDINATOR:
        return Identity(telegram_user_id, Role.COORDINATOR, contact)
    if contact is None or contact.organisation_id is None:
        return Identity(telegram_user_id, Role.UNKNOWN)
    if organisation is None:  # removed organisation: its contacts have no access
        return Identity(telegram_user_id, Role.UNKNOWN)
    return Identity(telegram_user_id, Role.MEMBER, contact, organisation)


class FloodVerdict(enum.Enum):
    ALLOW = "allow"
    NOTIFY = "notify"  # just went over the limit: tell them once, then ignore
    IGNORE = "ignore"


@dataclass(frozen=True)
class HeardAgain:
    """What a paused member is owed when their pause ends: word that they are heard again,
    in their language and zone, naming the time their messages were not read."""

    account: int
    contact_id: int
    language: str
    zone: str
    since: datetime
    until: datetime


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
        # Accounts seen as members: only theirs can be input to a flow (no lookup for others).
        self._members: OrderedDict[int, None] = OrderedDict()
        self._owed: dict[int, HeardAgain] = {}
        # Told when a notice is owed (the scheduler plans the moment to send it).
        self._on_owed: Callable[[], None] | None = None

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

    def note_member(self, account: int) -> None:
        self._members[account] = None
        self._members.move_to_end(account)
        while len(self._members) > self._max_accounts:
            self._members.popitem(last=False)

    def is_member(self, account: int) -> bool:
        return account in self._members

    def forgive(self, account: int, now: datetime) -> HeardAgain | None:
        """Lifts the account's pause and clears its count (input to a flow it started is
        never dropped); returns what it was owed, if it was told it was paused, now due."""
        self._paused_until.pop(account, None)
        self._events.pop(account, None)
        owed = self._owed.pop(account, None)
        return None if owed is None else replace(owed, until=min(owed.until, now))

    def on_owed(self, listener: Callable[[], None]) -> None:
        """``listener`` is called whenever a notice is owed (the scheduler registers)."""
        self._on_owed = listener

    def owe(self, notice: HeardAgain) -> None:
        """The member was told they are paused: tell them ``notice`` when it ends."""
        self._owed[notice.account] = notice
        if self._on_owed is not None:
            self._on_owed()

    def heard_again(self, now: datetime, account: int | None = None) -> list[HeardAgain]:
        """The notices now due (of one account, or all), each handed out once."""
        due = [
            notice
            for notice in self._owed.values()
            if notice.until <= now and account in (None, notice.account)
        ]
        for notice in due:
            del self._owed[notice.account]
        return due

    def next_heard_again(self) -> datetime | None:
        return min((notice.until for notice in self._owed.values()), default=None)


async def queue_heard_again(
    db: Database, notices: Sequence[tuple[HeardAgain, OutgoingMessage]], *, now: datetime
) -> int:
    """Tells paused members their pause is over, through the outbox (once per pause)."""
    queued = 0
    async with db.transaction() as tx:
        for notice, message in notices:
            queued += await outbox.enqueue(
                tx,
                broadcast_id=None,
                contact_id=notice.contact_id,
                chat_id=notice.account,
                letter_id=None,
                kind="notice",
                message=message,
                dedupe_key=f"flood:heard-again:{notice.account}:{notice.until.timestamp():.0f}",
                now=now,
            )
    return queued


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
