"""Try-on over HTTP on both profiles (POST /tryon, GET /tryon/{id}) with images uploaded to
the media module (``POST /images``), read and stored through its published port."""

from __future__ import annotations

import io
import uuid
from typing import Any

from PIL import Image

from domain.shared.access import Role
from tests.e2e.jobs.conftest import JobsApi, JobsApiFactory
from tests.e2e.jobs.support import API, wait_finished


def png(color: tuple[int, int, int], size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


async def upload(api: JobsApi, session: Any, content: bytes) -> str:
    response = await api.client.post(
        f"{API}/images",
        files={"file": ("picture.png", content, "image/png")},
        headers=session.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_tryon_completes_with_a_private_result_image(jobs_api: JobsApi) -> None:
    me, stranger = await jobs_api.user(), await jobs_api.user()
    person = await upload(jobs_api, me, png((210, 190, 170), (160, 240)))
    garment = await upload(jobs_api, me, png((30, 60, 200), (80, 80)))
    response = await jobs_api.client.post(
        f"{API}/tryon",
        json={"person_image_id": str(person), "garment_image_id": str(garment)},
        headers=me.headers,
    )
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "queued"
    location = response.headers["location"]
    assert location == f"{API}/tryon/{response.json()['id']}"
    done = await wait_finished(jobs_api.client, location, me.headers)
    assert done["status"] == "completed", done
    assert done["progress"] == 100
    assert done["error"] is None
    result = f"{API}/images/{done['result_image_id']}"
    meta = await jobs_api.client.get(result, headers=me.headers)
    assert meta.status_code == 200, meta.text
    assert meta.json()["visibility"] == "private"
    assert meta.json()["owner_id"] == me.user_id
    content = await jobs_api.client.get(f"{result}/content", headers=me.headers)
    assert Image.open(io.BytesIO(content.content)).size == (160, 240)
    assert (await jobs_api.client.get(result, headers=stranger.headers)).status_code == 404


async def test_images_the_caller_cannot_read_are_image_not_found(jobs_api: JobsApi) -> None:
    me, other = await jobs_api.user(), await jobs_api.user(Role.TECHNICIAN)
    mine = await upload(jobs_api, me, png((1, 1, 1), (10, 10)))
    theirs = await upload(jobs_api, other, png((1, 1, 1), (10, 10)))
    for person, garment, field in (
        (mine, theirs, "garment_image_id"),
        (uuid.uuid4(), mine, "person_image_id"),
    ):
        response = await jobs_api.client.post(
            f"{API}/tryon",
            json={"person_image_id": str(person), "garment_image_id": str(garment)},
            headers=me.headers,
        )
        assert response.status_code == 422
        assert response.json()["code"] == "image_not_found"
        assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_tryon_is_owner_only(jobs_api_factory: JobsApiFactory) -> None:
    api = await jobs_api_factory(worker=False)
    me, other, admin = await api.user(), await api.user(), await api.user(Role.ADMIN)
    person = await upload(api, me, png((1, 1, 1), (10, 10)))
    created = await api.client.post(
        f"{API}/tryon",
        json={"person_image_id": str(person), "garment_image_id": str(person)},
        headers=me.headers,
    )
    location = created.headers["location"]
    assert (await api.client.get(location, headers=other.headers)).status_code == 404
    assert (await api.client.get(location, headers=admin.headers)).status_code == 200
    assert (await api.client.get(location)).status_code == 401
    bad = await api.client.post(f"{API}/tryon", json={"person_image_id": "x"}, headers=me.headers)
    assert bad.status_code == 422
