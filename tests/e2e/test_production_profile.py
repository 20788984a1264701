"""The production profile with every real adapter: PostgreSQL, Redis and an S3 server."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from entrypoints.bootstrap.container import Container, build_container, shutdown
from entrypoints.bootstrap.settings import load_settings
from entrypoints.http.app import create_app
from tests.support.live_server import http_client
from tests.support.services import free_port

SECRET = "Zr4t9Qm2Lx8Vb6Nc1Hs5Jd7Kf3Gw0Py-TuEaRoIi"


def _production(tmp_path: Path, **overrides: Any) -> Container:
    settings = load_settings(
        {},
        env_file=tmp_path / "none.env",
        profile="production",
        data_dir=str(tmp_path),
        jwt_secret=SECRET,
        password_pepper=SECRET[::-1],
        bcrypt_rounds=4,
        log_level="WARNING",
        **overrides,
    )
    return build_container(settings)


@pytest.fixture
def production(migrated_postgres_url: str, redis_url: str, s3_endpoint: str) -> dict[str, Any]:
    return {
        "database_url": migrated_postgres_url,
        "redis_url": redis_url,
        "redis_key_prefix": f"atelier-test:{uuid.uuid4().hex[:10]}:",
        "s3_endpoint_url": s3_endpoint,
        "s3_bucket": f"atelier-{uuid.uuid4().hex[:8]}",
        "s3_access_key_id": "testing",
        "s3_secret_access_key": "testing",
        "s3_create_bucket": True,
    }


async def _probe_ready(client: Any, settled: Callable[[Any], bool], seconds: float = 10.0) -> Any:
    """``GET /health/ready`` as an orchestrator probes it: again until ``settled`` (or the
    deadline), so a cold process's first pings (a new connection to each service, the S3
    client's first use) that overrun the 1.5 s bound on a busy machine do not decide."""
    deadline = time.monotonic() + seconds
    ready = await client.get("/health/ready")
    while not settled(ready) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        ready = await client.get("/health/ready")
    return ready


async def test_ready_with_postgres_redis_and_s3(tmp_path: Path, production: dict[str, Any]) -> None:
    container = _production(tmp_path, **production)
    assert container.settings().persistence_kind == "postgres"
    assert (container.settings().storage_kind, container.settings().cache_kind) == ("s3", "redis")
    async with http_client(create_app(container)) as client:
        ready = await _probe_ready(client, lambda r: r.status_code == 200)
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {
            "database": "ok",
            "cache": "ok",
            "storage": "ok",
            "queue": "ok",
        }
        email = f"ops.{uuid.uuid4().hex[:8]}@example.org"
        created = await client.post(
            "/api/v1/auth/register",
            json={
                "email": email,
                "password": "Granite-Lantern-42x",
                "first_name": "Ops",
                "last_name": "Test",
            },
        )
        assert created.status_code == 201, created.text
        login = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": "Granite-Lantern-42x"}
        )
        assert login.status_code == 200
        me = await client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
        )
        assert me.json()["email"] == email


@pytest.mark.parametrize("down", ["database", "cache", "storage"])
async def test_ready_names_the_dependency_that_is_down(
    tmp_path: Path, production: dict[str, Any], down: str
) -> None:
    dead = f"127.0.0.1:{free_port()}"
    broken = {
        "database": {"database_url": f"postgresql+psycopg://postgres@{dead}/atelier"},
        "cache": {"redis_url": f"redis://{dead}/0"},
        "storage": {"s3_endpoint_url": f"http://{dead}"},
    }[down]
    container = _production(tmp_path, **{**production, **broken})
    try:
        async with http_client(create_app(container)) as client:
            ready = await _probe_ready(
                client,
                lambda r: (
                    {n for n, v in r.json().get("checks", {}).items() if v != "ok"}
                    == ({"cache", "queue"} if down == "cache" else {down})
                ),
            )
    finally:
        await shutdown(container)
    assert ready.status_code == 503
    assert ready.headers["content-type"].startswith("application/problem+json")
    body = ready.json()
    assert body["checks"][down].startswith("down")
    # the job queue lives in the same Redis as the cache: it is down with it
    expected = {"cache", "queue"} if down == "cache" else {down}
    assert {name for name, state in body["checks"].items() if state != "ok"} == expected
    assert dead not in ready.text  # no addresses or secrets in the answer
