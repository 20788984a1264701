"""How controllers get what they need: ``Provide`` functions that call the container.

Handlers never see the container or adapters; they declare a use case parameter and a
``Provide`` function builds it from the container stored in ``app.state`` (dependency-injector's
``@inject`` is not used: it hides the signature Litestar inspects). Pattern for a module::

    # entrypoints/http/<module>/dependencies.py
    use_case = module_use_case_provider("<module>")

    class ThingsController(Controller):
        path = "/things"
        security = BEARER
        dependencies = dict(COMMON)   # actor, expected_version (If-Match), page

        @post("/", dependencies={"create_thing": use_case("create_thing")})
        async def create(self, data: ThingCreate, create_thing: CreateThing) -> ThingRead: ...

Keep the use case types importable at module level (no ``TYPE_CHECKING`` blocks) so
Litestar can resolve the signatures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from litestar import Response
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter

from application.shared.cache import Cache
from entrypoints.bootstrap.container import module_container
from entrypoints.http.auth import provide_actor
from entrypoints.http.docs import BEARER_SCHEME
from entrypoints.http.idempotency import Idempotency, Stored, stored_json
from entrypoints.http.schemas import (
    INSTANT_PATTERN,
    etag_for,
    provide_if_match,
    provide_page,
    sort_provider,
)
from entrypoints.http.state import (
    CONTAINER_STATE_KEY,
    container_of,
    provide_clock,
    provide_container,
    provide_settings,
)

T = TypeVar("T")

BEARER: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}]
API = "/api/v1"


def module_use_case_provider(module: str) -> Callable[[str], Provide]:
    """``use_case = module_use_case_provider("maintenance")``; then ``use_case("get_equipment")``
    is a dependency resolving ``container.maintenance.get_equipment()`` (fresh per request)."""

    def use_case(name: str) -> Provide:
        def provide(state: State) -> Any:
            return getattr(module_container(provide_container(state), module), name)()

        provide.__name__ = f"provide_{module}_{name}"
        return Provide(provide, sync_to_thread=False)

    return use_case


def _provide_idempotency(state: State) -> Idempotency:
    cache: Cache = provide_container(state).cache()
    return Idempotency(cache)


def sort_by(allowed: frozenset[str], default: str) -> Provide:
    return Provide(sort_provider(allowed, default), sync_to_thread=False)


provide_idempotency = Provide(_provide_idempotency, sync_to_thread=False)
provide_pagination = Provide(provide_page, sync_to_thread=False)
provide_expected_version = Provide(provide_if_match, sync_to_thread=False)

#: Dependencies most controllers declare: the caller, ``If-Match`` and the page window.
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
        schema_extra={"pattern": INSTANT_PATTERN},
        description="RFC 3339 timestamp or date (00:00 UTC), inclusive.",
    ),
]
ToParam = Annotated[
    str | None,
    QueryParameter(
        name="to",
        max_length=40,
        schema_extra={"pattern": INSTANT_PATTERN},
        description="RFC 3339 timestamp or date (00:00 UTC), exclusive.",
    ),
]
CreatedFromParam = Annotated[
    str | None,
    QueryParameter(
        max_length=40,
        description="RFC 3339 timestamp or date, inclusive.",
        schema_extra={"pattern": INSTANT_PATTERN},
    ),
]
CreatedToParam = Annotated[
    str | None,
    QueryParameter(
        max_length=40,
        description="RFC 3339 timestamp or date, exclusive.",
        schema_extra={"pattern": INSTANT_PATTERN},
    ),
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


__all__ = [
    "API",
    "BEARER",
    "COMMON",
    "CONTAINER_STATE_KEY",
    "container_of",
    "created_response",
    "module_use_case_provider",
    "provide_clock",
    "provide_container",
    "provide_settings",
    "read_spec",
    "sort_by",
    "with_etag",
]
