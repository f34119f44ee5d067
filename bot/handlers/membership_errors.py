"""Turns ``MembershipError`` reasons into catalog texts (shared by the membership handlers)."""

from __future__ import annotations

from bot import texts
from bot.services.membership import MembershipError

_REASONS = {
    "name_empty": texts.ORG_NAME_EMPTY,
    "name_too_long": texts.ORG_NAME_TOO_LONG,
    "name_invalid": texts.ORG_NAME_INVALID,
    "duplicate": texts.ORG_DUPLICATE,
    "org_not_found": texts.ORG_NOT_FOUND,
    "org_name_not_found": texts.ORG_NAME_NOT_FOUND,
    "label_too_long": texts.LABEL_TOO_LONG,
    "invite_not_pending": texts.INVITE_NOT_PENDING,
    "contact_not_found": texts.CONTACT_NOT_FOUND,
}


def explain(error: MembershipError, language: str) -> str:
    return texts.render(_REASONS[error.reason], language, **error.data)
