"""What the audit log says the record is, rebuilt event by event and compared with the tables.

The hash chain proves that the log was not edited; it says nothing about the tables, which
someone holding the database file can change directly (a signature "internal only" made
"named", a signature inserted for an organisation that never signed, an organisation
renamed). So the log is replayed: every response (decision, listing, the version signed,
the contact who gave it, whether a reason was given), organisations (name, removed),
member contacts (organisation, Telegram account, access), letters (draft, open, closed,
purged; deadline; the organisations it went to), versions (number, fingerprint,
material or minor), coordinators (Telegram account, access), renames waiting for an
organisation, requests for approval (kind, status) and the approval rule are rebuilt
from the events alone and compared with the tables. An action that says a second
coordinator approved it must name a request the log approved. The
first difference is named in one line.

The replay is a table of reducers, one per audit action (``REDUCERS``): a reducer takes the
record rebuilt so far and one event, and changes the record as the event says. A new
feature that changes the record (recorded responses, translations, publications) adds
its reducer here, and its tables to the comparison. Reducers also check each event
against the record before it (a rename names the old name; a response names the previous
decision and the version's fingerprint): an event that contradicts the record so far
means the table was changed before that event, even if a later change covered it up.

Actions that change nothing rebuilt here (a reminder sent, an export handed out) are
listed in ``NO_RECORD``. An action in neither is a difference when its namespace (the part
before the dot) is one whose record is rebuilt here (``RECORD_NAMESPACES``: a
``response.*`` this code does not know would change who signed, and skipping it would
misread every later event); any other unknown action is counted in ``unknown`` and
skipped (it cannot touch what is compared; if it did, the comparison names the table).

Events never hold free text except organisation names, so nothing here reads what was
typed about a letter (the purge keeps the chain whole).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from bot.db.audit import AuditEvent
from bot.db.replay import (
    ApprovalRow,
    ContactRow,
    CoordinatorRow,
    LetterRow,
    ListedNameRow,
    OrganisationRow,
    PublicationRow,
    PublishedRow,
    RenameRow,
    ResponseRow,
    Snapshot,
    TranslationRow,
    VersionRow,
)
from bot.services.letter_text import fingerprint

K = TypeVar("K")
R = TypeVar("R")
S = TypeVar("S")

LISTING_WORDS = {
    "named": "listed by name",
    "anonymous": "counted, not named",
    "internal": "internal only",
}


@dataclass(frozen=True)
class Difference:
    """One place where the tables and the audit log disagree (or the log with itself)."""

    table: str  # organisations, contacts, letters, versions, responses, audit log
    subject: str  # e.g. "letter #4, organisation #7 'Viasna'"
    detail: str
    event_id: int | None = None  # the event the log's side comes from

    def __str__(self) -> str:
        return f"{self.table}: {self.subject}: {self.detail}"


# --- the record as the log tells it -----------------------------------------------------------


@dataclass(slots=True)
class OrganisationState:
    name: str
    removed: bool
    event: int
    names: dict[str, str] = field(default_factory=dict)  # language → its own listed name
    names_event: int = 0
    sort_key: str | None = None
    sort_key_event: int = 0

    def listed(self, language: str) -> str:
        return self.names.get(language) or self.name


@dataclass(slots=True)
class ContactState:
    organisation_id: int | None
    telegram_user_id: int | None
    access: str  # invited, live (active or unreachable), removed
    event: int


@dataclass(slots=True)
class VersionState:
    fingerprint: str
    material: bool
    event: int
    translations: dict[str, str] = field(default_factory=dict)  # language → fingerprint


@dataclass(frozen=True, slots=True)
class PublishedState:
    """One organisation of a published list, as the record stood when it was published."""

    listing: str
    version: int | None
    names: tuple[str, str, str, str]  # primary, en, ru, be
    sort_key: str | None
    signer: bool
    recorded_by: int | None
    channel: str | None


@dataclass(slots=True)
class PublicationState:
    version: int
    event: int
    signatories: dict[int, PublishedState]  # by organisation


@dataclass(slots=True)
class LetterState:
    status: str  # draft, open, closed
    purged: bool
    event: int  # the last event that set its status (or purged it)
    deadline: str
    deadline_event: int
    recipients: dict[int, int] = field(default_factory=dict)  # organisation → event
    versions: dict[int, VersionState] = field(default_factory=dict)  # by number
    publications: dict[int, PublicationState] = field(default_factory=dict)  # by list number


@dataclass(slots=True)
class ResponseState:
    decision: str  # signed, declined, withdrawn
    listing: str | None
    version: int | None
    fingerprint: str | None
    contact_id: int | None
    reason: bool
    event: int
    signer: bool = False  # the person signing was given (who is not in the log)
    recorded_by: int | None = None  # a coordinator recorded it (their contact)
    channel: str | None = None


@dataclass(slots=True)
class CoordinatorState:
    telegram_user_id: int | None
    access: str  # invited, live, removed
    event: int


@dataclass(slots=True)
class ApprovalState:
    kind: str
    status: str  # pending, approved, rejected, expired, cancelled, failed
    event: int


@dataclass(slots=True)
class RenameState:
    organisation_id: int
    old: str
    new: str
    status: str  # pending, confirmed, kept, cancelled
    event: int
    language: str | None = None  # what that language's list shows; None: the primary name


@dataclass
class Record:
    organisations: dict[int, OrganisationState] = field(default_factory=dict)
    contacts: dict[int, ContactState] = field(default_factory=dict)
    letters: dict[int, LetterState] = field(default_factory=dict)
    responses: dict[tuple[int, int], ResponseState] = field(default_factory=dict)
    coordinators: dict[int, CoordinatorState] = field(default_factory=dict)  # by contact
    approvals: dict[int, ApprovalState] = field(default_factory=dict)
    renames: dict[int, RenameState] = field(default_factory=dict)
    approval_rule: str = "two"
    approval_rule_event: int | None = None
    # Events that contradict the record before them, in the order of the log.
    contradictions: list[Difference] = field(default_factory=list)
    unknown: Counter[str] = field(default_factory=Counter)


class _Rejected(Exception):
    """An event the record before it cannot take: it lacks what its reducer needs, names
    something the log never created, or finds it in a state the log never left it in."""

    def __init__(self, difference: Difference) -> None:
        super().__init__(str(difference))
        self.difference = difference


Data = dict[str, Any]
Reducer = Callable[[Record, AuditEvent, Data], None]


def _need(data: Data, key: str, kind: type | tuple[type, ...], event: AuditEvent) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise _Rejected(_event_difference(event, f"its data has no usable '{key}'"))
    return value


def _event_difference(event: AuditEvent, detail: str) -> Difference:
    return Difference("audit log", f"event #{event.id} ({event.action})", detail, event.id)


def _contradiction(
    record: Record, table: str, subject: str, event: AuditEvent, found: str, expected: str,
    since: int | None,
) -> None:  # fmt: skip
    """``event`` found ``found`` in the table where the log before it had ``expected``."""
    before = f" (event #{since})" if since else ""
    record.contradictions.append(
        Difference(
            table,
            subject,
            f"event #{event.id} ({event.action}) found {found} in the table; the audit log "
            f"before it says {expected}{before}: the table was changed in between",
            event.id,
        )
    )


def _letter(record: Record, event: AuditEvent) -> LetterState:
    letter = record.letters.get(event.letter_id or 0)
    if letter is None:
        raise _Rejected(
            _event_difference(event, f"letter #{event.letter_id} was never created in the log")
        )
    return letter


def _organisation(record: Record, event: AuditEvent) -> OrganisationState:
    organisation = record.organisations.get(event.organisation_id or 0)
    if organisation is None:
        raise _Rejected(
            _event_difference(
                event, f"organisation #{event.organisation_id} was never added in the log"
            )
        )
    return organisation


def _contact(record: Record, event: AuditEvent) -> ContactState:
    contact = record.contacts.get(event.contact_id or 0)
    if contact is None:
        raise _Rejected(
            _event_difference(event, f"contact #{event.contact_id} was never invited in the log")
        )
    return contact


def _wrong_state(event: AuditEvent, what: str, state: str) -> _Rejected:
    return _Rejected(_event_difference(event, f"{what} was {state} then, by the log"))


# --- reducers: organisations and contacts -----------------------------------------------------


def _organisation_added(record: Record, event: AuditEvent, data: Data) -> None:
    name = _need(data, "name", str, event)
    if event.organisation_id is None or event.organisation_id in record.organisations:
        raise _Rejected(_event_difference(event, "it adds an organisation the log has already"))
    names = data.get("names") or {}
    sort_key = data.get("sort_key")
    record.organisations[event.organisation_id] = OrganisationState(
        name, False, event.id, dict(names), event.id, sort_key, event.id
    )


def _organisation_listed_name(record: Record, event: AuditEvent, data: Data) -> None:
    language = _need(data, "language", str, event)
    old, new = data.get("old"), data.get("new")
    organisation = _organisation(record, event)
    if organisation.removed:
        raise _wrong_state(event, f"organisation #{event.organisation_id}", "removed")
    if old != organisation.names.get(language):
        _contradiction(
            record, "organisations", f"organisation #{event.organisation_id} in {language}",
            event, _listed_words(old), _listed_words(organisation.names.get(language)),
            organisation.names_event,
        )  # fmt: skip
    listed_before = organisation.listed(language)
    if isinstance(new, str):
        organisation.names[language] = new
    else:
        organisation.names.pop(language, None)
    organisation.names_event = event.id
    if "rename" in data:  # the organisation confirmed a change of its listed name
        rename = _pending_rename(record, event, data)
        shown = (listed_before, organisation.listed(language))
        if rename.language != language or (rename.old, rename.new) != shown:
            raise _Rejected(
                _event_difference(event, f"rename #{data['rename']} was to another name")
            )
        rename.status, rename.event = "confirmed", event.id


def _organisation_sort_key(record: Record, event: AuditEvent, data: Data) -> None:
    organisation = _organisation(record, event)
    old, new = data.get("old"), data.get("new")
    if old != organisation.sort_key:
        _contradiction(
            record, "organisations", f"organisation #{event.organisation_id}", event,
            _key_words(old), _key_words(organisation.sort_key), organisation.sort_key_event,
        )  # fmt: skip
    organisation.sort_key = new if isinstance(new, str) else None
    organisation.sort_key_event = event.id


def _organisation_renamed(record: Record, event: AuditEvent, data: Data) -> None:
    old, new = _need(data, "old", str, event), _need(data, "new", str, event)
    organisation = _organisation(record, event)
    if organisation.removed:
        raise _wrong_state(event, f"organisation #{event.organisation_id}", "removed")
    if old != organisation.name:
        _contradiction(
            record, "organisations", f"organisation #{event.organisation_id}", event,
            _quoted(old), _quoted(organisation.name), organisation.event,
        )  # fmt: skip
    organisation.name, organisation.event = new, event.id
    if "rename" in data:  # the organisation confirmed a rename waiting for it
        rename = _pending_rename(record, event, data)
        if rename.language is not None or (rename.old, rename.new) != (old, new):
            raise _Rejected(
                _event_difference(event, f"rename #{data['rename']} was to another name")
            )
        rename.status, rename.event = "confirmed", event.id


def _rename_requested(record: Record, event: AuditEvent, data: Data) -> None:
    rename_id = _need(data, "rename", int, event)
    old, new = _need(data, "old", str, event), _need(data, "new", str, event)
    organisation = _organisation(record, event)
    if organisation.removed:
        raise _wrong_state(event, f"organisation #{event.organisation_id}", "removed")
    if rename_id in record.renames:
        raise _Rejected(_event_difference(event, f"rename #{rename_id} is in the log already"))
    language = data.get("language")
    if isinstance(language, str):  # a listed name: what that language's list shows now
        if old != organisation.listed(language):
            _contradiction(
                record, "organisations", f"organisation #{event.organisation_id} in {language}",
                event, _quoted(old), _quoted(organisation.listed(language)),
                max(organisation.event, organisation.names_event),
            )  # fmt: skip
    elif old != organisation.name:
        _contradiction(
            record, "organisations", f"organisation #{event.organisation_id}", event,
            _quoted(old), _quoted(organisation.name), organisation.event,
        )  # fmt: skip
    record.renames[rename_id] = RenameState(
        event.organisation_id or 0, old, new, "pending", event.id,
        language if isinstance(language, str) else None,
    )  # fmt: skip


def _pending_rename(record: Record, event: AuditEvent, data: Data) -> RenameState:
    rename_id = _need(data, "rename", int, event)
    rename = record.renames.get(rename_id)
    if rename is None or rename.organisation_id != event.organisation_id:
        raise _Rejected(_event_difference(event, f"rename #{rename_id} was never asked for"))
    if rename.status != "pending":
        raise _wrong_state(event, f"rename #{rename_id}", rename.status)
    return rename


def _rename_ended(status: str) -> Reducer:
    def reduce(record: Record, event: AuditEvent, data: Data) -> None:
        rename = _pending_rename(record, event, data)
        rename.status, rename.event = status, event.id

    return reduce


def _organisation_removed(record: Record, event: AuditEvent, data: Data) -> None:
    organisation = _organisation(record, event)
    if organisation.removed:
        raise _wrong_state(event, f"organisation #{event.organisation_id}", "removed")
    name = data.get("name")
    if isinstance(name, str) and name != organisation.name:
        _contradiction(
            record, "organisations", f"organisation #{event.organisation_id}", event,
            _quoted(name), _quoted(organisation.name), organisation.event,
        )  # fmt: skip
    organisation.removed, organisation.event = True, event.id
    for contact in record.contacts.values():  # its contacts lose access with it
        if contact.organisation_id == event.organisation_id and contact.access != "removed":
            contact.access, contact.event = "removed", event.id


def _invite_issued(record: Record, event: AuditEvent, data: Data) -> None:
    _organisation(record, event)
    if event.contact_id is None or event.contact_id in record.contacts:
        raise _Rejected(_event_difference(event, "it invites a contact the log has already"))
    record.contacts[event.contact_id] = ContactState(
        event.organisation_id, None, "invited", event.id
    )


def _invite_used(record: Record, event: AuditEvent, data: Data) -> None:
    account = _need(data, "telegram_user_id", int, event)
    contact = _contact(record, event)
    if contact.access != "invited":
        raise _wrong_state(event, f"contact #{event.contact_id}", contact.access)
    contact.telegram_user_id, contact.access, contact.event = account, "live", event.id


def _contact_removed(record: Record, event: AuditEvent, data: Data) -> None:
    contact = _contact(record, event)
    contact.access, contact.event = "removed", event.id


# --- reducers: coordinators and approvals ------------------------------------------------------


def _coordinator_subject(event: AuditEvent) -> str:
    return f"coordinator contact #{event.contact_id}"


def _coordinator(record: Record, event: AuditEvent) -> CoordinatorState:
    coordinator = record.coordinators.get(event.contact_id or 0)
    if coordinator is None:
        raise _Rejected(
            _event_difference(
                event, f"coordinator contact #{event.contact_id} was never added in the log"
            )
        )
    return coordinator


def _coordinator_registered(record: Record, event: AuditEvent, data: Data) -> None:
    """A coordinator's first update. Before coordinators were records (migration 0012) it
    also created their contact: their Telegram id is the actor's."""
    coordinator = record.coordinators.get(event.contact_id or 0)
    if coordinator is not None:
        if coordinator.access != "live":
            raise _wrong_state(
                event, f"coordinator contact #{event.contact_id}", coordinator.access
            )
        return
    prefix, _, account = event.actor.partition(":")
    if event.contact_id is None or prefix != "coordinator" or not account.isdigit():
        raise _Rejected(_event_difference(event, "it names no coordinator's Telegram account"))
    record.coordinators[event.contact_id] = CoordinatorState(int(account), "live", event.id)


