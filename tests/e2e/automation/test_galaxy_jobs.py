"""The catalogue's background levels through the real job queue and worker (memory
profile): the preload job caches the popular namespaces, then queues the enrichment of the
others, page after page, at the configured rate."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from application.automation.galaxy import Freshness
from application.automation.use_cases.browse_galaxy import GalaxyQuery
from application.shared.jobs import JobState
from domain.shared.access import Actor, Role
from domain.shared.ids import new_id
from entrypoints.bootstrap.automation import ENRICH_JOB, PRELOAD_JOB
from entrypoints.bootstrap.background import build_worker
from entrypoints.bootstrap.container import shutdown, start
from tests.e2e.conftest import make_container
from tests.support.fake_galaxy import INDEX, FakeGalaxy, running_galaxy


@pytest.mark.slow
async def test_preload_then_enrichment_through_the_queue(tmp_path: Path) -> None:
    with running_galaxy(FakeGalaxy(extra_namespaces=30)) as galaxy:
        container: Any = make_container(
            tmp_path,
            queue="memory",
            galaxy_url=galaxy.url,
            galaxy_popular_namespaces=["ansible", "community"],
            galaxy_enrich_batch=12,
            galaxy_enrich_per_minute=600,
        )
        await start(container)
        queue = container.job_queue()
        worker = build_worker(container.settings(), queue)
        await worker.start()
        try:
            job_id = await queue.enqueue(PRELOAD_JOB, {})
            assert job_id is not None
            for _ in range(300):  # the preload, then three pages of enrichment (33 names)
                info = await queue.get(job_id)
                done = galaxy.app.calls[INDEX] >= 2 + 31  # popular + every other namespace
                if info is not None and info.state is JobState.COMPLETED and done:
                    break
                await asyncio.sleep(0.05)
            info = await queue.get(job_id)
            assert info is not None
            assert info.state is JobState.COMPLETED
            assert info.result == {"fetched": 3, "failed": 0}
            assert galaxy.app.calls[INDEX] == 2 + 31  # each namespace's collections once
            browse = container.automation.browse_galaxy()
            actor = Actor(user_id=new_id(), role=Role.CLIENT)
            for name in ("ansible", "ns000", "ns029"):
                answer, _ = await browse.collections(name, GalaxyQuery(actor=actor))
                assert answer.freshness is Freshness.HIT, name
            assert ENRICH_JOB in container.job_registry()
        finally:
            await worker.stop()
            await shutdown(container)
