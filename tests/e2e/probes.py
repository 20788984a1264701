"""Probe routes the e2e tests mount through ``create_app(extra_route_handlers=...)``."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from domain.shared.errors import (
    BadRequest,
    Conflict,
    DependencyUnavailable,
    DomainError,
    FieldError,
    Forbidden,
    InvalidTransition,
    NotFound,
    PreconditionFailed,
    RateLimited,
    RuleViolated,
    Unauthenticated,
    ValidationFailed,
)
from entrypoints.http.errors import problem_responses
from entrypoints.http.schemas import (
    Page,
    PageParams,
    Sort,
    provide_if_match,
    provide_page,
    sort_provider,
)


class ProbeIn(msgspec.Struct, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
    count: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 0
    tags: list[str] = []


class ProbeOut(msgspec.Struct, kw_only=True):
    id: str
    name: str
    count: int
    tags: list[str]


@post(
    "/api/v1/_probe",
    status_code=200,
    sync_to_thread=False,
    responses=problem_responses(400, 413, 415, 422),
)
def probe(data: JSONBody[ProbeIn]) -> ProbeOut:
    return ProbeOut(id="server-owned", name=data.name, count=data.count, tags=data.tags)


@post("/api/v1/_upload", status_code=200, request_max_body_size=4 * 1024 * 1024)
async def upload(data: JSONBody[dict[str, Any]]) -> dict[str, int]:
    """A route with its own, larger body limit (as upload routes will have)."""
    return {"keys": len(data)}


@post("/api/v1/_optional", status_code=200, sync_to_thread=False)
def optional_body(data: JSONBody[ProbeIn | None] = None) -> dict[str, Any]:
    return {"got": None if data is None else data.name}


@get("/api/v1/_items/{item_id:uuid}", sync_to_thread=False)
def item(item_id: FromPath[UUID]) -> dict[str, str]:
    return {"id": str(item_id)}


@get("/api/v1/_boom", sync_to_thread=False)
def boom() -> None:
    raise RuntimeError("database password is hunter2 at /srv/secret.py line 42")


DOMAIN_ERRORS: dict[str, DomainError] = {
    "bad_request": BadRequest("That token was already used.", code="token_used"),
    "not_found": NotFound("No such user."),
    "conflict": Conflict("E-mail taken.", code="email_taken"),
    "invalid_transition": InvalidTransition("done -> open is not allowed."),
    "precondition": PreconditionFailed("Version 3 is stale."),
    "rule": RuleViolated("Not a technician.", code="not_a_technician"),
    "validation": ValidationFailed(errors=[FieldError("password", "too short")]),
    "unauthenticated": Unauthenticated("Token expired."),
    "forbidden": Forbidden("Managers only."),
    "rate_limited": RateLimited(retry_after=42),
    "unavailable": DependencyUnavailable("Database down."),
    "with_extra": Conflict(
        "Clash.", code="schedule_conflict", extra={"conflicting_entry": {"id": "e1"}}
    ),
}


@get("/api/v1/_domain/{kind:str}", sync_to_thread=False)
def domain_error(kind: FromPath[str]) -> None:
    raise DOMAIN_ERRORS[kind]


@get(
    "/api/v1/_page",
    sync_to_thread=False,
    dependencies={
        "page": Provide(provide_page, sync_to_thread=False),
        "sort": Provide(sort_provider({"name", "created_at"}, "-created_at"), sync_to_thread=False),
        "expected_version": Provide(provide_if_match, sync_to_thread=False),
    },
)
def paged(
    page: NamedDependency[PageParams],
    sort: NamedDependency[Sort],
    expected_version: NamedDependency[int | None],
) -> Page[str]:
    items = [f"{sort}", f"v={expected_version}"]
    return page.page(items, total=2)


PROBE_HANDLERS = [probe, optional_body, upload, item, boom, domain_error, paged]
