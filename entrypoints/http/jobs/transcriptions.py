"""``/transcriptions*``: submit, follow, list and cancel transcriptions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from application.jobs.use_cases.delete_transcription import DeleteTranscription
from application.jobs.use_cases.read_transcriptions import (
    GetTranscription,
    ListTranscriptions,
    ListTranscriptionsQuery,
)
from application.jobs.use_cases.submit_transcription import (
    SubmitTranscription,
    SubmitTranscriptionCommand,
)
from domain.jobs.status import JobStatus
from domain.shared.access import Actor
from entrypoints.http.errors import problem_responses
from entrypoints.http.idempotency import Idempotency, IdempotencyKeyHeader, stored_json
from entrypoints.http.jobs.dependencies import (
    API,
    BEARER,
    COMMON,
    CREATE_LIMIT,
    provide_idempotency,
    read_spec,
    use_case,
)
from entrypoints.http.jobs.schemas import TranscriptionCreate, TranscriptionRead
from entrypoints.http.schemas import Page, PageParams

PATH = "/transcriptions"


class TranscriptionsController(Controller):
    path = PATH
    tags = ["AI jobs"]
    security = BEARER
    dependencies = dict(COMMON)

    @post(
        "/",
        dependencies={
            "submit": use_case("submit_transcription"),
            "idempotency": provide_idempotency,
        },
        opt=CREATE_LIMIT,
        status_code=HTTP_202_ACCEPTED,
        summary="Submit a transcription",
        responses={
            202: read_spec(TranscriptionRead, "Accepted: queued"),
            **problem_responses(401, 403, 422, 429, 503),
        },
    )
    async def submit(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[TranscriptionCreate],
        actor: NamedDependency[Actor],
        submit: NamedDependency[SubmitTranscription],
        idempotency: NamedDependency[Idempotency],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[bytes]:
        """202 with the queued job and ``Location``. ``source_url`` must be http or https, at
        most 2048 characters, with a host that resolves only to public addresses (else 422
        ``forbidden_source_url``; ``ATELIER_JOBS_SOURCE_ALLOWLIST`` accepts chosen hosts).
        More than ``ATELIER_JOBS_MAX_ACTIVE_PER_USER`` queued or running jobs is 429
        ``too_many_jobs`` with ``Retry-After``; the route also has a rate limit
        (``jobs_create``). Honours ``Idempotency-Key``."""

        async def produce() -> Any:
            job = await submit(
                SubmitTranscriptionCommand(
                    actor=actor, source_url=data.source_url, language=data.language
                )
            )
            return stored_json(
                TranscriptionRead.of(job),
                status=202,
                headers={"Location": f"{API}{PATH}/{job.id}"},
            )

        return await idempotency.run(
            request, actor, route="POST /transcriptions", key=idempotency_key, produce=produce
        )

    @get(
        "/",
        dependencies={"list_transcriptions": use_case("list_transcriptions")},
        summary="List transcriptions (yours; every one for administrators), newest first",
        responses=problem_responses(401, 422),
    )
    async def list_transcriptions(
        self,
        actor: NamedDependency[Actor],
        list_transcriptions: NamedDependency[ListTranscriptions],
        page: NamedDependency[PageParams],
        status: FromQuery[JobStatus | None] = None,
    ) -> Page[TranscriptionRead]:
        result = await list_transcriptions(
            ListTranscriptionsQuery(
                actor=actor, status=status, limit=page.limit, offset=page.offset
            )
        )
        return page.page([TranscriptionRead.of(j) for j in result.items], result.total)

    @get(
        "/{job_id:uuid}",
        dependencies={"get_transcription": use_case("get_transcription")},
        summary="One transcription: status, progress, text and segments or error",
        responses=problem_responses(401, 404),
    )
    async def get_transcription(
        self,
        job_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        get_transcription: NamedDependency[GetTranscription],
    ) -> TranscriptionRead:
        return TranscriptionRead.of(await get_transcription(actor, job_id))

    @delete(
        "/{job_id:uuid}",
        dependencies={"delete_transcription": use_case("delete_transcription")},
        status_code=HTTP_204_NO_CONTENT,
        summary="Cancel (when queued or running) and remove a transcription",
        responses=problem_responses(401, 403, 404),
    )
    async def delete_transcription(
        self,
        job_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        delete_transcription: NamedDependency[DeleteTranscription],
    ) -> None:
        """A running job stops at its next progress report; nothing of it is recorded."""
        await delete_transcription(actor, job_id)
