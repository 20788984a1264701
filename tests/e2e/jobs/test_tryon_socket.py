"""``WS /api/v1/tryon/ws`` through Litestar's test client (the app's lifespan runs, with the
job queue's worker in the app; images uploaded to the media module): authentication first
(4401 otherwise), start, accepted, progress events by stage, completed with the result
image; image_not_found."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient
from PIL import Image

from adapters.jobs.resolver import StaticResolver
from entrypoints.bootstrap.container import build_container
from entrypoints.bootstrap.settings import load_settings
from entrypoints.http.app import create_app
from tests.e2e.identity.support import JWT_SECRET, PEPPER, RELAXED_LIMITS

PASSWORD = "violet-sunrise-42-lantern"
WS = "/api/v1/tryon/ws"


def png(color: tuple[int, int, int], size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient[Any]]:
    settings = load_settings(
        {},
        env_file=tmp_path / "no.env",
        data_dir=str(tmp_path),
        persistence="memory",
        cache="memory",
        storage="memory",
        mailer="memory",
        bcrypt_rounds=4,
        jwt_secret=JWT_SECRET,
        password_pepper=PEPPER,
        log_level="WARNING",
        rate_limits=RELAXED_LIMITS,
        jobs_offline_stage_seconds=0.05,
    )
    container = build_container(settings)
    container.jobs.resolver.override(StaticResolver({}))
    with TestClient(app=create_app(container, background=True)) as test_client:
        yield test_client


def _login(client: TestClient[Any]) -> tuple[str, str]:
    email = f"ws-{uuid.uuid4().hex[:8]}@example.com"
    registered = client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "first_name": "W", "last_name": "S"},
    )
    assert registered.status_code == 201, registered.text
    token = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    return registered.json()["id"], token.json()["access_token"]


def _images(client: TestClient[Any], token: str) -> tuple[str, str]:
    ids = []
    for content in (png((200, 170, 150), (100, 160)), png((10, 90, 30), (40, 40))):
        uploaded = client.post(
            "/api/v1/images",
            files={"file": ("p.png", content, "image/png")},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert uploaded.status_code == 201, uploaded.text
        ids.append(uploaded.json()["id"])
    return ids[0], ids[1]


def test_start_progress_and_completed_over_the_socket(client: TestClient[Any]) -> None:
    _, token = _login(client)
    person, garment = _images(client, token)
    with client.websocket_connect(WS) as ws:
        ws.send_json({"type": "auth", "token": token})
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "start", "person_image_id": person, "garment_image_id": garment})
        accepted = ws.receive_json()
        assert accepted["type"] == "accepted"
        job_id = accepted["job_id"]
        events = []
        while True:
            event = ws.receive_json(timeout=10)
            events.append(event)
            if event["type"] in ("completed", "failed"):
                break
    assert events[-1]["type"] == "completed", events
    assert all(e["job_id"] == job_id for e in events)
    progress = [e for e in events if e["type"] == "progress"]
    assert [e["progress"] for e in progress] == sorted(e["progress"] for e in progress)
    assert {"decoding", "compositing", "storing"} <= {e["stage"] for e in progress}
    result = events[-1]["result_image_id"]
    polled = client.get(f"/api/v1/tryon/{job_id}", headers={"Authorization": f"Bearer {token}"})
    assert polled.json()["result_image_id"] == result


def test_an_unreadable_image_is_image_not_found(client: TestClient[Any]) -> None:
    _, token = _login(client)
    with client.websocket_connect(WS) as ws:
        ws.send_json({"type": "auth", "token": token})
        ws.receive_json()
        ws.send_json(
            {
                "type": "start",
                "person_image_id": str(uuid.uuid4()),
                "garment_image_id": str(uuid.uuid4()),
            }
        )
        error = ws.receive_json()
        assert error["type"] == "error"
        assert error["code"] == "image_not_found"
        ws.send_json({"type": "start", "person_image_id": "x"})
        assert ws.receive_json()["code"] == "validation_failed"


@pytest.mark.parametrize(
    "first",
    [{"type": "start"}, {"type": "auth", "token": "not-a-token"}, {"type": "auth"}, "hello"],
)
def test_the_first_message_must_authenticate(client: TestClient[Any], first: Any) -> None:
    with client.websocket_connect(WS) as ws:
        if isinstance(first, str):
            ws.send_text(first)
        else:
            ws.send_json(first)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401
