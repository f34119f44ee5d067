"""Organisations, contacts and invites: the rules, without Telegram.

Every change runs in one transaction together with its audit event. Failures are
``Refusal``s.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.db import audit
from bot.db import contacts as contacts_repo
from bot.db import coordinators as coordinators_repo
from bot.db import deliveries as deliveries_repo
from bot.db import invites as invites_repo
from bot.db import organisations as organisations_repo
from bot.db import renames as renames_repo
from bot.db.connection import Database, Executor, Transaction
from bot.db.contacts import Contact, ContactWithOrganisation
from bot.db.deliveries import DeletionOutcome
from bot.db.invites import Invite, PendingInvite
from bot.db.organisations import Organisation
from bot.db.types import ContactRole, ContactStatus, OrganisationStatus, RenameStatus
from bot.services import outbox
from bot.services.agreement import Agreement, with_agreement
from bot.services.collation import LANGUAGES as LIST_LANGUAGES
from bot.services.outbox import OutgoingMessage
from bot.services.refusals import Code, Refusal

MAX_ORG_NAME = 300
MAX_LABEL = 100
TOKEN_BYTES = 24  # 192 bits; base64url gives 32 characters, within Telegram's 64
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Invisible characters that must not make two names differ.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Quotation marks and dashes as keyboards, Word and phones type them: one form each, so that
# `Centre "Viasna"`, `Centre “Viasna”` and `Centre «Viasna»` are one organisation.
_QUOTES = "\"'`´‘’‚‛“”„‟«»‹›′″〝〞＂＇"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"
_SAME_MARKS = {
    **{ord(ch): '"' for ch in _QUOTES},
    **{ord(ch): "-" for ch in _DASHES},
    **_INVISIBLE,
}


def clean_org_name(raw: str) -> str:
    """The name as typed, minus surrounding spaces; refused if unusable in a list."""
    name = raw.strip()
    if not name:
        raise Refusal(Code.ORG_NAME_EMPTY)
    if len(name) > MAX_ORG_NAME:
        raise Refusal(Code.ORG_NAME_TOO_LONG, limit=MAX_ORG_NAME)
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise Refusal(Code.ORG_NAME_INVALID)  # line breaks, tabs, control characters
    return name


def org_name_key(name: str) -> str:
    """The identity of a name for duplicate checks only (the name itself is kept as typed).

    Two names are the same organisation when they differ only in Unicode form (NFKC),
    case, spaces, invisible characters, the kind of quotation marks or of dashes. Stored
    keys follow this function: ``refresh_name_keys`` recomputes them at start-up.
    """
    folded = unicodedata.normalize("NFKC", name).casefold().translate(_SAME_MARKS)
    return "".join(folded.split())


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


# --- organisations ----------------------------------------------------------------------------


async def refuse_clash(db: Executor, key: str, *, exclude: int | None = None) -> None:
    """Refuses (``ORG_DUPLICATE``, naming it) a name whose ``org_name_key`` is ``key`` when
    another active organisation is listed so already: by its primary name or by its name in
    any language. ``exclude``: the organisation being named (its own names may agree)."""
    primary = await organisations_repo.find_active_by_key(db, key)
    if primary is not None and primary.id != exclude:
        raise Refusal(Code.ORG_DUPLICATE, name=primary.name, org_id=primary.id)
    for listed in await organisations_repo.find_active_by_listed_key(db, key):
        if listed.organisation_id != exclude:
            raise Refusal(Code.ORG_DUPLICATE, name=listed.name, org_id=listed.organisation_id)


async def add_organisation(
    db: Database,
    raw_name: str,
    *,
    actor: str,
    now: datetime,
    names: Mapping[str, str] | None = None,
    sort_key: str | None = None,
) -> Organisation:
    """Adds an organisation; ``names`` are its listed names by language (en, ru, be: see
    ``org_names``) and ``sort_key`` its place in every list, all added together or not at
    all."""
    name = clean_org_name(raw_name)
    key = org_name_key(name)
    listed = {language: clean_org_name(raw) for language, raw in (names or {}).items()}
    if not set(listed) <= set(LIST_LANGUAGES):
        raise ValueError(f"listed names only in {LIST_LANGUAGES}, not {sorted(listed)}")
    ordered_by = clean_org_name(sort_key) if sort_key is not None else None
    async with db.transaction() as tx:
        for new_key in {key, *map(org_name_key, listed.values())}:
            await refuse_clash(tx, new_key)
        org_id = await organisations_repo.insert(tx, name=name, name_key=key, now=now)
        for language, listed_name in sorted(listed.items()):
            await organisations_repo.put_listed_name(
                tx, org_id, language, name=listed_name, name_key=org_name_key(listed_name)
            )
        if ordered_by is not None:
            await organisations_repo.set_sort_key(tx, org_id, ordered_by)
        data: dict[str, object] = {"name": name}
        if listed:
            data["names"] = listed
        if ordered_by is not None:
            data["sort_key"] = ordered_by
        await audit.append(
            tx, now=now, actor=actor, action="organisation.added",
            organisation_id=org_id, data=data,
        )  # fmt: skip
        return await organisations_repo.existing(tx, org_id)


async def rename_organisation(
    db: Database,
    org_id: int,
    raw_name: str,
    *,
    actor: str,
    now: datetime,
    agreement: Agreement | None = None,
) -> tuple[Organisation, Organisation]:
    """Renames the organisation at once (one that has responded to a letter is renamed
    only when it agrees: ``bot.services.renames``)."""
    async with db.transaction() as tx:
        old, name = await new_name_for(tx, org_id, raw_name)
        new = await rename_in(
            tx, old, name, actor=actor, now=now, data=with_agreement({}, agreement)
        )
        return old, new


async def new_name_for(db: Executor, org_id: int, raw_name: str) -> tuple[Organisation, str]:
    """The active organisation and the name it would take; refused when the name is
    unusable, the same as now, or another organisation's."""
    name = clean_org_name(raw_name)
    old = await organisations_repo.get_active(db, org_id)
    if old is None:
        raise Refusal(Code.ORG_NOT_FOUND, ref=org_id)
    if name == old.name:
        raise Refusal(Code.ORG_NAME_UNCHANGED, name=name)
    await refuse_clash(db, org_name_key(name), exclude=org_id)
    return old, name


