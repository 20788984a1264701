"""Filters, sorting and pagination of the maintenance lists; time parameters; preventive
planning; availability; nothing answers 500 to bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.e2e.maintenance.support import Workshop, at, monday, tag


async def test_equipment_filters_sort_and_pages(shop: Workshop) -> None:
    place = tag()
    for name in ("Charlie", "alpha", "Bravo"):
        await shop.equipment(name=name, location=place, type="lathe")
    await shop.equipment(name="Delta", location=place, type="mill", status="down")

    lathes = await shop.ok(
        shop.manager,
        "GET",
        "/equipment",
        params={"location": place, "type": "LATHE", "sort": "-name"},
    )
    assert [e["name"] for e in lathes["items"]] == ["Charlie", "Bravo", "alpha"]
    assert (lathes["total"], lathes["limit"], lathes["offset"]) == (3, 50, 0)
    page = await shop.ok(
        shop.manager,
        "GET",
        "/equipment",
        params={"location": place, "sort": "name", "limit": 2, "offset": 2},
    )
    assert [e["name"] for e in page["items"]] == ["Charlie", "Delta"]
    assert page["total"] == 4
    assert page["limit"] == 2
    assert page["offset"] == 2
    down = await shop.ok(
        shop.manager, "GET", "/equipment", params={"location": place, "status": "down"}
    )
    assert [e["name"] for e in down["items"]] == ["Delta"]
    found = await shop.ok(shop.manager, "GET", "/equipment", params={"q": place[2:8]})
    assert found["total"] == 4
    capped = await shop.ok(shop.manager, "GET", "/equipment", params={"limit": 1000})
    assert capped["limit"] == 200
    # A technician reads equipment too.
    assert (await shop.ok(shop.tech, "GET", "/equipment", params={"location": place}))["total"] == 4


@pytest.mark.parametrize(
    "query",
    [
        {"limit": -1},
        {"limit": "ten"},
        {"offset": -5},
        {"offset": "x"},
        {"sort": "serial_key"},
        {"sort": "--name"},
        {"status": "broken"},
        {"owner_id": "not-a-uuid"},
        {"maintenance_due": "perhaps"},
    ],
)
async def test_bad_list_parameters_are_422(shop: Workshop, query: dict[str, object]) -> None:
    response = await shop.call(shop.manager, "GET", "/equipment", params=query)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_intervention_filters_and_time_parameters(shop: Workshop) -> None:
    machine = await shop.equipment(owner=shop.client_user)
    word = tag()
    urgent = await shop.intervention(
        shop.client_user, machine["id"], title=f"Fire {word}", priority="critical"
    )
    await shop.intervention(
        shop.client_user, machine["id"], title="Squeak", due_at="2020-01-01T00:00:00Z"
    )
    by_priority = await shop.ok(
        shop.manager,
        "GET",
        "/interventions",
        params={"equipment_id": machine["id"], "priority": "critical"},
    )
    assert [i["id"] for i in by_priority["items"]] == [urgent["id"]]
    by_text = await shop.ok(shop.manager, "GET", "/interventions", params={"q": word})
    assert [i["id"] for i in by_text["items"]] == [urgent["id"]]
    overdue = await shop.ok(
        shop.manager,
        "GET",
        "/interventions",
        params={"equipment_id": machine["id"], "overdue": "true"},
    )
    assert [i["title"] for i in overdue["items"]] == ["Squeak"]
    assert overdue["items"][0]["overdue"]
    by_sort = await shop.ok(
        shop.manager,
        "GET",
        "/interventions",
        params={"equipment_id": machine["id"], "sort": "-priority"},
    )
    assert [i["priority"] for i in by_sort["items"]] == ["critical", "normal"]
    created = urgent["created_at"][:10]
    for start, end, count in [
        (created, None, 2),
        (f"{created}T00:00:00+02:00", None, 2),
        ("2999-01-01", None, 0),
        (None, created, 0),
    ]:
        params = {"equipment_id": machine["id"]}
        if start:
            params["created_from"] = start
        if end:
            params["created_to"] = end
        listed = await shop.ok(shop.manager, "GET", "/interventions", params=params)
        assert listed["total"] == count, params
    for garbage in ("yesterday", "2026-13-45", "2026-11-21T09:00:00", "1" * 60):
        for route, name in (
            ("/interventions", "created_from"),
            ("/audit", "from"),
            ("/planning", "to"),
        ):
            bad = await shop.call(shop.manager, "GET", route, params={name: garbage})
            assert bad.status_code == 422, (route, name, garbage, bad.text)
    audit = await shop.ok(
        shop.manager,
        "GET",
        "/audit",
        params={"entity_id": urgent["id"], "from": created, "actor_id": shop.client_user.user_id},
    )
    assert [e["action"] for e in audit["items"]] == ["create"]
    assert audit["items"][0]["changes"]["title"] == {"old": None, "new": f"Fire {word}"}


async def test_preventive_planning_is_idempotent(shop: Workshop) -> None:
    await shop.technician_profile(shop.tech, skills=["lubrication"], specialty="press")
    week = monday(5)
    due = (week - timedelta(days=90) + timedelta(days=2)).isoformat() + "T06:00:00Z"
    machine = await shop.equipment(maintenance_interval_days=90, last_maintenance_at=due)
    first = await shop.call(
        shop.manager, "POST", "/planning/preventive", json={"week_start": week.isoformat()}
    )
    assert first.status_code == 201, first.text
    made = [c for c in first.json()["created"] if c["equipment_id"] == machine["id"]]
    assert len(made) == 1
    assert made[0]["intervention"]["type"] == "preventive"
    assert made[0]["intervention"]["status"] == "planned"
    assert week.isoformat() <= made[0]["entry"]["scheduled_at"][:10]
    second = await shop.call(
        shop.manager, "POST", "/planning/preventive", json={"week_start": week.isoformat()}
    )
    assert second.status_code == 200, second.text
    assert second.json()["created"] == []
    skipped = {s["equipment_id"]: s["reason"] for s in second.json()["skipped"]}
    assert skipped[machine["id"]] == "already_planned"
    history = await shop.ok(shop.manager, "GET", f"/equipment/{machine['id']}/history")
    assert history["total"] == 1
    not_monday = await shop.call(
        shop.manager,
        "POST",
        "/planning/preventive",
        json={"week_start": (week + timedelta(days=1)).isoformat()},
    )
    assert not_monday.status_code == 422
    refused = await shop.call(
        shop.tech, "POST", "/planning/preventive", json={"week_start": week.isoformat()}
    )
    assert refused.status_code == 403


async def test_availability_and_calendar(shop: Workshop) -> None:
    profile = await shop.technician_profile(shop.tech, skills=["welding"], specialty="press")
    machine = await shop.equipment()
    day = monday(4)
    jobs = []
    for hour in (9, 13):
        job = await shop.intervention(shop.manager, machine["id"], title=f"Job {hour}")
        await shop.ok(
            shop.manager,
            "POST",
            f"/interventions/{job['id']}/assign",
            json={
                "technician_id": profile["id"],
                "scheduled_at": at(day, hour),
                "estimated_minutes": 60,
            },
        )
        jobs.append(job)
    slots = await shop.ok(
        shop.tech,
        "GET",
        f"/technicians/{profile['id']}/availability",
        params={"from": day.isoformat(), "to": at(day, 17)},
    )
    assert [b["intervention_id"] for b in slots["busy"]] == [j["id"] for j in jobs]
    assert slots["free"]
    assert all(w["starts_at"] < w["ends_at"] for w in slots["free"])
    missing = await shop.call(shop.tech, "GET", f"/technicians/{profile['id']}/availability")
    assert missing.status_code == 422
    from icalendar import Calendar

    ics = await shop.call(
        shop.manager,
        "GET",
        f"/planning/technicians/{profile['id']}.ics",
        params={"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()},
    )
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == [
        f"Job 13 - {machine['name']}",
        f"Job 9 - {machine['name']}",
    ]
    assert len({str(e["UID"]) for e in events}) == 2
    for path in (
        f"/planning/technicians/{profile['id']}",
        "/planning/technicians/nope.ics",
        f"/planning/technicians/{profile['id']}.pdf",
    ):
        assert (await shop.call(shop.manager, "GET", path)).status_code == 404
    unknown = await shop.call(shop.manager, "GET", f"/planning/technicians/{jobs[0]['id']}.ics")
    assert unknown.status_code == 404
    assert (
        await shop.call(shop.client_user, "GET", f"/planning/technicians/{profile['id']}.ics")
    ).status_code == 403
