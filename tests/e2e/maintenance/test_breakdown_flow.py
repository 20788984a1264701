"""A breakdown from the client's request to its completion, on both profiles: a manager, a
technician and a client through the HTTP API only."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from tests.e2e.maintenance.support import Workshop, at, iso, monday, tag


async def test_breakdown_from_request_to_completion(shop: Workshop) -> None:
    kind = tag()
    skill = f"{kind} hydraulics"
    before = await shop.ok(shop.manager, "GET", "/dashboard/stats")
    mine = await shop.technician_profile(shop.tech, skills=[skill, "welding"], specialty=kind)
    rival = await shop.technician_profile(
        shop.other_tech, skills=["painting"], specialty="painter", level="junior"
    )
    machine = await shop.equipment(
        owner=shop.client_user, type=kind, last_maintenance_at="2026-01-05T08:00:00Z"
    )

    # The client reports the breakdown on their own equipment.
    response = await shop.call(
        shop.client_user,
        "POST",
        "/interventions",
        json={
            "title": "Press leaking oil",
            "description": "Oil under the main cylinder.",
            "equipment_id": machine["id"],
            "priority": "high",
            "required_skills": [skill],
            "status": "done",  # server-owned: ignored
            "created_by": shop.manager.user_id,  # server-owned: ignored
        },
    )
    assert response.status_code == 201, response.text
    request = response.json()
    assert response.headers["location"] == f"/api/v1/interventions/{request['id']}"
    assert response.headers["etag"] == f'"{request["version"]}"'
    assert request["status"] == "open"
    assert request["created_by"] == shop.client_user.user_id
    seen = await shop.call(shop.client_user, "GET", f"/interventions/{request['id']}")
    assert seen.status_code == 200
    assert seen.headers["etag"] == f'"{request["version"]}"'

    # The manager lets the system pick the technician (after a dry run of the rival).
    day = monday()
    trial = await shop.ok(
        shop.manager,
        "POST",
        f"/interventions/{request['id']}/assign",
        json={
            "scheduled_at": at(day, 9),
            "estimated_minutes": 90,
            "technician_id": rival["id"],
            "dry_run": True,
        },
    )
    assert trial["status"] == "open"
    assert trial["assignment"]["technician_id"] == rival["id"]
    rival_score = trial["assignment"]["score"]
    assigned = await shop.ok(
        shop.manager,
        "POST",
        f"/interventions/{request['id']}/assign",
        json={"scheduled_at": at(day, 9), "estimated_minutes": 90},
    )
    assert assigned["status"] == "planned"
    assert assigned["technician_id"] == mine["id"]
    assignment = assigned["assignment"]
    assert assignment["technician_id"] == mine["id"]
    assert assignment["score"] > 0
    assert set(assignment["reasons"]) >= {"skills", "equipment_type", "availability", "load"}
    assert assignment["reasons"]["skills"] > 0
    assert assignment["reasons"]["equipment_type"] > 0
    # the best ranked candidates (at most 10), the chosen one first, and how many were ranked
    candidates = assignment["candidates"]
    assert candidates[0]["technician_id"] == mine["id"]
    assert candidates[0]["score"] == assignment["score"]
    assert 2 <= len(candidates) <= 10
    assert assignment["candidates_total"] >= max(2, len(candidates))
    assert assignment["score"] > rival_score
    assert iso(assigned["scheduled_at"]) == iso(at(day, 9))

    # The technician works on it.
    started = await shop.ok(shop.tech, "POST", f"/interventions/{request['id']}/start")
    assert started["status"] == "in_progress"
    assert started["started_at"]
    done = await shop.ok(
        shop.tech,
        "POST",
        f"/interventions/{request['id']}/complete",
        json={"report": "Replaced the cylinder seal; pressure test passed."},
    )
    assert done["status"] == "done"
    assert done["completed_at"]

    # The equipment's maintenance dates moved, and the client sees the outcome.
    equipment = await shop.ok(shop.client_user, "GET", f"/equipment/{machine['id']}")
    assert iso(equipment["last_maintenance_at"]) == iso(done["completed_at"])
    assert iso(equipment["next_maintenance_at"]) == iso(done["completed_at"]) + timedelta(days=90)
    assert equipment["interventions_count"] == 1
    outcome = await shop.ok(shop.client_user, "GET", f"/interventions/{request['id']}")
    assert outcome["status"] == "done"
    assert outcome["report"] == "Replaced the cylinder seal; pressure test passed."
    page = await shop.ok(shop.client_user, "GET", "/interventions")
    assert [item["id"] for item in page["items"]] == [request["id"]]
    history = await shop.ok(shop.client_user, "GET", f"/equipment/{machine['id']}/history")
    assert [item["id"] for item in history["items"]] == [request["id"]]

    # The dashboard reflects it.
    after = await shop.ok(shop.manager, "GET", "/dashboard/stats")
    assert set(after) == {"interventions", "equipment", "technicians", "kpi"}
    assert set(after["interventions"]) == {
        "total",
        "open",
        "in_progress",
        "done_this_week",
        "critical",
        "overdue",
    }
    assert set(after["equipment"]) == {"total", "operational", "down", "maintenance_due"}
    assert set(after["technicians"]) == {"total", "available", "busy", "average_load"}
    assert set(after["kpi"]) == {
        "mean_resolution_hours",
        "on_time_rate",
        "mttr_hours",
        "mtbf_hours",
    }
    assert after["interventions"]["total"] == before["interventions"]["total"] + 1
    assert after["interventions"]["done_this_week"] == before["interventions"]["done_this_week"] + 1
    assert after["equipment"]["total"] == before["equipment"]["total"] + 1
    assert after["technicians"]["total"] == before["technicians"]["total"] + 2
    assert after["kpi"]["mean_resolution_hours"] is not None

    # The audit trail names who changed what, old -> new.
    trail = await shop.ok(
        shop.manager, "GET", f"/audit?entity_type=intervention&entity_id={request['id']}"
    )
    by_action = {entry["action"]: entry for entry in trail["items"]}
    assert [entry["action"] for entry in trail["items"]][:3] == ["complete", "start", "assign"]
    assert by_action["assign"]["actor_id"] == shop.manager.user_id
    assert by_action["assign"]["changes"]["status"] == {"old": "open", "new": "planned"}
    assert by_action["assign"]["changes"]["technician_id"] == {"old": None, "new": mine["id"]}
    assert by_action["start"]["actor_id"] == shop.tech.user_id
    assert by_action["complete"]["changes"]["status"] == {"old": "in_progress", "new": "done"}
    assert by_action["create"]["actor_id"] == shop.client_user.user_id
    machine_trail = await shop.ok(
        shop.manager, "GET", f"/audit?entity_type=equipment&entity_id={machine['id']}"
    )
    moved = [e for e in machine_trail["items"] if "last_maintenance_at" in e["changes"]]
    assert moved
    assert moved[0]["changes"]["last_maintenance_at"]["old"].startswith("2026-01-05")

    # The PDF report and the technician's calendar.
    pdf = await shop.call(shop.manager, "GET", f"/interventions/{request['id']}/report.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.content.startswith(b"%PDF")
    ics = await shop.call(
        shop.tech,
        "GET",
        f"/planning/technicians/{mine['id']}.ics",
        params={"from": day.isoformat(), "to": (day + timedelta(days=7)).isoformat()},
    )
    assert ics.status_code == 200, ics.text
    assert ics.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(ics.content)
    assert calendar["VERSION"] == "2.0"
    assert "PRODID" in calendar
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["UID"]) == f"{assigned['planning_entry_id']}@atelier"
    assert events[0].decoded("DTSTART") == iso(at(day, 9))
    assert events[0].decoded("DTEND") == iso(at(day, 10, 30))
    assert "DTSTAMP" in events[0]
    # names, not ids: the intervention's title, the equipment's name and location
    assert str(events[0]["SUMMARY"]) == f"Press leaking oil - {machine['name']}"
    assert str(events[0]["LOCATION"]) == machine["location"]
    assert machine["id"] not in str(events[0]["SUMMARY"])
    assert str(calendar["X-WR-CALNAME"]) == "Atelier - Test Technician"
