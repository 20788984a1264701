"""``/documents*``: streamed uploads, lists, metadata, streamed content, links, verification
and deletion (API.md "Documents and notifications").

``POST /documents`` reads the multipart body as it arrives (``entrypoints/http/uploads.py``):
the form fields must come before the file part (every HTTP client library sends them in
the order given; ``kind`` is needed before any byte is stored). ``GET /documents/{id}/content``
also answers a link signed by the app (``?expires=...&signature=...``, from
``GET /documents/{id}/url`` on local storage) without a bearer token.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

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

from application.documents.commands import (
    DeleteDocumentCommand,
    DocumentContentQuery,
    DocumentQuery,
    ListDocumentsQuery,
    UploadDocumentCommand,
)
from application.documents.ports import DOCUMENT_SORT_FIELDS, DocumentFilters
from application.documents.use_cases.delete_document import DeleteDocument
from application.documents.use_cases.document_link import GetDocumentLink
from application.documents.use_cases.get_content import GetDocumentContent
from application.documents.use_cases.get_document import GetDocument
from application.documents.use_cases.list_documents import ListDocuments
from application.documents.use_cases.upload_document import UploadDocument
from application.documents.use_cases.verify_document import VerifyDocument
from domain.documents.document import DocumentKind
from domain.shared.access import Actor
from domain.shared.errors import FieldError, ValidationFailed
from entrypoints.bootstrap.container import module_container
from entrypoints.http.auth import ACTOR_KEY, AUTH_ERROR_KEY, current_actor
from entrypoints.http.dependencies import (
    API,
    BEARER,
    COMMON,
    created_response,
    module_use_case_provider,
    read_spec,
    sort_by,
    with_etag,
)
from entrypoints.http.documents.schemas import DocumentLinkRead, DocumentRead, VerificationRead
from entrypoints.http.errors import problem_responses
from entrypoints.http.idempotency import IdempotencyKeyHeader, Stored, idempotent_upload
from entrypoints.http.schemas import Page, PageParams, Sort, etag_for
from entrypoints.http.state import container_of
from entrypoints.http.uploads import open_upload

PATH = "/documents"
use_case = module_use_case_provider("documents")

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
SignatureParam = Annotated[
    str | None,
    QueryParameter(max_length=200, description="From a link signed by the app (``/url``)."),
]
ExpiresParam = Annotated[
    str | None,
    QueryParameter(max_length=20, description="From a link signed by the app (``/url``)."),
]

UPLOAD_DESCRIPTION = """\
``multipart/form-data`` with, in this order, the fields ``kind`` (report, photo, manual, \
invoice, certificate, other), optionally ``intervention_id``, ``equipment_id`` and ``encrypt`` \
(true/false; default true for invoice and certificate), then the ``file`` part. The body is \
streamed to storage: 413 when ``Content-Length`` or the bytes received exceed \
``ATELIER_DOCUMENT_MAX_BYTES``; 415 when the file's bytes are not PDF, PNG, JPEG, WebP, text, \
CSV, docx or xlsx. Technicians attach documents to an intervention or equipment they can \
read; clients cannot upload. With ``Idempotency-Key``, a retry with the same fields and \
file (compared by SHA-256 as it streams by, never stored) gets the first answer back.
"""


def _field_uuid(fields: dict[str, str], name: str) -> UUID | None:
    raw = fields.get(name, "").strip()
    if not raw:
        return None
    try:
        return UUID(raw)
    except ValueError:
        raise ValidationFailed(errors=[FieldError(name, "must be a UUID")]) from None


def _form(fields: dict[str, str]) -> tuple[DocumentKind, UUID | None, UUID | None, bool | None]:
    errors: list[FieldError] = []
    raw_kind = fields.get("kind", "").strip()
    kind: DocumentKind | None = None
    if not raw_kind:
        errors.append(FieldError("kind", "is required (send the form fields before the file part)"))
    else:
        try:
            kind = DocumentKind(raw_kind)
        except ValueError:
            allowed = ", ".join(k.value for k in DocumentKind)
            errors.append(FieldError("kind", f"must be one of {allowed}"))
    encrypt: bool | None = None
    raw_encrypt = fields.get("encrypt", "").strip().lower()
    if raw_encrypt in _TRUE:
        encrypt = True
    elif raw_encrypt in _FALSE:
        encrypt = False
    elif raw_encrypt:
        errors.append(FieldError("encrypt", "must be true or false"))
    ids: dict[str, UUID | None] = {}
    for name in ("intervention_id", "equipment_id"):
        try:
            ids[name] = _field_uuid(fields, name)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors or kind is None:
        raise ValidationFailed(errors=errors)
    return kind, ids["intervention_id"], ids["equipment_id"], encrypt


def _optional_actor(request: Request[Any, Any, Any]) -> Actor | None:
    state = request.scope.get("state", {})
    if state.get(ACTOR_KEY) is not None or state.get(AUTH_ERROR_KEY) is not None:
        return current_actor(request)
    return None


def _absolute(request: Request[Any, Any, Any], path: str) -> str:
    base = container_of(request).settings().public_url.rstrip("/")
    if not base:
        base = str(request.base_url).rstrip("/")
    return f"{base}{API}{path}"


def _disposition(name: str, inline: bool) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


_INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/webp", "text/plain"}


@dataclass
class UploadOperation(Operation):
    """The OpenAPI of ``POST /documents``: the handler reads the multipart body itself
    (streamed), so its request body is described here."""

    def __post_init__(self) -> None:
        uuid_text = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.UUID)
        self.request_body = RequestBody(
            required=True,
            description=UPLOAD_DESCRIPTION,
            content={
                "multipart/form-data": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        required=["kind", "file"],
                        properties={
                            "kind": Schema(
                                type=OpenAPIType.STRING,
                                enum=[k.value for k in DocumentKind],
                            ),
                            "intervention_id": uuid_text,
                            "equipment_id": uuid_text,
                            "encrypt": Schema(type=OpenAPIType.BOOLEAN),
                            "file": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY),
                        },
                    )
                )
            },
        )


class DocumentsController(Controller):
    path = PATH
    tags = ["documents"]
    security = BEARER
    dependencies = dict(COMMON)

    @post(
        "/",
        dependencies={"upload": use_case("upload_document")},
        summary="Upload a document (streamed multipart)",
        description=UPLOAD_DESCRIPTION,
        operation_class=UploadOperation,
        request_max_body_size=None,
        responses={
            201: read_spec(DocumentRead),
            **problem_responses(400, 401, 403, 413, 415, 422, 503),
        },
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        upload: NamedDependency[UploadDocument],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[bytes]:
        container = container_of(request)
        limit = module_container(container, "documents").config().document_max_bytes
        received = await open_upload(request, max_bytes=limit)
        kind, intervention_id, equipment_id, encrypt = _form(received.fields)

        def fingerprint(file_sha256: str) -> str:
            fields = sorted(received.fields.items())
            material = repr((fields, received.filename, file_sha256)).encode()
            return hashlib.sha256(material).hexdigest()

        async def produce() -> tuple[Stored, str]:
            view = await upload(
                UploadDocumentCommand(
                    actor=actor,
                    kind=kind,
                    filename=received.filename,
                    declared_type=received.declared_type,
                    head=received.head,
                    chunks=received.chunks(),
                    intervention_id=intervention_id,
                    equipment_id=equipment_id,
                    encrypt=encrypt,
                )
            )
            return created_response(DocumentRead.of(view), PATH), fingerprint(view.sha256)

        async def fingerprint_only() -> str:
            digest = hashlib.sha256()
            async for chunk in received.chunks():
                digest.update(chunk)
            return fingerprint(digest.hexdigest())

        return await idempotent_upload(
            container.cache(),
            actor,
            route="POST /documents",
            key=idempotency_key,
            produce=produce,
            fingerprint_only=fingerprint_only,
        )

    @get(
        "/",
        dependencies={
            "list_documents": use_case("list_documents"),
            "sort": sort_by(DOCUMENT_SORT_FIELDS, "-created_at"),
        },
        summary="List documents",
        responses=problem_responses(401, 403, 422),
    )
    async def list_documents(
        self,
        actor: NamedDependency[Actor],
        list_documents: NamedDependency[ListDocuments],
        page: NamedDependency[PageParams],
        sort: NamedDependency[Sort],
        intervention_id: FromQuery[UUID | None] = None,
        equipment_id: FromQuery[UUID | None] = None,
        kind: FromQuery[DocumentKind | None] = None,
    ) -> Page[DocumentRead]:
        """Clients see the documents of interventions on their own equipment only."""
        result = await list_documents(
            ListDocumentsQuery(
                actor=actor,
                filters=DocumentFilters(
                    intervention_id=intervention_id, equipment_id=equipment_id, kind=kind
                ),
                limit=page.limit,
                offset=page.offset,
                sort=str(sort),
            )
        )
        return page.page([DocumentRead.of(v) for v in result.items], result.total)

    @get(
        "/{document_id:uuid}",
        dependencies={"get_document": use_case("get_document")},
        summary="A document's metadata",
        responses=problem_responses(401, 404),
    )
    async def get_document(
        self,
        document_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        get_document: NamedDependency[GetDocument],
    ) -> Response[DocumentRead]:
        view = await get_document(DocumentQuery(actor=actor, document_id=document_id))
        return with_etag(DocumentRead.of(view))

    @get(
        "/{document_id:uuid}/content",
        dependencies={"get_content": use_case("get_content")},
        summary="A document's bytes (streamed, decrypted)",
        security=[*BEARER, {}],
        responses={
            200: ResponseSpec(
                data_container=bytes,
                media_type="application/octet-stream",
                description="The bytes, with the document's type",
            ),
            **problem_responses(401, 404, 409, 503),
        },
    )
    async def content(
        self,
        request: Request[Any, Any, Any],
        document_id: FromPath[UUID],
        get_content: NamedDependency[GetDocumentContent],
        expires: ExpiresParam = None,
        signature: SignatureParam = None,
    ) -> Stream:
        """With a bearer token, or with the ``expires`` and ``signature`` of a link from
        ``GET /documents/{id}/url`` (local storage), which needs none; an expired or altered
        link is 404 ``invalid_link``."""
        signed = expires is not None or signature is not None
        content = await get_content(
            DocumentContentQuery(
                document_id=document_id,
                actor=None if signed else _optional_actor(request),
                expires=expires,
                signature=signature,
            )
        )
        document = content.document
        return Stream(
            content.chunks,
            media_type=document.mime_type,
            headers={
                "Content-Length": str(document.size),
                "Content-Disposition": _disposition(
                    document.name, document.mime_type in _INLINE_TYPES
                ),
                "ETag": etag_for(document.version),
                "Cache-Control": "private, no-store",
            },
        )

    @get(
        "/{document_id:uuid}/url",
        dependencies={"document_link": use_case("document_link")},
        summary="A link that reads the document without a token, for a while",
        responses=problem_responses(401, 404, 409, 503),
    )
    async def link(
        self,
        request: Request[Any, Any, Any],
        document_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        document_link: NamedDependency[GetDocumentLink],
    ) -> DocumentLinkRead:
        """Presigned by S3, or (local storage) a link to ``/documents/{id}/content`` signed by
        the app until ``expires_at`` (``ATELIER_DOCUMENT_LINK_TTL_SECONDS``). 409
        ``encrypted_document`` for encrypted documents."""
        link = await document_link(DocumentQuery(actor=actor, document_id=document_id))
        url = _absolute(request, link.url) if link.signed_by_app else link.url
        return DocumentLinkRead.of(link, url)

    @post(
        "/{document_id:uuid}/verify",
        dependencies={"verify": use_case("verify_document")},
        summary="Re-read the stored bytes and compare their SHA-256",
        status_code=200,
        responses=problem_responses(401, 404, 503),
    )
    async def verify(
        self,
        document_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        verify: NamedDependency[VerifyDocument],
    ) -> VerificationRead:
        """``ok: false`` (never an error) when the object is missing, altered, truncated
        or does not decrypt."""
        result = await verify(DocumentQuery(actor=actor, document_id=document_id))
        return VerificationRead.of(result)

    @delete(
        "/{document_id:uuid}",
        dependencies={"delete_document": use_case("delete_document")},
        summary="Delete a document",
        responses=problem_responses(401, 403, 404, 412),
    )
    async def delete_document(
        self,
        document_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        expected_version: NamedDependency[int | None],
        delete_document: NamedDependency[DeleteDocument],
    ) -> None:
        """Admins and managers. The record goes at once; the stored object is deleted by a
        retried background job (a sweeper catches anything left)."""
        await delete_document(
            DeleteDocumentCommand(
                actor=actor, document_id=document_id, expected_version=expected_version
            )
        )
