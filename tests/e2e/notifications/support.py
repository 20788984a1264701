"""A live Atelier (real server, relay and queue in process) for the notifications tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import websockets

from entrypoints.bootstrap.container import Container, build_container, start
from entrypoints.bootstrap.settings import Settings
from entrypoints.http.app import create_app
from tests.e2e.identity.support import Api, Session
from tests.e2e.maintenance.support import Workshop, at, monday
from tests.support.live_server import live_server
from tests.support.smtp import SmtpSink

API = "/api/v1"


def live_overrides(smtp: SmtpSink) -> dict[str, Any]:
    return {
        "mailer": "smtp",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "smtp_starttls": False,
        "smtp_timeout_seconds": 2.0,
        "relay_poll_seconds": 0.2,
        "ws_auth_timeout_seconds": 1.0,
        "notification_mail_retry_seconds": 0.5,
    }


class Live:
    def __init__(self, base: str, container: Container, smtp: SmtpSink) -> None:
        self.base, self.container, self.smtp = base, container, smtp
        self.client = httpx.AsyncClient(base_url=f"http://{base}", timeout=10)
        self.api = Api(self.client, container)
        self.shop = Workshop(self.api)

    def ws(self) -> Any:
        return websockets.connect(f"ws://{self.base}{API}/notifications/ws")

    async def socket(self, who: Session) -> Any:
        socket = await self.ws().__aenter__()
        await socket.send(json.dumps({"type": "auth", "token": who.access}))
        ready = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert ready["type"] == "ready", ready
        return socket

    async def notifications(self, who: Session, **params: Any) -> dict[str, Any]:
        response = await self.client.get(f"{API}/notifications", headers=who.headers, params=params)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def wait_notifications(
        self, who: Session, count: int = 1, seconds: float = 15.0
    ) -> dict[str, Any]:
        async with asyncio.timeout(seconds):
            while True:
                page = await self.notifications(who)
                if page["total"] >= count:
                    return page
                await asyncio.sleep(0.1)

    async def assigned_intervention(self, requester: Session, tech: Session) -> dict[str, Any]:
        """An intervention ``requester`` reports, assigned by the manager to ``tech``."""
        shop = self.shop
        profile = await shop.technician_profile(tech, skills=["hydraulics"], specialty="presses")
        machine = await shop.equipment(owner=requester)
        request = await shop.ok(
            requester,
            "POST",
            "/interventions",
            201,
            json={"title": "Press leaking oil", "equipment_id": machine["id"], "priority": "high"},
        )
        return await shop.ok(  # type: ignore[no-any-return]
            shop.manager,
            "POST",
            f"/interventions/{request['id']}/assign",
            json={
                "scheduled_at": at(monday(), 9),
                "estimated_minutes": 60,
                "technician_id": profile["id"],
            },
        )


async def next_message(socket: Any, kind: str, seconds: float = 15.0) -> dict[str, Any]:
    """The next message of type ``kind`` (heartbeats skipped)."""
    async with asyncio.timeout(seconds):
        while True:
            message: dict[str, Any] = json.loads(await socket.recv())
            if message.get("type") == kind:
                return message


@asynccontextmanager
async def open_live(
    settings_factory: Callable[..., Settings], smtp: SmtpSink, **overrides: Any
) -> AsyncIterator[Live]:
    settings = settings_factory(**{**live_overrides(smtp), **overrides})
    container = build_container(settings)
    await start(container)
    app = create_app(container, background=True)
    async with live_server(app) as base:
        live = Live(base, container, smtp)
        live.shop = await Workshop.open(live.api)
        try:
            yield live
        finally:
            await live.client.aclose()
