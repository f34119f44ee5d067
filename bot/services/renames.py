"""Renaming an organisation that has responded waits for the organisation. No Telegram here.

An organisation's name is exactly how it appears in the signature list, so a rename of an
organisation that signed, declined or withdrew on any letter is not the coordinators'
alone: it becomes a pending rename (``organisation_renames``), each live contact of the
organisation is asked ("Use NEW" / "Keep OLD", through the outbox), and the listed name
changes only when one of them confirms (``confirm``); ``keep`` leaves it as it is. Until
then every list and export shows the old name, and coordinators see the new one waiting
(``waiting``). An organisation with no live contact cannot answer: its rename waits (a
contact who joins later is asked: ``ask_new_contact``). An organisation that never
responded is renamed at once, as before. A newer rename replaces one still waiting.

Asking happens after a second coordinator's approval where one is needed
(``bot.services.approvals``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.db import audit
from bot.db import contacts as contacts_repo
from bot.db import organisations as organisations_repo
from bot.db import renames as repo
from bot.db import responses as responses_repo
from bot.db.connection import Database, Executor, Transaction
from bot.db.contacts import Contact
from bot.db.coordinators import Coordinator
from bot.db.organisations import Organisation
from bot.db.renames import Rename
from bot.db.types import RenameStatus
from bot.services import membership, org_names, outbox
from bot.services.agreement import Agreement, with_agreement
from bot.services.org_names import ListedNameChange
from bot.services.outbox import OutgoingMessage
from bot.services.refusals import Code, Refusal

__all__ = [
    "Rename",
    "RenameAsked",
    "RenameDecided",
    "RenameQuestion",
    "Renamed",
    "ask_new_contact",
    "confirm",
    "keep",
    "tell_coordinators",
    "waiting",
    "waiting_listed",
]


@dataclass(frozen=True)
class Renamed:
    """Renamed at once: the organisation never responded to a letter."""

    old: Organisation
    new: Organisation


@dataclass(frozen=True)
class RenameAsked:
    """The rename waits for the organisation."""

    rename: Rename
    organisation: Organisation  # as listed now (the old name)
    asked: int  # its contacts asked; 0: none can answer (no live contact), it waits
    replaced: Rename | None = None  # an earlier rename still waiting, now cancelled


RenameOutcome = Renamed | RenameAsked | ListedNameChange
# (the rename, the contact asked) → the question with its two buttons (None: nothing sent)
RenameQuestion = Callable[[Rename, Contact], OutgoingMessage | None]


def ask_nobody(rename: Rename, contact: Contact) -> OutgoingMessage | None:
    return None


async def needs_consent(db: Executor, organisation_id: int) -> bool:
    """Whether a rename must wait for the organisation: it has responded to a letter."""
    return await responses_repo.organisation_has_responded(db, organisation_id)


async def rename_in(
    tx: Transaction,
    organisation_id: int,
    raw_name: str,
    *,
    requested_by: Coordinator | None,
    actor: str,
    now: datetime,
    agreement: Agreement | None,
    approval_id: int | None,
    ask: RenameQuestion,
) -> RenameOutcome:
    """Renames at once, or asks the organisation (see the module's docstring)."""
    old, name = await membership.new_name_for(tx, organisation_id, raw_name)
    if not await needs_consent(tx, organisation_id):
        data = with_agreement({}, agreement)
        return Renamed(old, await membership.rename_in(tx, old, name, actor=actor, now=now,
                                                       data=data))  # fmt: skip
    return await _ask_organisation(
        tx, old, old.name, name, None, requested_by=requested_by, actor=actor, now=now,
        agreement=agreement, approval_id=approval_id, ask=ask,
    )  # fmt: skip


@dataclass(frozen=True)
class ListedNameTarget:
    """What a language's list shows now and would show after a change of the
    organisation's own name in that language (``own`` None: the primary name is listed)."""

    organisation: Organisation
    language: str
    own: str | None
    listed_now: str
    listed_then: str


async def listed_name_target(
    db: Executor, organisation_id: int, language: str, raw_name: str | None
) -> ListedNameTarget:
    """``/orgname <org> <lang> <name|->`` checked: the language, the name (None or "-":
    clear it), the organisation active, the name nobody else's; refused when nothing would
    change."""
    language = org_names.check_language(language)
    own = org_names.clean_listed_name(raw_name)
    current = await org_names.listed(db, organisation_id)
    if own is not None:
        await membership.refuse_clash(db, membership.org_name_key(own), exclude=organisation_id)
    if own == current.names.get(language):
        raise Refusal(Code.ORG_NAME_UNCHANGED, name=current.name_in(language))
    return ListedNameTarget(
        current.organisation, language, own, current.name_in(language),
        own or current.organisation.name,
    )  # fmt: skip


async def listed_name_needs_consent(db: Executor, target: ListedNameTarget) -> bool:
    """A change of what a language's list shows, for an organisation that has responded."""
    return target.listed_then != target.listed_now and await needs_consent(
        db, target.organisation.id
    )


async def rename_listed_in(
    tx: Transaction,
    organisation_id: int,
    language: str,
    raw_name: str | None,
    *,
    requested_by: Coordinator | None,
    actor: str,
    now: datetime,
    agreement: Agreement | None,
    approval_id: int | None,
    ask: RenameQuestion,
) -> RenameOutcome:
    """The organisation's name in ``language``'s list (issue 17) changes at once, or —
    when what that list shows would change for an organisation that has responded — waits
    for the organisation like a rename of its primary name (``new_name``: what the list
    will show)."""
    target = await listed_name_target(tx, organisation_id, language, raw_name)
    if not await listed_name_needs_consent(tx, target):
        return await org_names.apply_listed_name(
            tx, target.organisation, target.language, target.own, actor=actor, now=now,
            data=with_agreement({}, agreement),
        )  # fmt: skip
    return await _ask_organisation(
        tx, target.organisation, target.listed_now, target.listed_then, target.language,
        requested_by=requested_by, actor=actor, now=now, agreement=agreement,
        approval_id=approval_id, ask=ask,
    )  # fmt: skip


async def _ask_organisation(
    tx: Transaction,
    organisation: Organisation,
    old: str,
    new: str,
    language: str | None,
    *,
    requested_by: Coordinator | None,
    actor: str,
    now: datetime,
    agreement: Agreement | None,
    approval_id: int | None,
    ask: RenameQuestion,
) -> RenameAsked:
    """A pending rename (replacing one waiting in the same list), each live contact asked."""
    organisation_id = organisation.id
    replaced = await repo.pending_in_language(tx, organisation_id, language)
    if replaced is not None:
        await repo.decide(tx, replaced.id, RenameStatus.CANCELLED, contact_id=None, now=now)
        await audit.append(
            tx, now=now, actor=actor, action="organisation.rename_cancelled",
            organisation_id=organisation_id, data={"rename": replaced.id, "why": "replaced"},
        )  # fmt: skip
    rename_id = await repo.insert(
        tx, organisation_id=organisation_id, old_name=old, new_name=new,
        requested_by=requested_by.id if requested_by else None, approval_id=approval_id,
        now=now, language=language,
    )  # fmt: skip
    data: dict[str, object] = {"rename": rename_id, "old": old, "new": new}
    if language is not None:
        data["language"] = language
    await audit.append(
        tx, now=now, actor=actor, action="organisation.rename_requested",
        organisation_id=organisation_id, data=with_agreement(data, agreement),
    )  # fmt: skip
    rename = await _existing(tx, rename_id)
    asked = 0
    for contact in await contacts_repo.live_of_organisation(tx, organisation_id):
        asked += await _ask(tx, rename, contact, ask, now=now)
    return RenameAsked(rename, organisation, asked, replaced)


async def _ask(
    tx: Transaction, rename: Rename, contact: Contact, ask: RenameQuestion, *, now: datetime
) -> int:
    """Queues the question to one contact (once per rename and contact); 1 when it was."""
    message = ask(rename, contact)
    if message is None or contact.telegram_user_id is None:
        return 0
    queued = await outbox.enqueue(
        tx, broadcast_id=None, contact_id=contact.id, chat_id=contact.telegram_user_id,
        letter_id=None, kind="notice", message=message,
        dedupe_key=f"rename:{rename.id}:contact:{contact.id}", now=now,
    )  # fmt: skip
    return int(queued)


async def ask_new_contact(
    db: Database, contact: Contact, *, now: datetime, ask: RenameQuestion
) -> int:
    """A contact who just joined is asked about their organisation's rename waiting, if
    any (nobody could answer it before)."""
    if contact.organisation_id is None:
        return 0
    async with db.transaction() as tx:
        asked = 0
        for rename in await repo.all_pending_of_organisation(tx, contact.organisation_id):
            current = await contacts_repo.existing(tx, contact.id)
            asked += await _ask(tx, rename, current, ask, now=now)
        return asked


async def _existing(db: Executor, rename_id: int) -> Rename:
    rename = await repo.get(db, rename_id)
    if rename is None:
        raise Refusal(Code.RENAME_NOT_PENDING)
    return rename


# --- the organisation answers -------------------------------------------------------------------


@dataclass(frozen=True)
class RenameDecided:
    rename: Rename  # as decided
    organisation: Organisation  # as listed now
    confirmed: bool  # True: the new name; False: the old one kept
    by: Contact


async def _answerable(tx: Transaction, contact: Contact, rename_id: int) -> Rename:
    """A rename waiting for the contact's own organisation, asked of a contact with
    access; any other is refused alike (forged button data learns nothing)."""
    rename = await repo.get(tx, rename_id)
    current = await contacts_repo.get(tx, contact.id)
    if (
        rename is None
        or not rename.pending
        or current is None
        or not current.status.live
        or current.organisation_id != rename.organisation_id
        or await organisations_repo.get_active(tx, rename.organisation_id) is None
    ):
        raise Refusal(Code.RENAME_NOT_PENDING)
    return rename


async def confirm(
    db: Database, contact: Contact, rename_id: int, *, now: datetime
) -> RenameDecided:
    """ "Use NEW": the organisation is listed under the new name from now on (on the letters
    it signed too)."""
    async with db.transaction() as tx:
        rename = await _answerable(tx, contact, rename_id)
        if rename.language is not None:
            decided = await _confirm_listed(tx, rename, contact, now=now)
        else:
            decided = await _confirm_primary(tx, rename, contact, now=now)
        if isinstance(decided, RenameDecided):
            return decided
        # It can never be applied (``decided``: why): it ends, committed, instead of
        # waiting for ever.
        await repo.decide(tx, rename.id, RenameStatus.CANCELLED, contact_id=None, now=now)
        await audit.append(
            tx, now=now, actor=f"contact:{contact.id}",
            action="organisation.rename_cancelled", organisation_id=rename.organisation_id,
            data={"rename": rename.id, "why": decided},
        )  # fmt: skip
    raise Refusal(Code.RENAME_NOT_PENDING)  # "already answered or withdrawn: nothing changed"


def _confirmation(rename: Rename, contact: Contact) -> dict[str, object]:
    return {"rename": rename.id, "confirmed_by": f"contact:{contact.id}"}


async def _confirm_primary(
    tx: Transaction, rename: Rename, contact: Contact, *, now: datetime
) -> RenameDecided | str:
    """The primary name becomes ``new_name`` (else why not)."""
    try:
        old, name = await membership.new_name_for(tx, rename.organisation_id, rename.new_name)
    except Refusal:
        return "name taken"  # by another organisation, meanwhile
    await repo.decide(tx, rename.id, RenameStatus.CONFIRMED, contact_id=contact.id, now=now)
    renamed = await membership.rename_in(
        tx, old, name, actor=f"contact:{contact.id}", now=now,
        data=_confirmation(rename, contact),
    )  # fmt: skip
    return RenameDecided(await _existing(tx, rename.id), renamed, True, contact)


async def _confirm_listed(
    tx: Transaction, rename: Rename, contact: Contact, *, now: datetime
) -> RenameDecided | str:
    """A listed name: the language's list shows ``new_name`` from now on (its own name, or
    none when that is the primary name); only if it still shows ``old_name``."""
    language = rename.language or ""
    current = await org_names.listed(tx, rename.organisation_id)
    if current.name_in(language) != rename.old_name:
        return "changed"  # the list shows another name now (the primary name changed)
    own = None if rename.new_name == current.organisation.name else rename.new_name
    try:
        change = await org_names.apply_listed_name(
            tx, current.organisation, language, own, actor=f"contact:{contact.id}", now=now,
            data=_confirmation(rename, contact),
        )  # fmt: skip
    except Refusal:
        return "name taken"
    if not change.changed:
        return "changed"
    await repo.decide(tx, rename.id, RenameStatus.CONFIRMED, contact_id=contact.id, now=now)
    return RenameDecided(await _existing(tx, rename.id), current.organisation, True, contact)


async def keep(db: Database, contact: Contact, rename_id: int, *, now: datetime) -> RenameDecided:
    """ "Keep OLD": the name stays as the organisation signed under it."""
    async with db.transaction() as tx:
        rename = await _answerable(tx, contact, rename_id)
        await repo.decide(tx, rename.id, RenameStatus.KEPT, contact_id=contact.id, now=now)
        await audit.append(
            tx, now=now, actor=f"contact:{contact.id}", action="organisation.rename_kept",
            organisation_id=rename.organisation_id, contact_id=contact.id,
            data={"rename": rename.id, "kept": rename.old_name},
        )  # fmt: skip
        organisation = await organisations_repo.existing(tx, rename.organisation_id)
        return RenameDecided(await _existing(tx, rename.id), organisation, False, contact)


async def tell_coordinators(
    db: Database, rename: Rename, texts_by_chat: Mapping[int, str], *, now: datetime
) -> int:
    """Queues the organisation's answer to every coordinator (``texts_by_chat``: their chat
    → the HTML text in their language), once per rename and chat; how many were queued."""
    queued = 0
    async with db.transaction() as tx:
        for chat, text in texts_by_chat.items():
            message = OutgoingMessage("sendMessage", {"text": text, "parse_mode": "HTML"})
            queued += await outbox.enqueue(
                tx, broadcast_id=None, contact_id=None, chat_id=chat, letter_id=None,
                kind="notice", message=message, now=now,
                dedupe_key=f"rename:{rename.id}:decided:to:{chat}",
            )  # fmt: skip
    return queued


# --- what coordinators see ----------------------------------------------------------------------


async def waiting(db: Executor) -> dict[int, Rename]:
    """Renames of the primary name waiting for their organisation, by organisation:
    coordinators' views show "OLD (rename to NEW waiting for the organisation)"; lists and
    exports show OLD."""
    return {
        rename.organisation_id: rename
        for rename in await repo.pending(db)
        if rename.language is None
    }


async def waiting_listed(db: Executor) -> dict[tuple[int, str], Rename]:
    """Changes of a name in a language's list waiting for their organisation, by
    (organisation, language): "OLD (to be listed in be as NEW, waiting …)"."""
    return {
        (rename.organisation_id, rename.language): rename
        for rename in await repo.pending(db)
        if rename.language is not None
    }
