"""Tests for bot.services.signatories: a signatory list left in a letter's text."""

from __future__ import annotations

from bot.services.signatories import SignatoryList, find_signatory_list
from tests import letter_samples as sample

NAMES = ["Human Rights Center “Viasna”", "Legal Initiative", "Lawtrend", "IFEX"]


def test_a_letter_without_a_list_has_none() -> None:
    assert find_signatory_list(sample.with_blank_lines(), NAMES) is None
    assert find_signatory_list(sample.word_paste(), []) is None


def test_a_bulleted_block_after_a_closing_is_a_list_even_of_unknown_names() -> None:
    for closing in ("Yours sincerely,", "С уважением,", "З павагай,", "Signatories:"):
        text = f"We urge you to act.\n\n{closing}\n- Org One\n- Org Two (OT)\n- Org Three"
        assert find_signatory_list(text, []) == SignatoryList(3, "- Org One"), closing


def test_a_block_after_the_closing_that_is_not_a_list_is_not_one() -> None:
    text = "We urge you to act.\n\nYours sincerely,\nOlena Petrenko\nCoordinator"
    assert find_signatory_list(text, []) is None


def test_a_run_of_the_bots_own_organisations_is_a_list_however_written() -> None:
    text = (
        "We urge you to act.\n\n"
        '1. Human Rights Center "Viasna"\n2. legal  initiative;\n3. LAWTREND.\n\n'
        "Contact: the coordinators."
    )
    assert find_signatory_list(text, NAMES) == SignatoryList(3, '1. Human Rights Center "Viasna"')


def test_one_known_name_after_a_closing_counts_but_one_in_the_text_does_not() -> None:
    assert find_signatory_list("We act.\n\nSincerely,\nIFEX", NAMES) == SignatoryList(1, "IFEX")
    assert find_signatory_list("As IFEX reported:\n\nIFEX\n\nWe act.", NAMES) is None
