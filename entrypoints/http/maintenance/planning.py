"""``/planning*``: schedule entries, rescheduling, conflicts, preventive generation and a
technician's iCalendar feed."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter

from application.maintenance.commands import (
    GeneratePreventiveCommand,
    ListPlanningQuery,
    PlanningConflictsQuery,
    RescheduleEntryCommand,
    TechnicianCalendarQuery,
)
from application.maintenance.use_cases.generate_preventive import GeneratePreventive
from application.maintenance.use_cases.list_planning import ListPlanning
from application.maintenance.use_cases.planning_conflicts import PlanningConflicts
from application.maintenance.use_cases.reschedule_entry import RescheduleEntry
from application.maintenance.use_cases.technician_calendar import GetTechnicianCalendar
from domain.shared.access import Actor
from domain.shared.errors import NotFound
from entrypoints.http.errors import problem_responses
from entrypoints.http.maintenance import ics
from entrypoints.http.maintenance.dependencies import (
    BEARER,
    COMMON,
    FromParam,
    ToParam,
    read_spec,
    use_case,
    with_etag,
)
from entrypoints.http.maintenance.schemas.common import parse_instant
from entrypoints.http.maintenance.schemas.planning import (
    ConflictRead,
    PlanningEntryRead,
    PreventiveBody,
    PreventiveRead,
    RescheduleBody,
)
from entrypoints.http.openapi_truth import PATH_PARAMETER_OPT, PathName
from entrypoints.http.schemas import Page, PageParams

ICS_SUFFIX = ".ics"
CalendarName = Annotated[
    str,
    PathParameter(max_length=64, description="``<technician profile id>.ics``"),
]


def technician_id_of(calendar: str) -> UUID:
    """``<uuid>.ics`` -> the UUID; anything else is 404 (no resource at that address)."""
    if not calendar.endswith(ICS_SUFFIX):
        raise NotFound("No resource at this address.")
    try:
        return UUID(calendar.removesuffix(ICS_SUFFIX))
    except ValueError:
        raise NotFound("No resource at this address.") from None


class PlanningController(Controller):
    path = "/planning"
    tags = ["planning"]
    security = BEARER
    dependencies = dict(COMMON)

    @get(
        "/",
        dependencies={"list_planning": use_case("list_planning")},
        summary="Schedule entries with their intervention summary",
        responses=problem_responses(401, 403, 422),
    )
    async def list_planning(
        self,
        actor: NamedDependency[Actor],
        list_planning: NamedDependency[ListPlanning],
        page: NamedDependency[PageParams],
        technician_id: FromQuery[UUID | None] = None,
        starts: FromParam = None,
        ends: ToParam = None,
    ) -> Page[PlanningEntryRead]:
        """Entries overlapping ``[from, to)``, ordered by start."""
        result = await list_planning(
            ListPlanningQuery(
                actor=actor,
                technician_id=technician_id,
                starts_at=parse_instant("from", starts),
                ends_at=parse_instant("to", ends),
                limit=page.limit,
                offset=page.offset,
            )
        )
        return page.page([PlanningEntryRead.of(v) for v in result.items], result.total)

    @get(
        "/conflicts",
        dependencies={"conflicts": use_case("planning_conflicts")},
        summary="Overlapping entries per technician",
        responses=problem_responses(401, 403, 422),
    )
    async def conflicts(
        self,
        actor: NamedDependency[Actor],
        conflicts: NamedDependency[PlanningConflicts],
        page: NamedDependency[PageParams],
        starts: FromParam = None,
        ends: ToParam = None,
    ) -> Page[ConflictRead]:
        """Each item is a pair of overlapping entries of one technician."""
        found = await conflicts(
            PlanningConflictsQuery(
                actor=actor,
                starts_at=parse_instant("from", starts),
                ends_at=parse_instant("to", ends),
            )
        )
        window = found[page.offset : page.offset + page.limit]
        return page.page([ConflictRead.of(c) for c in window], len(found))

    @patch(
        "/{entry_id:uuid}",
        dependencies={"reschedule": use_case("reschedule_entry")},
        summary="Reschedule an entry",
        responses=problem_responses(400, 403, 404, 409, 412, 422),
    )
    async def reschedule(
        self,
        entry_id: FromPath[UUID],
        data: JSONBody[RescheduleBody],
        actor: NamedDependency[Actor],
        reschedule: NamedDependency[RescheduleEntry],
        expected_version: NamedDependency[int | None],
    ) -> Response[PlanningEntryRead]:
        """409 ``schedule_conflict`` on a clash; 422 ``scheduled_in_past`` for a new
        ``scheduled_at`` more than the configured grace before now. Honours ``If-Match`` (the
        entry's version)."""
        view = await reschedule(
            RescheduleEntryCommand(
                actor=actor,
                entry_id=entry_id,
                scheduled_at=data.scheduled_at,
                estimated_minutes=data.estimated_minutes,
                expected_version=expected_version,
            )
        )
        return with_etag(PlanningEntryRead.of(view))

    @post(
        "/preventive",
        dependencies={"generate": use_case("generate_preventive")},
        summary="Plan the preventive interventions due in a week",
        responses={
            201: read_spec(PreventiveRead),
            200: read_spec(PreventiveRead, "Nothing new to create"),
            **problem_responses(403, 422),
        },
    )
    async def preventive(
        self,
        data: JSONBody[PreventiveBody],
        actor: NamedDependency[Actor],
        generate: NamedDependency[GeneratePreventive],
    ) -> Response[PreventiveRead]:
        """201 ``{created, skipped}``; idempotent per equipment and week: a second run
        creates nothing and answers 200."""
        result = await generate(GeneratePreventiveCommand(actor=actor, week_start=data.week_start))
        return Response(PreventiveRead.of(result), status_code=201 if result.created_any else 200)

    @get(
        "/technicians/{calendar:str}",
        dependencies={"calendar_of": use_case("technician_calendar")},
        summary="A technician's schedule as iCalendar (``/planning/technicians/{id}.ics``)",
        media_type=ics.MEDIA_TYPE,
        responses=problem_responses(401, 403, 404, 422),
        opt={
            PATH_PARAMETER_OPT: {
                "calendar": PathName(
                    "technician_id",
                    suffix=".ics",
                    schema={"type": "string", "format": "uuid"},
                    description="The technician profile's id.",
                )
            }
        },
    )
    async def calendar(
        self,
        calendar: CalendarName,
        actor: NamedDependency[Actor],
        calendar_of: NamedDependency[GetTechnicianCalendar],
        starts: FromParam = None,
        ends: ToParam = None,
    ) -> Response[bytes]:
        """RFC 5545; one ``VEVENT`` per planning entry (UID ``<entry id>@atelier``)."""
        technician_id = technician_id_of(calendar)
        view = await calendar_of(
            TechnicianCalendarQuery(
                actor=actor,
                technician_id=technician_id,
                starts_at=parse_instant("from", starts),
                ends_at=parse_instant("to", ends),
            )
        )
        return Response(
            ics.technician_calendar(view),
            media_type=ics.MEDIA_TYPE,
            headers={
                "Content-Disposition": f'inline; filename="technician-{technician_id}.ics"',
                "Cache-Control": "no-store",
            },
        )
