"""Variable types over HTTP on both profiles: the catalogue, custom types (admin CRUD), good
and bad values, and hostile input (ReDoS patterns, YAML bombs) answered fast, never a 5xx."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.e2e.automation.support import Desk

BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]"
        for i in range(8)
    ]
)


def _name() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


async def test_catalogue_lists_builtins_then_examples(desk: Desk) -> None:
    listed = await desk.ok(desk.client_user, "GET", "/variable-types", params={"limit": 200})
    names = [t["name"] for t in listed["items"]]
    assert names[:5] == ["string", "int", "bool", "list", "dict"]
    for example in ("mail", "ip", "url", "json", "yaml"):
        assert example in names
    first = listed["items"][0]
    assert set(first) >= {"name", "label", "description", "pattern", "builtin", "is_active"}
    assert first["builtin"] is True
    assert first["pattern"] is None
    mail = next(t for t in listed["items"] if t["name"] == "mail")
    assert mail["builtin"] is False
    assert mail["is_active"] is True


@pytest.mark.parametrize(
    ("type_", "value", "valid", "parsed"),
    [
        ("string", "anything", True, "anything"),
        ("int", " 42 ", True, 42),
        ("int", "4.2", False, None),
        ("int", "99999999999999999999", False, None),
        ("bool", "Yes", True, True),
        ("bool", "off", True, False),
        ("bool", "maybe", False, None),
        ("list", "[1, two]", True, [1, "two"]),
        ("list", "- a\n- b\n", True, ["a", "b"]),
        ("list", "{a: 1}", False, None),
        ("dict", '{"a": {"b": [1]}}', True, {"a": {"b": [1]}}),
        ("dict", "[1]", False, None),
        ("mail", "ops@example.com", True, "ops@example.com"),
        ("mail", "ops@", False, None),
        ("ip", "192.0.2.10", True, "192.0.2.10"),
        ("ip", "256.1.1.1", False, None),
        ("url", "https://example.com/a?b=c", True, "https://example.com/a?b=c"),
        ("url", "ftp://example.com", False, None),
        ("json", '{"a": [1, 2.5, null]}', True, {"a": [1, 2.5, None]}),
        ("json", "{'a': 1}", False, None),
        ("yaml", "a: 1\nwhen: 2026-01-01\n", True, {"a": 1, "when": "2026-01-01"}),
        ("yaml", "a: [1\n", False, None),
    ],
)
async def test_validate_good_and_bad_values(
    desk: Desk, type_: str, value: str, valid: bool, parsed: object
) -> None:
    verdict = await desk.ok(
        desk.tech, "POST", "/variable-types/validate", json={"type": type_, "value": value}
    )
    assert verdict["valid"] is valid, verdict
    assert verdict["parsed"] == parsed
    assert verdict["message"]


async def test_unknown_or_inactive_type_is_422(desk: Desk) -> None:
    unknown = await desk.call(
        desk.tech, "POST", "/variable-types/validate", json={"type": "nope", "value": "x"}
    )
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown_variable_type"
    assert unknown.json()["errors"][0]["field"] == "type"
    name = _name()
    made = await desk.ok(
        desk.admin,
        "POST",
        "/admin/variable-types",
        201,
        json={"name": name, "label": "Off", "pattern": "a+", "is_active": False},
    )
    assert made["is_active"] is False
    inactive = await desk.call(
        desk.tech, "POST", "/variable-types/validate", json={"type": name, "value": "aa"}
    )
    assert inactive.status_code == 422
    assert inactive.json()["code"] == "unknown_variable_type"
    listed = await desk.ok(desk.tech, "GET", "/variable-types", params={"limit": 200})
    assert name not in [t["name"] for t in listed["items"]]


async def test_admin_crud_of_a_custom_type(desk: Desk) -> None:
    name = _name()
    body = {"name": name, "label": "Ticket", "description": "JIRA key", "pattern": "[A-Z]+-[0-9]+"}
    created = await desk.call(desk.admin, "POST", "/admin/variable-types", json=body)
    assert created.status_code == 201, created.text
    made = created.json()
    assert created.headers["location"].endswith(f"/admin/variable-types/{made['id']}")
    assert made["version"] == 1
    good = await desk.ok(
        desk.client_user, "POST", "/variable-types/validate", json={"type": name, "value": "OPS-12"}
    )
    assert good == {"valid": True, "message": good["message"], "parsed": "OPS-12"}
    bad = await desk.ok(
        desk.client_user,
        "POST",
        "/variable-types/validate",
        json={"type": name, "value": "x OPS-12"},
    )
    assert bad["valid"] is False  # the whole value must match

    taken = await desk.call(desk.admin, "POST", "/admin/variable-types", json=body)
    assert taken.status_code == 409
    assert taken.json()["code"] == "variable_type_taken"
    for builtin in ("string", "int", "dict"):
        reserved = await desk.call(
            desk.admin, "POST", "/admin/variable-types", json={**body, "name": builtin}
        )
        assert reserved.status_code == 409, reserved.text
        assert reserved.json()["code"] == "variable_type_taken"
    for bad_name in ("Upper", "1abc", "a-b", "a" * 51, ""):
        refused = await desk.call(
            desk.admin, "POST", "/admin/variable-types", json={**body, "name": bad_name}
        )
        assert refused.status_code == 422, (bad_name, refused.text)

    path = f"/admin/variable-types/{made['id']}"
    assert (await desk.call(desk.admin, "GET", path)).headers["etag"] == '"1"'
    replaced = await desk.call(
        desk.admin,
        "PUT",
        path,
        json={**body, "pattern": "| from_json"},
        headers={"If-Match": '"1"'},
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["version"] == 2
    stale = await desk.call(desk.admin, "PUT", path, json=body, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    parsed = await desk.ok(
        desk.tech, "POST", "/variable-types/validate", json={"type": name, "value": "[1]"}
    )
    assert parsed["parsed"] == [1]
    everything = await desk.ok(desk.admin, "GET", "/admin/variable-types", params={"limit": 200})
    assert name in [t["name"] for t in everything["items"]]
    assert (
        await desk.call(desk.admin, "DELETE", path, headers={"If-Match": '"1"'})
    ).status_code == 412
    assert (await desk.call(desk.admin, "DELETE", path)).status_code == 204
    assert (await desk.call(desk.admin, "GET", path)).status_code == 404


async def test_only_administrators_manage_types(desk: Desk) -> None:
    body = {"name": _name(), "label": "L", "pattern": "a"}
    for who in (desk.manager, desk.tech, desk.client_user):
        assert (await desk.call(who, "POST", "/admin/variable-types", json=body)).status_code == 403
        assert (await desk.call(who, "GET", "/admin/variable-types")).status_code == 403
    made = await desk.ok(desk.admin, "POST", "/admin/variable-types", 201, json=body)
    for who in (desk.manager, desk.client_user):
        path = f"/admin/variable-types/{made['id']}"
        assert (await desk.call(who, "PUT", path, json=body)).status_code == 403
        assert (await desk.call(who, "DELETE", path)).status_code == 403


@pytest.mark.parametrize(
    ("pattern", "code"),
    [
        (r"(a)\1", "unsupported_pattern"),
        (r"(?=a)a", "unsupported_pattern"),
        (r"(?<!x)y", "unsupported_pattern"),
        (r"a++", "unsupported_pattern"),
        (r".{0,1000}a.{0,1000}b", "unsupported_pattern"),
        ("(", "invalid_pattern"),
        ("[z-a]", "invalid_pattern"),
        ("| from_xml", "invalid_pattern"),
    ],
)
async def test_patterns_refused_at_creation(desk: Desk, pattern: str, code: str) -> None:
    refused = await desk.call(
        desk.admin,
        "POST",
        "/admin/variable-types",
        json={"name": _name(), "label": "L", "pattern": pattern},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == code
    assert refused.json()["errors"][0]["field"] == "pattern"


@pytest.mark.parametrize(
    "pattern", [r"(a+)+$", r"(a|aa)+$", r"(.*a){20}", r"(a|a?)+b", r"(\w+\s?)+$", r"(.*a){200}"]
)
async def test_redos_patterns_answer_fast(desk: Desk, pattern: str) -> None:
    name = _name()
    await desk.ok(
        desk.admin,
        "POST",
        "/admin/variable-types",
        201,
        json={"name": name, "label": "Evil", "pattern": pattern},
    )
    for value in ("a" * (64 * 1024 - 1) + "!", ("ab" * 40_000)[: 64 * 1024 - 1]):
        response, seconds = await desk.timed(
            desk.tech, "POST", "/variable-types/validate", json={"type": name, "value": value}
        )
        assert response.status_code == 200
        assert isinstance(response.json()["valid"], bool)
        assert seconds < 2.0  # a backtracking engine would not finish the first in years


async def test_yaml_bombs_and_oversized_values(desk: Desk) -> None:
    for type_ in ("yaml", "dict"):
        response, seconds = await desk.timed(
            desk.tech,
            "POST",
            "/variable-types/validate",
            json={"type": type_, "value": BILLION_LAUGHS},
        )
        assert response.status_code == 200
        assert response.json()["valid"] is False
        assert "aliases" in response.json()["message"]
        assert seconds < 2.0
    deep = "[" * 20_000 + "]" * 20_000
    for type_ in ("yaml", "json", "list"):
        response = await desk.call(
            desk.tech, "POST", "/variable-types/validate", json={"type": type_, "value": deep}
        )
        assert response.status_code == 200
        assert response.json()["valid"] is False
    over = await desk.call(
        desk.tech,
        "POST",
        "/variable-types/validate",
        json={"type": "string", "value": "é" * (40 * 1024)},
    )
    assert over.status_code == 422
    assert over.json()["errors"][0]["field"] == "value"
    python_tags = "!!python/object/apply:os.system ['true']"
    refused = await desk.ok(
        desk.tech, "POST", "/variable-types/validate", json={"type": "yaml", "value": python_tags}
    )
    assert refused["valid"] is False
    big_json = json.dumps({"k": "x" * 60_000})
    ok = await desk.ok(
        desk.tech, "POST", "/variable-types/validate", json={"type": "json", "value": big_json}
    )
    assert ok["valid"] is True
