"""``/interventions*``: requests, their life cycle (assign, start, complete, cancel) and the
PDF report. State-changing POSTs honour ``If-Match`` like PATCH does."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from application.maintenance.commands import (
    AssignInterventionCommand,
    CancelInterventionCommand,
    CompleteInterventionCommand,
    CreateInterventionCommand,
    GetInterventionQuery,
    InterventionActionCommand,
    InterventionReportQuery,
    ListInterventionsQuery,
    UpdateInterventionCommand,
)
from application.maintenance.ports import INTERVENTION_SORT_FIELDS, InterventionFilters
from application.maintenance.use_cases.assign_intervention import AssignIntervention
from application.maintenance.use_cases.cancel_intervention import CancelIntervention
from application.maintenance.use_cases.complete_intervention import CompleteIntervention
from application.maintenance.use_cases.create_intervention import CreateIntervention
from application.maintenance.use_cases.get_intervention import GetIntervention
from application.maintenance.use_cases.intervention_report import GetInterventionReport
from application.maintenance.use_cases.list_interventions import ListInterventions
from application.maintenance.use_cases.start_intervention import StartIntervention
from application.maintenance.use_cases.unassign_intervention import UnassignIntervention
from application.maintenance.use_cases.update_intervention import UpdateIntervention
from application.maintenance.views import InterventionView
from domain.maintenance.enums import InterventionStatus, InterventionType, Priority
from domain.shared.access import Actor
from entrypoints.http.errors import problem_responses
from entrypoints.http.idempotency import Idempotency, IdempotencyKeyHeader
from entrypoints.http.maintenance import report_pdf
from entrypoints.http.maintenance.dependencies import (
    BEARER,
    COMMON,
    CreatedFromParam,
    CreatedToParam,
    SearchParam,
    created_response,
    provide_idempotency,
    read_spec,
    sort_by,
    use_case,
    with_etag,
)
from entrypoints.http.maintenance.schemas.common import changes_of, parse_instant
from entrypoints.http.maintenance.schemas.interventions import (
    AssignBody,
    AssignedInterventionRead,
    CancelBody,
    CompleteBody,
    InterventionCreate,
    InterventionRead,
    InterventionUpdate,
)
from entrypoints.http.schemas import Page, PageParams, Sort

PATH = "/interventions"
_LIFECYCLE_ERRORS = problem_responses(400, 403, 404, 409, 412, 422)


def _read(view: InterventionView) -> Response[InterventionRead]:
    return with_etag(InterventionRead.of(view))


class InterventionsController(Controller):
    path = PATH
    tags = ["interventions"]
    security = BEARER
    dependencies = dict(COMMON)

    @get(
        "/",
        dependencies={
            "list_interventions": use_case("list_interventions"),
            "sort": sort_by(INTERVENTION_SORT_FIELDS, "-created_at"),
        },
        summary="List interventions",
        responses=problem_responses(401, 403, 422),
    )
    async def list_interventions(
        self,
        actor: NamedDependency[Actor],
        list_interventions: NamedDependency[ListInterventions],
        page: NamedDependency[PageParams],
        sort: NamedDependency[Sort],
        status: FromQuery[InterventionStatus | None] = None,
        priority: FromQuery[Priority | None] = None,
        type: FromQuery[InterventionType | None] = None,
        equipment_id: FromQuery[UUID | None] = None,
        technician_id: FromQuery[UUID | None] = None,
        overdue: FromQuery[bool | None] = None,
        q: SearchParam = None,
        created_from: CreatedFromParam = None,
        created_to: CreatedToParam = None,
    ) -> Page[InterventionRead]:
        """Clients see the interventions on their own equipment only. ``total`` counts the
        matches up to 10,000: a list with more answers 10,000 (a lower bound; the pages
        past it are still served). A total of 1,000 or more is kept for 5 seconds, so it
        may lag that long behind changes; smaller totals are exact."""
        filters = InterventionFilters(
            status=status,
            priority=priority,
            type=type,
            equipment_id=equipment_id,
            technician_id=technician_id,
            overdue=overdue,
            q=q,
            created_from=parse_instant("created_from", created_from),
            created_to=parse_instant("created_to", created_to),
        )
        result = await list_interventions(
            ListInterventionsQuery(
                actor=actor,
                filters=filters,
                limit=page.limit,
                offset=page.offset,
                sort=str(sort),
            )
        )
        return page.page([InterventionRead.of(v) for v in result.items], result.total)

    @post(
        "/",
        dependencies={
            "create_intervention": use_case("create_intervention"),
            "idempotency": provide_idempotency,
        },
        summary="Open an intervention",
        responses={201: read_spec(InterventionRead), **problem_responses(403, 404, 422)},
    )
    async def create_intervention(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[InterventionCreate],
        actor: NamedDependency[Actor],
        create_intervention: NamedDependency[CreateIntervention],
        idempotency: NamedDependency[Idempotency],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[bytes]:
        """201 with status ``open``; clients only on equipment they own. An ``equipment_id``
        of no equipment (or of equipment the caller cannot see) is 422 ``unknown_reference``.
        Honours ``Idempotency-Key``."""

        async def produce() -> Any:
            view = await create_intervention(
                CreateInterventionCommand(
                    actor=actor,
                    title=data.title,
                    equipment_id=data.equipment_id,
                    description=data.description,
                    type=data.type.value,
                    priority=data.priority.value,
                    urgent=data.urgent,
                    due_at=data.due_at,
                    required_skills=tuple(data.required_skills),
                )
            )
            return created_response(InterventionRead.of(view), PATH)

        return await idempotency.run(
            request,
            actor,
            route="POST /interventions",
            key=idempotency_key,
            produce=produce,
        )

    @get(
        "/{intervention_id:uuid}",
        dependencies={"get_intervention": use_case("get_intervention")},
        summary="One intervention",
        responses=problem_responses(401, 404),
    )
    async def get_intervention(
        self,
        intervention_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        get_intervention: NamedDependency[GetIntervention],
    ) -> Response[InterventionRead]:
        return _read(
            await get_intervention(
                GetInterventionQuery(actor=actor, intervention_id=intervention_id)
            )
        )

    @patch(
        "/{intervention_id:uuid}",
        dependencies={"update_intervention": use_case("update_intervention")},
        summary="Update an intervention",
        responses=_LIFECYCLE_ERRORS,
    )
    async def update_intervention(
        self,
        intervention_id: FromPath[UUID],
        data: JSONBody[InterventionUpdate],
        actor: NamedDependency[Actor],
        update_intervention: NamedDependency[UpdateIntervention],
        expected_version: NamedDependency[int | None],
    ) -> Response[InterventionRead]:
        """``status`` is not set here: use the life-cycle routes. Honours ``If-Match``."""
        return _read(
            await update_intervention(
                UpdateInterventionCommand(
                    actor=actor,
                    intervention_id=intervention_id,
                    changes=changes_of(data),
                    expected_version=expected_version,
                )
            )
        )

    @post(
        "/{intervention_id:uuid}/assign",
        dependencies={"assign": use_case("assign_intervention")},
        status_code=200,
        summary="Assign a technician (explicitly or the best available one)",
        responses=_LIFECYCLE_ERRORS,
    )
    async def assign(
        self,
        intervention_id: FromPath[UUID],
        data: JSONBody[AssignBody],
        actor: NamedDependency[Actor],
        assign: NamedDependency[AssignIntervention],
        expected_version: NamedDependency[int | None],
    ) -> Response[AssignedInterventionRead]:
        """200 status ``planned`` with ``assignment: {technician_id, score, reasons,
        candidates, candidates_total}``: ``candidates`` lists the 10 best ranked technicians
        (``candidates_total`` counts every ranked one; the chosen technician's sub-scores
        are in ``reasons``); ``dry_run`` only ranks. 409 ``schedule_conflict`` names the clashing
        entry; 422 ``no_technician_available`` carries the same ``candidates`` (each with its
        ``why_not``) and ``candidates_total``; 422 ``scheduled_in_past`` (dry runs too) when
        ``scheduled_at`` is more than the configured grace before now, with
        ``earliest_allowed``; 422 ``unknown_reference`` for a ``technician_id`` of no
        profile."""
        result = await assign(
            AssignInterventionCommand(
                actor=actor,
                intervention_id=intervention_id,
                scheduled_at=data.scheduled_at,
                estimated_minutes=data.estimated_minutes,
                technician_id=data.technician_id,
                dry_run=data.dry_run,
                expected_version=expected_version,
            )
        )
        return with_etag(AssignedInterventionRead.of_result(result))

    @post(
        "/{intervention_id:uuid}/unassign",
        dependencies={"unassign": use_case("unassign_intervention")},
        status_code=200,
        summary="Back to open; the planning entry is removed",
        responses=_LIFECYCLE_ERRORS,
    )
    async def unassign(
        self,
        intervention_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        unassign: NamedDependency[UnassignIntervention],
        expected_version: NamedDependency[int | None],
    ) -> Response[InterventionRead]:
        return _read(
            await unassign(
                InterventionActionCommand(
                    actor=actor,
                    intervention_id=intervention_id,
                    expected_version=expected_version,
                )
            )
        )

    @post(
        "/{intervention_id:uuid}/start",
        dependencies={"start": use_case("start_intervention")},
        status_code=200,
        summary="Start work (the assigned technician)",
        responses=_LIFECYCLE_ERRORS,
    )
    async def start(
        self,
        intervention_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        start: NamedDependency[StartIntervention],
        expected_version: NamedDependency[int | None],
    ) -> Response[InterventionRead]:
        return _read(
            await start(
                InterventionActionCommand(
                    actor=actor,
                    intervention_id=intervention_id,
                    expected_version=expected_version,
                )
            )
        )

    @post(
        "/{intervention_id:uuid}/complete",
        dependencies={"complete": use_case("complete_intervention")},
        status_code=200,
        summary="Finish with a report; the equipment's maintenance dates move",
        responses=_LIFECYCLE_ERRORS,
    )
    async def complete(
        self,
        intervention_id: FromPath[UUID],
        data: JSONBody[CompleteBody],
        actor: NamedDependency[Actor],
        complete: NamedDependency[CompleteIntervention],
        expected_version: NamedDependency[int | None],
    ) -> Response[InterventionRead]:
        return _read(
            await complete(
                CompleteInterventionCommand(
                    actor=actor,
                    intervention_id=intervention_id,
                    report=data.report,
                    expected_version=expected_version,
                )
            )
        )

    @post(
        "/{intervention_id:uuid}/cancel",
        dependencies={"cancel": use_case("cancel_intervention")},
        status_code=200,
        summary="Cancel (clients: their own, while open)",
        responses=_LIFECYCLE_ERRORS,
    )
    async def cancel(
        self,
        intervention_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        cancel: NamedDependency[CancelIntervention],
        expected_version: NamedDependency[int | None],
        data: JSONBody[CancelBody | None] = None,
    ) -> Response[InterventionRead]:
        return _read(
            await cancel(
                CancelInterventionCommand(
                    actor=actor,
                    intervention_id=intervention_id,
                    reason=data.reason if data else None,
                    expected_version=expected_version,
                )
            )
        )

    @get(
        "/{intervention_id:uuid}/report.pdf",
        dependencies={"report": use_case("intervention_report")},
        summary="The intervention report as PDF",
        media_type=report_pdf.MEDIA_TYPE,
        responses=problem_responses(401, 404),
    )
    async def report(
        self,
        intervention_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        report: NamedDependency[GetInterventionReport],
    ) -> Response[bytes]:
        data = await report(InterventionReportQuery(actor=actor, intervention_id=intervention_id))
        content = await asyncio.to_thread(report_pdf.intervention_report, data)
        return Response(
            content,
            media_type=report_pdf.MEDIA_TYPE,
            headers={
                "Content-Disposition": f'inline; filename="intervention-{intervention_id}.pdf"',
                "Cache-Control": "no-store",
            },
        )
