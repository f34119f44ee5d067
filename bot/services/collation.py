"""Signatory lists in each language's alphabetical order: CLDR's collation, on pyuca's UCA.

A letter published in English, Russian and Belarusian lists the same organisations under
each language's names, and each list must read as alphabetical to a reader of that
language. "Alphabetical" is the Unicode Collation Algorithm with the language's CLDR
tailoring, which is what ICU, LibreOffice, browsers and phones use for "sort by name".

What each language's order is (CLDR's ``common/collation/ru.xml`` and ``be.xml``, the same
from CLDR 47, as ICU 77 reports them, to CLDR 49, as ICU's ``data/coll/{ru,be}.txt`` hold
them; English has no file of its own and uses the root collation):

* ``en`` — the root order (DUCET). Latin names first, then Greek, then Cyrillic after
  "Z": a Cyrillic name in an English letter is a foreign name. Within Cyrillic "Ё" files
  with "Е" and "Ў" with "У" (the diacritic only breaks ties), "І" right after "И", "Й" a
  letter of its own after "І". This is exactly the order export.py's
  ``signatory_sort_key`` gives today.
* ``ru`` — ``[reorder Cyrl]``: Cyrillic before Latin (then Greek), so «Вясна» comes
  before "Amnesty" in a Russian list. No letter is tailored: "Ё" sorts with "Е" at the
  primary level (Ёлка between Ежи and Ель), as in Russian dictionaries, which the root
  order already does; "Й" is already its own letter there.
* ``be`` — ``[reorder Cyrl] &Е<ё<<<Ё &у<ў<<<Ў``: Cyrillic first, and "Ё" and "Ў" are
  letters of their own, right after "Е" and "У" (before "Ж" and "Ф"), as in the
  Belarusian alphabet (А Б В Г Д Е Ё Ж З І Й К Л М Н О П Р С Т У Ў Ф Х Ц Ч Ш Ы Ь Э Ю Я).
  "І" needs no rule: the root order already puts it after "З" (and after the Russian "И",
  which Belarusian does not have) and before "Й", its Belarusian place.

Common to every language (the niceties of a printed sign-on list):

* case- and accent-insensitive at the first level: "Égalité" files under E between
  "Dignity" and "Freedom"; accents, then case, only break ties (UCA levels 2 and 3);
* spaces and punctuation inside a name count (UCA "non-ignorable", CLDR's default):
  "Human Rights Watch" sorts before "Humanitarian Aid";
* leading quotes, guillemets, brackets, dashes and spaces are ignored, so «Вясна» files
  under В and "\\"Free Belarus\\" Centre" under F; the name is always shown as spelled;
* an organisation's explicit sort key, when it has one, replaces its name for ordering
  (collated the same way): "Viasna" as the key of «Вясна» lists it under V in English;
* total and deterministic: ties left by all of the above are broken on the name's own
  collation key and finally on the exact string, so the order never depends on the order
  rows came in.

How: pyuca gives the root collation elements (DUCET 9.0; the CLDR root differs from it in
some punctuation and symbols, e.g. ' against ’, not in letters). A script reordering is a shift of
primary weights: Cyrillic's block of primaries moves down to where Latin starts, and the
letters from Latin to the end of Cyrillic move up behind it. A "&X<y" rule gives "y" a
new primary weight just above "X" (every primary is doubled, "y" gets the odd weight in
between) via a contraction added to a per-language overlay of pyuca's table, so pyuca's
own matching (NFD, a combining mark after other marks) finds "е + ◌̈" as one letter.

Library choice: PyICU has no wheel on PyPI (it builds against a system ICU);
repackagings that bundle ICU (pyicu-wheels, icu4py) are 16-18 MB native wheels from
single maintainers. For three languages whose tailorings are two rules, pyuca plus this
module is smaller and fully inspectable; the unit tests pin the orders, which were also
checked against ICU 77's own collators (see tests/unit/test_collation.py).
"""

from __future__ import annotations

import copy
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pyuca import Collator
    from pyuca.trie import Trie

__all__ = ["LANGUAGES", "SortKey", "sort_key", "sorted_names"]


@dataclass(frozen=True)
class _Tailoring:
    """A language's CLDR rules, in the two forms the three languages need."""

    cyrillic_first: bool  # [reorder Cyrl]
    # (letter, the letter it follows as a new primary): "&Е<ё<<<Ё" is ("ё", "е"); the
    # capital follows the capital of the base letter (<<< : a case difference only).
    letters_after: tuple[tuple[str, str], ...] = ()


_TAILORINGS: Final = {
    "en": _Tailoring(cyrillic_first=False),
    "ru": _Tailoring(cyrillic_first=True),
    "be": _Tailoring(cyrillic_first=True, letters_after=(("ё", "е"), ("ў", "у"))),
}
LANGUAGES: Final = tuple(_TAILORINGS)

# Anchors of the script blocks in the root order: the first Latin letter (every letter
# script sorts after it, digits and punctuation before it), the first Cyrillic letter and
# the first letter of the script after Cyrillic (Glagolitic).
_FIRST_LATIN: Final = "a"
_FIRST_CYRILLIC: Final = "\u0430"  # а
_AFTER_CYRILLIC: Final = "\u2c30"  # ⰰ GLAGOLITIC SMALL LETTER AZU

# Primary weights pyuca's table never holds (they fit in 16 bits): a tailored letter's
# contraction carries _TAILORED + i, resolved to the weight after its anchor's.
_TAILORED: Final = 0x10000


# --------------------------------------------------------------------------- collators


