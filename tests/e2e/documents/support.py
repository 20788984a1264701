"""Sample files and upload shortcuts for the documents e2e tests."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import httpx

from tests.e2e.identity.support import Session
from tests.e2e.maintenance.support import API, Workshop

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + os.urandom(200_000) + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(50_000)
JPEG = b"\xff\xd8\xff\xe0" + os.urandom(30_000)
TEXT = "Relevé de pression : 12 bar, joint changé. Ωmega ✓\n".encode() * 50


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def upload(
    shop: Workshop,
    who: Session | None,
    data: bytes,
    *,
    filename: str = "file.pdf",
    declared: str = "application/octet-stream",
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> httpx.Response:
    form = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in fields.items()}
    form.setdefault("kind", "other")
    return await shop.call(
        who, "POST", "/documents", data=form, files={"file": (filename, data, declared)},
        headers=headers or {},
    )  # fmt: skip


async def uploaded(shop: Workshop, who: Session, data: bytes, **kw: Any) -> dict[str, Any]:
    answer = await upload(shop, who, data, **kw)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    assert answer.headers["location"] == f"{API}/documents/{body['id']}"
    return body


async def setting(shop: Workshop) -> Any:
    return shop.api.container.documents.config()  # type: ignore[attr-defined]