def _coordinator_invited(record: Record, event: AuditEvent, data: Data) -> None:
    if event.contact_id is None or event.contact_id in record.coordinators:
        raise _Rejected(_event_difference(event, "it invites a coordinator the log has already"))
    record.coordinators[event.contact_id] = CoordinatorState(None, "invited", event.id)


def _coordinator_invite_issued(record: Record, event: AuditEvent, data: Data) -> None:
    coordinator = _coordinator(record, event)
    if coordinator.access != "invited":
        raise _wrong_state(event, _coordinator_subject(event), coordinator.access)


def _coordinator_added(record: Record, event: AuditEvent, data: Data) -> None:
    account = _need(data, "telegram_user_id", int, event)
    if data.get("via") == "invitation":
        coordinator = _coordinator(record, event)
        if coordinator.access != "invited":
            raise _wrong_state(
                event, f"coordinator contact #{event.contact_id}", coordinator.access
            )
        coordinator.telegram_user_id, coordinator.access, coordinator.event = (
            account, "live", event.id
        )  # fmt: skip
        return
    if event.contact_id is None or event.contact_id in record.coordinators:
        raise _Rejected(_event_difference(event, "it adds a coordinator the log has already"))
    record.coordinators[event.contact_id] = CoordinatorState(account, "live", event.id)


