"""Images over HTTP on both profiles: a client's private photo and a manager's public one
(who sees what), metadata gone from the stored copy, thumbnails, signed links, and hostile
input answered fast with its documented 4xx, never a 5xx."""

from __future__ import annotations

import hashlib
import io
import time
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from PIL import Image

from tests.e2e.maintenance.support import Workshop, tag
from tests.e2e.media.images import (
    GPS_IFD,
    gif,
    gif_bomb,
    gif_of_many_frames,
    jpeg_bomb,
    jpeg_with_gps,
    png,
    png_bomb,
    png_undecodable,
    webp,
)

API = "/api/v1"


async def post_image(
    shop: Workshop, who: Any, data: bytes, *, name: str = "x.bin", declared: str = "image/jpeg",
    title: str | None = None, headers: dict[str, str] | None = None,
) -> Any:  # fmt: skip
    form = {"title": title} if title is not None else {}
    return await shop.call(who, "POST", "/images", files={"file": (name, data, declared)},
                           data=form, headers=headers or {})  # fmt: skip


async def content(shop: Workshop, who: Any, image_id: str, query: str = "") -> Any:
    return await shop.call(who, "GET", f"/images/{image_id}/content{query}")


async def test_a_clients_private_photo_and_a_managers_public_one(shop: Workshop) -> None:
    word = tag()
    private = await post_image(shop, shop.client_user, jpeg_with_gps(), title=f"Me {word}")
    assert private.status_code == 201, private.text
    mine = private.json()
    assert mine["visibility"] == "private"
    assert mine["owner_id"] == shop.client_user.user_id
    assert (mine["format"], mine["mime_type"]) == ("jpeg", "image/jpeg")
    assert (mine["width"], mine["height"]) == (64, 48)
    assert private.headers["location"].endswith(f"{API}/images/{mine['id']}")
    public = (await post_image(shop, shop.manager, png(), title=f"Shop {word}")).json()
    assert public["visibility"] == "public"

    # the owner, managers and admins see the private photo; other clients and technicians don't
    for who in (shop.client_user, shop.manager, shop.admin):
        assert (await shop.call(who, "GET", f"/images/{mine['id']}")).status_code == 200
        assert (await content(shop, who, mine["id"])).status_code == 200
    for who in (shop.other_client, shop.tech):
        for path in (f"/images/{mine['id']}", f"/images/{mine['id']}/content",
                     f"/images/{mine['id']}/url"):  # fmt: skip
            assert (await shop.call(who, "GET", path)).status_code == 404, path
        assert (await shop.call(who, "DELETE", f"/images/{mine['id']}")).status_code == 404
        # the public one: everyone reads it, nobody but managers/admins deletes it
        assert (await shop.call(who, "GET", f"/images/{public['id']}")).status_code == 200
        assert (await shop.call(who, "DELETE", f"/images/{public['id']}")).status_code == 403

    # lists: clients see public images and their own only
    seen = await shop.ok(shop.other_client, "GET", f"/images?q={word}")
    assert [i["id"] for i in seen["items"]] == [public["id"]]
    seen = await shop.ok(shop.client_user, "GET", f"/images?q={word}")
    assert {i["id"] for i in seen["items"]} == {public["id"], mine["id"]}
    filtered = await shop.ok(shop.client_user, "GET", f"/images?q={word}&visibility=private")
    assert [i["id"] for i in filtered["items"]] == [mine["id"]]
    others = await shop.ok(shop.other_client, "GET", f"/images?owner_id={shop.client_user.user_id}")
    assert others["total"] == 0
    everything = await shop.ok(shop.manager, "GET", f"/images?q={word}")
    assert everything["total"] == 2

    # the owner deletes their photo
    assert (await shop.call(shop.client_user, "DELETE", f"/images/{mine['id']}")).status_code == 204
    assert (await shop.call(shop.manager, "GET", f"/images/{mine['id']}")).status_code == 404


