"""Types judged from the bytes: the allow-list and what it refuses."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.documents.document import clean_name
from domain.documents.types import CSV, DOCX, JPEG, PDF, PNG, TEXT, WEBP, XLSX, sniff


def _office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n...", PDF),
        (b"\x89PNG\r\n\x1a\n\x00\x00", PNG),
        (b"\xff\xd8\xff\xdb\x00", JPEG),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", WEBP),
        ("Pression mesurée : 12 bar\r\n".encode(), TEXT),
        (b"\xef\xbb\xbfUTF-8 with a BOM", TEXT),
        (_office("word/document.xml"), DOCX),
        (_office("xl/workbook.xml"), XLSX),
    ],
)
def test_allowed_types(head: bytes, expected: str) -> None:
    assert sniff(head, filename="whatever.bin", declared="application/octet-stream") == expected


def test_csv_is_text_the_client_calls_csv() -> None:
    assert sniff(b"a,b\n1,2\n", filename="data.CSV") == CSV
    assert sniff(b"a,b\n1,2\n", declared="text/csv; charset=utf-8") == CSV
    assert sniff(b"a,b\n1,2\n", filename="data.txt") == TEXT
    assert sniff(b"\x00\x01binary", filename="data.csv") is None


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"MZ\x90\x00\x03",  # a Windows executable
        b"GIF89a\x01\x00",  # not on the list
        b"PK\x03\x04" + b"\x00" * 40,  # a zip that is no Office document
        _office("ppt/presentation.xml"),  # Office, but not docx/xlsx
        b"\x7fELF\x02\x01",
        b"<html>\x00</html>",
        b"\xff\xfe\x00\x00",  # UTF-32, control characters
        b"RIFF\x10\x00\x00\x00WAVEfmt ",
    ],
)
def test_refused(head: bytes) -> None:
    assert sniff(head, filename="x.pdf", declared="application/pdf") is None


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1))
def test_any_printable_utf8_text_is_text(text: str) -> None:
    head = text.encode()[:8192]
    assert sniff(head) in {TEXT, None}  # None only when the cut leaves nothing valid
    if len(text.encode()) <= 8192:
        assert sniff(head) == TEXT


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\zoë\\facture été.pdf", "facture été.pdf"),
        ("bad\x00na\x1bme.txt", "badname.txt"),
        ("", "document"),
        (None, "document"),
        ("..", "document"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_names_are_cleaned(raw: str | None, clean: str) -> None:
    assert clean_name(raw) == clean


def test_an_office_package_with_late_parts_is_typed_by_its_name() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("docProps/thumbnail.jpeg", bytes(20_000))
        archive.writestr("word/document.xml", "<x/>")
    head = buffer.getvalue()[:8192]
    assert sniff(head, filename="rapport.docx") == DOCX
    assert sniff(head, filename="rapport.xlsx") == XLSX
    assert sniff(head, filename="rapport.zip") is None
