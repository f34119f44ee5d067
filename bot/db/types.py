"""The stored vocabularies as enums, and rows made into typed values.

Each enum's values are the strings stored in SQLite (the schema's CHECK constraints),
so a member compares equal to its stored text and binds as a parameter as it is. A row
becomes a frozen dataclass in ``row_to``: enums from their text, instants as aware UTC
datetimes, 0/1 as booleans. Nothing above ``bot.db`` sees the stored forms.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any, TypeVar

from bot.db.timefmt import from_db


class LetterStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class CloseReport(StrEnum):
    """The report coordinators are owed for a letter closed at its deadline."""

    PENDING = "pending"
    SENT = "sent"


class Decision(StrEnum):
    SIGNED = "signed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Listing(StrEnum):
    """How a signatory appears in the export."""

    NAMED = "named"  # listed by name
    ANONYMOUS = "anonymous"  # counted, not named
    INTERNAL = "internal"  # known to coordinators only

    @classmethod
    def from_number(cls, number: int) -> Listing | None:
        """Button data carries 1, 2, 3; anything else is forged or stale."""
        return _LISTING_NUMBERS.get(number)

    @property
    def number(self) -> int:
        return {Listing.NAMED: 1, Listing.ANONYMOUS: 2, Listing.INTERNAL: 3}[self]


_LISTING_NUMBERS = {1: Listing.NAMED, 2: Listing.ANONYMOUS, 3: Listing.INTERNAL}


class Channel(StrEnum):
    """The road a recorded response came by (a coordinator entered it for the organisation)."""

    EMAIL = "email"
    SIGNAL = "signal"
    IN_PERSON = "in_person"
    PHONE = "phone"
    OTHER = "other"


class Notify(StrEnum):
    """How a coordinator hears of members' responses."""

    EACH = "each"  # a message as each one comes
    DIGEST = "digest"  # only in the daily digest


class FileKind(StrEnum):
    """The files a publication (list N) is made of."""

    PDF = "pdf"
    DOCX = "docx"
    MD = "md"
    CSV = "csv"


class ContactRole(StrEnum):
    """A contact's role; also who wrote a comment."""

    MEMBER = "member"
    COORDINATOR = "coordinator"


class ContactStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    UNREACHABLE = "unreachable"  # blocked the bot; still has access
    REMOVED = "removed"

    @property
    def live(self) -> bool:
        """Has access (an unreachable contact may come back)."""
        return self in (ContactStatus.ACTIVE, ContactStatus.UNREACHABLE)


class CoordinatorSource(StrEnum):
    """How a coordinator came (``contacts.added_how``)."""

    SETTINGS = "settings"  # COORDINATOR_IDS, at start-up
    CLI = "cli"  # coalition-bot coordinators add
    INVITATION = "invitation"  # a single-use link, after approval where needed


class CoordinatorRemoval(StrEnum):
    """How a coordinator went (``contacts.removed_how``)."""

    SETTINGS = "settings"  # dropped from COORDINATOR_IDS: back when the id returns there
    CLI = "cli"
    BOT = "bot"  # through the bot, by coordinators


class OrganisationStatus(StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    UNCERTAIN = "uncertain"  # may have arrived; never resent unless a coordinator asks
    FAILED = "failed"
    CANCELLED = "cancelled"


class DeliveryReason(StrEnum):
    """Why a delivery was not (or maybe not) delivered (migrations/0002_outbox.sql)."""

    UNREACHABLE = "unreachable"
    REJECTED = "rejected"
    NETWORK = "network"
    TIMED_OUT = "timed_out"
    INTERRUPTED = "interrupted"
    REMOVED = "removed"
    PURGED = "purged"


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"


class SendStatus(StrEnum):
    """A reminder's send to one contact."""

    PENDING = "pending"
    QUEUED = "queued"
    SKIPPED = "skipped"


class ApprovalKind(StrEnum):
    """Record-changing actions a second coordinator approves (migrations/0012)."""

    PURGE = "purge"
    REMOVE_ORGANISATION = "remove_organisation"
    RENAME_ORGANISATION = "rename_organisation"  # of an organisation that has responded
    REOPEN = "reopen"
    MINOR_REVISION = "minor_revision"  # of a letter some organisation has signed
    DEADLINE_EARLIER = "deadline_earlier"
    ADD_COORDINATOR = "add_coordinator"
    REMOVE_COORDINATOR = "remove_coordinator"
    APPROVAL_RULE = "approval_rule"  # turning the rule off
    RECORD_RESPONSE = "record_response"  # a response that came by another road (0014)
    PUBLISH = "publish"  # list N of a letter
    COLLECT = "collect"  # a published letter collects additional signatories
    MINOR_TRANSLATION = "minor_translation"  # of a translation some organisation signed


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"  # and done, in the same transaction
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"  # by its requester, their removal, or a purge of its letter
    FAILED = "failed"  # approved, but it could no longer be done (``failure``: why)


class RenameStatus(StrEnum):
    PENDING = "pending"  # waiting for the organisation
    CONFIRMED = "confirmed"  # the organisation took the new name
    KEPT = "kept"  # the organisation kept the name it had
    CANCELLED = "cancelled"  # replaced by another rename, or the organisation removed


Row = Mapping[str, Any]
T = TypeVar("T")


Converters = tuple[tuple[str, Callable[[Any], Any]], ...]
_CONVERTERS: dict[type[Any], Converters] = {}


def row_to(cls: type[T], row: Row) -> T:
    """The dataclass ``cls`` of a row whose columns are named like its fields."""
    converters = _CONVERTERS.get(cls)
    if converters is None:
        converters = _CONVERTERS[cls] = _converters_of(cls)
    return cls(**{name: convert(row[name]) for name, convert in converters})


def _converters_of(cls: type[Any]) -> Converters:
    hints = typing.get_type_hints(cls)
    return tuple((field.name, _converter(hints[field.name])) for field in dataclasses.fields(cls))


def _converter(hint: Any) -> Callable[[Any], Any]:
    """Stored value → typed value, for a field annotated ``hint`` (``X`` or ``X | None``)."""
    optional = False
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        rest = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        optional = len(rest) < len(typing.get_args(hint))
        hint = rest[0] if len(rest) == 1 else Any
    convert: Callable[[Any], Any]
    if hint is datetime:
        convert = _instant
    elif hint is bool:
        convert = bool
    elif isinstance(hint, type) and issubclass(hint, Enum):
        convert = hint
    else:
        return _same
    return (lambda value: None if value is None else convert(value)) if optional else convert


def _same(value: Any) -> Any:
    return value


def _instant(text: str) -> datetime:
    moment = from_db(text)
    if moment is None:
        raise ValueError("an instant is missing")
    return moment
