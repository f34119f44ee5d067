"""The export: what coordinators send to diplomats, and the table of all responses.

A closed letter is exported as the final text followed by the list of signatories,
sorted like a real sign-on letter, with anonymous signatories counted but not named
(Markdown and .docx), plus a CSV of every organisation's response for the coalition's
own records. Everything here is pure: the data layer builds an :class:`ExportInput`,
these functions turn it into bytes/text; no clock, no database, no Telegram.

Ordering of the signatory list
------------------------------
Names are ordered with the Unicode Collation Algorithm and its default table (DUCET,
via ``pyuca``), which is what "alphabetical" means across scripts without picking one
national locale:

* case-insensitive and accent-insensitive at the first level: "Égalité" sorts with
  "Egalite", between "Dignity" and "Freedom"; case and accents only break ties;
* Latin before Cyrillic (DUCET's script order). A coalition letter in English lists
  the Latin-script names first and Cyrillic-script names after "Z", which is also how
  a mixed list reads in an English letter; the order does not change with the export
  language, so the same letter always has the same list;
* within Cyrillic, DUCET puts "Ё" with "Е", "Ў" with "У" (as the same base letter,
  the diacritic only breaking ties) and "І" right after "И" — close to Russian
  dictionary order and acceptable for Belarusian, where strict alphabet order would
  put "Ў" after "У" as a letter of its own;
* leading quotes, guillemets, brackets and other punctuation are ignored, so
  «Вясна» sorts under "В" and "\\"Free Belarus\\" Centre" under "F" — but the name is
  always shown exactly as the organisation spells it;
* ties (names equal under all of the above) are broken on the exact name, so the
  order never depends on the order rows came from the database.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import docx
from docx.shared import Pt

from bot import texts
from bot.db.types import Decision, Listing
from bot.services.letter_text import paragraphs, version_label

if TYPE_CHECKING:
    from pyuca import Collator

__all__ = [
    "CSV_HEADER",
    "ExportInput",
    "ExportSignatory",
    "anonymous_line",
    "export_file_names",
    "listed_signatories",
    "markdown_escape",
    "neutralise_cell",
    "render_csv",
    "render_docx",
    "render_markdown",
    "signatory_sort_key",
    "spreadsheet_csv",
]

# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class ExportSignatory:
    """One organisation's response row, as the data layer gives it.

    ``decision`` is ``None`` for an organisation that has not answered (pending, or
    ``no_contact``: nobody of it has joined, so it never received the letter).
    ``valid_for_final`` is the data layer's verdict that the signature still stands
    for the final version (signed, and no material revision after the version signed);
    the export trusts it rather than re-deriving version history.
    """

    organisation: str
    decision: Decision | None
    listing: Listing | None
    version_number: int | None
    fingerprint: str | None
    valid_for_final: bool
    contact: str | None
    answered_at: datetime | None
    reason: str | None
    no_contact: bool = False


@dataclass(frozen=True)
class ExportInput:
    """Everything an export needs; ``generated_at`` is passed in so output is reproducible."""

    letter_id: int
    title: str
    final_text: str
    version_number: int
    fingerprint: str
    deadline: datetime
    language: str
    rows: list[ExportSignatory]
    generated_at: datetime
    zone: ZoneInfo


# --------------------------------------------------------------------------- wording

# The headings and lines the export adds to the letter come from the catalog, in the
# letter's language (English for a language the bot does not speak); they end up in the
# document sent to diplomats.


def anonymous_line(count: int, language: str) -> str:
    """The "and N organisations that cannot be named" line, in the plural form N needs.

    The catalog's plural rules choose the form (ru/be: 1, 21 → one; 2–4, 22 → few;
    5–20 → many), which a hand-written ``n == 1`` test would get wrong for Slavic languages.
    """
    if count < 1:
        raise ValueError(f"anonymous count must be >= 1, got {count}")
    return texts.plain(texts.EXPORT_ANONYMOUS, language, count=count)


def _format_moment(moment: datetime, zone: ZoneInfo) -> str:
    """A wall-clock time in ``zone`` with the zone's name, unambiguous for any reader."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not exported")
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"


def _footer(data: ExportInput) -> str:
    """The line that ties a file to one letter version, e.g. ``... version v3 · 7f3a9c21 ...``."""
    return texts.plain(
        texts.EXPORT_FOOTER,
        data.language,
        letter_id=data.letter_id,
        version=version_label(data.version_number, data.fingerprint),
        generated=_format_moment(data.generated_at, data.zone),
    )


# --------------------------------------------------------------------------- ordering

_collator: Collator | None = None
_collator_lock = threading.Lock()


def _get_collator() -> Collator:
    """The shared DUCET collator, loaded on first use (loading the table takes a while)."""
    global _collator
    if _collator is None:
        with _collator_lock:
            if _collator is None:
                from pyuca import Collator

                _collator = Collator()
    return _collator


def _is_ignorable_lead(char: str) -> bool:
    """Punctuation (quotes, guillemets, brackets, dashes...) and spaces before a name."""
    return unicodedata.category(char)[0] in "PZ" or char.isspace()