def _coordinator_removed(record: Record, event: AuditEvent, data: Data) -> None:
    coordinator = _coordinator(record, event)
    if coordinator.access == "removed":
        raise _wrong_state(event, _coordinator_subject(event), "removed")
    coordinator.access, coordinator.event = "removed", event.id


def _approval_requested(record: Record, event: AuditEvent, data: Data) -> None:
    approval_id = _need(data, "approval", int, event)
    if approval_id in record.approvals:
        raise _Rejected(_event_difference(event, f"request #{approval_id} is in the log already"))
    record.approvals[approval_id] = ApprovalState(
        _need(data, "kind", str, event), "pending", event.id
    )


def _approval_ended(status: str) -> Reducer:
    def reduce(record: Record, event: AuditEvent, data: Data) -> None:
        approval_id = _need(data, "approval", int, event)
        approval = record.approvals.get(approval_id)
        if approval is None:
            raise _Rejected(
                _event_difference(event, f"request #{approval_id} was never made in the log")
            )
        if approval.status != "pending":
            raise _wrong_state(event, f"request #{approval_id}", approval.status)
        approval.status, approval.event = status, event.id

    return reduce


def _approval_rule(record: Record, event: AuditEvent, data: Data) -> None:
    rule = _need(data, "rule", str, event)
    if rule not in ("one", "two"):
        raise _Rejected(_event_difference(event, f"{rule!r} is no approval rule"))
    record.approval_rule, record.approval_rule_event = rule, event.id


# A request's own steps name it as "approval" too.
_REQUEST_STEPS = frozenset(
    f"approval.{step}"
    for step in ("requested", "approved", "rejected", "expired", "cancelled", "failed")
)


def _check_approval(record: Record, event: AuditEvent, data: Data) -> None:
    """An action done with a second coordinator's approval names it: the log must have
    approved that request just before (a forged claim of approval is a difference)."""
    approval_id = data.get("approval")
    if approval_id is None or event.action in _REQUEST_STEPS:
        return
    approval = record.approvals.get(approval_id) if isinstance(approval_id, int) else None
    if approval is None or approval.status != "approved":
        state = "never made" if approval is None else approval.status
        detail = f"it says request #{approval_id} approved it; by the log that request was {state}"
        record.contradictions.append(_event_difference(event, detail))


# --- reducers: letters and versions -----------------------------------------------------------


def _letter_created(record: Record, event: AuditEvent, data: Data) -> None:
    deadline = _need(data, "deadline", str, event)
    if event.letter_id is None or event.letter_id in record.letters:
        raise _Rejected(_event_difference(event, "it creates a letter the log has already"))
    record.letters[event.letter_id] = LetterState("draft", False, event.id, deadline, event.id)


def _version_added(record: Record, event: AuditEvent, data: Data) -> None:
    letter = _letter(record, event)
    number = _need(data, "version", int, event)
    if number != len(letter.versions) + 1:
        raise _Rejected(
            _event_difference(event, f"v{number} does not follow v{len(letter.versions)}")
        )
    translations = data.get("translations") or {}
    if not isinstance(translations, dict):
        raise _Rejected(_event_difference(event, "its data has no usable 'translations'"))
    letter.versions[number] = VersionState(
        _need(data, "fingerprint", str, event),
        bool(data.get("material", True)),
        event.id,
        dict(translations),
    )