async def rename_in(
    tx: Transaction,
    old: Organisation,
    name: str,
    *,
    actor: str,
    now: datetime,
    data: Mapping[str, object],
) -> Organisation:
    """The listed name becomes ``name`` (checked by ``new_name_for``), audited with
    ``data`` besides the old and new names (how it was agreed, who confirmed it)."""
    await organisations_repo.rename(tx, old.id, name=name, name_key=org_name_key(name))
    await audit.append(
        tx, now=now, actor=actor, action="organisation.renamed", organisation_id=old.id,
        data={**data, "old": old.name, "new": name},
    )  # fmt: skip
    return await organisations_repo.existing(tx, old.id)


@dataclass(frozen=True)
class Removal:
    """What removing contacts did to their chats: the bot's messages about letters still
    there are being deleted (``deletions``: the deliveries, for ``deletion_outcome`` once the
    outbox's deletion sweep ran); ``undeletable`` ones Telegram had refused to delete before."""

    contacts: int
    deletions: tuple[int, ...]
    undeletable: int


async def _cut_off(tx: Transaction, contact_ids: list[int], *, now: datetime) -> Removal:
    """After contacts lost access: nothing more goes to them, and what the bot sent them
    about letters (summaries, full texts, files, notices, reminders) is deleted at once,
    where Telegram still allows it (48 hours): a removal usually means a seized phone."""
    await deliveries_repo.cancel_queued_for_contacts(tx, contact_ids)
    marked = await deliveries_repo.delete_messages_of_contacts_now(tx, contact_ids, now=now)
    undeletable = await deliveries_repo.undeletable_of_contacts(tx, contact_ids)
    return Removal(len(contact_ids), tuple(marked), undeletable)


async def deletion_outcome(db: Executor, removal: Removal) -> DeletionOutcome:
    """How the deletion of a removal's messages went (after the outbox's deletion sweep)."""
    return await deliveries_repo.deletion_outcome(db, removal.deletions)


async def organisation_to_remove(db: Executor, org_id: int) -> tuple[Organisation, int]:
    """The organisation and how many contacts would lose access; what /removeorg asks about."""
    org = await organisations_repo.get_active(db, org_id)
    if org is None:
        raise Refusal(Code.ORG_NOT_FOUND, ref=org_id)
    return org, len(await contacts_repo.not_removed_of_organisation(db, org_id))


