"""Whether a record-changing action had a second coordinator's yes, as its audit event says.

Issue 16's approval engine decides when an action runs; the action's own audit event
carries ``{"approval": id, "approved_by": "coordinator:<tg id>"}`` when a second
coordinator approved it, and ``{"second_person": false}`` when one coordinator did it
alone (no approval was needed: one coordinator, or the rule off).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Approved:
    """The approval an action runs under (issue 16's ``approvals`` row)."""

    approval_id: int
    approved_by: str  # the approving coordinator, as an actor: "coordinator:<tg id>"


def audit_data(approval: Approved | None) -> dict[str, object]:
    """What the action's audit event says about who else agreed to it."""
    if approval is None:
        return {"second_person": False}
    return {"approval": approval.approval_id, "approved_by": approval.approved_by}
