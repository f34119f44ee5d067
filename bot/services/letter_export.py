"""Gathers a letter's final state and renders the export files (see ``export``).

Only signatures valid for the final version are listed; the export names that
version. A letter is exported in its authoritative language unless another one it has a
translation into is asked for: that language's text, names and order. Exporting is
recorded in the audit log.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.db import audit
from bot.db.connection import Database, Executor
from bot.services import approvals, disclosure, org_names, responses, translations
from bot.services.disclosure import LaterMinor, SignatureDisclosure
from bot.services.export import (
    ExportInput,
    ExportSignatory,
    export_file_names,
    render_csv,
    render_docx,
    render_markdown,
)
from bot.services.responses import OrganisationState
from bot.services.signer import Signer


async def export_input(
    db: Executor, letter_id: int, *, now: datetime, zone: ZoneInfo, language: str | None = None
) -> ExportInput:
    """What the export of the letter's final version shows, in ``language`` (default: the
    letter's own); refused when the letter has no text in that language, or was purged."""
    status = await responses.letter_status(db, letter_id)
    letter, final = status.letter, status.latest
    reading = (await translations.texts_of(db, final.id)).exactly_in(language or letter.language)
    names = await org_names.listed_names_by_organisation(db)
    shown = await disclosure.signatures(db, letter_id)
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
            later_minor=_later_minor(shown.get(o.row.organisation_id)),
            listed=names.get(o.row.organisation_id, {}).get(reading.language),
            sort_key=o.row.sort_key,
            person=_person(o.row.signer_name, o.row.signer_title),
            recorded_by=o.row.recorded_by_name,
            channel=o.row.channel,
            note=o.row.note,
        )
        for o in status.organisations
    ]
    return ExportInput(
        letter_id=letter.id,
        title=letter.title or "",
        final_text=reading.text,
        version_number=final.number,
        fingerprint=final.fingerprint,
        deadline=letter.deadline,
        language=reading.language,
        rows=rows,
        generated_at=now,
        zone=zone,
        done_alone=tuple(await approvals.done_alone(db, letter_id)),
        translation_fingerprint=reading.fingerprint if reading.translated else None,
    )


def _later_minor(signature: SignatureDisclosure | None) -> tuple[LaterMinor, ...]:
    return () if signature is None else signature.later_minor


def _person(name: str | None, title: str | None) -> str | None:
    return Signer(name, title).line if name else None


def render_files(data: ExportInput) -> dict[str, bytes]:
    """The .docx, .md and CSV of an export, by file name."""
    names = export_file_names(data)
    return {
        names["docx"]: render_docx(data),
        names["md"]: render_markdown(data).encode("utf-8"),
        names["csv"]: render_csv(data),
    }


async def export_letter(
    db: Database,
    letter_id: int,
    *,
    actor: str,
    now: datetime,
    zone: ZoneInfo,
    language: str | None = None,
) -> dict[str, bytes]:
    """The three files coordinators send on: .docx and .md with the list, and the CSV
    (``/export <letter> [language]``)."""
    data = await export_input(db, letter_id, now=now, zone=zone, language=language)
    files = render_files(data)
    logged: dict[str, object] = {
        "version": data.version_number, "fingerprint": data.fingerprint, "files": sorted(files),
    }  # fmt: skip
    if data.translation_fingerprint is not None:
        logged |= {"language": data.language, "translation": data.translation_fingerprint}
    async with db.transaction() as tx:
        await audit.append(
            tx, now=now, actor=actor, action="letter.exported", letter_id=letter_id, data=logged
        )
    return files
