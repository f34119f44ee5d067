"""Turning an uploaded file into the text of a letter version.

Coordinators upload drafts as .txt, .md or .docx. Files come from Telegram and are
untrusted: the extension is checked against the content, zip bombs are refused
before anything is decompressed, and every failure is a DocumentError (a ``Refusal``)
with a machine ``reason`` and the numbers the message needs (the wording lives in the
text catalog).

The returned text is already :func:`bot.services.letter_text.normalise`-d, so its length
is the length of the version that will be stored.

A .md file is kept as typed (no rendering): its markup is part of the text people read.

What a .docx becomes
--------------------
The main document body in order: each paragraph (headings included, as their text) and
each table is one paragraph of the letter, separated by a blank line; empty paragraphs
only separate. A table is one line per row, cells joined by " | ". Automatic list
numbering and bullets are rendered ("1.", "a)", "•"), because a recommendation's number
is part of what organisations sign. Footnotes and endnotes are marked "[1]", "[2]"...
where referenced and appended as "[1] text" paragraphs at the end. Tracked changes are
read as if accepted. Text boxes, drawings, headers and footers are not part of the text.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath
from typing import Any, Literal

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml

from bot.services.letter_text import normalise
from bot.services.refusals import Code, Refusal

__all__ = [
    "MAX_DOCX_UNCOMPRESSED_BYTES",
    "MAX_FILE_BYTES",
    "DocumentError",
    "DocumentKind",
    "DocumentReason",
    "ExtractedText",
    "check_upload",
    "extract_text",
]

DocumentKind = Literal["txt", "md", "docx"]

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest file accepted at all (also the Bot API download limit)."""

_MB = 1024 * 1024

MAX_DOCX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
"""Largest total uncompressed size of a .docx; checked on the zip directory before
anything is decompressed (zipfile never inflates a member beyond its declared size)."""

MAX_DOCX_ENTRIES = 2000
"""More members than any real letter has; a cheap guard against crafted archives."""

_EXTENSIONS: dict[str, DocumentKind] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".docx": "docx",
}

# Signatures of binary formats that people rename (a .doc saved as .docx, a PDF as .txt).
_ZIP_MAGIC = b"PK\x03\x04"
_FOREIGN_MAGIC = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE2: legacy .doc, encrypted .docx
    b"%PDF-",
    b"\x7fELF",
    b"{\\rtf",
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"


class DocumentReason(StrEnum):
    """Why a file could not become a letter text."""

    UNSUPPORTED_TYPE = "unsupported_type"  # not .txt/.md/.docx, or content of another type
    BROKEN = "broken"  # claims to be .docx but cannot be read as one
    TOO_LONG = "too_long"  # more than max_chars characters, or too many bytes
    EMPTY = "empty"  # no text at all
    ENCODING = "encoding"  # a text file that is neither UTF-8 nor UTF-16 with a BOM


