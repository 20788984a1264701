"""What a new user does: upload an invoice (encrypted by default) and a photo to an
intervention, list, download, verify, get a link, delete; on both profiles."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import httpx

from application.documents.commands import SweepCommand
from tests.e2e.documents.support import JPEG, PDF, PNG, TEXT, sha, upload, uploaded
from tests.e2e.maintenance.support import Workshop


async def _intervention(shop: Workshop) -> dict[str, Any]:
    equipment = await shop.equipment(owner=shop.client_user)
    return await shop.intervention(shop.client_user, equipment["id"])


async def test_invoice_and_photo_round_trip(shop: Workshop, profile: str) -> None:
    job = await _intervention(shop)
    invoice = await uploaded(
        shop, shop.manager, PDF, filename="facture-été.pdf", kind="invoice",
        intervention_id=job["id"],
    )  # fmt: skip
    photo = await uploaded(
        shop, shop.tech, PNG, filename="pump.png", kind="photo", intervention_id=job["id"]
    )
    assert invoice["encrypted"] is True
    assert invoice["mime_type"] == "application/pdf"
    assert invoice["size"] == len(PDF)
    assert invoice["sha256"] == sha(PDF)
    assert invoice["name"] == "facture-été.pdf"
    assert invoice["equipment_id"] == job["equipment_id"]
    assert invoice["uploaded_by"] == shop.manager.user_id
    assert invoice["created_at"].endswith("Z")
    assert photo["encrypted"] is False
    assert photo["mime_type"] == "image/png"

    listed = await shop.ok(shop.tech, "GET", f"/documents?intervention_id={job['id']}")
    assert listed["total"] == 2
    assert listed["limit"] == 50
    assert listed["offset"] == 0
    assert {d["id"] for d in listed["items"]} == {invoice["id"], photo["id"]}
    photos = await shop.ok(shop.tech, "GET", f"/documents?intervention_id={job['id']}&kind=photo")
    assert [d["id"] for d in photos["items"]] == [photo["id"]]
    by_equipment = await shop.ok(
        shop.manager, "GET", f"/documents?equipment_id={job['equipment_id']}"
    )
    assert by_equipment["total"] == 2

    one = await shop.call(shop.client_user, "GET", f"/documents/{invoice['id']}")
    assert one.status_code == 200
    assert one.headers["etag"] == '"1"'

    for doc, data in ((invoice, PDF), (photo, PNG)):
        content = await shop.call(shop.client_user, "GET", f"/documents/{doc['id']}/content")
        assert content.status_code == 200
        assert content.content == data
        assert content.headers["content-type"].startswith(doc["mime_type"])
        verified = await shop.ok(shop.manager, "POST", f"/documents/{doc['id']}/verify")
        assert verified["ok"] is True
        assert verified["sha256"] == sha(data)

    refused = await shop.call(shop.manager, "GET", f"/documents/{invoice['id']}/url")
    assert refused.status_code == 409
    assert refused.json()["code"] == "encrypted_document"

    link = await shop.ok(shop.tech, "GET", f"/documents/{photo['id']}/url")
    assert link["expires_at"].endswith("Z")
    if profile == "embedded":  # a link signed by the app, read without a token
        parts = urlsplit(link["url"])
        anonymous = await shop.client.get(f"{parts.path}?{parts.query}")
        assert anonymous.status_code == 200
        assert anonymous.content == PNG
    else:  # presigned for the S3 server: read it there, without any credential
        async with httpx.AsyncClient() as outside:
            direct = await outside.get(link["url"])
        assert direct.status_code == 200
        assert direct.content == PNG

    container: Any = shop.api.container
    async with container.documents.read_uow() as uow:
        stored = await uow.documents.get(UUID(photo["id"]))
    assert stored is not None
    assert await container.storage().exists(stored.storage_key)
    assert (await shop.call(shop.manager, "DELETE", f"/documents/{photo['id']}")).status_code == 204
    assert (await shop.call(shop.manager, "GET", f"/documents/{photo['id']}")).status_code == 404
    left = await shop.ok(shop.manager, "GET", f"/documents?intervention_id={job['id']}")
    assert [d["id"] for d in left["items"]] == [invoice["id"]]
    # the object goes with the retried job, or with the sweeper (what the job would do)
    await container.documents.delete_object()(stored.storage_key)
    assert not await container.storage().exists(stored.storage_key)
    assert (await container.documents.sweep_objects()(SweepCommand())).failed == 0


async def test_types_are_judged_from_the_bytes(shop: Workshop) -> None:
    job = await _intervention(shop)
    jpeg = await uploaded(
        shop, shop.tech, JPEG, filename="photo.pdf", declared="application/pdf", kind="photo",
        intervention_id=job["id"],
    )  # fmt: skip
    assert jpeg["mime_type"] == "image/jpeg"
    text = await uploaded(shop, shop.tech, TEXT, filename="notes.txt", intervention_id=job["id"])
    assert text["mime_type"] == "text/plain"
    csv = await uploaded(
        shop, shop.tech, b"a;b\n1;2\n", filename="mesures.csv", intervention_id=job["id"]
    )
    assert csv["mime_type"] == "text/csv"
    for data, name in (
        (b"MZ\x90\x00" + bytes(3000), "tool.exe"),
        (b"<html><script>alert(1)</script>\x00", "page.pdf"),
        (b"PK\x03\x04" + bytes(200), "archive.docx"),
        (b"GIF89a" + bytes(100), "anim.png"),
    ):
        answer = await upload(
            shop, shop.tech, data, filename=name, declared="application/pdf",
            intervention_id=job["id"],
        )  # fmt: skip
        assert answer.status_code == 415, (name, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    listed = await shop.ok(shop.manager, "GET", f"/documents?intervention_id={job['id']}")
    assert listed["total"] == 3


async def test_bad_input_gets_its_documented_answer(shop: Workshop) -> None:
    job = await _intervention(shop)
    cases = [
        ({"kind": "poster"}, 422, "kind"),
        ({"kind": "photo", "intervention_id": "nope"}, 422, "intervention_id"),
        ({"kind": "photo", "encrypt": "maybe"}, 422, "encrypt"),
        ({"kind": "photo", "intervention_id": "0190a000-0000-7000-8000-000000000000"}, 422,
         "intervention_id"),
    ]  # fmt: skip
    for fields, status, field in cases:
        answer = await upload(shop, shop.manager, PNG, **fields)
        assert answer.status_code == status, (fields, answer.text)
        assert answer.json()["errors"][0]["field"] == field
    json_body = await shop.call(shop.manager, "POST", "/documents", json={"kind": "photo"})
    assert json_body.status_code == 415
    no_file = await shop.call(shop.manager, "POST", "/documents", data={"kind": "photo"},
                              files={"other": ("a", b"x")})  # fmt: skip
    assert no_file.status_code == 422
    other = await _intervention(shop)
    mismatch = await upload(
        shop, shop.manager, PNG, kind="photo", intervention_id=job["id"],
        equipment_id=other["equipment_id"],
    )  # fmt: skip
    assert mismatch.status_code == 422
    assert mismatch.json()["errors"][0]["field"] == "equipment_id"
    for target in (job, other):  # nothing was stored (the database is shared between tests)
        listed = await shop.ok(shop.manager, "GET", f"/documents?intervention_id={target['id']}")
        assert listed["total"] == 0


async def test_idempotency_key_on_uploads(shop: Workshop) -> None:
    job = await _intervention(shop)
    key = {"Idempotency-Key": f"upload-{job['id']}"}
    first = await upload(shop, shop.tech, PNG, kind="photo", intervention_id=job["id"],
                         headers=key)  # fmt: skip
    again = await upload(shop, shop.tech, PNG, kind="photo", intervention_id=job["id"],
                         headers=key)  # fmt: skip
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    other_file = await upload(shop, shop.tech, JPEG, kind="photo", intervention_id=job["id"],
                              headers=key)  # fmt: skip
    assert other_file.status_code == 422
    assert other_file.json()["code"] == "idempotency_key_reused"
    listed = await shop.ok(shop.manager, "GET", f"/documents?intervention_id={job['id']}")
    assert listed["total"] == 1
