"""``/images``: upload (streamed multipart), list, read, delete, the bytes and links.

* ``POST /images`` streams the file part (``entrypoints/http/uploads.py``): over
  ``ATELIER_IMAGE_MAX_BYTES`` is 413 while streaming; the format is judged from the first
  bytes (415 for anything but PNG, JPEG, WebP, GIF) and the pixel count from the header
  (422 ``image_too_large``), both before the file is decoded; a malformed image is 422
  ``invalid_image``. ``Idempotency-Key`` is honoured: the fingerprint is the SHA-256 of the
  file and the title.
* ``GET /images/{id}/content`` answers the stored bytes with their type; ``?size=thumb`` the
  256 px WebP thumbnail, made by a job after the upload: until it exists the answer is 404
  ``thumbnail_not_ready`` with ``Retry-After`` (``thumbnail_status`` in the metadata tells);
  for an image the job could not decode, 404 ``thumbnail_unavailable``.
  It takes a bearer token, or the ``expires`` and ``signature`` of a link from
  ``GET /images/{id}/url`` (local storage); an expired or tampered link is 403
  ``invalid_link``.
* ``GET /images/{id}/url``: ``{url, expires_at}``, presigned by S3, or a link to the content
  route signed by the app (``ATELIER_PUBLIC_URL`` or the request's base URL), valid for
  ``ATELIER_IMAGE_URL_TTL_SECONDS``.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_204_NO_CONTENT

from application.media.commands import (
    DeleteItemCommand,
    ImageContentQuery,
    ItemQuery,
    ListImagesQuery,
    UploadImageCommand,
)
from application.media.ports import IMAGE_SORT_FIELDS, ImageFilters
from application.media.use_cases.delete_image import DeleteImage
from application.media.use_cases.get_image import GetImage
from application.media.use_cases.image_content import GetImageContent
from application.media.use_cases.image_link import GetImageLink
from application.media.use_cases.list_images import ListImages
from application.media.use_cases.upload_image import UploadImage
from domain.media.images import UnsupportedImageType, Visibility
from domain.shared.access import Actor
from domain.shared.errors import DomainError, NotFound
from entrypoints.http.auth import current_actor
from entrypoints.http.dependencies import (
    API,
    BEARER,
    COMMON,
    SearchParam,
    container_of,
    created_response,
    read_spec,
    sort_by,
    with_etag,
)
from entrypoints.http.errors import EdgeProblem, problem_responses
from entrypoints.http.idempotency import IdempotencyKeyHeader, Stored
from entrypoints.http.media.dependencies import use_case
from entrypoints.http.media.schemas import ImageRead, ImageUrlRead
from entrypoints.http.schemas import Page, PageParams, Sort
from entrypoints.http.uploads import open_upload

PATH = "/images"
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
LinkParam = Annotated[str | None, QueryParameter(max_length=200)]
_UPLOAD_BODY = RequestBody(
    required=True,
    description="The image (PNG, JPEG, WebP or GIF, judged from its bytes) and an optional title.",
    content={
        "multipart/form-data": OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                required=["file"],
                properties={
                    "file": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY),
                    "title": Schema(type=OpenAPIType.STRING, max_length=200),
                },
            )
        )
    },
)


@dataclass
class _UploadOperation(Operation):
    """The route reads its body itself (streamed), so the schema says what it takes."""

    def __post_init__(self) -> None:
        self.request_body = _UPLOAD_BODY


def _unsupported(exc: UnsupportedImageType) -> EdgeProblem:
    return EdgeProblem(
        415,
        exc.code,
        exc.detail,
        title="Unsupported media type",
        errors=list(exc.errors),
        headers={"Accept": "image/png, image/jpeg, image/webp, image/gif"},
    )


def _content_path(image_id: UUID) -> str:
    return f"{API}{PATH}/{image_id}/content"


class ImagesController(Controller):
    path = PATH
    tags = ["media"]
    security = BEARER
    dependencies = dict(COMMON)

    @get("/", dependencies={"run": use_case("list_images"),
                            "sort": sort_by(IMAGE_SORT_FIELDS, "-created_at")},
         summary="List images", responses=problem_responses(401, 422))  # fmt: skip
    async def list_images(
        self,
        actor: NamedDependency[Actor],
        run: NamedDependency[ListImages],
        page: NamedDependency[PageParams],
        sort: NamedDependency[Sort],
        visibility: FromQuery[Visibility | None] = None,
        owner_id: FromQuery[UUID | None] = None,
        q: SearchParam = None,
    ) -> Page[ImageRead]:
        """Clients and technicians see public images and their own; managers and admins all.
        ``q`` searches titles; newest first by default."""
        filters = ImageFilters(visibility=visibility, owner_id=owner_id, q=q)
        result = await run(ListImagesQuery(actor=actor, filters=filters, limit=page.limit,
                                           offset=page.offset, sort=str(sort)))  # fmt: skip
        return page.page([ImageRead.of(i) for i in result.items], result.total)

    @post(
        "/",
        dependencies={"run": use_case("upload_image")},
        request_max_body_size=None,
        summary="Upload an image",
        operation_class=_UploadOperation,
        responses={201: read_spec(ImageRead), **problem_responses(400, 403, 413, 415, 422)},
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        run: NamedDependency[UploadImage],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[bytes]:
        """An image uploaded by a client or technician is private to them (managers and
        admins see it); one uploaded by a manager or admin is public. The stored copy has no
        metadata (EXIF with GPS, XMP, comments; a JPEG keeps its orientation) and nothing
        after the image's end; ``size`` and ``sha256`` are the stored copy's."""
        container: Any = container_of(request)
        max_bytes = container.media.policy().max_bytes
        upload = await open_upload(request, max_bytes=max_bytes)
        digest = hashlib.sha256()

        async def hashed() -> AsyncIterator[bytes]:
            async for chunk in upload.chunks():
                digest.update(chunk)
                yield chunk

        async def produce() -> Stored:
            try:
                command = UploadImageCommand(
                    actor=actor, head=upload.head, chunks=hashed(), fields=upload.fields
                )
                image = await run(command)
            except UnsupportedImageType as exc:
                raise _unsupported(exc) from exc
            return created_response(ImageRead.of(image), PATH)

        if idempotency_key is None:
            return (await produce()).response()
        return await _idempotent_upload(
            container.cache(), actor, idempotency_key, produce, hashed, digest, upload.fields
        )

    @get("/{image_id:uuid}", dependencies={"run": use_case("get_image")},
         summary="One image's metadata", responses=problem_responses(401, 404))  # fmt: skip
    async def read(
        self,
        image_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        run: NamedDependency[GetImage],
    ) -> Response[ImageRead]:
        """404 for an image the caller may not see (another user's private image)."""
        return with_etag(ImageRead.of(await run(ItemQuery(actor=actor, item_id=image_id))))

    @delete("/{image_id:uuid}", dependencies={"run": use_case("delete_image")},
            status_code=HTTP_204_NO_CONTENT, summary="Delete an image",
            responses=problem_responses(401, 403, 404, 409, 412))  # fmt: skip
    async def remove(
        self,
        image_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        run: NamedDependency[DeleteImage],
        expected_version: NamedDependency[int | None],
    ) -> None:
        """Managers and admins delete any image, clients and technicians their own (403 on
        someone else's public image); 409 ``image_in_use`` while a theme has it as cover."""
        await run(DeleteItemCommand(actor=actor, item_id=image_id,
                                    expected_version=expected_version))  # fmt: skip

    @get(
        "/{image_id:uuid}/content",
        dependencies={"run": use_case("image_content")},
        summary="The image's bytes (or its thumbnail)",
        security=[{}],  # with the controller's bearer: a token, or a signed link
        responses={
            200: ResponseSpec(
                data_container=bytes,
                media_type="image/*",
                description="The bytes: image/png, image/jpeg, image/webp or image/gif "
                "(the thumbnail: image/webp)",
                generate_examples=False,
            ),
            **problem_responses(401, 403, 404),
        },
    )
    async def content(
        self,
        request: Request[Any, Any, Any],
        image_id: FromPath[UUID],
        run: NamedDependency[GetImageContent],
        size: FromQuery[Literal["original", "thumb"]] = "original",
        expires: LinkParam = None,
        signature: LinkParam = None,
    ) -> Stream:
        """With a bearer token, or with the ``expires`` and ``signature`` of a link from
        ``GET /images/{id}/url`` (local storage; 403 ``invalid_link`` once expired or when
        tampered with). ``size=thumb``: the 256 px WebP thumbnail, or 404
        ``thumbnail_not_ready`` (``Retry-After``) until the job has made it, 404
        ``thumbnail_unavailable`` when the image could not be decoded."""
        container = container_of(request)
        actor: Actor | None
        try:
            actor = current_actor(request)
        except DomainError:
            if expires is None and signature is None:
                raise
            signer = container.url_signer()
            if not signer.verify(
                _content_path(image_id), expires, signature, container.clock().now()
            ):
                raise EdgeProblem(
                    403, "invalid_link", "This link has expired or is not genuine."
                ) from None
            actor = None
        try:
            found = await run(
                ImageContentQuery(actor=actor, image_id=image_id, thumbnail=size == "thumb")
            )
        except NotFound as exc:
            if exc.code != "thumbnail_not_ready":
                raise
            raise EdgeProblem(
                404,
                exc.code,
                exc.detail,
                title="Thumbnail not ready",
                headers={"Retry-After": str(exc.extra.get("retry_after", 2))},
            ) from None
        chunks = container.storage().get(found.key)
        first = await anext(chunks, b"")

        async def body() -> AsyncIterator[bytes]:
            if first:
                yield first
            async for chunk in chunks:
                yield chunk

        return Stream(
            body(),
            media_type=found.mime_type,
            headers={
                "Content-Security-Policy": "default-src 'none'; sandbox",
                "Cache-Control": "private, max-age=300",
                "Content-Disposition": "inline",
                "ETag": f'"{found.image.sha256[:32]}{"-t" if size == "thumb" else ""}"',
            },
        )

    @get("/{image_id:uuid}/url", dependencies={"run": use_case("image_link")},
         summary="A temporary link to the image's bytes",
         responses=problem_responses(401, 404))  # fmt: skip
    async def link(
        self,
        request: Request[Any, Any, Any],
        image_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        run: NamedDependency[GetImageLink],
    ) -> ImageUrlRead:
        """Presigned by S3, or (local storage) a link to ``/images/{id}/content`` signed by the
        app; either works without a bearer token until ``expires_at``."""
        link = await run(ItemQuery(actor=actor, item_id=image_id))
        if link.presigned_url is not None:
            return ImageUrlRead(url=link.presigned_url, expires_at=link.expires_at)
        container = container_of(request)
        path = _content_path(image_id)
        query = container.url_signer().sign(path, link.expires_at)
        base = container.settings().public_url.rstrip("/") or str(request.base_url).rstrip("/")
        return ImageUrlRead(url=f"{base}{path}?{query}", expires_at=link.expires_at)


async def _idempotent_upload(
    cache: Any,
    actor: Actor,
    key: str,
    produce: Any,
    hashed: Any,
    digest: Any,
    fields: dict[str, str],
) -> Response[bytes]:
    """``Idempotency-Key`` for a streamed upload: the fingerprint (file and title) is known
    only once the file is read, so a replay reads the file too before answering."""
    text = key.strip()
    if not text or not text.isascii() or not text.isprintable():
        raise EdgeProblem(
            422, "invalid_idempotency_key", "Idempotency-Key must be printable ASCII."
        )
    record_key = (
        f"idempotency:{actor.user_id}:POST /images:{hashlib.sha256(text.encode()).hexdigest()}"
    )

    def fingerprint() -> str:
        return hashlib.sha256(
            f"{digest.hexdigest()}\n{fields.get('title', '')}".encode()
        ).hexdigest()

    existing = await cache.get(record_key)
    if existing is not None:
        async for _ in hashed():
            pass
        stored = msgspec.json.decode(existing, type=Stored)
        if stored.fingerprint != fingerprint():
            raise EdgeProblem(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was already used with another request body.",
            )
        return stored.response(replayed=True)
    lock_key = f"{record_key}:lock"
    if not await cache.set_if_absent(lock_key, b"1", ttl_seconds=60.0):
        raise EdgeProblem(409, "idempotency_in_progress",
                          "A request with this Idempotency-Key is still being processed.",
                          headers={"Retry-After": "1"})  # fmt: skip
    try:
        answer: Stored = await produce()
        answer.fingerprint = fingerprint()
        await cache.set(
            record_key, msgspec.json.encode(answer), ttl_seconds=IDEMPOTENCY_TTL_SECONDS
        )
        return answer.response()
    finally:
        await cache.delete(lock_key)