async def test_exif_and_gps_are_gone_from_the_stored_copy(shop: Workshop) -> None:
    original = jpeg_with_gps(orientation=6)
    assert b"SecretCam" in original
    created = (await post_image(shop, shop.client_user, original + b"PK\x03\x04zip")).json()
    stored = (await content(shop, shop.client_user, created["id"])).content
    assert stored.startswith(b"\xff\xd8")
    assert stored.endswith(b"\xff\xd9")  # nothing after the image's end (polyglot tail gone)
    assert b"SecretCam" not in stored
    assert created["sha256"] == hashlib.sha256(stored).hexdigest()
    assert created["size"] == len(stored)
    with Image.open(io.BytesIO(stored)) as picture:
        exif = picture.getexif()
        assert dict(exif) == {0x0112: 6}  # only the orientation is kept
        assert not exif.get_ifd(GPS_IFD)
        picture.load()


async def test_every_accepted_format_and_its_thumbnail(shop: Workshop) -> None:
    container = shop.api.container
    for data, fmt in ((png(), "png"), (webp(), "webp"), (gif(), "gif"),
                      (jpeg_with_gps((600, 300)), "jpeg")):  # fmt: skip
        answer = await post_image(shop, shop.manager, data, declared="application/octet-stream")
        assert answer.status_code == 201, answer.text
        image = answer.json()
        assert image["format"] == fmt
        assert image["thumbnail_ready"] is False
        before = await content(shop, shop.manager, image["id"], "?size=thumb")
        assert before.status_code == 404
        assert before.json()["code"] == "thumbnail_not_ready"
        assert before.headers["retry-after"]
        await container.media.make_thumbnail()(UUID(image["id"]))  # what the job runs
        thumb = await content(shop, shop.client_user, image["id"], "?size=thumb")
        assert thumb.status_code == 200
        assert thumb.headers["content-type"] == "image/webp"
        with Image.open(io.BytesIO(thumb.content)) as picture:
            assert picture.format == "WEBP"
            assert max(picture.size) <= 256
        meta = await shop.ok(shop.manager, "GET", f"/images/{image['id']}")
        assert meta["thumbnail_ready"] is True
        assert meta["thumbnail_status"] == "ready"
    # the JPEG (600x300, orientation 6) is turned upright: 128x256
    with Image.open(io.BytesIO(thumb.content)) as picture:
        assert picture.size == (128, 256)
    # sound structure, garbage pixels: accepted, but no thumbnail will ever come
    broken = (await post_image(shop, shop.manager, png_undecodable())).json()
    assert broken["thumbnail_status"] == "pending"
    await container.media.make_thumbnail()(UUID(broken["id"]))
    meta = await shop.ok(shop.manager, "GET", f"/images/{broken['id']}")
    assert meta["thumbnail_status"] == "failed"
    never = await content(shop, shop.manager, broken["id"], "?size=thumb")
    assert never.status_code == 404
    assert never.json()["code"] == "thumbnail_unavailable"
    assert "retry-after" not in never.headers


async def test_signed_links_work_without_a_token_until_they_expire(shop: Workshop) -> None:
    image = (await post_image(shop, shop.client_user, png())).json()
    link = await shop.ok(shop.client_user, "GET", f"/images/{image['id']}/url")
    assert link["expires_at"]
    parts = urlsplit(link["url"])
    target = f"{parts.path}?{parts.query}"
    fetched = await shop.client.get(target)  # no bearer token
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "image/png"
    assert hashlib.sha256(fetched.content).hexdigest() == image["sha256"]
    tampered = target.replace("signature=", "signature=A")
    assert (await shop.client.get(tampered)).status_code == 403
    other = (await post_image(shop, shop.client_user, gif())).json()
    moved = target.replace(image["id"], other["id"])  # a link is good for its own image only
    assert (await shop.client.get(moved)).status_code == 403
    expired = target.replace("expires=", "expires=1").split("&")[0] + "&" + target.split("&")[1]
    assert (await shop.client.get(expired)).status_code == 403
    assert (await shop.client.get(parts.path)).status_code == 401


