"""The text of a letter: canonical form, fingerprint, Telegram-sized pieces and diffs.

Everything here is pure string work so that the same text always gives the same
fingerprint, the same message pieces and the same diff, whatever the database or
the Telegram layer does around it.

Paragraph model
---------------
The stored text keeps its line breaks exactly as they came (they are part of what is
fingerprinted); the paragraph model only decides where paragraphs begin, for diffs,
message pieces and previews, so that one letter gives the same paragraphs whatever form
it came in (a .docx, a paste from Word, a plain text file):

* a blank line always separates paragraphs;
* a text with no blank line at all has one paragraph per line (Word copies paragraphs
  as single line breaks);
* in a text that has blank lines, a single line break is a paragraph boundary when the
  line before it ends like a sentence (``. ! ? … : ;``, optionally followed by closing
  quotes or brackets), when it is a short salutation or closing ending in a comma
  ("Excellencies,", "С уважением,"), when the next line is a list item ("- ", "• ",
  "1.", "2)", "a)", "(iv)"), or when the line before is a list item and the next line
  does not continue it in lower case. Word pastes mix blank lines between paragraphs
  with single line breaks between list items; a .docx gives each item its own paragraph.
  Any other line break (an address block, a hard-wrapped line) stays inside its
  paragraph.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "FINGERPRINT_LENGTH",
    "TELEGRAM_MESSAGE_LIMIT",
    "ChangeKind",
    "ParagraphChange",
    "WordTag",
    "diff_paragraphs",
    "fingerprint",
    "is_list_item",
    "normalise",
    "paragraph_segments",
    "paragraphs",
    "preview_lines",
    "split_for_messages",
    "telegram_length",
    "version_label",
    "word_diff",
]

TELEGRAM_MESSAGE_LIMIT = 4096
"""Maximum length of a message text after entity parsing, in UTF-16 code units."""

FINGERPRINT_LENGTH = 8
"""Hex digits of SHA-256 kept as a version fingerprint (32 bits: enough to tell versions
of one letter apart at a glance, short enough to read aloud or compare on a phone)."""

_MIN_SPLIT_LIMIT = 16
_ELLIPSIS = "…"

# Line terminators other than "\n" that arrive from Windows, old Mac files, Word
# (U+2028/U+2029) or EBCDIC-derived text (U+0085). Vertical tab and form feed are
# left alone: they are not line endings a person typed.
_LINE_ENDINGS = re.compile("\r\n|\r|\u0085|\u2028|\u2029")
_BLANK_LINE_RUN = re.compile(r"\n{3,}")

# Non-breaking spaces exist precisely so that text is not broken there.
_NO_BREAK_SPACES = "\u00a0\u2007\u202f"
_BREAKABLE_SPACE = rf"[^\S\n{_NO_BREAK_SPACES}]+"
_SENTENCE_END = "[.!?…。！？]"
_CLOSERS = "[\"'»”’)\\]]*"


# --------------------------------------------------------------------------- canonical form


def normalise(text: str) -> str:
    """Return the canonical form of a letter text (the form that is stored and fingerprinted).

    Rules, chosen so that invisible differences (line endings, trailing blanks, the way
    a client composed an accented letter) never produce a "new" version, while anything
    a reader could see is kept exactly as typed:

    * Unicode NFC, so "й" typed as one or as two code points is the same text;
    * line endings (CRLF, CR, NEL, U+2028, U+2029) become ``"\\n"``;
    * trailing whitespace is stripped from every line (``str.isspace`` characters, which
      includes a trailing U+00A0: at the end of a line it is as invisible as a space);
    * leading whitespace (indentation) is kept;
    * runs of two or more blank lines collapse to one blank line: a paragraph
      separator is exactly one blank line;
    * leading and trailing blank lines are removed;
    * inside a line everything is kept as typed: non-breaking spaces stay non-breaking
      (they matter for the exported document), tabs stay tabs, and zero-width
      characters (ZWSP, ZWJ, ZWNJ, word joiner, BOM) are content -- ZWJ/ZWNJ change how
      emoji and some scripts render, so silently dropping them would alter the text.
    """
    unified = _LINE_ENDINGS.sub("\n", unicodedata.normalize("NFC", text))
    lines = [line.rstrip() for line in unified.split("\n")]
    collapsed = _BLANK_LINE_RUN.sub("\n\n", "\n".join(lines))
    return collapsed.strip("\n")


def fingerprint(text: str) -> str:
    """First 8 hex digits of SHA-256 over the UTF-8 of :func:`normalise` (text)."""
    digest = hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()
    return digest[:FINGERPRINT_LENGTH]


def version_label(number: int, fingerprint: str) -> str:
    """The label a version is shown with everywhere, e.g. ``"v3 · 7f3a9c21"``."""
    if number < 1:
        raise ValueError(f"version number must be >= 1, got {number}")
    if not re.fullmatch(rf"[0-9a-f]{{{FINGERPRINT_LENGTH}}}", fingerprint):
        raise ValueError(f"not a fingerprint: {fingerprint!r}")
    return f"v{number} · {fingerprint}"


# A list item's marker: a bullet, or a number/letter/roman numeral with "." or ")".
_LIST_ITEM = re.compile(
    r"\s*(?:[-–—•‣◦▪■●*·]\s|\(?(?:\d{1,3}(?:\.\d{1,3})*|[^\W\d_]|[ivxlcdm]{1,6})[.)]\s)",
    re.IGNORECASE,
)
_SENTENCE_LIKE_END = re.compile(rf"(?:{_SENTENCE_END}|[:;]){_CLOSERS}$")
# "Excellencies,", "Yours sincerely,", "С уважением,": a short line ending in a comma.
_SALUTATION_LIMIT = 40


def is_list_item(line: str) -> bool:
    """True for a line that starts with a list marker ("- ", "• ", "1. ", "2) ", "(a) ")."""
    return _LIST_ITEM.match(line) is not None


def _is_boundary(before: str, after: str) -> bool:
    """Whether a single line break between these two lines starts a new paragraph."""
    if is_list_item(after) or _SENTENCE_LIKE_END.search(before):
        return True
    stripped = before.strip()
    if stripped.endswith(",") and len(stripped) <= _SALUTATION_LIMIT:
        return True
    continues = after.lstrip()[:1].islower()
    return is_list_item(before) and not continues


def paragraph_segments(text: str) -> list[tuple[str, str]]:
    """The paragraphs of an already normalised text, each with the separator after it.

    Concatenating every paragraph and separator gives the text back; the separator of
    the last paragraph is "". See the module docstring for where paragraphs begin.
    """
    if not text:
        return []
    one_per_line = "\n\n" not in text
    segments: list[tuple[str, str]] = []
    blocks = text.split("\n\n")
    for number, block in enumerate(blocks):
        lines = block.split("\n")
        current = lines[0]
        for line in lines[1:]:
            if one_per_line or _is_boundary(current.rsplit("\n", 1)[-1], line):
                segments.append((current, "\n"))
                current = line
            else:
                current = f"{current}\n{line}"
        segments.append((current, "\n\n" if number < len(blocks) - 1 else ""))
    return segments


def paragraphs(text: str) -> list[str]:
    """Split a letter into paragraphs (see the module docstring for the model).

    An empty text has no paragraphs.
    """
    return [paragraph for paragraph, _ in paragraph_segments(normalise(text))]


# --------------------------------------------------------------------------- lengths, cuts


def telegram_length(plain: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the text after entity parsing.

    An emoji outside the Basic Multilingual Plane counts 2, Cyrillic and Latin count 1.
    """
    return len(plain.encode("utf-16-le")) // 2


