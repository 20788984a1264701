"""Freezing (SIGSTOP) and stopping each dependency under a write load.

For each fault: the writes that meet it answer a 503 problem with ``Retry-After`` within the
bound derived from the settings (``support.FAULT_SETTINGS``), never a 500 and never a hang;
``/health/ready`` answers within 2 s and names the dependency; after the repair the service
recovers by itself, every write that answered 2xx is stored, and none is half stored.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from adapters.storage.s3 import S3BlobStorage
from domain.shared.errors import DependencyUnavailable
from tests.faults.conftest import Servers
from tests.faults.support import (
    FAULT_SETTINGS,
    READY_BOUND_SECONDS,
    SLACK_SECONDS,
    AppServer,
    Fault,
    admin_token,
    check_writes,
    client_for,
    database_bound,
    figures_line,
    redis_bound,
    run_fault,
    storage_bound,
)

pytestmark = pytest.mark.slow

RECOVERY_BOUND_SECONDS = 5.0
CODES = {"redis": "cache_unavailable", "postgres": "database_unavailable"}
CHECKS = {"redis": "cache", "postgres": "database", "s3": "storage"}


def _assert_fast_503s(
    fault: Fault, bound: float, code: str, *, margin: float | None = None
) -> list[float]:
    """The writes that met the fault: 503 problems with Retry-After, within the bound.
    They are the writes that started early enough (``margin`` before the repair, by default
    the bound) to get their answer before the repair: a hanging one would fail the bound."""
    met = fault.during("write", bound + SLACK_SECONDS if margin is None else margin)
    assert met, "no write started while the dependency was down"
    for answer in met:
        assert answer.status == 503, (answer.status, answer.body)
        assert answer.body["code"] == code
        assert int(answer.retry_after or 0) > 0
        assert answer.seconds <= bound + SLACK_SECONDS, answer.seconds
    assert {a.status for a in fault.writes} <= {201, 503}  # never a 500, never no answer
    return [a.seconds for a in met]


def _assert_readiness(fault: Fault, check: str) -> float:
    """Every probe within 2 s; those made wholly during the fault say 503 and name ``check``.
    A probe still running when the repair begins may see the dependency back (the storage
    client retries once after a refused connection: seen, a probe that started 0.6 s before
    a restart answered 200 from the restarted server), so it is not judged."""
    for probe in fault.probes:
        assert probe.status in {200, 503}, probe.body
        assert probe.seconds < READY_BOUND_SECONDS, probe.seconds
    down = [p for p in fault.probes if fault.began + 0.2 <= p.started and p.ended <= fault.ended]
    assert down, "no readiness probe during the fault"
    for probe in down:
        assert probe.status == 503
        assert probe.body["checks"][check].startswith("down")
    return max(p.seconds for p in fault.probes)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


async def _freeze(app: AppServer, servers: Servers, figures: list[str], name: str) -> None:
    server = getattr(servers, name)
    bound = {"redis": redis_bound, "postgres": database_bound}[name]()
    fault = await run_fault(
        app,
        inject=server.freeze,
        repair=server.thaw,
        # A write that started just before the fault was fully in place may wait up to
        # bound + slack before its 503; the writers then start new ones. The window checked
        # for fast 503s (``hold - bound - slack``) must outlast that wait, or every writer
        # can be busy with a pre-fault write for the whole window (seen: 503 in 1.51 s
        # against a 1.5 s window).
        hold_seconds=2 * (bound + SLACK_SECONDS) + 1.0,
    )
    waits = _assert_fast_503s(fault, bound, CODES[name])
    slowest_probe = _assert_readiness(fault, CHECKS[name])
    assert fault.recovery_seconds <= RECOVERY_BOUND_SECONDS
    counts = await check_writes(app, fault, servers.database_url)
    figures.append(
        figures_line(
            f"{name} frozen",
            time_to_503_median=_median(waits),
            time_to_503_max=max(waits),
            bound=bound,
            readiness_max=slowest_probe,
            recovery_after_sigcont=fault.recovery_seconds,
            writes=str(counts),
        )
    )


async def test_redis_frozen(app: AppServer, servers: Servers, figures: list[str]) -> None:
    await _freeze(app, servers, figures, "redis")


async def test_postgres_frozen(app: AppServer, servers: Servers, figures: list[str]) -> None:
    await _freeze(app, servers, figures, "postgres")


def _storage(servers: Servers) -> S3BlobStorage:
    return S3BlobStorage(
        bucket="atelier-faults",
        endpoint_url=servers.s3.endpoint,
        access_key_id="testing",
        secret_access_key="testing",
        path_style=True,
        create_bucket=True,
        connect_timeout_seconds=float(FAULT_SETTINGS["ATELIER_S3_CONNECT_TIMEOUT_SECONDS"]),
        read_timeout_seconds=float(FAULT_SETTINGS["ATELIER_S3_READ_TIMEOUT_SECONDS"]),
        max_attempts=int(FAULT_SETTINGS["ATELIER_S3_MAX_ATTEMPTS"]),
    )


async def _chunks(data: bytes) -> Any:
    yield data


async def test_s3_frozen(app: AppServer, servers: Servers, figures: list[str]) -> None:
    """No route of the API stores files yet: the storage adapter is measured directly (as
    the app builds it), the app through its readiness, and writes go on meanwhile."""
    storage = _storage(servers)
    await storage.put("before/one.txt", _chunks(b"kept"))
    bound = storage_bound()
    waited: list[float] = []

    async def store_while_frozen() -> None:
        started = time.monotonic()
        with pytest.raises(DependencyUnavailable) as caught:
            await storage.put("during/one.txt", _chunks(b"lost"))
        waited.append(time.monotonic() - started)
        assert caught.value.code == "storage_unavailable"

    try:
        fault = await run_fault(
            app,
            inject=servers.s3.freeze,
            repair=servers.s3.thaw,
            hold_seconds=bound + SLACK_SECONDS + 0.5,
            during=store_while_frozen,
        )
        assert waited[0] <= bound + SLACK_SECONDS
        slowest_probe = _assert_readiness(fault, "storage")
        assert {a.status for a in fault.writes} == {201}  # writes do not need the storage
        assert fault.recovery_seconds <= RECOVERY_BOUND_SECONDS
        assert await storage.exists("before/one.txt")
        await storage.put("after/one.txt", _chunks(b"stored"))
    finally:
        await storage.aclose()
    figures.append(
        figures_line(
            "s3 frozen",
            time_to_503=waited[0],
            bound=bound,
            readiness_max=slowest_probe,
            recovery_after_sigcont=fault.recovery_seconds,
        )
    )


async def _logged_out_token(client: httpx.AsyncClient) -> str:
    token = await admin_token(client)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401
    return token


async def test_redis_restarted_empty(app: AppServer, servers: Servers, figures: list[str]) -> None:
    async with client_for(app) as client:
        revoked = await _logged_out_token(client)
    fault = await run_fault(
        app, inject=servers.redis.stop, repair=servers.redis.start, hold_seconds=2.0
    )
    # a stopped server refuses connections: the answers come at once
    waits = _assert_fast_503s(fault, redis_bound(), "cache_unavailable", margin=1.0)
    _assert_readiness(fault, "cache")
    await check_writes(app, fault, servers.database_url)
    async with client_for(app) as client:  # the empty Redis did not bring the token back
        refused = await client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {revoked}"}
        )
        assert refused.status_code == 401
        assert refused.json()["code"] == "token_revoked"
    figures.append(
        figures_line(
            "redis stopped, restarted empty",
            time_to_503_max=max(waits),
            recovery_after_restart=fault.recovery_seconds,
        )
    )


async def test_postgres_restarted(app: AppServer, servers: Servers, figures: list[str]) -> None:
    fault = await run_fault(
        app, inject=servers.postgres.stop, repair=servers.postgres.start, hold_seconds=2.0
    )
    waits = _assert_fast_503s(fault, database_bound(), "database_unavailable", margin=1.0)
    _assert_readiness(fault, "database")
    await check_writes(app, fault, servers.database_url)
    figures.append(
        figures_line(
            "postgres stopped, restarted",
            time_to_503_max=max(waits),
            recovery_after_restart=fault.recovery_seconds,
        )
    )


async def test_s3_restarted_empty_gets_its_bucket_back(
    app: AppServer, servers: Servers, figures: list[str]
) -> None:
    """``ATELIER_S3_CREATE_BUCKET=true``: readiness creates the bucket the server lost."""
    # a probe may take up to the readiness bound (a refused connection is retried): the
    # hold leaves room for two whole probes after the one under way when the fault began
    fault = await run_fault(
        app,
        inject=servers.s3.stop,
        repair=servers.s3.start,
        hold_seconds=2 * READY_BOUND_SECONDS + 0.5,
    )
    _assert_readiness(fault, "storage")
    storage = _storage(servers)
    try:
        assert not await storage.exists("before/one.txt")  # the server did come back empty
        await storage.put("after/two.txt", _chunks(b"stored"))
    finally:
        await storage.aclose()
    async with client_for(app) as client:
        ready = await client.get("/health/ready")
    assert ready.status_code == 200, ready.text
    figures.append(
        figures_line("s3 restarted empty", recovery_after_restart=fault.recovery_seconds)
    )


def test_the_tier_never_touched_the_shared_services(servers: Servers) -> None:
    shared = ("127.0.0.1:5432", "127.0.0.1:6379")
    assert not any(s in servers.database_url for s in shared)
    assert not any(s in servers.redis.url for s in shared)


async def test_readiness_is_bounded_with_everything_frozen(
    app: AppServer, servers: Servers, figures: list[str]
) -> None:
    everything = (servers.postgres, servers.redis, servers.s3)
    async with client_for(app) as client:
        assert (await client.get("/health/ready")).status_code == 200
        for server in everything:
            server.freeze()
        try:
            timings = []
            for _ in range(3):
                started = time.monotonic()
                ready = await client.get("/health/ready")
                timings.append(time.monotonic() - started)
                assert ready.status_code == 503
                assert all(v.startswith("down") for v in ready.json()["checks"].values())
        finally:
            for server in everything:
                server.thaw()
        assert max(timings) < READY_BOUND_SECONDS
        started = time.monotonic()
        while (await client.get("/health/ready")).status_code != 200:
            assert time.monotonic() - started < RECOVERY_BOUND_SECONDS
            await asyncio.sleep(0.05)
    figures.append(figures_line("all three frozen", readiness_max=max(timings)))
