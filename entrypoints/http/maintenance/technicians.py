"""``/technicians*``: technician profiles and their availability."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from application.maintenance.commands import (
    CreateTechnicianCommand,
    GetTechnicianQuery,
    ListTechniciansQuery,
    TechnicianAvailabilityQuery,
    UpdateTechnicianCommand,
)
from application.maintenance.ports import TECHNICIAN_SORT_FIELDS, TechnicianFilters
from application.maintenance.use_cases.create_technician import CreateTechnician
from application.maintenance.use_cases.get_technician import GetTechnician
from application.maintenance.use_cases.list_technicians import ListTechnicians
from application.maintenance.use_cases.technician_availability import (
    GetTechnicianAvailability,
)
from application.maintenance.use_cases.update_technician import UpdateTechnician
from domain.maintenance.enums import ExperienceLevel
from domain.shared.access import Actor
from domain.shared.errors import FieldError, ValidationFailed
from entrypoints.http.errors import problem_responses
from entrypoints.http.idempotency import Idempotency, IdempotencyKeyHeader
from entrypoints.http.maintenance.dependencies import (
    BEARER,
    COMMON,
    FilterText,
    FromParam,
    ToParam,
    created_response,
    provide_idempotency,
    read_spec,
    sort_by,
    use_case,
    with_etag,
)
from entrypoints.http.maintenance.schemas.common import changes_of, parse_instant
from entrypoints.http.maintenance.schemas.planning import AvailabilityRead
from entrypoints.http.maintenance.schemas.technicians import (
    TechnicianCreate,
    TechnicianRead,
    TechnicianUpdate,
    working_windows,
)
from entrypoints.http.schemas import Page, PageParams, Sort

PATH = "/technicians"


class TechniciansController(Controller):
    path = PATH
    tags = ["technicians"]
    security = BEARER
    dependencies = dict(COMMON)

    @get(
        "/",
        dependencies={
            "list_technicians": use_case("list_technicians"),
            "sort": sort_by(TECHNICIAN_SORT_FIELDS, "created_at"),
        },
        summary="List technician profiles",
        responses=problem_responses(401, 403, 422),
    )
    async def list_technicians(
        self,
        actor: NamedDependency[Actor],
        list_technicians: NamedDependency[ListTechnicians],
        page: NamedDependency[PageParams],
        sort: NamedDependency[Sort],
        available: FromQuery[bool | None] = None,
        skill: FilterText = None,
        specialty: FilterText = None,
        level: FromQuery[ExperienceLevel | None] = None,
        user_id: FromQuery[UUID | None] = None,
    ) -> Page[TechnicianRead]:
        result = await list_technicians(
            ListTechniciansQuery(
                actor=actor,
                filters=TechnicianFilters(
                    available=available,
                    skill=skill,
                    specialty=specialty,
                    level=level,
                    user_id=user_id,
                ),
                limit=page.limit,
                offset=page.offset,
                sort=str(sort),
            )
        )
        return page.page([TechnicianRead.of(v) for v in result.items], result.total)

    @post(
        "/",
        dependencies={
            "create_technician": use_case("create_technician"),
            "idempotency": provide_idempotency,
        },
        summary="Create a technician profile",
        responses={201: read_spec(TechnicianRead), **problem_responses(403, 409, 422)},
    )
    async def create_technician(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[TechnicianCreate],
        actor: NamedDependency[Actor],
        create_technician: NamedDependency[CreateTechnician],
        idempotency: NamedDependency[Idempotency],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[bytes]:
        """The user must exist (422 ``unknown_reference``) and be an active technician (422
        ``not_a_technician``); one profile per user (409 ``technician_exists``); each names
        ``user_id``. Honours ``Idempotency-Key``."""
        hours = working_windows(data.working_hours) if data.working_hours is not None else None

        async def produce() -> Any:
            view = await create_technician(
                CreateTechnicianCommand(
                    actor=actor,
                    user_id=data.user_id,
                    specialty=data.specialty,
                    skills=tuple(data.skills),
                    experience_level=data.experience_level.value,
                    available=data.available,
                    phone=data.phone,
                    base_location=data.base_location,
                    working_hours=hours,
                )
            )
            return created_response(TechnicianRead.of(view), PATH)

        return await idempotency.run(
            request, actor, route="POST /technicians", key=idempotency_key, produce=produce
        )

    @get(
        "/{technician_id:uuid}",
        dependencies={"get_technician": use_case("get_technician")},
        summary="A technician profile",
        responses=problem_responses(401, 404),
    )
    async def get_technician(
        self,
        technician_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        get_technician: NamedDependency[GetTechnician],
    ) -> Response[TechnicianRead]:
        view = await get_technician(GetTechnicianQuery(actor=actor, technician_id=technician_id))
        return with_etag(TechnicianRead.of(view))

    @patch(
        "/{technician_id:uuid}",
        dependencies={"update_technician": use_case("update_technician")},
        summary="Update a technician profile",
        responses=problem_responses(400, 403, 404, 412, 422),
    )
    async def update_technician(
        self,
        technician_id: FromPath[UUID],
        data: JSONBody[TechnicianUpdate],
        actor: NamedDependency[Actor],
        update_technician: NamedDependency[UpdateTechnician],
        expected_version: NamedDependency[int | None],
    ) -> Response[TechnicianRead]:
        """Managers change anything; a technician only ``available`` and ``working_hours`` of
        their own profile. Honours ``If-Match`` (412 when stale)."""
        changes = changes_of(data, convert={"working_hours": working_windows})
        view = await update_technician(
            UpdateTechnicianCommand(
                actor=actor,
                technician_id=technician_id,
                changes=changes,
                expected_version=expected_version,
            )
        )
        return with_etag(TechnicianRead.of(view))

    @get(
        "/{technician_id:uuid}/availability",
        dependencies={"availability": use_case("technician_availability")},
        summary="Busy slots and free windows of a technician",
        responses=problem_responses(401, 404, 422),
    )
    async def availability(
        self,
        technician_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        availability: NamedDependency[GetTechnicianAvailability],
        starts: FromParam = None,
        ends: ToParam = None,
    ) -> AvailabilityRead:
        """``from`` and ``to`` are required (at most 31 days apart)."""
        start, end = parse_instant("from", starts), parse_instant("to", ends)
        missing = [FieldError(n, "is required") for n, v in (("from", start), ("to", end)) if not v]
        if missing or start is None or end is None:
            raise ValidationFailed(errors=missing)
        view = await availability(
            TechnicianAvailabilityQuery(
                actor=actor, technician_id=technician_id, starts_at=start, ends_at=end
            )
        )
        return AvailabilityRead.of(view)
