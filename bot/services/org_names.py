"""Organisations as they are listed: a name per language and a sort key. No Telegram here.

A letter published in English, Russian and Belarusian lists each organisation under its
name in that language (``organisation_names``), or under its primary name
(``organisations.name``) where it has none, and orders the list by that language's
collation; an organisation's sort key, when it has one, decides its place in every
language ("Viasna" files «Вясна» under V in English). Every listed name takes part in the
near-duplicate check (``membership.refuse_clash``).

Changing what an organisation that has responded is listed as changes a record other
people hold (the lists it signed): issue 16 makes such a change wait for the
organisation's agreement (a pending rename with its language). ``set_listed_name`` takes
that path as a parameter (``defer``) and ``apply_listed_name`` is what the path calls
once the organisation agreed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.db import audit
from bot.db import organisations as organisations_repo
from bot.db.connection import Database, Executor, Transaction
from bot.db.organisations import Organisation
from bot.services import collation, membership
from bot.services.refusals import ECHO_LIMIT, Code, Refusal

LANGUAGES = collation.LANGUAGES  # en, ru, be: the languages a list is made in


def check_language(raw: str) -> str:
    """``raw`` as one of the list languages (``en``, ``ru``, ``be``; any case)."""
    language = raw.strip().lower()
    if language not in LANGUAGES:
        raise Refusal(Code.LANGUAGE_UNKNOWN, raw=raw.strip()[:ECHO_LIMIT])
    return language


@dataclass(frozen=True)
class ListedOrganisation:
    """An organisation with its own listed names: what each language's list shows."""

    organisation: Organisation
    names: Mapping[str, str] = field(default_factory=dict)  # language → its own listed name

    def name_in(self, language: str) -> str:
        """The name ``language``'s list shows: its own, else the primary name."""
        return self.names.get(language) or self.organisation.name

    def sort_key_in(self, language: str) -> collation.SortKey:
        return sort_key(self.name_in(language), language, self.organisation.sort_key)


def sort_key(name: str, language: str, key: str | None) -> collation.SortKey:
    """Where a listed name files in ``language``'s list (the one ordering of every list)."""
    return collation.sort_key(name, language, key=key)


async def listed(db: Executor, org_id: int) -> ListedOrganisation:
    """The active organisation with its listed names (``ORG_NOT_FOUND`` otherwise)."""
    organisation = await organisations_repo.get_active(db, org_id)
    if organisation is None:
        raise Refusal(Code.ORG_NOT_FOUND, ref=org_id)
    return ListedOrganisation(organisation, await organisations_repo.listed_names(db, org_id))


async def listed_names_by_organisation(db: Executor) -> dict[int, dict[str, str]]:
    """Every organisation's own listed names (active or removed), by organisation id."""
    names: dict[int, dict[str, str]] = {}
    for row in await organisations_repo.all_listed_names(db):
        names.setdefault(row.organisation_id, {})[row.language] = row.name
    return names


# --- a listed name --------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedNameChange:
    """A language's listed name changed (or was already so: ``changed`` False)."""

    organisation: Organisation
    language: str
    old: str | None  # its own name in that language before; None: the primary was listed
    new: str | None  # None: the primary name is listed from now on
    changed: bool


@dataclass(frozen=True)
class ListedNameRequest:
    """What a rename path (issue 16) receives: an organisation that has responded is to be
    listed as ``new`` (None: its primary name) in ``language`` instead of ``listed_now``."""

    organisation: Organisation
    language: str
    old: str | None
    new: str | None
    listed_now: str
    listed_then: str


@dataclass(frozen=True)
class ListedNameWaiting:
    """The change waits for the organisation's agreement (issue 16's pending rename)."""

    request: ListedNameRequest
    rename_id: int


# The pending-rename path (issue 16): records the request in the caller's transaction and
# returns the pending rename's id; the organisation's answer later calls apply_listed_name.
DeferRename = Callable[[Transaction, ListedNameRequest], Awaitable[int]]


def clean_listed_name(raw: str | None) -> str | None:
    """A listed name as typed: None (or "-") clears it; anything else must be usable."""
    return _clean_optional_name(raw)


