"""BlobStorage on S3 or any S3-compatible server (MinIO, moto...), through aioboto3.

One long-lived client is opened lazily (under a lock) and closed by ``aclose``. Uploads
stream: objects up to one part go up in a single ``put_object``, larger ones as a multipart
upload of 8 MiB parts (one part held at a time) that is aborted if anything fails. Network
and service failures surface as ``DependencyUnavailable(code="storage_unavailable")``; a
missing key as NotFound.

Every call is bounded: ``connect_timeout`` and ``read_timeout`` per attempt, at most
``max_attempts`` attempts (botocore's standard retry mode, its backoff in between). With
``create_bucket``, a bucket that disappeared (an S3 server restarted empty) is created again
by the next readiness check or the next upload that finds it missing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from typing import Any

import aioboto3
from aiohttp import ClientError as HttpClientError
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from adapters.storage.keys import StreamDigest, validate_key
from application.shared.storage import BlobStorage, StoredBlob
from domain.shared.errors import DependencyUnavailable, NotFound

PART_SIZE = 8 * 1024 * 1024
_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
_NO_BUCKET_CODES = {"NoSuchBucket", "404", "NotFound"}
_NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    BotoCoreError,
    HttpClientError,
    OSError,
    asyncio.TimeoutError,
)


def _no_expect_continue(request: Any, **_kwargs: Any) -> None:
    """Drop ``Expect: 100-continue`` (botocore adds it to every upload): aiohttp waits for the
    server's ``100 Continue`` without any timeout, so an S3 server that stopped answering
    hung an upload forever. The body is sent at once instead; the read timeout bounds the
    wait for the answer."""
    if "Expect" in request.headers:
        del request.headers["Expect"]


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _unavailable(exc: BaseException) -> DependencyUnavailable:
    error = DependencyUnavailable("Blob storage is not reachable.", code="storage_unavailable")
    error.__cause__ = exc
    return error


@contextlib.contextmanager
def _mapped_errors() -> Iterator[None]:
    """Translate S3 and network failures into domain errors."""
    try:
        yield
    except ClientError as exc:
        if _error_code(exc) in _MISSING_CODES:
            raise NotFound("No such object.", code="object_not_found") from exc
        raise _unavailable(exc) from exc
    except _NETWORK_ERRORS as exc:
        raise _unavailable(exc) from exc


class S3BlobStorage(BlobStorage):
    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        path_style: bool = False,
        create_bucket: bool = False,
        connect_timeout_seconds: float = 2.0,
        read_timeout_seconds: float = 5.0,
        max_attempts: int = 2,
    ) -> None:
        if not bucket:
            raise ValueError("an S3 bucket name is required")
        self._bucket = bucket
        self._endpoint_url = endpoint_url
        self._region = region or "us-east-1"
        self._session = aioboto3.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=self._region,
        )
        self._config = Config(
            s3={"addressing_style": "path" if path_style else "auto"},
            retries={"total_max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=connect_timeout_seconds,
            read_timeout=read_timeout_seconds,
        )
        self._create_bucket = create_bucket
        self._lock = asyncio.Lock()
        self._stack: AsyncExitStack | None = None
        self._client: Any = None

    @staticmethod
    def worst_case_seconds(
        *, connect_timeout_seconds: float, read_timeout_seconds: float, max_attempts: int
    ) -> float:
        """The longest one call waits for an S3 server that does not answer before
        ``storage_unavailable``: each attempt's connect and read timeouts, and botocore's
        standard backoff between attempts (at most 1, 2, 4... s)."""
        attempts = max_attempts * (connect_timeout_seconds + read_timeout_seconds)
        backoff = sum(min(2.0**k, 20.0) for k in range(max_attempts - 1))
        return attempts + backoff

    # -- client lifecycle -------------------------------------------------------------

    async def _get_client(self) -> Any:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                stack = AsyncExitStack()
                try:
                    with _mapped_errors():
                        client = await stack.enter_async_context(
                            self._session.client(
                                "s3", endpoint_url=self._endpoint_url, config=self._config
                            )
                        )
                        client.meta.events.register("before-sign.s3", _no_expect_continue)
                        if self._create_bucket:
                            await self._ensure_bucket(client)
                except BaseException:
                    await stack.aclose()
                    raise
                self._stack, self._client = stack, client
        return self._client

    async def _ensure_bucket(self, client: Any) -> None:
        try:
            await client.head_bucket(Bucket=self._bucket)
            return
        except ClientError as exc:
            if _error_code(exc) not in _NO_BUCKET_CODES:
                raise
        await self._create(client)

    async def _create(self, client: Any) -> None:
        params: dict[str, Any] = {"Bucket": self._bucket}
        if self._region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": self._region}
        try:
            await client.create_bucket(**params)
        except ClientError as exc:
            if _error_code(exc) not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise

    async def aclose(self) -> None:
        async with self._lock:
            stack, self._stack, self._client = self._stack, None, None
            if stack is not None:
                with contextlib.suppress(Exception):
                    await stack.aclose()

    # -- the port ---------------------------------------------------------------------

    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str = "application/octet-stream",
    ) -> StoredBlob:
        """At most one part is held (plus the caller's current chunk and the copy being
        sent): a part goes up as soon as a byte beyond it has arrived, so a stream that
        fits in one part is a single ``put_object``."""
        validate_key(key)
        client = await self._get_client()
        digest = StreamDigest()
        buffer = bytearray()
        upload: _MultipartUpload | None = None
        try:
            async for chunk in chunks:  # the caller's stream: its errors are not the storage's
                digest.update(chunk)
                buffer += chunk
                while len(buffer) > PART_SIZE:  # a full part that is not the last one
                    if upload is None:
                        upload = await self._start_multipart(client, key, content_type)
                    with memoryview(buffer) as view:
                        part = bytes(view[:PART_SIZE])
                    del buffer[:PART_SIZE]
                    await upload.send(part)
                    del part
            if upload is None:
                await self._put_object(client, key, bytes(buffer), content_type)
            else:
                await upload.send(bytes(buffer))
                buffer.clear()
                await upload.complete()
        except BaseException:
            if upload is not None:
                await upload.abort()
            raise
        return digest.blob(key, content_type)

    async def _start_multipart(self, client: Any, key: str, content_type: str) -> _MultipartUpload:
        created = await self._in_bucket(
            client,
            lambda: client.create_multipart_upload(
                Bucket=self._bucket, Key=key, ContentType=content_type
            ),
        )
        return _MultipartUpload(client, self._bucket, key, created["UploadId"])

    async def _put_object(self, client: Any, key: str, body: bytes, content_type: str) -> None:
        await self._in_bucket(
            client,
            lambda: client.put_object(
                Bucket=self._bucket, Key=key, Body=body, ContentType=content_type
            ),
        )

    async def _in_bucket(self, client: Any, call: Callable[[], Awaitable[Any]]) -> Any:
        """``call()`` with mapped errors; once more after re-creating a vanished bucket."""
        for attempt in (1, 2):
            try:
                with _mapped_errors():
                    return await call()
            except DependencyUnavailable as exc:
                if attempt == 2 or not await self._recreated_bucket(client, exc):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _recreated_bucket(self, client: Any, exc: BaseException) -> bool:
        """With ``create_bucket``: True when ``exc`` says the bucket is gone and it was
        created again (the caller then retries once)."""
        cause = exc.__cause__
        if not (self._create_bucket and isinstance(cause, ClientError)):
            return False
        if _error_code(cause) != "NoSuchBucket":
            return False
        with _mapped_errors():
            await self._create(client)
        return True

    def get(self, key: str, *, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        validate_key(key)
        return self._stream(key, chunk_size)

    async def _stream(self, key: str, chunk_size: int) -> AsyncIterator[bytes]:
        client = await self._get_client()
        with _mapped_errors():
            response = await client.get_object(Bucket=self._bucket, Key=key)
        body = response["Body"]
        async with body:
            iterator = body.iter_chunks(chunk_size).__aiter__()
            while True:
                with _mapped_errors():
                    chunk = await anext(iterator, None)
                if chunk is None:
                    return
                yield chunk

    async def delete(self, key: str) -> None:
        validate_key(key)
        client = await self._get_client()
        with _mapped_errors():
            await client.delete_object(Bucket=self._bucket, Key=key)

    async def exists(self, key: str) -> bool:
        validate_key(key)
        client = await self._get_client()
        try:
            with _mapped_errors():
                await client.head_object(Bucket=self._bucket, Key=key)
        except NotFound:
            return False
        return True

    async def presigned_url(self, key: str, *, expires_in: int) -> str | None:
        validate_key(key)
        client = await self._get_client()
        with _mapped_errors():
            url = await client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self._bucket, "Key": key},
                ExpiresIn=int(expires_in),
            )
        return str(url)

    async def ping(self) -> None:
        client = await self._get_client()
        try:
            with _mapped_errors():
                await client.head_bucket(Bucket=self._bucket)
        except NotFound as exc:
            if self._create_bucket:  # gone (an S3 server restarted empty): create it again
                with _mapped_errors():
                    await self._create(client)
                return
            raise DependencyUnavailable(
                "The storage bucket does not exist.", code="storage_unavailable"
            ) from exc


class _MultipartUpload:
    """One multipart upload: parts sent in order, then completed, or aborted on failure."""

    def __init__(self, client: Any, bucket: str, key: str, upload_id: str) -> None:
        self._client, self._bucket, self._key, self._id = client, bucket, key, upload_id
        self._done: list[dict[str, Any]] = []

    async def send(self, body: bytes) -> None:
        number = len(self._done) + 1
        with _mapped_errors():
            answer = await self._client.upload_part(
                Bucket=self._bucket, Key=self._key, UploadId=self._id, PartNumber=number,
                Body=body,
            )  # fmt: skip
        self._done.append({"PartNumber": number, "ETag": answer["ETag"]})

    async def complete(self) -> None:
        with _mapped_errors():
            await self._client.complete_multipart_upload(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._id,
                MultipartUpload={"Parts": self._done},
            )

    async def abort(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.shield(
                self._client.abort_multipart_upload(
                    Bucket=self._bucket, Key=self._key, UploadId=self._id
                )
            )
