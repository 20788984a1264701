"""A try-on started on a socket of one process and run by a worker process: its progress and
outcome reach the socket through the Broadcaster (Redis pub/sub channels), PostgreSQL + SAQ,
the images uploaded to the media module (files in a folder both processes use)."""

from __future__ import annotations

import io
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
    migrated_postgres_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    files = str(tmp_path / "files")
    settings = jobs_settings(
        migrated_postgres_url, redis_url, redis_prefix, storage_dir=files, rate_limits=[]
    )
    container = build_container(settings)
    worker: subprocess.Popen[str] | None = None
    with TestClient(app=create_app(container, background=False)) as client:
        email = f"ws-{uuid.uuid4().hex[:8]}@example.com"
        registered = client.post(
            "/api/v1/auth/register",
            json={"email": email, "password": PASSWORD, "first_name": "A", "last_name": "B"},
        )
        assert registered.status_code == 201, registered.text
        token = client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        person, garment = (
            client.post(
                "/api/v1/images",
                files={"file": ("p.png", content, "image/png")},
                headers=auth,
            ).json()["id"]
            for content in (_png((200, 170, 150), (90, 150)), _png((20, 20, 160), (40, 40)))
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        worker = subprocess.Popen(
            [
                sys.executable, "-m", "tests.support.jobs_worker",
                migrated_postgres_url, redis_url, redis_prefix, "0.002", files,
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
            job = client.get(f"/api/v1/tryon/{accepted['job_id']}", headers=auth).json()
            assert job["status"] == "completed"
            assert job["result_image_id"] == events[-1]["result_image_id"]
            picture = client.get(f"/api/v1/images/{job['result_image_id']}/content", headers=auth)
            assert Image.open(io.BytesIO(picture.content)).size == (90, 150)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