def _clean_optional_name(raw: str | None) -> str | None:
    """None or "-" clears; anything else must be a usable name."""
    if raw is None or raw.strip() == "-":
        return None
    return membership.clean_org_name(raw)


async def set_listed_name(
    db: Database,
    org_id: int,
    language: str,
    raw_name: str | None,
    *,
    actor: str,
    now: datetime,
    defer: DeferRename | None = None,
) -> ListedNameChange | ListedNameWaiting:
    """``/orgname <org> <lang> <name|->``: sets (or clears, with None or "-") the
    organisation's name in ``language``'s list.

    When the organisation has responded to any letter and what that language lists would
    change, ``defer`` (issue 16's pending-rename path) takes the request instead and the
    name stays until the organisation agrees. Without ``defer`` the name changes at once:
    ``/orgname`` goes through issue 16's path instead, ``approvals.request(db,
    RenameOrganisation(org_id, name_or_dash, language=language), …)`` (a second
    coordinator's approval where there are two, then the organisation's yes:
    ``renames.rename_listed_in``).
    """
    language = check_language(language)
    name = _clean_optional_name(raw_name)
    async with db.transaction() as tx:
        current = await listed(tx, org_id)
        if name is not None:
            await membership.refuse_clash(tx, membership.org_name_key(name), exclude=org_id)
        old = current.names.get(language)
        listed_now = current.name_in(language)
        listed_then = name or current.organisation.name
        if (
            defer is not None
            and listed_then != listed_now
            and await organisations_repo.has_responded(tx, org_id)
        ):
            request = ListedNameRequest(
                current.organisation, language, old, name, listed_now, listed_then
            )
            return ListedNameWaiting(request, await defer(tx, request))
        return await apply_listed_name(
            tx, current.organisation, language, name, actor=actor, now=now
        )


async def apply_listed_name(
    tx: Transaction,
    organisation: Organisation,
    language: str,
    name: str | None,
    *,
    actor: str,
    now: datetime,
    data: Mapping[str, object] | None = None,
) -> ListedNameChange:
    """Lists the organisation as ``name`` (None: its primary name) in ``language``, in the
    caller's transaction, audited ``organisation.listed_name`` with ``data`` added (issue
    16's confirmation: who agreed, which rename). The name is checked for duplicates again:
    another organisation may have taken it while the change waited."""
    if name is not None:
        await membership.refuse_clash(tx, membership.org_name_key(name), exclude=organisation.id)
    old = (await organisations_repo.listed_names(tx, organisation.id)).get(language)
    if old == name:
        return ListedNameChange(organisation, language, old, name, changed=False)
    if name is None:
        await organisations_repo.delete_listed_name(tx, organisation.id, language)
    else:
        await organisations_repo.put_listed_name(
            tx, organisation.id, language, name=name, name_key=membership.org_name_key(name)
        )
    await audit.append(
        tx, now=now, actor=actor, action="organisation.listed_name",
        organisation_id=organisation.id,
        data={**(data or {}), "language": language, "old": old, "new": name},
    )  # fmt: skip
    return ListedNameChange(organisation, language, old, name, changed=True)


# --- the sort key ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SortKeyChange:
    organisation: Organisation  # as it is now
    old: str | None
    new: str | None
    changed: bool


async def set_sort_key(
    db: Database, org_id: int, raw_key: str | None, *, actor: str, now: datetime
) -> SortKeyChange:
    """Where the organisation files in every list (None or "-": by its listed name). Only
    the order changes, never a name, so no agreement is asked for."""
    key = _clean_optional_name(raw_key)
    async with db.transaction() as tx:
        organisation = (await listed(tx, org_id)).organisation
        old = organisation.sort_key
        if old == key:
            return SortKeyChange(organisation, old, key, changed=False)
        await organisations_repo.set_sort_key(tx, org_id, key)
        await audit.append(
            tx, now=now, actor=actor, action="organisation.sort_key", organisation_id=org_id,
            data={"old": old, "new": key},
        )  # fmt: skip
        return SortKeyChange(await organisations_repo.existing(tx, org_id), old, key, True)
