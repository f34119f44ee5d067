"""What the audit log says the record is, rebuilt event by event and compared with the tables.

The hash chain proves that the log was not edited; it says nothing about the tables, which
someone holding the database file can change directly (a signature "internal only" made
"named", a signature inserted for an organisation that never signed, an organisation
renamed). So the log is replayed: every response (decision, listing, the version signed,
the contact who gave it, whether a reason was given), organisations (name, removed),
member contacts (organisation, Telegram account, access), letters (draft, open, closed,
purged; deadline; the organisations it went to) and versions (number, fingerprint,
material or minor) are rebuilt from the events alone and compared with the tables. The
first difference is named in one line.

The replay is a table of reducers, one per audit action (``REDUCERS``): a reducer takes the
record rebuilt so far and one event, and changes the record as the event says. A new
feature that changes the record (approvals, recorded responses, translations,
publications, coordinator records) adds its reducer here, and its tables to the
comparison. Reducers also check each event against the record before it (a rename names
the old name; a response names the previous decision and the version's fingerprint): an
event that contradicts the record so far means the table was changed before that event,
even if a later change covered it up.

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
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from bot.db.audit import AuditEvent
from bot.db.replay import ContactRow, LetterRow, OrganisationRow, ResponseRow, Snapshot, VersionRow
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


@dataclass(slots=True)
class LetterState:
    status: str  # draft, open, closed
    purged: bool
    event: int  # the last event that set its status (or purged it)
    deadline: str
    deadline_event: int
    recipients: dict[int, int] = field(default_factory=dict)  # organisation → event
    versions: dict[int, VersionState] = field(default_factory=dict)  # by number


@dataclass(slots=True)
class ResponseState:
    decision: str  # signed, declined, withdrawn
    listing: str | None
    version: int | None
    fingerprint: str | None
    contact_id: int | None
    reason: bool
    event: int


@dataclass
class Record:
    organisations: dict[int, OrganisationState] = field(default_factory=dict)
    contacts: dict[int, ContactState] = field(default_factory=dict)
    letters: dict[int, LetterState] = field(default_factory=dict)
    responses: dict[tuple[int, int], ResponseState] = field(default_factory=dict)
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
    record.organisations[event.organisation_id] = OrganisationState(name, False, event.id)


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
    letter.versions[number] = VersionState(
        _need(data, "fingerprint", str, event), bool(data.get("material", True)), event.id
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


# --- reducers: responses ----------------------------------------------------------------------


def _response(decision: str) -> Reducer:
    def reduce(record: Record, event: AuditEvent, data: Data) -> None:
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
        contact = _contact(record, event)
        if contact.organisation_id != event.organisation_id or contact.access != "live":
            raise _Rejected(
                _event_difference(
                    event, f"contact #{event.contact_id} could not answer for this organisation"
                )
            )
        number = _need(data, "version", int, event)
        fingerprint_ = _need(data, "fingerprint", str, event)
        version = letter.versions.get(number)
        if version is None or version.fingerprint != fingerprint_:
            raise _Rejected(
                _event_difference(
                    event, f"v{number} · {fingerprint_} is not a version of the letter"
                )
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
            event.contact_id,
            decision == "declined" and bool(data.get("reason_given")),
            event.id,
        )

    return reduce


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
}

# Known actions that change nothing the replay rebuilds.
NO_RECORD: frozenset[str] = frozenset(
    {
        "contact.reachable",  # active ↔ unreachable: access either way
        "contact.unreachable",
        "contact.language",
        "coordinator.registered",  # coordinators' records are not replayed yet
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
    }
)
UNREPLAYABLE = (
    "this action changes the record and this check cannot replay it (is the bot newer "
    "than this command?)"
)
# An unknown action in one of these would change what is rebuilt: a difference, not a skip.
RECORD_NAMESPACES: frozenset[str] = frozenset(
    {"organisation", "invite", "contact", "letter", "version", "deadline", "response"}
)


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
    if "contact" in shown:
        words.append(f"by contact #{contact_id}")
    return ", ".join(words)


def _responses(record: Record, rows: list[ResponseRow]) -> Iterator[Difference]:
    table = {(row.letter_id, row.organisation_id): row for row in rows}
    everything = {"version", "listing", "reason", "contact"}
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
            )
        if state is None:
            assert row is not None
            yield Difference(
                "responses", subject,
                f"the table says {_response_words(*found, shown=everything - {'reason'})}; "
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
        )
        if row is None:
            yield Difference(
                "responses", subject,
                f"the table has no response; the audit log says "
                f"{_response_words(*logged, shown=everything - {'reason'})} "
                f"(event #{state.event})", state.event,
            )  # fmt: skip
            continue
        if found == logged:
            continue
        names = ("decision", "version", "version", "listing", "contact", "reason")
        shown = {name for name, a, b in zip(names, found, logged, strict=True) if a != b}
        if found[0] != logged[0]:
            shown |= {"version", "listing", "reason"}
        yield Difference(
            "responses", subject,
            _says(
                _response_words(*found, shown=shown), _response_words(*logged, shown=shown),
                state.event,
            ), state.event,
        )  # fmt: skip


@dataclass(frozen=True)
class RecordCheck:
    """The replay's verdict: ``differences`` in the order they are reported (contradictions
    within the log first, then tables: organisations, contacts, letters, versions,
    responses); empty when the tables are what the log says."""

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
    ]
    return RecordCheck(len(snapshot.events), tuple(differences), dict(record.unknown))
