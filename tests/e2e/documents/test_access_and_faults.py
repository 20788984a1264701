"""The role matrix, size limits, tampered links and damaged objects, over HTTP on both
profiles; every refusal stores nothing."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import pytest

from tests.e2e.documents.conftest import storage_overrides
from tests.e2e.documents.support import PDF, PNG, sha, upload, uploaded
from tests.e2e.identity.support import Api
from tests.e2e.maintenance.support import API, Workshop


async def _stored_keys(api: Api, document_id: str) -> str:
    async with api.container.documents.read_uow() as uow:  # type: ignore[attr-defined]
        found = await uow.documents.get(UUID(document_id))
    assert found is not None
    return str(found.storage_key)


async def _pending(api: Api) -> set[str]:
    """Objects that may lack a record (uploads in flight or abandoned, deletions to do);
    the PostgreSQL database is shared between tests: compare before and after."""
    async with api.container.documents.read_uow() as uow:  # type: ignore[attr-defined]
        due = await uow.pending_objects.due(datetime.now(UTC) + timedelta(days=365), limit=10_000)
    return {p.storage_key for p in due}


async def test_the_role_matrix(shop: Workshop) -> None:
    machine = await shop.equipment(owner=shop.client_user)
    mine = await shop.intervention(shop.client_user, machine["id"])
    elsewhere = await shop.intervention(shop.other_client, (await shop.equipment(
        owner=shop.other_client))["id"])  # fmt: skip
    on_mine = await uploaded(shop, shop.tech, PNG, kind="photo", intervention_id=mine["id"])
    on_theirs = await uploaded(shop, shop.other_tech, PNG, intervention_id=elsewhere["id"])
    on_machine = await uploaded(shop, shop.manager, PDF, kind="manual", equipment_id=machine["id"])
    loose = await uploaded(shop, shop.admin, PDF, kind="certificate")
    assert loose["encrypted"] is True

    # clients: read the documents of their own interventions, nothing else, never upload
    for doc, status in ((on_mine, 200), (on_theirs, 404), (on_machine, 404), (loose, 404)):
        for suffix in ("", "/content"):
            answer = await shop.call(shop.client_user, "GET", f"/documents/{doc['id']}{suffix}")
            assert answer.status_code == status, (doc["name"], suffix, answer.text)
        verify = await shop.call(shop.client_user, "POST", f"/documents/{doc['id']}/verify")
        assert verify.status_code == status
    mine_listed = await shop.ok(shop.client_user, "GET", f"/documents?equipment_id={machine['id']}")
    assert [d["id"] for d in mine_listed["items"]] == [on_mine["id"]]
    spying = await shop.ok(shop.client_user, "GET", f"/documents?intervention_id={elsewhere['id']}")
    assert spying["total"] == 0
    refused = await upload(shop, shop.client_user, PNG, kind="photo", intervention_id=mine["id"])
    assert refused.status_code == 403
    assert (
        await shop.call(shop.client_user, "DELETE", f"/documents/{on_mine['id']}")
    ).status_code == 403
    assert (
        await shop.call(shop.client_user, "DELETE", f"/documents/{loose['id']}")
    ).status_code == 404

    # technicians: upload and read on every intervention (and equipment), never delete; the
    # loose documents of the staff are not theirs to see
    for doc, status in ((on_mine, 200), (on_theirs, 200), (on_machine, 200), (loose, 404)):
        answer = await shop.call(shop.tech, "GET", f"/documents/{doc['id']}")
        assert answer.status_code == status, doc["name"]
    seen = await shop.ok(shop.tech, "GET", "/documents?kind=certificate&limit=200")
    assert loose["id"] not in {d["id"] for d in seen["items"]}
    staff = await shop.ok(shop.manager, "GET", "/documents?kind=certificate&limit=200")
    assert loose["id"] in {d["id"] for d in staff["items"]}
    assert (await shop.call(shop.tech, "DELETE", f"/documents/{on_mine['id']}")).status_code == 403
    nowhere = await upload(shop, shop.tech, PNG, kind="photo")
    assert nowhere.status_code == 403

    # managers delete; If-Match is honoured
    stale = await shop.call(shop.manager, "DELETE", f"/documents/{on_theirs['id']}",
                            headers={"If-Match": '"7"'})  # fmt: skip
    assert stale.status_code == 412
    gone = await shop.call(shop.manager, "DELETE", f"/documents/{on_theirs['id']}",
                           headers={"If-Match": '"1"'})  # fmt: skip
    assert gone.status_code == 204

    # no token at all
    for method, path in (("GET", "/documents"), ("GET", f"/documents/{on_mine['id']}/content"),
                         ("POST", "/documents")):  # fmt: skip
        answer = await shop.call(None, method, path)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")


async def test_oversize_is_413_from_the_length_or_while_streaming(
    api_factory: Any, profile: str, request: pytest.FixtureRequest
) -> None:
    api = await api_factory(**storage_overrides(profile, request), document_max_bytes=100_000)
    shop = await Workshop.open(api)
    too_big = b"%PDF-1.7\n" + os.urandom(300_000)
    before = await _pending(api)
    declared = await upload(shop, shop.manager, too_big, kind="report")
    assert declared.status_code == 413
    assert declared.headers["content-type"].startswith("application/problem+json")

    boundary = "atelierboundary"

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted while streaming
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n'
            f'report\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        for start in range(0, len(too_big), 32_768):
            yield too_big[start : start + 32_768]
        yield f"\r\n--{boundary}--\r\n".encode()

    streamed = await shop.client.post(
        f"{API}/documents",
        content=chunked(),
        headers={**shop.manager.headers,
                 "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )  # fmt: skip
    assert streamed.status_code == 413, streamed.text
    fits = await upload(shop, shop.manager, too_big[:90_000], kind="report")
    assert fits.status_code == 201
    for _ in range(100):  # the clean-up of the refused upload may finish after the answer
        if not await _pending(api) - before:
            break
        await asyncio.sleep(0.05)
    assert await _pending(api) - before == set()
    listed = await shop.ok(shop.manager, "GET", "/documents?kind=report&limit=200")
    assert fits.json()["id"] in {d["id"] for d in listed["items"]}
    assert all(d["size"] <= 100_000 for d in listed["items"])


# app-signed links exist on local storage only (S3 presigns its own: the flow test checks them)
@pytest.mark.parametrize("profile", ["embedded"], indirect=True)
async def test_links_that_were_tampered_with_are_refused(shop: Workshop, profile: str) -> None:
    photo = await uploaded(shop, shop.manager, PNG, kind="photo")
    other = await uploaded(shop, shop.manager, PNG, kind="photo")
    link = await shop.ok(shop.manager, "GET", f"/documents/{photo['id']}/url")
    parts = urlsplit(link["url"])
    query = dict(pair.split("=", 1) for pair in parts.query.split("&"))
    assert (await shop.client.get(f"{parts.path}?{parts.query}")).status_code == 200
    forged = [
        f"{parts.path}?expires={int(query['expires']) + 3600}&signature={query['signature']}",
        f"{parts.path}?expires={query['expires']}&signature={query['signature'][:-3]}abc",
        f"{parts.path}?expires={query['expires']}",
        f"{parts.path.replace(photo['id'], other['id'])}?{parts.query}",
        f"{parts.path}?expires=1&signature={query['signature']}",
    ]
    for url in forged:
        answer = await shop.client.get(url)
        assert answer.status_code in (401, 404), (url, answer.status_code)
        assert PNG[:100] not in answer.content

    # an expired link: the app's clock moves past the link's life (no token is involved)
    from dependency_injector import providers

    from adapters.clock import FixedClock

    container: Any = shop.api.container
    clock = FixedClock(datetime.now(UTC))
    with container.clock.override(providers.Object(clock)):
        fresh = await shop.ok(shop.manager, "GET", f"/documents/{photo['id']}/url")
        path = urlsplit(fresh["url"])
        relative = f"{path.path}?{path.query}"
        assert (await shop.client.get(relative)).status_code == 200
        clock.advance(seconds=container.documents.config().document_link_ttl_seconds + 1)
        expired = await shop.client.get(relative)
        assert expired.status_code == 404
        assert expired.json()["code"] == "invalid_link"


async def test_a_damaged_object_verifies_false(shop: Workshop) -> None:
    invoice = await uploaded(shop, shop.manager, PDF, kind="invoice")
    photo = await uploaded(shop, shop.manager, PNG, kind="photo")
    storage = shop.api.container.storage()
    for doc in (invoice, photo):
        key = await _stored_keys(shop.api, doc["id"])
        chunks = [c async for c in storage.get(key)]
        data = bytearray(b"".join(chunks))
        # within the first encrypted chunk: damage further on aborts a started transfer
        data[40 if doc["encrypted"] else len(data) // 2] ^= 0x01

        async def body(payload: bytes = bytes(data)) -> AsyncIterator[bytes]:
            yield payload

        await storage.put(key, body())
        verdict = await shop.ok(shop.manager, "POST", f"/documents/{doc['id']}/verify")
        assert verdict["ok"] is False
        assert verdict["expected_sha256"] == doc["sha256"]
    assert (await shop.ok(shop.manager, "POST", f"/documents/{photo['id']}/verify"))[
        "sha256"] != sha(PNG)  # fmt: skip
    broken = await shop.call(shop.manager, "GET", f"/documents/{invoice['id']}/content")
    assert broken.status_code == 409
    assert broken.json()["code"] == "document_corrupted"
    await storage.delete(await _stored_keys(shop.api, photo["id"]))
    missing = await shop.ok(shop.manager, "POST", f"/documents/{photo['id']}/verify")
    assert missing == {**missing, "ok": False, "sha256": None}


async def test_storage_breaking_mid_upload_leaves_no_object(shop: Workshop) -> None:
    """The real storage of the profile (local folder / S3 server) behind a wrapper that
    breaks after 1 MiB: the client gets 503, no record, no object, no pending row."""
    from dependency_injector import providers

    from tests.support.flaky_storage import FlakyStorage

    container: Any = shop.api.container
    flaky = FlakyStorage(container.storage())
    flaky.fail_put_after = 1024 * 1024
    before = await _pending(shop.api)
    big = b"%PDF-1.7\n" + os.urandom(3 * 1024 * 1024)
    hooks = shop.client.event_hooks
    shop.client.event_hooks = {"request": [], "response": []}  # a 503 is the answer here
    try:
        with container.storage.override(providers.Object(flaky)):
            for kind in ("photo", "invoice"):
                answer = await shop.client.post(
                    f"{API}/documents", headers=shop.manager.headers, data={"kind": kind},
                    files={"file": ("big.pdf", big, "application/pdf")},
                )  # fmt: skip
                assert answer.status_code == 503, answer.text
                assert answer.json()["code"] == "storage_unavailable"
                assert answer.headers["retry-after"]
    finally:
        shop.client.event_hooks = hooks
    assert len(flaky.writes) == 2
    for key in flaky.writes:
        assert not await flaky.inner.exists(key)
    assert await _pending(shop.api) - before == set()
    answer = await upload(shop, shop.manager, big, kind="photo")  # storage is back
    assert answer.status_code == 201
    assert answer.json()["sha256"] == sha(big)
