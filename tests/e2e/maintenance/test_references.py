"""Ids in a body that point nowhere are 422 ``unknown_reference`` naming the field, and
taken unique values are 409 naming theirs -- never a 500 (both profiles: the SQLite and
PostgreSQL adapters read the violated constraint)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.e2e.maintenance.support import Workshop, at, monday, tag


def assert_names(answer: httpx.Response, status: int, code: str, field: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["code"] == code
    assert [e["field"] for e in body["errors"]] == [field]
    return body


async def test_equipment_owner_must_be_a_user(shop: Workshop) -> None:
    nobody = str(uuid.uuid4())
    body = {"name": "Lathe", "type": "lathe", "serial_number": f"SN-{tag()}", "owner_id": nobody}
    created = await shop.call(shop.manager, "POST", "/equipment", json=body)
    problem = assert_names(created, 422, "unknown_reference", "owner_id")
    assert "no user" in problem["errors"][0]["message"]
    listed = await shop.ok(shop.manager, "GET", "/equipment", params={"q": body["serial_number"]})
    assert listed["total"] == 0  # nothing was kept
    machine = await shop.equipment(owner=shop.client_user)
    patched = await shop.call(
        shop.manager, "PATCH", f"/equipment/{machine['id']}", json={"owner_id": nobody}
    )
    assert_names(patched, 422, "unknown_reference", "owner_id")
    kept = await shop.ok(shop.manager, "GET", f"/equipment/{machine['id']}")
    assert kept["owner_id"] == shop.client_user.user_id
    assert kept["version"] == machine["version"]


async def test_taken_serial_number_names_the_field(shop: Workshop) -> None:
    machine = await shop.equipment()
    body = {"name": "Twin", "type": "lathe", "serial_number": machine["serial_number"].lower()}
    twin = await shop.call(shop.manager, "POST", "/equipment", json=body)
    assert_names(twin, 409, "serial_taken", "serial_number")
    other = await shop.equipment()
    renamed = await shop.call(
        shop.manager,
        "PATCH",
        f"/equipment/{other['id']}",
        json={"serial_number": machine["serial_number"]},
    )
    assert_names(renamed, 409, "serial_taken", "serial_number")


async def test_intervention_equipment_must_exist(shop: Workshop) -> None:
    body = {"title": "Nowhere", "equipment_id": str(uuid.uuid4())}
    for who in (shop.manager, shop.client_user):
        answer = await shop.call(who, "POST", "/interventions", json=body)
        assert_names(answer, 422, "unknown_reference", "equipment_id")


async def test_technician_profile_user_must_exist(shop: Workshop) -> None:
    answer = await shop.call(
        shop.manager, "POST", "/technicians", json={"user_id": str(uuid.uuid4())}
    )
    assert_names(answer, 422, "unknown_reference", "user_id")
    client = await shop.call(
        shop.manager, "POST", "/technicians", json={"user_id": shop.client_user.user_id}
    )
    assert_names(client, 422, "not_a_technician", "user_id")
    await shop.technician_profile(shop.tech, skills=["welding"], specialty="press")
    again = await shop.call(
        shop.manager, "POST", "/technicians", json={"user_id": shop.tech.user_id}
    )
    assert_names(again, 409, "technician_exists", "user_id")


async def test_assignment_to_an_unknown_technician(shop: Workshop) -> None:
    machine = await shop.equipment()
    job = await shop.intervention(shop.manager, machine["id"])
    answer = await shop.call(
        shop.manager,
        "POST",
        f"/interventions/{job['id']}/assign",
        json={
            "technician_id": str(uuid.uuid4()),
            "scheduled_at": at(monday(), 10),
            "estimated_minutes": 60,
        },
    )
    assert_names(answer, 422, "unknown_reference", "technician_id")
    still = await shop.ok(shop.manager, "GET", f"/interventions/{job['id']}")
    assert still["status"] == "open"
