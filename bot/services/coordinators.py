"""Coordinators are records: who they are, how they come and go. No Telegram here.

A coordinator is a contact with role 'coordinator' that has access (``access.identify``
asks this, on every update). They come three ways:

* ``COORDINATOR_IDS`` at start-up (``bootstrap``): each id that is not a coordinator is
  made one, unless that account was removed as a coordinator on purpose (through the bot
  or the CLI) — then it stays removed and a warning says how to restore it; the operator
  with the server is the root of trust, and a coordinator removed by two people must not
  come back by a restart. One added this way and later dropped from the list stops being
  a coordinator at that start (that is what removing an id meant before coordinators
  were records, and what an operator taking a seized account's rights away expects).
* ``coalition-bot coordinators add ID`` (``add_from_cli``).
* A single-use coordinator invitation, after a second coordinator's approval where there
  are two (``bot.services.approvals``): approving creates the invited coordinator
  contact; the link is minted when the requester presses for it (``invitation_link``,
  once), so its token is never stored, not even in the outbox; using it is
  ``membership.redeem_invite``.

Removal is effective at once, never of the last coordinator, and cancels the removed
coordinator's pending requests (``remove_in``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.db import approvals as approvals_repo
from bot.db import audit
from bot.db import contacts as contacts_repo
from bot.db import coordinators as repo
from bot.db import deliveries as deliveries_repo
from bot.db import invites as invites_repo
from bot.db.approvals import Approval
from bot.db.connection import Database, Executor, Transaction
from bot.db.contacts import Contact
from bot.db.coordinators import Coordinator
from bot.db.types import (
    ApprovalKind,
    ApprovalStatus,
    ContactRole,
    ContactStatus,
    CoordinatorRemoval,
    CoordinatorSource,
)
from bot.services.agreement import ALONE, Agreement, with_agreement
from bot.services.membership import clean_label, hash_token, new_token
from bot.services.refusals import Code, Refusal

__all__ = [
    "Bootstrap",
    "Coordinator",
    "CoordinatorRemoved",
    "IssuedCoordinatorInvite",
    "active",
    "add_from_cli",
    "bootstrap",
    "every",
    "first_heard",
    "invitation_link",
    "invited",
    "is_active",
    "languages",
    "remove_from_cli",
]

DEFAULT_LANGUAGE = "en"


def actor_of(coordinator: Coordinator) -> str:
    """How the audit log names a coordinator."""
    return f"coordinator:{coordinator.telegram_user_id}"


# --- who they are -----------------------------------------------------------------------------


async def active(db: Executor) -> list[Coordinator]:
    """Every coordinator with access, in the order they became one."""
    return await repo.live(db)


async def invited(db: Executor) -> list[Coordinator]:
    """Coordinator invitations not used yet (/coordinators lists them)."""
    return await repo.invited(db)


async def every(db: Executor) -> list[Coordinator]:
    """Every coordinator contact there ever was, removed ones too."""
    return await repo.every(db)


async def count(db: Executor) -> int:
    return await repo.live_count(db)


async def of_account(db: Executor, telegram_user_id: int) -> Coordinator | None:
    """The account's coordinator record, if it is a coordinator now."""
    return await repo.live_by_telegram_user(db, telegram_user_id)


async def is_active(db: Executor, telegram_user_id: int) -> bool:
    return await of_account(db, telegram_user_id) is not None


async def languages(db: Executor) -> dict[int, str]:
    """Every coordinator's chat (their Telegram id) and the language they read, in order of
    their ids: what goes to every coordinator is rendered once per coordinator."""
    found = {c.telegram_user_id: c.language for c in await active(db) if c.telegram_user_id}
    return dict(sorted(found.items()))


async def acting(db: Executor, telegram_user_id: int) -> Coordinator:
    """The coordinator behind an action, checked now (a removed one is refused)."""
    coordinator = await of_account(db, telegram_user_id)
    if coordinator is None:
        raise Refusal(Code.NOT_COORDINATOR)
    return coordinator


async def first_heard(
    db: Database, contact: Contact, *, display_name: str, language: str, now: datetime
) -> Contact:
    """A coordinator's first update (one added from the settings or the CLI has not
    written before): their name and the language of their app are recorded."""
    async with db.transaction() as tx:
        changed = await repo.set_heard_from(
            tx, contact.id, display_name=display_name, language=language, now=now
        )
        if changed:
            await audit.append(
                tx, now=now, actor=f"coordinator:{contact.telegram_user_id}",
                action="coordinator.registered", contact_id=contact.id,
                data={"language": language},
            )  # fmt: skip
        return await contacts_repo.existing(tx, contact.id)


# --- from the settings and the CLI -------------------------------------------------------------


@dataclass(frozen=True)
class Bootstrap:
    """What ``COORDINATOR_IDS`` did at start-up (Telegram ids)."""

    added: tuple[int, ...] = ()  # made coordinators
    dropped: tuple[int, ...] = ()  # added from the list before, not in it now: removed
    kept_removed: tuple[int, ...] = ()  # removed on purpose before: not added again
    members: tuple[int, ...] = ()  # the account is a member's contact: not added