def _letter_circulated(record: Record, event: AuditEvent, data: Data) -> None:
    letter = _letter(record, event)
    organisations = _need(data, "organisations", list, event)
    if letter.status == "closed":
        raise _wrong_state(event, f"letter #{event.letter_id}", "closed")
    for organisation_id in organisations:
        if organisation_id not in record.organisations:
            raise _Rejected(
                _event_difference(event, f"organisation #{organisation_id} was never added")
            )
        letter.recipients.setdefault(organisation_id, event.id)
    letter.status, letter.event = "open", event.id


def _deadline_moved(record: Record, event: AuditEvent, data: Data) -> None:
    letter = _letter(record, event)
    before, after = _need(data, "from", str, event), _need(data, "to", str, event)
    if not _same_time(before, letter.deadline):
        _contradiction(
            record, "letters", f"letter #{event.letter_id}", event,
            f"the deadline {before}", letter.deadline, letter.deadline_event,
        )  # fmt: skip
    letter.deadline, letter.deadline_event = after, event.id


def _letter_closed(record: Record, event: AuditEvent, data: Data) -> None:
    letter = _letter(record, event)
    if letter.status != "open":
        raise _wrong_state(event, f"letter #{event.letter_id}", letter.status)
    letter.status, letter.event = "closed", event.id


def _letter_reopened(record: Record, event: AuditEvent, data: Data) -> None:
    letter = _letter(record, event)
    if letter.status != "closed" or letter.purged:
        raise _wrong_state(
            event, f"letter #{event.letter_id}", "purged" if letter.purged else letter.status
        )
    letter.status, letter.event = "open", event.id
    letter.deadline, letter.deadline_event = _need(data, "deadline", str, event), event.id


def _letter_purged(record: Record, event: AuditEvent, data: Data) -> None:
    letter = _letter(record, event)
    if letter.status != "closed" or letter.purged:
        raise _wrong_state(
            event, f"letter #{event.letter_id}", "purged" if letter.purged else letter.status
        )
    letter.purged, letter.event = True, event.id
    for (letter_id, _), response in record.responses.items():
        if letter_id == event.letter_id:
            response.reason = False  # decline reasons go with the texts
            response.signer = False  # and the persons signing
    for publication in letter.publications.values():
        for organisation_id, entry in publication.signatories.items():
            publication.signatories[organisation_id] = replace(entry, signer=False)


# --- reducers: responses ----------------------------------------------------------------------


def _response(decision: str) -> Reducer:
    """An organisation's own answer, by one of its contacts."""

    def reduce(record: Record, event: AuditEvent, data: Data) -> None:
        contact = _contact(record, event)
        if contact.organisation_id != event.organisation_id or contact.access != "live":
            raise _Rejected(
                _event_difference(
                    event, f"contact #{event.contact_id} could not answer for this organisation"
                )
            )
        _answer(record, event, data, decision, contact_id=event.contact_id)

    return reduce


def _response_recorded(record: Record, event: AuditEvent, data: Data) -> None:
    """An answer a coordinator recorded for the organisation (it came by another road)."""
    decision = _need(data, "decision", str, event)
    if decision not in ("signed", "declined", "withdrawn"):
        raise _Rejected(_event_difference(event, f"it records the decision '{decision}'"))
    recorded_by = _need(data, "recorded_by", int, event)
    _answer(
        record, event, data, decision, contact_id=None, recorded_by=recorded_by,
        channel=_need(data, "channel", str, event),
    )  # fmt: skip


def _answer(
    record: Record,
    event: AuditEvent,
    data: Data,
    decision: str,
    *,
    contact_id: int | None,
    recorded_by: int | None = None,
    channel: str | None = None,
) -> None:
    letter = _letter(record, event)
    organisation = _organisation(record, event)
    assert event.organisation_id is not None and event.letter_id is not None
    subject = _subject(event.letter_id, event.organisation_id, organisation.name)
    if letter.status != "open":
        raise _wrong_state(event, f"letter #{event.letter_id}", letter.status)
    if event.organisation_id not in letter.recipients:
        raise _Rejected(
            _event_difference(
                event, f"the letter never went to organisation #{event.organisation_id}"
            )
        )
    number = _need(data, "version", int, event)
    fingerprint_ = _need(data, "fingerprint", str, event)
    version = letter.versions.get(number)
    if version is None or version.fingerprint != fingerprint_:
        raise _Rejected(
            _event_difference(event, f"v{number} · {fingerprint_} is not a version of the letter")
        )
    key = (event.letter_id, event.organisation_id)
    previous = record.responses.get(key)
    said = data.get("previous")
    if said != (previous.decision if previous else None):
        _contradiction(
            record, "responses", subject, event,
            said or "no response", previous.decision if previous else "no response",
            previous.event if previous else None,
        )  # fmt: skip
    signed = decision == "signed"
    kept = decision != "withdrawn"  # a withdrawal names no version in the table
    record.responses[key] = ResponseState(
        decision,
        _need(data, "listing", str, event) if signed else None,
        number if kept else None,
        fingerprint_ if kept else None,
        contact_id,
        decision == "declined" and bool(data.get("reason_given")),
        event.id,
        signer=signed and bool(data.get("signer")),
        recorded_by=recorded_by,
        channel=channel,
    )


# --- reducers: publications -------------------------------------------------------------------


def _publication_published(record: Record, event: AuditEvent, data: Data) -> None:
    """List N: every organisation it names or counts must stand signed so in the record, and
    the table must hold it as the record stood (names, sort key, person, who recorded it)."""
    letter = _letter(record, event)
    assert event.letter_id is not None
    number = _need(data, "number", int, event)
    version = _need(data, "version", int, event)
    entries = _need(data, "signatories", list, event)
    if letter.purged or letter.status == "draft":
        raise _wrong_state(
            event, f"letter #{event.letter_id}", "purged" if letter.purged else letter.status
        )
    if number != len(letter.publications) + 1:
        raise _Rejected(
            _event_difference(
                event, f"list {number} does not follow list {len(letter.publications)}"
            )
        )
    if version not in letter.versions:
        raise _Rejected(_event_difference(event, f"v{version} is not a version of the letter"))
    signatories: dict[int, PublishedState] = {}
    for entry in entries:
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], int)):
            raise _Rejected(_event_difference(event, "its data has no usable 'signatories'"))
        organisation_id, listing = entry
        organisation = record.organisations.get(organisation_id)
        response = record.responses.get((event.letter_id, organisation_id))
        if organisation is None:
            raise _Rejected(
                _event_difference(event, f"organisation #{organisation_id} was never added")
            )
        if response is None or response.decision != "signed" or response.listing != listing:
            _contradiction(
                record, "responses",
                _subject(event.letter_id, organisation_id, organisation.name), event,
                f"it signed, {LISTING_WORDS.get(listing, listing)}",
                _response_words(
                    response.decision, None, None, response.listing, None, False,
                    shown={"listing"},
                ) if response else "no response",
                response.event if response else None,
            )  # fmt: skip
        en, ru, be = (organisation.listed(language) for language in _LIST_LANGUAGES)
        signatories[organisation_id] = PublishedState(
            listing,
            response.version if response else None,
            (organisation.name, en, ru, be),
            organisation.sort_key,
            bool(response and response.signer),
            response.recorded_by if response else None,
            response.channel if response else None,
        )
    letter.publications[number] = PublicationState(version, event.id, signatories)


