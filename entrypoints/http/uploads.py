"""Streaming multipart uploads: the file's bytes flow from the socket to storage, never whole
in memory (part of the HTTP platform; documents and images use it).

``open_upload(request, file_field=..., max_bytes=...)`` reads the ``multipart/form-data`` body
as it arrives (python-multipart's streaming parser) up to the file part, and returns an
:class:`Upload`: the form fields met so far, the file's name and client-declared type, the
first bytes (``head``, for type sniffing before anything is stored) and ``chunks()``, an
async iterator over the rest of the file that the caller hands to ``BlobStorage.put``.
Fields sent after the file are read when the iterator ends (``fields`` then holds them).

Limits, each a 4xx problem before the body is read in full:

* a ``Content-Length`` over the route's limit: 413 at once;
* the file growing past ``max_bytes`` while streaming (a chunked body, or a lying length):
  413 from inside ``chunks()``, so the caller's storage write fails and it removes what it
  wrote;
* a body that is not ``multipart/form-data`` with a boundary: 415; a malformed body or no
  file part: 400 / 422; a text field over ``max_field_bytes``: 413.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from litestar import Request

from domain.shared.errors import FieldError
from entrypoints.http.errors import EdgeProblem

HEAD_BYTES = 8 * 1024
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 32


class _Parts:
    """Receives python-multipart's callbacks; the current file bytes go to ``pending``."""

    def __init__(self, file_field: str, max_field_bytes: int) -> None:
        self.file_field = file_field
        self.max_field_bytes = max_field_bytes
        self.fields: dict[str, str] = {}
        self.headers: dict[str, str] = {}
        self._header_name = b""
        self._header_value = b""
        self._data = bytearray()
        self.in_file = False
        self.file_seen = False
        self.file_done = False
        self.filename: str | None = None
        self.content_type: str | None = None
        self.pending: list[bytes] = []
        self._name = ""

    def on_part_begin(self) -> None:
        self.headers = {}
        self._data = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        name = self._header_name.decode("latin-1").strip().lower()
        self.headers[name] = self._header_value.decode("utf-8", "replace").strip()
        self._header_name = self._header_value = b""

    def on_headers_finished(self) -> None:
        disposition = _params(self.headers.get("content-disposition", ""))
        name = disposition.get("name", "")
        if name == self.file_field and not self.file_seen:
            self.in_file = True
            self.file_seen = True
            self.filename = disposition.get("filename") or None
            self.content_type = self.headers.get("content-type") or None
        else:
            self.in_file = False
            self._name = name

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.in_file:
            self.pending.append(bytes(data[start:end]))
            return
        self._data += data[start:end]
        if len(self._data) > self.max_field_bytes:
            raise _too_large(f"The form field {self._name!r} is too large.")

    def on_part_end(self) -> None:
        if self.in_file:
            self.in_file = False
            self.file_done = True
            return
        if len(self.fields) >= MAX_FIELDS:
            raise EdgeProblem(413, "payload_too_large", "Too many form fields.")
        value = bytes(self._data).decode("utf-8", "replace")
        if "\x00" in value:
            raise EdgeProblem(
                422,
                "nul_character",
                "Text may not contain NUL characters.",
                title="Validation failed",
                errors=[FieldError(field=self._name or "form", message="contains a NUL character")],
            )
        self.fields[self._name] = value


def _params(header: str) -> dict[str, str]:
    """``form-data; name="file"; filename="a.pdf"`` -> ``{"name": "file", "filename": ...}``."""
    out: dict[str, str] = {}
    for piece in header.split(";")[1:]:
        key, _, value = piece.strip().partition("=")
        out[key.strip().lower()] = value.strip().strip('"')
    return out


def _too_large(detail: str) -> EdgeProblem:
    return EdgeProblem(413, "payload_too_large", detail, title="Payload too large")


@dataclass
class Upload:
    """The file part of a multipart request, streamed (see the module docstring)."""

    fields: dict[str, str]
    filename: str | None
    declared_type: str | None
    head: bytes
    """The file's first bytes (up to 8 KiB, fewer for a smaller file)."""
    _rest: AsyncIterator[bytes] | None = field(default=None, repr=False)
    size: int = 0
    """Bytes of the file streamed so far (all of them once ``chunks`` is exhausted)."""

    async def chunks(self) -> AsyncIterator[bytes]:
        """The whole file: ``head`` then the rest as it arrives (once)."""
        if self.head:
            yield self.head
        if self._rest is not None:
            async for chunk in self._rest:
                yield chunk


async def open_upload(
    request: Request[Any, Any, Any],
    *,
    file_field: str = "file",
    max_bytes: int,
    max_field_bytes: int = MAX_FIELD_BYTES,
) -> Upload:
    from python_multipart.multipart import MultipartParser

    content_type = request.headers.get("content-type", "")
    kind, _, params = content_type.partition(";")
    boundary = _params(f"x;{params}").get("boundary")
    if kind.strip().lower() != "multipart/form-data" or not boundary:
        raise EdgeProblem(
            415,
            "unsupported_media_type",
            "This route takes multipart/form-data with a boundary.",
            headers={"Accept": "multipart/form-data"},
        )
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > max_bytes + 64 * 1024:
        raise _too_large(f"The upload is larger than {max_bytes} bytes.")
    parts = _Parts(file_field, max_field_bytes)
    callbacks: Any = {
        name: getattr(parts, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_part_end",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
        )
    }
    parser = MultipartParser(boundary.encode("latin-1"), callbacks=callbacks)
    stream = request.stream().__aiter__()
    ended = False

    async def feed() -> bool:
        """Parse the next chunk of the body; False at its end."""
        nonlocal ended
        try:
            chunk = await stream.__anext__()
        except StopAsyncIteration:
            ended = True
            parser.finalize()
            return False
        try:
            parser.write(chunk)
        except EdgeProblem:
            raise
        except Exception as exc:
            raise EdgeProblem(
                400, "malformed_multipart", "The multipart body is malformed."
            ) from exc
        return True

    while not parts.file_seen and await feed():
        pass
    if not parts.file_seen:
        raise EdgeProblem(
            422,
            "file_required",
            f"The form has no {file_field!r} part.",
            title="Validation failed",
            errors=[FieldError(field=file_field, message="a file is required")],
        )
    head = bytearray()
    while len(head) < HEAD_BYTES and (parts.pending or not parts.file_done):
        if parts.pending:
            head += parts.pending.pop(0)
        elif not await feed():
            break
    if len(head) > HEAD_BYTES:
        parts.pending.insert(0, bytes(head[HEAD_BYTES:]))
        del head[HEAD_BYTES:]
    upload = Upload(
        fields=parts.fields,
        filename=parts.filename,
        declared_type=parts.content_type,
        head=bytes(head),
        size=len(head),
    )
    if upload.size > max_bytes:
        raise _too_large(f"The upload is larger than {max_bytes} bytes.")

    async def rest() -> AsyncIterator[bytes]:
        while True:
            while parts.pending:
                chunk = parts.pending.pop(0)
                upload.size += len(chunk)
                if upload.size > max_bytes:
                    raise _too_large(f"The upload is larger than {max_bytes} bytes.")
                yield chunk
            if parts.file_done or ended:
                break
            if not await feed():
                break
        while not ended:  # the fields after the file
            await feed()

    upload._rest = rest()
    return upload
