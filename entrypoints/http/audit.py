"""``GET /audit``: who changed what and when, with each changed field's old and new value.

The audit trail is the platform's (every module writes it); this route reads all of it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, QueryParameter

from application.shared.audit import AuditFilters
from application.shared.list_audit import ListAudit, ListAuditQuery
from domain.shared.access import Actor
from entrypoints.http.audit_schemas import AuditRead
from entrypoints.http.auth import provide_actor
from entrypoints.http.dependencies import (
    BEARER,
    FromParam,
    ToParam,
    provide_container,
    provide_pagination,
)
from entrypoints.http.errors import problem_responses
from entrypoints.http.schemas import Page, PageParams, parse_instant

EntityType = Annotated[
    str | None,
    QueryParameter(
        max_length=64,
        description="equipment, technician, intervention or planning_entry",
    ),
]


def _list_audit(state: State) -> ListAudit:
    return provide_container(state).list_audit()


class AuditController(Controller):
    path = "/audit"
    tags = ["audit"]
    security = BEARER
    dependencies = {"actor": provide_actor, "page": provide_pagination}

    @get(
        "/",
        dependencies={"list_audit": Provide(_list_audit, sync_to_thread=False)},
        summary="The audit trail, newest first",
        responses=problem_responses(401, 403, 422),
    )
    async def list_audit(
        self,
        actor: NamedDependency[Actor],
        list_audit: NamedDependency[ListAudit],
        page: NamedDependency[PageParams],
        entity_type: EntityType = None,
        entity_id: FromQuery[UUID | None] = None,
        actor_id: FromQuery[UUID | None] = None,
        starts: FromParam = None,
        ends: ToParam = None,
    ) -> Page[AuditRead]:
        """Admins and managers. ``changes`` maps each field to ``{old, new}``."""
        result = await list_audit(
            ListAuditQuery(
                actor=actor,
                filters=AuditFilters(
                    entity_type=entity_type,
                    entity_id=entity_id,
                    actor_id=actor_id,
                    at_from=parse_instant("from", starts),
                    at_to=parse_instant("to", ends),
                ),
                limit=page.limit,
                offset=page.offset,
            )
        )
        return page.page([AuditRead.of(e) for e in result.items], result.total)
