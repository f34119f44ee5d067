"""Importing organisations from a CSV file (header ``name``), for preparing a coalition.

Idempotent: a name already present (case- and space-insensitively) is skipped,
so running the same file twice adds nothing the second time.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from bot.db.connection import Database
from bot.services import membership
from bot.services.membership import MembershipError

MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class ImportReport:
    added: list[tuple[int, str]] = field(default_factory=list)  # (line, name)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # already there
    invalid: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    def lines(self) -> list[str]:
        """One line per row, in file order, then the totals."""
        entries = [(line, f"added {name}") for line, name in self.added]
        entries += [(line, f"skipped {name} (already there)") for line, name in self.skipped]
        entries += [(line, f"invalid: {reason}") for line, reason in self.invalid]
        summary = (
            f"{len(self.added)} added, {len(self.skipped)} skipped, {len(self.invalid)} invalid"
        )
        return [f"line {line}: {text}" for line, text in sorted(entries)] + [summary]


class ImportFileError(ValueError):
    """The file as a whole cannot be read (no ``name`` column, not UTF-8, too big)."""


def read_names(content: bytes) -> list[tuple[int, str]]:
    """(line number, raw name) for every data row; line numbers as an editor shows them."""
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(f"the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("the file is not UTF-8 text (save it as CSV UTF-8)") from None
    # csv.reader (not DictReader) so blank lines still count towards line numbers.
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    fields = [f.strip().lower() for f in header]
    if "name" not in fields:
        raise ImportFileError("the first line must be a header with a 'name' column")
    column = fields.index("name")
    rows: list[tuple[int, str]] = []
    first_line = reader.line_num + 1
    for record in reader:
        if record:  # a blank line is not a row
            rows.append((first_line, record[column] if column < len(record) else ""))
        first_line = reader.line_num + 1
    return rows


async def import_organisations(
    db: Database, rows: list[tuple[int, str]], *, actor: str, now: datetime
) -> ImportReport:
    report = ImportReport()
    for line, raw in rows:
        if not raw.strip():
            report.invalid.append((line, "empty name"))
            continue
        try:
            org = await membership.add_organisation(db, raw, actor=actor, now=now)
        except MembershipError as error:
            if error.reason == "duplicate":
                report.skipped.append((line, raw.strip()))
            elif error.reason == "name_too_long":
                report.invalid.append((line, f"longer than {membership.MAX_ORG_NAME} characters"))
            else:
                report.invalid.append((line, "line breaks or control characters in the name"))
            continue
        report.added.append((line, org.name))
    return report
