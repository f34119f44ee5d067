"""Two people for what cannot be undone or changes the record. No Telegram here.

With two or more coordinators (and the approval rule on, as it is by default), these
actions need a second coordinator's yes: purging a letter, removing an organisation,
renaming one that has responded to any letter, reopening a letter, a minor revision of a
letter some organisation signed, moving a deadline earlier, adding or removing a
coordinator, and turning the rule off (turning it on needs nobody: it only makes things
stricter). Each is an ``Ask`` (one per kind, ``KINDS`` is the registry): it checks what
it would do against the database now (``check``), says exactly what will happen
(``describe``), and does it by calling the service that does it anyway (``execute``) —
the same function whether approved or done alone. This module only decides when.

``request`` answers ``Done`` (nothing to approve: done now; with a single coordinator a
record-changing action is audited as done without a second person) or ``Requested``
(an approval waits: the other coordinators are asked through the outbox). ``approve``
re-checks everything on every press — the presser is a coordinator now, not the
requester (nor the coordinator to be removed), the request is pending and not expired —
then does it in one transaction with the status change (``Approved``), or records why it
no longer can (``Failed``). ``reject``, ``cancel`` (by the requester) and ``expire_due``
(the scheduler's pass) end a request otherwise. Every step is an audit event
(``approval.*``: kind and subjects, never free text); the action's own event carries
``{"approval": id, "approved_by": "coordinator:<id>"}`` (``bot.services.agreement``).

What the notices look like is the presentation's: ``ActionContext`` carries the
composers (letter notices, the rename question, approval notices), as ``letter_queue``'s
callers pass theirs.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol

from bot.db import approvals as repo
from bot.db import audit
from bot.db import contacts as contacts_repo
from bot.db import coordinators as coordinators_repo
from bot.db import letters as letters_repo
from bot.db import organisations as organisations_repo
from bot.db import publications as publications_repo
from bot.db import responses as responses_repo
from bot.db import state as state_repo
from bot.db.approvals import Approval
from bot.db.connection import Database, Executor, Transaction
from bot.db.coordinators import Coordinator
from bot.db.letters import Letter, Recipient, Version
from bot.db.organisations import Organisation
from bot.db.timefmt import from_db, to_db
from bot.db.types import (
    ApprovalKind,
    ApprovalStatus,
    Channel,
    ContactStatus,
    CoordinatorRemoval,
    Decision,
    Listing,
)
from bot.services import (
    coordinators,
    letters,
    lifecycle,
    membership,
    outbox,
    publication,
    purge,
    recording,
    renames,
    translations,
)
from bot.services.agreement import ALONE, Agreement, with_agreement
from bot.services.coordinators import CoordinatorRemoved, IssuedCoordinatorInvite
from bot.services.letter_queue import Composer, NoticeComposer, PlannedMessage
from bot.services.letter_text import ParagraphChange, diff_paragraphs, fingerprint
from bot.services.letters import DeadlineMove, DraftSource, Revision
from bot.services.membership import Removal
from bot.services.org_names import ListedNameChange
from bot.services.outbox import OutgoingMessage
from bot.services.publication import Collecting, PublishedList
from bot.services.purge import Purge
from bot.services.recording import RecordedNotice, Recording, RecordRequest
from bot.services.refusals import Code, Refusal
from bot.services.renames import RenameAsked, Renamed, RenameQuestion
from bot.services.translations import (
    TranslationChange,
    TranslationNoticeComposer,
    TranslationRevision,
)

__all__ = [
    "KINDS",
    "ActionContext",
    "ActionResult",
    "AddCoordinator",
    "AloneAction",
    "ApprovalNotice",
    "Approved",
    "Ask",
    "CollectSignatories",
    "CoordinatorInvited",
    "Description",
    "Done",
    "Event",
    "Failed",
    "MoveDeadline",
    "OrganisationRemoved",
    "PublishList",
    "PurgeLetter",
    "RecordResponse",
    "RemoveCoordinator",
    "RemoveOrganisation",
    "RenameOrganisation",
    "ReopenLetter",
    "Reopened",
    "Request",
    "Requested",
    "ReviseLetter",
    "Rule",
    "RuleChanged",
    "SetApprovalRule",
    "TranslateLetter",
    "approve",
    "cancel",
    "current_rule",
    "done_alone",
    "expire_due",
    "get_request",
    "next_expiry",
    "pending_requests",
    "reject",
    "request",
    "second_person_needed",
]

DEFAULT_TTL = timedelta(hours=48)
DRAFT_TEXT = DraftSource()  # a revision typed or pasted
RULE_KEY = "approval_rule"  # bot_state: 'two' (default) or 'one'


class Rule(enum.StrEnum):
    TWO = "two"  # a second coordinator approves, where there are two
    ONE = "one"  # every coordinator acts alone (still marked in the audit)


# --- what the presentation supplies -----------------------------------------------------------


class Event(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True)
class Description:
    """Exactly what a request will do, for its texts (fields by kind; the rest None)."""

    kind: ApprovalKind
    letter: Letter | None = None  # purge, reopen, revision, deadline (as it is now)
    organisation: Organisation | None = None  # removal, rename (as listed now)
    coordinator: Coordinator | None = None  # a coordinator to be removed
    new_name: str | None = None  # rename
    responded: bool = False  # rename, removal: the organisation responded to a letter
    contacts: int = 0  # removal: contacts who lose access
    signed: int = 0  # purge, reopen, revision: organisations whose signature stands on it
    deadline: datetime | None = None  # reopen, deadline: the new one
    previous_deadline: datetime | None = None  # deadline
    version: Version | None = None  # revision: the version it follows
    fingerprint: str | None = None  # revision: the new text's
    changes: tuple[ParagraphChange, ...] = ()  # revision (empty once the request ended)
    label: str | None = None  # a coordinator to be invited
    two_people: bool | None = None  # the approval rule asked for
    # rename: of the name in this language's list; minor_translation: the translation's.
    language: str | None = None
    # Issue 17 (RECORD_RESPONSE, PUBLISH, COLLECT; see those classes for what each sets).
    decision: Decision | None = None  # record: signed, declined or withdrawn
    listing: Listing | None = None  # record: a signature's listing
    channel: Channel | None = None  # record: the road the answer came by
    note: str | None = None  # record: the coordinator's note (None once the request ended)
    replaces_own: bool = False  # record: it replaces the organisation's own answer in the bot
    list_number: int | None = None  # publish: the list it makes; collect: the list it follows
    named: int = 0  # publish: organisations listed by name
    anonymous: int = 0  # publish: "and N organisations that cannot be named"
    added: tuple[str, ...] = ()  # publish: named since list N-1 (primary names)
    withdrawn: tuple[str, ...] = ()  # publish: named in list N-1, not in this one
    invited: int = 0  # collect: organisations that have not signed, to be invited


@dataclass(frozen=True)
class Request:
    """An approval with what it will do and who asked."""

    approval: Approval
    description: Description
    requested_by: Coordinator

    def can_decide(self, coordinator: Coordinator) -> bool:
        """Whether this coordinator may approve or reject it: not its requester, and not
        the coordinator it would remove."""
        return coordinator.id != self.approval.requested_by and not (
            self.approval.kind is ApprovalKind.REMOVE_COORDINATOR
            and coordinator.id == self.approval.contact_id
        )


@dataclass(frozen=True)
class ApprovalNotice:
    """What one step of a request tells coordinators (through the outbox)."""

    event: Event
    request: Request
    decided_by: Coordinator | None = None
    refusal: Refusal | None = None  # FAILED: why it could not be done
    result: ActionResult | None = None  # APPROVED: what was done


# (the notice, the coordinator told) → their message (Approve / Reject buttons on REQUESTED
# for one who ``can_decide``); None: nothing is sent.
ApprovalComposer = Callable[[ApprovalNotice, Coordinator], OutgoingMessage | None]


def _no_messages(letter: Letter, version: Version, r: Recipient, now: datetime) -> list[Any]:
    return []


def _no_notices(
    letter: Letter, version: Version, previous: Version, r: Recipient, now: datetime
) -> Sequence[PlannedMessage]:
    return []


def _no_approval_notice(notice: ApprovalNotice, coordinator: Coordinator) -> None:
    return None


def _no_translation_notices(
    letter: Letter, version: Version, previous: Version, change: TranslationChange,
    r: Recipient, now: datetime,
) -> Sequence[PlannedMessage]:  # fmt: skip
    return []


@dataclass(frozen=True)
class ActionContext:
    """The moment, the settings an action needs, and how its messages look."""

    now: datetime
    approval_ttl: timedelta = DEFAULT_TTL
    invite_ttl: timedelta = timedelta(days=7)
    default_offsets: Sequence[timedelta] = ()
    reopened: Composer = _no_messages  # the reopen notice (with Withdraw for signers)
    deadline: Composer = _no_messages  # the deadline notice
    revision: NoticeComposer = _no_notices  # the revision notice with the diff
    rename_question: RenameQuestion = renames.ask_nobody
    approval: ApprovalComposer = _no_approval_notice
    recorded: RecordedNotice | None = None  # to an organisation whose answer was recorded
    invite: Composer = _no_messages  # collect: the neutral invitation to add a name
    tell_signed: Composer | None = None  # collect: to signatories (open again: can withdraw)
    translation: TranslationNoticeComposer = _no_translation_notices  # a translation changed


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationRemoved:
    organisation: Organisation
    removal: Removal


@dataclass(frozen=True)
class Reopened:
    letter: Letter


@dataclass(frozen=True)
class CoordinatorInvited:
    coordinator: Coordinator  # invited: bound to an account when the link is used
    # Done at once (a single coordinator): the link, for the direct answer. After an
    # approval: None, the requester's button mints it (``coordinators.invitation_link``).
    invitation: IssuedCoordinatorInvite | None = None


@dataclass(frozen=True)
class RuleChanged:
    two_people: bool


ActionResult = (
    Purge
    | OrganisationRemoved
    | Renamed
    | RenameAsked
    | ListedNameChange
    | Reopened
    | Revision
    | DeadlineMove
    | CoordinatorInvited
    | CoordinatorRemoved
    | RuleChanged
    | Recording
    | PublishedList
    | Collecting
    | TranslationRevision
)


@dataclass(frozen=True)
class Done:
    """Nothing to approve: done now. ``alone``: a record-changing action done by one
    coordinator alone (the only one, or the rule off), marked so in the audit."""

    result: ActionResult
    alone: bool


@dataclass(frozen=True)
class Requested:
    """An approval waits; ``deciders`` are the coordinators who can give it (all the
    other coordinators were told)."""

    request: Request
    deciders: tuple[Coordinator, ...]


@dataclass(frozen=True)
class Approved:
    request: Request
    result: ActionResult


@dataclass(frozen=True)
class Failed:
    """Approved, but it could no longer be done (``refusal``: why); nothing changed."""

    request: Request
    refusal: Refusal


# --- the kinds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Doing:
    """Who does an action (the coordinator who asked for it), how it was agreed (None:
    it needed no second person), the approval it comes from, and its context."""

    requester: Coordinator
    agreement: Agreement | None
    approval: Approval | None
    ctx: ActionContext

    @property
    def actor(self) -> str:
        return coordinators.actor_of(self.requester)

    @property
    def now(self) -> datetime:
        return self.ctx.now


@dataclass(frozen=True)
class Subjects:
    letter_id: int | None = None
    organisation_id: int | None = None
    contact_id: int | None = None


class Ask(Protocol):
    """One kind of action (see the module's docstring)."""

    kind: ClassVar[ApprovalKind]

    def subjects(self) -> Subjects: ...

    def params(self) -> dict[str, Any]: ...

    async def pinned(self, db: Executor, ctx: ActionContext) -> Ask:
        """This ask with what it is based on recorded (the version a revision follows,
        the deadline it moves), its input cleaned; refused as the action would be."""
        ...

    async def record_changing(self, db: Executor) -> bool:
        """Whether it is one that needs a second person, here and now."""
        ...

    async def check(self, db: Executor, ctx: ActionContext) -> None:
        """Raises the refusal the action would meet now."""
        ...

    async def describe(self, db: Executor) -> Description: ...

    async def execute(self, tx: Transaction, doing: Doing) -> ActionResult: ...


def _actor(coordinator: Coordinator) -> str:
    return coordinators.actor_of(coordinator)


async def _signed(db: Executor, letter_id: int) -> int:
    rows = await responses_repo.organisation_rows(db, letter_id)
    return sum(1 for row in rows if row.decision is Decision.SIGNED)


@dataclass(frozen=True)
class PurgeLetter:
    letter_id: int
    kind: ClassVar[ApprovalKind] = ApprovalKind.PURGE

    def subjects(self) -> Subjects:
        return Subjects(letter_id=self.letter_id)

    def params(self) -> dict[str, Any]:
        return {}

    @classmethod
    def restore(cls, approval: Approval) -> PurgeLetter:
        return cls(approval.letter_id or 0)

    async def pinned(self, db: Executor, ctx: ActionContext) -> PurgeLetter:
        return self

    async def record_changing(self, db: Executor) -> bool:
        return True

    async def check(self, db: Executor, ctx: ActionContext) -> None:
        await lifecycle.check_purgeable(db, self.letter_id)

    async def describe(self, db: Executor) -> Description:
        letter = await letters_repo.get(db, self.letter_id)
        return Description(self.kind, letter=letter, signed=await _signed(db, self.letter_id))

    async def execute(self, tx: Transaction, doing: Doing) -> ActionResult:
        return await purge.purge_in(
            tx, self.letter_id, actor=doing.actor, now=doing.now, agreement=doing.agreement
        )


@dataclass(frozen=True)
class RemoveOrganisation:
    organisation_id: int
    name: str = ""  # as listed when asked (shown if it is gone)
    kind: ClassVar[ApprovalKind] = ApprovalKind.REMOVE_ORGANISATION

    def subjects(self) -> Subjects:
        return Subjects(organisation_id=self.organisation_id)

    def params(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def restore(cls, approval: Approval) -> RemoveOrganisation:
        return cls(approval.organisation_id or 0, str(approval.data.get("name", "")))

    async def pinned(self, db: Executor, ctx: ActionContext) -> RemoveOrganisation:
        organisation, _ = await membership.organisation_to_remove(db, self.organisation_id)
        return replace(self, name=organisation.name)

    async def record_changing(self, db: Executor) -> bool:
        return True

    async def check(self, db: Executor, ctx: ActionContext) -> None:
        await membership.organisation_to_remove(db, self.organisation_id)

    async def describe(self, db: Executor) -> Description:
        organisation = await organisations_repo.get(db, self.organisation_id)
        contacts = await contacts_repo.not_removed_of_organisation(db, self.organisation_id)
        return Description(
            self.kind, organisation=organisation, contacts=len(contacts),
            responded=await renames.needs_consent(db, self.organisation_id),
        )  # fmt: skip

    async def execute(self, tx: Transaction, doing: Doing) -> ActionResult:
        organisation, removal = await membership.remove_organisation_in(
            tx, self.organisation_id, actor=doing.actor, now=doing.now, agreement=doing.agreement
        )
        return OrganisationRemoved(organisation, removal)


@dataclass(frozen=True)
class RenameOrganisation:
    """A new primary name — or, with ``language``, a new name in that language's list
    (issue 17's ``/orgname``; ``new_name`` "-" clears it: the primary name is listed).
    Needs a second person, and then the organisation's yes, when the organisation has
    responded to a letter and what a list shows would change."""

    organisation_id: int
    new_name: str
    language: str | None = None
    kind: ClassVar[ApprovalKind] = ApprovalKind.RENAME_ORGANISATION

    def subjects(self) -> Subjects:
        return Subjects(organisation_id=self.organisation_id)

    def params(self) -> dict[str, Any]:
        if self.language is None:
            return {"new": self.new_name}
        return {"new": self.new_name, "language": self.language}

    @classmethod
    def restore(cls, approval: Approval) -> RenameOrganisation:
        language = approval.data.get("language")
        return cls(
            approval.organisation_id or 0, str(approval.data.get("new", "")),
            language if isinstance(language, str) else None,
        )  # fmt: skip

    async def pinned(self, db: Executor, ctx: ActionContext) -> RenameOrganisation:
        if self.language is not None:
            target = await renames.listed_name_target(
                db, self.organisation_id, self.language, self.new_name
            )
            return replace(self, new_name=target.own or "-", language=target.language)
        _, name = await membership.new_name_for(db, self.organisation_id, self.new_name)
        return replace(self, new_name=name)

    async def record_changing(self, db: Executor) -> bool:
        if self.language is not None:
            target = await renames.listed_name_target(
                db, self.organisation_id, self.language, self.new_name
            )
            return await renames.listed_name_needs_consent(db, target)
        return await renames.needs_consent(db, self.organisation_id)

    async def check(self, db: Executor, ctx: ActionContext) -> None:
        if self.language is not None:
            await renames.listed_name_target(db, self.organisation_id, self.language, self.new_name)
            return
        await membership.new_name_for(db, self.organisation_id, self.new_name)

    async def describe(self, db: Executor) -> Description:
        new_name = self.new_name
        if self.language is not None:  # what that language's list will show
            organisation = await organisations_repo.get(db, self.organisation_id)
            cleared = new_name.strip() in ("", "-")
            new_name = organisation.name if cleared and organisation else new_name
        return Description(
            self.kind, organisation=await organisations_repo.get(db, self.organisation_id),
            new_name=new_name,
            responded=await renames.needs_consent(db, self.organisation_id),
            language=self.language,
        )  # fmt: skip

    async def execute(self, tx: Transaction, doing: Doing) -> ActionResult:
        if self.language is not None:
            return await renames.rename_listed_in(
                tx, self.organisation_id, self.language, self.new_name,
                requested_by=doing.requester, actor=doing.actor, now=doing.now,
                agreement=doing.agreement,
                approval_id=doing.approval.id if doing.approval else None,
                ask=doing.ctx.rename_question,
            )  # fmt: skip
        return await renames.rename_in(
            tx, self.organisation_id, self.new_name, requested_by=doing.requester,
            actor=doing.actor, now=doing.now, agreement=doing.agreement,
            approval_id=doing.approval.id if doing.approval else None,
            ask=doing.ctx.rename_question,
        )  # fmt: skip


@dataclass(frozen=True)
class ReopenLetter:
    letter_id: int
    deadline: datetime
    kind: ClassVar[ApprovalKind] = ApprovalKind.REOPEN

    def subjects(self) -> Subjects:
        return Subjects(letter_id=self.letter_id)

    def params(self) -> dict[str, Any]:
        return {"deadline": to_db(self.deadline)}

    @classmethod
    def restore(cls, approval: Approval) -> ReopenLetter:
        return cls(approval.letter_id or 0, _moment(approval.data.get("deadline")))

    async def pinned(self, db: Executor, ctx: ActionContext) -> ReopenLetter:
        return self

    async def record_changing(self, db: Executor) -> bool:
        return True

    async def check(self, db: Executor, ctx: ActionContext) -> None:
        await lifecycle.reopenable(db, self.letter_id, self.deadline, now=ctx.now)

    async def describe(self, db: Executor) -> Description:
        return Description(
            self.kind, letter=await letters_repo.get(db, self.letter_id), deadline=self.deadline,
            signed=await _signed(db, self.letter_id),
        )  # fmt: skip

    async def execute(self, tx: Transaction, doing: Doing) -> ActionResult:
        letter = await lifecycle.reopen_and_tell_in(
            tx, self.letter_id, self.deadline, actor=doing.actor, now=doing.now,
            default_offsets=doing.ctx.default_offsets, compose=doing.ctx.reopened,
            agreement=doing.agreement,
        )  # fmt: skip
        return Reopened(letter)


@dataclass(frozen=True)
class ReviseLetter:
    """A new version: a material one never needs approval (it asks every signatory to
    sign again), a minor one does when some organisation has signed."""

    letter_id: int
    body: str
    material: bool
    source: DraftSource = DRAFT_TEXT
    after: int | None = None  # the version it follows (pinned when asked)
    kind: ClassVar[ApprovalKind] = ApprovalKind.MINOR_REVISION

    def subjects(self) -> Subjects:
        return Subjects(letter_id=self.letter_id)

    def params(self) -> dict[str, Any]:
        return {
            "body": self.body, "fingerprint": fingerprint(self.body), "after": self.after,
            "source": self.source.kind, "file_id": self.source.file_id,
            "file_name": self.source.file_name,
        }  # fmt: skip

    @classmethod
    def restore(cls, approval: Approval) -> ReviseLetter:
        data = approval.data
        source = DraftSource(
            str(data.get("source") or "text"), data.get("file_id"), data.get("file_name")
        )
        after = data.get("after")
        return cls(
            approval.letter_id or 0, str(data.get("body") or ""), False, source,
            after if isinstance(after, int) else None,
        )  # fmt: skip

    async def pinned(self, db: Executor, ctx: ActionContext) -> ReviseLetter:
        body = letters.clean_body(self.body)
        _, latest = await letters.revisable(db, self.letter_id)
        return replace(self, body=body, after=latest.number)

    async def record_changing(self, db: Executor) -> bool:
        return not self.material and await responses_repo.has_signatures(db, self.letter_id)

    async def check(self, db: Executor, ctx: ActionContext) -> None:
        if not self.body:  # a request whose text a purge removed
            raise Refusal(Code.LETTER_PURGED, ref=self.letter_id)
        _, latest = await letters.revisable(db, self.letter_id)
        if self.after is not None and latest.number != self.after:
            raise Refusal(Code.APPROVAL_STALE, ref=self.letter_id)
        await letters.revision_draft(db, self.letter_id, self.body)

    async def describe(self, db: Executor) -> Description:
        letter = await letters_repo.get(db, self.letter_id)
        versions = await letters_repo.versions(db, self.letter_id)
        previous = next((v for v in versions if v.number == self.after), None)
        changes: tuple[ParagraphChange, ...] = ()
        if previous is not None and previous.body is not None and self.body:
            changes = tuple(diff_paragraphs(previous.body, self.body))
        return Description(
            self.kind, letter=letter, version=previous,
            fingerprint=fingerprint(self.body) if self.body else None, changes=changes,
            signed=await _signed(db, self.letter_id),
        )  # fmt: skip

    async def execute(self, tx: Transaction, doing: Doing) -> ActionResult:
        return await letters.revise_in(
            tx, self.letter_id, body=self.body, material=self.material, source=self.source,
            created_by=doing.requester.telegram_user_id, actor=doing.actor, now=doing.now,
            compose_notice=doing.ctx.revision, agreement=doing.agreement,
        )  # fmt: skip


@dataclass(frozen=True)
class MoveDeadline:
    """A new deadline: an earlier one needs approval (it shortens the time to answer)."""

    letter_id: int
    deadline: datetime
    previous: datetime | None = None  # pinned when asked
    kind: ClassVar[ApprovalKind] = ApprovalKind.DEADLINE_EARLIER

    def subjects(self) -> Subjects:
        return Subjects(letter_id=self.letter_id)

    def params(self) -> dict[str, Any]:
        previous = None if self.previous is None else to_db(self.previous)
        return {"deadline": to_db(self.deadline), "from": previous}

    @classmethod
    def restore(cls, approval: Approval) -> MoveDeadline:
        data = approval.data
        previous = data.get("from")
        return cls(
            approval.letter_id or 0,
            _moment(data.get("deadline")),
            _moment(previous) if previous else None,
        )

    async def pinned(self, db: Executor, ctx: ActionContext) -> MoveDeadline:
        letter = await letters.deadline_movable(db, self.letter_id, self.deadline, now=ctx.now)
        return replace(self, previous=letter.deadline)

    async def record_changing(self, db: Executor) -> bool:
        letter = await letters_repo.get(db, self.letter_id)
        return letter is not None and self.deadline < letter.deadline

    async def check(self, db: Executor, ctx: ActionContext) -> None:
        letter = await letters.deadline_movable(db, self.letter_id, self.deadline, now=ctx.now)
        if self.previous is not None and letter.deadline != self.previous:
            raise Refusal(Code.APPROVAL_STALE, ref=self.letter_id)

    async def describe(self, db: Executor) -> Description:
        letter = await letters_repo.get(db, self.letter_id)
        previous = self.previous or (letter.deadline if letter else None)
        return Description(
            self.kind, letter=letter, deadline=self.deadline, previous_deadline=previous
        )

    async def execute(self, tx: Transaction, doing: Doing) -> ActionResult:
        return await letters.move_deadline_in(
            tx, self.letter_id, self.deadline, actor=doing.actor, now=doing.now,
            compose=doing.ctx.deadline, default_offsets=doing.ctx.default_offsets,
            agreement=doing.agreement,
        )  # fmt: skip


@dataclass(frozen=True)
class AddCoordinator:
    label: str | None = None  # who it is for, as the requester notes it
    kind: ClassVar[ApprovalKind] = ApprovalKind.ADD_COORDINATOR

    def subjects(self) -> Subjects:
        return Subjects()

    def params(self) -> dict[str, Any]:
        return {"label": self.label}

    @classmethod
    def restore(cls, approval: Approval) -> AddCoordinator:
        label = approval.data.get("label")
        return cls(label if isinstance(label, str) else None)

    async def pinned(self, db: Executor, ctx: ActionContext) -> AddCoordinator:
        return replace(self, label=membership.clean_label(self.label))

    async def record_changing(self, db: Executor) -> bool:
        return True

    async def check(self, db: Executor, ctx: ActionContext) -> None:
        membership.clean_label(self.label)

    async def describe(self, db: Executor) -> Description:
        return Description(self.kind, label=self.label)

    async def execute(self, tx: Transaction, doing: Doing) -> ActionResult:
        invited = await coordinators.invite_in(
            tx, label=self.label, requested_by=doing.requester, now=doing.now,
            agreement=doing.agreement,
        )  # fmt: skip
        if doing.approval is not None:  # the requester's button mints the link later, once
            await repo.set_contact(tx, doing.approval.id, invited.id)
            return CoordinatorInvited(invited)
        issued = await coordinators.mint_in(
            tx, invited, requester=doing.requester, now=doing.now, ttl=doing.ctx.invite_ttl,
            ref=invited.id,
        )  # fmt: skip
        return CoordinatorInvited(invited, issued)


@dataclass(frozen=True)
class RemoveCoordinator:
    contact_id: int  # the coordinator's contact
    kind: ClassVar[ApprovalKind] = ApprovalKind.REMOVE_COORDINATOR

    def subjects(self) -> Subjects:
        return Subjects(contact_id=self.contact_id)

    def params(self) -> dict[str, Any]:
        return {}

    @classmethod
    def restore(cls, approval: Approval) -> RemoveCoordinator:
        return cls(approval.contact_id or 0)

    async def pinned(self, db: Executor, ctx: ActionContext) -> RemoveCoordinator:
        return self

    async def record_changing(self, db: Executor) -> bool:
        # Withdrawing the invitation of one who has not joined only makes things stricter.
        coordinator = await coordinators_repo.get(db, self.contact_id)
        return coordinator is None or coordinator.status is not ContactStatus.INVITED

    async def check(self, db: Executor, ctx: ActionContext) -> None:
        await coordinators.removable(db, self.contact_id)

    async def describe(self, db: Executor) -> Description:
        return Description(self.kind, coordinator=await coordinators_repo.get(db, self.contact_id))

    async def execute(self, tx: Transaction, doing: Doing) -> ActionResult:
        removed = await coordinators.remove_in(
            tx, self.contact_id, actor=doing.actor, how=CoordinatorRemoval.BOT,
            now=doing.now, agreement=doing.agreement,
        )  # fmt: skip
        for cancelled in removed.cancelled:  # the removed coordinator's own requests
            request = await _request(tx, cancelled)
            notice = ApprovalNotice(Event.CANCELLED, request)
            await _tell(tx, notice, await _everyone(tx), doing.ctx)
        return removed


@dataclass(frozen=True)
class SetApprovalRule:
    two_people: bool
    kind: ClassVar[ApprovalKind] = ApprovalKind.APPROVAL_RULE

    def subjects(self) -> Subjects:
        return Subjects()

    def params(self) -> dict[str, Any]:
        return {"rule": Rule.TWO if self.two_people else Rule.ONE}

    @classmethod
    def restore(cls, approval: Approval) -> SetApprovalRule:
        return cls(approval.data.get("rule") != Rule.ONE)

    async def pinned(self, db: Executor, ctx: ActionContext) -> SetApprovalRule:
        return self

    async def record_changing(self, db: Executor) -> bool:
        return not self.two_people  # on again only makes things stricter

    async def check(self, db: Executor, ctx: ActionContext) -> None:
        if await current_rule(db) is (Rule.TWO if self.two_people else Rule.ONE):
            raise Refusal(Code.RULE_UNCHANGED)

    async def describe(self, db: Executor) -> Description:
        return Description(self.kind, two_people=self.two_people)

    async def execute(self, tx: Transaction, doing: Doing) -> ActionResult:
        await self.check(tx, doing.ctx)
        rule = Rule.TWO if self.two_people else Rule.ONE
        await state_repo.put(tx, RULE_KEY, rule)
        await audit.append(
            tx, now=doing.now, actor=doing.actor, action="approval.rule",
            data=with_agreement({"rule": str(rule)}, doing.agreement),
        )  # fmt: skip
        return RuleChanged(self.two_people)


# --- issue 17: responses recorded, lists published, signatories collected ---------------------


@dataclass(frozen=True)
class RecordResponse:
    """A response that came by another road (e-mail, Signal, …), recorded by a coordinator
    for the organisation (``recording.record_response``). Always record-changing.

    Description: ``letter``, ``organisation`` (as listed now), ``decision``, ``listing``
    (signed only), ``version`` (the version it agreed to: pinned to the latest when the
    request names none), ``channel``, ``note`` (None once the request ended: it is text a
    purge clears), ``replaces_own`` (it replaces an answer the organisation gave in the bot
    itself), ``signed`` (organisations signed on the letter now)."""

    request: RecordRequest
    kind: ClassVar[ApprovalKind] = ApprovalKind.RECORD_RESPONSE

    def subjects(self) -> Subjects:
        return Subjects(
            letter_id=self.request.letter_id, organisation_id=self.request.organisation_id
        )

    def params(self) -> dict[str, Any]:
        return self.request.to_params()

    @classmethod
    def restore(cls, approval: Approval) -> RecordResponse:
        return cls(RecordRequest.from_params(approval.data))

    async def pinned(self, db: Executor, ctx: ActionContext) -> RecordResponse:
        note = recording.clean_note(self.request.note)
        target = await recording.check_record(db, self.request)
        return RecordResponse(replace(self.request, note=note, version=target.version.number))

    async def record_changing(self, db: Executor) -> bool:
        return True

    async def check(self, db: Executor, ctx: ActionContext) -> None:
        await recording.check_record(db, self.request)

    async def describe(self, db: Executor) -> Description:
        request = self.request
        letter = await letters_repo.get(db, request.letter_id)
        versions = await letters_repo.versions(db, request.letter_id)
        number = request.version or (versions[-1].number if versions else None)
        current = await responses_repo.get(db, request.letter_id, request.organisation_id)
        return Description(
            self.kind, letter=letter,
            organisation=await organisations_repo.get(db, request.organisation_id),
            version=next((v for v in versions if v.number == number), None),
            decision=request.decision, listing=request.listing, channel=request.channel,
            note=request.note, signed=await _signed(db, request.letter_id),
            replaces_own=current is not None and current.recorded_by is None,
        )  # fmt: skip

    async def execute(self, tx: Transaction, doing: Doing) -> ActionResult:
        coordinator = await contacts_repo.existing(tx, doing.requester.id)
        return await recording.record_response(
            tx, self.request, coordinator=coordinator, now=doing.now,
            agreement=doing.agreement or ALONE, compose=doing.ctx.recorded,
        )  # fmt: skip


@dataclass(frozen=True)
class PublishList:
    """List N of a letter (``publication.publish``): closed, or collecting after list 1.

    Description: ``letter``, ``list_number`` (the list it makes), ``version`` (the final
    version published), ``named`` and ``anonymous`` (its signatories), ``added`` and
    ``withdrawn`` (primary names named since list N-1, and no longer named)."""

    letter_id: int
    number: int | None = None  # the list it makes (pinned when asked)
    kind: ClassVar[ApprovalKind] = ApprovalKind.PUBLISH

    def subjects(self) -> Subjects:
        return Subjects(letter_id=self.letter_id)

    def params(self) -> dict[str, Any]:
        return {"number": self.number}

    @classmethod
    def restore(cls, approval: Approval) -> PublishList:
        number = approval.data.get("number")
        return cls(approval.letter_id or 0, number if isinstance(number, int) else None)

    async def pinned(self, db: Executor, ctx: ActionContext) -> PublishList:
        _, number = await publication.check_publishable(db, self.letter_id)
        return replace(self, number=number)

    async def record_changing(self, db: Executor) -> bool:
        return True

    async def check(self, db: Executor, ctx: ActionContext) -> None:
        _, number = await publication.check_publishable(db, self.letter_id)
        if self.number is not None and number != self.number:
            raise Refusal(Code.APPROVAL_STALE, ref=self.letter_id)

    async def describe(self, db: Executor) -> Description:
        letter = await letters_repo.get(db, self.letter_id)
        try:
            shown = await publication.preview(db, self.letter_id)
        except Refusal:  # published meanwhile, or purged: what the request was for
            shown = None
        if shown is None or (self.number is not None and shown.number != self.number):
            return await self._published(db, letter)  # the list this request made
        return Description(
            self.kind, letter=letter, list_number=shown.number, version=shown.version,
            named=shown.named, anonymous=shown.anonymous, added=shown.added,
            withdrawn=shown.withdrawn,
        )  # fmt: skip

    async def _published(self, db: Executor, letter: Letter | None) -> Description:
        """Once its list exists, the request describes that list, not the next one."""
        if self.number is None or letter is None:
            return Description(self.kind, letter=letter, list_number=self.number)
        try:
            made = await publication.published_list(db, self.letter_id, self.number)
        except Refusal:  # purged since
            return Description(self.kind, letter=letter, list_number=self.number)
        language = letter.language
        return Description(
            self.kind, letter=letter, list_number=self.number, version=made.version,
            named=len(made.named(language)), anonymous=made.anonymous_count,
            added=tuple(made.added(language)), withdrawn=tuple(made.withdrawn(language)),
        )  # fmt: skip

    async def execute(self, tx: Transaction, doing: Doing) -> ActionResult:
        coordinator = await contacts_repo.existing(tx, doing.requester.id)
        return await publication.publish(
            tx, self.letter_id, coordinator=coordinator, actor=doing.actor, now=doing.now,
            agreement=doing.agreement or ALONE,
        )  # fmt: skip


@dataclass(frozen=True)
class CollectSignatories:
    """A published, closed letter collects additional signatories for the same text until
    ``deadline`` (``publication.collect``: a reopening).

    Description: ``letter``, ``deadline`` (the new one), ``list_number`` (the latest list,
    which the next one follows), ``invited`` (organisations not signed, to be invited),
    ``signed`` (organisations signed now)."""

    letter_id: int
    deadline: datetime
    kind: ClassVar[ApprovalKind] = ApprovalKind.COLLECT

    def subjects(self) -> Subjects:
        return Subjects(letter_id=self.letter_id)

    def params(self) -> dict[str, Any]:
        return {"deadline": to_db(self.deadline)}

    @classmethod
    def restore(cls, approval: Approval) -> CollectSignatories:
        return cls(approval.letter_id or 0, _moment(approval.data.get("deadline")))

    async def pinned(self, db: Executor, ctx: ActionContext) -> CollectSignatories:
        return self

    async def record_changing(self, db: Executor) -> bool:
        return True

    async def check(self, db: Executor, ctx: ActionContext) -> None:
        await lifecycle.reopenable(db, self.letter_id, self.deadline, now=ctx.now)
        if await publications_repo.latest_number(db, self.letter_id) is None:
            raise Refusal(Code.NOT_PUBLISHED, ref=self.letter_id)

    async def describe(self, db: Executor) -> Description:
        letter = await letters_repo.get(db, self.letter_id)
        invited = (
            await publication.organisations_to_invite(db, self.letter_id)
            if letter is not None and letter.purged_at is None
            else []
        )
        return Description(
            self.kind, letter=letter, deadline=self.deadline, invited=len(invited),
            list_number=await publications_repo.latest_number(db, self.letter_id),
            signed=await _signed(db, self.letter_id),
        )  # fmt: skip

    async def execute(self, tx: Transaction, doing: Doing) -> ActionResult:
        return await publication.collect(
            tx, self.letter_id, self.deadline, actor=doing.actor, now=doing.now,
            default_offsets=doing.ctx.default_offsets, invite=doing.ctx.invite,
            tell_signed=doing.ctx.tell_signed, agreement=doing.agreement or ALONE,
        )  # fmt: skip


@dataclass(frozen=True)
class TranslateLetter:
    """A translation added, changed or removed (``translations.translate_in``): a new
    version with the same authoritative text. Like a revision of the text, a material one
    never needs approval (it asks every signatory to sign again); a minor one does when
    some organisation has signed — its readers signed that translation.

    Description: ``letter``, ``language``, ``version`` (the version it follows),
    ``fingerprint`` (the new translation's; None: removed), ``changes`` (the translation's
    paragraphs, empty once the request ended), ``signed``."""

    letter_id: int
    language: str
    body: str | None  # None: the translation is removed
    material: bool
    source: DraftSource = DRAFT_TEXT
    after: int | None = None  # the version it follows (pinned when asked)
    kind: ClassVar[ApprovalKind] = ApprovalKind.MINOR_TRANSLATION

    def subjects(self) -> Subjects:
        return Subjects(letter_id=self.letter_id)

    def params(self) -> dict[str, Any]:
        # "body" is what the approvals table forgets once the request ended.
        return {
            "language": self.language, "body": self.body, "removed": self.body is None,
            "fingerprint": fingerprint(self.body) if self.body else None, "after": self.after,
            "source": self.source.kind, "file_id": self.source.file_id,
            "file_name": self.source.file_name,
        }  # fmt: skip

    @classmethod
    def restore(cls, approval: Approval) -> TranslateLetter:
        data = approval.data
        source = DraftSource(
            str(data.get("source") or "text"), data.get("file_id"), data.get("file_name")
        )
        after = data.get("after")
        body = data.get("body")
        return cls(
            approval.letter_id or 0, str(data.get("language") or ""),
            None if data.get("removed") else str(body or ""), False, source,
            after if isinstance(after, int) else None,
        )  # fmt: skip

    async def pinned(self, db: Executor, ctx: ActionContext) -> TranslateLetter:
        language, change, current = await translations.translation_draft(
            db, self.letter_id, self.language, self.body
        )
        return replace(self, language=language, body=change.text, after=current.number)

    async def record_changing(self, db: Executor) -> bool:
        return not self.material and await responses_repo.has_signatures(db, self.letter_id)

    async def check(self, db: Executor, ctx: ActionContext) -> None:
        if self.body == "":  # a request whose text a purge (or the end of the request) removed
            raise Refusal(Code.LETTER_PURGED, ref=self.letter_id)
        _, _, current = await translations.translation_draft(
            db, self.letter_id, self.language, self.body
        )
        if self.after is not None and current.number != self.after:
            raise Refusal(Code.APPROVAL_STALE, ref=self.letter_id)

    async def describe(self, db: Executor) -> Description:
        letter = await letters_repo.get(db, self.letter_id)
        versions = await letters_repo.versions(db, self.letter_id)
        previous = next((v for v in versions if v.number == self.after), None)
        changes: tuple[ParagraphChange, ...] = ()
        if previous is not None and self.body != "":
            before = (await translations.texts_of(db, previous.id)).translations.get(self.language)
            changes = tuple(diff_paragraphs((before.body if before else "") or "", self.body or ""))
        return Description(
            self.kind, letter=letter, version=previous, language=self.language,
            fingerprint=fingerprint(self.body) if self.body else None, changes=changes,
            signed=await _signed(db, self.letter_id),
        )  # fmt: skip

    async def execute(self, tx: Transaction, doing: Doing) -> ActionResult:
        return await translations.translate_in(
            tx, self.letter_id, self.language, body=self.body, material=self.material,
            source=self.source, created_by=doing.requester.telegram_user_id, actor=doing.actor,
            now=doing.now, compose_notice=doing.ctx.translation, agreement=doing.agreement,
        )  # fmt: skip


KINDS: dict[ApprovalKind, Callable[[Approval], Ask]] = {
    ApprovalKind.PURGE: PurgeLetter.restore,
    ApprovalKind.REMOVE_ORGANISATION: RemoveOrganisation.restore,
    ApprovalKind.RENAME_ORGANISATION: RenameOrganisation.restore,
    ApprovalKind.REOPEN: ReopenLetter.restore,
    ApprovalKind.MINOR_REVISION: ReviseLetter.restore,
    ApprovalKind.DEADLINE_EARLIER: MoveDeadline.restore,
    ApprovalKind.ADD_COORDINATOR: AddCoordinator.restore,
    ApprovalKind.REMOVE_COORDINATOR: RemoveCoordinator.restore,
    ApprovalKind.APPROVAL_RULE: SetApprovalRule.restore,
    ApprovalKind.RECORD_RESPONSE: RecordResponse.restore,
    ApprovalKind.PUBLISH: PublishList.restore,
    ApprovalKind.COLLECT: CollectSignatories.restore,
    ApprovalKind.MINOR_TRANSLATION: TranslateLetter.restore,
}


def _moment(value: object) -> datetime:
    moment = from_db(value) if isinstance(value, str) else None
    if moment is None:
        raise Refusal(Code.DEADLINE_PAST)  # a request whose moment is unreadable
    return moment


# --- the rule ------------------------------------------------------------------------------------


async def current_rule(db: Executor) -> Rule:
    return Rule.ONE if await state_repo.get(db, RULE_KEY) == Rule.ONE else Rule.TWO


async def second_person_needed(db: Executor) -> bool:
    """A second coordinator approves record-changing actions: the rule is on and there are
    two or more coordinators."""
    return await current_rule(db) is Rule.TWO and await coordinators_repo.live_count(db) >= 2


# --- asking --------------------------------------------------------------------------------------


async def request(db: Database, ask: Ask, *, by: int, ctx: ActionContext) -> Done | Requested:
    """A coordinator (``by``: their Telegram id) asks for an action: done now, or waiting
    for a second coordinator, who is asked through the outbox."""
    async with db.transaction() as tx:
        requester = await coordinators.acting(tx, by)
        ask = await ask.pinned(tx, ctx)
        await ask.check(tx, ctx)
        record_changing = await ask.record_changing(tx)
        if record_changing and await second_person_needed(tx):
            return await _ask_others(tx, ask, requester, ctx)
        agreement = ALONE if record_changing else None
        result = await ask.execute(tx, Doing(requester, agreement, None, ctx))
    await _after_commit(db, result)
    return Done(result, record_changing)


async def _ask_others(
    tx: Transaction, ask: Ask, requester: Coordinator, ctx: ActionContext
) -> Requested:
    subjects = ask.subjects()
    everyone = [c for c in await _everyone(tx) if c.id != requester.id]
    approval_id = await repo.insert(
        tx, kind=ask.kind, letter_id=subjects.letter_id,
        organisation_id=subjects.organisation_id, contact_id=subjects.contact_id,
        params=ask.params(), requested_by=requester.id, now=ctx.now,
        expires_at=ctx.now + ctx.approval_ttl,
    )  # fmt: skip
    request = await _request(tx, await _existing(tx, approval_id))
    deciders = tuple(c for c in everyone if request.can_decide(c))
    if not deciders:  # e.g. two coordinators, one asks to remove the other
        raise Refusal(Code.NO_APPROVER)
    await _audit(tx, request.approval, "approval.requested", actor=_actor(requester), now=ctx.now)
    await _tell(tx, ApprovalNotice(Event.REQUESTED, request), everyone, ctx)
    return Requested(request, deciders)


# --- deciding ------------------------------------------------------------------------------------


class _Unworkable(Exception):
    """Approved, but the action is refused now: the transaction is rolled back and the
    request recorded as failed in another."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


async def approve(
    db: Database, approval_id: int, *, by: int, ctx: ActionContext
) -> Approved | Failed:
    """A second coordinator's yes (``by``: their Telegram id), re-checked on every press."""
    await expire_due(db, ctx)
    try:
        async with db.transaction() as tx:
            approver, approval = await _decidable(tx, approval_id, by, ctx)
            requester = await _requester(tx, approval)
            ask = KINDS[approval.kind](approval)
            await repo.decide(
                tx, approval.id, ApprovalStatus.APPROVED, decided_by=approver.id, now=ctx.now
            )
            await _audit(tx, approval, "approval.approved", actor=_actor(approver), now=ctx.now)
            try:
                await ask.check(tx, ctx)
                agreement = Agreement(approval.id, _actor(approver))
                result = await ask.execute(tx, Doing(requester, agreement, approval, ctx))
            except Refusal as refusal:
                raise _Unworkable(refusal) from None
            request = await _request(tx, await _existing(tx, approval.id), ask)
            notice = ApprovalNotice(Event.APPROVED, request, approver, result=result)
            await _tell(tx, notice, _but(await _everyone(tx), approver), ctx)
    except _Unworkable as unworkable:
        return await _fail(db, approval_id, unworkable.refusal, by=by, ctx=ctx)
    await _after_commit(db, result)
    return Approved(request, result)


async def _fail(
    db: Database, approval_id: int, refusal: Refusal, *, by: int, ctx: ActionContext
) -> Failed:
    async with db.transaction() as tx:
        approver, approval = await _decidable(tx, approval_id, by, ctx)
        await repo.decide(
            tx, approval.id, ApprovalStatus.FAILED, decided_by=approver.id, now=ctx.now,
            failure=str(refusal.code),
        )  # fmt: skip
        await _audit(
            tx, approval, "approval.failed", actor=_actor(approver), now=ctx.now,
            failure=str(refusal.code),
        )  # fmt: skip
        request = await _request(tx, await _existing(tx, approval.id))
        notice = ApprovalNotice(Event.FAILED, request, approver, refusal=refusal)
        await _tell(tx, notice, _but(await _everyone(tx), approver), ctx)
    return Failed(request, refusal)


async def reject(db: Database, approval_id: int, *, by: int, ctx: ActionContext) -> Request:
    """A coordinator's no: the request ends and nothing is done."""
    await expire_due(db, ctx)
    async with db.transaction() as tx:
        rejecter, approval = await _decidable(tx, approval_id, by, ctx)
        await repo.decide(
            tx, approval.id, ApprovalStatus.REJECTED, decided_by=rejecter.id, now=ctx.now
        )
        await _audit(tx, approval, "approval.rejected", actor=_actor(rejecter), now=ctx.now)
        request = await _request(tx, await _existing(tx, approval.id))
        notice = ApprovalNotice(Event.REJECTED, request, rejecter)
        await _tell(tx, notice, _but(await _everyone(tx), rejecter), ctx)
    return request


async def cancel(db: Database, approval_id: int, *, by: int, ctx: ActionContext) -> Request:
    """The requester withdraws their own request (one past its time has expired)."""
    await expire_due(db, ctx)
    async with db.transaction() as tx:
        requester = await coordinators.acting(tx, by)
        approval = await _pending(tx, approval_id)
        if approval.requested_by != requester.id:
            raise Refusal(Code.APPROVAL_NOT_YOURS, ref=approval_id)
        await repo.decide(
            tx, approval.id, ApprovalStatus.CANCELLED, decided_by=requester.id, now=ctx.now
        )
        await _audit(
            tx, approval, "approval.cancelled", actor=_actor(requester), now=ctx.now,
            why="requester",
        )  # fmt: skip
        request = await _request(tx, await _existing(tx, approval.id))
        notice = ApprovalNotice(Event.CANCELLED, request, requester)
        await _tell(tx, notice, _but(await _everyone(tx), requester), ctx)
    return request


async def expire_due(db: Database, ctx: ActionContext) -> list[Request]:
    """The scheduler's pass (and every decision's first step): requests past their time
    expire; every coordinator is told."""
    expired = []
    async with db.transaction() as tx:
        for approval in await repo.pending_expired(tx, now=ctx.now):
            await repo.decide(tx, approval.id, ApprovalStatus.EXPIRED, decided_by=None, now=ctx.now)
            await _audit(tx, approval, "approval.expired", actor="system", now=ctx.now)
            request = await _request(tx, await _existing(tx, approval.id))
            await _tell(tx, ApprovalNotice(Event.EXPIRED, request), await _everyone(tx), ctx)
            expired.append(request)
    return expired


async def next_expiry(db: Executor) -> datetime | None:
    """When the next pending request expires (the scheduler's next pass)."""
    return await repo.next_expiry(db)


async def _pending(db: Executor, approval_id: int) -> Approval:
    approval = await repo.get(db, approval_id)
    if approval is None:
        raise Refusal(Code.APPROVAL_NOT_FOUND, ref=approval_id)
    if approval.status is ApprovalStatus.EXPIRED:  # (every decision expires what is due first)
        raise Refusal(Code.APPROVAL_EXPIRED, ref=approval_id)
    if not approval.pending:
        raise Refusal(Code.APPROVAL_DECIDED, ref=approval_id)
    return approval


async def _decidable(
    db: Executor, approval_id: int, by: int, ctx: ActionContext
) -> tuple[Coordinator, Approval]:
    decider = await coordinators.acting(db, by)
    approval = await _pending(db, approval_id)
    if approval.expires_at <= ctx.now:
        raise Refusal(Code.APPROVAL_EXPIRED, ref=approval_id)
    if approval.requested_by == decider.id:
        raise Refusal(Code.APPROVAL_OWN, ref=approval_id)
    if approval.kind is ApprovalKind.REMOVE_COORDINATOR and approval.contact_id == decider.id:
        raise Refusal(Code.APPROVAL_OWN_REMOVAL, ref=approval_id)
    return decider, approval


async def _requester(db: Executor, approval: Approval) -> Coordinator:
    requester = await coordinators_repo.get(db, approval.requested_by)
    if requester is None or not requester.live:  # removal cancels their requests
        raise Refusal(Code.APPROVAL_DECIDED, ref=approval.id)
    return requester


# --- reading -------------------------------------------------------------------------------------


async def get_request(db: Executor, approval_id: int) -> Request:
    approval = await repo.get(db, approval_id)
    if approval is None:
        raise Refusal(Code.APPROVAL_NOT_FOUND, ref=approval_id)
    return await _request(db, approval)


async def pending_requests(db: Executor) -> list[Request]:
    """/approvals: the requests waiting, oldest first."""
    return [await _request(db, approval) for approval in await repo.pending(db)]


async def _request(db: Executor, approval: Approval, ask: Ask | None = None) -> Request:
    ask = ask or KINDS[approval.kind](approval)
    requester = await coordinators_repo.get(db, approval.requested_by)
    if requester is None:  # the column references a coordinator contact
        raise Refusal(Code.APPROVAL_NOT_FOUND, ref=approval.id)
    return Request(approval, await ask.describe(db), requester)


async def _existing(db: Executor, approval_id: int) -> Approval:
    approval = await repo.get(db, approval_id)
    if approval is None:
        raise Refusal(Code.APPROVAL_NOT_FOUND, ref=approval_id)
    return approval


# --- telling and recording -----------------------------------------------------------------------


async def _everyone(db: Executor) -> list[Coordinator]:
    return await coordinators_repo.live(db)


def _but(everyone: list[Coordinator], one: Coordinator) -> list[Coordinator]:
    return [c for c in everyone if c.id != one.id]


async def _tell(
    tx: Transaction, notice: ApprovalNotice, recipients: Sequence[Coordinator], ctx: ActionContext
) -> int:
    """Queues the notice to each coordinator (once per request, step and coordinator)."""
    queued = 0
    approval = notice.request.approval
    for coordinator in recipients:
        message = ctx.approval(notice, coordinator)
        if message is None or coordinator.telegram_user_id is None:
            continue
        queued += await outbox.enqueue(
            tx, broadcast_id=None, contact_id=coordinator.id,
            chat_id=coordinator.telegram_user_id, letter_id=approval.letter_id, kind="notice",
            message=message, now=ctx.now,
            dedupe_key=f"approval:{approval.id}:{notice.event}:to:{coordinator.id}",
        )  # fmt: skip
    return queued


async def _audit(
    tx: Transaction, approval: Approval, action: str, *, actor: str, now: datetime, **extra: str
) -> None:
    """An ``approval.*`` event: the request's number, kind and subjects; no free text."""
    await audit.append(
        tx, now=now, actor=actor, action=action, letter_id=approval.letter_id,
        organisation_id=approval.organisation_id, contact_id=approval.contact_id,
        data={"approval": approval.id, "kind": str(approval.kind), **extra},
    )  # fmt: skip


async def _after_commit(db: Database, result: ActionResult) -> None:
    if isinstance(result, Purge):
        await purge.after_purge(db)


# --- what was done alone -------------------------------------------------------------------------


@dataclass(frozen=True)
class AloneAction:
    """A record-changing action one coordinator did without a second person."""

    event_id: int
    at: datetime
    actor: str  # coordinator:<Telegram id>, cli
    action: str  # e.g. letter.reopened, version.added, organisation.renamed
    letter_id: int | None
    organisation_id: int | None
    contact_id: int | None
    # The acting coordinator's number (as /coordinators shows it): what the export names,
    # never their Telegram account (the export goes beyond the coalition).
    coordinator_id: int | None = None


async def done_alone(db: Executor, letter_id: int) -> list[AloneAction]:
    """What /status and the export of a letter list as done without a second person: on
    the letter, on an organisation it went to, and to the coordinators or the rule since
    the letter was created."""
    return [
        AloneAction(
            row.id,
            row.at,
            row.actor,
            row.action,
            row.letter_id,
            row.organisation_id,
            row.contact_id,
            row.coordinator_id,
        )
        for row in await repo.done_alone(db, letter_id)
    ]
