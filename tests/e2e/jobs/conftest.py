"""AI jobs e2e fixtures: each test on the embedded profile (SQLite file, the SQLite queue)
and on the production profile (PostgreSQL, Redis, SAQ), with the queue's worker running in
the test's process, the offline providers at full speed, and a static name table instead of
the machine's resolver (nothing leaves the machine)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from adapters.jobs.resolver import StaticResolver
from domain.shared.access import Role
from entrypoints.bootstrap.container import build_container
from entrypoints.worker.runtime import Background
from tests.e2e.identity import conftest as identity
from tests.e2e.identity.support import Api, open_client

profile = identity.profile
settings_factory = identity.settings_factory

NAMES = {
    "media.example.com": ["93.184.216.34"],
    "intranet.example.com": ["10.1.2.3"],
    "metadata.example.com": ["169.254.169.254"],
    "mixed.example.com": ["93.184.216.34", "192.168.1.10"],
    "v6.example.com": ["2606:2800:220:1:248:1893:25c8:1946"],
    "mapped.example.com": ["::ffff:127.0.0.1"],
}
FAST = {
    "jobs_offline_realtime_factor": 0.0,
    "jobs_offline_stage_seconds": 0.0,
    "worker_concurrency": 4,
}


class JobsApi(Api):
    resolver: StaticResolver

    async def user(self, role: Role = Role.CLIENT) -> Any:
        return await self.session(role)


JobsApiFactory = Callable[..., Any]


@pytest.fixture
async def jobs_api_factory(settings_factory: Any) -> AsyncIterator[JobsApiFactory]:
    opened: list[tuple[Any, Background | None]] = []

    async def factory(*, worker: bool = True, **overrides: Any) -> JobsApi:
        container = build_container(settings_factory(**{**FAST, **overrides}))
        resolver = StaticResolver(NAMES)
        container.jobs.resolver.override(resolver)
        manager = open_client(container)
        client = await manager.__aenter__()
        background = None
        if worker:
            background = Background(container, relay=False)
            await background.start()
        opened.append((manager, background))
        api = JobsApi(client, container)
        api.resolver = resolver
        return api

    yield factory
    for manager, background in reversed(opened):
        if background is not None:
            await background.stop()
        await manager.__aexit__(None, None, None)


@pytest.fixture
async def jobs_api(jobs_api_factory: JobsApiFactory) -> JobsApi:
    return await jobs_api_factory()
