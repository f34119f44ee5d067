"""What a member can be told: never a pointer to a coordinator's command (issue 13)."""

from __future__ import annotations

import re

import pytest

from bot import texts
from bot.handlers.refusals import TEXTS
from bot.services.refusals import Code

_COMMAND = re.compile(r"(?<![\w/<])/([a-z]+)\b")
COORDINATOR_ONLY = set(_COMMAND.findall(texts.COORDINATOR_HELP)) - set(
    _COMMAND.findall(texts.MEMBER_HELP)
)
# The refusals the services give to a member's press or command (sign, decline, comment,
# withdraw, Full text, /timezone, /quiet), by their code.
MEMBER_CODES = (
    Code.UNKNOWN_TO_MEMBER, Code.ANSWERS_CLOSED, Code.VERSION_SUPERSEDED,
    Code.NOTHING_TO_WITHDRAW, Code.COMMENT_EMPTY, Code.COMMENT_TOO_LONG, Code.REASON_EMPTY,
    Code.REASON_TOO_LONG, Code.LETTER_PURGED, Code.FULL_TEXT_CLOSED, Code.VERSION_REPLACED,
    Code.TIMEZONE_UNKNOWN, Code.QUIET_HOURS_BAD,
)  # fmt: skip
GENERAL = (
    texts.STALE_BUTTON, texts.PREVIEW_BUTTON, texts.UNKNOWN_COMMAND, texts.NOT_A_COMMAND,
    texts.UNSUPPORTED_MESSAGE, texts.COORDINATORS_ONLY, texts.USAGE_WITHDRAW, texts.FLOW_STALE,
)  # fmt: skip


def test_coordinator_commands_are_known() -> None:
    assert {"letters", "orgs", "close", "purge", "status"} <= COORDINATOR_ONLY
    assert "mine" not in COORDINATOR_ONLY


@pytest.mark.parametrize("language", texts.LANGUAGES)
def test_member_refusals_name_no_coordinator_command(language: str) -> None:
    messages = [TEXTS[code] for code in MEMBER_CODES]
    for message in [*messages, *GENERAL]:
        text = texts.translate(message, language, 1)
        named = set(_COMMAND.findall(text)) & COORDINATOR_ONLY
        assert not named, (message, named)
