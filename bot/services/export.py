"""The export: what coordinators send to diplomats, and the table of all responses.

A closed letter is exported as the final text followed by the list of signatories,
sorted like a real sign-on letter, with anonymous signatories counted but not named
(Markdown and .docx), plus a CSV of every organisation's response for the coalition's
own records. Everything here is pure: the data layer builds an :class:`ExportInput`,
these functions turn it into bytes/text; no clock, no database, no Telegram.

A letter is exported in any language it has (its authoritative one by default): that
language's text (a translation, see ``translations``), the organisations under their
names in that language, in that language's alphabetical order (``collation``; an
organisation's sort key decides its place), and, for a letter that lists the person
signing, "Name, Title, Organisation". A publication (list N, ``publication``) adds its
number and date and what changed since list N-1. The CSV is the same in every language:
primary names, and who recorded a response that came by another road.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

import docx
from babel.dates import format_date
from docx.shared import Pt

from bot import texts
from bot.db.types import Channel, Decision, Listing
from bot.services import collation
from bot.services.letter_text import paragraphs, version_label

if TYPE_CHECKING:
    from bot.services.approvals import AloneAction
    from bot.services.disclosure import LaterMinor

__all__ = [
    "CSV_HEADER",
    "ExportInput",
    "ExportSignatory",
    "ListChanges",
    "anonymous_line",
    "export_file_names",
    "list_date",
    "listed_signatories",
    "markdown_escape",
    "neutralise_cell",
    "render_csv",
    "render_docx",
    "render_markdown",
    "signatory_line",
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
    # A signature's minor versions made after the one it names, and when the organisation
    # was first shown each (``disclosure.signatures``).
    later_minor: tuple[LaterMinor, ...] = ()
    listed: str | None = None  # its name in the export's language; None: ``organisation``
    sort_key: str | None = None  # where it files in every list, instead of its name
    person: str | None = None  # the person signing, "Name, Title", where the letter asks
    recorded_by: str | None = None  # the coordinator who recorded it (another road)
    channel: Channel | None = None  # that road: email, signal, in_person, phone, other
    note: str | None = None  # the coordinator's note on it

    @property
    def listed_name(self) -> str:
        return self.listed or self.organisation


@dataclass(frozen=True)
class ListChanges:
    """What a publication (list N) says of itself: its number and date, and the
    organisations named since list N-1 and no longer there (in the list's language)."""

    number: int
    published_at: datetime
    added: Sequence[str] = ()
    withdrawn: Sequence[str] = ()


@dataclass(frozen=True)
class ExportInput:
    """Everything an export needs; ``generated_at`` is passed in so output is reproducible.

    ``final_text`` is in ``language``: the authoritative text, or a translation whose own
    fingerprint is ``translation_fingerprint``.
    """

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
    # What one coordinator did alone to the letter's record (``approvals.done_alone``).
    done_alone: tuple[AloneAction, ...] = ()
    translation_fingerprint: str | None = None
    publication: ListChanges | None = None


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
    """The line that ties a file to one letter version, e.g. ``... version v3 · 7f3a9c21 ...``
    (and to the translation it holds, by that translation's fingerprint)."""
    footer = texts.plain(
        texts.EXPORT_FOOTER,
        data.language,
        letter_id=data.letter_id,
        version=version_label(data.version_number, data.fingerprint),
        generated=_format_moment(data.generated_at, data.zone),
    )
    if data.translation_fingerprint is not None:
        translation = texts.plain(
            texts.PUBLICATION_TRANSLATION, data.language, fingerprint=data.translation_fingerprint
        )
        footer = f"{footer} · {translation}"
    return footer


_BABEL_LOCALES: Final = {"en": "en_GB", "ru": "ru", "be": "be"}  # en_GB as in deadlines.py


def list_date(moment: datetime, language: str) -> str:
    """A list's date in its language: 20 March 2026, 20 марта 2026 г., 20 сакавіка 2026 г."""
    return format_date(moment.date(), format="long", locale=_BABEL_LOCALES[language])


def _list_heading(data: ExportInput) -> str | None:
    """ "List 2 · 20 March 2026" for a publication (its date in the letter's zone)."""
    if data.publication is None:
        return None
    number = texts.plain(texts.PUBLICATION_LIST, data.language, number=data.publication.number)
    when = list_date(data.publication.published_at.astimezone(data.zone), data.language)
    return f"{number} · {when}"


def _list_changes(data: ExportInput) -> list[tuple[str, Sequence[str]]]:
    """The "Added since list N-1" and "Withdrawn since list N-1" sections that have names."""
    if data.publication is None:
        return []
    previous = data.publication.number - 1
    sections = (
        (texts.PUBLICATION_ADDED, data.publication.added),
        (texts.PUBLICATION_WITHDRAWN, data.publication.withdrawn),
    )
    return [
        (texts.plain(heading, data.language, number=previous), names)
        for heading, names in sections
        if names
    ]


# --------------------------------------------------------------------------- ordering


def signatory_sort_key(name: str) -> collation.SortKey:
    """Where a name files in an English list (``collation``'s root order): the order of
    the CSV, whatever the export's language."""
    return collation.sort_key(name, "en")


def signatory_line(organisation: str, person: str | None) -> str:
    """The entry as printed: "Name, Title, Organisation" when a person is given, else the
    organisation alone (each on one line)."""
    name = _one_line(organisation)
    signer = _one_line(person or "")
    return f"{signer}, {name}" if signer else name


def _counts_for_final(row: ExportSignatory) -> bool:
    """A signature that still stands for the final version; anything else is not listed."""
    return row.decision == Decision.SIGNED and row.valid_for_final


def listed_signatories(
    rows: Sequence[ExportSignatory], language: str = "en"
) -> tuple[list[str], int]:
    """Entries to print, in ``language``'s order, and how many signed anonymously, both for
    the final version.

    An entry is the organisation's listed name (with the person signing before it where
    given), placed by its sort key or that name. ``internal`` signatures (support shown to
    the coalition only) are neither named nor counted; a signature on a version that a
    material revision superseded does not count until it is reconfirmed.
    """
    valid = [row for row in rows if _counts_for_final(row)]
    order = language if language in collation.LANGUAGES else "en"  # the root order otherwise
    named = sorted(
        (row for row in valid if row.listing == Listing.NAMED),
        key=lambda row: collation.sort_key(row.listed_name, order, key=row.sort_key),
    )
    anonymous = sum(1 for row in valid if row.listing == Listing.ANONYMOUS)
    return [signatory_line(row.listed_name, row.person) for row in named], anonymous


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
    names, anonymous = listed_signatories(data.rows, data.language)
    parts: list[str] = [f"# {markdown_escape(data.title)}", "", data.final_text.strip(), ""]
    parts += [f"## {texts.plain(texts.EXPORT_SIGNATORIES, data.language)}", ""]
    heading = _list_heading(data)
    if heading is not None:
        parts += [f"*{markdown_escape(heading)}*", ""]
    parts += [f"- {markdown_escape(name)}" for name in names]
    if anonymous:
        if names:
            parts.append("")
        parts.append(markdown_escape(anonymous_line(anonymous, data.language)))
    for title, changed in _list_changes(data):
        parts += ["", f"### {markdown_escape(title)}", ""]
        parts += [f"- {markdown_escape(name)}" for name in changed]
    parts += ["", f"*{markdown_escape(_footer(data))}*", ""]
    alone = _alone_lines(data)
    if alone:
        parts += [f"### {markdown_escape(alone[0])}", ""]
        parts += [f"- {markdown_escape(line)}" for line in alone[1:]]
        parts.append("")
    return "\n".join(parts)


def _alone_lines(data: ExportInput) -> list[str]:
    """A heading and one line per action one coordinator did to the letter's record
    without a second person (issue 16); empty when there was none."""
    if not data.done_alone:
        return []
    heading = texts.plain(texts.EXPORT_ALONE_HEADER, data.language, count=len(data.done_alone))
    lines = [
        texts.plain(
            texts.EXPORT_ALONE_LINE,
            data.language,
            when=_format_moment(action.at, data.zone),
            action=texts.plain(
                texts.ALONE_ACTIONS.get(action.action, action.action), data.language
            ),
            actor=alone_actor(action, data.language),
        )
        for action in data.done_alone
    ]
    return [heading, *lines]


def alone_actor(action: AloneAction, language: str) -> str:
    """Who did it: the coordinator's number (their Telegram account stays inside the bot);
    the operator's command line or the settings as the audit log names them."""
    if action.coordinator_id is None:
        return action.actor
    return texts.plain(texts.ALONE_BY_COORDINATOR, language, number=action.coordinator_id)


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
    names, anonymous = listed_signatories(data.rows, data.language)
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
    heading = _list_heading(data)
    if heading is not None:
        document.add_paragraph().add_run(heading).italic = True
    for name in names:
        document.add_paragraph(_xml_safe(_one_line(name)), style="List Bullet")
    if anonymous:
        document.add_paragraph(anonymous_line(anonymous, data.language))
    for title, changed in _list_changes(data):
        document.add_heading(_xml_safe(title), level=2)
        for name in changed:
            document.add_paragraph(_xml_safe(_one_line(name)), style="List Bullet")
    footer = document.add_paragraph().add_run(_footer(data))
    footer.font.size = _FOOTER_SIZE
    alone = _alone_lines(data)
    if alone:
        document.add_heading(alone[0], level=2)
        for line in alone[1:]:
            document.add_paragraph(line, style="List Bullet").runs[0].font.size = _FOOTER_SIZE

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
    "minor_versions_after",  # made after the version signed: "v3 · 1a2b3c4d; v4 · …"
    "told_of_them",  # when the organisation was first shown each: "v3 2026-…; v4 not told"
    "person",
    "recorded_by",
    "channel",
    "note",
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
        "; ".join(version_label(m.number, m.fingerprint) for m in row.later_minor),
        "; ".join(f"v{m.number} {_told(m.told_at, zone)}" for m in row.later_minor),
        row.person or "",
        row.recorded_by or "",
        row.channel or "",
        row.note or "",
    ]
    return cells


def _told(moment: datetime | None, zone: ZoneInfo) -> str:
    return "not told" if moment is None else moment.astimezone(zone).isoformat(timespec="seconds")


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
    if data.publication is not None:
        stem = f"letter-{int(data.letter_id)}-list-{int(data.publication.number)}"
    if data.translation_fingerprint is not None or data.publication is not None:
        stem += f"-{re.sub(r'[^a-z]', '', data.language)}"  # one file per language
    table = "signatories" if data.publication is not None else "responses"
    return {"md": f"{stem}.md", "docx": f"{stem}.docx", "csv": f"{stem}-{table}.csv"}
