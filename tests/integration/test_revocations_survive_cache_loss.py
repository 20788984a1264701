"""A logged-out access token stays refused when the cache loses everything.

Production profile: a private Redis (never the shared one) is restarted empty between the
logout and the next request. Embedded profile: the app restarts (a new container, so a new
in-process cache) on the same SQLite file. Either way the revocation comes back from the
database, and the cache is rebuilt.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from application.identity.session_state import COMPLETE_KEY, SESSION_DENYLIST_PREFIX
from domain.shared.access import Role
from entrypoints.bootstrap.container import Container, build_container, shutdown, start
from tests.e2e.identity.support import PASSWORD, Api, bearer, make_settings, migrate, open_client
from tests.support.private_servers import PrivateRedis

pytestmark = pytest.mark.slow


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    with PrivateRedis() as redis:
        yield redis


async def _log_in_and_out(api: Api) -> dict[str, str]:
    _, email = await api.create_user(Role.TECHNICIAN)
    pair = (await api.login(email, PASSWORD)).json()
    headers = bearer(pair["access_token"])
    assert (await api.client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    answer = await api.client.post(
        "/api/v1/auth/logout", headers=headers, json={"refresh_token": pair["refresh_token"]}
    )
    assert answer.status_code == 204
    assert (await api.client.get("/api/v1/auth/me", headers=headers)).status_code == 401
    return pair


async def _refused(container: Container, pair: dict[str, str]) -> None:
    async with open_client(container) as client:
        for _ in range(2):  # before and after the rebuild the first request started
            answer = await client.get("/api/v1/auth/me", headers=bearer(pair["access_token"]))
            assert answer.status_code == 401
            assert answer.json()["code"] == "token_revoked"
            await container.identity.revocation_cache().wait()
        refresh = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
        )
        assert refresh.status_code == 401


async def test_production_a_redis_restarted_empty_does_not_resurrect_tokens(
    tmp_path: Path, migrated_postgres_url: str, private_redis: PrivateRedis
) -> None:
    prefix = f"atelier-test:{uuid.uuid4().hex[:8]}:"
    settings = make_settings(
        "production",
        tmp_path,
        postgres_url=migrated_postgres_url,
        redis_url=private_redis.url,
        redis_prefix=prefix,
    )
    container = build_container(settings)
    async with open_client(container) as client:
        pair = await _log_in_and_out(Api(client, container))

    private_redis.restart()  # no persistence: it comes back empty
    restarted = build_container(settings)
    await start(restarted)
    cache = restarted.cache()
    assert await cache.get(COMPLETE_KEY) is None  # the cache lost everything
    await _refused(restarted, pair)

    check = build_container(settings)  # the rebuilt copy, as another instance sees it
    await start(check)
    try:
        cache = check.cache()
        assert await cache.get(COMPLETE_KEY) is not None
        session_id = check.token_service().verify(pair["access_token"], token_type="access")
        sid = session_id.extra["sid"]
        assert await cache.get(SESSION_DENYLIST_PREFIX + str(sid)) is not None
    finally:
        await shutdown(check)


async def test_production_the_same_instance_sees_redis_come_back_empty(
    tmp_path: Path, migrated_postgres_url: str, private_redis: PrivateRedis
) -> None:
    """No restart of the app: its pooled connections to Redis die with the old server."""
    settings = make_settings(
        "production",
        tmp_path,
        postgres_url=migrated_postgres_url,
        redis_url=private_redis.url,
        redis_prefix=f"atelier-test:{uuid.uuid4().hex[:8]}:",
        redis_cooldown_seconds=0,
    )
    container = build_container(settings)
    async with open_client(container) as client:
        pair = await _log_in_and_out(Api(client, container))
        private_redis.restart()
        await asyncio.sleep(0.1)
        answer = await client.get("/api/v1/auth/me", headers=bearer(pair["access_token"]))
        assert answer.status_code == 401
        assert answer.json()["code"] == "token_revoked"


async def test_embedded_a_restart_with_an_empty_cache_does_not_resurrect_tokens(
    tmp_path: Path,
) -> None:
    settings = make_settings("embedded", tmp_path)
    migrate(settings)
    container = build_container(settings)
    async with open_client(container) as client:
        pair = await _log_in_and_out(Api(client, container))
    await _refused(build_container(settings), pair)  # same SQLite file, a new memory cache