async def remove_organisation(
    db: Database,
    org_id: int,
    *,
    actor: str,
    now: datetime,
    agreement: Agreement | None = None,
) -> tuple[Organisation, Removal]:
    """Removes the organisation; its contacts lose access at once, its history stays."""
    async with db.transaction() as tx:
        return await remove_organisation_in(tx, org_id, actor=actor, now=now, agreement=agreement)


async def remove_organisation_in(
    tx: Transaction,
    org_id: int,
    *,
    actor: str,
    now: datetime,
    agreement: Agreement | None,
) -> tuple[Organisation, Removal]:
    """``remove_organisation`` in the caller's transaction (an approval's)."""
    org = await organisations_repo.get_active(tx, org_id)
    if org is None:
        raise Refusal(Code.ORG_NOT_FOUND, ref=org_id)
    contact_ids = await contacts_repo.not_removed_of_organisation(tx, org_id)
    await organisations_repo.mark_removed(tx, org_id, now=now)
    await invites_repo.revoke_all_for_organisation(tx, org_id, now=now)
    removed = await contacts_repo.remove_all_of_organisation(tx, org_id, now=now)
    removal = await _cut_off(tx, contact_ids, now=now)
    for waiting in await renames_repo.all_pending_of_organisation(tx, org_id):
        # nobody is left to answer it
        await renames_repo.decide(tx, waiting.id, RenameStatus.CANCELLED, contact_id=None, now=now)
        await audit.append(
            tx, now=now, actor=actor, action="organisation.rename_cancelled",
            organisation_id=org_id, data={"rename": waiting.id, "why": "removed"},
        )  # fmt: skip
    await audit.append(
        tx, now=now, actor=actor, action="organisation.removed",
        organisation_id=org_id, data=with_agreement(
            {"name": org.name, "contacts_removed": removed, "to_delete": len(removal.deletions)},
            agreement,
        ),
    )  # fmt: skip
    return org, removal


# Never in a computed key: names can't hold control characters (``clean_org_name``).
_APART = "\x1f"


@dataclass(frozen=True)
class NameClash:
    """Two active organisations whose names are the same by ``org_name_key``."""

    kept: Organisation  # the first added: new names that match it are refused, naming it
    other: Organisation


async def refresh_name_keys(db: Database) -> list[NameClash]:
    """Recomputes every stored ``name_key`` with today's ``org_name_key`` (at start-up).

    A key can't be computed in SQL, so a change of the rules reaches existing rows here,
    not in a migration. Active organisations that now turn out to be the same (e.g. one
    added with straight quotes beside one with curly quotes) all stay: the one added
    first gets the key, the others a key of their own (key, a separator, id) so the unique index
    holds; they are returned for the operator to sort out (/removeorg).
    """
    clashes: list[NameClash] = []
    async with db.transaction() as tx:
        organisations = await organisations_repo.every(tx)
        first: dict[str, Organisation] = {}
        wanted: dict[int, str] = {}
        for org in organisations:
            key = org_name_key(org.name)
            if org.status is OrganisationStatus.ACTIVE:
                if key in first:
                    clashes.append(NameClash(first[key], org))
                    key = f"{key}{_APART}{org.id}"
                else:
                    first[key] = org
            wanted[org.id] = key
        changed = [org for org in organisations if org.name_key != wanted[org.id]]
        # Two steps, so that no row ever takes a key another row still holds.
        for org in changed:
            await organisations_repo.set_name_key(tx, org.id, f"{_APART}{org.id}")
        for org in changed:
            await organisations_repo.set_name_key(tx, org.id, wanted[org.id])
        for listed in await organisations_repo.all_listed_names(tx):  # no unique index there
            if listed.name_key != org_name_key(listed.name):
                await organisations_repo.set_listed_name_key(
                    tx, listed.organisation_id, listed.language, org_name_key(listed.name)
                )
    return clashes


def _number(ref: str) -> int | None:
    value = ref.strip().removeprefix("#")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 12 else None


async def find_organisation(db: Executor, ref: str) -> Organisation | None:
    """An active organisation by its name (compared as ``org_name_key`` does; a listed name in
    any language too) or number.

    The name is tried first: "7 Days" is an organisation's name before it is a number.
    """
    if ref.strip():
        named = await _named(db, org_name_key(ref))
        if named is not None:
            return named
    number = _number(ref)
    return None if number is None else await organisations_repo.get_active(db, number)