def _extends_previous(char: str) -> bool:
    """True for characters that belong to the grapheme before them (must not start a piece)."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or code == 0x200D  # zero-width joiner
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences (flags of regions)
        or 0xE0100 <= code <= 0xE01EF  # variation selectors supplement
    )


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _is_grapheme_boundary(text: str, index: int) -> bool:
    """Approximate extended-grapheme boundary test, good enough not to mangle emoji.

    Not a full UAX #29 implementation: it keeps combining marks, ZWJ sequences,
    variation selectors, skin tones, tag sequences and flag pairs together.
    """
    if index <= 0 or index >= len(text):
        return True
    if _extends_previous(text[index]) or text[index - 1] == "\u200d":
        return False
    if _is_regional_indicator(text[index]) and _is_regional_indicator(text[index - 1]):
        run = 0
        position = index - 1
        while position >= 0 and _is_regional_indicator(text[position]):
            run += 1
            position -= 1
        return run % 2 == 0
    return True


def _safe_cut(text: str, index: int) -> int:
    """Move ``index`` back to the nearest grapheme boundary (keep it if there is none)."""
    position = index
    while position > 0 and not _is_grapheme_boundary(text, position):
        position -= 1
    return position if position > 0 else index


# --------------------------------------------------------------------------- message pieces

_Measure = Callable[[str], int]

_Segmenter = Callable[[str], list[tuple[str, str]]]


def _at(pattern: re.Pattern[str]) -> _Segmenter:
    return lambda text: _segments(text, pattern)


_SPLIT_LEVELS: tuple[_Segmenter, ...] = (
    paragraph_segments,  # paragraphs (the module's paragraph model)
    _at(re.compile(r"\n")),  # line breaks inside a paragraph
    _at(re.compile(rf"{_SENTENCE_END}{_CLOSERS}(?P<sep>{_BREAKABLE_SPACE})")),  # sentence ends
    _at(re.compile(_BREAKABLE_SPACE)),  # between words
)


def _segments(text: str, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    """Split ``text`` at ``pattern`` into (segment, separator-after-it) pairs.

    If the pattern has a ``sep`` group only that group is the separator; the rest of
    the match (the sentence-ending punctuation) stays with the segment before it.
    """
    parts: list[tuple[str, str]] = []
    start = 0
    for match in pattern.finditer(text):
        sep_start, sep_end = match.span("sep") if "sep" in pattern.groupindex else match.span()
        if sep_end == sep_start:
            continue
        parts.append((text[start:sep_start], text[sep_start:sep_end]))
        start = sep_end
    parts.append((text[start:], ""))
    return parts


def _hard_cut(word: str, limit: int, measure: _Measure) -> list[str]:
    """Cut a single over-long word at grapheme boundaries (last resort)."""
    pieces: list[str] = []
    rest = word
    while rest:
        if measure(rest) <= limit:
            pieces.append(rest)
            break
        used = 0
        index = 0
        while index < len(rest):
            cost = measure(rest[index])
            if used + cost > limit:
                break
            used += cost
            index += 1
        cut = _safe_cut(rest, max(index, 1))
        pieces.append(rest[:cut])
        rest = rest[cut:]
    return pieces


def _split(text: str, limit: int, measure: _Measure, level: int) -> list[str]:
    """Pack ``text`` into pieces of at most ``limit``, breaking at the coarsest level possible."""
    if measure(text) <= limit:
        return [text]
    if level >= len(_SPLIT_LEVELS):
        return _hard_cut(text, limit, measure)

    chunks: list[str] = []
    current: str | None = None
    current_cost = 0
    pending_sep = ""
    for segment, separator in _SPLIT_LEVELS[level](text):
        segment_cost = measure(segment)
        if segment_cost > limit:
            sub_pieces = _split(segment, limit, measure, level + 1)
            if current is not None:
                chunks.append(current)
            chunks.extend(sub_pieces[:-1])
            current = sub_pieces[-1]
            current_cost = measure(current)
        elif current is None:
            current, current_cost = segment, segment_cost
        else:
            joined_cost = current_cost + measure(pending_sep) + segment_cost
            if joined_cost <= limit:
                current = current + pending_sep + segment
                current_cost = joined_cost
            else:
                chunks.append(current)
                current, current_cost = segment, segment_cost
        pending_sep = separator
    if current is not None:
        chunks.append(current)
    return chunks


def split_for_messages(
    text: str, limit: int = TELEGRAM_MESSAGE_LIMIT, *, escape: bool = True
) -> list[str]:
    """The full text of a letter as a list of message texts, each within ``limit``.

    The text is normalised first (stored versions already are). Pieces break at the
    coarsest boundary that fits, packing as much as possible into each message:
    paragraphs (see the module docstring), then other line breaks, then sentence ends,
    then spaces. A word is never cut;
    only a single "word" longer than the limit is cut, at a grapheme boundary. The
    whitespace at a break is dropped (Telegram would trim it anyway); nothing else is.

    With ``escape=True`` (the default) each piece is HTML-escaped (``&``, ``<``, ``>``)
    for ``parse_mode=HTML``. The length is then measured on the *escaped* string in
    UTF-16 code units: that bounds both what Telegram counts after parsing (the plain
    text, never longer) and the raw request text, and an entity such as ``&amp;`` can
    never be split because splitting happens before escaping. With ``escape=False`` the
    pieces are plain text (to be sent without a parse mode) and the plain text is
    measured.

    An empty text gives an empty list (Telegram refuses empty messages). ``limit`` must
    be at least 16 so that any grapheme fits.
    """
    if limit < _MIN_SPLIT_LIMIT:
        raise ValueError(f"limit must be >= {_MIN_SPLIT_LIMIT}, got {limit}")

    def measure(plain: str) -> int:
        return telegram_length(html.escape(plain, quote=False) if escape else plain)

    canonical = normalise(text)
    if not canonical:
        return []
    pieces = [piece for piece in _split(canonical, limit, measure, 0) if piece.strip()]
    if escape:
        return [html.escape(piece, quote=False) for piece in pieces]
    return pieces


def preview_lines(text: str, max_chars: int = 600) -> str:
    """The beginning of a letter for a summary message, at most ``max_chars`` characters.

    Paragraphs (see the module docstring) are separated by a blank line, so a letter
    reads the same whatever form it came in. Cut at the last word boundary that fits and
    marked with "…"; a text that fits is returned whole. Not escaped: the caller escapes
    like any user text.
    """
    if max_chars < 2:
        raise ValueError(f"max_chars must be >= 2, got {max_chars}")
    canonical = "\n\n".join(paragraphs(text))
    if len(canonical) <= max_chars:
        return canonical
    window = canonical[: max_chars - len(_ELLIPSIS) + 1]
    breaks = [m.start() for m in re.finditer(rf"\n|{_BREAKABLE_SPACE}", window) if m.start() > 0]
    cut = breaks[-1] if breaks else _safe_cut(window, len(window) - 1)
    head = canonical[:cut].rstrip().rstrip(",;:")
    return head + _ELLIPSIS


# --------------------------------------------------------------------------- diffs

ChangeKind = Literal["changed", "added", "removed"]
WordTag = Literal["same", "del", "ins"]

_PAIRING_THRESHOLD = 0.4
_MAX_PAIRING_CELLS = 2500
_WORD_TOKENS = re.compile(r"\w+(?:['’\-]\w+)*|\s+|[^\w\s]")
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class ParagraphChange:
    """One paragraph that differs between two versions.

    ``position`` is the 1-based paragraph number in the new text (for "changed" and
    "added") or in the old text (for "removed"). ``old`` is None for "added", ``new`` is
    None for "removed". A moved paragraph shows up as a "removed" and an "added" change
    with the same text.
    """

    kind: ChangeKind
    old: str | None
    new: str | None
    position: int


def _similarity(a: Counter[str], b: Counter[str]) -> float:
    """Dice coefficient of two paragraphs' word multisets, in [0, 1].

    Order-insensitive, which is fine for deciding which edited paragraph corresponds
    to which, and linear in the paragraph length: SequenceMatcher.ratio() over every
    pair took seconds for long, repetitive paragraphs, and a member is waiting.
    """
    total = sum(a.values()) + sum(b.values())
    if total == 0:
        return 1.0
    return 2 * sum((a & b).values()) / total


def _pair_block(old: Sequence[str], new: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Pair the paragraphs of one replaced block, preserving order.

    Equal counts pair one-to-one (the usual "this paragraph was edited"). Otherwise an
    order-preserving alignment maximises total similarity; pairs less similar than
    ``_PAIRING_THRESHOLD`` are reported as removed + added rather than "changed".
    Large blocks (a rewrite) fall back to pairing by position.
    """
    n, m = len(old), len(new)
    if n == m or n * m > _MAX_PAIRING_CELLS:
        common = min(n, m)
        pairs: list[tuple[int | None, int | None]] = [(i, i) for i in range(common)]
        pairs += [(i, None) for i in range(common, n)]
        pairs += [(None, j) for j in range(common, m)]
        return pairs

    old_words = [Counter(_WORDS.findall(paragraph.casefold())) for paragraph in old]
    new_words = [Counter(_WORDS.findall(paragraph.casefold())) for paragraph in new]
    sim = [[_similarity(old_words[i], new_words[j]) for j in range(m)] for i in range(n)]
    # best[i][j] = best score aligning old[i:] with new[j:]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            if sim[i][j] >= _PAIRING_THRESHOLD:
                options.append(sim[i][j] + best[i + 1][j + 1])
            best[i][j] = max(options)

    pairs = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] >= _PAIRING_THRESHOLD and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    pairs += [(k, None) for k in range(i, n)]
    pairs += [(None, k) for k in range(j, m)]
    return pairs


