"""A worker process for the AI jobs crash test and the cross-process try-on test: the job
queue's worker and the outbox relay on the production profile (``python -m
tests.support.jobs_worker <postgres url> <redis url> <prefix> [<realtime factor>
[<storage dir>]]``). It prints ``ready`` once running and stops on SIGTERM. With a storage
folder, files are local there (shared with the test's process: the media module's images);
otherwise in memory."""

from __future__ import annotations

import asyncio
import secrets
import signal
import sys
from pathlib import Path
from typing import Any

from entrypoints.bootstrap.container import build_container, shutdown, start
from entrypoints.bootstrap.settings import Settings, load_settings
from entrypoints.worker.runtime import Background

JWT_SECRET = secrets.token_urlsafe(48)
PEPPER = secrets.token_urlsafe(48)


def jobs_settings(
    postgres_url: str,
    redis_url: str,
    prefix: str,
    factor: float = 0.002,
    *,
    storage_dir: str = "",
    **extra: Any,
) -> Settings:
    storage: dict[str, Any] = (
        {"storage": "local", "storage_dir": storage_dir} if storage_dir else {"storage": "memory"}
    )
    options: dict[str, Any] = {
        "profile": "production",
        "persistence": "postgres",
        "database_url": postgres_url,
        "cache": "redis",
        "redis_url": redis_url,
        "redis_key_prefix": prefix,
        "queue": "saq",
        "jwt_secret": JWT_SECRET,
        "password_pepper": PEPPER,
        "worker_heartbeat_seconds": 1,
        "worker_sweep_seconds": 2,
        "relay_poll_seconds": 0.2,
        "log_level": "WARNING",
        "jobs_offline_realtime_factor": factor,
        "jobs_offline_stage_seconds": 0.0,
        "jobs_max_active_per_user": 1000,
        "jobs_source_allowlist": ["media.example.com"],
        "worker_concurrency": 20,
        **storage,
        **extra,
    }
    return load_settings({}, env_file=Path("/nonexistent/.env"), **options)


async def main(
    postgres_url: str, redis_url: str, prefix: str, factor: str = "0.002", storage_dir: str = ""
) -> None:
    settings = jobs_settings(
        postgres_url, redis_url, prefix, float(factor), storage_dir=storage_dir
    )
    container = build_container(settings)
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
    asyncio.run(main(*sys.argv[1:6]))
