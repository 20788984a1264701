"""Every error answer is one RFC 9457 problem shape, mapped once."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.test_bad_input import assert_problem


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("bad_request", 400, "token_used"),
        ("not_found", 404, "not_found"),
        ("conflict", 409, "email_taken"),
        ("invalid_transition", 409, "invalid_transition"),
        ("precondition", 412, "version_mismatch"),
        ("rule", 422, "not_a_technician"),
        ("validation", 422, "validation_failed"),
        ("unauthenticated", 401, "unauthenticated"),
        ("forbidden", 403, "forbidden"),
        ("rate_limited", 429, "rate_limited"),
        ("unavailable", 503, "dependency_unavailable"),
    ],
)
async def test_domain_errors_map_to_their_status(
    client: AsyncTestClient[Any], kind: str, status: int, code: str
) -> None:
    response = await client.get(f"/api/v1/_domain/{kind}")
    body = assert_problem(response, status, code)
    assert body["instance"] == f"/api/v1/_domain/{kind}"
    assert body["request_id"] == response.headers["x-request-id"]


async def test_validation_failed_lists_the_fields(client: AsyncTestClient[Any]) -> None:
    body = assert_problem(await client.get("/api/v1/_domain/validation"), 422, "validation_failed")
    assert body["errors"] == [{"field": "password", "message": "too short"}]


async def test_unauthenticated_challenges_with_bearer(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/api/v1/_domain/unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"
    presented = await client.get(
        "/api/v1/_domain/unauthenticated", headers={"Authorization": "Bearer abc.def.ghi"}
    )
    assert presented.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_rate_limited_and_unavailable_say_when_to_retry(
    client: AsyncTestClient[Any],
) -> None:
    limited = await client.get("/api/v1/_domain/rate_limited")
    assert limited.headers["retry-after"] == "42"
    assert limited.headers["ratelimit-reset"] == "42"
    unavailable = await client.get("/api/v1/_domain/unavailable")
    assert int(unavailable.headers["retry-after"]) > 0


async def test_extra_members_are_extensions(client: AsyncTestClient[Any]) -> None:
    body = assert_problem(await client.get("/api/v1/_domain/with_extra"), 409, "schedule_conflict")
    assert body["conflicting_entry"] == {"id": "e1"}


async def test_unknown_route_is_a_404_problem(client: AsyncTestClient[Any]) -> None:
    assert_problem(await client.get("/api/v1/nothing/here"), 404, "not_found")
    assert_problem(await client.get("/not-even-api"), 404, "not_found")


async def test_wrong_method_is_a_405_problem_with_allow(client: AsyncTestClient[Any]) -> None:
    response = await client.delete("/health/live")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


async def test_bad_path_parameter_is_a_problem(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/api/v1/_items/not-a-uuid")
    assert response.status_code in {404, 422}
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_unexpected_exception_is_a_generic_500(
    client: AsyncTestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="atelier.http.errors"):
        response = await client.get("/api/v1/_boom", headers={"X-Request-ID": "trace-me-1"})
    body = assert_problem(response, 500, "internal_error")
    assert body["request_id"] == "trace-me-1"
    text = response.text
    for leak in ("hunter2", "Traceback", "RuntimeError", "secret.py", "line 42"):
        assert leak not in text
    logged = [r for r in caplog.records if r.name == "atelier.http.errors"]
    assert logged, "the 500 must be logged server-side"
    assert any("RuntimeError" in repr(r.msg) or r.exc_info for r in logged)