class _LanguageCollator:
    """The root collation with one language's tailoring, as sort keys."""

    def __init__(self, root: Collator, tailoring: _Tailoring) -> None:
        self._letters_start = self._primary_of(root, _FIRST_LATIN)
        self._cyrillic_start = self._primary_of(root, _FIRST_CYRILLIC)
        self._cyrillic_end = self._primary_of(root, _AFTER_CYRILLIC)
        self._cyrillic_first = tailoring.cyrillic_first
        self._anchors: list[int] = []
        contractions: dict[tuple[int, ...], list[list[int]]] = {}
        for letter, after in tailoring.letters_after:
            self._anchors.append(self._primary_of(root, after))
            weight = _TAILORED + len(self._anchors) - 1
            for variant, base in ((letter, after), (letter.upper(), after.upper())):
                # The new letter keeps the base letter's secondary and tertiary (case) weights.
                [[_, secondary, tertiary]] = root.collation_elements(base)
                sequence = tuple(ord(char) for char in unicodedata.normalize("NFD", variant))
                contractions[sequence] = [[weight, secondary, tertiary]]
        self._collator = copy.copy(root)
        self._collator.table = _overlay(root.table, contractions)

    @staticmethod
    def _primary_of(root: Collator, letter: str) -> int:
        [[primary, _, _]] = root.collation_elements(unicodedata.normalize("NFD", letter))
        return int(primary)

    def _primary(self, weight: int) -> int:
        """The tailored primary weight: scripts reordered, every weight doubled so that a
        tailored letter fits right after its anchor (the odd weight in between)."""
        if weight >= _TAILORED:
            return 2 * self._reordered(self._anchors[weight - _TAILORED]) + 1
        return 2 * self._reordered(weight)

    def _reordered(self, weight: int) -> int:
        if not self._cyrillic_first:
            return weight
        if self._cyrillic_start <= weight < self._cyrillic_end:
            return weight - self._cyrillic_start + self._letters_start
        if self._letters_start <= weight < self._cyrillic_start:
            return weight + (self._cyrillic_end - self._cyrillic_start)
        return weight

    def key(self, text: str) -> tuple[int, ...]:
        """UCA sort key: primaries, 0, secondaries, 0, tertiaries (zero weights skipped)."""
        elements = self._collator.collation_elements(unicodedata.normalize("NFD", text))
        primaries = [self._primary(element[0]) for element in elements if element[0]]
        secondaries = [element[1] for element in elements if element[1]]
        tertiaries = [element[2] for element in elements if element[2]]
        return (*primaries, 0, *secondaries, 0, *tertiaries)


def _overlay(table: Trie, contractions: Mapping[tuple[int, ...], list[list[int]]]) -> Trie:
    """A copy of pyuca's table with ``contractions`` added, sharing every untouched node.

    Only the nodes on each contraction's path are copied, so the root table (shared by
    every language) is never changed and a language costs a few nodes, not a table.
    """
    from pyuca.trie import Node, Trie

    overlay = Trie()
    overlay.root.children = dict(table.root.children or {})
    for sequence, elements in contractions.items():
        node = overlay.root
        for code in sequence:
            if node.children is None:
                node.children = {}
            original = node.children.get(code)
            replacement = Node()
            if original is not None:
                replacement.value = original.value
                replacement.children = dict(original.children) if original.children else None
            node.children[code] = replacement
            node = replacement
        node.value = elements
    return overlay


_root: Collator | None = None
_collators: dict[str, _LanguageCollator] = {}
_collators_lock = threading.Lock()


def _collator(language: str) -> _LanguageCollator:
    """The language's collator, built on first use; one root table serves every language."""
    global _root
    collator = _collators.get(language)
    if collator is not None:
        return collator
    if language not in _TAILORINGS:
        raise ValueError(f"no collation for language {language!r}; known: {LANGUAGES}")
    with _collators_lock:
        if language not in _collators:
            if _root is None:
                from pyuca import Collator

                _root = Collator()
            _collators[language] = _LanguageCollator(_root, _TAILORINGS[language])
        return _collators[language]


# --------------------------------------------------------------------------- keys


def _is_ignorable_lead(char: str) -> bool:
    """Punctuation (quotes, guillemets, brackets, dashes...) and spaces before a name."""
    return unicodedata.category(char)[0] in "PZ" or char.isspace()


def _without_leading_punctuation(text: str) -> str:
    """``«Вясна»`` → ``Вясна»``; a text made only of punctuation is kept whole."""
    index = 0
    while index < len(text) and _is_ignorable_lead(text[index]):
        index += 1
    return text[index:] or text


SortKey = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], str]


def sort_key(name: str, language: str, *, key: str | None = None) -> SortKey:
    """Key that orders organisation names alphabetically in ``language`` (module docstring).

    ``key`` is the organisation's explicit sort key: when given (and not blank) it decides
    the place instead of the name. Then the name without its leading punctuation, the
    whole name, and the exact string break ties, so sorting is total and deterministic.
    Raises ValueError for a language other than en, ru, be.
    """
    collator = _collator(language)
    bare_name = collator.key(_without_leading_punctuation(name))
    explicit = key.strip() if key else ""
    placed = collator.key(_without_leading_punctuation(explicit)) if explicit else bare_name
    return (placed, bare_name, collator.key(name), name)


def sorted_names(
    names: Iterable[str], language: str, *, keys: Mapping[str, str | None] | None = None
) -> list[str]:
    """``names`` in ``language``'s alphabetical order; ``keys`` maps a name to its explicit
    sort key (names without one are placed by themselves)."""
    explicit = keys or {}
    return sorted(names, key=lambda name: sort_key(name, language, key=explicit.get(name)))
