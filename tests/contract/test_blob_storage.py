"""Contract of the BlobStorage port, on memory, a local folder and S3 (a moto server).

Each adapter gets the same suite; a few tests cover what only one adapter can show
(local symlink escapes, S3 presigned URLs, multipart uploads and their abort).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aioboto3
import pytest

from adapters.storage.local import LocalBlobStorage
from adapters.storage.memory import MemoryBlobStorage
from adapters.storage.s3 import PART_SIZE, S3BlobStorage
from application.shared.storage import BlobStorage
from domain.shared.errors import DependencyUnavailable, NotFound

BUCKET = f"atelier-contract-{uuid.uuid4().hex[:10]}"
MIB = 1024 * 1024


def s3_storage(endpoint: str, *, bucket: str = BUCKET, create: bool = True) -> S3BlobStorage:
    return S3BlobStorage(
        bucket=bucket,
        endpoint_url=endpoint,
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",
        path_style=True,
        create_bucket=create,
    )


@pytest.fixture(params=["memory", "local", "s3"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStorage]:
    adapter: MemoryBlobStorage | LocalBlobStorage | S3BlobStorage
    if request.param == "memory":
        adapter = MemoryBlobStorage()
    elif request.param == "local":
        adapter = LocalBlobStorage(tmp_path / "blobs")
    else:
        adapter = s3_storage(request.getfixturevalue("s3_endpoint"))
    try:
        yield adapter
    finally:
        await adapter.aclose()


@pytest.fixture
def key() -> str:
    """A key unique to the test (the S3 bucket is shared by the module)."""
    return f"tests/{uuid.uuid4().hex}/file.bin"


async def stream(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        await asyncio.sleep(0)
        yield part


async def generated(total: int, chunk: int = MIB) -> AsyncIterator[bytes]:
    """``total`` pseudo-random bytes, produced chunk by chunk (never all in memory)."""
    seed = hashlib.sha256(b"seed").digest()
    produced = 0
    counter = 0
    while produced < total:
        size = min(chunk, total - produced)
        block = hashlib.sha256(seed + counter.to_bytes(8, "big")).digest() * (size // 32 + 1)
        yield block[:size]
        produced += size
        counter += 1


async def failing(good: int, chunk: int = MIB) -> AsyncIterator[bytes]:
    async for part in generated(good, chunk):
        yield part
    raise RuntimeError("client went away")


async def read_all(storage: BlobStorage, key: str, chunk_size: int = 64 * 1024) -> bytes:
    return b"".join([c async for c in storage.get(key, chunk_size=chunk_size)])


async def digest_of(chunks: AsyncIterator[bytes]) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    async for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


# -- the shared contract ----------------------------------------------------------------


async def test_put_get_roundtrip(storage: BlobStorage, key: str) -> None:
    data = b"hello, " * 1000 + b"\x00\xff"
    blob = await storage.put(key, stream(data[:10], data[10:5000], data[5000:]), content_type="x/y")
    assert blob.key == key
    assert blob.size == len(data)
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.content_type == "x/y"
    assert await read_all(storage, key) == data
    assert await storage.exists(key) is True


async def test_get_honours_chunk_size(storage: BlobStorage, key: str) -> None:
    data = bytes(range(256)) * 10
    await storage.put(key, stream(data))
    chunks = [c async for c in storage.get(key, chunk_size=1000)]
    assert b"".join(chunks) == data
    assert all(0 < len(c) <= 1000 for c in chunks)


async def test_empty_object(storage: BlobStorage, key: str) -> None:
    blob = await storage.put(key, stream())
    assert (blob.size, blob.sha256) == (0, hashlib.sha256(b"").hexdigest())
    assert await read_all(storage, key) == b""
    assert await storage.exists(key) is True


async def test_large_object_is_streamed(storage: BlobStorage, key: str) -> None:
    total = 20 * MIB + 12345  # more than two S3 parts, with a short last part
    expected = await digest_of(generated(total, chunk=300_000))
    blob = await storage.put(key, generated(total, chunk=300_000))
    assert (blob.size, blob.sha256) == expected
    assert await digest_of(storage.get(key, chunk_size=MIB)) == expected


async def test_overwrite_replaces(storage: BlobStorage, key: str) -> None:
    await storage.put(key, stream(b"first version, rather long"))
    blob = await storage.put(key, stream(b"second"))
    assert blob.size == 6
    assert await read_all(storage, key) == b"second"


async def test_delete_is_idempotent(storage: BlobStorage, key: str) -> None:
    await storage.put(key, stream(b"bye"))
    await storage.delete(key)
    assert await storage.exists(key) is False
    with pytest.raises(NotFound):
        await read_all(storage, key)
    await storage.delete(key)
    await storage.delete("never/stored")


async def test_missing_key(storage: BlobStorage, key: str) -> None:
    assert await storage.exists(key) is False
    with pytest.raises(NotFound):
        await read_all(storage, key)


async def test_keys_are_distinct_paths(storage: BlobStorage, key: str) -> None:
    base = key.rsplit("/", 1)[0]
    await storage.put(f"{base}/a.txt", stream(b"A"))
    await storage.put(f"{base}/sub/a.txt", stream(b"B"))
    await storage.put(f"{base}/a..b é.txt", stream(b"C"))
    assert await read_all(storage, f"{base}/a.txt") == b"A"
    assert await read_all(storage, f"{base}/sub/a.txt") == b"B"
    assert await read_all(storage, f"{base}/a..b é.txt") == b"C"
    assert await storage.exists(f"{base}/sub") is False


BAD_KEYS = [
    "",
    "../x",
    "a/../../x",
    "a/..",
    "/abs",
    "a//b",
    "a/",
    "a\\..\\b",
    "nul\x00byte",
    "x" * 513,
]


@pytest.mark.parametrize("bad", BAD_KEYS, ids=repr)
async def test_key_validation_rejects_unsafe_keys(storage: BlobStorage, bad: str) -> None:
    with pytest.raises(ValueError, match="storage key"):
        await storage.put(bad, stream(b"x"))
    with pytest.raises(ValueError, match="storage key"):
        await read_all(storage, bad)
    with pytest.raises(ValueError, match="storage key"):
        await storage.exists(bad)
    with pytest.raises(ValueError, match="storage key"):
        await storage.delete(bad)
    with pytest.raises(ValueError, match="storage key"):
        await storage.presigned_url(bad, expires_in=60)


async def test_longest_key_is_accepted(storage: BlobStorage) -> None:
    key = "/".join(["k" * 99] * 5) + "/" + "z" * 12  # exactly 512 characters
    assert len(key) == 512
    await storage.put(key, stream(b"long"))
    assert await read_all(storage, key) == b"long"
    await storage.delete(key)


@pytest.mark.parametrize("good", [100_000, 10 * MIB], ids=["small", "multipart"])
async def test_failed_stream_leaves_no_object(storage: BlobStorage, key: str, good: int) -> None:
    with pytest.raises(RuntimeError, match="client went away"):
        await storage.put(key, failing(good))
    assert await storage.exists(key) is False
    with pytest.raises(NotFound):
        await read_all(storage, key)


async def test_failed_overwrite_keeps_the_previous_object(storage: BlobStorage, key: str) -> None:
    await storage.put(key, stream(b"keep me"))
    with pytest.raises(RuntimeError):
        await storage.put(key, failing(100_000))
    assert await read_all(storage, key) == b"keep me"


async def test_presigned_url(storage: BlobStorage, key: str) -> None:
    await storage.put(key, stream(b"signed bytes"))
    url = await storage.presigned_url(key, expires_in=60)
    if isinstance(storage, S3BlobStorage):
        assert url is not None
        body = await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=5).read())
        assert body == b"signed bytes"
    else:
        assert url is None


async def test_ping(storage: BlobStorage) -> None:
    await storage.ping()


# -- local folder ----------------------------------------------------------------------


async def test_local_layout_and_no_leftovers(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    storage = LocalBlobStorage(root)
    await storage.put("a/b.txt", stream(b"data"))
    with pytest.raises(RuntimeError):
        await storage.put("a/c.txt", failing(3 * MIB))
    assert (root / "a" / "b.txt").read_bytes() == b"data"
    assert sorted(p.name for p in (root / "a").iterdir()) == ["b.txt"]  # no temp files left


async def test_local_refuses_symlink_escapes(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    root.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    (root / "file-link").symlink_to(outside / "secret.txt")
    storage = LocalBlobStorage(root)

    with pytest.raises(ValueError, match="storage key"):
        await read_all(storage, "link/secret.txt")
    with pytest.raises(ValueError, match="storage key"):
        await read_all(storage, "file-link")
    with pytest.raises(ValueError, match="storage key"):
        await storage.put("link/planted.txt", stream(b"evil"))
    with pytest.raises(ValueError, match="storage key"):
        await storage.put("file-link", stream(b"evil"))
    with pytest.raises(ValueError, match="storage key"):
        await storage.delete("file-link")
    with pytest.raises(ValueError, match="storage key"):
        await storage.exists("link/secret.txt")
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_bytes() == b"secret"


async def test_local_root_behind_a_symlink_still_works(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real, target_is_directory=True)
    storage = LocalBlobStorage(tmp_path / "alias")
    await storage.put("x/y", stream(b"ok"))
    assert (real / "x" / "y").read_bytes() == b"ok"


async def test_local_ping_fails_when_root_is_not_a_folder(tmp_path: Path) -> None:
    root = tmp_path / "a-file"
    root.write_bytes(b"")
    with pytest.raises(DependencyUnavailable) as caught:
        await LocalBlobStorage(root).ping()
    assert caught.value.code == "storage_unavailable"


async def test_local_ping_creates_a_missing_root(tmp_path: Path) -> None:
    root = tmp_path / "new" / "blobs"
    await LocalBlobStorage(root).ping()
    assert root.is_dir()


# -- S3 --------------------------------------------------------------------------------


def _raw_client(endpoint: str) -> Any:  # a plain client to look behind the adapter
    return aioboto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    ).client("s3", endpoint_url=endpoint)


async def test_s3_large_object_goes_up_in_parts(s3_endpoint: str, key: str) -> None:
    storage = s3_storage(s3_endpoint)
    try:
        await storage.put(key, generated(2 * PART_SIZE + 100))
        await storage.put(key + ".small", generated(PART_SIZE))
    finally:
        await storage.aclose()
    async with _raw_client(s3_endpoint) as client:
        head = await client.head_object(Bucket=BUCKET, Key=key)
        small = await client.head_object(Bucket=BUCKET, Key=key + ".small")
    assert head["ETag"].strip('"').endswith("-3")  # a multipart upload of 3 parts
    assert "-" not in small["ETag"]  # one put_object
    assert head["ContentLength"] == 2 * PART_SIZE + 100


async def test_s3_failed_multipart_upload_is_aborted(s3_endpoint: str, key: str) -> None:
    storage = s3_storage(s3_endpoint)
    try:
        with pytest.raises(RuntimeError):
            await storage.put(key, failing(PART_SIZE * 2 + 1))
    finally:
        await storage.aclose()
    async with _raw_client(s3_endpoint) as client:
        uploads = await client.list_multipart_uploads(Bucket=BUCKET, Prefix=key)
    assert uploads.get("Uploads", []) == []


async def test_s3_content_type_is_stored(s3_endpoint: str, key: str) -> None:
    storage = s3_storage(s3_endpoint)
    try:
        await storage.put(key, stream(b"%PDF"), content_type="application/pdf")
    finally:
        await storage.aclose()
    async with _raw_client(s3_endpoint) as client:
        head = await client.head_object(Bucket=BUCKET, Key=key)
    assert head["ContentType"] == "application/pdf"


async def test_s3_missing_bucket_is_unavailable(s3_endpoint: str) -> None:
    storage = s3_storage(s3_endpoint, bucket=f"missing-{uuid.uuid4().hex[:8]}", create=False)
    try:
        with pytest.raises(DependencyUnavailable) as caught:
            await storage.ping()
        assert caught.value.code == "storage_unavailable"
        with pytest.raises(DependencyUnavailable):
            await storage.put("a", stream(b"x"))
    finally:
        await storage.aclose()


@pytest.mark.parametrize("first_call", ["ping", "put"])
async def test_s3_a_vanished_bucket_is_created_again(s3_endpoint: str, first_call: str) -> None:
    """``create_bucket``: a bucket that disappeared (an S3 server restarted empty) comes back
    at the next readiness check or upload, not only at the first use."""
    bucket = f"vanishing-{uuid.uuid4().hex[:8]}"
    storage = s3_storage(s3_endpoint, bucket=bucket, create=True)
    try:
        await storage.put("old", stream(b"1"))
        async with _raw_client(s3_endpoint) as client:
            await client.delete_object(Bucket=bucket, Key="old")
            await client.delete_bucket(Bucket=bucket)
        if first_call == "ping":
            await storage.ping()
        await storage.put("new", stream(b"2"))
        assert await read_all(storage, "new") == b"2"
        assert not await storage.exists("old")
        await storage.ping()
    finally:
        await storage.aclose()


async def test_s3_a_vanished_bucket_stays_missing_without_create_bucket(s3_endpoint: str) -> None:
    bucket = f"vanishing-{uuid.uuid4().hex[:8]}"
    async with _raw_client(s3_endpoint) as client:
        await client.create_bucket(Bucket=bucket)
    storage = s3_storage(s3_endpoint, bucket=bucket, create=False)
    try:
        await storage.ping()
        async with _raw_client(s3_endpoint) as client:
            await client.delete_bucket(Bucket=bucket)
        with pytest.raises(DependencyUnavailable):
            await storage.ping()
        with pytest.raises(DependencyUnavailable):
            await storage.put("a", stream(b"x"))
    finally:
        await storage.aclose()


async def test_s3_dead_endpoint_is_unavailable(s3_endpoint: str) -> None:
    storage = s3_storage("http://127.0.0.1:1", create=False)
    started = time.monotonic()
    try:
        with pytest.raises(DependencyUnavailable) as caught:
            await storage.ping()
        with pytest.raises(DependencyUnavailable):
            await read_all(storage, "a")
    finally:
        await storage.aclose()
    assert caught.value.code == "storage_unavailable"
    assert time.monotonic() - started < 10


async def test_s3_client_is_reused_and_reopened_after_close(s3_endpoint: str, key: str) -> None:
    storage = s3_storage(s3_endpoint)
    await storage.put(key, stream(b"1"))
    await storage.aclose()
    assert await read_all(storage, key) == b"1"  # lazily reopened
    await storage.aclose()
    await storage.aclose()  # idempotent
