"""Tests for bot.services.letter_text: canonical form, fingerprints, message pieces, diffs."""

from __future__ import annotations

import hashlib
import html
import itertools
import random
import re

import pytest

from bot.services.documents import extract_text
from bot.services.letter_text import (
    ParagraphChange,
    diff_paragraphs,
    fingerprint,
    normalise,
    paragraphs,
    preview_lines,
    split_for_messages,
    telegram_length,
    version_label,
    word_diff,
)
from tests import letter_samples

# --------------------------------------------------------------------------- normalise


def test_normalise_line_endings_trailing_space_and_blank_runs() -> None:
    raw = "\n\n  Title  \r\nline one\t \r\rline two\n\n\n\n\nnext paragraph \n \n\n"
    assert normalise(raw) == "  Title\nline one\n\nline two\n\nnext paragraph"


def test_normalise_unicode_line_separators() -> None:
    assert normalise("a\u2028b\u2029c\u0085d") == "a\nb\nc\nd"


def test_normalise_nfc() -> None:
    decomposed = "Беларусь e\u0301 й"  # й as и + combining breve
    composed = "Беларусь é й"
    assert normalise(decomposed) == normalise(composed) == composed


def test_normalise_keeps_inner_nbsp_and_zero_width_but_strips_trailing_nbsp() -> None:
    text = "23\u00a0February\u200b word\u200d\u00a0\u00a0\nnext"
    assert normalise(text) == "23\u00a0February\u200b word\u200d\nnext"


def test_normalise_is_idempotent() -> None:
    raw = "A  \r\n\r\n\r\nB\u00a0C\n\n"
    once = normalise(raw)
    assert normalise(once) == once


def test_normalise_empty() -> None:
    assert normalise("") == ""
    assert normalise(" \n\t\n \r\n") == ""


# --------------------------------------------------------------------------- fingerprint


def test_fingerprint_is_sha256_prefix_of_normalised_utf8() -> None:
    text = "Мы, нижеподписавшиеся организации,\n\nпризываем."
    expected = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    assert fingerprint(text) == expected
    assert fingerprint("abc") == "ba7816bf"


def test_fingerprint_ignores_invisible_differences() -> None:
    base = "First paragraph.\n\nSecond paragraph."
    variant = "\r\nFirst paragraph.   \r\n\r\n\r\n\r\nSecond paragraph.\r\n"
    assert fingerprint(base) == fingerprint(variant)


def test_fingerprint_sees_visible_differences() -> None:
    assert fingerprint("urge you to act") != fingerprint("urge you to  act")
    assert fingerprint("23 February") != fingerprint("23\u00a0February")
    assert re.fullmatch(r"[0-9a-f]{8}", fingerprint("x"))


def test_version_label() -> None:
    assert version_label(3, "7f3a9c21") == "v3 · 7f3a9c21"


@pytest.mark.parametrize(("number", "value"), [(0, "7f3a9c21"), (1, "7F3A9C21"), (1, "abc")])
def test_version_label_rejects_bad_input(number: int, value: str) -> None:
    with pytest.raises(ValueError):
        version_label(number, value)


# --------------------------------------------------------------------------- paragraphs


def test_paragraphs_blank_line_convention_keeps_line_breaks_inside() -> None:
    text = "To the Council\nGeneva\n\nExcellencies,\n\nWe write."
    assert paragraphs(text) == ["To the Council\nGeneva", "Excellencies,", "We write."]


def test_paragraphs_one_per_line_when_no_blank_line() -> None:
    text = "To the Council\nExcellencies,\nWe write.\n"
    assert paragraphs(text) == ["To the Council", "Excellencies,", "We write."]


def test_paragraphs_empty() -> None:
    assert paragraphs(" \n ") == []


