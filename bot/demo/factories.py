"""Set-ups the tests and the benchmarks share: many organisations with a bound member each.

Here rather than under tests/: the benchmarks (bench/) run as plain scripts with only the
project on their path, and they measure this package; the stage they build (the fake
server, the real bot, a fake clock) is the demo's stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db import Database
from bot.db import contacts as contacts_repo
from bot.db import organisations as organisations_repo
from bot.fake_telegram import FakeTelegramServer, FakeUser


@dataclass(frozen=True)
class BoundMember:
    contact_id: int
    organisation_id: int
    telegram_user_id: int
    name: str  # the contact's display name
    organisation: str
    user: FakeUser | None  # their account on the fake server, if one was given


async def bind_members(
    db: Database,
    count: int,
    *,
    now: datetime,
    first_user_id: int,
    tg: FakeTelegramServer | None = None,
    organisation: str = "Organisation {n}",
    name: str = "Contact {n}",
    label: str | None = None,
) -> list[BoundMember]:
    """``count`` organisations with one active member each, Telegram user
    ``first_user_id + n``, inserted through the repositories in one transaction (as if
    each had redeemed an invitation). With ``tg`` each also gets an account on the fake
    server that has opened the bot. ``organisation``, ``name`` and ``label`` are formats
    of ``n``."""
    members = []
    async with db.transaction() as tx:
        for n in range(count):
            org_name, display_name = organisation.format(n=n), name.format(n=n)
            org_id = await organisations_repo.insert(
                tx, name=org_name, name_key=org_name.lower(), now=now
            )
            contact_id = await contacts_repo.insert_invited_member(
                tx,
                organisation_id=org_id,
                label=None if label is None else label.format(n=n),
                now=now,
            )
            user_id = first_user_id + n
            await contacts_repo.bind(
                tx, contact_id, telegram_user_id=user_id, display_name=display_name,
                language="en", now=now,
            )  # fmt: skip
            user = None
            if tg is not None:
                user = tg.add_user(user_id, display_name)
                user.started = True  # they opened the bot when they joined
            members.append(BoundMember(contact_id, org_id, user_id, display_name, org_name, user))
    return members
