"""The background levels of the catalogue (jobs on the queue):

* level one, ``PreloadPopular``: at start-up (and then on a schedule) the first page of
  namespaces and the collections of the popular namespaces are fetched again and cached;
* level two, ``EnrichCatalogue``: the other namespaces, one page of them per run, get their
  collections cached at a bounded rate (``per_minute`` upstream calls); a run answers the
  offset of the next page (the job queues itself again with it) or None at the end.

Level three is ``BrowseGalaxy``: anything else, on demand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial

from application.automation.galaxy import CachedGalaxy, CatalogueAnswer, Freshness, cache_key
from application.shared.pagination import DEFAULT_LIMIT
from domain.shared.errors import DomainError

log = logging.getLogger("atelier.automation.galaxy")


@dataclass(frozen=True, slots=True)
class WarmReport:
    fetched: int
    failed: int
    next_offset: int | None = None


class PreloadPopular:
    def __init__(self, galaxy: CachedGalaxy, popular: Sequence[str]) -> None:
        self._galaxy, self._popular = galaxy, tuple(popular)

    async def __call__(self) -> WarmReport:
        fetched = failed = 0
        reads: list[Callable[[], Awaitable[CatalogueAnswer]]] = [
            partial(self._galaxy.namespaces, q=None, limit=DEFAULT_LIMIT, offset=0, refresh=True)
        ]
        reads.extend(
            partial(
                self._galaxy.collections,
                name,
                q=None,
                limit=DEFAULT_LIMIT,
                offset=0,
                refresh=True,
            )
            for name in self._popular
        )
        for read in reads:
            try:
                answer = await read()
            except DomainError as exc:  # upstream down with nothing cached, or a 404
                log.warning("galaxy preload: %s", exc.detail)
                failed += 1
                continue
            if answer.freshness is Freshness.STALE:
                failed += 1
            else:
                fetched += 1
        return WarmReport(fetched=fetched, failed=failed)


class EnrichCatalogue:
    def __init__(
        self,
        galaxy: CachedGalaxy,
        popular: Sequence[str],
        *,
        batch: int,
        per_minute: int,
    ) -> None:
        self._galaxy = galaxy
        self._popular = frozenset(popular)
        self._batch = batch
        self._pause = 60.0 / max(1, per_minute)

    async def __call__(self, offset: int) -> WarmReport:
        page = await self._galaxy.namespaces(q=None, limit=self._batch, offset=offset)
        items = page.data.get("items", []) if isinstance(page.data, dict) else []
        total = int(page.data.get("total", 0)) if isinstance(page.data, dict) else 0
        fetched = failed = 0
        for item in items:
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str) or name in self._popular:
                continue
            key = cache_key("collections", name, None, DEFAULT_LIMIT, 0)
            if await self._galaxy.is_fresh(key):
                continue
            try:
                answer = await self._galaxy.collections(name, q=None, limit=DEFAULT_LIMIT, offset=0)
                failed += answer.freshness is Freshness.STALE
                fetched += answer.freshness is not Freshness.STALE
            except DomainError as exc:
                log.warning("galaxy enrichment of %s: %s", name, exc.detail)
                failed += 1
            await asyncio.sleep(self._pause)  # the bounded rate
        following = offset + self._batch
        return WarmReport(
            fetched=fetched,
            failed=failed,
            next_offset=following if following < total and items else None,
        )