def test_a_line_break_after_a_list_item_or_a_sentence_starts_a_paragraph() -> None:
    text = (
        "To the Council\nGeneva\n\nExcellencies,\nWe write to you.\nCSOs report that:\n"
        "- detentions continue;\n- trials are closed\n• lawyers are disbarred\n"
        "1. Release them\n2) Repeal the law on\nextremist formations\n(a) Allow visits\n\n"
        "Yours sincerely,"
    )
    assert paragraphs(text) == [
        "To the Council\nGeneva",  # an address block: no sentence ends there
        "Excellencies,",
        "We write to you.",
        "CSOs report that:",
        "- detentions continue;",
        "- trials are closed",
        "• lawyers are disbarred",
        "1. Release them",
        "2) Repeal the law on\nextremist formations",  # the item goes on in lower case
        "(a) Allow visits",
        "Yours sincerely,",
    ]


def test_a_word_paste_has_the_paragraphs_of_its_docx() -> None:
    docx_text = extract_text("letter.docx", letter_samples.as_docx()).text
    assert paragraphs(letter_samples.word_paste()) == paragraphs(docx_text)
    assert paragraphs(docx_text) == letter_samples.paragraphs()
    assert len(letter_samples.paragraphs()) == len(letter_samples.INTRO) + 18 + 5


def test_one_figure_changed_in_a_word_paste_against_the_docx_is_one_change() -> None:
    docx_text = extract_text("letter.docx", letter_samples.as_docx()).text
    revised = letter_samples.word_paste().replace("1,150", "1,163")
    [change] = diff_paragraphs(docx_text, revised)
    assert change.kind == "changed" and change.position == 5
    assert "1,150" in (change.old or "") and "1,163" in (change.new or "")


def test_the_stored_form_and_its_fingerprint_do_not_depend_on_the_paragraph_model() -> None:
    # Fingerprints of texts stored before the paragraph model learnt list items (shown to
    # members and in receipts): the same as they were.
    assert fingerprint("Excellencies,\n\nWe write.\n- one\n- two") == "302096a8"
    text = "To the Council\nGeneva\n\nWe urge you.\r\n1. First;\n2. Second.\n\n\n\nSincerely,"
    assert fingerprint(text) == "8d4fc9f6"
    assert fingerprint("Права чалавека\u00a0— універсальныя.  \nДругі радок") == "f0a90b2e"
    assert normalise(letter_samples.word_paste()) == letter_samples.word_paste()


def test_the_preview_reads_the_same_whatever_form_the_text_came_in() -> None:
    word = "Excellencies,\n\nWe urge you to:\n1. Renew the mandate.\n2. Release them."
    plain = "Excellencies,\n\nWe urge you to:\n\n1. Renew the mandate.\n\n2. Release them."
    assert preview_lines(word) == preview_lines(plain) == plain


# --------------------------------------------------------------------------- lengths


@pytest.mark.parametrize(
    ("text", "expected"),
    [("abc", 3), ("Прывітанне", 10), ("😀", 2), ("👍🏽", 4), ("a\nb", 3), ("", 0)],
)
def test_telegram_length_counts_utf16_code_units(text: str, expected: int) -> None:
    assert telegram_length(text) == expected


# --------------------------------------------------------------------------- splitting

_CYRILLIC = ["права", "чалавека", "Беларусь", "организации", "палітвязні", "свабода", "суд"]
_LATIN = ["human", "rights", "Council", "mandate", "Special", "Rapporteur", "renewal"]
_EMOJI = ["😀", "🇧🇾", "👨‍👩‍👧", "👍🏽", "✊"]
_SYMBOLS = ["&", "<b>", "a&b", "x<y>z", "R&D"]


def _mixed_text(seed: int, target: int = 30_000) -> tuple[str, str]:
    """A letter-like text of mixed scripts, with awkward paragraphs; also its giant word."""
    rng = random.Random(seed)
    vocabulary = _CYRILLIC + _LATIN + _EMOJI + _SYMBOLS

    def sentence() -> str:
        words = [rng.choice(vocabulary) for _ in range(rng.randint(3, 25))]
        return " ".join(words) + rng.choice([".", "!", "?", "…", ".»"])

    giant_word = "Х" * 2000 + "😀" * 1500 + "&" * 900  # > 4096 units even before escaping
    paragraphs_: list[str] = []
    index = 0
    while len("\n\n".join(paragraphs_)) < target:
        kind = index % 7
        if kind == 3:  # a paragraph far longer than a message, sentences only
            body = " ".join(sentence() for _ in range(70))
        elif kind == 5:  # a long paragraph made of lines
            body = "\n".join(sentence() for _ in range(60))
        elif index == 8:
            body = f"Before {giant_word} after."
        else:
            body = " ".join(sentence() for _ in range(rng.randint(1, 6)))
        paragraphs_.append(body)
        index += 1
    return "\n\n".join(paragraphs_), giant_word


