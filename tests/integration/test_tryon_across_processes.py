"""A try-on started on a socket of one process and run by a worker process: its progress and
outcome reach the socket through the Broadcaster (Redis pub/sub channels), PostgreSQL + SAQ.

Until the media module is installed both processes hold the same two images in their
in-memory ImageLibrary twin (same ids, same bytes); the result is stored by the worker's."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from PIL import Image

from entrypoints.bootstrap.container import build_container
from entrypoints.http.app import create_app
from tests.support.jobs_worker import jobs_settings

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "violet-sunrise-42-lantern"


def _png(color: tuple[int, int, int], size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.slow
def test_progress_reaches_a_socket_served_by_another_process(
    migrated_postgres_url: str, redis_url: str, redis_prefix: str
) -> None:
    settings = jobs_settings(migrated_postgres_url, redis_url, redis_prefix, rate_limits=[])
    container = build_container(settings)
    worker: subprocess.Popen[str] | None = None
    with TestClient(app=create_app(container, background=False)) as client:
        email = f"ws-{uuid.uuid4().hex[:8]}@example.com"
        user = client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "first_name": "A", "last_name": "B"},
        ).json()
        token = client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        ).json()["access_token"]
        person, garment = uuid.uuid4(), uuid.uuid4()
        seeds: list[tuple[uuid.UUID, bytes]] = [
            (person, _png((200, 170, 150), (90, 150))),
            (garment, _png((20, 20, 160), (40, 40))),
        ]
        library = container.jobs.image_library()
        for image_id, content in seeds:
            library.add(uuid.UUID(user["id"]), content, image_id=image_id)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "ATELIER_TEST_SEED_IMAGES": json.dumps(
                [[str(i), user["id"], content.hex()] for i, content in seeds]
            ),
        }
        worker = subprocess.Popen(
            [
                sys.executable, "-m", "tests.support.jobs_worker",
                migrated_postgres_url, redis_url, redis_prefix,
            ],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
            events: list[dict[str, Any]] = []
            with client.websocket_connect("/api/v1/tryon/ws") as ws:
                ws.send_json({"type": "auth", "token": token})
                assert ws.receive_json()["type"] == "ready"
                ws.send_json(
                    {
                        "type": "start",
                        "person_image_id": str(person),
                        "garment_image_id": str(garment),
                    }
                )
                accepted = ws.receive_json()
                assert accepted["type"] == "accepted", accepted
                while True:
                    event = ws.receive_json(timeout=30)
                    events.append(event)
                    if event["type"] in ("completed", "failed"):
                        break
            assert events[-1]["type"] == "completed", events
            assert [e["type"] for e in events].count("completed") == 1
            assert any(e["type"] == "progress" for e in events)
            job = client.get(
                f"/api/v1/tryon/{accepted['job_id']}",
                headers={"Authorization": f"Bearer {token}"},
            ).json()
            assert job["status"] == "completed"
            assert job["result_image_id"] == events[-1]["result_image_id"]
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
