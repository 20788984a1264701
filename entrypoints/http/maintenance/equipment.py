"""``/equipment*``: the equipment register, its retirement and history."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from application.maintenance.commands import (
    CreateEquipmentCommand,
    EquipmentHistoryQuery,
    GetEquipmentQuery,
    ListEquipmentQuery,
    RetireEquipmentCommand,
    UpdateEquipmentCommand,
)
from application.maintenance.ports import EQUIPMENT_SORT_FIELDS, EquipmentFilters
from application.maintenance.use_cases.create_equipment import CreateEquipment
from application.maintenance.use_cases.equipment_history import EquipmentHistory
from application.maintenance.use_cases.get_equipment import GetEquipment
from application.maintenance.use_cases.list_equipment import ListEquipment
from application.maintenance.use_cases.retire_equipment import RetireEquipment
from application.maintenance.use_cases.update_equipment import UpdateEquipment
from domain.maintenance.enums import EquipmentStatus
from domain.shared.access import Actor
from entrypoints.http.errors import problem_responses
from entrypoints.http.idempotency import Idempotency, IdempotencyKeyHeader
from entrypoints.http.maintenance.dependencies import (
    BEARER,
    COMMON,
    FilterText,
    SearchParam,
    created_response,
    provide_idempotency,
    read_spec,
    sort_by,
    use_case,
    with_etag,
)
from entrypoints.http.maintenance.schemas.common import changes_of
from entrypoints.http.maintenance.schemas.equipment import (
    EquipmentCreate,
    EquipmentRead,
    EquipmentUpdate,
)
from entrypoints.http.maintenance.schemas.interventions import InterventionRead
from entrypoints.http.schemas import Page, PageParams, Sort

PATH = "/equipment"


class EquipmentController(Controller):
    path = PATH
    tags = ["equipment"]
    security = BEARER
    dependencies = dict(COMMON)

    @get(
        "/",
        dependencies={
            "list_equipment": use_case("list_equipment"),
            "sort": sort_by(EQUIPMENT_SORT_FIELDS, "name"),
        },
        summary="List equipment",
        responses=problem_responses(401, 422),
    )
    async def list_equipment(
        self,
        actor: NamedDependency[Actor],
        list_equipment: NamedDependency[ListEquipment],
        page: NamedDependency[PageParams],
        sort: NamedDependency[Sort],
        location: FilterText = None,
        type: FilterText = None,
        status: FromQuery[EquipmentStatus | None] = None,
        owner_id: FromQuery[UUID | None] = None,
        maintenance_due: FromQuery[bool | None] = None,
        q: SearchParam = None,
    ) -> Page[EquipmentRead]:
        """Clients see only the equipment they own. ``total`` counts the matches up to
        10,000: a list with more answers 10,000 (a lower bound; the pages past it are still
        served)."""
        result = await list_equipment(
            ListEquipmentQuery(
                actor=actor,
                filters=EquipmentFilters(
                    location=location,
                    type=type,
                    status=status,
                    owner_id=owner_id,
                    maintenance_due=maintenance_due,
                    q=q,
                ),
                limit=page.limit,
                offset=page.offset,
                sort=str(sort),
            )
        )
        return page.page([EquipmentRead.of(v) for v in result.items], result.total)

    @post(
        "/",
        dependencies={
            "create_equipment": use_case("create_equipment"),
            "idempotency": provide_idempotency,
        },
        summary="Register equipment",
        responses={201: read_spec(EquipmentRead), **problem_responses(403, 409, 422)},
    )
    async def create_equipment(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[EquipmentCreate],
        actor: NamedDependency[Actor],
        create_equipment: NamedDependency[CreateEquipment],
        idempotency: NamedDependency[Idempotency],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[bytes]:
        """``serial_number`` is unique (409 ``serial_taken``); an ``owner_id`` of no user is
        422 ``unknown_reference`` (both name their field in ``errors``). Honours
        ``Idempotency-Key``."""

        async def produce() -> Any:
            view = await create_equipment(
                CreateEquipmentCommand(
                    actor=actor,
                    name=data.name,
                    type=data.type,
                    serial_number=data.serial_number,
                    model=data.model,
                    location=data.location,
                    owner_id=data.owner_id,
                    installed_on=data.installed_on,
                    maintenance_interval_days=data.maintenance_interval_days,
                    status=data.status.value,
                    last_maintenance_at=data.last_maintenance_at,
                )
            )
            return created_response(EquipmentRead.of(view), PATH)

        return await idempotency.run(
            request, actor, route="POST /equipment", key=idempotency_key, produce=produce
        )

    @get(
        "/{equipment_id:uuid}",
        dependencies={"get_equipment": use_case("get_equipment")},
        summary="One piece of equipment",
        responses=problem_responses(401, 404),
    )
    async def get_equipment(
        self,
        equipment_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        get_equipment: NamedDependency[GetEquipment],
    ) -> Response[EquipmentRead]:
        view = await get_equipment(GetEquipmentQuery(actor=actor, equipment_id=equipment_id))
        return with_etag(EquipmentRead.of(view))

    @patch(
        "/{equipment_id:uuid}",
        dependencies={"update_equipment": use_case("update_equipment")},
        summary="Update equipment",
        responses=problem_responses(400, 403, 404, 409, 412, 422),
    )
    async def update_equipment(
        self,
        equipment_id: FromPath[UUID],
        data: JSONBody[EquipmentUpdate],
        actor: NamedDependency[Actor],
        update_equipment: NamedDependency[UpdateEquipment],
        expected_version: NamedDependency[int | None],
    ) -> Response[EquipmentRead]:
        """``status`` may be set to anything but ``retired`` (DELETE retires). 409
        ``serial_taken`` and 422 ``unknown_reference`` (``owner_id``) as on creation. Honours
        ``If-Match`` (412 when stale)."""
        view = await update_equipment(
            UpdateEquipmentCommand(
                actor=actor,
                equipment_id=equipment_id,
                changes=changes_of(data),
                expected_version=expected_version,
            )
        )
        return with_etag(EquipmentRead.of(view))

    @delete(
        "/{equipment_id:uuid}",
        dependencies={"retire_equipment": use_case("retire_equipment")},
        status_code=HTTP_204_NO_CONTENT,
        summary="Retire equipment",
        responses=problem_responses(403, 404, 409, 412),
    )
    async def retire_equipment(
        self,
        equipment_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        retire_equipment: NamedDependency[RetireEquipment],
        expected_version: NamedDependency[int | None],
    ) -> None:
        """Status ``retired``; 409 while it has open interventions."""
        await retire_equipment(
            RetireEquipmentCommand(
                actor=actor, equipment_id=equipment_id, expected_version=expected_version
            )
        )

    @get(
        "/{equipment_id:uuid}/history",
        dependencies={"history": use_case("equipment_history")},
        summary="Interventions of the equipment, newest first",
        responses=problem_responses(401, 404, 422),
    )
    async def history(
        self,
        equipment_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        history: NamedDependency[EquipmentHistory],
        page: NamedDependency[PageParams],
    ) -> Page[InterventionRead]:
        result = await history(
            EquipmentHistoryQuery(
                actor=actor, equipment_id=equipment_id, limit=page.limit, offset=page.offset
            )
        )
        return page.page([InterventionRead.of(v) for v in result.items], result.total)
