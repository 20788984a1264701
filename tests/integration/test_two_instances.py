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


async def test_every_change_of_a_user_on_a_is_seen_at_once_by_b(
    instances: tuple[Api, Api],
) -> None:
    """B answers GET /auth/me from its cached user record; each change made through A
    (profile, login time, role, deactivation) replaces that record before A answers."""
    a, b = instances
    admin = await a.session(Role.ADMIN)
    user_id, email = await a.create_user(Role.TECHNICIAN)
    pair = (await b.login(email)).json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    me = await b.client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200  # cached on B now
    first_login = me.json()["last_login_at"]
    assert first_login is not None

    renamed = await a.client.patch(
        f"/api/v1/users/{user_id}", headers=headers, json={"first_name": "Renamed"}
    )
    assert renamed.status_code == 200
    me = await b.client.get("/api/v1/auth/me", headers=headers)
    assert me.json()["first_name"] == "Renamed"
    assert me.json()["version"] == renamed.json()["version"]
    assert me.headers["ETag"] == renamed.headers["ETag"]

    second = (await a.login(email)).json()  # a login moves last_login_at
    me = await b.client.get("/api/v1/auth/me", headers=headers)
    assert me.json()["last_login_at"] > first_login

    promoted = await a.client.patch(
        f"/api/v1/users/{user_id}", headers=admin.headers, json={"role": "manager"}
    )
    assert promoted.status_code == 200
    assert (await b.client.get("/api/v1/auth/me", headers=headers)).status_code == 401
    third = (await a.login(email)).json()
    fresh = {"Authorization": f"Bearer {third['access_token']}"}
    assert (await b.client.get("/api/v1/auth/me", headers=fresh)).json()["role"] == "manager"

    deleted = await a.client.delete(f"/api/v1/users/{user_id}", headers=admin.headers)
    assert deleted.status_code == 204
    for token in (second["access_token"], third["access_token"]):
        gone = await b.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert gone.status_code == 401
