"""Request ids, hardening headers and CORS."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import ClientFactory


async def test_request_id_is_echoed_when_sane(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": "abc-123.DEF_4"})
    assert response.headers["x-request-id"] == "abc-123.DEF_4"


@pytest.mark.parametrize(
    "sent", ["", "has space", "x" * 129, "semi;colon", "ünïcode"], ids=lambda s: s[:10] or "empty"
)
async def test_request_id_is_generated_when_missing_or_insane(
    client: AsyncTestClient[Any], sent: str
) -> None:
    response = await client.get("/health/live", headers={b"X-Request-ID": sent.encode("utf-8")})
    generated = response.headers["x-request-id"]
    assert generated != sent
    assert re.fullmatch(r"[0-9a-f]{32}", generated)


async def test_every_answer_has_a_request_id_and_hardening_headers(
    client: AsyncTestClient[Any],
) -> None:
    for response in (
        await client.get("/health/live"),
        await client.get("/nope"),
        await client.delete("/health/live"),
        await client.post("/api/v1/_probe", content=b"{", headers={"Content-Type": "text/plain"}),
    ):
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_two_requests_get_different_ids(client: AsyncTestClient[Any]) -> None:
    first = await client.get("/health/live")
    second = await client.get("/health/live")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_cors_allows_only_configured_origins(client_factory: ClientFactory) -> None:
    client = await client_factory(cors_origins=["https://app.example.test"])
    allowed = await client.get("/health/live", headers={"Origin": "https://app.example.test"})
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.test"
    assert "x-request-id" in allowed.headers["access-control-expose-headers"].lower()
    denied = await client.get("/health/live", headers={"Origin": "https://evil.example.test"})
    assert "access-control-allow-origin" not in denied.headers

    preflight = await client.options(
        "/api/v1/_probe",
        headers={
            "Origin": "https://app.example.test",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization",
        },
    )
    assert preflight.status_code in {200, 204}
    assert preflight.headers["access-control-allow-origin"] == "https://app.example.test"
    assert "POST" in preflight.headers["access-control-allow-methods"]

    bad_preflight = await client.options(
        "/api/v1/_probe",
        headers={"Origin": "https://evil.example.test", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in bad_preflight.headers
    assert bad_preflight.status_code == 400
    assert bad_preflight.headers["content-type"].startswith("application/problem+json")
    assert bad_preflight.json()["code"] == "cors_rejected"
    assert "Origin" in bad_preflight.json()["detail"]


async def test_no_cors_headers_without_configured_origins(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/health/live", headers={"Origin": "https://app.example.test"})
    assert "access-control-allow-origin" not in response.headers