class DocumentError(Refusal, ValueError):
    """A file was refused. ``reason`` says why; the other fields feed the message.

    ``extension``: the file's extension (lower case, may be ""). For "too_long" either
    ``max_chars``/``actual_chars`` (the text is too long) or ``max_bytes``/
    ``actual_bytes`` (the file or the unpacked .docx is too big) are set.
    """

    def __init__(
        self,
        reason: DocumentReason,
        *,
        extension: str,
        max_chars: int | None = None,
        actual_chars: int | None = None,
        max_bytes: int | None = None,
        actual_bytes: int | None = None,
    ) -> None:
        if reason is not DocumentReason.TOO_LONG:
            super().__init__(_CODES[reason])
        elif max_bytes is not None:  # sizes in MB, as people see them in their apps
            size = round((actual_bytes or 0) / _MB, 1)
            super().__init__(Code.FILE_TOO_BIG, size=size, limit=max_bytes // _MB)
        else:
            super().__init__(Code.FILE_TOO_LONG, length=actual_chars or 0, limit=max_chars or 0)
        self.reason = reason
        self.extension = extension
        self.max_chars = max_chars
        self.actual_chars = actual_chars
        self.max_bytes = max_bytes
        self.actual_bytes = actual_bytes


_CODES = {
    DocumentReason.UNSUPPORTED_TYPE: Code.FILE_UNSUPPORTED,
    DocumentReason.BROKEN: Code.FILE_BROKEN,
    DocumentReason.EMPTY: Code.FILE_EMPTY,
    DocumentReason.ENCODING: Code.FILE_ENCODING,
}


def check_upload(file_name: str, size: int, *, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Refuses, before it is downloaded, a file too big or not of a kind that is read."""
    extension = PurePath(file_name or "").suffix.lower()
    if size > max_bytes:
        raise DocumentError(
            DocumentReason.TOO_LONG, extension=extension, max_bytes=max_bytes, actual_bytes=size
        )
    if extension not in _EXTENSIONS:
        raise DocumentError(DocumentReason.UNSUPPORTED_TYPE, extension=extension)


@dataclass(frozen=True, slots=True)
class ExtractedText:
    """The normalised text of an uploaded file and what kind of file it was."""

    text: str
    kind: DocumentKind


def extract_text(file_name: str, content: bytes, *, max_chars: int = 100_000) -> ExtractedText:
    """Read a .txt, .md or .docx upload into a normalised letter text.

    Text files must be UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else
    is refused with "encoding" rather than guessed (a wrongly guessed cp1251 would put
    mojibake into a text organisations sign). ``max_chars`` counts characters (code
    points) of the normalised text; exactly ``max_chars`` is accepted.
    """
    extension = PurePath(file_name or "").suffix.lower()
    kind = _EXTENSIONS.get(extension)
    if kind is None:
        raise DocumentError(DocumentReason.UNSUPPORTED_TYPE, extension=extension)
    if len(content) > MAX_FILE_BYTES:
        raise DocumentError(
            DocumentReason.TOO_LONG,
            extension=extension,
            max_bytes=MAX_FILE_BYTES,
            actual_bytes=len(content),
        )
    if content.startswith(_FOREIGN_MAGIC):
        raise DocumentError(DocumentReason.UNSUPPORTED_TYPE, extension=extension)

    raw = _docx_text(content, extension) if kind == "docx" else _decode(content, extension)
    text = normalise(raw)
    if not text.strip():
        raise DocumentError(DocumentReason.EMPTY, extension=extension)
    if len(text) > max_chars:
        raise DocumentError(
            DocumentReason.TOO_LONG,
            extension=extension,
            max_chars=max_chars,
            actual_chars=len(text),
        )
    return ExtractedText(text=text, kind=kind)


# --------------------------------------------------------------------------- plain text


def _decode(content: bytes, extension: str) -> str:
    """UTF-8 (BOM optional) or UTF-16 announced by a BOM; never a guess."""
    if content.startswith(_ZIP_MAGIC):
        raise DocumentError(DocumentReason.UNSUPPORTED_TYPE, extension=extension)
    try:
        if content.startswith(_UTF8_BOM):
            text = content.decode("utf-8-sig")
        elif content.startswith(_UTF16_BOMS):
            text = content.decode("utf-16")
        else:
            text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentError(DocumentReason.ENCODING, extension=extension) from None
    if "\x00" in text:
        # UTF-16 without a BOM, UTF-32, or a binary file that happens to be valid UTF-8.
        raise DocumentError(DocumentReason.ENCODING, extension=extension)
    return text


# --------------------------------------------------------------------------- docx: the package


def _check_package(content: bytes, extension: str) -> None:
    """Refuse anything that is not a plausible, reasonably sized Word package."""
    if not content.startswith(_ZIP_MAGIC):
        raise DocumentError(DocumentReason.BROKEN, extension=extension)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise DocumentError(DocumentReason.BROKEN, extension=extension) from None
    names = {member.filename for member in members}
    if "word/document.xml" not in names:
        # A zip, but not a Word document (an .xlsx, .odt or plain archive renamed).
        raise DocumentError(DocumentReason.UNSUPPORTED_TYPE, extension=extension)
    if len(members) > MAX_DOCX_ENTRIES:
        raise DocumentError(DocumentReason.BROKEN, extension=extension)
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_DOCX_UNCOMPRESSED_BYTES:
        raise DocumentError(
            DocumentReason.TOO_LONG,
            extension=extension,
            max_bytes=MAX_DOCX_UNCOMPRESSED_BYTES,
            actual_bytes=unpacked,
        )


def _docx_text(content: bytes, extension: str) -> str:
    _check_package(content, extension)
    try:
        document = docx.Document(io.BytesIO(content))
        reader = _DocxReader(
            notes=_notes(document.part),
            numbering=_Numbering.from_part(document.part),
        )
        return reader.read(document.element.body)
    except DocumentError:
        raise
    except Exception:  # untrusted input: any parser failure means "cannot read this file"
        raise DocumentError(DocumentReason.BROKEN, extension=extension) from None


# --------------------------------------------------------------------------- docx: XML walk

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

_P, _TBL, _TR, _TC = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_T, _TAB, _BR, _CR = f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"
_NO_BREAK_HYPHEN = f"{_W}noBreakHyphen"
_FOOTNOTE_REF, _ENDNOTE_REF = f"{_W}footnoteReference", f"{_W}endnoteReference"
_ID, _VAL = f"{_W}id", f"{_W}val"
# Containers whose children are blocks or cells in their own right.
_WRAPPERS = frozenset({f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"})
# Subtrees that hold no visible text of the paragraph (properties, deleted text,
# field instructions, alternative renderings, drawings and text boxes).
_SKIPPED = frozenset(
    {
        f"{_W}pPr",
        f"{_W}rPr",
        f"{_W}sdtPr",
        f"{_W}del",
        f"{_W}moveFrom",
        f"{_W}instrText",
        f"{_W}delText",
        f"{_W}drawing",
        f"{_W}pict",
        f"{_W}object",
        f"{_MC}Fallback",
    }
)


def _children(element: Any, tags: frozenset[str]) -> Iterator[Any]:
    """Children with one of ``tags``, looking through content controls and custom XML."""
    for child in element.iterchildren():
        if child.tag in tags:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tags)


def _notes(part: Any) -> dict[tuple[str, str], str]:
    """Footnote and endnote texts by (kind, id); missing parts mean no notes."""
    notes: dict[tuple[str, str], str] = {}
    for kind, reltype in (
        ("footnote", RELATIONSHIP_TYPE.FOOTNOTES),
        ("endnote", RELATIONSHIP_TYPE.ENDNOTES),
    ):
        try:
            root = parse_xml(part.part_related_by(reltype).blob)
        except KeyError:
            continue
        for note in root.iterchildren(f"{_W}{kind}"):
            reader = _DocxReader(notes={}, numbering=_Numbering({}, {}, {}))
            paragraphs = [reader.paragraph(p) for p in _children(note, frozenset({_P}))]
            # The note's own number (w:footnoteRef) is usually followed by a space.
            notes[(kind, note.get(_ID, ""))] = " ".join(p.strip() for p in paragraphs if p.strip())
    return notes


@dataclass
class _DocxReader:
    """Walks the body once, numbering list items and footnote references as it goes."""

    notes: dict[tuple[str, str], str]
    numbering: _Numbering
    cited: list[str] = field(default_factory=list)

    def read(self, body: Any) -> str:
        blocks = [block for block in self.blocks(body) if block.strip()]
        blocks += [f"[{n}] {text}" for n, text in enumerate(self.cited, start=1)]
        return "\n\n".join(blocks)

    def blocks(self, container: Any) -> Iterator[str]:
        for child in _children(container, frozenset({_P, _TBL})):
            yield self.paragraph(child) if child.tag == _P else self.table(child)

    def paragraph(self, element: Any) -> str:
        parts: list[str] = []
        self._inline(element, parts)
        text = "".join(parts)
        label = self.numbering.label(element)
        return f"{label} {text}" if label and text.strip() else text

    def table(self, element: Any) -> str:
        rows: list[str] = []
        for row in _children(element, frozenset({_TR})):
            cells = [self._cell(cell) for cell in _children(row, frozenset({_TC}))]
            if any(cells):
                rows.append(" | ".join(cells))
        return "\n".join(rows)

    def _cell(self, element: Any) -> str:
        text = " ".join(block for block in self.blocks(element) if block.strip())
        return re.sub(r"\s*\n\s*", " ", text).strip()

    def _inline(self, element: Any, parts: list[str]) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED:
                continue
            if tag == _T:
                parts.append(child.text or "")
            elif tag == _TAB:
                parts.append("\t")
            elif tag in (_BR, _CR):
                parts.append("\n")
            elif tag == _NO_BREAK_HYPHEN:
                parts.append("\u2011")
            elif tag in (_FOOTNOTE_REF, _ENDNOTE_REF):
                kind = "footnote" if tag == _FOOTNOTE_REF else "endnote"
                note = self.notes.get((kind, child.get(_ID, "")))
                if note is not None:
                    self.cited.append(note)
                    parts.append(f"[{len(self.cited)}]")
            else:
                self._inline(child, parts)


# --------------------------------------------------------------------------- docx: numbering

_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)
_KEPT_BULLETS = frozenset("•–—-‣◦▪■●*·")


def _roman(number: int) -> str:
    digits = []
    for value, symbol in _ROMAN:
        while number >= value:
            digits.append(symbol)
            number -= value
    return "".join(digits)


def _letters(number: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa (Word repeats the letter)."""
    return chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)


def _format_number(number: int, number_format: str) -> str:
    if number_format in ("lowerLetter", "upperLetter"):
        text = _letters(number)
        return text.upper() if number_format == "upperLetter" else text
    if number_format in ("lowerRoman", "upperRoman"):
        text = _roman(number)
        return text.upper() if number_format == "upperRoman" else text
    if number_format == "decimalZero":
        return f"{number:02d}"
    return str(number)


@dataclass(frozen=True, slots=True)
class _Level:
    start: int
    number_format: str
    text: str


@dataclass
class _Numbering:
    """Just enough of numbering.xml to render list labels as Word shows them.

    ``lists`` maps numId to (abstractNumId, start overrides by level); counters are
    kept per abstract list, which is how Word continues a list across numIds.
    """

    lists: dict[str, tuple[str, dict[int, int]]]
    levels: dict[str, dict[int, _Level]]
    style_numbering: dict[str, tuple[str, int]]
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)

    @classmethod
    def from_part(cls, part: Any) -> _Numbering:
        try:
            root = parse_xml(part.part_related_by(RELATIONSHIP_TYPE.NUMBERING).blob)
        except KeyError:
            return cls({}, {}, {})
        levels: dict[str, dict[int, _Level]] = {}
        for abstract in root.iterchildren(f"{_W}abstractNum"):
            by_level: dict[int, _Level] = {}
            for level in abstract.iterchildren(f"{_W}lvl"):
                by_level[_int(level.get(f"{_W}ilvl"), 0)] = _Level(
                    start=_int(_child_val(level, "start"), 1),
                    number_format=_child_val(level, "numFmt") or "decimal",
                    text=_child_val(level, "lvlText") or "",
                )
            levels[abstract.get(f"{_W}abstractNumId", "")] = by_level
        lists: dict[str, tuple[str, dict[int, int]]] = {}
        for num in root.iterchildren(f"{_W}num"):
            overrides: dict[int, int] = {}
            for override in num.iterchildren(f"{_W}lvlOverride"):
                start = _child_val(override, "startOverride")
                if start is not None:
                    overrides[_int(override.get(f"{_W}ilvl"), 0)] = _int(start, 1)
            lists[num.get(f"{_W}numId", "")] = (_child_val(num, "abstractNumId") or "", overrides)
        return cls(lists, levels, _style_numbering(part))

    def label(self, paragraph: Any) -> str:
        """The list label of a paragraph ("1.", "a)", "•") or "" if it is not a list item."""
        reference = self._reference(paragraph)
        if reference is None:
            return ""
        num_id, level = reference
        abstract_id, overrides = self.lists.get(num_id, ("", {}))
        levels = self.levels.get(abstract_id)
        if not levels or level not in levels:
            return ""
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for overridden, start in overrides.items():
                counters[overridden] = start - 1
        counters[level] = counters.get(level, levels[level].start - 1) + 1
        for deeper in [key for key in counters if key > level]:
            del counters[deeper]
        definition = levels[level]
        if definition.number_format == "none":
            return ""
        if definition.number_format == "bullet":
            return definition.text if definition.text in _KEPT_BULLETS else "•"

        def replace(match: re.Match[str]) -> str:
            referenced = int(match[1]) - 1
            item = levels.get(referenced)
            if item is None:
                return ""
            value = counters.get(referenced, item.start)
            return _format_number(value, item.number_format)

        return re.sub(r"%([1-9])", replace, definition.text).strip()

    def _reference(self, paragraph: Any) -> tuple[str, int] | None:
        properties = paragraph.find(f"{_W}pPr")
        if properties is None:
            return None
        num_pr = properties.find(f"{_W}numPr")
        if num_pr is not None:
            num_id = _child_val(num_pr, "numId")
            if num_id is None or num_id == "0":
                return None
            return num_id, _int(_child_val(num_pr, "ilvl"), 0)
        style = _child_val(properties, "pStyle")
        if style is not None and style in self.style_numbering:
            return self.style_numbering[style]
        return None


