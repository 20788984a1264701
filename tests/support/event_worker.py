"""A worker process for the crash tests: the outbox relay and the job queue's worker, with the
probe module installed (``python -m tests.support.event_worker <postgres url> <redis url>
<prefix>``). It prints ``ready`` once running and stops on SIGTERM."""

from __future__ import annotations

import asyncio
import secrets
import signal
import sys
from pathlib import Path

from entrypoints.bootstrap.container import build_container, shutdown, start
from entrypoints.bootstrap.registry import modules
from entrypoints.bootstrap.settings import Settings, load_settings
from entrypoints.worker.runtime import Background
from tests.support import probe_module


def crash_settings(postgres_url: str, redis_url: str, prefix: str, **extra: object) -> Settings:
    return load_settings(
        {},
        env_file=Path("/nonexistent/.env"),
        profile="production",
        persistence="postgres",
        database_url=postgres_url,
        cache="redis",
        redis_url=redis_url,
        redis_key_prefix=prefix,
        storage="memory",
        queue="saq",
        jwt_secret=secrets.token_urlsafe(48),
        password_pepper=secrets.token_urlsafe(48),
        worker_heartbeat_seconds=1,
        worker_sweep_seconds=2,
        relay_poll_seconds=0.2,
        log_level="WARNING",
        **extra,
    )


async def main(postgres_url: str, redis_url: str, prefix: str) -> None:
    container = build_container(
        crash_settings(postgres_url, redis_url, prefix), specs=[*modules(), probe_module.spec()]
    )
    await start(container)
    background = Background(container)
    await background.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()
    await background.stop()
    await shutdown(container)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