async def _named(db: Executor, key: str) -> Organisation | None:
    """The active organisation listed under a name with this key: its primary name, else
    its name in a language (``Вясна`` finds the organisation whose Belarusian name it is)."""
    named = await organisations_repo.find_active_by_key(db, key)
    if named is not None:
        return named
    listed = await organisations_repo.find_active_by_listed_key(db, key)
    owners = {name.organisation_id for name in listed}
    return await organisations_repo.get_active(db, owners.pop()) if len(owners) == 1 else None


async def organisation_and_rest(db: Executor, text: str) -> tuple[Organisation, str]:
    """The organisation a command starts with (its name or number), and the rest as typed.

    ``/invite Human Rights Center “Viasna” Anna, lawyer``: the longest start of the text
    that names an organisation wins, then a number. Refused (``ORG_NAME_NOT_FOUND`` or
    ``ORG_NOT_FOUND``) when neither does.
    """
    ends = [word.end() for word in re.finditer(r"\S+", text)]
    for end in reversed(ends):
        named = await _named(db, org_name_key(text[:end]))
        if named is not None:
            return named, text[end:].strip()
    first, _, rest = text.strip().partition(" ")
    number = _number(first)
    if number is None:
        raise Refusal(Code.ORG_NAME_NOT_FOUND, text=text.strip())
    found = await organisations_repo.get_active(db, number)
    if found is None:
        raise Refusal(Code.ORG_NOT_FOUND, ref=number)
    return found, rest.strip()


@dataclass(frozen=True)
class OrganisationEntry:
    organisation: Organisation
    contacts: list[Contact]
    names: Mapping[str, str] = field(default_factory=dict)  # its own listed names, by language


async def all_organisations(db: Executor) -> list[OrganisationEntry]:
    """Active organisations in the order they were added, each with all its contacts and
    its listed names (``/orgs``; the sort key is on the organisation)."""
    orgs = await organisations_repo.all_active(db)
    contacts = await contacts_repo.of_active_organisations(db)
    by_org: dict[int, list[Contact]] = {o.id: [] for o in orgs}
    for contact in contacts:
        if contact.organisation_id in by_org:
            by_org[contact.organisation_id].append(contact)
    names: dict[int, dict[str, str]] = {}
    for listed in await organisations_repo.all_listed_names(db):
        names.setdefault(listed.organisation_id, {})[listed.language] = listed.name
    return [OrganisationEntry(o, by_org[o.id], names.get(o.id, {})) for o in orgs]


# --- invites ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvite:
    invite_id: int
    contact_id: int
    token: str = field(repr=False)  # shown once to the coordinator, never stored
    organisation: Organisation
    label: str | None
    expires_at: datetime


def clean_label(raw: str | None) -> str | None:
    if raw is None:
        return None
    label = " ".join(raw.split())
    if not label:
        return None
    if len(label) > MAX_LABEL:
        raise Refusal(Code.LABEL_TOO_LONG, limit=MAX_LABEL)
    return label


async def issue_invite(
    db: Database,
    org_id: int,
    *,
    label: str | None,
    created_by: int | None,
    actor: str,
    now: datetime,
    ttl: timedelta,
) -> IssuedInvite:
    label = clean_label(label)
    token = new_token()
    expires_at = now + ttl
    async with db.transaction() as tx:
        org = await organisations_repo.get_active(tx, org_id)
        if org is None:
            raise Refusal(Code.ORG_NOT_FOUND, ref=org_id)
        contact_id = await contacts_repo.insert_invited_member(
            tx, organisation_id=org_id, label=label, now=now
        )
        invite_id = await invites_repo.insert(
            tx,
            contact_id=contact_id,
            token_hash=hash_token(token),
            created_by=created_by,
            now=now,
            expires_at=expires_at,
        )
        await audit.append(
            tx, now=now, actor=actor, action="invite.issued", organisation_id=org_id,
            contact_id=contact_id, data={"invite_id": invite_id, "expires_at": expires_at},
        )  # fmt: skip
    return IssuedInvite(invite_id, contact_id, token, org, label, expires_at)


@dataclass(frozen=True)
class Joined:
    contact: Contact
    organisation: Organisation


@dataclass(frozen=True)
class AlreadyBound:
    organisation_name: str | None  # None: the account is a coordinator


class InvalidInvite:
    """Unknown, expired, revoked or used: deliberately indistinguishable to the presenter."""


INVALID_INVITE = InvalidInvite()


