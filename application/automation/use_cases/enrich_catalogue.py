"""Level two of the catalogue: the other namespaces' collections, one page of namespaces per
run at a bounded rate; the job queues the next page itself."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from application.automation.galaxy import CachedGalaxy, Freshness, cache_key
from application.automation.use_cases.warm_galaxy import WarmReport
from application.shared.pagination import DEFAULT_LIMIT
from domain.shared.errors import DomainError

log = logging.getLogger("atelier.automation.galaxy")


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
