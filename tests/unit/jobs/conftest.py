"""The AI jobs use cases on the memory profile: memory repositories, the in-process queue
and its worker, the offline providers at full speed, a static name table."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers

from adapters.jobs.memory_images import MemoryImageLibrary
from adapters.jobs.resolver import StaticResolver
from application.identity.use_cases.create_user import CreateUserCommand
from domain.shared.access import Actor, Role
from entrypoints.bootstrap.container import build_container, shutdown, start
from entrypoints.bootstrap.settings import load_settings
from entrypoints.worker.runtime import Background

SYSTEM = Actor(user_id=__import__("uuid").UUID(int=0), role=Role.ADMIN)
NAMES = {"media.example.com": ["93.184.216.34"]}


class Jobs:
    def __init__(self, container: Any) -> None:
        self.container = container
        self.module = container.jobs
        self.background: Background | None = None

    async def actor(self, role: Role = Role.CLIENT) -> Actor:
        view = await self.container.identity.create_user()(
            CreateUserCommand(
                actor=SYSTEM,
                email=f"u{time.monotonic_ns()}@example.com",
                password="violet-sunrise-42-lantern",
                first_name="T",
                last_name="U",
                role=role,
            )
        )
        return Actor(user_id=view.id, role=role)

    async def run_worker(self) -> None:
        self.background = Background(self.container, relay=False)
        await self.background.start()

    async def wait(self, job_id: Any, actor: Actor, *, within: float = 10.0) -> Any:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            job = await self.module.get_transcription()(actor, job_id)
            if job.status.finished:
                return job
            await asyncio.sleep(0.02)
        raise AssertionError(f"still {job.status} after {within} s")

    def events(self, name: str) -> list[Any]:
        store = self.container.database()
        return [m for m in store.outbox if m.name == name]


@pytest.fixture
async def jobs(tmp_path: Path) -> AsyncIterator[Jobs]:
    settings = load_settings(
        {},
        env_file=tmp_path / "no.env",
        data_dir=str(tmp_path),
        persistence="memory",
        cache="memory",
        storage="memory",
        mailer="memory",
        bcrypt_rounds=4,
        log_level="WARNING",
        jobs_offline_realtime_factor=0.0,
        jobs_offline_stage_seconds=0.0,
    )
    container = build_container(settings)
    container.jobs.resolver.override(StaticResolver(NAMES))
    # the media module's port, as its in-memory twin (the e2e tests use the real one)
    container.jobs.image_library.override(providers.Object(MemoryImageLibrary()))
    await start(container)
    harness = Jobs(container)
    yield harness
    if harness.background is not None:
        await harness.background.stop()
    await shutdown(container)
