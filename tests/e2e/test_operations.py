"""Liveness, readiness and metrics."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any, ClassVar

import pytest
from dependency_injector import providers, resources
from litestar.testing import AsyncTestClient

from entrypoints.bootstrap.container import Container
from entrypoints.http import operations
from entrypoints.http.app import create_app
from entrypoints.http.metrics import DomainGauge, Metrics
from tests.e2e.conftest import ClientFactory, make_container
from tests.e2e.test_bad_input import assert_problem
from tests.support.live_server import http_client


class Unreachable:
    """A dependency whose ping fails the way a refused connection does."""

    async def ping(self) -> None:
        raise ConnectionRefusedError("connect to redis://user:s3cret@10.0.0.9:6379 refused")


class Hanging:
    async def ping(self) -> None:
        await asyncio.sleep(30)


class StubbornlyHanging:
    """A driver whose cancellation itself blocks (psycopg waits for the server to confirm a
    cancelled query): cancelling and awaiting this ping takes 3 s more."""

    def __init__(self) -> None:
        self.pings = 0

    async def ping(self) -> None:
        self.pings += 1
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            await asyncio.sleep(3)
            raise


async def test_live(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_every_dependency_answers(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
    }


async def test_not_ready_names_what_is_down_without_secrets(
    client_factory: ClientFactory,
) -> None:
    def break_cache(container: Container) -> None:
        container.cache.override(providers.Object(Unreachable()))

    client = await client_factory(prepare=break_cache)
    response = await client.get("/health/ready")
    body = assert_problem(response, 503, "dependency_unavailable")
    assert body["checks"] == {
        "database": "ok",
        "cache": "down: ConnectionRefusedError",
        "storage": "ok",
    }
    assert "cache" in body["detail"]
    assert "s3cret" not in response.text
    assert "10.0.0.9" not in response.text
    assert int(response.headers["retry-after"]) > 0


async def test_a_hanging_dependency_times_out(
    client_factory: ClientFactory, monkeypatch: Any
) -> None:
    monkeypatch.setattr(operations, "PING_TIMEOUT_SECONDS", 0.05)

    def hang_storage(container: Container) -> None:
        container.storage.override(providers.Object(Hanging()))

    client = await client_factory(prepare=hang_storage)
    body = assert_problem(await client.get("/health/ready"), 503, "dependency_unavailable")
    assert body["checks"]["storage"] == "down: Timeout"


@pytest.mark.slow
async def test_readiness_never_waits_for_a_blocking_cancellation(
    client_factory: ClientFactory, monkeypatch: Any
) -> None:
    monkeypatch.setattr(operations, "PING_TIMEOUT_SECONDS", 0.2)
    stubborn = StubbornlyHanging()

    def hang_database(container: Container) -> None:
        container.database.override(providers.Object(stubborn))

    client = await client_factory(prepare=hang_database)
    for _ in range(3):
        started = asyncio.get_running_loop().time()
        body = assert_problem(await client.get("/health/ready"), 503, "dependency_unavailable")
        assert asyncio.get_running_loop().time() - started < 1.0
        assert body["checks"] == {"database": "down: Timeout", "cache": "ok", "storage": "ok"}
    assert stubborn.pings == 1  # the probes did not pile up pings of a dependency that hangs


async def test_ready_with_a_real_unreachable_redis(client_factory: ClientFactory) -> None:
    client = await client_factory(cache="redis", redis_url="redis://127.0.0.1:1/0")
    body = assert_problem(await client.get("/health/ready"), 503, "dependency_unavailable")
    assert body["checks"]["cache"].startswith("down: ")
    assert body["checks"]["database"] == "ok"


async def test_ready_on_sqlite(client_factory: ClientFactory) -> None:
    client = await client_factory(persistence="sqlite")
    response = await client.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["database"] == "ok"


class Closeable:
    def __init__(self) -> None:
        self.closed = 0

    async def ping(self) -> None:
        return None

    async def aclose(self) -> None:
        self.closed += 1


class CloseableResource(resources.AsyncResource[Closeable]):
    """Stands for a pool: the container opens it at start-up and closes it at shutdown."""

    opened: ClassVar[list[Closeable]] = []

    async def init(self) -> Closeable:
        database = Closeable()
        self.opened.append(database)
        return database

    async def shutdown(self, resource: Closeable) -> None:
        await resource.aclose()


async def test_the_app_opens_the_pools_at_start_up_and_closes_them_at_shutdown(
    tmp_path: Any,
) -> None:
    container = make_container(tmp_path)
    container.database.override(providers.Resource(CloseableResource))
    CloseableResource.opened.clear()
    async with http_client(create_app(container)) as client:
        assert (await client.get("/health/ready")).status_code == 200
        (database,) = CloseableResource.opened
        assert database.closed == 0
    assert database.closed == 1


def _sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        match = re.fullmatch(re.escape(name) + r"\{(.*)\} (\S+)", line)
        if match and dict(re.findall(r'(\w+)="([^"]*)"', match.group(1))) == labels:
            return float(match.group(2))
    return 0.0


async def test_metrics_count_requests_by_route_template(client: AsyncTestClient[Any]) -> None:
    for _ in range(3):
        assert (await client.get(f"/api/v1/_items/{uuid.uuid4()}")).status_code == 200
    await client.post("/api/v1/_probe", json={"name": "x"})
    for _ in range(25):
        await client.get(f"/random/{uuid.uuid4()}")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    total = "atelier_http_requests_total"
    assert _sample(text, total, method="GET", route="/api/v1/_items/{item_id}", status="200") == 3
    assert _sample(text, total, method="POST", route="/api/v1/_probe", status="200") == 1
    assert _sample(text, total, method="GET", route="<unmatched>", status="404") == 25
    assert "/random/" not in text  # raw paths never become labels
    assert (
        _sample(
            text,
            "atelier_http_request_duration_seconds_count",
            method="GET",
            route="/api/v1/_items/{item_id}",
        )
        == 3
    )


async def test_each_app_has_its_own_registry(client_factory: ClientFactory) -> None:
    first = await client_factory()
    second = await client_factory()
    await first.get("/health/live")
    text = (await second.get("/metrics")).text
    route = "/health/live"
    assert (
        _sample(text, "atelier_http_requests_total", method="GET", route=route, status="200") == 0
    )


async def test_domain_gauges_are_read_at_scrape_time() -> None:
    metrics = Metrics()
    calls: list[int] = []

    async def read_open() -> dict[tuple[str, ...], float]:
        calls.append(1)
        return {("open",): 4.0, ("done",): float(len(calls))}

    async def broken() -> dict[tuple[str, ...], float]:
        raise RuntimeError("db down")

    metrics.add_gauge(
        DomainGauge("atelier_interventions", "Interventions by status.", read_open, ("status",))
    )
    metrics.add_gauge(DomainGauge("atelier_broken", "Always fails.", broken))
    text = (await metrics.render()).decode()
    assert 'atelier_interventions{status="open"} 4.0' in text
    text = (await metrics.render()).decode()
    assert 'atelier_interventions{status="done"} 2.0' in text
