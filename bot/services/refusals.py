"""Why the bot says no: one exception for every refusal a service gives, with a code.

A service raises ``Refusal(Code.X, **data)``; ``data`` carries the values the refusal's
text needs (``FIELDS`` says which, for each code, and the constructor holds services to
it). The wording is not here: the presentation layer has one text per code in the
catalog (``bot.handlers.refusals``), in the reader's language, and a unit test checks
that every code has a text in every language whose placeholders ``FIELDS`` supplies.

A member is never told more than their organisation may know: a letter their
organisation did not receive is ``UNKNOWN_TO_MEMBER``, the same as one that does not
exist, and the codes a member can meet have texts that name no coordinator's command.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final


class Code(StrEnum):
    # A letter, for coordinators.
    LETTER_NOT_FOUND = "letter_not_found"
    LETTER_CLOSED = "letter_closed"  # closed: not changed, circulated or given a new deadline
    LETTER_UNCHANGED = "unchanged"  # a revision identical to the latest version
    NO_ORGANISATIONS = "no_organisations"
    ORG_NOT_FOUND = "org_not_found"
    TITLE_EMPTY = "title_empty"
    TITLE_TOO_LONG = "title_too_long"
    TITLE_INVALID = "title_invalid"
    TEXT_EMPTY = "text_empty"
    TEXT_TOO_LONG = "text_too_long"
    DEADLINE_PAST = "deadline_past"
    DEADLINE_UNCHANGED = "deadline_unchanged"
    NOT_OPEN = "not_open"
    NOT_CLOSED = "not_closed"  # reopening: not closed, or purged
    PURGE_NOT_CLOSED = "purge_not_closed"
    RESEND_CLOSED = "resend_closed"
    REMINDERS_CLOSED = "reminders_closed"
    MILESTONE_NAME_EMPTY = "milestone_name_empty"
    MILESTONE_NAME_TOO_LONG = "milestone_name_too_long"
    TOO_MANY_MILESTONES = "too_many_milestones"
    MILESTONE_NOT_FOUND = "milestone_not_found"
    COMMENT_NOT_FOUND = "comment_not_found"
    MEMBER_GONE = "member_gone"  # a reply to a comment whose author lost access
    OFFSETS_BAD = "offsets_bad"
    # A letter, for members.
    UNKNOWN_TO_MEMBER = "unknown_to_member"  # does not exist, or not their organisation's
    LETTER_PURGED = "letter_purged"
    FULL_TEXT_CLOSED = "full_text_closed"
    VERSION_REPLACED = "version_replaced"  # Full text of a version a later one replaced
    ANSWERS_CLOSED = "answers_closed"  # an answer to a closed letter
    VERSION_SUPERSEDED = "version_superseded"  # an answer on a version a material one replaced
    NOTHING_TO_WITHDRAW = "nothing_to_withdraw"
    COMMENT_EMPTY = "comment_empty"
    COMMENT_TOO_LONG = "comment_too_long"
    REASON_EMPTY = "reason_empty"
    REASON_TOO_LONG = "reason_too_long"
    TIMEZONE_UNKNOWN = "timezone_unknown"
    QUIET_HOURS_BAD = "quiet_hours_bad"
    # Organisations, contacts, invitations.
    ORG_NAME_EMPTY = "name_empty"
    ORG_NAME_TOO_LONG = "name_too_long"
    ORG_NAME_INVALID = "name_invalid"
    ORG_DUPLICATE = "duplicate"
    ORG_NAME_NOT_FOUND = "org_name_not_found"
    LABEL_TOO_LONG = "label_too_long"
    INVITE_NOT_PENDING = "invite_not_pending"
    CONTACT_NOT_FOUND = "contact_not_found"
    # A typed deadline (``deadlines.DeadlineError``).
    DEADLINE_FORMAT = "deadline_format"
    DEADLINE_ZONE = "deadline_zone"
    DEADLINE_PASSED = "deadline_passed"  # with the moment understood
    DEADLINE_NONEXISTENT = "deadline_nonexistent"  # with the wall time understood
    DEADLINE_DAY_FIRST = "deadline_day_first"
    # An uploaded file (``documents.DocumentError``).
    FILE_UNSUPPORTED = "file_unsupported"
    FILE_BROKEN = "file_broken"
    FILE_ENCODING = "file_encoding"
    FILE_EMPTY = "file_empty"
    FILE_TOO_LONG = "file_too_long"  # characters
    FILE_TOO_BIG = "file_too_big"  # bytes


def _names(*names: str) -> frozenset[str]:
    return frozenset(names)


# The data each code carries (codes not named here carry none). Instants are datetimes: the
# presentation shows them in the reader's zone and language (a naive one as a wall time).
FIELDS: Final[Mapping[Code, frozenset[str]]] = {
    Code.LETTER_NOT_FOUND: _names("ref"),
    Code.LETTER_CLOSED: _names("ref"),
    Code.LETTER_UNCHANGED: _names("version"),
    Code.ORG_NOT_FOUND: _names("ref"),
    Code.TITLE_TOO_LONG: _names("limit"),
    Code.TEXT_TOO_LONG: _names("limit", "length"),
    Code.DEADLINE_UNCHANGED: _names("ref"),
    Code.NOT_OPEN: _names("ref"),
    Code.NOT_CLOSED: _names("ref"),
    Code.PURGE_NOT_CLOSED: _names("ref"),
    Code.RESEND_CLOSED: _names("ref"),
    Code.REMINDERS_CLOSED: _names("ref"),
    Code.MILESTONE_NAME_TOO_LONG: _names("limit"),
    Code.TOO_MANY_MILESTONES: _names("limit"),
    Code.MILESTONE_NOT_FOUND: _names("letter_id", "ref"),
    Code.COMMENT_NOT_FOUND: _names("ref"),
    Code.MEMBER_GONE: _names("ref"),
    Code.OFFSETS_BAD: _names("item", "max_count"),
    Code.LETTER_PURGED: _names("ref"),
    Code.FULL_TEXT_CLOSED: _names("ref"),
    Code.VERSION_REPLACED: _names("ref", "latest", "latest_id"),
    Code.ANSWERS_CLOSED: _names("ref"),
    Code.VERSION_SUPERSEDED: _names("ref", "latest"),
    Code.NOTHING_TO_WITHDRAW: _names("ref"),
    Code.COMMENT_TOO_LONG: _names("limit", "length"),
    Code.REASON_TOO_LONG: _names("limit", "length"),
    Code.TIMEZONE_UNKNOWN: _names("zone"),
    Code.QUIET_HOURS_BAD: _names("raw"),
    Code.ORG_NAME_TOO_LONG: _names("limit"),
    Code.ORG_DUPLICATE: _names("name", "org_id"),
    Code.ORG_NAME_NOT_FOUND: _names("text"),
    Code.LABEL_TOO_LONG: _names("limit"),
    Code.INVITE_NOT_PENDING: _names("ref"),
    Code.CONTACT_NOT_FOUND: _names("ref"),
    Code.DEADLINE_FORMAT: _names("raw"),
    Code.DEADLINE_ZONE: _names("raw", "zone"),
    Code.DEADLINE_PASSED: _names("deadline"),
    Code.DEADLINE_NONEXISTENT: _names("moment", "zone"),  # moment: a wall time, naive
    Code.DEADLINE_DAY_FIRST: _names("raw", "month", "suggestion"),
    Code.FILE_TOO_LONG: _names("length", "limit"),
    Code.FILE_TOO_BIG: _names("size", "limit"),
}

# Longest piece of what someone typed that a refusal repeats back to them.
ECHO_LIMIT = 64


class Refusal(Exception):
    """A service refuses: ``code`` says why, ``data`` the values its text needs."""

    def __init__(self, code: Code, /, **data: object) -> None:
        expected = FIELDS.get(code, frozenset())
        if set(data) != expected:
            raise TypeError(f"{code!r} carries {sorted(expected)}, not {sorted(data)}")
        super().__init__(code.value)
        self.code = code
        self.data = data

    def __repr__(self) -> str:
        return f"Refusal({self.code!s}, {self.data!r})"
