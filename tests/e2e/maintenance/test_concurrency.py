"""Optimistic concurrency (``If-Match``), schedule clashes under concurrent requests, and
``Idempotency-Key`` on creating POSTs."""

from __future__ import annotations

import asyncio
import uuid

from tests.e2e.maintenance.support import Workshop, at, monday, tag


async def test_if_match_lets_one_of_two_concurrent_patches_win(shop: Workshop) -> None:
    machine = await shop.equipment()
    current = await shop.call(shop.manager, "GET", f"/equipment/{machine['id']}")
    etag = current.headers["etag"]
    assert etag == f'"{machine["version"]}"'
    first, second = await asyncio.gather(
        shop.call(
            shop.manager,
            "PATCH",
            f"/equipment/{machine['id']}",
            headers={"If-Match": etag},
            json={"location": "Hall B"},
        ),
        shop.call(
            shop.manager,
            "PATCH",
            f"/equipment/{machine['id']}",
            headers={"If-Match": etag},
            json={"location": "Hall C"},
        ),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 412]
    winner, loser = (first, second) if first.status_code == 200 else (second, first)
    assert loser.json()["code"] == "version_mismatch"
    assert winner.headers["etag"] == f'"{winner.json()["version"]}"'
    stored = await shop.ok(shop.manager, "GET", f"/equipment/{machine['id']}")
    assert stored["location"] == winner.json()["location"]
    assert stored["version"] == winner.json()["version"]
    # A stale If-Match changes nothing, on PATCH, DELETE and life-cycle POSTs alike.
    stale = await shop.call(
        shop.manager, "DELETE", f"/equipment/{machine['id']}", headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert (await shop.ok(shop.manager, "GET", f"/equipment/{machine['id']}"))[
        "status"
    ] != "retired"
    job = await shop.intervention(shop.manager, machine["id"])
    stale_cancel = await shop.call(
        shop.manager,
        "POST",
        f"/interventions/{job['id']}/cancel",
        headers={"If-Match": f'"{job["version"] + 5}"'},
    )
    assert stale_cancel.status_code == 412
    bad = await shop.call(
        shop.manager,
        "PATCH",
        f"/equipment/{machine['id']}",
        headers={"If-Match": 'W/"1"'},
        json={"location": "Hall D"},
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "malformed_if_match"
    ok = await shop.call(
        shop.manager,
        "PATCH",
        f"/interventions/{job['id']}",
        headers={"If-Match": f'"{job["version"]}"'},
        json={"priority": "critical", "id": str(uuid.uuid4()), "status": "done"},
    )
    assert ok.status_code == 200
    assert ok.json()["priority"] == "critical"
    assert ok.json()["status"] == "open"
    assert ok.json()["id"] == job["id"]
    assert ok.headers["etag"] == f'"{ok.json()["version"]}"'


async def test_concurrent_overlapping_assignments_one_wins(shop: Workshop) -> None:
    profile = await shop.technician_profile(shop.tech, skills=["welding"], specialty="press")
    machine = await shop.equipment()
    first = await shop.intervention(shop.manager, machine["id"], title="First")
    second = await shop.intervention(shop.manager, machine["id"], title="Second")
    day = monday(3)

    def assign(job: dict[str, str], hour: int, minute: int) -> object:
        return shop.call(
            shop.manager,
            "POST",
            f"/interventions/{job['id']}/assign",
            json={
                "technician_id": profile["id"],
                "scheduled_at": at(day, hour, minute),
                "estimated_minutes": 120,
            },
        )

    answers = await asyncio.gather(assign(first, 9, 0), assign(second, 10, 0))  # type: ignore[arg-type]
    codes = sorted(a.status_code for a in answers)  # type: ignore[attr-defined]
    assert codes == [200, 409], [a.text for a in answers]  # type: ignore[attr-defined]
    won = next(a for a in answers if a.status_code == 200)  # type: ignore[attr-defined]
    lost = next(a for a in answers if a.status_code == 409)  # type: ignore[attr-defined]
    problem = lost.json()
    assert problem["code"] == "schedule_conflict"
    assert problem["conflicting_entry_id"] == won.json()["planning_entry_id"]
    assert problem["conflicting_entry_id"] in problem["detail"]
    planning = await shop.ok(shop.manager, "GET", f"/planning?technician_id={profile['id']}")
    assert planning["total"] == 1
    # Rescheduling the loser's slot elsewhere is fine; onto the winner's is a clash.
    loser_job = first if won.json()["id"] == second["id"] else second
    late = await shop.ok(
        shop.manager,
        "POST",
        f"/interventions/{loser_job['id']}/assign",
        json={"technician_id": profile["id"], "scheduled_at": at(day, 14), "estimated_minutes": 60},
    )
    entry = await shop.call(shop.manager, "GET", f"/planning?technician_id={profile['id']}")
    late_entry = next(e for e in entry.json()["items"] if e["id"] == late["planning_entry_id"])
    clash = await shop.call(
        shop.manager,
        "PATCH",
        f"/planning/{late_entry['id']}",
        json={"scheduled_at": won.json()["scheduled_at"]},
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "schedule_conflict"
    moved = await shop.call(
        shop.manager,
        "PATCH",
        f"/planning/{late_entry['id']}",
        headers={"If-Match": f'"{late_entry["version"]}"'},
        json={"scheduled_at": at(day, 15)},
    )
    assert moved.status_code == 200
    assert moved.headers["etag"] == f'"{moved.json()["version"]}"'
    conflicts = await shop.ok(
        shop.manager,
        "GET",
        "/planning/conflicts",
        params={"from": day.isoformat(), "to": at(day, 23)},
    )
    assert not [c for c in conflicts["items"] if c["technician_id"] == profile["id"]]


async def test_idempotency_key_replays_the_first_answer(shop: Workshop) -> None:
    key = str(uuid.uuid4())
    location = tag()
    body = {
        "name": "Boiler",
        "type": "boiler",
        "serial_number": f"SN-{tag()}",
        "location": location,
    }
    headers = {"Idempotency-Key": key}
    first = await shop.call(shop.manager, "POST", "/equipment", json=body, headers=headers)
    assert first.status_code == 201
    reordered = dict(reversed(list(body.items())))
    again = await shop.call(shop.manager, "POST", "/equipment", json=reordered, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    listed = await shop.ok(shop.manager, "GET", "/equipment", params={"location": location})
    assert listed["total"] == 1
    reused = await shop.call(
        shop.manager, "POST", "/equipment", json={**body, "name": "Other"}, headers=headers
    )
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    # Keys belong to their caller: the admin's same key is a new request (409: same serial).
    other = await shop.call(shop.admin, "POST", "/equipment", json=body, headers=headers)
    assert other.status_code == 409
    assert other.json()["code"] == "serial_taken"
    blank = await shop.call(
        shop.manager, "POST", "/equipment", json=body, headers={"Idempotency-Key": " "}
    )
    assert blank.status_code == 422


async def test_concurrent_requests_with_one_key_create_once(shop: Workshop) -> None:
    machine = await shop.equipment(owner=shop.client_user)
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"title": "Noise", "equipment_id": machine["id"]}
    answers = await asyncio.gather(
        *(
            shop.call(shop.client_user, "POST", "/interventions", json=body, headers=headers)
            for _ in range(3)
        )
    )
    created = [a for a in answers if a.status_code == 201]
    assert created
    assert all(a.status_code in (201, 409) for a in answers)
    assert len({a.json()["id"] for a in created}) == 1
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["code"] == "idempotency_in_progress"
    listed = await shop.ok(shop.client_user, "GET", "/interventions")
    assert listed["total"] == 1