def _locate(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Spans of the (unescaped) pieces in text; each must follow the previous one."""
    spans: list[tuple[int, int]] = []
    position = 0
    for piece in pieces:
        start = text.index(piece, position)
        assert text[position:start].strip() == "", "only whitespace may be dropped"
        spans.append((start, start + len(piece)))
        position = start + len(piece)
    assert text[position:].strip() == ""
    return spans


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_split_30k_mixed_text(seed: int) -> None:
    text, giant_word = _mixed_text(seed)
    assert len(text) >= 30_000
    pieces = split_for_messages(text)
    plain = [html.unescape(piece) for piece in pieces]

    for piece, unescaped in zip(pieces, plain, strict=True):
        assert telegram_length(piece) <= 4096  # raw HTML
        assert telegram_length(unescaped) <= 4096  # what Telegram counts after parsing
        assert html.escape(unescaped, quote=False) == piece  # escaped, entities intact
        assert "<" not in piece and ">" not in piece
        assert unescaped.strip() == unescaped

    spans = _locate(text, plain)
    giant_start = text.index(giant_word)
    giant_end = giant_start + len(giant_word)
    for (_, end), (next_start, _) in itertools.pairwise(spans):
        if next_start == end:  # a cut without whitespace: only inside the giant word
            assert giant_start < end < giant_end
        else:
            assert text[end].isspace() and text[next_start - 1].isspace()

    # Packing: messages are well filled, not one per paragraph or per sentence.
    total = sum(telegram_length(piece) for piece in pieces)
    assert len(pieces) <= 2 * (total // 4096 + 1)
    assert sum(piece.count("\n\n") for piece in pieces) > 0


def test_split_packs_paragraphs_and_breaks_between_them() -> None:
    first, second, third = ("а" * 1500, "b" * 1500, "в" * 1500)
    text = "\n\n".join([first, second, third])
    assert split_for_messages(text) == [f"{first}\n\n{second}", third]


def test_split_breaks_a_word_paste_between_list_items_first() -> None:
    pieces = split_for_messages(letter_samples.word_paste(), 1200, escape=False)
    starts = [paragraph[:30] for paragraph in letter_samples.paragraphs()]
    assert all(piece[:30] in starts for piece in pieces)  # every piece starts a paragraph
    assert "\n".join(pieces).replace("\n\n", "\n") == letter_samples.word_paste().replace(
        "\n\n", "\n"
    )


def test_split_short_text_is_one_escaped_piece() -> None:
    assert split_for_messages("Tom & Jerry <script>") == ["Tom &amp; Jerry &lt;script&gt;"]


def test_split_without_escape_returns_plain_text() -> None:
    assert split_for_messages("Tom & Jerry", escape=False) == ["Tom & Jerry"]


def test_split_empty_text() -> None:
    assert split_for_messages("  \n\n ") == []


def test_split_long_paragraph_at_sentence_ends() -> None:
    sentence = "Мы призываем государства поддержать продление мандата."
    text = " ".join([sentence] * 20)
    pieces = split_for_messages(text, 200)
    assert all(telegram_length(piece) <= 200 for piece in pieces)
    assert all(piece.endswith("мандата.") for piece in pieces)
    assert " ".join(pieces) == text


def test_split_prefers_line_breaks_inside_a_paragraph() -> None:
    lines = [f"Organisation number {n}" for n in range(40)]
    pieces = split_for_messages("\n".join(lines), 100)
    assert all(telegram_length(piece) <= 100 for piece in pieces)
    assert [line for piece in pieces for line in piece.split("\n")] == lines


def test_split_measures_escaped_length_and_never_cuts_an_entity() -> None:
    pieces = split_for_messages("&" * 100, 16)
    assert all(re.fullmatch(r"(&amp;)+", piece) for piece in pieces)
    assert all(len(piece) <= 16 for piece in pieces)
    assert "".join(html.unescape(piece) for piece in pieces) == "&" * 100


def test_split_words_with_ampersands_are_not_cut() -> None:
    text = " ".join(["R&D", "A&B&C", "x<y"] * 50)
    pieces = split_for_messages(text, 30)
    assert all(telegram_length(piece) <= 30 for piece in pieces)
    words = [word for piece in pieces for word in html.unescape(piece).split(" ")]
    assert words == text.split(" ")


def test_split_hard_cut_keeps_surrogate_pairs_and_emoji_sequences() -> None:
    family = "👨‍👩‍👧"  # man ZWJ woman ZWJ girl: 8 UTF-16 units
    flag = "🇧🇾"
    word = (family + flag + "👍🏽") * 40
    pieces = split_for_messages(word, 20, escape=False)
    assert "".join(pieces) == word
    for piece in pieces:
        assert telegram_length(piece) <= 20
        assert piece.encode("utf-16-le").decode("utf-16-le") == piece
        assert not piece.startswith(("\u200d", "\U0001f3fd"))
        assert not piece.endswith("\u200d")
    # every piece starts at a whole emoji
    assert all(piece.startswith(("👨", "🇧🇾", "👍")) for piece in pieces)


def test_split_never_breaks_at_non_breaking_space() -> None:
    token = "23\u00a0February\u00a02026"
    text = " ".join([token] * 30)
    pieces = split_for_messages(text, 60, escape=False)
    assert all(set(piece.split(" ")) == {token} for piece in pieces)
    assert " ".join(pieces) == text


def test_split_rejects_tiny_limit() -> None:
    with pytest.raises(ValueError):
        split_for_messages("text", 4)


# --------------------------------------------------------------------------- preview


def test_preview_returns_short_text_whole() -> None:
    assert preview_lines("Excellencies,\n\nWe write.") == "Excellencies,\n\nWe write."


def test_preview_cuts_at_word_boundary_with_ellipsis() -> None:
    text = "Ваша превасходнасць, " + "мы просім падтрымаць мандат " * 50
    preview = preview_lines(text, 100)
    assert len(preview) <= 100
    assert preview.endswith("…")
    head = preview[:-1]
    assert text.startswith(head)
    assert text[len(head)] == " "  # the next character was a space: no word cut
    assert not head.endswith((" ", ","))


def test_preview_of_one_giant_word() -> None:
    preview = preview_lines("ж" * 1000, 50)
    assert preview == "ж" * 49 + "…"


# --------------------------------------------------------------------------- paragraph diff

_SIX = [
    "To the Permanent Representatives of the member States.",
    "Excellencies,",
    "We, the undersigned organisations, urge your delegation to support the resolution.",
    "Repression continues: thousands remain imprisoned for political reasons.",
    "The mandates are complementary and both must be renewed.",
    "Sincerely, the undersigned.",
]


def _letter(parts: list[str]) -> str:
    return "\n\n".join(parts)


def test_diff_changed_word_in_paragraph_three_of_six() -> None:
    new = list(_SIX)
    new[2] = new[2].replace("urge", "call on")
    assert diff_paragraphs(_letter(_SIX), _letter(new)) == [
        ParagraphChange("changed", _SIX[2], new[2], 3)
    ]


def test_diff_added_paragraph() -> None:
    added = "We also call for the release of all political prisoners."
    new = [*_SIX[:4], added, *_SIX[4:]]
    assert diff_paragraphs(_letter(_SIX), _letter(new)) == [
        ParagraphChange("added", None, added, 5)
    ]


def test_diff_removed_paragraph_reports_old_position() -> None:
    new = [*_SIX[:1], *_SIX[2:]]
    assert diff_paragraphs(_letter(_SIX), _letter(new)) == [
        ParagraphChange("removed", _SIX[1], None, 2)
    ]


def test_diff_reordering_is_removed_plus_added() -> None:
    new = [_SIX[0], _SIX[2], _SIX[3], _SIX[4], _SIX[1], _SIX[5]]
    changes = diff_paragraphs(_letter(_SIX), _letter(new))
    assert sorted(changes, key=lambda change: change.kind) == [
        ParagraphChange("added", None, _SIX[1], 5),
        ParagraphChange("removed", _SIX[1], None, 2),
    ]


def test_diff_unequal_replace_block_pairs_the_similar_paragraph() -> None:
    old = [_SIX[0], _SIX[2], _SIX[5]]
    edited = _SIX[2].replace("support", "vote for")
    inserted = "An entirely new paragraph about accountability mechanisms."
    new = [_SIX[0], edited, inserted, _SIX[5]]
    assert diff_paragraphs(_letter(old), _letter(new)) == [
        ParagraphChange("changed", _SIX[2], edited, 2),
        ParagraphChange("added", None, inserted, 3),
    ]


def test_diff_identical_or_whitespace_only_is_empty() -> None:
    assert diff_paragraphs(_letter(_SIX), _letter(_SIX)) == []
    assert diff_paragraphs(_letter(_SIX), "\r\n".join(_letter(_SIX).split("\n")) + "  \n") == []


def test_diff_line_per_paragraph_texts() -> None:
    old = "\n".join(_SIX)
    new = "\n".join([*_SIX[:5], "Sincerely, the organisations listed below."])
    assert diff_paragraphs(old, new) == [
        ParagraphChange("changed", _SIX[5], "Sincerely, the organisations listed below.", 6)
    ]


def test_paragraph_change_is_frozen() -> None:
    change = ParagraphChange("added", None, "x", 1)
    with pytest.raises(AttributeError):
        change.kind = "removed"  # type: ignore[misc]


# --------------------------------------------------------------------------- word diff


def test_word_diff_marks_the_changed_word() -> None:
    assert word_diff("We urge your delegation.", "We call on your delegation.") == [
        ("same", "We "),
        ("del", "urge"),
        ("ins", "call on"),
        ("same", " your delegation."),
    ]


def test_word_diff_merges_a_phrase_instead_of_fragments_around_spaces() -> None:
    assert word_diff("the quick brown fox", "the slow red fox") == [
        ("same", "the "),
        ("del", "quick brown"),
        ("ins", "slow red"),
        ("same", " fox"),
    ]


def test_word_diff_identical() -> None:
    assert word_diff("Без змен.", "Без змен.") == [("same", "Без змен.")]


def test_word_diff_keeps_hyphenated_words_whole() -> None:
    assert word_diff("a well-known fact", "a little-known fact") == [
        ("same", "a "),
        ("del", "well-known"),
        ("ins", "little-known"),
        ("same", " fact"),
    ]


@pytest.mark.parametrize("seed", range(20))
def test_word_diff_reconstructs_both_sides(seed: int) -> None:
    rng = random.Random(seed)
    words = [*_CYRILLIC, *_LATIN, "—", ",", ".", "R&D", "don't", "  ", "\n"]
    old = " ".join(rng.choice(words) for _ in range(rng.randint(0, 40)))
    new_words = old.split(" ")
    for _ in range(rng.randint(0, 6)):
        position = rng.randint(0, len(new_words))
        new_words.insert(position, rng.choice(words))
        if new_words and rng.random() < 0.5:
            del new_words[rng.randrange(len(new_words))]
    new = " ".join(new_words)
    segments = word_diff(old, new)
    assert "".join(text for tag, text in segments if tag != "ins") == old
    assert "".join(text for tag, text in segments if tag != "del") == new
    assert all(text for _, text in segments)
    assert all(a[0] != b[0] for a, b in itertools.pairwise(segments))