def _style_numbering(part: Any) -> dict[str, tuple[str, int]]:
    """Paragraph styles that carry list numbering (e.g. "List Number"), by style id."""
    try:
        root = parse_xml(part.part_related_by(RELATIONSHIP_TYPE.STYLES).blob)
    except KeyError:
        return {}
    direct: dict[str, tuple[str, int] | None] = {}
    based_on: dict[str, str] = {}
    for style in root.iterchildren(f"{_W}style"):
        style_id = style.get(f"{_W}styleId", "")
        parent = _child_val(style, "basedOn")
        if parent:
            based_on[style_id] = parent
        properties = style.find(f"{_W}pPr")
        num_pr = properties.find(f"{_W}numPr") if properties is not None else None
        if num_pr is not None:
            num_id = _child_val(num_pr, "numId")
            direct[style_id] = (
                (num_id, _int(_child_val(num_pr, "ilvl"), 0)) if num_id and num_id != "0" else None
            )
    resolved: dict[str, tuple[str, int]] = {}
    for style_id in {*direct, *based_on}:
        current: str | None = style_id
        seen: set[str] = set()
        while current is not None and current not in seen:
            seen.add(current)
            if current in direct:
                found = direct[current]
                if found is not None:
                    resolved[style_id] = found
                break
            current = based_on.get(current)
    return resolved


def _child_val(element: Any, name: str) -> str | None:
    child = element.find(f"{_W}{name}")
    return None if child is None else child.get(_VAL)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