_LIST_LANGUAGES = ("en", "ru", "be")  # the order of PublishedRow.names after the primary


REDUCERS: dict[str, Reducer] = {
    "organisation.added": _organisation_added,
    "organisation.renamed": _organisation_renamed,
    "organisation.removed": _organisation_removed,
    "invite.issued": _invite_issued,
    "invite.used": _invite_used,
    "invite.revoked": _contact_removed,
    "contact.removed": _contact_removed,
    "letter.created": _letter_created,
    "version.added": _version_added,
    "letter.circulated": _letter_circulated,
    "deadline.moved": _deadline_moved,
    "letter.closed": _letter_closed,
    "letter.reopened": _letter_reopened,
    "letter.purged": _letter_purged,
    "response.signed": _response("signed"),
    "response.declined": _response("declined"),
    "response.withdrawn": _response("withdrawn"),
    "organisation.rename_requested": _rename_requested,
    "organisation.rename_kept": _rename_ended("kept"),
    "organisation.rename_cancelled": _rename_ended("cancelled"),
    "coordinator.registered": _coordinator_registered,
    "coordinator.invited": _coordinator_invited,
    "coordinator.invite_issued": _coordinator_invite_issued,
    "coordinator.added": _coordinator_added,
    "coordinator.removed": _coordinator_removed,
    "approval.requested": _approval_requested,
    "approval.approved": _approval_ended("approved"),
    "approval.rejected": _approval_ended("rejected"),
    "approval.expired": _approval_ended("expired"),
    "approval.cancelled": _approval_ended("cancelled"),
    "approval.failed": _approval_ended("failed"),
    "approval.rule": _approval_rule,
    "response.recorded": _response_recorded,
    "organisation.listed_name": _organisation_listed_name,
    "organisation.sort_key": _organisation_sort_key,
    "publication.published": _publication_published,
}

# Known actions that change nothing the replay rebuilds.
NO_RECORD: frozenset[str] = frozenset(
    {
        "contact.reachable",  # active ↔ unreachable: access either way
        "contact.unreachable",
        "contact.language",
        "letter.exported",
        "audit.exported",
        "audit.verified",
        "comment.added",
        "comment.replied",
        "reminder.sent",
        "reminder.due",
        "reminders.changed",
        "milestone.added",
        "milestone.removed",
        "delivery.resent",
        "letter.signer_asked",  # whether the Sign flow asks for the person: no record
        "letter.copied",  # the copy is created by its own letter.created
    }
)
UNREPLAYABLE = (
    "this action changes the record and this check cannot replay it (is the bot newer "
    "than this command?)"
)
# An unknown action in one of these would change what is rebuilt: a difference, not a skip.
RECORD_NAMESPACES: frozenset[str] = frozenset(
    {
        "organisation", "invite", "contact", "letter", "version", "deadline", "response",
        "coordinator", "approval", "publication",
    }
)  # fmt: skip


def replay(events: Iterable[AuditEvent]) -> Record:
    """The record as the log tells it, event by event (in id order)."""
    record = Record()
    for event in events:
        reducer = REDUCERS.get(event.action)
        if reducer is None:
            if event.action not in NO_RECORD:
                if event.action.partition(".")[0] in RECORD_NAMESPACES:
                    record.contradictions.append(_event_difference(event, UNREPLAYABLE))
                else:
                    record.unknown[event.action] += 1
            continue
        try:
            data = json.loads(event.data)
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except ValueError:
            record.contradictions.append(_event_difference(event, "its data is not readable"))
            continue
        try:
            _check_approval(record, event, data)
            reducer(record, event, data)
        except _Rejected as unreadable:
            record.contradictions.append(unreadable.difference)
    return record


# --- comparing with the tables ----------------------------------------------------------------


def _quoted(name: str) -> str:
    """A name as the line shows it: quoted, control characters visible (a forged row may
    hold any)."""
    shown = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in name)
    return f"'{shown}'"


def _subject(letter_id: int, organisation_id: int, name: str | None) -> str:
    named = f" {_quoted(name)}" if name is not None else ""
    return f"letter #{letter_id}, organisation #{organisation_id}{named}"


def _same_time(one: str, other: str) -> bool:
    try:
        return datetime.fromisoformat(one) == datetime.fromisoformat(other)
    except ValueError:
        return one == other


def _pairs(table: dict[K, R], logged: dict[K, S]) -> Iterator[tuple[K, R | None, S | None]]:
    """Each key of the table or the log, in order, with its row and its logged state."""
    for key in sorted(table.keys() | logged.keys()):  # type: ignore[type-var]
        yield key, table.get(key), logged.get(key)


def _says(table: str, log: str, event: int | None) -> str:
    source = f" (event #{event})" if event else ""
    return f"the table says {table}; the audit log says {log}{source}"


def _organisations(record: Record, rows: list[OrganisationRow]) -> Iterator[Difference]:
    table = {row.id: row for row in rows}
    for org_id, row, state in _pairs(table, record.organisations):
        subject = f"organisation #{org_id}"
        if state is None:
            assert row is not None
            yield Difference(
                "organisations", f"{subject} {_quoted(row.name)}",
                f"the table has it ({row.status}); the audit log never added it",
            )  # fmt: skip
            continue
        if row is None:
            yield Difference(
                "organisations", subject,
                f"the table has no such organisation; the audit log says {_quoted(state.name)} "
                f"(event #{state.event})", state.event,
            )  # fmt: skip
            continue
        if row.name != state.name:
            yield Difference(
                "organisations", subject,
                _says(_quoted(row.name), _quoted(state.name), state.event), state.event,
            )  # fmt: skip
        status = "removed" if state.removed else "active"
        if row.status != status:
            yield Difference(
                "organisations", f"{subject} {_quoted(state.name)}",
                _says(row.status, status, state.event), state.event,
            )  # fmt: skip


def _access(status: str) -> str:
    return {"active": "live", "unreachable": "live"}.get(status, status)


