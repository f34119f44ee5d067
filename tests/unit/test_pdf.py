"""The publication PDF, read back: text and numbering, the list's order and characters,
page numbers, metadata, determinism. (Pages were also rendered to PNG and looked at.)"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pypdf
import pytest

from bot.services import pdf as pdf_module
from bot.services.collation import sorted_names
from bot.services.export import anonymous_line
from bot.services.letter_text import fingerprint
from bot.services.pdf import (
    PublicationDocument,
    PublicationSignatory,
    render_pdf,
    signatory_line,
)

ZURICH = ZoneInfo("Europe/Zurich")
PUBLISHED = datetime(2026, 3, 20, 18, 0, tzinfo=ZURICH)

LETTER = "\n".join(
    [
        "To the Permanent Missions to the United Nations Office at Geneva",
        "Palais des Nations",
        "",
        "Excellencies,",
        "",
        "We, the undersigned organisations, ask your delegation to keep the independent "
        "monitoring of the human rights situation on the Council’s agenda — the record of "
        "the past year leaves no doubt that it is still needed.",
        "",
        "Our members have documented that:",
        "",
        "1. arrests on politically motivated charges continue every week;",
        "2) lawyers who take such cases lose their licences;",
        "(a) relatives of people in exile are questioned;",
        "- independent associations are dissolved by court order.",
        "",
        "Yours sincerely,",
    ]
)

SIGNERS = [
    "Human Rights Watch",
    "«Вясна»",
    "Amnesty International",
    "Ügyész Társaság",
    "Іскра — цэнтр грамадзянскай адукацыі",
    "Ўсход-Захад",
    "Ёлка, дзіцячы фонд",
    "“Free Press” Initiative",
    "Ясная Паляна",
    "Zubr",
]


def document(**changes: object) -> PublicationDocument:
    body = str(changes.pop("body", LETTER))
    language = str(changes.get("language", "en"))
    names = sorted_names(SIGNERS, language)
    base = PublicationDocument(
        title="Joint letter on the monitoring mandate",
        language=language,
        body=body,
        signatories=[PublicationSignatory(name) for name in names],
        anonymous_count=3,
        list_number=1,
        published_at=PUBLISHED,
        version_label=f"v3 · {fingerprint(body)}",
        fingerprint=fingerprint(body),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def pages_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """Extracted text with line breaks and runs of spaces as single spaces."""
    return " ".join(text.split())


def positions(text: str, needles: list[str]) -> list[int]:
    found = [text.find(needle) for needle in needles]
    assert -1 not in found, [needle for needle, at in zip(needles, found, strict=True) if at == -1]
    return found


def long_letter(paragraphs: int = 40) -> str:
    parts = ["Excellencies,"]
    for number in range(1, paragraphs + 1):
        sentence = f"Paragraph {number} records what our members saw in the month before. "
        parts.append(sentence * 4 + f"End of paragraph {number}.")
    return "\n\n".join(parts)


# --------------------------------------------------------------------------- the list


@pytest.mark.parametrize("language", ["en", "ru", "be"])
def test_signatories_read_back_in_order_with_every_character(language: str) -> None:
    data = render_pdf(document(language=language))
    text = "\n".join(pages_of(data))
    expected = sorted_names(SIGNERS, language)
    found = positions(text, expected)
    assert found == sorted(found)
    lines = text.splitlines()
    for name in expected:  # one entry a line, each printed exactly as spelled
        assert name in lines
    assert "«Вясна»" in lines and "“Free Press” Initiative" in lines  # quotes kept


def test_each_language_orders_its_own_list() -> None:
    english = "\n".join(pages_of(render_pdf(document(language="en"))))
    belarusian = "\n".join(pages_of(render_pdf(document(language="be"))))
    assert english.find("Zubr") < english.find("«Вясна»")  # Latin first in English
    assert belarusian.find("«Вясна»") < belarusian.find("Amnesty International")
    assert belarusian.find("Ясная Паляна") < belarusian.find("Zubr")


@pytest.mark.parametrize(
    ("language", "count"), [("en", 3), ("en", 1), ("ru", 3), ("ru", 5), ("be", 21)]
)
def test_anonymous_signatories_counted_in_the_language(language: str, count: int) -> None:
    data = render_pdf(document(language=language, anonymous_count=count))
    text = flat("\n".join(pages_of(data)))
    assert anonymous_line(count, language) in text
    if language == "en" and count == 3:
        assert "and 3 organisations that cannot be named" in text
    # after the last named signatory
    last = sorted_names(SIGNERS, language)[-1]
    assert text.find(last) < text.find(anonymous_line(count, language))


def test_no_anonymous_line_without_anonymous_signatories() -> None:
    text = "\n".join(pages_of(render_pdf(document(anonymous_count=0))))
    assert "cannot be named" not in text


def test_sixty_signatories_each_on_its_line_in_order() -> None:
    names = [f"Organisation {number:02d} for Civic Rights" for number in range(1, 61)]
    names += ["Праваабарончая ініцыятыва «Ўсход»", "Ассоциация «Ёлка»"]
    signatories = [PublicationSignatory(name) for name in sorted_names(names, "en")]
    data = render_pdf(document(signatories=signatories, anonymous_count=0))
    pages = pages_of(data)
    assert len(pages) >= 2
    lines = [line for page in pages for line in page.splitlines()]
    listed = [line for line in lines if line in names]
    assert listed == sorted_names(names, "en")  # all 62, once each, in order


def test_person_name_title_and_organisation() -> None:
    signer = PublicationSignatory("Amnesty International", "Anna Kowalska, Director")
    assert signatory_line(signer) == "Anna Kowalska, Director, Amnesty International"
    assert signatory_line(PublicationSignatory("Zubr", "  ")) == "Zubr"
    assert signatory_line(PublicationSignatory("Long\nName  Here")) == "Long Name Here"
    data = render_pdf(document(signatories=[signer, PublicationSignatory("Zubr")]))
    assert "Anna Kowalska, Director, Amnesty International" in pages_of(data)[0].splitlines()


def test_a_long_name_wraps_and_stays_one_entry() -> None:
    long_name = (
        "International Union of Food, Agricultural, Hotel, Restaurant, Catering, Tobacco "
        "and Allied Workers’ Associations (IUF)"
    )
    data = render_pdf(document(signatories=[PublicationSignatory(long_name)]))
    assert long_name in flat(pages_of(data)[-1])


def test_markup_and_placeholders_in_names_stay_literal() -> None:
    names = ["<b>Bold</b> & Co", "100% Rights", "{nb} Group", "{page} of {pages}", "\\Slash"]
    signatories = [PublicationSignatory(name) for name in names]
    title = "Letter <i>on</i> 50% of {title}"
    data = render_pdf(document(signatories=signatories, title=title))
    text = "\n".join(pages_of(data))
    for name in names:
        assert name in text.splitlines()
    assert title in text
    assert pypdf.PdfReader(io.BytesIO(data)).metadata.title == title


def test_a_character_no_font_has_is_shown_not_dropped() -> None:
    names = ["Signal Group ✅", "Zero\u200bWidth Centre", "Tab\tSeparated"]
    data = render_pdf(document(signatories=[PublicationSignatory(name) for name in names]))
    lines = "\n".join(pages_of(data)).splitlines()
    assert "Signal Group \ufffd" in lines  # visible, not silently left out
    assert "ZeroWidth Centre" in lines  # invisible format characters are dropped
    assert "Tab Separated" in lines


# --------------------------------------------------------------------------- the text


def test_text_keeps_its_paragraphs_numbering_and_line_breaks() -> None:
    text = pages_of(render_pdf(document()))[0]
    lines = text.splitlines()
    # a single line break inside a paragraph is kept
    assert "To the Permanent Missions to the United Nations Office at Geneva" in lines
    assert "Palais des Nations" in lines
    # list markers as typed, each before its item's text
    for marker, start in [
        ("1.", "arrests on politically"),
        ("2)", "lawyers who take"),
        ("(a)", "relatives of people"),
        ("-", "independent associations"),
    ]:
        assert f"{marker} {start}" in text
    assert "agenda — the record" in flat(text)
    order = positions(flat(text), ["Excellencies,", "Our members", "Yours sincerely,"])
    assert order == sorted(order)
    assert flat(text).find("Yours sincerely,") < flat(text).find("Signatories")


def test_every_line_typed_in_a_list_item_is_kept() -> None:
    body = "Intro.\n\n1. First item\ncontinues here\n2. Second item\n\nEnd."
    text = pages_of(render_pdf(document(body=body)))[0]
    assert "1. First item\ncontinues here\n2. Second item" in text


def test_a_sentence_starting_with_an_initial_is_not_a_list() -> None:
    assert pdf_module._items("Mr. Smith wrote.")[0].marker is None
    assert pdf_module._items("A. Name signed.")[0].marker is None
    assert pdf_module._items("б) пункт")[0].marker == "б)"
    assert pdf_module._items("  iv. item")[0].nested


def test_a_long_letter_flows_onto_several_pages_with_page_numbers_on_each() -> None:
    body = long_letter()
    data = render_pdf(document(body=body))
    pages = pages_of(data)
    assert len(pages) >= 4
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "List 1 · v3 · " + fingerprint(body) in page
    everything = flat("\n".join(pages))
    ends = positions(everything, [f"End of paragraph {n}." for n in range(1, 41)])
    assert ends == sorted(ends)


def test_pages_after_the_first_carry_the_title_cut_to_one_line() -> None:
    title = "Joint letter of civil society organisations " * 4 + "on the mandate"
    pages = pages_of(render_pdf(document(title=title.strip(), body=long_letter(20))))
    assert len(pages) >= 3
    assert title.strip() in flat(pages[0])  # whole on the first page
    for page in pages[1:]:
        head = page.splitlines()[0]
        assert head.endswith(" …") and title.startswith(head[:-2])


@pytest.mark.parametrize(
    ("language", "page_label"),
    [("ru", "Страница {n} из {total}"), ("be", "Старонка {n} з {total}")],
)
def test_page_numbers_in_the_language(language: str, page_label: str) -> None:
    pages = pages_of(render_pdf(document(language=language, body=long_letter(25))))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert page_label.format(n=number, total=len(pages)) in page


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("en", "List 2 · 20 March 2026"),
        ("ru", "Список 2 · 20 марта 2026\u202fг."),
        ("be", "Спіс 2 · 20 сакавіка 2026\u202fг."),
    ],
)
def test_list_number_and_date_in_the_language(language: str, line: str) -> None:
    changes = {"language": language, "list_number": 2, "added_since": ["Zubr"]}
    # 00:30 in Zurich is still 19 March in UTC: the date is the letter zone's
    late = datetime(2026, 3, 19, 23, 30, tzinfo=UTC).astimezone(ZURICH)
    text = "\n".join(pages_of(render_pdf(document(published_at=late, **changes))))
    assert line in text.splitlines()


def test_changes_since_the_previous_list() -> None:
    data = render_pdf(
        document(
            list_number=3,
            added_since=["Zubr", "Ясная Паляна"],
            withdrawn_since=["Old Partner Network"],
        )
    )
    text = flat("\n".join(pages_of(data)))
    found = positions(
        text,
        [
            "Signatories",
            "and 3 organisations",
            "Added since list 2 Zubr Ясная Паляна",
            "Withdrawn since list 2 Old Partner Network",
        ],
    )
    assert found == sorted(found)
    assert "Added since" not in flat("\n".join(pages_of(render_pdf(document()))))


def test_a_translation_names_its_own_fingerprint() -> None:
    translation = "Ваша Правасхадзіцельства,\n\nМы, ніжэйпадпісаныя арганізацыі, просім."
    data = render_pdf(
        document(
            language="be",
            body=translation,
            version_label="v3 · 7f3a9c21",
            fingerprint=fingerprint(translation),
        )
    )
    footer = f"Спіс 1 · v3 · 7f3a9c21 · пераклад {fingerprint(translation)}"
    assert footer in pages_of(data)[0]


# --------------------------------------------------------------------------- the file


def test_metadata_has_the_title_language_and_date_and_no_author_or_tool() -> None:
    data = render_pdf(document(title="Joint letter «Вясна» 2026"))
    reader = pypdf.PdfReader(io.BytesIO(data))
    info = reader.metadata
    assert info.title == "Joint letter «Вясна» 2026"
    assert info.creation_date == PUBLISHED
    assert info.author is None and info.producer is None and info.creator is None
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert b"fpdf" not in data.lower()


def test_a4_with_embedded_fonts_only() -> None:
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(document())))
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
            595,
            842,
        )  # A4 in points
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "DejaVu" in font["/BaseFont"]
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object()  # embedded, no system font


def test_same_input_gives_the_same_bytes_in_any_process() -> None:
    first = render_pdf(document())
    assert render_pdf(document()) == first
    script = (
        "import hashlib, sys; sys.path.insert(0, 'tests/unit'); import test_pdf; "
        "print(hashlib.sha256(test_pdf.render_pdf(test_pdf.document())).hexdigest())"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )
    assert result.stdout.strip() == hashlib.sha256(first).hexdigest()
    later = replace(document(), published_at=datetime(2026, 3, 21, 9, 0, tzinfo=ZURICH))
    assert render_pdf(later) != first


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"language": "uk"}, "language"),
        ({"published_at": datetime(2026, 3, 20, 18, 0)}, "timezone"),
        ({"list_number": 0}, "list number"),
        ({"anonymous_count": -1}, "anonymous"),
        ({"added_since": ["Zubr"]}, "previous list"),
        ({"fingerprint": "0badf00d"}, "fingerprint"),
    ],
)
def test_inconsistent_documents_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        document(**changes)