async def bootstrap(db: Database, ids: frozenset[int] | set[int], *, now: datetime) -> Bootstrap:
    """Makes ``COORDINATOR_IDS`` true at start-up (see the module's docstring)."""
    added: list[int] = []
    kept_removed: list[int] = []
    members: list[int] = []
    dropped: list[int] = []
    async with db.transaction() as tx:
        for telegram_user_id in sorted(ids):
            live = await contacts_repo.live_by_telegram_user(tx, telegram_user_id)
            if live is not None:
                if live.role is not ContactRole.COORDINATOR:
                    members.append(telegram_user_id)
                continue
            latest = await repo.latest_of_telegram_user(tx, telegram_user_id)
            if latest is not None and latest.removed_how not in (
                None,
                CoordinatorRemoval.SETTINGS,
            ):
                kept_removed.append(telegram_user_id)
                continue
            await _add(
                tx, telegram_user_id, CoordinatorSource.SETTINGS, actor="settings",
                language=latest.language if latest else DEFAULT_LANGUAGE, now=now,
                agreement=None,
            )  # fmt: skip
            added.append(telegram_user_id)
        for coordinator in await repo.live(tx):
            account = coordinator.telegram_user_id
            if coordinator.added_how is CoordinatorSource.SETTINGS and account not in ids:
                await remove_in(
                    tx, coordinator.id, actor="settings", how=CoordinatorRemoval.SETTINGS,
                    now=now, agreement=None, keep_one=False,
                )  # fmt: skip
                dropped.append(account or 0)
    return Bootstrap(tuple(added), tuple(dropped), tuple(kept_removed), tuple(members))


async def _add(
    tx: Transaction,
    telegram_user_id: int,
    how: CoordinatorSource,
    *,
    actor: str,
    language: str,
    now: datetime,
    agreement: Agreement | None,
) -> int:
    contact_id = await repo.insert_active(
        tx, telegram_user_id=telegram_user_id, language=language, added_how=how, now=now
    )
    await audit.append(
        tx, now=now, actor=actor, action="coordinator.added", contact_id=contact_id,
        data=with_agreement({"telegram_user_id": telegram_user_id, "via": str(how)}, agreement),
    )  # fmt: skip
    return contact_id


async def add_from_cli(db: Database, telegram_user_id: int, *, now: datetime) -> Coordinator:
    """``coalition-bot coordinators add ID``: the operator's way to restore a coordinator
    removed through the bot (``COORDINATOR_IDS`` does not bring them back)."""
    async with db.transaction() as tx:
        live = await contacts_repo.live_by_telegram_user(tx, telegram_user_id)
        if live is not None:
            if live.role is ContactRole.COORDINATOR:
                raise Refusal(Code.COORDINATOR_ALREADY, ref=telegram_user_id)
            raise Refusal(Code.ACCOUNT_IS_MEMBER, ref=telegram_user_id)
        latest = await repo.latest_of_telegram_user(tx, telegram_user_id)
        contact_id = await _add(
            tx, telegram_user_id, CoordinatorSource.CLI, actor="cli",
            language=latest.language if latest else DEFAULT_LANGUAGE, now=now, agreement=ALONE,
        )  # fmt: skip
        return await _existing(tx, contact_id)


async def remove_from_cli(
    db: Database, telegram_user_id: int, *, now: datetime
) -> CoordinatorRemoved:
    """``coalition-bot coordinators remove ID`` (never the last coordinator)."""
    async with db.transaction() as tx:
        coordinator = await repo.live_by_telegram_user(tx, telegram_user_id)
        if coordinator is None:
            raise Refusal(Code.COORDINATOR_NOT_FOUND, ref=telegram_user_id)
        return await remove_in(
            tx, coordinator.id, actor="cli", how=CoordinatorRemoval.CLI, now=now,
            agreement=ALONE,
        )  # fmt: skip


async def _existing(db: Executor, contact_id: int) -> Coordinator:
    coordinator = await repo.get(db, contact_id)
    if coordinator is None:
        raise Refusal(Code.COORDINATOR_NOT_FOUND, ref=contact_id)
    return coordinator


# --- removing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoordinatorRemoved:
    coordinator: Coordinator  # as they were before the removal
    cancelled: tuple[Approval, ...] = field(default=())  # their requests, pending till now


async def removable(db: Executor, contact_id: int) -> Coordinator:
    """The coordinator /removecoordinator would remove: one with access, not the last —
    or one invited who has not joined (their link, if shown, stops working)."""
    coordinator = await repo.get(db, contact_id)
    if coordinator is None or coordinator.status is ContactStatus.REMOVED:
        raise Refusal(Code.COORDINATOR_NOT_FOUND, ref=contact_id)
    if coordinator.status is not ContactStatus.INVITED and not coordinator.live:
        raise Refusal(Code.COORDINATOR_NOT_FOUND, ref=contact_id)
    if coordinator.live and await repo.live_count(db) <= 1:
        raise Refusal(Code.LAST_COORDINATOR)
    return coordinator


