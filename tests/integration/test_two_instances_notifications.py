"""Two app instances sharing PostgreSQL and Redis: an assignment made through instance A
(which also runs the relay and the queue's worker) reaches the technician's socket held by
instance B (web only), through the Redis channels backend."""

from __future__ import annotations

import asyncio
from pathlib import Path

from entrypoints.bootstrap.container import build_container, start
from entrypoints.http.app import create_app
from tests.e2e.identity.support import make_settings
from tests.e2e.maintenance.support import Workshop
from tests.e2e.notifications.support import Live, live_overrides, next_message
from tests.support.live_server import live_server
from tests.support.smtp import SmtpSink


async def test_assignment_through_a_reaches_the_socket_on_b(
    migrated_postgres_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    smtp = SmtpSink().start()
    instances = []
    try:
        for name, background in (("a", True), ("b", False)):
            settings = make_settings(
                "production",
                tmp_path / name,
                postgres_url=migrated_postgres_url,
                redis_url=redis_url,
                redis_prefix=redis_prefix,
                **live_overrides(smtp),
            )
            container = build_container(settings)
            await start(container)
            instances.append((container, create_app(container, background=background)))
        (container_a, app_a), (container_b, app_b) = instances
        async with live_server(app_a) as base_a, live_server(app_b) as base_b:
            a, b = Live(base_a, container_a, smtp), Live(base_b, container_b, smtp)
            a.shop = await Workshop.open(a.api)
            socket = await b.socket(a.shop.tech)  # the technician is connected to B
            assigned = await a.assigned_intervention(a.shop.client_user, a.shop.tech)
            pushed = await next_message(socket, "notification", seconds=15)
            assert pushed["data"]["intervention_id"] == assigned["id"]
            # the other instance lists it too (one database)
            page = await b.notifications(a.shop.tech)
            assert [item["id"] for item in page["items"]] == [pushed["id"]]
            await socket.close()
            await asyncio.gather(a.client.aclose(), b.client.aclose())
    finally:
        smtp.stop()
