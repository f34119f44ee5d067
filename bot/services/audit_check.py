"""The whole check of the audit log: the chain, the record it proves, and witness codes.

``coalition-bot audit verify [--witness CODE …]`` and ``/verify`` run the same three steps
on one snapshot of the database: the hash chain links up (``audit.check_chain``), the tables
are what the events say (``replay.check_record``), and each witness code is still in the
chain at its place (``witnesses.check_witnesses_in``). The work after reading runs in a
thread, so a running bot keeps answering meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.db import audit
from bot.db.audit import Verification
from bot.db.connection import Database
from bot.db.replay import Snapshot, read_snapshot
from bot.services.replay import RecordCheck, check_record
from bot.services.witnesses import WitnessCheck, check_witnesses_in, witness_code

MAX_CODES = 10  # per /verify: the answer stays one message


@dataclass(frozen=True)
class AuditCheck:
    chain: Verification
    record: RecordCheck
    witnesses: tuple[WitnessCheck, ...]
    head: str | None  # the newest event's witness code (None: the log is empty)

    @property
    def ok(self) -> bool:
        """Everything holds: the chain, the record, every witness."""
        return self.chain.ok and self.record.ok and all(w.held for w in self.witnesses)

    @property
    def log_ok(self) -> bool:
        """The chain and the record hold (witnesses aside)."""
        return self.chain.ok and self.record.ok


def check_snapshot(snapshot: Snapshot, codes: Sequence[str] = ()) -> AuditCheck:
    """The three checks on what was read (pure: no database, no event loop)."""
    events = snapshot.events
    head = witness_code(events[-1].id, events[-1].hash) if events else None
    return AuditCheck(
        audit.check_chain(events),
        check_record(snapshot),
        tuple(check_witnesses_in(events, codes)),
        head,
    )


async def check_audit(db: Database, codes: Sequence[str] = ()) -> AuditCheck:
    """Reads the database in one transaction, then checks in a worker thread."""
    snapshot = await read_snapshot(db)
    return await asyncio.to_thread(check_snapshot, snapshot, codes)


async def verify_for(
    db: Database,
    codes: Sequence[str],
    *,
    actor: str,
    organisation_id: int | None,
    now: datetime,
) -> AuditCheck:
    """``/verify``: the check, then an audit event of it (which events were checked and how
    they stood; for a member, ``organisation_id`` is theirs). Codes are not kept, only the
    event ids they name."""
    check = await check_audit(db, codes)
    witnessed = [
        [w.witness.event_id, w.seen_by(organisation_id) if organisation_id else w.result]
        for w in check.witnesses
        if w.witness is not None
    ]
    async with db.transaction() as tx:
        await audit.append(
            tx, now=now, actor=actor, action="audit.verified", organisation_id=organisation_id,
            data={"chain": check.chain.ok, "record": check.record.ok, "witnesses": witnessed,
                  "unreadable": len(check.witnesses) - len(witnessed)},
        )  # fmt: skip
    return check
