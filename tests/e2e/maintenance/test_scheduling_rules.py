"""Scheduling rules over HTTP (both profiles): no booking into the past, a failed automatic
assignment explains itself, and the audit trail writes timestamps like the rest of the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.e2e.maintenance.support import Workshop, at, monday, tag

Z_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


async def test_assigning_or_rescheduling_into_the_past_is_422(shop: Workshop) -> None:
    profile = await shop.technician_profile(shop.tech, skills=["welding"], specialty="press")
    machine = await shop.equipment()
    job = await shop.intervention(shop.manager, machine["id"])
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    for dry_run in (True, False):
        answer = await shop.call(
            shop.manager,
            "POST",
            f"/interventions/{job['id']}/assign",
            json={
                "technician_id": profile["id"],
                "scheduled_at": yesterday,
                "estimated_minutes": 60,
                "dry_run": dry_run,
            },
        )
        assert answer.status_code == 422, answer.text
        problem = answer.json()
        assert problem["code"] == "scheduled_in_past"
        assert [e["field"] for e in problem["errors"]] == ["scheduled_at"]
        assert Z_INSTANT.match(problem["earliest_allowed"])
    assigned = await shop.ok(
        shop.manager,
        "POST",
        f"/interventions/{job['id']}/assign",
        json={
            "technician_id": profile["id"],
            "scheduled_at": at(monday(), 9),
            "estimated_minutes": 60,
        },
    )
    entry_id = assigned["planning_entry_id"]
    moved = await shop.call(
        shop.manager, "PATCH", f"/planning/{entry_id}", json={"scheduled_at": yesterday}
    )
    assert moved.status_code == 422
    assert moved.json()["code"] == "scheduled_in_past"
    kept = await shop.ok(shop.manager, "GET", f"/interventions/{job['id']}")
    assert datetime.fromisoformat(kept["scheduled_at"]) == datetime.fromisoformat(at(monday(), 9))


async def test_no_technician_available_explains_each_candidate(shop: Workshop) -> None:
    skill = tag()  # ranks this test's technician first among the (shared) profiles
    away = await shop.technician_profile(shop.tech, skills=[skill], specialty="press")
    await shop.ok(shop.manager, "PATCH", f"/technicians/{away['id']}", json={"available": False})
    machine = await shop.equipment()
    job = await shop.intervention(shop.manager, machine["id"], required_skills=[skill])
    saturday = monday() + timedelta(days=5)
    answer = await shop.call(
        shop.manager,
        "POST",
        f"/interventions/{job['id']}/assign",
        json={"scheduled_at": at(saturday, 10), "estimated_minutes": 60},
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "no_technician_available"
    assert problem["candidates_total"] >= 1
    first = problem["candidates"][0]
    assert first["technician_id"] == away["id"]
    assert first["why_not"] == "not_available"
    assert first["matched_skills"] == [skill]
    assert all(c["why_not"] for c in problem["candidates"])
    assert all(c["eligible"] is False for c in problem["candidates"])


async def test_audit_timestamps_use_the_z_form(shop: Workshop) -> None:
    profile = await shop.technician_profile(shop.tech, skills=["welding"], specialty="press")
    machine = await shop.equipment()
    job = await shop.intervention(shop.manager, machine["id"])
    await shop.ok(
        shop.manager,
        "POST",
        f"/interventions/{job['id']}/assign",
        json={
            "technician_id": profile["id"],
            "scheduled_at": at(monday(), 11),
            "estimated_minutes": 45,
        },
    )
    trail = await shop.ok(shop.admin, "GET", "/audit", params={"entity_id": job["id"]})
    assert trail["items"]
    for entry in trail["items"]:
        assert Z_INSTANT.match(entry["at"]), entry["at"]
    assign = next(e for e in trail["items"] if e["action"] == "assign")
    scheduled = assign["changes"]["scheduled_at"]
    assert scheduled["old"] is None
    assert Z_INSTANT.match(scheduled["new"]), scheduled
    assert datetime.fromisoformat(scheduled["new"]) == datetime.fromisoformat(at(monday(), 11))
