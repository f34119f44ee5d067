"""Signatory lists in each language's order: English (root), Russian and Belarusian (CLDR).

The expected orders were also checked against ICU 77's own collators (CLDR 47; PyICU from
a throwaway environment, not a project dependency): on ~3,500 random names made of Latin,
accented Latin, Russian, Belarusian and Ukrainian letters, digits, spaces and inner
punctuation, ``collation`` and ICU gave the same order for en, ru and be, at primary and at
tertiary strength.
"""

from __future__ import annotations

import itertools
import random
import unicodedata

import pytest

from bot.services import collation
from bot.services.collation import sort_key, sorted_names
from bot.services.export import signatory_sort_key

# A Belarusian coalition's list: Belarusian names (Ё, Ў, І), a Russian one (И), international
# NGOs in Latin script with accents and quotes.
MIXED = [
    "Ясная Паляна",
    "Human Rights Watch",
    "«Вясна»",
    "Ўсход-Захад",
    "Ёлка, дзіцячы фонд",
    "Amnesty International",
    "Утулак",
    "Іскра",
    "Ügyész Társaság",
    "Еўрапейскі дом",
    "Zubr",
    "Игла",
    "“Free Belarus” Centre",
    "Йота",
    "Жаночы цэнтр",
    "ILGA-Europe",
    "Фонд салідарнасці",
    "Égalité",
]
LATIN_IN_ORDER = [
    "Amnesty International",
    "Égalité",  # with E: accents only break ties
    "“Free Belarus” Centre",  # under F: leading quotes are ignored
    "Human Rights Watch",
    "ILGA-Europe",
    "Ügyész Társaság",  # with U
    "Zubr",
]


def test_english_is_the_root_order_latin_first() -> None:
    assert sorted_names(MIXED, "en") == [
        *LATIN_IN_ORDER,
        "«Вясна»",
        "Ёлка, дзіцячы фонд",  # Ё is Е at the first level: е-л before е-ў
        "Еўрапейскі дом",
        "Жаночы цэнтр",
        "Игла",
        "Іскра",
        "Йота",
        "Ўсход-Захад",  # Ў is У at the first level: у-с before у-т
        "Утулак",
        "Фонд салідарнасці",
        "Ясная Паляна",
    ]


def test_russian_puts_cyrillic_first_and_files_yo_under_ye() -> None:
    assert sorted_names(MIXED, "ru") == [
        "«Вясна»",
        "Ёлка, дзіцячы фонд",
        "Еўрапейскі дом",
        "Жаночы цэнтр",
        "Игла",
        "Іскра",
        "Йота",
        "Ўсход-Захад",
        "Утулак",
        "Фонд салідарнасці",
        "Ясная Паляна",
        *LATIN_IN_ORDER,
    ]


def test_belarusian_has_yo_and_short_u_as_letters_of_their_own() -> None:
    assert sorted_names(MIXED, "be") == [
        "«Вясна»",
        "Еўрапейскі дом",
        "Ёлка, дзіцячы фонд",  # Ё after every Е, before Ж
        "Жаночы цэнтр",
        "Игла",
        "Іскра",  # І after З (and the Russian И), before Й
        "Йота",
        "Утулак",
        "Ўсход-Захад",  # Ў after every У, before Ф
        "Фонд салідарнасці",
        "Ясная Паляна",
        *LATIN_IN_ORDER,
    ]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # е and ё differ at the second level only (е first), case at the third (lower first).
        ("en", ["Ёж", "Ежи", "Елка", "ёлка", "Ёлка", "Ель"]),
        ("ru", ["Ёж", "Ежи", "Елка", "ёлка", "Ёлка", "Ель"]),
        # ё is a letter after е; ё and Ё still differ only in case.
        ("be", ["Ежи", "Елка", "Ель", "Ёж", "ёлка", "Ёлка"]),
    ],
)
def test_yo(language: str, expected: list[str]) -> None:
    assert sorted_names(reversed(expected), language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["ўсход", "Ўсход", "Утулак", "Уфа", "Фонд"]),
        ("ru", ["ўсход", "Ўсход", "Утулак", "Уфа", "Фонд"]),
        ("be", ["Утулак", "Уфа", "ўсход", "Ўсход", "Фонд"]),
    ],
)
def test_short_u(language: str, expected: list[str]) -> None:
    assert sorted_names(reversed(expected), language) == expected


@pytest.mark.parametrize("language", collation.LANGUAGES)
def test_belarusian_i_comes_after_z_and_before_short_i(language: str) -> None:
    names = ["Кола", "Йота", "Іскра", "Звязда", "Игла", "Ігнат"]
    assert sorted_names(names, language) == ["Звязда", "Игла", "Ігнат", "Іскра", "Йота", "Кола"]


def test_composed_and_decomposed_letters_sort_alike() -> None:
    composed = "Ёлка"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    for language in collation.LANGUAGES:
        assert sort_key(composed, language)[:3] == sort_key(decomposed, language)[:3]
    # A stress mark on top of ё keeps it a letter of its own in Belarusian.
    stressed = "Ё\u0301лка"
    assert sorted_names([stressed, "Ель", "Жук"], "be") == ["Ель", stressed, "Жук"]