@dataclass(frozen=True)
class ReusedInvite(InvalidInvite):
    """An invitation used already, presented again by another account (or by the one that
    used it, since removed): the person it was meant for may find their link used by an
    impostor. The presenter gets what any invalid invite gets; coordinators are alerted."""

    invite_id: int
    contact_id: int  # who joined with it
    label: str | None
    organisation_name: str
    used_at: datetime
    presented_by: int  # the Telegram id of the account presenting it now; nothing else of it


@dataclass(frozen=True)
class CoordinatorJoined:
    """A coordinator invitation used: the account is a coordinator from now on."""

    contact: Contact
    added_by: int | None  # the coordinator contact who asked for the invitation


RedeemResult = Joined | CoordinatorJoined | AlreadyBound | InvalidInvite
# What each coordinator is told when a member joined (the join, the coordinator's language
# → the message), queued in the join's transaction.
JoinNotice = Callable[[Joined, str], OutgoingMessage]


async def redeem_invite(
    db: Database,
    token: str,
    *,
    telegram_user_id: int,
    display_name: str,
    language: str,
    now: datetime,
    tell: JoinNotice | None = None,
) -> RedeemResult:
    """``tell``: what every coordinator is told when a member joins."""
    if not TOKEN_SHAPE.match(token):
        return INVALID_INVITE
    async with db.transaction() as tx:
        invite = await invites_repo.by_token_hash(tx, hash_token(token))
        if invite is None:
            return INVALID_INVITE
        bound = await contacts_repo.live_by_telegram_user(tx, telegram_user_id)
        if invite.used_at is not None:
            if bound is not None and bound.id == invite.contact_id:
                org = await organisations_repo.get(tx, bound.organisation_id or 0)
                return AlreadyBound(org.name if org else None)  # their own link, again
            return await _reused(tx, invite, invite.used_at, presented_by=telegram_user_id)
        if invite.revoked_at or invite.expires_at <= now:
            return INVALID_INVITE
        if bound is not None:  # a member, or a coordinator (None: no organisation)
            org = await organisations_repo.get(tx, bound.organisation_id or 0)
            return AlreadyBound(org.name if org else None)
        contact = await contacts_repo.get(tx, invite.contact_id)
        if contact is not None and contact.role is ContactRole.COORDINATOR:
            return await _join_as_coordinator(
                tx, invite, contact, telegram_user_id=telegram_user_id,
                display_name=display_name, language=language, now=now,
            )  # fmt: skip
        org = (
            await organisations_repo.get_active(tx, contact.organisation_id or 0)
            if contact
            else None
        )
        if contact is None or org is None or contact.status is not ContactStatus.INVITED:
            return INVALID_INVITE
        if await invites_repo.mark_used(tx, invite.id, used_by=telegram_user_id, now=now) != 1:
            return INVALID_INVITE
        await contacts_repo.bind(
            tx, contact.id, telegram_user_id=telegram_user_id,
            display_name=display_name, language=language, now=now,
        )  # fmt: skip
        await audit.append(
            tx, now=now, actor=f"contact:{contact.id}", action="invite.used",
            organisation_id=org.id, contact_id=contact.id,
            data={"invite_id": invite.id, "telegram_user_id": telegram_user_id},
        )  # fmt: skip
        joined = Joined(await contacts_repo.existing(tx, contact.id), org)
        if tell is not None:
            for coordinator in await coordinators_repo.live(tx):
                if coordinator.telegram_user_id is None:
                    continue
                await outbox.enqueue(
                    tx, broadcast_id=None, contact_id=None, chat_id=coordinator.telegram_user_id,
                    letter_id=None, kind="notice", message=tell(joined, coordinator.language),
                    dedupe_key=f"joined:{invite.id}:to:{coordinator.telegram_user_id}", now=now,
                )  # fmt: skip
        return joined


async def _join_as_coordinator(
    tx: Transaction,
    invite: Invite,
    contact: Contact,
    *,
    telegram_user_id: int,
    display_name: str,
    language: str,
    now: datetime,
) -> CoordinatorJoined | InvalidInvite:
    """A coordinator invitation (approved where two coordinators had to agree) binds the
    account to the invited coordinator contact."""
    if contact.status is not ContactStatus.INVITED:
        return INVALID_INVITE
    if await invites_repo.mark_used(tx, invite.id, used_by=telegram_user_id, now=now) != 1:
        return INVALID_INVITE
    await coordinators_repo.bind(
        tx, contact.id, telegram_user_id=telegram_user_id, display_name=display_name,
        language=language, now=now,
    )  # fmt: skip
    await audit.append(
        tx, now=now, actor=f"coordinator:{telegram_user_id}", action="coordinator.added",
        contact_id=contact.id,
        data={"telegram_user_id": telegram_user_id, "via": "invitation", "invite_id": invite.id},
    )  # fmt: skip
    joined = await coordinators_repo.get(tx, contact.id)
    return CoordinatorJoined(
        await contacts_repo.existing(tx, contact.id), joined.added_by if joined else None
    )


