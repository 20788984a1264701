"""Which files are accepted, judged from their first bytes (never the client's header).

The allow-list: PDF, PNG, JPEG, WebP, plain text, CSV and Office Open XML documents (docx)
and workbooks (xlsx). Binary formats are recognised by their signatures; an Office file is a
ZIP archive whose first entries (within the sniffed head) include ``[Content_Types].xml`` and
a ``word/`` or ``xl/`` part (or, when those parts come later, a ``.docx``/``.xlsx`` name).
Text is UTF-8 (a BOM allowed) without NUL or other control characters than tab, CR, LF and
form feed; it is CSV when the client calls it so (a ``.csv``
name or ``text/csv``), since CSV has no signature of its own.
"""

from __future__ import annotations

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
TEXT = "text/plain"
CSV = "text/csv"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ALLOWED = (PDF, PNG, JPEG, WEBP, TEXT, CSV, DOCX, XLSX)

_ZIP = b"PK\x03\x04"
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c")


def _is_text(head: bytes) -> bool:
    if not head:
        return False
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if any(byte < 0x20 and byte not in _TEXT_CONTROLS for byte in body) or b"\x7f" in body:
        return False
    for cut in range(4):  # the head may end inside a multi-byte character
        try:
            body[: len(body) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


def _office(head: bytes, filename: str | None) -> str | None:
    if b"[Content_Types].xml" not in head:
        return None
    names = _zip_names(head)
    if any(name.startswith("word/") for name in names):
        return DOCX
    if any(name.startswith("xl/") for name in names):
        return XLSX
    # an Office package whose parts come later than the head: the name tells which
    suffix = (filename or "").lower().rsplit(".", 1)[-1]
    return {"docx": DOCX, "xlsx": XLSX}.get(suffix)


def _zip_names(head: bytes) -> list[str]:
    """Names of the local file headers found in ``head``."""
    names: list[str] = []
    start = head.find(_ZIP)
    while start != -1 and start + 30 <= len(head):
        length = int.from_bytes(head[start + 26 : start + 28], "little")
        names.append(head[start + 30 : start + 30 + length].decode("utf-8", "replace"))
        start = head.find(_ZIP, start + 30 + length)
    return names


def sniff(head: bytes, *, filename: str | None = None, declared: str | None = None) -> str | None:
    """The media type of a file starting with ``head``, or None when it is not allowed."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(_ZIP):
        return _office(head, filename)
    if _is_text(head):
        named_csv = (filename or "").lower().endswith(".csv")
        declared_csv = (declared or "").split(";")[0].strip().lower() in {CSV, "application/csv"}
        return CSV if named_csv or declared_csv else TEXT
    return None
