"""Two app instances sharing one PostgreSQL database and one Redis (same key prefix) agree on
revocations and login lockouts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from domain.shared.access import Role
from entrypoints.bootstrap.container import build_container
from tests.e2e.identity.support import PASSWORD, Api, make_settings, open_client

WRONG = "wrong-password-for-sure"


@pytest.fixture(scope="module")
def migrated_url(postgres_url: str) -> str:
    from adapters.persistence.sqlalchemy.migrations import upgrade

    upgrade(postgres_url)
    return postgres_url


@pytest.fixture
async def instances(
    migrated_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> AsyncIterator[tuple[Api, Api]]:
    async with AsyncExitStack() as stack:
        apis: list[Api] = []
        for name in ("a", "b"):
            settings = make_settings(
                "production",
                tmp_path / name,
                postgres_url=migrated_url,
                redis_url=redis_url,
                redis_prefix=redis_prefix,
            )
            container = build_container(settings)
            client = await stack.enter_async_context(open_client(container))
            apis.append(Api(client, container))
        yield apis[0], apis[1]


async def test_logout_on_a_is_refused_by_b(instances: tuple[Api, Api]) -> None:
    a, b = instances
    _, email = await a.create_user(Role.CLIENT)
    pair = (await a.login(email)).json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert (await b.client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    assert (await a.client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    refused = await b.client.get("/api/v1/auth/me", headers=headers)
    assert refused.status_code == 401
    again = await b.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert again.status_code == 401


async def test_lockout_counts_failures_on_both(instances: tuple[Api, Api]) -> None:
    a, b = instances
    _, email = await a.create_user(Role.CLIENT)
    for api in (a, a, a, b, b):
        assert (await api.login(email, WRONG)).status_code == 401
    assert (await a.login(email, PASSWORD)).status_code == 429
    assert (await b.login(email, PASSWORD)).status_code == 429


async def test_password_change_on_a_cuts_sessions_on_b(instances: tuple[Api, Api]) -> None:
    a, b = instances
    _, email = await a.create_user(Role.TECHNICIAN)
    first = (await b.login(email)).json()
    second = (await a.login(email)).json()
    # warm B's cache of the user's cut-off, then change the password through A
    for token in (first["access_token"], second["access_token"]):
        me = await b.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
    changed = await a.client.post(
        "/api/v1/auth/password",
        headers={"Authorization": f"Bearer {second['access_token']}"},
        json={"current_password": PASSWORD, "new_password": "brand-new-secret-41"},
    )
    assert changed.status_code == 204
    stale = await b.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {first['access_token']}"}
    )
    assert stale.status_code == 401