def _strip_leading_punctuation(name: str) -> str:
    """``«Вясна»`` → ``Вясна»``; a name made only of punctuation is kept whole."""
    index = 0
    while index < len(name) and _is_ignorable_lead(name[index]):
        index += 1
    return name[index:] or name


SortKey = tuple[tuple[int, ...], tuple[int, ...], str]


def signatory_sort_key(name: str) -> SortKey:
    """Key that orders organisation names like a real sign-on letter (see module docstring).

    First the UCA key of the name without leading punctuation (case/accents only
    break ties there), then the UCA key of the whole name (so ``"X"`` and ``X`` stay
    in a fixed order), then the exact string, so sorting is total and deterministic.
    """
    collator = _get_collator()
    return (
        tuple(collator.sort_key(_strip_leading_punctuation(name))),
        tuple(collator.sort_key(name)),
        name,
    )


def _sorted_names(names: Iterable[str]) -> list[str]:
    return sorted(names, key=signatory_sort_key)


def _counts_for_final(row: ExportSignatory) -> bool:
    """A signature that still stands for the final version; anything else is not listed."""
    return row.decision == Decision.SIGNED and row.valid_for_final


def listed_signatories(rows: Sequence[ExportSignatory]) -> tuple[list[str], int]:
    """Names to print (sorted) and how many signed anonymously, both for the final version.

    ``internal`` signatures (support shown to the coalition only) are neither named
    nor counted; a signature on a version that a material revision superseded does
    not count until it is reconfirmed.
    """
    valid = [row for row in rows if _counts_for_final(row)]
    named = _sorted_names(row.organisation for row in valid if row.listing == Listing.NAMED)
    anonymous = sum(1 for row in valid if row.listing == Listing.ANONYMOUS)
    return named, anonymous


# --------------------------------------------------------------------------- markdown

