"""Gathers a letter's final state and renders the export files (see ``export``).

Only signatures valid for the final version are listed; the export names that
version. Exporting is recorded in the audit log.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.db import audit
from bot.db.connection import Database
from bot.services import responses
from bot.services.export import (
    ExportInput,
    ExportSignatory,
    export_file_names,
    render_csv,
    render_docx,
    render_markdown,
)
from bot.services.refusals import Code, Refusal
from bot.services.responses import OrganisationState


async def export_input(
    db: Database, letter_id: int, *, now: datetime, zone: ZoneInfo
) -> ExportInput:
    status = await responses.letter_status(db, letter_id)
    letter, final = status.letter, status.latest
    if final.body is None:
        raise Refusal(Code.LETTER_PURGED, ref=letter_id)
    rows = [
        ExportSignatory(
            organisation=o.row.organisation_name,
            decision=o.row.decision,
            listing=o.row.listing,
            version_number=o.row.version_number,
            fingerprint=o.row.fingerprint,
            valid_for_final=o.state is OrganisationState.SIGNED,
            contact=o.row.contact_name,
            answered_at=o.row.updated_at,
            reason=o.row.reason,
            no_contact=o.state is OrganisationState.NO_CONTACT,
        )
        for o in status.organisations
    ]
    return ExportInput(
        letter_id=letter.id,
        title=letter.title or "",
        final_text=final.body,
        version_number=final.number,
        fingerprint=final.fingerprint,
        deadline=letter.deadline,
        language=letter.language,
        rows=rows,
        generated_at=now,
        zone=zone,
    )


async def export_letter(
    db: Database, letter_id: int, *, actor: str, now: datetime, zone: ZoneInfo
) -> dict[str, bytes]:
    """The three files coordinators send on: .docx and .md with the list, and the CSV."""
    data = await export_input(db, letter_id, now=now, zone=zone)
    names = export_file_names(data)
    files = {
        names["docx"]: render_docx(data),
        names["md"]: render_markdown(data).encode("utf-8"),
        names["csv"]: render_csv(data),
    }
    async with db.transaction() as tx:
        await audit.append(
            tx, now=now, actor=actor, action="letter.exported", letter_id=letter_id,
            data={"version": data.version_number, "fingerprint": data.fingerprint,
                  "files": sorted(files)},
        )  # fmt: skip
    return files