async def remove_in(
    tx: Transaction,
    contact_id: int,
    *,
    actor: str,
    how: CoordinatorRemoval,
    now: datetime,
    agreement: Agreement | None,
    keep_one: bool = True,
) -> CoordinatorRemoved:
    """Removes a coordinator in the caller's transaction, effective at their next update:
    nothing more is sent to them, and the requests they made and nobody decided are
    cancelled (a request outlives no requester). ``keep_one``: never the last one (the
    settings may drop every coordinator, as an empty ``COORDINATOR_IDS`` always did)."""
    if keep_one:
        coordinator = await removable(tx, contact_id)
    else:
        coordinator = await _existing(tx, contact_id)
    await repo.mark_removed(tx, contact_id, how, now=now)
    await invites_repo.revoke_of_contact(tx, contact_id, now=now)  # an unused link dies
    await deliveries_repo.cancel_queued_for_contacts(tx, [contact_id])
    if coordinator.telegram_user_id is not None:
        await deliveries_repo.cancel_queued_for_chat(tx, coordinator.telegram_user_id)
    await audit.append(
        tx, now=now, actor=actor, action="coordinator.removed", contact_id=contact_id,
        data=with_agreement(
            {"telegram_user_id": coordinator.telegram_user_id, "via": str(how)}, agreement
        ),
    )  # fmt: skip
    cancelled = []
    for request in await approvals_repo.pending_requested_by(tx, contact_id):
        await approvals_repo.decide(
            tx, request.id, ApprovalStatus.CANCELLED, decided_by=None, now=now
        )
        await audit.append(
            tx, now=now, actor=actor, action="approval.cancelled",
            letter_id=request.letter_id, organisation_id=request.organisation_id,
            data={"approval": request.id, "kind": request.kind, "why": "requester removed"},
        )  # fmt: skip
        cancelled.append(await approvals_repo.get(tx, request.id) or request)
    return CoordinatorRemoved(coordinator, tuple(cancelled))


# --- invitations -------------------------------------------------------------------------------


async def invite_in(
    tx: Transaction,
    *,
    label: str | None,
    requested_by: Coordinator,
    now: datetime,
    agreement: Agreement | None,
) -> Coordinator:
    """A coordinator to be (its link is minted later, once: ``mint_in``)."""
    contact_id = await repo.insert_invited(
        tx, label=clean_label(label), added_by=requested_by.id, now=now
    )
    await audit.append(
        tx, now=now, actor=actor_of(requested_by), action="coordinator.invited",
        contact_id=contact_id, data=with_agreement({}, agreement),
    )  # fmt: skip
    return await _existing(tx, contact_id)


@dataclass(frozen=True)
class IssuedCoordinatorInvite:
    invite_id: int
    contact_id: int
    token: str = field(repr=False)  # shown once, in a direct answer; never stored
    label: str | None
    expires_at: datetime


async def mint_in(
    tx: Transaction,
    invited: Coordinator,
    *,
    requester: Coordinator,
    now: datetime,
    ttl: timedelta,
    ref: int,
) -> IssuedCoordinatorInvite:
    """The link for an invited coordinator, once (``ref``: what a refusal names)."""
    if invited.status is not ContactStatus.INVITED or await invites_repo.of_contact(tx, invited.id):
        raise Refusal(Code.INVITATION_SHOWN, ref=ref)
    token = new_token()
    expires_at = now + ttl
    invite_id = await invites_repo.insert(
        tx, contact_id=invited.id, token_hash=hash_token(token),
        created_by=requester.telegram_user_id, now=now, expires_at=expires_at,
    )  # fmt: skip
    await audit.append(
        tx, now=now, actor=actor_of(requester), action="coordinator.invite_issued",
        contact_id=invited.id, data={"invite_id": invite_id, "expires_at": expires_at},
    )  # fmt: skip
    return IssuedCoordinatorInvite(invite_id, invited.id, token, invited.label, expires_at)


async def invitation_link(
    db: Database, approval_id: int, *, by: int, now: datetime, ttl: timedelta
) -> IssuedCoordinatorInvite:
    """The "Show the invitation link" button of an approved invitation: only the
    coordinator who asked for it (``by``: their Telegram id), still a coordinator, and
    only once; the token goes into the direct answer and nowhere else."""
    async with db.transaction() as tx:
        requester = await acting(tx, by)
        approval = await approvals_repo.get(tx, approval_id)
        if approval is None or approval.kind is not ApprovalKind.ADD_COORDINATOR:
            raise Refusal(Code.APPROVAL_NOT_FOUND, ref=approval_id)
        if approval.requested_by != requester.id:
            raise Refusal(Code.APPROVAL_NOT_YOURS, ref=approval_id)
        if approval.status is not ApprovalStatus.APPROVED or approval.contact_id is None:
            raise Refusal(Code.APPROVAL_DECIDED, ref=approval_id)
        invited = await _existing(tx, approval.contact_id)
        return await mint_in(tx, invited, requester=requester, now=now, ttl=ttl, ref=approval_id)
