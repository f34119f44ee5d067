"""Tests for bot.services.documents: uploads (.txt, .md, .docx) to letter text."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from bot.services.documents import (
    MAX_DOCX_UNCOMPRESSED_BYTES,
    DocumentError,
    DocumentReason,
    ExtractedText,
    extract_text,
)

# --------------------------------------------------------------------------- helpers


def _docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _sample_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Сумеснае пісьмо", level=1)
    document.add_paragraph("Ваши превосходительства,")
    document.add_paragraph("")  # an empty paragraph only separates
    document.add_paragraph("Мы, нижеподписавшиеся организации, призываем вас.")
    table = document.add_table(rows=3, cols=3)
    for row in range(3):
        for column in range(3):
            table.cell(row, column).text = f"ячэйка {row}{column}"
    document.add_heading("Рекомендации", level=2)
    document.add_paragraph("Последний абзац с Ё и ў.")
    return _docx_bytes(document)


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def _docx_with_body(body_xml: str, *, footnotes_xml: str | None = None) -> bytes:
    """A real python-docx package whose body (and optionally footnotes) we write by hand."""
    source = zipfile.ZipFile(io.BytesIO(_docx_bytes(docx.Document())))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = (
                    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    f'<w:document xmlns:w="{_W_NS}"><w:body>{body_xml}</w:body></w:document>'
                ).encode()
            elif footnotes_xml is not None and info.filename == "word/_rels/document.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdNotes" Type="{_FOOTNOTES_REL}" '
                    f'Target="footnotes.xml"/></Relationships>'.encode(),
                )
            elif footnotes_xml is not None and info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    f'<Override PartName="/word/footnotes.xml" ContentType="{_FOOTNOTES_TYPE}"/>'
                    f"</Types>".encode(),
                )
            target.writestr(info, data)
        if footnotes_xml is not None:
            target.writestr(
                "word/footnotes.xml",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:footnotes xmlns:w="{_W_NS}">{footnotes_xml}</w:footnotes>',
            )
    return output.getvalue()


def _p(*runs: str) -> str:
    return (
        "<w:p>"
        + "".join(f'<w:r><w:t xml:space="preserve">{r}</w:t></w:r>' for r in runs)
        + "</w:p>"
    )


def _reason(file_name: str, content: bytes, **kwargs: int) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        extract_text(file_name, content, **kwargs)
    assert isinstance(info.value, ValueError)
    return info.value


# --------------------------------------------------------------------------- docx


def test_docx_paragraphs_heading_and_table_in_document_order() -> None:
    extracted = extract_text("Пісьмо v2.DOCX", _sample_docx())
    assert extracted == ExtractedText(
        text=(
            "Сумеснае пісьмо\n\n"
            "Ваши превосходительства,\n\n"
            "Мы, нижеподписавшиеся организации, призываем вас.\n\n"
            "ячэйка 00 | ячэйка 01 | ячэйка 02\n"
            "ячэйка 10 | ячэйка 11 | ячэйка 12\n"
            "ячэйка 20 | ячэйка 21 | ячэйка 22\n\n"
            "Рекомендации\n\n"
            "Последний абзац с Ё и ў."
        ),
        kind="docx",
    )


def test_docx_list_numbering_and_bullets_are_rendered() -> None:
    document = docx.Document()
    document.add_paragraph("We recommend:")
    document.add_paragraph("Renew the mandate.", style="List Number")
    document.add_paragraph("Release all political prisoners.", style="List Number")
    document.add_paragraph("Fund civil society.", style="List Bullet")
    text = extract_text("r.docx", _docx_bytes(document)).text
    assert text.split("\n\n") == [
        "We recommend:",
        "1. Renew the mandate.",
        "2. Release all political prisoners.",
        "• Fund civil society.",
    ]


def test_docx_soft_breaks_tabs_and_tracked_changes() -> None:
    body = (
        "<w:p><w:r><w:t>Line one</w:t><w:br/><w:t>line two</w:t>"
        "<w:tab/><w:t>tabbed</w:t></w:r></w:p>"
        "<w:p><w:r><w:t xml:space='preserve'>We </w:t></w:r>"
        "<w:del w:id='1' w:author='a'><w:r><w:delText>strongly </w:delText></w:r></w:del>"
        "<w:ins w:id='2' w:author='a'><w:r><w:t xml:space='preserve'>firmly </w:t></w:r></w:ins>"
        "<w:r><w:t>urge.</w:t></w:r></w:p>"
        "<w:sdt><w:sdtPr/><w:sdtContent>"
        + _p("Inside a content control.")
        + "</w:sdtContent></w:sdt>"
        "<w:p><w:hyperlink><w:r><w:t>linked text</w:t></w:r></w:hyperlink></w:p>"
        "<w:p><w:r><w:fldChar w:fldCharType='begin'/></w:r>"
        "<w:r><w:instrText>PAGE</w:instrText></w:r>"
        "<w:r><w:fldChar w:fldCharType='separate'/></w:r>"
        "<w:r><w:t>7</w:t></w:r><w:r><w:fldChar w:fldCharType='end'/></w:r></w:p>"
    )
    text = extract_text("t.docx", _docx_with_body(body)).text
    assert text.split("\n\n") == [
        "Line one\nline two\ttabbed",
        "We firmly urge.",
        "Inside a content control.",
        "linked text",
        "7",
    ]


def test_docx_footnotes_are_marked_and_appended() -> None:
    body = (
        "<w:p><w:r><w:t>See the report.</w:t></w:r>"
        "<w:r><w:footnoteReference w:id='2'/></w:r>"
        "<w:r><w:t xml:space='preserve'> And more.</w:t></w:r>"
        "<w:r><w:footnoteReference w:id='3'/></w:r></w:p>"
    )
    notes = (
        "<w:footnote w:type='separator' w:id='-1'><w:p><w:r><w:separator/></w:r></w:p></w:footnote>"
        "<w:footnote w:id='2'><w:p><w:r><w:footnoteRef/></w:r>"
        "<w:r><w:t xml:space='preserve'> A/HRC/58/68, para. 12.</w:t></w:r></w:p></w:footnote>"
        "<w:footnote w:id='3'><w:p><w:r><w:t>Доклад группы экспертов.</w:t></w:r></w:p>"
        "</w:footnote>"
    )
    text = extract_text("n.docx", _docx_with_body(body, footnotes_xml=notes)).text
    assert text == (
        "See the report.[1] And more.[2]\n\n"
        "[1] A/HRC/58/68, para. 12.\n\n"
        "[2] Доклад группы экспертов."
    )


def test_docx_merged_and_nested_table_cells() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Organisation"
    table.cell(0, 2).text = "Country"
    table.cell(1, 0).text = "Viasna"
    table.cell(1, 1).text = "x"
    table.cell(1, 2).text = "Belarus"
    text = extract_text("m.docx", _docx_bytes(document)).text
    assert text == "Organisation | Country\nViasna | x | Belarus"


def test_docx_empty_document() -> None:
    document = docx.Document()
    document.add_paragraph("   ")
    document.add_table(rows=2, cols=2)
    assert _reason("e.docx", _docx_bytes(document)).reason == DocumentReason.EMPTY


def test_docx_broken_zip() -> None:
    content = _sample_docx()
    assert _reason("b.docx", content[: len(content) // 2]).reason == "broken"


def test_docx_not_a_zip_at_all() -> None:
    assert _reason("b.docx", "просто текст".encode()).reason == "broken"


def test_docx_with_corrupt_xml() -> None:
    corrupt = _docx_with_body("<w:p><w:r><w:t>unclosed")
    assert _reason("c.docx", corrupt).reason == "broken"


def test_zip_without_word_document_is_unsupported() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert _reason("sheet.docx", buffer.getvalue()).reason == "unsupported_type"


def test_legacy_doc_renamed_to_docx_is_unsupported() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    assert _reason("old.docx", ole).reason == "unsupported_type"


def test_docx_zip_bomb_is_refused_before_parsing() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/bomb.bin", b"\x00" * (MAX_DOCX_UNCOMPRESSED_BYTES + 1))
    content = buffer.getvalue()
    assert len(content) < 100_000
    error = _reason("bomb.docx", content)
    assert error.reason == "too_long"
    assert error.max_bytes == MAX_DOCX_UNCOMPRESSED_BYTES
    assert error.actual_bytes is not None and error.actual_bytes > MAX_DOCX_UNCOMPRESSED_BYTES
    assert error.max_chars is None


# --------------------------------------------------------------------------- types


@pytest.mark.parametrize(
    ("file_name", "content", "extension"),
    [
        ("letter.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".doc"),
        ("letter.PDF", b"%PDF-1.7\n", ".pdf"),
        ("setup.exe", b"MZ\x90\x00", ".exe"),
        ("letter.odt", b"PK\x03\x04", ".odt"),
        ("letter", b"text", ""),
        ("", b"text", ""),
        ("letter.txt.exe", b"text", ".exe"),
    ],
)
def test_unsupported_extensions(file_name: str, content: bytes, extension: str) -> None:
    error = _reason(file_name, content)
    assert error.reason == "unsupported_type"
    assert error.extension == extension


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4\n%...", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", b"PK\x03\x04\x14\x00"],
)
def test_binary_files_renamed_to_txt_are_unsupported(content: bytes) -> None:
    assert _reason("letter.txt", content).reason == "unsupported_type"


# --------------------------------------------------------------------------- text files


def test_txt_utf8_is_normalised() -> None:
    content = "Ваша Эксцеленцыя,  \r\n\r\n\r\n\r\nМы просім.\r\n".encode()
    assert extract_text("a.txt", content) == ExtractedText("Ваша Эксцеленцыя,\n\nМы просім.", "txt")


def test_md_kind() -> None:
    assert extract_text("draft.MD", b"# Title\n\nText").kind == "md"


def test_txt_utf8_with_bom() -> None:
    content = b"\xef\xbb\xbf" + "Прывітанне".encode()
    assert extract_text("a.txt", content).text == "Прывітанне"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_txt_utf16_with_bom(encoding: str) -> None:
    text = "Письмо 😀 & co"
    content = text.encode(encoding)
    if encoding == "utf-16-be":
        content = b"\xfe\xff" + content
    assert extract_text("a.txt", content).text == text


def test_txt_cp1251_is_refused_not_guessed() -> None:
    error = _reason("a.txt", "Мы, нижеподписавшиеся организации".encode("cp1251"))
    assert error.reason == DocumentReason.ENCODING
    assert error.extension == ".txt"


def test_txt_utf16_without_bom_is_refused() -> None:
    assert _reason("a.txt", "plain ascii text".encode("utf-16-le")).reason == "encoding"


@pytest.mark.parametrize("content", [b"", b"   \r\n\t\n", "\u00a0\n".encode()])
def test_txt_empty(content: bytes) -> None:
    assert _reason("a.txt", content).reason == "empty"


def test_exactly_max_chars_is_accepted() -> None:
    text = ("абвгд " * 20_000)[:99_999] + "ё"
    assert len(text) == 100_000
    assert extract_text("a.txt", text.encode()).text == text


def test_one_char_over_max_chars_is_refused() -> None:
    text = "x" * 100_001
    error = _reason("a.txt", text.encode())
    assert error.reason == "too_long"
    assert (error.max_chars, error.actual_chars) == (100_000, 100_001)


def test_length_is_measured_after_normalisation() -> None:
    text = "x" * 99_990 + "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
    assert len(extract_text("a.txt", text.encode()).text) == 99_990


def test_custom_max_chars() -> None:
    assert _reason("a.md", b"12345", max_chars=4).max_chars == 4
    assert extract_text("a.md", b"1234", max_chars=4).text == "1234"


def test_huge_file_is_refused_without_decoding() -> None:
    error = _reason("a.txt", b"x" * (20 * 1024 * 1024 + 1))
    assert error.reason == "too_long"
    assert error.max_bytes == 20 * 1024 * 1024


def test_docx_too_long_text() -> None:
    document = docx.Document()
    document.add_paragraph("слово " * 20)
    error = _reason("long.docx", _docx_bytes(document), max_chars=50)
    assert error.reason == "too_long"
    assert error.actual_chars == len(("слово " * 20).strip())