def test_every_cyrillic_letter_sorts_before_every_latin_one_in_ru_and_be() -> None:
    # Latin-1 and Extended-A, basic Greek, Cyrillic and its supplement: letters that are
    # letters (not clicks or numeral signs, which DUCET files with punctuation).
    def letters(start: int, end: int, script: str) -> list[str]:
        return [
            chr(code)
            for code in range(start, end)
            if unicodedata.category(chr(code)).startswith("L")
            and unicodedata.name(chr(code), "").startswith(script)
        ]

    cyrillic = letters(0x0400, 0x0530, "CYRILLIC")
    latin = letters(0x0041, 0x0180, "LATIN")
    greek = letters(0x0391, 0x03CA, "GREEK")
    for language, order in (
        ("en", [latin, greek, cyrillic]),
        ("ru", [cyrillic, latin, greek]),
        ("be", [cyrillic, latin, greek]),
    ):
        result = sorted_names(latin + greek + cyrillic, language)
        blocks = [result[: len(order[0])], result[len(order[0]) : -len(order[2])]]
        assert set(blocks[0]) == set(order[0]), language
        assert set(blocks[1]) == set(order[1]), language


# --------------------------------------------------------------------------- niceties


@pytest.mark.parametrize("language", collation.LANGUAGES)
def test_case_and_accents_only_break_ties(language: str) -> None:
    names = ["Ezra Watch", "Écoute Libre", "eagle Rights", "Dignité", "Uganda Forum", "Ügyész"]
    assert sorted_names(names, language) == [
        "Dignité",
        "eagle Rights",
        "Écoute Libre",
        "Ezra Watch",
        "Uganda Forum",
        "Ügyész",
    ]
    assert sorted_names(["Ecole", "école", "École", "ecole"], language) == [
        "ecole",
        "Ecole",
        "école",
        "École",
    ]


@pytest.mark.parametrize("language", collation.LANGUAGES)
def test_leading_quotes_guillemets_and_brackets_are_ignored(language: str) -> None:
    names = ["(Dignity)", "«Вясна»", '"Bridge"', "„Абвестка“", "[Cedar]", "'Alpha'", " Echo"]
    latin = ["'Alpha'", '"Bridge"', "[Cedar]", "(Dignity)", " Echo"]
    cyrillic = ["„Абвестка“", "«Вясна»"]
    expected = latin + cyrillic if language == "en" else cyrillic + latin
    assert sorted_names(names, language) == expected


@pytest.mark.parametrize("language", collation.LANGUAGES)
def test_spaces_and_inner_punctuation_count(language: str) -> None:
    names = ["Humanitarian Aid", "Human Rights Watch", "Human-Rights Centre", "Humans First"]
    assert sorted_names(names, language) == [
        "Human Rights Watch",
        "Human-Rights Centre",
        "Humanitarian Aid",
        "Humans First",
    ]


def test_explicit_sort_key_wins() -> None:
    viasna = "Human Rights Centre “Viasna”"
    names = ["Amnesty International", viasna, "Zubr", "Index on Censorship"]
    assert sorted_names(names, "en") == [
        "Amnesty International",
        viasna,
        "Index on Censorship",
        "Zubr",
    ]
    assert sorted_names(names, "en", keys={viasna: "Viasna"}) == [
        "Amnesty International",
        "Index on Censorship",
        viasna,
        "Zubr",
    ]
    # The Belarusian name of the same organisation, filed under В by its key.
    be_name = "Праваабарончы цэнтр «Вясна»"
    be_names = ["Беларуская асацыяцыя журналістаў", be_name, "Гаага", "Amnesty International"]
    assert sorted_names(be_names, "be", keys={be_name: "Вясна"}) == [
        "Беларуская асацыяцыя журналістаў",
        be_name,
        "Гаага",
        "Amnesty International",
    ]
    assert sort_key(be_name, "be", key="Вясна") < sort_key("Гаага", "be")


def test_a_blank_sort_key_is_no_key() -> None:
    for key in (None, "", "   "):
        assert sort_key("Zubr", "en", key=key) == sort_key("Zubr", "en")


def test_names_sharing_a_key_are_ordered_by_name() -> None:
    keys = {"Zeta Group": "Alpha", "Beta Group": "Alpha"}
    assert sorted_names(["Zeta Group", "Aardvark", "Beta Group"], "en", keys=keys) == [
        "Aardvark",
        "Beta Group",
        "Zeta Group",
    ]


@pytest.mark.parametrize("language", collation.LANGUAGES)
def test_order_is_total_and_does_not_depend_on_input_order(language: str) -> None:
    names = ['"Zubr"', "Zubr", "«Zubr»", "zubr", "Zubr ", "Вясна", "вясна", "«»", "-", "…"]
    assert len({sort_key(name, language) for name in names}) == len(names)
    expected = sorted_names(names, language)
    shuffled = names[:]
    for seed in range(20):
        random.Random(seed).shuffle(shuffled)
        assert sorted_names(shuffled, language) == expected
    for permutation in itertools.islice(itertools.permutations(names[:6]), 200):
        assert sorted_names(permutation, language) == sorted_names(names[:6], language)


def test_english_order_is_the_exports_order() -> None:
    # export.signatory_sort_key is the DUCET order this module's "en" reproduces; the
    # integration can switch the export over without changing any English list.
    names = [*MIXED, "'Alpha'", "«»", "Zubr ", "zubr", "Ecole", "école", "Ё", "Е", "Ў", "У"]
    assert sorted_names(names, "en") == sorted(names, key=signatory_sort_key)


def test_each_collator_is_built_once() -> None:
    for language in collation.LANGUAGES:
        assert collation._collator(language) is collation._collator(language)


def test_building_a_tailoring_leaves_the_other_languages_alone() -> None:
    sorted_names(["Ёж"], "be")
    assert sorted_names(["Ежи", "Ёж", "Ель"], "en") == ["Ёж", "Ежи", "Ель"]
    assert sorted_names(["Ежи", "Ёж", "Ель"], "ru") == ["Ёж", "Ежи", "Ель"]
    assert sorted_names(["Ежи", "Ёж", "Ель"], "be") == ["Ежи", "Ель", "Ёж"]


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="uk"):
        sort_key("Zubr", "uk")
