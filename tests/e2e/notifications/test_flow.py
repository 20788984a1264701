"""The notifications as a user meets them, on both profiles: an assignment reaches the
technician in the list, on an open socket and by mail (both parts); the requester is told
when the work starts and is completed; reading; someone else's notification is hidden; a
socket that never authenticates is closed with 4401; a mail server that is down delays the
mail, never the notification."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from websockets.exceptions import ConnectionClosed

from entrypoints.http.realtime import CLOSE_UNAUTHENTICATED
from tests.e2e.identity.conftest import SettingsFactory
from tests.e2e.notifications.support import API, Live, next_message, open_live
from tests.support.smtp import SmtpSink


async def test_assignment_reaches_the_technician_everywhere(live: Live) -> None:
    shop = live.shop
    socket = await live.socket(shop.tech)
    assigned = await live.assigned_intervention(shop.client_user, shop.tech)

    pushed = await next_message(socket, "notification")
    assert pushed["title"] == "New intervention assigned"
    assert pushed["level"] == "warning"
    assert pushed["read"] is False
    assert pushed["data"]["intervention_id"] == assigned["id"]
    assert "Press leaking oil" in pushed["message"]

    page = await live.wait_notifications(shop.tech)
    assert page["total"] == 1
    assert page["unread"] == 1
    item = page["items"][0]
    assert set(item) == {"id", "title", "message", "level", "read", "created_at", "data"}
    assert item["id"] == pushed["id"]

    mail = await asyncio.to_thread(live.smtp.wait_for, shop.tech.email)
    assert "New intervention assigned" in str(mail["Subject"])
    assert mail.get_content_type() == "multipart/alternative"
    plain = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert plain is not None
    assert html is not None
    assert "Press leaking oil" in plain.get_content()
    assert "<html" in html.get_content()
    assert "Press leaking oil" in html.get_content()
    await socket.close()

    # nobody else was told; the technician reads it
    assert (await live.notifications(shop.other_tech))["total"] == 0
    other = await shop.call(shop.other_tech, "POST", f"/notifications/{item['id']}/read")
    assert other.status_code == 404
    read = await shop.call(shop.tech, "POST", f"/notifications/{item['id']}/read")
    assert read.status_code == 204
    page = await live.notifications(shop.tech)
    assert page["unread"] == 0
    assert page["items"][0]["read"] is True
    assert (await live.notifications(shop.tech, unread="true"))["total"] == 0
    missing = await shop.call(shop.tech, "POST", f"/notifications/{uuid.uuid4()}/read")
    assert missing.status_code == 404


async def test_requester_is_told_when_work_starts_and_completes(live: Live) -> None:
    shop = live.shop
    assigned = await live.assigned_intervention(shop.client_user, shop.tech)
    socket = await live.socket(shop.client_user)
    await shop.ok(shop.tech, "POST", f"/interventions/{assigned['id']}/start")
    started = await next_message(socket, "notification")
    assert started["title"] == "Intervention started"
    await shop.ok(
        shop.tech,
        "POST",
        f"/interventions/{assigned['id']}/complete",
        json={"report": "Seal replaced."},
    )
    done = await next_message(socket, "notification")
    assert done["title"] == "Intervention completed"
    assert done["level"] == "success"
    await socket.close()

    page = await live.wait_notifications(shop.client_user, 2)
    assert [item["title"] for item in page["items"]] == [
        "Intervention completed",
        "Intervention started",
    ]
    # catching up after the first one
    after = await live.notifications(shop.client_user, after=started["id"])
    assert [item["id"] for item in after["items"]] == [done["id"]]
    assert (await shop.call(shop.client_user, "POST", "/notifications/read-all")).status_code == 204
    assert (await live.notifications(shop.client_user))["unread"] == 0
    # success and info are not mailed
    await asyncio.sleep(0.5)
    assert live.smtp.to(shop.client_user.email) == []


async def test_socket_that_never_authenticates_is_closed_with_4401(live: Live) -> None:
    async with live.ws() as socket:
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(5):
                await socket.recv()
        assert socket.close_code == CLOSE_UNAUTHENTICATED
    async with live.ws() as socket:
        await socket.send('{"type": "auth", "token": "not-a-token"}')
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(5):
                await socket.recv()
        assert socket.close_code == CLOSE_UNAUTHENTICATED


async def test_list_answers_bad_input_with_4xx(live: Live) -> None:
    shop = live.shop
    for params in ({"after": "nope"}, {"unread": "maybe"}, {"sort": "title"}, {"limit": "-1"}):
        response = await shop.call(shop.tech, "GET", "/notifications", params=params)
        assert 400 <= response.status_code < 500, (params, response.text)
    unauthenticated = await live.client.get(f"{API}/notifications")
    assert unauthenticated.status_code == 401


async def test_mail_server_down_delays_the_mail_never_the_notification(
    settings_factory: SettingsFactory,
) -> None:
    smtp = SmtpSink()  # not started: the mail server is down
    async with open_live(settings_factory, smtp) as live:
        shop = live.shop
        await live.assigned_intervention(shop.client_user, shop.tech)
        page = await live.wait_notifications(shop.tech, seconds=5)
        assert page["total"] == 1
        await asyncio.sleep(1.5)  # the first attempts fail
        assert smtp.to(shop.tech.email) == []
        smtp.start()
        try:
            mail = await asyncio.to_thread(smtp.wait_for, shop.tech.email, 30.0)
            assert "New intervention assigned" in str(mail["Subject"])
            await asyncio.sleep(0.5)
            assert len(smtp.to(shop.tech.email)) == 1
        finally:
            smtp.stop()


async def test_email_can_be_turned_off_in_preferences(live: Live) -> None:
    shop = live.shop
    response = await shop.call(
        shop.tech,
        "PUT",
        "/users/me/preferences",
        json={
            "favorite_namespaces": [],
            "favorite_collections": [],
            "favorite_modules": [],
            "settings": {"notifications": {"email": False}},
        },
    )
    assert response.status_code == 200, response.text
    await live.assigned_intervention(shop.client_user, shop.tech)
    await live.wait_notifications(shop.tech)
    await asyncio.sleep(2.0)  # the mail job has run (and sent nothing)
    assert live.smtp.to(shop.tech.email) == []


async def test_equipment_down_tells_every_manager(live: Live) -> None:
    shop = live.shop
    socket = await live.socket(shop.manager)
    machine = await shop.equipment()
    changed = await shop.call(
        shop.manager,
        "PATCH",
        f"/equipment/{machine['id']}",
        json={"status": "down"},
        headers={"If-Match": f'"{machine["version"]}"'},
    )
    assert changed.status_code == 200, changed.text
    pushed = await next_message(socket, "notification")
    assert pushed["title"] == "Equipment down"
    assert pushed["level"] == "error"
    assert pushed["data"]["equipment_id"] == machine["id"]
    await socket.close()
    mail = await asyncio.to_thread(live.smtp.wait_for, shop.manager.email)
    assert "Equipment down" in str(mail["Subject"])
    assert (await live.notifications(shop.tech))["total"] == 0
