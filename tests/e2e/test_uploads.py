"""The platform's streaming multipart reader, through a probe route."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from litestar import Request, post

from entrypoints.http.uploads import HEAD_BYTES, open_upload
from tests.e2e.conftest import ClientFactory

LIMIT = 1024 * 1024


@post("/api/v1/_upload", request_max_body_size=None, status_code=200)
async def probe_upload(request: Request[Any, Any, Any]) -> dict[str, Any]:
    upload = await open_upload(request, max_bytes=LIMIT)
    digest = hashlib.sha256()
    async for chunk in upload.chunks():
        digest.update(chunk)
    return {
        "fields": upload.fields,
        "filename": upload.filename,
        "declared": upload.declared_type,
        "head": upload.head[:4].hex(),
        "head_size": len(upload.head),
        "size": upload.size,
        "sha256": digest.hexdigest(),
    }


async def test_the_file_streams_through_with_its_fields_before_and_after(
    client_factory: ClientFactory,
) -> None:
    client = await client_factory(handlers=[probe_upload])
    data = os.urandom(300_000)
    answer = await client.post(
        "/api/v1/_upload",
        data={"kind": "photo", "title": "Pump"},
        files={"file": ("pump.jpg", data, "image/jpeg")},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["size"] == len(data)
    assert body["head"] == data[:4].hex()
    assert body["head_size"] == HEAD_BYTES
    assert body["filename"] == "pump.jpg"
    assert body["declared"] == "image/jpeg"
    assert body["fields"] == {"kind": "photo", "title": "Pump"}


async def test_a_file_over_the_limit_is_413_while_streaming(client_factory: ClientFactory) -> None:
    client = await client_factory(handlers=[probe_upload])
    answer = await client.post(
        "/api/v1/_upload", files={"file": ("big.bin", os.urandom(LIMIT + 10), "application/pdf")}
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_not_multipart_is_415_and_no_file_part_is_422(client_factory: ClientFactory) -> None:
    client = await client_factory(handlers=[probe_upload])
    assert (await client.post("/api/v1/_upload", json={"a": 1})).status_code == 415
    missing = await client.post("/api/v1/_upload", data={"kind": "x"}, files={"other": b"x"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "file"


async def test_a_tiny_file_is_all_head(client_factory: ClientFactory) -> None:
    client = await client_factory(handlers=[probe_upload])
    answer = await client.post("/api/v1/_upload", files={"file": ("a.txt", b"hello", "text/plain")})
    assert answer.status_code == 200, answer.text
    assert answer.json()["size"] == 5
    assert answer.json()["sha256"] == hashlib.sha256(b"hello").hexdigest()
