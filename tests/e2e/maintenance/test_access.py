"""The roles matrix over HTTP: hidden rows are 404, forbidden actions on visible rows 403,
and the intervention life cycle refuses invalid transitions with 409."""

from __future__ import annotations

from tests.e2e.maintenance.support import Workshop, at, monday, tag


async def test_clients_see_only_their_own_equipment(shop: Workshop) -> None:
    theirs = await shop.equipment(owner=shop.other_client, location=tag())
    mine = await shop.equipment(owner=shop.client_user)
    hidden = await shop.call(shop.client_user, "GET", f"/equipment/{theirs['id']}")
    assert hidden.status_code == 404
    assert hidden.headers["content-type"].startswith("application/problem+json")
    assert hidden.json()["code"] == "not_found"
    listed = await shop.ok(shop.client_user, "GET", "/equipment")
    assert [item["id"] for item in listed["items"]] == [mine["id"]]
    # Nor may they open a request on it (it does not exist for them: the same 422 as an
    # equipment_id of no equipment at all).
    refused = await shop.call(
        shop.client_user,
        "POST",
        "/interventions",
        json={"title": "Not mine", "equipment_id": theirs["id"]},
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "unknown_reference"
    assert refused.json()["errors"][0]["field"] == "equipment_id"
    history = await shop.call(shop.client_user, "GET", f"/equipment/{theirs['id']}/history")
    assert history.status_code == 404


async def test_technicians_act_only_on_their_assignments(shop: Workshop) -> None:
    await shop.technician_profile(shop.tech, skills=["welding"], specialty="press")
    other = await shop.technician_profile(shop.other_tech, skills=["welding"], specialty="press")
    machine = await shop.equipment()
    job = await shop.intervention(shop.manager, machine["id"])
    await shop.ok(
        shop.manager,
        "POST",
        f"/interventions/{job['id']}/assign",
        json={
            "technician_id": other["id"],
            "scheduled_at": at(monday(), 10),
            "estimated_minutes": 60,
        },
    )
    # Technicians read every intervention, but only the assignee starts it.
    assert (await shop.call(shop.tech, "GET", f"/interventions/{job['id']}")).status_code == 200
    refused = await shop.call(shop.tech, "POST", f"/interventions/{job['id']}/start")
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    started = await shop.ok(shop.other_tech, "POST", f"/interventions/{job['id']}/start")
    assert started["status"] == "in_progress"


async def test_forbidden_actions(shop: Workshop) -> None:
    body = {"name": "Lathe", "type": "lathe", "serial_number": f"SN-{tag()}"}
    created = await shop.call(shop.tech, "POST", "/equipment", json=body)
    assert created.status_code == 403
    assert (await shop.call(shop.client_user, "POST", "/equipment", json=body)).status_code == 403
    for who in (shop.client_user, shop.tech):
        assert (await shop.call(who, "GET", "/dashboard/stats")).status_code == 403
        assert (await shop.call(who, "GET", "/audit")).status_code == 403
    assert (await shop.call(shop.client_user, "GET", "/technicians")).status_code == 403
    assert (await shop.call(shop.client_user, "GET", "/planning")).status_code == 403
    assert (await shop.call(shop.admin, "GET", "/audit")).status_code == 200
    unauthenticated = await shop.call(None, "GET", "/equipment")
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["www-authenticate"].startswith("Bearer")


async def test_technician_profiles_need_a_technician_user(shop: Workshop) -> None:
    refused = await shop.call(
        shop.manager, "POST", "/technicians", json={"user_id": shop.client_user.user_id}
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "not_a_technician"
    profile = await shop.technician_profile(shop.tech, skills=["welding"], specialty="press")
    again = await shop.call(
        shop.manager, "POST", "/technicians", json={"user_id": shop.tech.user_id}
    )
    assert again.status_code == 409
    # A technician may change their own availability, not their skills.
    own = await shop.ok(
        shop.tech, "PATCH", f"/technicians/{profile['id']}", json={"available": False}
    )
    assert own["available"] is False
    skills = await shop.call(
        shop.tech, "PATCH", f"/technicians/{profile['id']}", json={"skills": ["everything"]}
    )
    assert skills.status_code == 403


async def test_invalid_transitions_are_409(shop: Workshop) -> None:
    machine = await shop.equipment(owner=shop.client_user)
    job = await shop.intervention(shop.client_user, machine["id"])
    early = await shop.call(shop.manager, "POST", f"/interventions/{job['id']}/start")
    assert early.status_code == 409
    assert early.json()["code"] == "invalid_transition"
    finish = await shop.call(
        shop.manager, "POST", f"/interventions/{job['id']}/complete", json={"report": "done"}
    )
    assert finish.status_code == 409
    assert finish.json()["code"] == "invalid_transition"
    cancelled = await shop.ok(
        shop.client_user, "POST", f"/interventions/{job['id']}/cancel", json={"reason": "Fixed"}
    )
    assert cancelled["status"] == "cancelled"
    again = await shop.call(shop.manager, "POST", f"/interventions/{job['id']}/cancel")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    unassign = await shop.call(shop.manager, "POST", f"/interventions/{job['id']}/unassign")
    assert unassign.status_code == 409


async def test_assign_without_any_eligible_technician_is_422(shop: Workshop) -> None:
    machine = await shop.equipment()
    job = await shop.intervention(shop.manager, machine["id"])
    sunday_night = at(monday(), 2)  # outside everybody's working hours (Mon-Fri 8-17)
    refused = await shop.call(
        shop.manager,
        "POST",
        f"/interventions/{job['id']}/assign",
        json={"scheduled_at": sunday_night, "estimated_minutes": 60},
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "no_technician_available"
    dry = await shop.ok(
        shop.manager,
        "POST",
        f"/interventions/{job['id']}/assign",
        json={"scheduled_at": sunday_night, "estimated_minutes": 60, "dry_run": True},
    )
    assert dry["status"] == "open"
    assert dry["dry_run"] is True
    assert dry["assignment"]["technician_id"] is None
    assert all(not c["eligible"] for c in dry["assignment"]["candidates"])
