"""GET /galaxy/namespaces, /galaxy/namespaces/{name}/collections and
/galaxy/collections/{namespace}/{name}: the cached catalogue (level three of the seed: on
demand). Any authenticated user may browse."""

from __future__ import annotations

import re
from dataclasses import dataclass

from application.automation.galaxy import CachedGalaxy, CatalogueAnswer
from application.shared.pagination import PageRequest
from domain.shared.access import Actor
from domain.shared.errors import FieldError, ValidationFailed

NAME_RULE = re.compile(r"[A-Za-z0-9_]{1,64}")
MAX_QUERY_CHARS = 100


def check_name(field: str, value: str) -> str:
    if not NAME_RULE.fullmatch(value):
        raise ValidationFailed(
            errors=[FieldError(field, "1 to 64 letters, digits or underscores.")]
        )
    return value


def _query(q: str | None) -> str | None:
    return (q or "").strip()[:MAX_QUERY_CHARS] or None


@dataclass(frozen=True, slots=True, kw_only=True)
class GalaxyQuery:
    actor: Actor
    q: str | None = None
    limit: int | None = None
    offset: int | None = None


class BrowseGalaxy:
    def __init__(self, galaxy: CachedGalaxy) -> None:
        self._galaxy = galaxy

    async def namespaces(self, query: GalaxyQuery) -> tuple[CatalogueAnswer, PageRequest]:
        window = PageRequest.of(query.limit, query.offset)
        answer = await self._galaxy.namespaces(
            q=_query(query.q), limit=window.limit, offset=window.offset
        )
        return answer, window

    async def collections(
        self, namespace: str, query: GalaxyQuery
    ) -> tuple[CatalogueAnswer, PageRequest]:
        check_name("name", namespace)
        window = PageRequest.of(query.limit, query.offset)
        answer = await self._galaxy.collections(
            namespace, q=_query(query.q), limit=window.limit, offset=window.offset
        )
        return answer, window

    async def collection(self, actor: Actor, namespace: str, name: str) -> CatalogueAnswer:
        check_name("namespace", namespace)
        check_name("name", name)
        return await self._galaxy.collection(namespace, name)
