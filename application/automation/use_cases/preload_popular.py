"""Level one of the catalogue: the first page of namespaces and the collections of the
popular namespaces, fetched again and cached (a job queued at start-up and on a schedule)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from application.automation.galaxy import CachedGalaxy, CatalogueAnswer, Freshness
from application.automation.use_cases.warm_galaxy import WarmReport
from application.shared.pagination import DEFAULT_LIMIT
from domain.shared.errors import DomainError

log = logging.getLogger("atelier.automation.galaxy")


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
