"""Tests for bot.services.pasting: a paste put back together from the parts an app sent."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.services.pasting import PASTE_GAP, Part, assemble
from tests import letter_samples as sample

NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


def parts_of(texts: list[str], gap: timedelta = timedelta(0)) -> list[Part]:
    return [Part(text, NOW + index * gap) for index, text in enumerate(texts)]


@pytest.mark.parametrize("form", [sample.with_blank_lines, sample.word_paste])
def test_a_letter_split_by_telegram_desktop_is_put_back_exactly(form) -> None:  # type: ignore[no-untyped-def]
    text = form()
    pasted = assemble(parts_of(sample.split_like_telegram(text)))
    assert pasted.text == text
    assert [join.kind for join in pasted.joins] == ["seamless"]


def test_a_cut_inside_a_sentence_is_joined_with_a_space() -> None:
    text = "Geneva, 2 February 2026\n\n" + sample.with_blank_lines()
    parts = sample.split_near_limit(text, window=100)
    assert parts[1][0].islower()  # the phone cut between two words of one sentence
    pasted = assemble(parts_of(parts, timedelta(seconds=1)))
    assert pasted.text == text
    [join] = pasted.joins
    assert join.separator == " " and join.kind == "seamless"
    assert join.before.endswith("competent courts and") and join.after.startswith("prosecutors")


def test_a_cut_at_a_line_break_in_a_text_without_blank_lines_keeps_one_line_break() -> None:
    text = "\n".join(sample.paragraphs())  # one paragraph per line, like the HRC61 sample
    pasted = assemble(parts_of(sample.split_like_telegram(text)))
    assert pasted.text == text


def test_separate_messages_stay_separate_paragraphs() -> None:
    text = sample.with_blank_lines()
    first, second = sample.split_like_telegram(text)
    late = assemble(parts_of([first, second], PASTE_GAP + timedelta(seconds=1)))
    assert late.joins[0].kind == "separate" and late.text == f"{first}\n\n{second}"
    # Short messages (a paste paragraph by paragraph) are never parts of one split paste.
    paragraphs = sample.paragraphs()[:6]
    by_hand = assemble(parts_of(paragraphs, timedelta(seconds=1)))
    assert by_hand.text == "\n\n".join(paragraphs)
    assert not any(join.shown for join in by_hand.joins)
    # Nor is a long message followed by one that makes less than the limit together.
    assert assemble(parts_of([first[:3000], "Yours sincerely,"])).joins[0].kind == "separate"


def test_parts_kept_before_dates_were_kept_are_joined_as_before() -> None:
    first, second = sample.split_like_telegram(sample.with_blank_lines())
    pasted = assemble([Part(first, None), Part(second, None)])
    assert pasted.text == f"{first}\n\n{second}"


def test_a_command_before_the_first_part_counts_towards_the_cut() -> None:
    command = f"/newletter Joint letter\n{'2026-02-20 18:00'}\n"
    text = "Geneva, 2 February 2026\n\n" + sample.with_blank_lines()
    first, *rest = sample.split_near_limit(command + text, window=100)
    body = first[len(command) :]
    pasted = assemble([Part(body, NOW, offset=len(command)), *parts_of(rest)])
    assert pasted.text == text


def test_an_ambiguous_cut_keeps_the_paragraph_break_and_says_so() -> None:
    # One paragraph longer than half the limit, cut between two of its sentences: was it a
    # sentence end or a paragraph end? Nothing in the parts tells.
    sentence = "The mandate holders documented the pattern again in their latest report. "
    long_paragraph = (sentence * 60).strip()
    text = f"{long_paragraph}\n\nWe thank you for your attention."
    parts = sample.split_like_telegram(text)
    assert parts[0].endswith("report.") and parts[1].startswith("The mandate")
    pasted = assemble(parts_of(parts))
    [join] = pasted.joins
    assert join.kind == "unsure" and join.separator == "\n\n" and pasted.unsure == 1
    assert pasted.text == "\n\n".join(parts)  # as the app sent it


def _letter(rng: random.Random, style: str) -> str:
    words = [
        "the",
        "council",
        "mandate",
        "of",
        "rights",
        "defenders",
        "prison",
        "release",
        "trial",
        "lawyers",
        "evidence",
    ]

    def sentence() -> str:
        said = " ".join(rng.choice(words) for _ in range(rng.randint(6, 30)))
        return said.capitalize() + rng.choice([".", ".", "?", ";"])

    paragraphs = [
        " ".join(sentence() for _ in range(rng.randint(1, 8))) for _ in range(rng.randint(8, 30))
    ]
    if style == "blank":
        return "\n\n".join(paragraphs)
    if style == "single":
        return "\n".join(paragraphs)
    items = "\n".join(f"{n}. {sentence()}" for n in range(1, rng.randint(5, 25)))
    cut = rng.randint(1, len(paragraphs) - 1)
    return "\n\n".join([*paragraphs[:cut], items, *paragraphs[cut:]])


@pytest.mark.parametrize("client", ["desktop", "phone"])
def test_many_letters_are_put_back_exactly_or_the_doubt_is_shown(client: str) -> None:
    """Never silently wrong: every join is either the original whitespace or flagged."""
    rng = random.Random(14)
    exact = unsure = 0
    for _ in range(150):
        text = _letter(rng, rng.choice(["blank", "single", "word"]))
        if len(text) <= sample.LIMIT:
            continue
        if client == "desktop":
            parts = sample.split_like_telegram(text)
        else:
            parts = sample.split_near_limit(text, window=rng.choice([300, 1000, 2048]))
        pasted = assemble(parts_of(parts))
        if pasted.text == text:
            exact += 1
        else:
            assert pasted.unsure, [(j.before, j.separator, j.after) for j in pasted.joins]
            unsure += 1
    assert exact > 0.85 * (exact + unsure)


def test_whitespace_left_at_a_cut_by_an_app_that_does_not_trim() -> None:
    text = "Geneva, 2 February 2026\n\n" + sample.with_blank_lines()
    cut = len(sample.split_near_limit(text, window=100)[0])
    assert assemble([Part(text[:cut] + " ", NOW), Part(text[cut + 1 :], NOW)]).text == text
    assert assemble([Part(text[:cut], NOW), Part(text[cut:], NOW)]).text == text
    first, second = sample.split_like_telegram(sample.word_paste())
    assert assemble(parts_of([first + "\n", second])).text == sample.word_paste()
    # A space that ended a paragraph is not what was cut at: the paragraph break was.
    text = sample.with_blank_lines()
    first, second = sample.split_like_telegram(text)
    assert assemble(parts_of([first + " ", second])).text == text