_WHITESPACE = re.compile(r"\s+")
_MD_INLINE = re.compile(r"([\\`*_#\[\]<>|~])")
_MD_BLOCK_MARKER = re.compile(r"^[#+\-]")
_MD_ORDERED_MARKER = re.compile(r"^(\d+)([.)])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


def _one_line(text: str) -> str:
    """Collapse newlines/tabs in a name or title: one entry must stay one line."""
    return _WHITESPACE.sub(" ", text).strip()


def markdown_escape(text: str) -> str:
    """Escape ``text`` so that it renders literally as one line of Markdown.

    Inline markup (``* _ ` # [ ] < > | ~`` and backslash), entity references and the
    block markers that only matter at the start of a line (``#``, list bullets,
    ``1.``, quotes) are backslash-escaped; everything else is left readable.
    """
    escaped = _MD_INLINE.sub(r"\\\1", _one_line(text))
    escaped = _MD_ENTITY.sub(r"\\&", escaped)
    escaped = _MD_BLOCK_MARKER.sub(lambda match: "\\" + match.group(0), escaped, count=1)
    return _MD_ORDERED_MARKER.sub(r"\1\\\2", escaped, count=1)


def render_markdown(data: ExportInput) -> str:
    """The export as Markdown: title, final text (as written), signatories, footer.

    The letter text is the coordinators' own and is kept as typed (its Markdown is
    part of it); organisation names come from many people and are escaped, so a
    ``*`` or ``#`` in a name can never restyle the list.
    """
    names, anonymous = listed_signatories(data.rows)
    parts: list[str] = [f"# {markdown_escape(data.title)}", "", data.final_text.strip(), ""]
    parts += [f"## {texts.plain(texts.EXPORT_SIGNATORIES, data.language)}", ""]
    parts += [f"- {markdown_escape(name)}" for name in names]
    if anonymous:
        if names:
            parts.append("")
        parts.append(markdown_escape(anonymous_line(anonymous, data.language)))
    parts += ["", f"*{markdown_escape(_footer(data))}*", ""]
    return "\n".join(parts)


# --------------------------------------------------------------------------- docx

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_FOOTER_SIZE = Pt(8)
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot hold (python-docx would refuse the whole export)."""
    return _XML_INVALID.sub("", text)


def _reproducible_zip(blob: bytes) -> bytes:
    """Rewrite the .docx zip with fixed timestamps: same input, same bytes (and hash)."""
    source = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


def render_docx(data: ExportInput) -> bytes:
    """The export as a Word document, with the same content as :func:`render_markdown`.

    Title as the document title, one Word paragraph per letter paragraph (the project's
    paragraph model: blank-line separated, or one per line), signatories as a bulleted
    list, the anonymous count, and the version footer in small type. Document metadata
    carries the title and the generation time only (no author, no tool name).
    """
    names, anonymous = listed_signatories(data.rows)
    document = docx.Document()
    properties = document.core_properties
    properties.title = _xml_safe(_one_line(data.title))
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.keywords = ""
    properties.subject = ""
    properties.revision = 1
    generated = data.generated_at.astimezone(UTC)  # core.xml holds UTC ("Z") times
    properties.created = generated
    properties.modified = generated
    properties.last_printed = generated
    properties.language = data.language

    document.add_heading(_xml_safe(_one_line(data.title)), level=0)
    for paragraph in paragraphs(data.final_text):
        document.add_paragraph(_xml_safe(paragraph))
    document.add_heading(texts.plain(texts.EXPORT_SIGNATORIES, data.language), level=1)
    for name in names:
        document.add_paragraph(_xml_safe(_one_line(name)), style="List Bullet")
    if anonymous:
        document.add_paragraph(anonymous_line(anonymous, data.language))
    footer = document.add_paragraph().add_run(_footer(data))
    footer.font.size = _FOOTER_SIZE

    buffer = io.BytesIO()
    document.save(buffer)
    return _reproducible_zip(buffer.getvalue())


# --------------------------------------------------------------------------- csv

CSV_HEADER: tuple[str, ...] = (
    "organisation",
    "response",
    "listing",
    "version",
    "fingerprint",
    "valid_for_final_version",
    "contact",
    "answered_at",
    "reason",
)

# A spreadsheet evaluates a cell that starts with one of these: = + - @ (and their
# full-width forms, which some normalise).
_FORMULA_START = frozenset("=+-@＝＋－＠")
# Where a spreadsheet may start a new cell inside ours: the list separators of the common
# locales (";" in Russian, Belarusian and German ones, "," elsewhere), tab, and line breaks
# for importers that ignore quotes. A cell starting with one may be shifted (tab, CR).
_CELL_BREAK = re.compile(r"([;,\t\r\n])")
# A part that is only a number (-5, +3.5) is read as that number, never as a formula.
_PLAIN_NUMBER = re.compile(r" *[-+－＋]?[0-9]+(?:\.[0-9]+)? *")


def _evaluated(part: str) -> bool:
    """Would a spreadsheet take this part of a cell (between breaks) as a formula?"""
    start = part.lstrip(' "')  # a space or an opening quote before "=" does not disarm it
    return bool(start) and start[0] in _FORMULA_START and not _PLAIN_NUMBER.fullmatch(part)


def neutralise_cell(value: str) -> str:
    """Put an apostrophe before every part of the cell a spreadsheet would evaluate.

    Names, contacts and reasons are typed by members; without this a name such as
    ``=HYPERLINK(...)`` would become a live link or command in a coordinator's Excel. Not
    only the cell's start counts: a spreadsheet whose list separator is ";" splits
    ``ok;=HYPERLINK(...)`` into two cells, so each part after a ``;`` ``,`` tab or line
    break is checked too. The apostrophe makes the part text (it stays visible; the rest
    reads as typed). A cell starting with a tab or line break gets one as well. A part
    that is only a number (``-5``) is left alone: it is read as a number, not run.
    """
    pieces = _CELL_BREAK.split(value)  # parts at even places, the breaks between them
    for index in range(0, len(pieces), 2):
        if _evaluated(pieces[index]):
            pieces[index] = "'" + pieces[index]
    if _CELL_BREAK.match(value):
        pieces.insert(0, "'")
    return "".join(pieces)


def _csv_row(row: ExportSignatory, zone: ZoneInfo) -> list[str]:
    answered = (
        ""
        if row.answered_at is None
        else row.answered_at.astimezone(zone).isoformat(timespec="seconds")
    )
    cells = [
        row.organisation,
        row.decision or ("no contact" if row.no_contact else "pending"),
        row.listing or "",
        "" if row.version_number is None else str(row.version_number),
        row.fingerprint or "",
        "yes" if _counts_for_final(row) else "no",
        row.contact or "",
        answered,
        row.reason or "",
    ]
    return cells


def render_csv(data: ExportInput) -> bytes:
    """All responses, one row per organisation, as UTF-8 CSV with a BOM.

    The BOM is what makes Excel read the file as UTF-8 (otherwise Cyrillic names turn
    into mojibake). ``valid_for_final_version`` is "yes" only for a signature that
    counts for the final version, the same rule as the printed list.
    """
    rows = sorted(data.rows, key=lambda item: signatory_sort_key(item.organisation))
    return spreadsheet_csv(CSV_HEADER, (_csv_row(row, data.zone) for row in rows))


def spreadsheet_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A CSV file a coordinator can open in a spreadsheet safely: UTF-8 with BOM, CRLF
    lines, every field quoted (a separator inside a cell stays in it where quotes are
    honoured) and every cell through :func:`neutralise_cell` (for where they are not)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


# --------------------------------------------------------------------------- file names


def export_file_names(data: ExportInput) -> dict[str, str]:
    """ASCII file names for the three exports, e.g. ``letter-4-v3-7f3a9c21.docx``.

    Only ids and the fingerprint go into the name: titles may be Cyrillic (awkward in
    some mail clients and file systems) and a name should not reveal what a letter is
    about to someone who only sees a file listing.
    """
    fingerprint = re.sub(r"[^0-9a-f]", "", data.fingerprint.lower())
    stem = f"letter-{int(data.letter_id)}-v{int(data.version_number)}-{fingerprint}"
    return {"md": f"{stem}.md", "docx": f"{stem}.docx", "csv": f"{stem}-responses.csv"}
