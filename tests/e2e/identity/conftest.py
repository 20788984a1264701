"""Identity e2e fixtures: every test runs on the embedded profile (SQLite file, memory cache)
and on the production profile (PostgreSQL + Redis with a key prefix of its own)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from entrypoints.bootstrap.container import build_container
from entrypoints.bootstrap.settings import Settings
from tests.conftest import copy_sqlite
from tests.e2e.identity.support import PEER, Api, make_settings, open_client

SettingsFactory = Callable[..., Settings]


@pytest.fixture(params=["embedded", "production"])
def profile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings_factory(
    profile: str, tmp_path: Path, request: pytest.FixtureRequest
) -> SettingsFactory:
    services: dict[str, Any] = {}
    template: Path | None = None
    if profile == "embedded":
        template = request.getfixturevalue("sqlite_template")
    if profile == "production":
        services = {
            "postgres_url": request.getfixturevalue("migrated_postgres_url"),
            "redis_url": request.getfixturevalue("redis_url"),
            "redis_prefix": request.getfixturevalue("redis_prefix"),
        }
    migrated: list[bool] = []

    def factory(**overrides: Any) -> Settings:
        settings = make_settings(profile, tmp_path, **services, **overrides)
        if template is not None and not migrated:
            copy_sqlite(template, tmp_path / "atelier.db")
            migrated.append(True)
        return settings

    return factory


ApiFactory = Callable[..., Any]


@pytest.fixture
async def api_factory(settings_factory: SettingsFactory) -> AsyncIterator[ApiFactory]:
    """``await api_factory(peer=..., **settings overrides)`` -> an :class:`Api`."""
    opened: list[Any] = []

    async def factory(*, peer: str = PEER, **overrides: Any) -> Api:
        container = build_container(settings_factory(**overrides))
        manager = open_client(container, peer)
        client = await manager.__aenter__()
        opened.append(manager)
        return Api(client, container)

    yield factory
    for manager in reversed(opened):
        await manager.__aexit__(None, None, None)


@pytest.fixture
async def api(api_factory: ApiFactory) -> Api:
    return await api_factory()
