"""Members' decisions on letters: sign, decline, withdraw, comment. No Telegram here.

Every press is re-checked on the server inside one transaction: the letter is
open, the version belongs to it and was not superseded by a material
revision, the caller's organisation received the letter. A double tap or two
contacts of one organisation pressing at once end in one consistent response
(one row per organisation and letter, updated in a serialised transaction).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.db import audit
from bot.db import contacts as contacts_repo
from bot.db import letters as letters_repo
from bot.db import organisations as organisations_repo
from bot.db import responses as responses_repo
from bot.db.connection import Database, Executor, Transaction, present
from bot.db.contacts import Contact
from bot.db.letters import Letter, Version
from bot.db.responses import Comment, OrganisationRow, Response, ResponseChange
from bot.db.types import ContactRole, ContactStatus, Decision, LetterStatus, Listing
from bot.services import coordinators, lifecycle, outbox, signer
from bot.services.letter_text import version_label
from bot.services.outbox import OutgoingMessage
from bot.services.refusals import Code, Refusal
from bot.services.signer import Signer
from bot.services.witnesses import witness_code

# A comment is relayed in one message with the title, the organisation's name and a header,
# in Russian and Belarusian too: 3000 keeps that under Telegram's 4096 (tests/unit/test_catalog.py).
MAX_COMMENT = 3000
MAX_REASON = 1000


@dataclass(frozen=True)
class Target:
    """A letter version a member may answer on, with their organisation."""

    letter: Letter
    version: Version
    latest: Version
    organisation_id: int
    organisation_name: str


async def received_letter(db: Executor, contact: Contact, letter_id: int) -> tuple[Letter, int]:
    """The letter and the member's organisation, if it received the letter;
    ``UNKNOWN_TO_MEMBER`` otherwise.

    Checked before anything else about the letter, with one and the same refusal for a
    letter that does not exist, a draft and another organisation's letter (purged or not):
    forged button data must not tell a member which letter ids exist or went to others.
    """
    reception = await _reception(db, contact, letter_id)
    return reception.letter, present(contact.organisation_id, "the member's organisation")


async def _reception(db: Executor, contact: Contact, letter_id: int) -> letters_repo.Reception:
    """``received_letter``'s checks, on the letter read with what a press needs of it next
    (whether it was published, the organisation's name) in the same query."""
    organisation_id = contact.organisation_id
    reception = (
        None
        if organisation_id is None or not contact.status.live
        else await letters_repo.reception(db, letter_id, organisation_id)
    )
    if reception is None or reception.letter.status is LetterStatus.DRAFT or not reception.received:
        raise Refusal(Code.UNKNOWN_TO_MEMBER)
    return reception


async def _target(db: Executor, contact: Contact, letter_id: int, version_id: int) -> Target:
    reception = await _reception(db, contact, letter_id)
    letter = reception.letter
    versions = await letters_repo.versions(db, letter_id)  # the pressed one is among them
    version = next((v for v in versions if v.id == version_id), None)
    if version is None:  # no such version, or another letter's
        raise Refusal(Code.UNKNOWN_TO_MEMBER)
    if letter.status is LetterStatus.CLOSED:
        raise Refusal(Code.ANSWERS_CLOSED, ref=letter_id)
    latest = versions[-1]
    check_answerable(letter, version, versions, published=reception.published)
    organisation_id = present(contact.organisation_id, "the member's organisation")
    name = present(reception.organisation_name, f"organisation {organisation_id}")
    return Target(letter, version, latest, organisation_id, name)


def check_answerable(
    letter: Letter, version: Version, versions: Sequence[Version], *, published: bool
) -> None:
    """An answer on ``version`` is taken: no material revision came after it, and a
    published letter (collecting additional signatories) is answered on its published,
    final version only."""
    latest = versions[-1]
    if any(v.material and v.number > version.number for v in versions):
        raise Refusal(Code.VERSION_SUPERSEDED, ref=letter.id, latest=latest.number)
    if published and version.id != latest.id:
        raise Refusal(
            Code.VERSION_NOT_PUBLISHED,
            ref=letter.id,
            latest=version_label(latest.number, latest.fingerprint),
        )


async def sign_target(db: Executor, contact: Contact, letter_id: int, version_id: int) -> Target:
    """What the confirmation screen shows; raises a Refusal for a stale or forged press."""
    return await _target(db, contact, letter_id, version_id)


@dataclass(frozen=True)
class Outcome:
    target: Target
    response: Response
    changed: bool  # False: a double tap, or another contact already gave this same answer
    previous: Response | None
    witness: str | None = None  # the witness code of the answer's audit event, when changed


# What the organisation's other contacts are told when one of them answers (the target, the
# colleague told → the message); queued in the answer's own transaction, so the notice is
# exactly as durable as the answer.
ColleagueNotice = Callable[[Target, Contact], OutgoingMessage]


async def _tell_colleagues(
    tx: Transaction,
    target: Target,
    contact: Contact,
    compose: ColleagueNotice,
    *,
    event: str,
    now: datetime,
) -> None:
    for colleague in await other_contacts(tx, contact):
        if colleague.telegram_user_id is None:
            continue
        await outbox.enqueue(
            tx, broadcast_id=None, contact_id=colleague.id, chat_id=colleague.telegram_user_id,
            letter_id=target.letter.id, kind="notice", message=compose(target, colleague),
            dedupe_key=f"colleagues:{event}:to:{colleague.id}", now=now,
        )  # fmt: skip


async def _record(
    tx: Transaction,
    target: Target,
    contact: Contact,
    *,
    decision: Decision,
    version_id: int | None,
    listing: Listing | None,
    reason: str | None,
    now: datetime,
    person: Signer | None = None,
    tell: ColleagueNotice | None = None,
) -> Outcome:
    previous = await responses_repo.get(tx, target.letter.id, target.organisation_id)
    same = (
        previous is not None
        and previous.recorded_by is None  # the organisation's own answer replaces a recorded one
        and previous.decision == decision
        and previous.version_id == version_id
        and previous.listing == listing
        and (decision is not Decision.DECLINED or previous.reason == reason or reason is None)
        and (previous.signer_name, previous.signer_title)
        == ((person.name, person.title) if person else (None, None))
    )
    current, witness = previous, None
    if not same:
        current = await responses_repo.upsert(
            tx, letter_id=target.letter.id, organisation_id=target.organisation_id,
            decision=decision, version_id=version_id, listing=listing, reason=reason,
            contact_id=contact.id, now=now,
            signer_name=person.name if person else None,
            signer_title=person.title if person else None,
        )  # fmt: skip
        data = {"version": target.version.number, "fingerprint": target.version.fingerprint,
                "listing": listing, "reason_given": reason is not None,
                "previous": previous.decision if previous else None}  # fmt: skip
        if person is not None:
            data["signer"] = True  # who is not in the log: personal data, purged with the letter
        if previous is not None and previous.recorded_by is not None:
            data["replaces_recorded"] = True
        event_id, event = await audit.append_event(
            tx, now=now, actor=f"contact:{contact.id}", action=f"response.{decision}",
            letter_id=target.letter.id, organisation_id=target.organisation_id,
            contact_id=contact.id, data=data,
        )  # fmt: skip
        witness = witness_code(event_id, event)
        if tell is not None:
            await _tell_colleagues(tx, target, contact, tell, event=event, now=now)
    return Outcome(target, present(current, "the response"), not same, previous, witness)


async def sign(
    db: Database,
    contact: Contact,
    letter_id: int,
    version_id: int,
    listing: Listing,
    *,
    now: datetime,
    person: Signer | None = None,
    tell: ColleagueNotice | None = None,
) -> Outcome:
    """Signs for the contact's organisation. A letter that lists the person signing takes
    ``person`` (remembered for the contact from then on) or else the person the contact
    signed as before; with neither, ``SIGNER_NEEDED``. The response keeps the person as
    it is now: a later edit does not change this signature. ``tell``: what the
    organisation's other contacts are told, when the answer changed."""
    async with db.transaction() as tx:
        target = await _target(tx, contact, letter_id, version_id)
        signing: Signer | None = None
        if target.letter.ask_signer:
            current = await contacts_repo.existing(tx, contact.id)
            signing = person or signer.remembered(current)
            if signing is None:
                raise Refusal(Code.SIGNER_NEEDED, ref=letter_id)
            if person is not None:
                await signer.remember(tx, current, person)
        return await _record(
            tx, target, contact, decision=Decision.SIGNED, version_id=version_id,
            listing=listing, reason=None, now=now, person=signing, tell=tell,
        )  # fmt: skip


def clean_text(raw: str, limit: int, *, empty: Code, too_long: Code) -> str:
    text = raw.strip()
    if not text:
        raise Refusal(empty)
    if len(text) > limit:
        raise Refusal(too_long, limit=limit, length=len(text))
    return text


def _clean_comment(raw: str) -> str:
    return clean_text(raw, MAX_COMMENT, empty=Code.COMMENT_EMPTY, too_long=Code.COMMENT_TOO_LONG)


def _clean_reason(raw: str) -> str:
    return clean_text(raw, MAX_REASON, empty=Code.REASON_EMPTY, too_long=Code.REASON_TOO_LONG)


async def decline(
    db: Database,
    contact: Contact,
    letter_id: int,
    version_id: int,
    reason: str | None,
    *,
    now: datetime,
    tell: ColleagueNotice | None = None,
) -> Outcome:
    reason = _clean_reason(reason) if reason else None  # None: Skip
    async with db.transaction() as tx:
        target = await _target(tx, contact, letter_id, version_id)
        return await _record(
            tx, target, contact, decision=Decision.DECLINED, version_id=version_id, listing=None,
            reason=reason, now=now, tell=tell,
        )  # fmt: skip


async def withdrawable(db: Executor, contact: Contact, letter_id: int) -> Target:
    """The signature Withdraw would take back (asked before it is); raises a Refusal
    when there is none: the letter is closed, or the organisation has not signed it."""
    await received_letter(db, contact, letter_id)  # before anything else about the letter
    latest = await letters_repo.latest_version(db, letter_id)
    target = await _target(db, contact, letter_id, latest.id)
    current = await responses_repo.get(db, letter_id, target.organisation_id)
    if current is None or current.decision is not Decision.SIGNED:
        raise Refusal(Code.NOTHING_TO_WITHDRAW, ref=letter_id)
    return target


async def withdraw(
    db: Database,
    contact: Contact,
    letter_id: int,
    *,
    now: datetime,
    tell: ColleagueNotice | None = None,
) -> Outcome:
    """Withdraws the organisation's signature while the letter is open."""
    async with db.transaction() as tx:
        target = await withdrawable(tx, contact, letter_id)
        return await _record(
            tx, target, contact, decision=Decision.WITHDRAWN, version_id=None, listing=None,
            reason=None, now=now, tell=tell,
        )  # fmt: skip


# What each coordinator is told of a member's comment (the target, the comment, the
# coordinator's language → the message), queued in the comment's transaction.
CommentNotice = Callable[[Target, Comment, str], OutgoingMessage]


async def add_comment(
    db: Database,
    contact: Contact,
    letter_id: int,
    version_id: int,
    body: str,
    *,
    now: datetime,
    tell: CommentNotice | None = None,
) -> tuple[Target, Comment]:
    """Saves a member's comment; ``tell``: what every coordinator is told of it."""
    body = _clean_comment(body)
    async with db.transaction() as tx:
        target = await _target(tx, contact, letter_id, version_id)
        comment_id = await responses_repo.insert_comment(
            tx, letter_id=letter_id, version_id=version_id,
            organisation_id=target.organisation_id, contact_id=contact.id, parent_id=None,
            author_role=ContactRole.MEMBER, body=body, now=now,
        )  # fmt: skip
        await audit.append(
            tx, now=now, actor=f"contact:{contact.id}", action="comment.added",
            letter_id=letter_id, organisation_id=target.organisation_id, contact_id=contact.id,
            data={"comment_id": comment_id, "version": target.version.number},
        )  # fmt: skip
        comment = await responses_repo.existing_comment(tx, comment_id)
        if tell is not None:
            for chat, language in (await coordinators.languages(tx)).items():
                await outbox.enqueue(
                    tx, broadcast_id=None, contact_id=None, chat_id=chat, letter_id=letter_id,
                    kind="notice", message=tell(target, comment, language),
                    dedupe_key=f"comment:{comment_id}:to:{chat}", now=now,
                )  # fmt: skip
    return target, comment


@dataclass(frozen=True)
class Reply:
    comment: Comment  # the member's comment
    reply: Comment
    member: Contact
    member_chat: int  # where the reply is relayed
    letter: Letter


async def reply_to_comment(
    db: Database,
    comment_id: int,
    body: str,
    *,
    coordinator_id: int,
    now: datetime,
    relay: Callable[[Reply], OutgoingMessage] | None = None,
) -> Reply:
    """Saves a coordinator's reply to a member's comment; ``relay``: what the member gets
    (queued in the same transaction)."""
    body = _clean_comment(body)
    async with db.transaction() as tx:
        comment = await responses_repo.get_comment(tx, comment_id)
        if comment is None or comment.author_role is not ContactRole.MEMBER or comment.body is None:
            raise Refusal(Code.COMMENT_NOT_FOUND, ref=comment_id)
        member = await contacts_repo.get(tx, comment.contact_id or 0)
        chat = None if member is None else member.telegram_user_id
        if member is None or member.status is not ContactStatus.ACTIVE or chat is None:
            raise Refusal(Code.MEMBER_GONE, ref=comment_id)
        letter = await letters_repo.existing(tx, comment.letter_id)
        reply_id = await responses_repo.insert_comment(
            tx, letter_id=comment.letter_id, version_id=comment.version_id,
            organisation_id=comment.organisation_id, contact_id=None, parent_id=comment.id,
            author_role=ContactRole.COORDINATOR, body=body, now=now,
        )  # fmt: skip
        await audit.append(
            tx, now=now, actor=f"coordinator:{coordinator_id}", action="comment.replied",
            letter_id=comment.letter_id, organisation_id=comment.organisation_id,
            contact_id=member.id, data={"comment_id": comment.id, "reply_id": reply_id},
        )  # fmt: skip
        reply = await responses_repo.existing_comment(tx, reply_id)
        answered = Reply(comment, reply, member, chat, letter)
        if relay is not None:
            await outbox.enqueue(
                tx, broadcast_id=None, contact_id=member.id, chat_id=chat, letter_id=letter.id,
                kind="notice", message=relay(answered), dedupe_key=f"reply:{reply_id}", now=now,
            )  # fmt: skip
    return answered


class OrganisationState(enum.StrEnum):
    SIGNED = "signed"
    RECONFIRM = "needs_reconfirmation"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    PENDING = "pending"
    NO_CONTACT = "no_contact"  # no answer, and nobody of it has joined: received nothing


@dataclass(frozen=True)
class OrganisationStanding:
    row: OrganisationRow
    state: OrganisationState
    unreachable: bool  # nobody of the organisation can be reached

    @property
    def waiting(self) -> bool:
        """Still owes an answer (reminders go to these)."""
        return self.state in (
            OrganisationState.PENDING,
            OrganisationState.RECONFIRM,
            OrganisationState.WITHDRAWN,
            OrganisationState.NO_CONTACT,
        )

    @property
    def reachable(self) -> bool:
        """Someone of the organisation can be reached in Telegram (an active contact)."""
        return self.row.active_contacts > 0


def state_of(row: OrganisationRow, versions: list[Version]) -> OrganisationState:
    if row.decision is Decision.SIGNED:
        superseded = any(v.material and v.number > (row.version_number or 0) for v in versions)
        # A minor version nobody of the organisation could be shown (it had no contact
        # with access then) does not keep the signature silently: it asks again.
        unshown = row.unshown_minor is not None
        return OrganisationState.RECONFIRM if superseded or unshown else OrganisationState.SIGNED
    if row.decision is Decision.DECLINED:
        return OrganisationState.DECLINED
    if row.decision is Decision.WITHDRAWN:
        return OrganisationState.WITHDRAWN
    if row.active_contacts + row.unreachable_contacts == 0:
        return OrganisationState.NO_CONTACT
    return OrganisationState.PENDING


@dataclass(frozen=True)
class Tally:
    """How a letter stands, counted one way for every view (/status, /letter, /letters,
    the closing report): ``signed`` are signatures valid for the latest version."""

    organisations: int
    signed: int
    reconfirm: int  # signed an earlier version; a material revision came since, or a minor
    # one the organisation could not be shown
    declined: int
    pending: int  # no answer yet (a withdrawn signature is no answer)
    no_contact: int  # no answer, and nobody of the organisation has joined
    unreachable: int  # every contact of the organisation blocked the bot

    @classmethod
    def of(cls, organisations: Sequence[OrganisationStanding]) -> Tally:
        states = [o.state for o in organisations]
        return cls(
            organisations=len(organisations),
            signed=states.count(OrganisationState.SIGNED),
            reconfirm=states.count(OrganisationState.RECONFIRM),
            declined=states.count(OrganisationState.DECLINED),
            pending=states.count(OrganisationState.PENDING)
            + states.count(OrganisationState.WITHDRAWN),
            no_contact=states.count(OrganisationState.NO_CONTACT),
            unreachable=sum(1 for o in organisations if o.unreachable),
        )


@dataclass(frozen=True)
class LetterStanding:
    letter: Letter
    latest: Version
    versions: list[Version]
    organisations: list[OrganisationStanding]

    def count(self, state: OrganisationState) -> int:
        return sum(1 for o in self.organisations if o.state is state)

    @property
    def tally(self) -> Tally:
        return Tally.of(self.organisations)


async def letter_status(db: Executor, letter_id: int) -> LetterStanding:
    letter = await lifecycle.known_letter(db, letter_id)
    versions = await letters_repo.versions(db, letter_id)
    rows = await responses_repo.organisation_rows(db, letter_id)
    statuses = [
        OrganisationStanding(
            row, state_of(row, versions), row.active_contacts == 0 and row.unreachable_contacts > 0
        )
        for row in rows
    ]
    return LetterStanding(letter, versions[-1], versions, statuses)


async def tally(db: Executor, letter_id: int) -> Tally:
    """How a letter stands, the one count every view shows."""
    return (await letter_status(db, letter_id)).tally


async def organisation_overview(
    db: Executor, organisation_id: int
) -> list[tuple[Letter, Version, OrganisationStanding]]:
    """/mine: open letters of an organisation and where it stands on each."""
    result = []
    for letter in await letters_repo.open_letters_of_organisation(db, organisation_id):
        status = await letter_status(db, letter.id)
        for organisation in status.organisations:
            if organisation.row.organisation_id == organisation_id:
                result.append((letter, status.latest, organisation))
    return result


async def other_contacts(db: Executor, contact: Contact) -> list[Contact]:
    """The organisation's other active contacts (told when one of them answers)."""
    if contact.organisation_id is None:
        return []
    colleagues = await contacts_repo.active_of_organisation(db, contact.organisation_id)
    return [c for c in colleagues if c.id != contact.id]


async def letter_message(db: Executor, chat_id: int, message_id: int) -> tuple[int, int] | None:
    """(letter id, version id) of a letter message the bot sent into that chat, if any."""
    return await letters_repo.version_of_message(db, chat_id, message_id)


async def organisation_name(db: Executor, contact: Contact) -> str:
    organisation = await organisations_repo.get(db, contact.organisation_id or 0)
    return organisation.name if organisation else ""


@dataclass(frozen=True)
class ThreadItem:
    comment: Comment
    organisation: str | None
    author: str | None
    replies: list[Comment]


async def comment_thread(db: Executor, letter_id: int) -> list[tuple[Version, list[ThreadItem]]]:
    """Members' comments grouped by version, each with the coordinators' replies."""
    await lifecycle.known_letter(db, letter_id)
    versions = {v.id: v for v in await letters_repo.versions(db, letter_id)}
    all_comments = await responses_repo.comments_of_letter(db, letter_id)
    replies: dict[int, list[Comment]] = {}
    for comment in all_comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)
    grouped: dict[int, list[ThreadItem]] = {}
    for comment in all_comments:
        if comment.author_role is not ContactRole.MEMBER:
            continue
        author = await contacts_repo.get(db, comment.contact_id or 0)
        organisation = await organisations_repo.get(db, comment.organisation_id or 0)
        grouped.setdefault(comment.version_id, []).append(
            ThreadItem(
                comment,
                organisation.name if organisation else None,
                author.display_name if author else None,
                replies.get(comment.id, []),
            )
        )
    return [(versions[version_id], items) for version_id, items in sorted(grouped.items())]


async def response_events(db: Executor, letter_id: int) -> list[ResponseChange]:
    """Every response change of a letter (time, action, organisation), oldest first."""
    return await responses_repo.response_events(db, letter_id)
