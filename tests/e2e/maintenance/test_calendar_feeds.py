"""The secret calendar feed over HTTP (both profiles): a calendar app subscribes without a
bearer token; rotation and revocation end the old URL; the bearer route says the same."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from icalendar import Calendar

from tests.e2e.maintenance.support import API, Workshop, at, monday

FEEDS = "/planning/feeds"


async def _booked_week(shop: Workshop) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    profile = await shop.technician_profile(shop.tech, skills=["welding"], specialty="press")
    machine = await shop.equipment(name="Hydraulic press 7", location="Hall C")
    job = await shop.intervention(shop.manager, machine["id"], title="Replace the seal")
    await shop.ok(
        shop.manager,
        "POST",
        f"/interventions/{job['id']}/assign",
        json={
            "technician_id": profile["id"],
            "scheduled_at": at(monday(), 9),
            "estimated_minutes": 90,
        },
    )
    return profile, machine, job


def _events(content: bytes) -> tuple[Calendar, list[Any]]:
    calendar = Calendar.from_ical(content)
    return calendar, list(calendar.walk("VEVENT"))


async def test_a_calendar_app_subscribes_without_a_bearer_token(shop: Workshop) -> None:
    profile, machine, job = await _booked_week(shop)
    issued = await shop.call(shop.tech, "POST", f"/planning/technicians/{profile['id']}/feed")
    assert issued.status_code == 201, issued.text
    body = issued.json()
    assert issued.headers["cache-control"] == "no-store"
    assert body["technician_id"] == profile["id"]
    assert body["url"].endswith(f"{API}{FEEDS}/{body['token']}.ics")
    assert body["url"].startswith("http")
    # no Authorization header at all
    feed = await shop.client.get(f"{API}{FEEDS}/{body['token']}.ics")
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("text/calendar")
    assert feed.headers["ratelimit-limit"] == "60"
    calendar, events = _events(feed.content)
    assert str(calendar["X-WR-CALNAME"]) == "Atelier - Test Technician"
    assert [str(e["SUMMARY"]) for e in events] == ["Replace the seal - Hydraulic press 7"]
    assert str(events[0]["LOCATION"]) == "Hall C"
    for secret_free in (str(events[0]["SUMMARY"]), str(calendar["X-WR-CALNAME"])):
        assert job["id"] not in secret_free
        assert machine["id"] not in secret_free
    # the bearer route answers the same events
    bearer = await shop.call(shop.manager, "GET", f"/planning/technicians/{profile['id']}.ics")
    assert bearer.status_code == 200
    same_calendar, same = _events(bearer.content)
    assert str(same_calendar["X-WR-CALNAME"]) == str(calendar["X-WR-CALNAME"])
    keys = ("UID", "SUMMARY", "LOCATION", "DESCRIPTION", "DTSTART", "DTEND", "SEQUENCE")
    assert [[str(e[k]) for k in keys] for e in same] == [[str(e[k]) for k in keys] for e in events]
    # from/to narrow it
    later = monday() + timedelta(days=1)
    empty = await shop.client.get(
        f"{API}{FEEDS}/{body['token']}.ics", params={"from": later.isoformat()}
    )
    assert empty.status_code == 200
    assert _events(empty.content)[1] == []


async def test_rotation_and_revocation_end_the_old_url(shop: Workshop) -> None:
    profile, _, _ = await _booked_week(shop)
    path = f"/planning/technicians/{profile['id']}/feed"
    first = (await shop.ok(shop.tech, "POST", path, 201))["token"]
    second = (await shop.ok(shop.manager, "POST", path, 201))["token"]
    old = await shop.client.get(f"{API}{FEEDS}/{first}.ics")
    assert old.status_code == 404
    assert old.headers["content-type"].startswith("application/problem+json")
    assert (await shop.client.get(f"{API}{FEEDS}/{second}.ics")).status_code == 200
    status = await shop.ok(shop.tech, "GET", path)
    assert status["technician_id"] == profile["id"]
    assert "token" not in status
    assert (await shop.call(shop.tech, "DELETE", path)).status_code == 204
    assert (await shop.client.get(f"{API}{FEEDS}/{second}.ics")).status_code == 404
    assert (await shop.call(shop.tech, "GET", path)).status_code == 404
    assert (await shop.call(shop.tech, "DELETE", path)).status_code == 404


async def test_unknown_or_malformed_feed_urls_are_404(shop: Workshop) -> None:
    profile, _, _ = await _booked_week(shop)
    token = (await shop.ok(shop.tech, "POST", f"/planning/technicians/{profile['id']}/feed", 201))[
        "token"
    ]
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for name in (
        f"{flipped}.ics",
        token,
        f"{token}.pdf",
        "nope.ics",
        f"{'0' * 32}{token[32:]}.ics",
    ):
        answer = await shop.client.get(f"{API}{FEEDS}/{name}")
        assert answer.status_code == 404, (name, answer.status_code)


async def test_only_the_technician_and_staff_manage_the_feed(shop: Workshop) -> None:
    profile, _, _ = await _booked_week(shop)
    path = f"/planning/technicians/{profile['id']}/feed"
    for outsider in (shop.other_tech, shop.client_user):
        assert (await shop.call(outsider, "POST", path)).status_code == 404
        assert (await shop.call(outsider, "DELETE", path)).status_code == 404
    assert (await shop.call(None, "POST", path)).status_code == 401
    for staff in (shop.manager, shop.admin):
        assert (await shop.call(staff, "POST", path)).status_code == 201


async def test_only_a_hash_of_the_secret_is_stored(shop: Workshop) -> None:
    profile, _, _ = await _booked_week(shop)
    token = (await shop.ok(shop.tech, "POST", f"/planning/technicians/{profile['id']}/feed", 201))[
        "token"
    ]
    database = shop.api.container.database()
    async with database.engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.text("SELECT * FROM calendar_feeds WHERE secret_hash IS NOT NULL")
            )
        ).all()
    stored = [str(value) for row in rows for value in row]
    assert all(token[32:] not in value for value in stored)
    assert any(len(value) == 64 for value in stored)  # the SHA-256 of the secret
