"""The publication PDF: list N of a closed letter, as diplomats print and file it.

One A4 document: the letter's title, its final text with paragraphs and numbering as
written, then the signatories (one per line, in the order given: the caller sorts them
with :mod:`bot.services.collation`), "and N organisations that cannot be named", what
changed since the previous list; on every page a footer with the list number, the
version and "Page X of Y", and from page 2 on the title in small type at the top. Pure:
bytes out of a :class:`PublicationDocument`, no clock, database or Telegram.

Choices:

* fpdf2 lays the document out; the DejaVu Serif family that matplotlib (already a
  dependency) ships is embedded (subset), so Cyrillic, Belarusian І/Ў, accented Latin,
  «», “” and — print the same on every machine; no system font is assumed. DejaVu Sans
  stands in for the rare symbol the serif lacks; a character neither has is printed as
  � rather than silently left out, and invisible format characters are dropped.
* The text is the coordinators' own: every line break is kept. A paragraph (lines
  between blank lines, or each line when the text has no blank line, as in
  :func:`bot.services.letter_text.paragraphs`) or a line in it that starts with a list
  marker ("1.", "2)", "(a)", "б)", "iv.", "-", "•"...) is set with a hanging indent: the
  marker, as typed, in a column of its own, the text aligned beside it. Text is set
  ragged-right: fpdf2 does not hyphenate, and justified lines of long Belarusian or
  Russian words gape.
* Nothing typed is markup: names and text are drawn as plain text, so "<b>" or "%"
  print literally, and fpdf2's page-count alias is off (the document is laid out twice,
  the second time with the page count known), so a "{nb}" in a name stays "{nb}".
* A paragraph never leaves a single line at the bottom of a page; short paragraphs,
  list entries, and a heading with what follows it are kept together.
* Deterministic: the creation date is ``published_at`` and nothing else varies, so the
  same data gives the same bytes (re-publishing an unchanged list gives the same file).
  Metadata holds the title, the language and that date: no author, no tool name.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

import matplotlib
from babel.dates import format_date
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

from bot import texts
from bot.services.export import anonymous_line
from bot.services.letter_text import fingerprint, paragraphs

__all__ = ["PublicationDocument", "PublicationSignatory", "render_pdf", "signatory_line"]


@dataclass(frozen=True)
class PublicationSignatory:
    """One named signatory: the organisation's listed name and, where the letter asks for
    it, the person signing as typed ("Name, Title")."""

    organisation: str
    person: str | None = None


@dataclass(frozen=True)
class PublicationDocument:
    """Everything list N's PDF shows.

    ``body`` is the final text in ``language``; ``fingerprint`` is that text's fingerprint
    (checked), which is the one in ``version_label`` for the authoritative language and a
    translation's otherwise. ``signatories`` are printed in the order given.
    ``published_at`` is shown as a date in its own zone (pass it in the letter's zone).
    ``added_since`` and ``withdrawn_since`` name what changed since list N-1.
    """

    title: str
    language: str
    body: str
    signatories: Sequence[PublicationSignatory]
    anonymous_count: int
    list_number: int
    published_at: datetime
    version_label: str
    fingerprint: str
    added_since: Sequence[str] = ()
    withdrawn_since: Sequence[str] = ()

    def __post_init__(self) -> None:
        for name in ("signatories", "added_since", "withdrawn_since"):  # frozen all through
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.language not in texts.LANGUAGES:
            raise ValueError(f"unsupported language {self.language!r}")
        if self.list_number < 1:
            raise ValueError(f"list number must be >= 1, got {self.list_number}")
        if self.anonymous_count < 0:
            raise ValueError(f"anonymous count must be >= 0, got {self.anonymous_count}")
        if self.published_at.tzinfo is None or self.published_at.utcoffset() is None:
            raise ValueError("published_at must be timezone-aware")
        if self.list_number == 1 and (self.added_since or self.withdrawn_since):
            raise ValueError("list 1 has no previous list to compare with")
        if fingerprint(self.body) != self.fingerprint:
            raise ValueError("the fingerprint is not the body's: wrong text or wrong version")


def signatory_line(signatory: PublicationSignatory) -> str:
    """The entry as printed: "Name, Title, Organisation" when a person is given, else the
    organisation alone."""
    organisation = _one_line(signatory.organisation)
    person = _one_line(signatory.person or "")
    return f"{person}, {organisation}" if person else organisation


# --------------------------------------------------------------------------- fonts

_FONT_DIR: Final = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_SERIF: Final = "DejaVuSerif"
_SANS: Final = "DejaVuSans"
_FONT_FILES: Final = {
    (_SERIF, ""): "DejaVuSerif.ttf",
    (_SERIF, "B"): "DejaVuSerif-Bold.ttf",
    (_SERIF, "I"): "DejaVuSerif-Italic.ttf",
    (_SANS, ""): "DejaVuSans.ttf",
}
_REPLACEMENT: Final = "\ufffd"


@functools.cache
def _covered() -> frozenset[int]:
    """Code points the embedded fonts can draw (serif, or the sans fallback)."""
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for name in (_FONT_FILES[(_SERIF, "")], _FONT_FILES[(_SANS, "")]):
        with TTFont(_FONT_DIR / name, lazy=True) as font:
            covered.update(font.getBestCmap())
    return frozenset(covered)


def _printable(text: str) -> str:
    """``text`` as the fonts can print it: NFC; a tab becomes a space; control and format
    characters and variation selectors (invisible anyway) are dropped; a visible character
    no font has becomes �, so nothing a person typed disappears without a trace."""
    covered = _covered()
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char in "\n\t":
            out.append(char.replace("\t", " "))
        elif unicodedata.category(char) in ("Cc", "Cf") or _is_variation_selector(char):
            continue
        else:
            out.append(char if ord(char) in covered else _REPLACEMENT)
    return "".join(out)


def _is_variation_selector(char: str) -> bool:
    return unicodedata.name(char, "").startswith("VARIATION SELECTOR")


def _one_line(text: str) -> str:
    """Collapse newlines and runs of spaces: one name stays one entry."""
    return " ".join(text.split())


# --------------------------------------------------------------------------- layout

_MARGIN: Final = 25.0  # mm, left and right
_TOP: Final = 22.0
_BOTTOM: Final = 24.0  # the footer sits inside this
_BODY_SIZE: Final = 10.5  # pt
_LINE: Final = 5.2  # mm, body line height (about 1.4 lines)
_PARAGRAPH_GAP: Final = 2.6
_ENTRY_GAP: Final = 0.9
_LIST_INDENT: Final = 5.0  # continuation lines of a long signatory entry
_MIN_HANG: Final = 7.0
_MAX_HANG: Final = 16.0
_META_GREY: Final = (90, 90, 90)

# A list marker at the start of a line, then a space: "1." "12)" "1.2." "(3)" "a)" "(b)"
# "б)" "iv." "(ii)" and bullets. Letters only with ")" or in brackets (or roman numerals
# with "."), so a sentence starting "Mr. X" or "A. Name" is not taken for a list item.
_MARKER: Final = re.compile(
    r"(?P<indent>[ \t]*)"
    r"(?P<marker>\d{1,3}(?:\.\d{1,3})*[.)]|\(\d{1,3}\)|[a-zа-яё]\)|\([a-zа-яё]\)"
    r"|[ivx]{1,5}[.)]|\([ivx]{1,5}\)|[-–—•‣◦▪*·])"
    r"[ \t]+(?P<text>\S.*)"
)


@dataclass(frozen=True)
class _Item:
    """A run of lines in a paragraph: list item (with its marker) or plain text."""

    marker: str | None
    text: str
    nested: bool = False


def _items(paragraph: str) -> list[_Item]:
    """A paragraph's lines grouped: a marker line starts an item, the lines after it (up
    to the next marker) continue it; lines before any marker are plain text."""
    items: list[_Item] = []
    for line in paragraph.split("\n"):
        match = _MARKER.fullmatch(line)
        if match:
            marker, text = match["marker"], match["text"]
            items.append(_Item(marker, text, nested=bool(match["indent"])))
        elif items:
            last = items[-1]
            items[-1] = _Item(last.marker, f"{last.text}\n{line.strip()}", last.nested)
        else:
            items.append(_Item(None, line.strip()))
    return items


class _Pdf(FPDF):
    """fpdf2 with the footer of a publication and the project's fonts."""

    def __init__(self, title: str, footer_left: str, language: str, pages: int | None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._title = title
        self._footer_left = footer_left
        self._language = language
        self._pages = pages
        for (family, style), name in _FONT_FILES.items():
            self.add_font(family, style, _FONT_DIR / name)
        self.set_fallback_fonts([_SANS])
        self.set_margins(_MARGIN, _TOP, _MARGIN)
        self.set_auto_page_break(True, _BOTTOM)
        # No "{nb}" alias: the page count is known (see render_pdf), and a "{nb}" typed in
        # a name must print as typed.
        self.alias_nb_pages(None)  # type: ignore[arg-type]  # fpdf2 documents None, types str

    def header(self) -> None:
        """From page 2 on, the title in small type: a loose page still says what it is."""
        if self.page_no() == 1:
            return
        self.set_font(_SERIF, "I", 8.5)
        self.set_text_color(*_META_GREY)
        self.set_y(_TOP - 9)
        self.cell(self.epw, 4.5, self._fitted(self._title, self.epw), align=Align.L)
        self.set_text_color(0, 0, 0)
        self.set_y(_TOP)

    def _fitted(self, text: str, width: float) -> str:
        """``text`` cut at a word with "…" if it is wider than ``width``."""
        if self.get_string_width(text) <= width:
            return text
        words = text.split(" ")
        while len(words) > 1 and self.get_string_width(" ".join(words) + " …") > width:
            words.pop()
        return " ".join(words) + " …"

    def footer(self) -> None:
        if self._pages is None:  # the first pass only counts pages
            return
        self.set_y(-_BOTTOM + 9)
        self.set_draw_color(180, 180, 180)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_y(self.get_y() + 1.5)
        self.set_font(_SERIF, "", 8.5)
        self.set_text_color(*_META_GREY)
        self.cell(self.epw / 2, 4.5, self._footer_left, align=Align.L)
        page = texts.plain(
            texts.PUBLICATION_PAGE, self._language, page=self.page_no(), pages=self._pages
        )
        self.cell(self.epw / 2, 4.5, page, align=Align.R)
        self.set_text_color(0, 0, 0)

    # ------------------------------------------------------------------ helpers

    def lines(self, width: float, height: float, text: str, align: Align = Align.L) -> None:
        """``text`` wrapped in ``width`` from the current position, ragged-right unless
        told otherwise (fpdf2 justifies by default), the cursor then on the next line."""
        self.multi_cell(width, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def room(self) -> float:
        return self.page_break_trigger - self.get_y()

    def ensure(self, height: float) -> None:
        """A new page unless ``height`` fits (and we are not at a page top already)."""
        if height > self.room() and self.get_y() > self.t_margin + 0.1:
            self.add_page()

    def wrapped(self, width: float, text: str) -> list[str]:
        """The lines ``text`` takes in a column ``width`` wide (nothing is drawn)."""
        lines = self.multi_cell(width, _LINE, text, dry_run=True, output=MethodReturnValue.LINES)
        if not isinstance(lines, list):  # the LINES output is a list; fpdf2 types every output
            raise TypeError(f"multi_cell gave {type(lines).__name__}, not lines")
        return lines

    def line_count(self, width: float, text: str) -> int:
        return max(1, len(self.wrapped(width, text)))

    def keep_lines(self, width: float, text: str) -> None:
        """Start a new page unless two lines of the paragraph fit (all of a short one)."""
        count = self.line_count(width, text)
        self.ensure(_LINE * (count if count <= 3 else 2))

    def paragraph(self, text: str) -> None:
        """Plain text across the full width, wrapped by fpdf2 across pages if long."""
        self.keep_lines(self.epw, text)
        self.lines(self.epw, _LINE, text)

    def hanging_item(self, marker: str, text: str, indent: float, hang: float) -> None:
        """A list item: the marker at ``indent``, its text in a column ``hang`` further."""
        x = self.l_margin + indent
        width = self.epw - indent - hang
        self.keep_lines(width, text)
        top = self.get_y()
        self.set_x(x)
        self.cell(hang, _LINE, marker)
        self.set_xy(x + hang, top)
        self.lines(width, _LINE, text)

    def entry(self, text: str) -> None:
        """A signatory entry: one line, or a first line and indented continuation lines,
        never split across pages."""
        lines = self.wrapped(self.epw, text)
        first = lines[0].rstrip() if lines else text
        if len(lines) <= 1 or not text.startswith(first):
            self.keep_lines(self.epw, text)
            self.lines(self.epw, _LINE, text)
            return
        rest = text[len(first) :].strip()
        width = self.epw - _LIST_INDENT
        self.ensure(_LINE * (1 + self.line_count(width, rest)))
        self.lines(self.epw, _LINE, first)
        self.set_x(self.l_margin + _LIST_INDENT)
        self.lines(width, _LINE, rest)

    def heading(self, text: str, size: float, keep_with: float) -> None:
        """A bold heading, moved to the next page with its first ``keep_with`` mm."""
        self.set_font(_SERIF, "B", size)
        self.ensure(size * 0.55 + keep_with)
        self.lines(0, size * 0.5, text)
        self.set_font(_SERIF, "", _BODY_SIZE)


# --------------------------------------------------------------------------- rendering

_BABEL_LOCALES: Final = {"en": "en_GB", "ru": "ru", "be": "be"}  # en_GB as in deadlines.py


def _date(moment: datetime, language: str) -> str:
    """The date in the language: 20 March 2026, 20 марта 2026 г., 20 сакавіка 2026 г."""
    return format_date(moment.date(), format="long", locale=_BABEL_LOCALES[language])


def _footer_left(document: PublicationDocument) -> str:
    parts = [
        texts.plain(texts.PUBLICATION_LIST, document.language, number=document.list_number),
        document.version_label,
    ]
    if document.fingerprint not in document.version_label:
        parts.append(
            texts.plain(
                texts.PUBLICATION_TRANSLATION, document.language, fingerprint=document.fingerprint
            )
        )
    return " · ".join(parts)


def _hang_width(pdf: _Pdf, markers: Sequence[str]) -> float:
    """One marker column for the whole text, wide enough for its widest marker."""
    widest = max((pdf.get_string_width(marker) for marker in markers), default=0.0)
    return min(max(_MIN_HANG, widest + 2.5), _MAX_HANG)


def _body(pdf: _Pdf, body: str) -> None:
    pdf.set_font(_SERIF, "", _BODY_SIZE)
    blocks = [_items(_printable(paragraph)) for paragraph in paragraphs(body)]
    markers = [item.marker for items in blocks for item in items if item.marker]
    hang = _hang_width(pdf, markers)
    for items in blocks:
        for item in items:
            if item.marker is None:
                pdf.paragraph(item.text)
            elif pdf.get_string_width(item.marker) + 1.5 > hang:  # an outsized "marker"
                pdf.paragraph(f"{item.marker} {item.text}")
            else:
                indent = hang if item.nested else 0.0
                pdf.hanging_item(item.marker, item.text, indent, hang)
        pdf.set_y(pdf.get_y() + _PARAGRAPH_GAP)


def _names(pdf: _Pdf, heading: str, names: Sequence[str]) -> None:
    pdf.set_y(pdf.get_y() + _PARAGRAPH_GAP * 2)
    pdf.heading(heading, 11, keep_with=_LINE * 2)
    pdf.set_y(pdf.get_y() + 1.5)
    for name in names:
        pdf.entry(_printable(_one_line(name)))
        pdf.set_y(pdf.get_y() + _ENTRY_GAP)


def render_pdf(document: PublicationDocument) -> bytes:
    """The publication as PDF bytes (see the module docstring for what it holds).

    Laid out twice: the first pass counts the pages (footers take no room from the text,
    so the second pass breaks pages at the same places) and the second prints "Page X of
    Y" with Y known.
    """
    pages = _layout(document, pages=None).pages_count
    pdf = _layout(document, pages=pages)
    if pdf.pages_count != pages:  # pragma: no cover - the footer cannot move the text
        raise RuntimeError(f"page count changed between passes: {pages} → {pdf.pages_count}")
    return bytes(pdf.output())


def _layout(document: PublicationDocument, *, pages: int | None) -> _Pdf:
    language = document.language
    title = _printable(_one_line(document.title))
    pdf = _Pdf(title, _printable(_footer_left(document)), language, pages)
    pdf.set_title(title)
    pdf.set_lang(language)
    pdf.set_creation_date(document.published_at)
    pdf.add_page()

    pdf.set_font(_SERIF, "B", 15)
    pdf.lines(0, 7.5, title, Align.C)
    pdf.set_y(pdf.get_y() + 8)
    _body(pdf, document.body)

    # Signatories: heading, then list number and date, then one entry a line.
    pdf.set_y(pdf.get_y() + _PARAGRAPH_GAP * 2)
    pdf.heading(texts.plain(texts.EXPORT_SIGNATORIES, language), 12.5, keep_with=_LINE * 4)
    pdf.set_font(_SERIF, "I", 9.5)
    pdf.set_text_color(*_META_GREY)
    dated = " · ".join(
        (
            texts.plain(texts.PUBLICATION_LIST, language, number=document.list_number),
            _date(document.published_at, language),
        )
    )
    pdf.lines(0, 5, dated)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(_SERIF, "", _BODY_SIZE)
    pdf.set_y(pdf.get_y() + 3)
    for signatory in document.signatories:
        pdf.entry(_printable(signatory_line(signatory)))
        pdf.set_y(pdf.get_y() + _ENTRY_GAP)
    if document.anonymous_count:
        pdf.set_y(pdf.get_y() + 2)
        pdf.set_font(_SERIF, "I", _BODY_SIZE)
        pdf.entry(anonymous_line(document.anonymous_count, language))
        pdf.set_font(_SERIF, "", _BODY_SIZE)

    previous = document.list_number - 1
    if document.added_since:
        heading = texts.plain(texts.PUBLICATION_ADDED, language, number=previous)
        _names(pdf, heading, document.added_since)
    if document.withdrawn_since:
        heading = texts.plain(texts.PUBLICATION_WITHDRAWN, language, number=previous)
        _names(pdf, heading, document.withdrawn_since)
    return pdf
