"""Importing organisations from a CSV file (header ``name``), for preparing a coalition.

Idempotent: a name already present (see ``membership.org_name_key``: case, spacing,
quotation marks and dashes do not count) is skipped, so running the same file twice adds
nothing the second time.

What the operator typed reaches the list exactly or not at all: a row with more fields
than the header (a name with an unquoted comma) is reported as invalid, never cut. The
columns may be separated by commas or, as European Excel saves "CSV", by semicolons;
the header line tells which. The file is read as UTF-8 (with or without a BOM); another
encoding is read only when the operator names it (``--encoding cp1251``): guessing could
turn a name into something else without anyone noticing.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from bot.db.connection import Database
from bot.services import membership
from bot.services.refusals import Code, Refusal

MAX_FILE_BYTES = 5 * 1024 * 1024
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
DEFAULT_ENCODING = "utf-8"


@dataclass
class ImportReport:
    added: list[tuple[int, str]] = field(default_factory=list)  # (line, name)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why: already there)
    invalid: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    def lines(self) -> list[str]:
        """One line per row, in file order, then the totals."""
        entries = [(line, f"added {name}") for line, name in self.added]
        entries += [(line, f"skipped {text}") for line, text in self.skipped]
        entries += [(line, f"invalid: {reason}") for line, reason in self.invalid]
        summary = (
            f"{len(self.added)} added, {len(self.skipped)} skipped, {len(self.invalid)} invalid"
        )
        return [f"line {line}: {text}" for line, text in sorted(entries)] + [summary]


class ImportFileError(ValueError):
    """The file as a whole cannot be read (no ``name`` column, wrong encoding, too big)."""


@dataclass(frozen=True)
class ImportRow:
    """One data row: the name as it stands in the file, or why the row can't be used."""

    line: int  # as an editor shows it (the row's first line)
    name: str
    problem: str | None = None


def _decode(content: bytes, encoding: str) -> str:
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise ImportFileError(f"unknown encoding {encoding!r} (try utf-8 or cp1251)") from None
    try:
        # Excel's "CSV UTF-8" starts with a byte order mark: not part of the first name.
        return content.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError:
        pass
    if codec != "utf-8":
        raise ImportFileError(f"the file is not {encoding} text")
    message = "the file is not UTF-8 text (in Excel: Save As → 'CSV UTF-8 (Comma delimited)')"
    if _is_text(content, "cp1251"):
        message += (
            "; if Excel saved it on Russian or Belarusian Windows, it is probably cp1251: "
            "run again with --encoding cp1251"
        )
    raise ImportFileError(message)


def _is_text(content: bytes, encoding: str) -> bool:
    try:
        content.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _header(first_line: str) -> tuple[str, list[str]]:
    """The delimiter whose split of the header line has a ``name`` column, and the columns."""
    for delimiter in DELIMITERS:
        fields = next(csv.reader([first_line], delimiter=delimiter), [])
        columns = [column.strip().lower() for column in fields]
        if "name" in columns:
            return delimiter, columns
    raise ImportFileError(
        "the first line must be a header with a 'name' column "
        "(columns separated by commas, semicolons or tabs)"
    )


def read_names(content: bytes, *, encoding: str = DEFAULT_ENCODING) -> list[ImportRow]:
    """Every data row with its line number; rows that can't be read carry their problem."""
    if len(content) > MAX_FILE_BYTES:
        raise ImportFileError(f"the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    text = _decode(content, encoding)
    delimiter, columns = _header(text.split("\n", 1)[0].rstrip("\r"))
    column = columns.index("name")
    # csv.reader (not DictReader) so blank lines still count towards line numbers.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader, None)
    rows: list[ImportRow] = []
    first_line = reader.line_num + 1
    for record in reader:
        if not record:  # a blank line is not a row
            pass
        elif len(record) > len(columns):
            separator = DELIMITERS[delimiter][:-1]
            preview = delimiter.join(record)
            preview = preview if len(preview) <= 60 else preview[:59] + "…"
            problem = (
                f"{len(record)} fields where the header has {len(columns)} ({preview!r}); "
                f"a {separator} inside a name must be within double quotes"
            )
            rows.append(ImportRow(first_line, "", problem))
        else:
            rows.append(ImportRow(first_line, record[column] if column < len(record) else ""))
        first_line = reader.line_num + 1
    return rows


async def import_organisations(
    db: Database, rows: list[ImportRow], *, actor: str, now: datetime
) -> ImportReport:
    report = ImportReport()
    for row in rows:
        if row.problem is not None:
            report.invalid.append((row.line, row.problem))
            continue
        if not row.name.strip():
            report.invalid.append((row.line, "empty name"))
            continue
        try:
            org = await membership.add_organisation(db, row.name, actor=actor, now=now)
        except Refusal as refusal:
            if refusal.code is Code.ORG_DUPLICATE:
                name = row.name.strip()
                existing = refusal.data["name"]
                same = "" if existing == name else f" as #{refusal.data['org_id']} {existing}"
                report.skipped.append((row.line, f"{name} (already there{same})"))
            elif refusal.code is Code.ORG_NAME_TOO_LONG:
                report.invalid.append(
                    (row.line, f"longer than {membership.MAX_ORG_NAME} characters")
                )
            else:
                report.invalid.append((row.line, "line breaks or control characters in the name"))
            continue
        report.added.append((row.line, org.name))
    return report
