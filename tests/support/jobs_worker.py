"""A worker process for the AI jobs crash test and benchmark: the job queue's worker and the
outbox relay on the production profile (``python -m tests.support.jobs_worker <postgres url>
<redis url> <prefix> [<realtime factor>]``). It prints ``ready`` once running and stops on
SIGTERM. ``ATELIER_TEST_SEED_IMAGES`` (JSON ``[[image id, owner id, hex bytes], ...]``) puts
images in its in-memory ImageLibrary twin first (the try-on socket test)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from typing import Any
from uuid import UUID

from entrypoints.bootstrap.container import build_container, shutdown, start
from entrypoints.bootstrap.settings import Settings
from entrypoints.worker.runtime import Background
from tests.support.event_worker import crash_settings


def jobs_settings(
    postgres_url: str, redis_url: str, prefix: str, factor: float = 0.002, **extra: Any
) -> Settings:
    return crash_settings(
        postgres_url,
        redis_url,
        prefix,
        jobs_offline_realtime_factor=factor,
        jobs_offline_stage_seconds=0.0,
        jobs_max_active_per_user=1000,
        jobs_source_allowlist=["media.example.com"],
        worker_concurrency=20,
        **extra,
    )


async def main(postgres_url: str, redis_url: str, prefix: str, factor: str = "0.002") -> None:
    container = build_container(jobs_settings(postgres_url, redis_url, prefix, float(factor)))
    await start(container)
    seeds = json.loads(os.environ.get("ATELIER_TEST_SEED_IMAGES", "[]"))
    library = container.jobs.image_library()
    for image_id, owner_id, content in seeds:
        library.add(UUID(owner_id), bytes.fromhex(content), image_id=UUID(image_id))
    background = Background(container)
    await background.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()
    await background.stop()
    await shutdown(container)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
