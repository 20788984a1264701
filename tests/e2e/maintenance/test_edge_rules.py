"""The request guard's rules on real routes, on both profiles (SQLite and PostgreSQL refuse
different things: PostgreSQL refuses NUL in text, so a NUL that reached it was a 500).

- query parameters follow the body's edge rules: NUL or bad UTF-8 -> 422 naming the parameter;
- a request to a secured route without a token is 401 before any 400/415/422 about it;
- bodies decode strictly and every validation error names its field;
- HEAD answers on every GET route, OPTIONS lists every method, one charset per Content-Type.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.identity.support import PASSWORD, unique_email
from tests.e2e.maintenance.support import API, Workshop, at, monday

# (route, parameter) pairs of issue 7 item 2, and a few more of each kind.
QUERY_PARAMETERS = [
    ("/equipment", "q"),
    ("/equipment", "location"),
    ("/equipment", "type"),
    ("/interventions", "q"),
    ("/users", "q"),
    ("/technicians", "skill"),
    ("/audit", "entity_type"),
    ("/planning", "from"),
    ("/equipment", "sort"),
]


def assert_problem(answer: httpx.Response, status: int, code: str, field: str | None) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["code"] == code, body
    if field is not None:
        assert [e["field"] for e in body["errors"]] == [field], body


@pytest.mark.parametrize(("route", "parameter"), QUERY_PARAMETERS)
async def test_nul_in_a_query_parameter_is_422_naming_it(
    shop: Workshop, route: str, parameter: str
) -> None:
    raw = f"{API}{route}?{parameter}=a%00b"
    answer = await shop.client.get(raw, headers=shop.admin.headers)
    assert_problem(answer, 422, "nul_character", parameter)


async def test_bad_utf8_and_nul_in_names_are_422(shop: Workshop) -> None:
    answer = await shop.client.get(f"{API}/equipment?q=%ff%fe", headers=shop.admin.headers)
    assert_problem(answer, 422, "invalid_encoding", "q")
    answer = await shop.client.get(f"{API}/equipment?a%00=1", headers=shop.admin.headers)
    assert_problem(answer, 422, "nul_character", "a\\u0000")
    # the rule holds where no token is needed too (the calendar feed)
    answer = await shop.client.get(f"{API}/planning/feeds/x.ics?from=a%00")
    assert_problem(answer, 422, "nul_character", "from")
    # a plus sign and ordinary escapes stay fine
    answer = await shop.client.get(f"{API}/equipment?q=a+b%20c", headers=shop.admin.headers)
    assert answer.status_code == 200, answer.text


async def test_nul_in_a_path_parameter_is_422(shop: Workshop) -> None:
    answer = await shop.client.get(f"{API}/planning/feeds/a%00b.ics")
    assert_problem(answer, 422, "nul_character", "feed")


async def test_without_a_token_401_comes_first(shop: Workshop) -> None:
    machine = await shop.equipment()
    path = f"{API}/equipment/{machine['id']}"
    # a malformed If-Match, a wrong media type, a bad query: all after the 401
    cases = [
        ("PATCH", path, {"If-Match": "W/nonsense"}, b"{}"),
        ("PATCH", path, {"Content-Type": "text/plain"}, b"x"),
        ("POST", f"{API}/equipment", {"Content-Type": "application/json"}, b"{"),
        ("GET", f"{API}/equipment?q=%00&limit=-1", {}, None),
    ]
    for method, url, headers, content in cases:
        answer = await shop.client.request(method, url, headers=headers, content=content)
        assert_problem(answer, 401, "missing_token", None)
        assert answer.headers["www-authenticate"] == "Bearer"
        assert "ratelimit-limit" in answer.headers  # a 401 still counts toward the limits
    with_token = await shop.client.patch(
        path, headers={**shop.manager.headers, "If-Match": "W/nonsense"}, json={}
    )
    assert_problem(with_token, 400, "malformed_if_match", None)


async def test_missing_required_field_is_named(shop: Workshop) -> None:
    body = {"email": unique_email(), "first_name": "A", "last_name": "B"}
    answer = await shop.client.post(f"{API}/auth/register", json=body)
    assert_problem(answer, 422, "validation_failed", "password")
    answer = await shop.client.post(
        f"{API}/auth/register", json={**body, "password": PASSWORD, "email": 12}
    )
    assert_problem(answer, 422, "validation_failed", "email")


async def test_bodies_decode_strictly(shop: Workshop) -> None:
    body = {"name": "Lathe", "type": "lathe", "serial_number": "SN-strict"}
    for value in ("30", 30.5, True, [30]):
        answer = await shop.call(
            shop.manager, "POST", "/equipment", json={**body, "maintenance_interval_days": value}
        )
        assert_problem(answer, 422, "validation_failed", "maintenance_interval_days")
    machine = await shop.equipment()
    work = await shop.intervention(shop.manager, machine["id"])
    answer = await shop.call(
        shop.manager,
        "POST",
        f"/interventions/{work['id']}/assign",
        json={"scheduled_at": at(monday(), 9), "estimated_minutes": "12", "dry_run": True},
    )
    assert_problem(answer, 422, "validation_failed", "estimated_minutes")
    # nested fields are named by their path
    answer = await shop.call(
        shop.manager,
        "POST",
        "/technicians",
        json={"user_id": shop.tech.user_id, "skills": ["ok", 3], "specialty": "hydraulics"},
    )
    assert_problem(answer, 422, "validation_failed", "skills.1")
    # the well-typed body still works; 30.0 is the integer 30 (as in JSON Schema)
    created = await shop.call(
        shop.manager, "POST", "/equipment", json={**body, "maintenance_interval_days": 30.0}
    )
    assert created.status_code == 201, created.text
    assert created.json()["maintenance_interval_days"] == 30


async def test_head_answers_on_get_routes(shop: Workshop) -> None:
    machine = await shop.equipment()
    for path in (f"{API}/equipment", f"{API}/equipment/{machine['id']}", "/health/live"):
        got = await shop.client.get(path, headers=shop.manager.headers)
        head = await shop.client.head(path, headers=shop.manager.headers)
        assert head.status_code == 200, (path, head.text)
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["content-length"] == str(len(got.content))
    assert (await shop.client.head(f"{API}/equipment")).status_code == 401
    assert (await shop.client.head(f"{API}/auth/login")).status_code == 405


async def test_options_lists_every_method_of_a_path(shop: Workshop) -> None:
    machine = await shop.equipment()
    answer = await shop.client.options(f"{API}/equipment/{machine['id']}")
    assert answer.status_code == 204
    allowed = {m.strip() for m in answer.headers["allow"].split(",")}
    assert allowed == {"GET", "HEAD", "PATCH", "DELETE", "OPTIONS"}
    refused = await shop.client.put(f"{API}/equipment/{machine['id']}", headers=shop.admin.headers)
    assert refused.status_code == 405
    assert "HEAD" in refused.headers["allow"]


async def test_content_type_has_one_charset(shop: Workshop) -> None:
    profile = await shop.technician_profile(shop.tech, skills=["hydraulics"], specialty="press")
    ics = await shop.client.get(
        f"{API}/planning/technicians/{profile['id']}.ics", headers=shop.manager.headers
    )
    assert ics.status_code == 200, ics.text
    assert ics.headers["content-type"] == "text/calendar; charset=utf-8"
    metrics = await shop.client.get("/metrics")
    assert metrics.headers["content-type"].count("charset") == 1
    assert metrics.headers["content-type"].startswith("text/plain")


async def test_query_values_follow_their_documented_patterns(shop: Workshop) -> None:
    for query, field in [
        ("sort=nonsense", "sort"),
        ("sort=--name", "sort"),
        ("from=2026-11-21T09Z", "from"),
        ("from=%202026-11-21", "from"),
        ("status=null", "status"),
        ("q=a&q=b", "q"),
    ]:
        answer = await shop.client.get(f"{API}/equipment?{query}", headers=shop.admin.headers)
        if field == "from":
            answer = await shop.client.get(f"{API}/planning?{query}", headers=shop.admin.headers)
        assert answer.status_code == 422, (query, answer.text)
        assert [e["field"] for e in answer.json()["errors"]] == [field], query
    for query in ("sort=-name", "sort=", "q=null", "status=down"):
        answer = await shop.client.get(f"{API}/equipment?{query}", headers=shop.admin.headers)
        assert answer.status_code == 200, (query, answer.text)
    answer = await shop.client.get(
        f"{API}/planning?from=2026-11-21T09:00:00.5%2B02:00", headers=shop.admin.headers
    )
    assert answer.status_code == 200, answer.text
