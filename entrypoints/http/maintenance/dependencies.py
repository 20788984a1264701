"""``Provide`` functions for the maintenance controllers (use cases from the container)."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from litestar import Response
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter

from application.shared.cache import Cache
from entrypoints.http.dependencies import provide_container
from entrypoints.http.docs import BEARER_SCHEME
from entrypoints.http.identity.auth import provide_actor
from entrypoints.http.maintenance.idempotency import Idempotency, Stored, stored_json
from entrypoints.http.schemas import etag_for, provide_if_match, provide_page, sort_provider

T = TypeVar("T")

BEARER: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}]
API = "/api/v1"


def use_case(name: str) -> Provide:
    """A dependency resolving ``container.maintenance.<name>()`` (fresh per request)."""

    def provide(state: State) -> Any:
        return getattr(provide_container(state).maintenance, name)()

    provide.__name__ = f"provide_{name}"
    return Provide(provide, sync_to_thread=False)


def _provide_idempotency(state: State) -> Idempotency:
    cache: Cache = provide_container(state).cache()
    return Idempotency(cache)


def sort_by(allowed: frozenset[str], default: str) -> Provide:
    return Provide(sort_provider(allowed, default), sync_to_thread=False)


provide_idempotency = Provide(_provide_idempotency, sync_to_thread=False)
provide_pagination = Provide(provide_page, sync_to_thread=False)
provide_expected_version = Provide(provide_if_match, sync_to_thread=False)

#: Dependencies every maintenance controller declares.
COMMON: dict[str, Provide] = {
    "actor": provide_actor,
    "expected_version": provide_expected_version,
    "page": provide_pagination,
}


# -- shared query parameters -------------------------------------------------------------------
FromParam = Annotated[
    str | None,
    QueryParameter(
        name="from",
        max_length=40,
        description="RFC 3339 timestamp or date (00:00 UTC), inclusive.",
    ),
]
ToParam = Annotated[
    str | None,
    QueryParameter(
        name="to",
        max_length=40,
        description="RFC 3339 timestamp or date (00:00 UTC), exclusive.",
    ),
]
CreatedFromParam = Annotated[
    str | None,
    QueryParameter(max_length=40, description="RFC 3339 timestamp or date, inclusive."),
]
CreatedToParam = Annotated[
    str | None,
    QueryParameter(max_length=40, description="RFC 3339 timestamp or date, exclusive."),
]
SearchParam = Annotated[
    str | None, QueryParameter(max_length=200, description="Case-insensitive substring.")
]
FilterText = Annotated[str | None, QueryParameter(max_length=200)]


def created_response(read: Any, collection: str, *, status: int = 201) -> Stored:
    """A 201 answer with ``Location`` and ``ETag`` (``read`` has ``id`` and ``version``)."""
    return stored_json(
        read,
        status=status,
        headers={"Location": f"{API}{collection}/{read.id}", "ETag": etag_for(read.version)},
    )


def with_etag(read: T, *, status: int = 200) -> Response[T]:
    """``read`` with ``ETag: "<version>"``."""
    return Response(read, status_code=status, headers={"ETag": etag_for(read.version)})  # type: ignore[attr-defined]


def read_spec(container: type[Any], description: str = "Created") -> ResponseSpec:
    return ResponseSpec(data_container=container, description=description)