def diff_paragraphs(old: str, new: str) -> list[ParagraphChange]:
    """Paragraph-level changes from ``old`` to ``new``, in document order.

    Used to show a member what a new version changed before they reconfirm.
    Unchanged paragraphs are not reported; whitespace-only differences that
    :func:`normalise` removes are not changes.
    """
    old_paragraphs = paragraphs(old)
    new_paragraphs = paragraphs(new)
    matcher = difflib.SequenceMatcher(None, old_paragraphs, new_paragraphs, autojunk=False)
    changes: list[ParagraphChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for i, j in _pair_block(old_paragraphs[i1:i2], new_paragraphs[j1:j2]):
            if i is not None and j is not None:
                changes.append(
                    ParagraphChange(
                        "changed", old_paragraphs[i1 + i], new_paragraphs[j1 + j], j1 + j + 1
                    )
                )
            elif i is not None:
                changes.append(ParagraphChange("removed", old_paragraphs[i1 + i], None, i1 + i + 1))
            elif j is not None:
                changes.append(ParagraphChange("added", None, new_paragraphs[j1 + j], j1 + j + 1))
    return changes


def _absorb_whitespace_matches(
    opcodes: Sequence[tuple[str, int, int, int, int]], old_tokens: Sequence[str]
) -> list[tuple[str, int, int, int, int]]:
    """Fold whitespace-only "equal" runs between two changes into one change.

    Otherwise replacing "the quick fox" by "a slow cat" reads as six fragments
    around the matching spaces instead of one deleted and one inserted phrase.
    """
    merged: list[tuple[str, int, int, int, int]] = []
    last = len(opcodes) - 1
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        follows_change = bool(merged) and merged[-1][0] == "change"
        is_gap = (
            tag == "equal"
            and follows_change
            and index < last
            and all(token.isspace() for token in old_tokens[i1:i2])
        )
        if tag != "equal" or is_gap:
            if follows_change:
                _, start_i, _, start_j, _ = merged[-1]
                merged[-1] = ("change", start_i, i2, start_j, j2)
            else:
                merged.append(("change", i1, i2, j1, j2))
        else:
            merged.append((tag, i1, i2, j1, j2))
    return merged


def word_diff(old: str, new: str) -> list[tuple[WordTag, str]]:
    """Word-level diff of two paragraphs as ``(tag, text)`` segments.

    Tags are "same", "del" (only in ``old``) and "ins" (only in ``new``); in a changed
    stretch "del" comes before "ins". Concatenating the "same" and "del" texts gives
    ``old`` back, "same" and "ins" gives ``new``, so the caller can render either side
    with the changed words highlighted. Tokens are words (with inner apostrophes and
    hyphens), whitespace runs and single punctuation marks.
    """
    old_tokens = _WORD_TOKENS.findall(old)
    new_tokens = _WORD_TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    opcodes = _absorb_whitespace_matches(matcher.get_opcodes(), old_tokens)

    segments: list[tuple[WordTag, str]] = []

    def emit(tag: WordTag, text: str) -> None:
        if not text:
            return
        if segments and segments[-1][0] == tag:
            segments[-1] = (tag, segments[-1][1] + text)
        else:
            segments.append((tag, text))

    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            emit("same", "".join(old_tokens[i1:i2]))
        else:
            emit("del", "".join(old_tokens[i1:i2]))
            emit("ins", "".join(new_tokens[j1:j2]))
    return segments
