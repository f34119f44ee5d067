"""What a member can be told: never a pointer to a coordinator's command (issue 13)."""

from __future__ import annotations

import re

import pytest

from bot import texts
from bot.handlers import letters as letter_handlers
from bot.handlers import responses as response_handlers
from bot.services.responses import UNKNOWN_TO_MEMBER

_COMMAND = re.compile(r"(?<![\w/<])/([a-z]+)\b")
COORDINATOR_ONLY = set(_COMMAND.findall(texts.COORDINATOR_HELP)) - set(
    _COMMAND.findall(texts.MEMBER_HELP)
)
# The refusals the services give to a member's press or command (sign, decline, comment,
# withdraw, Full text), by the reason they raise.
MEMBER_REASONS = (
    (response_handlers.REASONS, (
        UNKNOWN_TO_MEMBER, "letter_closed", "version_superseded", "nothing_to_withdraw",
        "comment_empty", "comment_too_long", "reason_empty", "reason_too_long",
    )),
    (letter_handlers.LETTER_REASONS, (
        UNKNOWN_TO_MEMBER, "letter_purged", "full_text_closed", "version_replaced",
    )),
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
    messages = [reasons[reason] for reasons, raised in MEMBER_REASONS for reason in raised]
    for message in [*messages, *GENERAL]:
        text = texts.translate(message, language, 1)
        named = set(_COMMAND.findall(text)) & COORDINATOR_ONLY
        assert not named, (message, named)
