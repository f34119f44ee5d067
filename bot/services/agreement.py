"""How a record-changing action was agreed, as its audit event records it.

Purging, removing or renaming an organisation that responded, reopening, a minor revision
over signatures, an earlier deadline, coordinators joining or leaving, and turning the
approval rule off need a second coordinator's approval where there are two
(``bot.services.approvals``). The service that does such an action takes an
``Agreement`` and adds it to its audit event: ``{"approval": 7, "approved_by":
"coordinator:1002"}`` when a second coordinator approved request #7, or
``{"second_person": false}`` when one coordinator did it alone (the only coordinator, or
the rule turned off). /status and the export list what was done alone (``done_alone``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Agreement:
    approval_id: int | None = None  # None: done by one coordinator alone
    approved_by: str | None = None  # the approver, as the audit log names people

    def audit_data(self) -> dict[str, Any]:
        if self.approval_id is None:
            return {"second_person": False}
        return {"approval": self.approval_id, "approved_by": self.approved_by}


ALONE = Agreement()


def with_agreement(data: dict[str, Any], agreement: Agreement | None) -> dict[str, Any]:
    """An event's data with how it was agreed (``None``: an action that needs no second
    person, e.g. a rename of an organisation that never responded)."""
    return data if agreement is None else {**data, **agreement.audit_data()}
