"""``/galaxy/*``: the Ansible Galaxy catalogue through the read-through cache.

Every answer says where it came from in ``Cache-Status`` (RFC 9211) and its age in ``Age``:
``atelier; hit`` (a fresh copy), ``atelier; fwd=uri-miss; stored`` (fetched now),
``atelier; fwd=stale; stored`` (fetched now, the copy had expired), ``atelier; hit;
detail=stale`` (the upstream failed: the last copy). With no copy and no upstream: 503
``upstream_unavailable`` with ``Retry-After``.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from application.automation.galaxy import CatalogueAnswer, Freshness
from application.automation.use_cases.browse_galaxy import BrowseGalaxy, GalaxyQuery
from application.shared.pagination import PageRequest
from domain.shared.access import Actor
from entrypoints.http.automation.dependencies import use_case
from entrypoints.http.automation.schemas import (
    CollectionRead,
    CollectionSummaryRead,
    NamespaceRead,
)
from entrypoints.http.dependencies import BEARER, COMMON
from entrypoints.http.errors import problem_responses
from entrypoints.http.schemas import Page, PageParams

CACHE_STATUS = {
    Freshness.HIT: "atelier; hit",
    Freshness.MISS: "atelier; fwd=uri-miss; stored",
    Freshness.REFRESHED: "atelier; fwd=stale; stored",
    Freshness.STALE: "atelier; hit; detail=stale",
}
CACHE_HEADERS = [
    ResponseHeader(
        name="Cache-Status",
        documentation_only=True,
        description="Where the answer came from (RFC 9211): `atelier; hit`, "
        "`atelier; fwd=uri-miss; stored`, `atelier; fwd=stale; stored` or, when Galaxy "
        "failed, `atelier; hit; detail=stale`.",
    ),
    ResponseHeader(
        name="Age", documentation_only=True, description="Seconds since the copy was fetched."
    ),
]
GalaxySearch = Annotated[
    str | None, QueryParameter(max_length=100, description="Keywords (passed to Galaxy).")
]


def _headers(answer: CatalogueAnswer) -> dict[str, str]:
    return {"Cache-Status": CACHE_STATUS[answer.freshness], "Age": str(answer.age_seconds)}


def _page(answer: CatalogueAnswer, window: PageRequest, item: type[Any]) -> Page[Any]:
    data = answer.data if isinstance(answer.data, dict) else {}
    items = msgspec.convert(data.get("items", []), list[item], strict=False)  # type: ignore[valid-type]
    total = int(data.get("total", len(items)))
    return Page(items=items, total=total, limit=window.limit, offset=window.offset)


class GalaxyController(Controller):
    path = "/galaxy"
    tags = ["galaxy"]
    security = BEARER
    dependencies = {**COMMON, "browse": use_case("browse_galaxy")}

    @get(
        "/namespaces",
        summary="Galaxy namespaces",
        responses=problem_responses(401, 422, 503),
        response_headers=CACHE_HEADERS,
    )
    async def namespaces(
        self,
        actor: NamedDependency[Actor],
        browse: NamedDependency[BrowseGalaxy],
        page: NamedDependency[PageParams],
        q: GalaxySearch = None,
    ) -> Response[Page[NamespaceRead]]:
        answer, window = await browse.namespaces(
            GalaxyQuery(actor=actor, q=q, limit=page.limit, offset=page.offset)
        )
        return Response(_page(answer, window, NamespaceRead), headers=_headers(answer))

    @get(
        "/namespaces/{name:str}/collections",
        summary="Collections of a Galaxy namespace",
        responses=problem_responses(401, 404, 422, 503),
        response_headers=CACHE_HEADERS,
    )
    async def collections(
        self,
        name: FromPath[str],
        actor: NamedDependency[Actor],
        browse: NamedDependency[BrowseGalaxy],
        page: NamedDependency[PageParams],
        q: GalaxySearch = None,
    ) -> Response[Page[CollectionSummaryRead]]:
        answer, window = await browse.collections(
            name, GalaxyQuery(actor=actor, q=q, limit=page.limit, offset=page.offset)
        )
        return Response(_page(answer, window, CollectionSummaryRead), headers=_headers(answer))

    @get(
        "/collections/{namespace:str}/{name:str}",
        summary="One Galaxy collection, with its latest version's modules",
        responses=problem_responses(401, 404, 422, 503),
        response_headers=CACHE_HEADERS,
    )
    async def collection(
        self,
        namespace: FromPath[str],
        name: FromPath[str],
        actor: NamedDependency[Actor],
        browse: NamedDependency[BrowseGalaxy],
    ) -> Response[CollectionRead]:
        answer = await browse.collection(actor, namespace, name)
        read = msgspec.convert(answer.data, CollectionRead, strict=False)
        return Response(read, headers=_headers(answer))