async def _reused(
    tx: Transaction, invite: Invite, used_at: datetime, *, presented_by: int
) -> ReusedInvite:
    contact = await contacts_repo.existing(tx, invite.contact_id)  # an invite's own contact
    org = await organisations_repo.get(tx, contact.organisation_id or 0)
    return ReusedInvite(
        invite.id, contact.id, contact.label, org.name if org else "", used_at, presented_by
    )


async def alert_reused_invite(
    db: Database,
    reuse: ReusedInvite,
    notices: Mapping[int, OutgoingMessage],
    *,
    now: datetime,
) -> int:
    """Queues the alert about a reused invitation (``notices``: coordinator chat → message)
    in the outbox, once per invitation and presenting account; returns how many."""
    queued = 0
    async with db.transaction() as tx:
        for chat_id, message in notices.items():
            queued += await outbox.enqueue(
                tx,
                broadcast_id=None,
                contact_id=None,
                chat_id=chat_id,
                letter_id=None,
                kind="notice",
                message=message,
                dedupe_key=f"invite:{reuse.invite_id}:reused-by:{reuse.presented_by}:to:{chat_id}",
                now=now,
            )
    return queued


async def pending_invites(db: Executor, *, now: datetime) -> list[PendingInvite]:
    return await invites_repo.pending(db, now=now)


async def revoke_invite(
    db: Database, invite_id: int, *, actor: str, now: datetime
) -> PendingInvite:
    async with db.transaction() as tx:
        item = await invites_repo.get_pending(tx, invite_id, now=now)
        if item is None or await invites_repo.revoke(tx, invite_id, now=now) != 1:
            raise Refusal(Code.INVITE_NOT_PENDING, ref=invite_id)
        # The contact never joined: it is gone with its invitation.
        await contacts_repo.set_status(tx, item.invite.contact_id, ContactStatus.REMOVED, now=now)
        await audit.append(
            tx, now=now, actor=actor, action="invite.revoked",
            organisation_id=item.organisation_id, contact_id=item.invite.contact_id,
            data={"invite_id": invite_id},
        )  # fmt: skip
    return item


# --- contacts ---------------------------------------------------------------------------------


async def live_contacts(db: Executor) -> list[ContactWithOrganisation]:
    return await contacts_repo.live_members(db)


async def contact_to_remove(db: Executor, contact_id: int) -> ContactWithOrganisation:
    """The contact /removecontact asks about, if it has access."""
    item = await contacts_repo.live_member_with_organisation(db, contact_id)
    if item is None:
        raise Refusal(Code.CONTACT_NOT_FOUND, ref=contact_id)
    return item


async def remove_contact(
    db: Database, contact_id: int, *, actor: str, now: datetime
) -> tuple[ContactWithOrganisation, Removal]:
    async with db.transaction() as tx:
        item = await contact_to_remove(tx, contact_id)
        await contacts_repo.set_status(tx, contact_id, ContactStatus.REMOVED, now=now)
        removal = await _cut_off(tx, [contact_id], now=now)
        await audit.append(
            tx, now=now, actor=actor, action="contact.removed",
            organisation_id=item.contact.organisation_id, contact_id=contact_id,
            data={"to_delete": len(removal.deletions)},
        )  # fmt: skip
    return item, removal


async def set_reachable(db: Database, contact: Contact, reachable: bool, *, now: datetime) -> bool:
    """Records that a member blocked the bot, or is back; True when that changed."""
    async with db.transaction() as tx:
        changed = await contacts_repo.set_reachability(tx, contact.id, reachable=reachable) == 1
        if changed:
            await audit.append(
                tx, now=now, actor=f"contact:{contact.id}",
                action="contact.reachable" if reachable else "contact.unreachable",
                organisation_id=contact.organisation_id, contact_id=contact.id,
            )  # fmt: skip
    return changed
