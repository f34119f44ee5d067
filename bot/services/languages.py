"""The language each person reads: English, Russian or Belarusian.

A member's language is set from Telegram's ``language_code`` when they join; a
coordinator's when they first write to the bot (a coordinator contact is recorded then:
coordinators come from ``COORDINATOR_IDS`` and have no invitation). Either can change it
with /language. Everything the bot sends a person is rendered in their language; what
goes to every coordinator is rendered once per coordinator.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot import texts
from bot.db import audit
from bot.db import contacts as contacts_repo
from bot.db.connection import Database, Executor
from bot.db.contacts import Contact


async def ensure_coordinator(
    db: Database, telegram_user_id: int, *, display_name: str, language: str, now: datetime
) -> Contact:
    """The coordinator's contact, recorded on their first update with the language given."""
    async with db.transaction() as tx:
        contact = await contacts_repo.live_by_telegram_user(tx, telegram_user_id)
        if contact is None:
            contact_id = await contacts_repo.insert_coordinator(
                tx, telegram_user_id=telegram_user_id, display_name=display_name,
                language=language, now=now,
            )  # fmt: skip
            await audit.append(
                tx, now=now, actor=f"coordinator:{telegram_user_id}",
                action="coordinator.registered", contact_id=contact_id,
                data={"language": language},
            )  # fmt: skip
            contact = await contacts_repo.existing(tx, contact_id)
    return contact


async def set_language(
    db: Database, contact: Contact, language: str, *, actor: str, now: datetime
) -> bool:
    """Changes the language a contact reads; True when it changed."""
    if language not in texts.LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    async with db.transaction() as tx:
        changed = await contacts_repo.set_language(tx, contact.id, language) == 1
        if changed:
            await audit.append(
                tx, now=now, actor=actor, action="contact.language",
                organisation_id=contact.organisation_id, contact_id=contact.id,
                data={"language": language},
            )  # fmt: skip
    return changed


async def recorded_languages(db: Executor, telegram_user_ids: Collection[int]) -> dict[int, str]:
    """The language of each of these accounts the bot has recorded (it has written to it)."""
    return await contacts_repo.languages_of(db, telegram_user_ids)


async def languages_of(db: Executor, telegram_user_ids: Collection[int]) -> dict[int, str]:
    """Each account's language; English for one the bot has not recorded yet."""
    known = await contacts_repo.languages_of(db, telegram_user_ids)
    return {user_id: known.get(user_id, texts.DEFAULT_LANGUAGE) for user_id in telegram_user_ids}