def _contact_words(organisation_id: int | None, account: int | None, access: str) -> str:
    bound = f", Telegram account {account}" if account is not None else ""
    shown = {"live": "has access", "invited": "invited, not joined", "removed": "removed"}
    return f"{shown.get(access, access)}, organisation #{organisation_id}{bound}"


def _contacts(record: Record, rows: list[ContactRow]) -> Iterator[Difference]:
    table = {row.id: row for row in rows}
    for contact_id, row, state in _pairs(table, record.contacts):
        subject = f"contact #{contact_id}"
        if state is None:
            assert row is not None
            words = _contact_words(row.organisation_id, row.telegram_user_id, _access(row.status))
            yield Difference(
                "contacts", subject,
                f"the table has it ({words}); the audit log never invited it",
            )  # fmt: skip
            continue
        logged = _contact_words(state.organisation_id, state.telegram_user_id, state.access)
        if row is None:
            yield Difference(
                "contacts", subject,
                f"the table has no such contact; the audit log says {logged} "
                f"(event #{state.event})", state.event,
            )  # fmt: skip
            continue
        found = (row.organisation_id, row.telegram_user_id, _access(row.status))
        if found != (state.organisation_id, state.telegram_user_id, state.access):
            yield Difference(
                "contacts", subject, _says(_contact_words(*found), logged, state.event),
                state.event,
            )  # fmt: skip


def _letter_words(status: str, purged: bool) -> str:
    return f"{status}, purged" if purged else status


def _letters(
    record: Record, rows: list[LetterRow], recipients: list[tuple[int, int]]
) -> Iterator[Difference]:
    table = {row.id: row for row in rows}
    went_to: dict[int, set[int]] = {}
    for letter_id, organisation_id in recipients:
        went_to.setdefault(letter_id, set()).add(organisation_id)
    for letter_id, row, state in _pairs(table, record.letters):
        subject = f"letter #{letter_id}"
        if state is None:
            assert row is not None
            yield Difference(
                "letters", subject,
                f"the table has it ({_letter_words(row.status, row.purged)}); the audit log "
                "never created it",
            )  # fmt: skip
            continue
        if row is None:
            yield Difference(
                "letters", subject,
                f"the table has no such letter; the audit log says "
                f"{_letter_words(state.status, state.purged)} (event #{state.event})",
                state.event,
            )  # fmt: skip
            continue
        if (row.status, row.purged) != (state.status, state.purged):
            yield Difference(
                "letters", subject,
                _says(
                    _letter_words(row.status, row.purged),
                    _letter_words(state.status, state.purged), state.event,
                ), state.event,
            )  # fmt: skip
        if not _same_time(row.deadline, state.deadline):
            yield Difference(
                "letters", subject,
                _says(f"the deadline {row.deadline}", state.deadline, state.deadline_event),
                state.deadline_event,
            )  # fmt: skip
        found = went_to.get(letter_id, set())
        for organisation_id in sorted(found ^ state.recipients.keys()):
            name = record.organisations.get(organisation_id)
            subject_org = _subject(letter_id, organisation_id, name.name if name else None)
            if organisation_id in found:
                detail = "the table says it went to it; the audit log never circulated it there"
                event = None
            else:
                event = state.recipients[organisation_id]
                detail = _says("it did not go to it", "it did", event)
            yield Difference("letters", subject_org, detail, event)


def _versions(record: Record, rows: list[VersionRow]) -> Iterator[Difference]:
    table = {(row.letter_id, row.number): row for row in rows}
    logged = {
        (letter_id, number): (letter, version)
        for letter_id, letter in record.letters.items()
        for number, version in letter.versions.items()
    }
    for (letter_id, number), row, pair in _pairs(table, logged):
        letter, state = pair or (None, None)
        subject = f"letter #{letter_id}, v{number}"
        if state is None:
            assert row is not None
            yield Difference(
                "versions", subject,
                f"the table has it ({row.fingerprint}); the audit log never added it",
            )  # fmt: skip
            continue
        kind = "material" if state.material else "minor"
        if row is None:
            yield Difference(
                "versions", subject,
                f"the table has no such version; the audit log says {state.fingerprint}, {kind} "
                f"(event #{state.event})", state.event,
            )  # fmt: skip
            continue
        assert letter is not None
        if row.fingerprint != state.fingerprint:
            yield Difference(
                "versions", subject,
                _says(f"fingerprint {row.fingerprint}", state.fingerprint, state.event),
                state.event,
            )  # fmt: skip
        elif row.material != state.material:
            found = "material" if row.material else "minor"
            yield Difference("versions", subject, _says(found, kind, state.event), state.event)
        if row.body is None:
            if not letter.purged:
                yield Difference(
                    "versions", subject,
                    _says("the text is gone", "the letter was never purged", letter.event),
                    letter.event,
                )  # fmt: skip
        elif letter.purged:
            yield Difference(
                "versions", subject,
                _says("the text is there", "it was purged", letter.event), letter.event,
            )  # fmt: skip
        elif fingerprint(row.body) != row.fingerprint:
            yield Difference(
                "versions", subject,
                f"the text in the table no longer has its fingerprint {row.fingerprint} "
                f"(it is {fingerprint(row.body)}): the text was changed", state.event,
            )  # fmt: skip


def _response_words(
    decision: str,
    version: int | None,
    fingerprint_: str | None,
    listing: str | None,
    contact_id: int | None,
    reason: bool,
    signer: bool = False,
    recorded_by: int | None = None,
    channel: str | None = None,
    *,
    shown: set[str],
) -> str:
    """A response in words: the decision, and of the rest what ``shown`` asks for."""
    words = [decision]
    if "version" in shown and version is not None:
        words[0] += f" v{version} · {fingerprint_}"
    elif "version" in shown and decision != "withdrawn":
        words[0] += " on no version of this letter"
    if "listing" in shown and (listing is not None or decision == "signed"):
        words.append(LISTING_WORDS.get(listing or "", "with no listing"))
    if "reason" in shown and decision == "declined":
        words.append("with a reason" if reason else "without a reason")
    if "signer" in shown:
        words.append("with the person signing" if signer else "without the person signing")
    if "contact" in shown and (contact_id is not None or recorded_by is None):
        words.append(f"by contact #{contact_id}")
    if "recorded" in shown:
        words.append(
            f"recorded by coordinator contact #{recorded_by} via {channel}"
            if recorded_by is not None
            else "given in the bot"
        )
    return ", ".join(words)


_RESPONSE_FIELDS = (
    "decision", "version", "version", "listing", "contact", "reason", "signer", "recorded",
    "recorded",
)  # fmt: skip


def _all_of(response: tuple[Any, ...]) -> set[str]:
    """What a response on its own is described by: the person and the recording when there."""
    shown = {"version", "listing", "contact"}
    if response[6]:
        shown.add("signer")
    if response[7] is not None:
        shown.add("recorded")
    return shown


