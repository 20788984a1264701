"""Playbooks over HTTP on both profiles: build, export, load back; owner-only access;
versions, If-Match and Idempotency-Key; content limits."""

from __future__ import annotations

import uuid

import yaml

from tests.e2e.automation.support import Desk

PLAY = {
    "name": "Web servers",
    "hosts": "webservers",
    "become": True,
    "vars": {"http_port": 80, "max_clients": 200, "greeting": "yes", "when": "2026-01-01"},
    "tasks": [
        {"name": "Install nginx", "ansible.builtin.apt": {"name": "nginx", "state": "present"}},
        {"name": "Start it", "ansible.builtin.service": {"name": "nginx", "state": "started"}},
    ],
}


async def test_build_export_and_load_back(desk: Desk) -> None:
    content = {"plays": [PLAY], "notes": "café, 東京, multi\nline"}
    created = await desk.call(
        desk.tech, "POST", "/playbooks", json={"name": "Deploy web/1", "content": content}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"].endswith(f"/playbooks/{body['id']}")
    assert created.headers["etag"] == '"1"'
    assert body["owner_id"] == desk.tech.user_id
    assert body["version"] == 1

    exported = await desk.call(desk.tech, "GET", f"/playbooks/{body['id']}/export")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/yaml")
    assert exported.headers["content-disposition"] == 'attachment; filename="Deploy-web-1.yml"'
    assert yaml.safe_load(exported.text) == content
    assert list(yaml.safe_load(exported.text)["plays"][0]) == list(PLAY)  # key order kept

    read = await desk.ok(desk.tech, "GET", f"/playbooks/{body['id']}")
    assert read["content"] == content


async def test_owner_only(desk: Desk) -> None:
    mine = await desk.ok(
        desk.client_user, "POST", "/playbooks", 201, json={"name": "mine", "content": {}}
    )
    path = f"/playbooks/{mine['id']}"
    for other in (desk.other_client, desk.manager, desk.tech):
        for method, extra in (
            ("GET", {}),
            ("PATCH", {"json": {"name": "x"}}),
            ("PUT", {"json": {"name": "x", "content": {}}}),
            ("DELETE", {}),
        ):
            answer = await desk.call(other, method, path, **extra)
            assert answer.status_code == 404, (method, answer.text)
        export = await desk.call(other, "GET", f"{path}/export")
        assert export.status_code == 404
        listed = await desk.ok(other, "GET", "/playbooks")
        assert mine["id"] not in [p["id"] for p in listed["items"]]
    assert (await desk.ok(desk.admin, "GET", path))["id"] == mine["id"]
    everyone = await desk.ok(desk.admin, "GET", "/playbooks", params={"limit": 200})
    assert mine["id"] in [p["id"] for p in everyone["items"]]
    assert (await desk.call(desk.client_user, "GET", "/playbooks")).status_code == 200
    assert (await desk.call(None, "GET", "/playbooks")).status_code == 401


async def test_versions_if_match_put_patch_delete(desk: Desk) -> None:
    made = await desk.ok(
        desk.tech, "POST", "/playbooks", 201, json={"name": "v", "content": {"a": 1}}
    )
    path = f"/playbooks/{made['id']}"
    patched = await desk.call(
        desk.tech, "PATCH", path, json={"name": "v2"}, headers={"If-Match": '"1"'}
    )
    assert patched.status_code == 200
    assert patched.headers["etag"] == '"2"'
    assert patched.json()["content"] == {"a": 1}
    stale = await desk.call(
        desk.tech, "PUT", path, json={"name": "v3", "content": {}}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert (await desk.ok(desk.tech, "GET", path))["name"] == "v2"
    put = await desk.ok(
        desk.tech,
        "PUT",
        path,
        json={"name": "v3", "content": {"b": [1]}},
        headers={"If-Match": '"2"'},
    )
    assert put["version"] == 3
    assert put["content"] == {"b": [1]}
    incomplete = await desk.call(desk.tech, "PUT", path, json={"name": "only"})
    assert incomplete.status_code == 400 or incomplete.status_code == 422
    same = await desk.ok(desk.tech, "PATCH", path, json={"name": "v3"})
    assert same["version"] == 3  # nothing changed, no new version
    assert (
        await desk.call(desk.tech, "DELETE", path, headers={"If-Match": '"2"'})
    ).status_code == 412
    assert (
        await desk.call(desk.tech, "DELETE", path, headers={"If-Match": '"3"'})
    ).status_code == 204
    assert (await desk.call(desk.tech, "GET", path)).status_code == 404


async def test_idempotency_key_on_create(desk: Desk) -> None:
    key = str(uuid.uuid4())
    body = {"name": f"idem {key[:6]}", "content": {"x": 1}}
    first = await desk.call(
        desk.tech, "POST", "/playbooks", json=body, headers={"Idempotency-Key": key}
    )
    again = await desk.call(
        desk.tech, "POST", "/playbooks", json=body, headers={"Idempotency-Key": key}
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = await desk.call(
        desk.tech,
        "POST",
        "/playbooks",
        json={**body, "name": "else"},
        headers={"Idempotency-Key": key},
    )
    assert other.status_code == 422
    listed = await desk.ok(desk.tech, "GET", "/playbooks", params={"q": body["name"]})
    assert listed["total"] == 1


async def test_search_sort_and_paging(desk: Desk) -> None:
    tag = uuid.uuid4().hex[:8]
    for name in (f"Alpha {tag}", f"beta {tag}", f"Gamma {tag}", "unrelated"):
        await desk.ok(desk.manager, "POST", "/playbooks", 201, json={"name": name, "content": {}})
    found = await desk.ok(
        desk.manager, "GET", "/playbooks", params={"q": tag.upper(), "sort": "name"}
    )
    assert [p["name"] for p in found["items"]] == [f"Alpha {tag}", f"beta {tag}", f"Gamma {tag}"]
    assert found["total"] == 3
    assert found["limit"] == 50
    assert found["offset"] == 0
    page = await desk.ok(
        desk.manager,
        "GET",
        "/playbooks",
        params={"q": tag, "sort": "-name", "limit": 1, "offset": 1},
    )
    assert [p["name"] for p in page["items"]] == [f"beta {tag}"]
    assert page["total"] == 3
    for bad in ({"limit": -1}, {"offset": "x"}, {"sort": "owner"}):
        assert (await desk.call(desk.manager, "GET", "/playbooks", params=bad)).status_code == 422


def _nested(depth: int) -> dict[str, object]:
    value: dict[str, object] = {}
    for _ in range(depth - 1):
        value = {"k": value}
    return value


async def test_content_limits_name_the_field(desk: Desk) -> None:
    big = {"blob": "x" * (256 * 1024)}
    too_big = await desk.call(desk.tech, "POST", "/playbooks", json={"name": "big", "content": big})
    assert too_big.status_code == 413, too_big.text
    problem = too_big.json()
    assert problem["code"] == "content_too_large"
    assert problem["errors"][0]["field"] == "content"
    assert too_big.headers["content-type"].startswith("application/problem+json")

    assert (
        await desk.call(desk.tech, "POST", "/playbooks", json={"name": "d", "content": _nested(32)})
    ).status_code == 201
    deep = await desk.call(
        desk.tech, "POST", "/playbooks", json={"name": "d", "content": _nested(33)}
    )
    assert deep.status_code == 422
    assert deep.json()["errors"][0]["field"] == "content"
    for body in (
        {"name": "", "content": {}},
        {"name": "x" * 201, "content": {}},
        {"name": "list", "content": [1, 2]},
        {"name": "str", "content": "text"},
        {"content": {}},
    ):
        answer = await desk.call(desk.tech, "POST", "/playbooks", json=body)
        assert answer.status_code in (400, 422), (body, answer.text)