async def test_hostile_input_gets_its_documented_answer_fast(shop: Workshop) -> None:
    cases: list[tuple[str, bytes, int, str]] = [
        ("png bomb", png_bomb(), 422, "image_too_large"),
        ("jpeg bomb", jpeg_bomb(), 422, "image_too_large"),
        ("gif bomb", gif_bomb(), 422, "image_too_large"),
        ("200000 tiny gif frames", gif_of_many_frames(), 422, "image_too_large"),
        ("pdf", b"%PDF-1.7\n" + b"0" * 2000, 415, "unsupported_media_type"),
        ("html", b"<html><script>alert(1)</script></html>", 415, "unsupported_media_type"),
        ("svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', 415, "unsupported_media_type"),
        ("empty", b"", 415, "unsupported_media_type"),
        ("png header, then html", b"\x89PNG\r\n\x1a\n<html>" + b"x" * 100, 422, "invalid_image"),
        ("gif header, then js", b"GIF89a=1;alert(document.domain)//" + b"x" * 50, 422,
         "invalid_image"),
        ("truncated jpeg", jpeg_with_gps()[:300], 422, "invalid_image"),
        ("truncated png", png()[:40], 422, "invalid_image"),
    ]  # fmt: skip
    for label, data, status, code in cases:
        started = time.perf_counter()
        answer = await post_image(shop, shop.client_user, data, declared="image/png")
        elapsed = time.perf_counter() - started
        assert answer.status_code == status, (label, answer.status_code, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"] == code, label
        assert elapsed < 2.0, (label, elapsed)
    nothing = await shop.ok(shop.client_user, "GET", "/images?visibility=private")
    assert nothing["total"] == 0  # nothing refused was stored


async def test_limits_and_malformed_requests(api_factory: Any) -> None:
    api = await api_factory(image_max_bytes=4096, image_max_pixels=10_000)
    shop = await Workshop.open(api)
    too_big = await post_image(shop, shop.manager, jpeg_with_gps() + b"\x00" * 10_000)
    assert too_big.status_code == 413
    many_pixels = await post_image(shop, shop.manager, png((200, 100)))
    assert many_pixels.status_code == 422
    assert many_pixels.json()["code"] == "image_too_large"
    assert (await post_image(shop, shop.manager, png((100, 100)))).status_code == 201
    json_body = await shop.call(shop.manager, "POST", "/images", json={"file": "x"})
    assert json_body.status_code == 415
    no_file = await shop.call(shop.manager, "POST", "/images", files={"other": b"x"})
    assert no_file.status_code == 422
    long_title = await post_image(shop, shop.manager, png(), title="t" * 201)
    assert long_title.status_code == 422
    assert long_title.json()["errors"][0]["field"] == "title"


async def test_upload_honours_idempotency_key(shop: Workshop) -> None:
    key = {"Idempotency-Key": tag()}
    first = await post_image(shop, shop.client_user, png(), title="a", headers=key)
    again = await post_image(shop, shop.client_user, png(), title="a", headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    other = await post_image(shop, shop.client_user, gif(), title="a", headers=key)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    mine = await shop.ok(shop.client_user, "GET", "/images?visibility=private")
    assert mine["total"] == 1


async def test_links_are_presigned_on_s3_and_signed_by_the_app_on_local_storage(
    api_factory: Any, s3_endpoint: str, tmp_path: Any
) -> None:
    import httpx

    on_s3 = await api_factory(
        storage="s3", s3_endpoint_url=s3_endpoint, s3_bucket=f"media-{tag()}",
        s3_access_key_id="testing", s3_secret_access_key="testing", s3_create_bucket=True,
    )  # fmt: skip
    shop = await Workshop.open(on_s3)
    image = (await post_image(shop, shop.client_user, jpeg_with_gps())).json()
    link = await shop.ok(shop.client_user, "GET", f"/images/{image['id']}/url")
    assert link["url"].startswith(s3_endpoint)
    assert "X-Amz-Signature" in link["url"] or "Signature" in link["url"]
    async with httpx.AsyncClient(timeout=5) as outside:
        fetched = await outside.get(link["url"])
    assert fetched.status_code == 200
    assert hashlib.sha256(fetched.content).hexdigest() == image["sha256"]

    local = await api_factory(storage="local", storage_dir=str(tmp_path / "files"))
    shop = await Workshop.open(local)
    image = (await post_image(shop, shop.client_user, png())).json()
    link = await shop.ok(shop.client_user, "GET", f"/images/{image['id']}/url")
    parts = urlsplit(link["url"])
    assert parts.path == f"{API}/images/{image['id']}/content"
    fetched = await shop.client.get(f"{parts.path}?{parts.query}")
    assert fetched.status_code == 200
    assert hashlib.sha256(fetched.content).hexdigest() == image["sha256"]