def _responses(record: Record, rows: list[ResponseRow]) -> Iterator[Difference]:
    table = {(row.letter_id, row.organisation_id): row for row in rows}
    for key, row, state in _pairs(table, record.responses):
        organisation = record.organisations.get(key[1])
        subject = _subject(*key, organisation.name if organisation else None)
        if row is not None:
            # A version of another letter is no version of this one.
            own = row.version_letter_id in (None, key[0])
            found = (
                row.decision,
                row.version_number if own else None,
                row.fingerprint if own else None,
                row.listing,
                row.contact_id,
                row.reason,
                row.signer,
                row.recorded_by,
                row.channel,
            )
        if state is None:
            assert row is not None
            yield Difference(
                "responses", subject,
                f"the table says {_response_words(*found, shown=_all_of(found))}; "
                "the audit log has no response from it",
            )  # fmt: skip
            continue
        logged = (
            state.decision,
            state.version,
            state.fingerprint,
            state.listing,
            state.contact_id,
            state.reason,
            state.signer,
            state.recorded_by,
            state.channel,
        )
        if row is None:
            yield Difference(
                "responses", subject,
                f"the table has no response; the audit log says "
                f"{_response_words(*logged, shown=_all_of(logged))} "
                f"(event #{state.event})", state.event,
            )  # fmt: skip
            continue
        if found == logged:
            continue
        shown = {name for name, a, b in zip(_RESPONSE_FIELDS, found, logged, strict=True) if a != b}
        if found[0] != logged[0]:
            shown |= {"version", "listing", "reason"}
        yield Difference(
            "responses", subject,
            _says(
                _response_words(*found, shown=shown), _response_words(*logged, shown=shown),
                state.event,
            ), state.event,
        )  # fmt: skip


def _coordinator_words(account: int | None, access: str) -> str:
    shown = {
        "live": "a coordinator with access",
        "invited": "a coordinator invited, not joined",
        "removed": "a removed coordinator",
    }
    bound = f", Telegram account {account}" if account is not None else ""
    return f"{shown.get(access, access)}{bound}"


def _coordinators(record: Record, rows: list[CoordinatorRow]) -> Iterator[Difference]:
    table = {row.id: row for row in rows}
    for contact_id, row, state in _pairs(table, record.coordinators):
        subject = f"contact #{contact_id}"
        if state is None:
            assert row is not None
            words = _coordinator_words(row.telegram_user_id, _access(row.status))
            yield Difference(
                "contacts", subject, f"the table has {words}; the audit log never added it"
            )
            continue
        logged = _coordinator_words(state.telegram_user_id, state.access)
        if row is None:
            yield Difference(
                "contacts", subject,
                f"the table has no such coordinator; the audit log says {logged} "
                f"(event #{state.event})", state.event,
            )  # fmt: skip
            continue
        found = (row.telegram_user_id, _access(row.status))
        if found != (state.telegram_user_id, state.access):
            yield Difference(
                "contacts", subject, _says(_coordinator_words(*found), logged, state.event),
                state.event,
            )  # fmt: skip


def _renames(record: Record, rows: list[RenameRow]) -> Iterator[Difference]:
    table = {row.id: row for row in rows}
    for rename_id, row, state in _pairs(table, record.renames):
        subject = f"rename #{rename_id}"
        if state is None:
            assert row is not None
            yield Difference(
                "organisation_renames", f"{subject} of organisation #{row.organisation_id}",
                f"the table has it ({_quoted(row.old_name)} to {_quoted(row.new_name)}, "
                f"{row.status}); the audit log never asked for it",
            )  # fmt: skip
            continue
        logged = f"{_quoted(state.old)} to {_quoted(state.new)}, {state.status}"
        if row is None:
            yield Difference(
                "organisation_renames", subject,
                f"the table has no such rename; the audit log says {logged} "
                f"(event #{state.event})", state.event,
            )  # fmt: skip
            continue
        found = (row.organisation_id, row.old_name, row.new_name, row.status, row.language)
        logged_row = (state.organisation_id, state.old, state.new, state.status, state.language)
        if found != logged_row:
            words = f"{_quoted(row.old_name)} to {_quoted(row.new_name)}, {row.status}"
            if row.language != state.language:
                words += f", in {row.language or 'the primary name'}"
            yield Difference(
                "organisation_renames", f"{subject} of organisation #{state.organisation_id}",
                _says(words, logged, state.event), state.event,
            )  # fmt: skip


def _approvals(record: Record, rows: list[ApprovalRow]) -> Iterator[Difference]:
    table = {row.id: row for row in rows}
    for approval_id, row, state in _pairs(table, record.approvals):
        subject = f"request #{approval_id}"
        if state is None:
            assert row is not None
            yield Difference(
                "approvals", f"{subject} ({row.kind})",
                f"the table has it ({row.status}); the audit log never had it asked for",
            )  # fmt: skip
            continue
        if row is None:
            yield Difference(
                "approvals", f"{subject} ({state.kind})",
                f"the table has no such request; the audit log says {state.status} "
                f"(event #{state.event})", state.event,
            )  # fmt: skip
            continue
        if (row.kind, row.status) != (state.kind, state.status):
            yield Difference(
                "approvals", f"{subject} ({state.kind})",
                _says(f"{row.kind}, {row.status}", f"{state.kind}, {state.status}", state.event),
                state.event,
            )  # fmt: skip


def _rule(record: Record, stored: str | None) -> Iterator[Difference]:
    found = stored or "two"
    if found != record.approval_rule:
        words = {"two": "a second coordinator approves", "one": "one coordinator acts alone"}
        yield Difference(
            "bot_state", "the approval rule",
            _says(words.get(found, repr(found)), words[record.approval_rule],
                  record.approval_rule_event),
            record.approval_rule_event,
        )  # fmt: skip


# --- comparing issue 17's tables: listed names, translations, publications --------------------


def _listed_words(name: object) -> str:
    if isinstance(name, str):
        return _quoted(name)
    return "no name of its own (the primary name is listed)"


def _key_words(key: object) -> str:
    return f"the sort key {_quoted(key)}" if isinstance(key, str) else "no sort key"


def _listed_names(
    record: Record, rows: list[ListedNameRow], organisations: list[OrganisationRow]
) -> Iterator[Difference]:
    table = {(row.organisation_id, row.language): row.name for row in rows}
    logged = {
        (organisation_id, language): name
        for organisation_id, state in record.organisations.items()
        for language, name in state.names.items()
    }
    for (organisation_id, language), found, expected in _pairs(table, logged):
        if found == expected:
            continue
        state = record.organisations.get(organisation_id)
        event = state.names_event if state else None
        yield Difference(
            "organisations", f"organisation #{organisation_id} in {language}",
            _says(_listed_words(found), _listed_words(expected), event), event,
        )  # fmt: skip
    for row in organisations:
        state = record.organisations.get(row.id)
        if state is not None and row.sort_key != state.sort_key:
            yield Difference(
                "organisations", f"organisation #{row.id} {_quoted(state.name)}",
                _says(_key_words(row.sort_key), _key_words(state.sort_key), state.sort_key_event),
                state.sort_key_event,
            )  # fmt: skip


