"""Moved to ``bot.outgoing.letters`` (every outgoing message is composed in ``bot.outgoing``);
kept so that code importing it from here still works."""

from bot.outgoing.letters import (
    LIST_BUDGET,
    NOTICE_LIMIT,
    PART_LIMIT,
    LetterComposer,
    chase_lines,
    fitting_lines,
    heard_again,
    label,
    render_changes,
)

__all__ = [
    "LIST_BUDGET",
    "NOTICE_LIMIT",
    "PART_LIMIT",
    "LetterComposer",
    "chase_lines",
    "fitting_lines",
    "heard_again",
    "label",
    "render_changes",
]
