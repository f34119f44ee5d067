"""The person signing for an organisation: "Name, Title, Organisation" lists. No Telegram here.

A letter can ask each signer for the person signing (``letters.ask_signer``). The member
types it once; the contact remembers it (and can edit or clear it), and each signature
keeps it as it was when given (``responses.signer_name``/``signer_title``), so a later edit
never changes a list already signed. The person is personal data: a purge clears it from
the letter's responses (the contact's own copy stays, for its owner to edit).

Name and title are asked one after the other (two messages, the title skippable) rather
than split out of one "Name, Title" message: a title or a name may itself hold a comma,
and nothing typed may be cut or altered.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from bot.db import audit
from bot.db import contacts as contacts_repo
from bot.db import letters as letters_repo
from bot.db.connection import Database, Executor
from bot.db.contacts import Contact
from bot.db.letters import Letter
from bot.services import lifecycle
from bot.services.refusals import Code, Refusal

MAX_NAME = 100
MAX_TITLE = 150


@dataclass(frozen=True)
class Signer:
    """The person signing: a name and, optionally, a title ("Director")."""

    name: str
    title: str | None = None

    @property
    def line(self) -> str:
        """As a list shows it before the organisation: "Name, Title" or "Name"."""
        return f"{self.name}, {self.title}" if self.title else self.name


def _clean(raw: str, limit: int) -> str:
    """One line (a list entry is one line): line breaks and control characters refused."""
    text = raw.strip()
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise Refusal(Code.SIGNER_INVALID)
    if len(text) > limit:
        raise Refusal(Code.SIGNER_TOO_LONG, limit=limit)
    return text


def clean_signer(raw_name: str, raw_title: str | None = None) -> Signer:
    """The person as typed (surrounding spaces aside); an empty title is none."""
    name = _clean(raw_name, MAX_NAME)
    if not name:
        raise Refusal(Code.SIGNER_NAME_EMPTY)
    title = _clean(raw_title, MAX_TITLE) if raw_title is not None else ""
    return Signer(name, title or None)


def remembered(contact: Contact) -> Signer | None:
    """The person the contact signs as, if they told the bot."""
    if not contact.signer_name:
        return None
    return Signer(contact.signer_name, contact.signer_title)


async def remember(db: Executor, contact: Contact, signer: Signer | None) -> None:
    """``/signer`` for a member: remembers (or, with None, forgets) the person signing.
    Signatures already given keep the person they were given with."""
    await contacts_repo.set_signer(
        db, contact.id, signer.name if signer else None, signer.title if signer else None
    )


async def set_ask_signer(
    db: Database, letter_id: int, ask: bool, *, actor: str, now: datetime
) -> tuple[Letter, bool]:
    """``/signer <letter> on|off``: whether the Sign flow asks for the person signing (a
    draft or an open letter). Returns the letter and whether that changed. Signatures
    already given keep what they have (none, or a person)."""
    async with db.transaction() as tx:
        await lifecycle.editable_letter(tx, letter_id)
        changed = await letters_repo.set_ask_signer(tx, letter_id, ask) == 1
        if changed:
            await audit.append(
                tx, now=now, actor=actor, action="letter.signer_asked", letter_id=letter_id,
                data={"ask": ask},
            )  # fmt: skip
        return await letters_repo.existing(tx, letter_id), changed


async def refreshed(db: Executor, contact: Contact) -> Contact:
    """The contact as stored now (the person signing may have been set since it was read)."""
    return await contacts_repo.existing(db, contact.id)
