"""Bad input never reaches a 500: each case answers a problem with a stable code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from tests.e2e.conftest import ClientFactory, make_container
from tests.e2e.probes import PROBE_HANDLERS as PROBES

PROBE = "/api/v1/_probe"
JSON = {"Content-Type": "application/json"}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"/problems/{code}"
    assert {"title", "detail", "instance"} <= body.keys()
    return body


async def test_valid_body_passes_and_ignores_unknown_and_server_owned_fields(
    client: AsyncTestClient[Any],
) -> None:
    response = await client.post(
        PROBE, json={"name": "ok", "count": 3, "id": "client-chosen", "whatever": [1, 2]}
    )
    assert response.status_code == 200
    assert response.json() == {"id": "server-owned", "name": "ok", "count": 3, "tags": []}


async def test_merge_patch_json_media_type_is_accepted(client: AsyncTestClient[Any]) -> None:
    response = await client.post(
        PROBE, content=b'{"name": "x"}', headers={"Content-Type": "application/merge-patch+json"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "content",
    [b'{"name": "x"', b"not json", b'{"name": "\xff\xfe"}', b"\xef\xbb", b'{"name": "a\x00b"}'],
    ids=["truncated", "garbage", "invalid-utf8", "partial-bom", "raw-nul-control-char"],
)
async def test_malformed_json_is_400(client: AsyncTestClient[Any], content: bytes) -> None:
    assert_problem(await client.post(PROBE, content=content, headers=JSON), 400, "malformed_json")


@pytest.mark.parametrize("depth", [65, 200, 5000, 200_000])
async def test_json_nested_past_64_levels_is_400(client: AsyncTestClient[Any], depth: int) -> None:
    content = b'{"name": "x", "tags": ' + b"[" * depth + b"]" * depth + b"}"
    assert_problem(await client.post(PROBE, content=content, headers=JSON), 400, "too_deep")


async def test_json_nested_exactly_64_levels_passes_the_guard(
    client: AsyncTestClient[Any],
) -> None:
    # 64 levels including the outer object: the guard lets it through, the schema rejects it.
    content = b'{"name": "x", "tags": ' + b"[" * 63 + b"]" * 63 + b"}"
    response = await client.post(PROBE, content=content, headers=JSON)
    assert_problem(response, 422, "validation_failed")


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"}, {}],
    ids=["text-plain", "form", "missing"],
)
async def test_json_with_another_content_type_is_415(
    client: AsyncTestClient[Any], headers: dict[str, str]
) -> None:
    response = await client.post(PROBE, content=b'{"name": "x"}', headers=headers)
    assert_problem(response, 415, "unsupported_media_type")


async def test_body_over_the_limit_is_413_from_content_length(
    client_factory: ClientFactory,
) -> None:
    client = await client_factory(max_body_bytes=2048)
    content = b'{"name": "' + b"a" * 4000 + b'"}'
    response = await client.post(PROBE, content=content, headers=JSON)
    assert_problem(response, 413, "payload_too_large")


async def test_streamed_body_without_content_length_is_cut_at_the_limit(
    tmp_path: Path,
) -> None:
    """Chunked upload straight through ASGI: bytes are counted as they arrive and reading stops
    at the first chunk past the limit."""
    container = make_container(tmp_path, max_body_bytes=2048, rate_limit_enabled=False)
    app = create_app(container, extra_route_handlers=PROBES)  # not started: no rate limits
    chunks = [b'{"name": "', *([b"a" * 512] * 40), b'"}']
    sent: list[int] = []

    async def receive() -> dict[str, Any]:
        index = len(sent)
        sent.append(index)
        if index >= len(chunks):
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": chunks[index], "more_body": index < len(chunks) - 1}

    messages: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": PROBE,
        "raw_path": PROBE.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"test"),
            (b"content-type", b"application/json"),
            (b"transfer-encoding", b"chunked"),
        ],
        "client": ("127.0.0.1", 1234),
        "server": ("test", 80),
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    start = messages[0]
    assert start["status"] == 413
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    assert headers["content-type"].startswith("application/problem+json")
    body = b"".join(m.get("body", b"") for m in messages[1:])
    assert json.loads(body)["code"] == "payload_too_large"
    assert len(sent) < 10  # stopped reading early: 2048 bytes is the fifth chunk


async def test_default_limit_is_one_mebibyte(client: AsyncTestClient[Any]) -> None:
    content = b'{"name": "x", "tags": ["' + b"a" * (1024 * 1024) + b'"]}'
    assert_problem(
        await client.post(PROBE, content=content, headers=JSON), 413, "payload_too_large"
    )


async def test_a_route_may_raise_its_own_limit(client: AsyncTestClient[Any]) -> None:
    content = b'{"blob": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    response = await client.post("/api/v1/_upload", content=content, headers=JSON)
    assert response.status_code == 200
    assert response.json() == {"keys": 1}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "a\u0000b"}, "name"),
        ({"name": "ok", "tags": ["fine", "bad\u0000"]}, "tags.1"),
        ({"name": "ok", "extra": {"k\u0000": 1}}, "extra.k\\u0000"),
    ],
    ids=["value", "nested-value", "key"],
)
async def test_nul_characters_are_422(
    client: AsyncTestClient[Any], payload: dict[str, Any], field: str
) -> None:
    body = assert_problem(await client.post(PROBE, json=payload), 422, "nul_character")
    assert body["errors"] == [{"field": field, "message": "contains a NUL character"}]


@pytest.mark.parametrize("count", [-1, 1001, 2**63, 10**30, -(10**30)])
async def test_integers_out_of_range_are_422(client: AsyncTestClient[Any], count: int) -> None:
    content = b'{"name": "x", "count": ' + str(count).encode() + b"}"
    response = await client.post(PROBE, content=content, headers=JSON)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] in {"validation_failed", "number_out_of_range"}
    assert body["errors"][0]["field"] == "count"


@pytest.mark.parametrize(
    "literal", [b"1" + b"0" * 5000, b"1e999", b"-1e999"], ids=["5000-digits", "inf", "-inf"]
)
async def test_huge_number_literals_are_422(client: AsyncTestClient[Any], literal: bytes) -> None:
    content = b'{"name": "x", "count": ' + literal + b"}"
    response = await client.post(PROBE, content=content, headers=JSON)
    assert_problem(response, 422, "number_out_of_range")


async def test_string_over_max_length_is_422_naming_the_field(
    client: AsyncTestClient[Any],
) -> None:
    body = assert_problem(
        await client.post(PROBE, json={"name": "x" * 51}), 422, "validation_failed"
    )
    assert body["errors"][0]["field"] == "name"
    assert "50" in body["errors"][0]["message"]


async def test_missing_required_field_and_wrong_type_are_422(
    client: AsyncTestClient[Any],
) -> None:
    assert_problem(await client.post(PROBE, json={"count": 1}), 422, "validation_failed")
    assert_problem(await client.post(PROBE, json={"name": 5}), 422, "validation_failed")
    assert_problem(await client.post(PROBE, json=[1, 2]), 422, "validation_failed")


async def test_empty_body_on_a_json_route_is_400(client: AsyncTestClient[Any]) -> None:
    assert_problem(await client.post(PROBE, headers=JSON), 400, "body_required")
    assert_problem(await client.post(PROBE), 400, "body_required")


async def test_optional_body_may_be_empty(client: AsyncTestClient[Any]) -> None:
    response = await client.post("/api/v1/_optional")
    assert response.status_code == 200
    assert response.json() == {"got": None}
