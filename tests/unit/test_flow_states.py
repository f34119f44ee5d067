"""Flow states are typed: each flow's frozen dataclass goes to JSON and back unchanged,
reads the shapes earlier versions of the bot stored, and a row that fits no state is
treated as gone (never a crash in the middle of someone's input)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.db.flows import Flow
from bot.db.types import Channel, Decision, Listing
from bot.handlers import FLOWS, UNPROMPTED
from bot.handlers import flows as flow_handlers
from bot.handlers.drafting import Ack, HeldFile, NewLetterState, ReviseState
from bot.handlers.recording import RecordState
from bot.handlers.responses import AnswerState
from bot.handlers.signing import SignerState
from bot.handlers.status import ReplyState
from bot.handlers.translating import TranslateState
from bot.services import flows
from bot.services.flows import FlowState
from bot.services.letters import DraftSource
from bot.services.pasting import Part

NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STAMP = 1_769_000_000


def _row(kind: str, state: dict[str, Any]) -> Flow:
    return Flow(1001, kind, json.loads(json.dumps(state)), NOW, NOW, None)


def _kind(name: str) -> type[FlowState]:
    return next(kind.state for kind in FLOWS if kind.name == name)


@pytest.mark.parametrize(
    ("kind", "state"),
    [
        ("newletter", NewLetterState(step="title", language="ru")),
        (
            "newletter",
            NewLetterState(
                step="text", language="be", title="Joint letter", deadline=DEADLINE,
                zone="Europe/Minsk",
                parts=(Part("first", datetime.fromtimestamp(STAMP, UTC), 12), Part("old", None)),
                ack=Ack(77, STAMP),
            ),
        ),
        (
            "newletter",
            NewLetterState(
                step="text", title="T", deadline=DEADLINE,
                file=HeldFile("the body", DraftSource("docx", "file-1", "letter.docx")),
            ),
        ),
        ("revise", ReviseState(step="text", letter_id=4, parts=(Part("x", None),))),
        (
            "revise",
            ReviseState(
                step="kind", letter_id=4, body="new", source=DraftSource("md", "f", "a.md")
            ),
        ),
        ("decline", AnswerState(letter_id=4, version_id=1)),
        ("comment", AnswerState(letter_id=4, version_id=2)),
        ("reply", ReplyState(comment_id=9)),
        ("newletter", NewLetterState(step="title", language="be", copy_from=4)),
        ("translate", TranslateState(step="text", letter_id=4, language="ru")),
        (
            "translate",
            TranslateState(
                step="kind", letter_id=4, language="be", body="Тэкст",
                source=DraftSource("docx", "f", "be.docx"), parts=(Part("x", None),),
            ),
        ),
        ("record", RecordState(step="org", letter_id=4)),
        (
            "record",
            RecordState(
                step="note", letter_id=4, organisation_id=12, decision=Decision.SIGNED,
                listing=Listing.ANONYMOUS, version=2, channel=Channel.IN_PERSON,
            ),
        ),
        ("signer", SignerState(step="name", letter_id=4, version_id=7, listing=1)),
        ("signer", SignerState(step="title", letter_id=4, version_id=7, listing=3, name="Ann")),
    ],
)  # fmt: skip
def test_a_state_comes_back_from_its_json_unchanged(kind: str, state: FlowState) -> None:
    assert flows.read(_row(kind, state.to_json()), _kind(kind)) == state


def test_states_stored_before_they_were_typed_still_resume() -> None:
    """The exact dictionaries the handlers wrote before the states were dataclasses."""
    pasted = _row(
        "newletter",
        {
            "step": "text", "language": "ru", "title": "T", "deadline": "2026-03-01T12:00:00+00:00",
            "zone": "Europe/Minsk", "ack": {"message_id": 5, "date": STAMP},
            "parts": ["a part from before dates were kept",
                      {"text": "b", "date": STAMP, "offset": 3}],
        },
    )  # fmt: skip
    state = flows.read(pasted, NewLetterState)
    assert state == NewLetterState(
        step="text", language="ru", title="T", deadline=DEADLINE, zone="Europe/Minsk",
        ack=Ack(5, STAMP),
        parts=(Part("a part from before dates were kept", None),
               Part("b", datetime.fromtimestamp(STAMP, UTC), 3)),
    )  # fmt: skip
    held = _row(
        "newletter",
        {"step": "text", "title": "T", "deadline": "2026-03-01T12:00:00+00:00", "parts": [],
         "file": {"body": "text", "source": ["docx", "fid", "a.docx"]}},
    )  # fmt: skip
    read = flows.read(held, NewLetterState)
    assert read is not None and read.file == HeldFile("text", DraftSource("docx", "fid", "a.docx"))
    kind_step = _row(
        "revise", {"step": "kind", "letter_id": 4, "body": "b", "source": ["text", None, None]}
    )
    assert flows.read(kind_step, ReviseState) == ReviseState(
        step="kind", letter_id=4, body="b", source=DraftSource()
    )
    answer = flows.read(_row("decline", {"letter_id": 4, "version_id": 1}), AnswerState)
    assert answer == AnswerState(letter_id=4, version_id=1)
    assert flows.read(_row("reply", {"comment_id": 9}), ReplyState) == ReplyState(comment_id=9)


def test_issue_17_flows_stored_before_they_were_typed_still_resume() -> None:
    """/copyletter, /translate, /record and the person signing, as the handlers of the
    version before typed states wrote them."""
    copied = _row("newletter", {"step": "title", "language": "ru", "copy_from": 4})
    assert flows.read(copied, NewLetterState) == NewLetterState(
        step="title", language="ru", copy_from=4
    )
    translated = _row(
        "translate",
        {"step": "kind", "letter_id": 4, "language": "ru", "body": "b",
         "source": ["text", None, None]},
    )  # fmt: skip
    assert flows.read(translated, TranslateState) == TranslateState(
        step="kind", letter_id=4, language="ru", body="b", source=DraftSource()
    )
    recorded = _row(
        "record",
        {"step": "note", "letter_id": 4, "organisation_id": 12, "decision": "signed",
         "listing": "named", "version": 1, "channel": "email"},
    )  # fmt: skip
    assert flows.read(recorded, RecordState) == RecordState(
        step="note", letter_id=4, organisation_id=12, decision=Decision.SIGNED,
        listing=Listing.NAMED, version=1, channel=Channel.EMAIL,
    )  # fmt: skip
    signing = _row(
        "signer", {"step": "title", "letter_id": 4, "version_id": 7, "listing": 2, "name": "A"}
    )
    assert flows.read(signing, SignerState) == SignerState(
        step="title", letter_id=4, version_id=7, listing=2, name="A"
    )


@pytest.mark.parametrize(
    ("kind", "state"),
    [
        ("newletter", {"step": "signing"}),  # a step this version does not have
        ("newletter", {"step": "text", "title": "T"}),  # the text step without a deadline
        ("revise", {"step": "kind", "letter_id": 4}),  # the kind step without the text
        ("revise", {"step": "text"}),  # no letter
        ("decline", {"letter_id": "4", "version_id": 1}),  # not a number
        ("comment", {"letter_id": True, "version_id": 1}),
        ("reply", {}),
        ("newletter", {"step": "title", "copy_from": "four"}),
        ("translate", {"step": "text", "letter_id": 4}),  # no language
        ("translate", {"step": "kind", "letter_id": 4, "language": "ru"}),  # no text
        ("record", {"step": "party", "letter_id": 4}),
        ("record", {"step": "org", "letter_id": 4, "decision": "maybe"}),
        ("record", {"step": "note", "letter_id": 4, "organisation_id": 12}),  # no answers
        ("signer", {"step": "name", "letter_id": 4, "version_id": 7, "listing": 9}),
        ("signer", {"step": "title", "letter_id": 4, "version_id": 7, "listing": 1}),  # no name
    ],
)
def test_a_state_that_does_not_fit_reads_as_no_flow(kind: str, state: dict[str, Any]) -> None:
    assert flows.read(_row(kind, state), _kind(kind)) is None


def test_every_flow_is_declared_once_in_the_registry_and_none_at_import() -> None:
    names = [kind.name for kind in FLOWS]
    assert sorted(names) == [
        "comment", "decline", "newletter", "record", "reply", "revise", "signer", "translate"
    ]  # fmt: skip
    assert len(UNPROMPTED) == 1
    # No module-level tables that feature modules fill in as a side effect of being imported.
    assert not hasattr(flow_handlers, "KINDS") and not hasattr(flow_handlers, "UNPROMPTED")
