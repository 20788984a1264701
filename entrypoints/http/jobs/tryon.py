"""``POST /tryon`` and ``GET /tryon/{id}``: the try-on job for clients without a socket."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED

from application.jobs.use_cases.get_tryon import GetTryOn
from application.jobs.use_cases.submit_tryon import SubmitTryOn, SubmitTryOnCommand
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
from entrypoints.http.jobs.schemas import TryOnCreate, TryOnRead

PATH = "/tryon"


class TryOnController(Controller):
    path = PATH
    tags = ["AI jobs"]
    security = BEARER
    dependencies = dict(COMMON)

    @post(
        "/",
        dependencies={"submit": use_case("submit_tryon"), "idempotency": provide_idempotency},
        opt=CREATE_LIMIT,
        status_code=HTTP_202_ACCEPTED,
        summary="Start a virtual try-on",
        responses={
            202: read_spec(TryOnRead, "Accepted: queued"),
            **problem_responses(401, 403, 422, 429, 503),
        },
    )
    async def submit(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[TryOnCreate],
        actor: NamedDependency[Actor],
        submit: NamedDependency[SubmitTryOn],
        idempotency: NamedDependency[Idempotency],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[bytes]:
        """Both images must be images you can read (else 422 ``image_not_found`` naming the
        field). 202 with the queued job and ``Location``; poll ``GET /tryon/{id}`` or use the
        socket. The result is a new private image of yours (``result_image_id``). Quota,
        rate limit and ``Idempotency-Key`` as for transcriptions."""

        async def produce() -> Any:
            job = await submit(
                SubmitTryOnCommand(
                    actor=actor,
                    person_image_id=data.person_image_id,
                    garment_image_id=data.garment_image_id,
                )
            )
            return stored_json(
                TryOnRead.of(job), status=202, headers={"Location": f"{API}{PATH}/{job.id}"}
            )

        return await idempotency.run(
            request, actor, route="POST /tryon", key=idempotency_key, produce=produce
        )

    @get(
        "/{job_id:uuid}",
        dependencies={"get_tryon": use_case("get_tryon")},
        summary="One try-on: status, progress, result_image_id or error",
        responses=problem_responses(401, 404),
    )
    async def get_tryon(
        self,
        job_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        get_tryon: NamedDependency[GetTryOn],
    ) -> TryOnRead:
        return TryOnRead.of(await get_tryon(actor, job_id))