def _translations(record: Record, rows: list[TranslationRow]) -> Iterator[Difference]:
    table = {(row.letter_id, row.version_number, row.language): row for row in rows}
    logged = {
        (letter_id, number, language): (letter, version, fingerprint_)
        for letter_id, letter in record.letters.items()
        for number, version in letter.versions.items()
        for language, fingerprint_ in version.translations.items()
    }
    for (letter_id, number, language), row, state in _pairs(table, logged):
        subject = f"letter #{letter_id}, v{number} in {language}"
        if state is None:
            assert row is not None
            yield Difference(
                "translations", subject,
                f"the table has it ({row.fingerprint}); the audit log never added it",
            )  # fmt: skip
            continue
        letter, version, expected = state
        if row is None:
            yield Difference(
                "translations", subject,
                f"the table has no such translation; the audit log says {expected} "
                f"(event #{version.event})", version.event,
            )  # fmt: skip
        elif row.fingerprint != expected:
            yield Difference(
                "translations", subject,
                _says(f"fingerprint {row.fingerprint}", expected, version.event), version.event,
            )  # fmt: skip
        elif row.body is None and not letter.purged:
            yield Difference(
                "translations", subject,
                _says("the text is gone", "the letter was never purged", letter.event),
                letter.event,
            )  # fmt: skip
        elif row.body is not None and letter.purged:
            yield Difference(
                "translations", subject,
                _says("the text is there", "it was purged", letter.event), letter.event,
            )  # fmt: skip
        elif row.body is not None and fingerprint(row.body) != row.fingerprint:
            yield Difference(
                "translations", subject,
                f"the text in the table no longer has its fingerprint {row.fingerprint} "
                f"(it is {fingerprint(row.body)}): the text was changed", version.event,
            )  # fmt: skip


_PUBLISHED_FIELDS = (
    "listing", "the version signed", "names (primary, en, ru, be)", "sort key",
    "the person signing given", "recorded by contact", "channel",
)  # fmt: skip


def _published_words(values: tuple[object, ...], shown: set[str]) -> str:
    words = []
    for name, value in zip(_PUBLISHED_FIELDS, values, strict=True):
        if name in shown:
            text = (
                "/".join(_quoted(n) for n in value)
                if isinstance(value, tuple)
                else ("none" if value is None else str(value))
            )
            words.append(f"{name} {text}")
    return ", ".join(words)


def _publications(
    record: Record, rows: list[PublicationRow], entries: list[PublishedRow]
) -> Iterator[Difference]:
    table = {(row.letter_id, row.number): row for row in rows}
    logged = {
        (letter_id, number): publication
        for letter_id, letter in record.letters.items()
        for number, publication in letter.publications.items()
    }
    for (letter_id, number), row, state in _pairs(table, logged):
        subject = f"letter #{letter_id}, list {number}"
        if state is None:
            yield Difference(
                "publications", subject, "the table has it; the audit log never published it"
            )
        elif row is None:
            yield Difference(
                "publications", subject,
                f"the table has no such list; the audit log says it was published "
                f"(event #{state.event})", state.event,
            )  # fmt: skip
        elif row.version_number != state.version:
            yield Difference(
                "publications", subject,
                _says(f"v{row.version_number}", f"v{state.version}", state.event), state.event,
            )  # fmt: skip
    found = {(e.letter_id, e.number, e.organisation_id): e for e in entries}
    listed = {
        (letter_id, number, organisation_id): (publication.event, entry)
        for (letter_id, number), publication in logged.items()
        for organisation_id, entry in publication.signatories.items()
    }
    for (letter_id, number, organisation_id), published, pair in _pairs(found, listed):
        organisation = record.organisations.get(organisation_id)
        subject = f"letter #{letter_id}, list {number}, organisation #{organisation_id}" + (
            f" {_quoted(organisation.name)}" if organisation else ""
        )
        if pair is None:
            yield Difference(
                "publications", subject,
                "the table lists it; the audit log never published it in this list",
            )  # fmt: skip
            continue
        event, entry = pair
        if published is None:
            yield Difference(
                "publications", subject,
                f"the table does not list it; the audit log does (event #{event})", event,
            )  # fmt: skip
            continue
        table_values = (published.listing, published.version_number, published.names,
                        published.sort_key, published.signer, published.recorded_by,
                        published.channel)  # fmt: skip
        log_values = (entry.listing, entry.version, entry.names, entry.sort_key, entry.signer,
                      entry.recorded_by, entry.channel)  # fmt: skip
        if table_values != log_values:
            shown = {
                name
                for name, a, b in zip(_PUBLISHED_FIELDS, table_values, log_values, strict=True)
                if a != b
            }
            yield Difference(
                "publications", subject,
                _says(
                    _published_words(table_values, shown), _published_words(log_values, shown),
                    event,
                ), event,
            )  # fmt: skip


@dataclass(frozen=True)
class RecordCheck:
    """The replay's verdict: ``differences`` in the order they are reported (contradictions
    within the log first, then tables: organisations, contacts, letters, versions,
    responses, coordinators, renames, requests for approval, the approval rule, listed
    names and sort keys, translations, publications); empty when the tables are what the
    log says."""

    events: int
    differences: tuple[Difference, ...]
    unknown: dict[str, int]  # actions skipped, none of them about the record

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def first(self) -> Difference | None:
        return self.differences[0] if self.differences else None


def check_record(snapshot: Snapshot) -> RecordCheck:
    """Replays ``snapshot``'s events and compares the result with its tables (pure: run it
    in a thread from the bot)."""
    record = replay(snapshot.events)
    differences = [
        *record.contradictions,
        *_organisations(record, snapshot.organisations),
        *_contacts(record, snapshot.contacts),
        *_letters(record, snapshot.letters, snapshot.recipients),
        *_versions(record, snapshot.versions),
        *_responses(record, snapshot.responses),
        *_coordinators(record, snapshot.coordinators),
        *_renames(record, snapshot.renames),
        *_approvals(record, snapshot.approvals),
        *_rule(record, snapshot.approval_rule),
        *_listed_names(record, snapshot.listed_names, snapshot.organisations),
        *_translations(record, snapshot.translations),
        *_publications(record, snapshot.publications, snapshot.published),
    ]
    return RecordCheck(len(snapshot.events), tuple(differences), dict(record.unknown))
