"""The background levels of the catalogue (jobs on the queue):

* level one, ``PreloadPopular``: at start-up (and then on a schedule) the first page of
  namespaces and the collections of the popular namespaces are fetched again and cached;
* level two, ``EnrichCatalogue``: the other namespaces, one page of them per run, get their
  collections cached at a bounded rate (``per_minute`` upstream calls); a run answers the
  offset of the next page (the job queues itself again with it) or None at the end.

Level three is ``BrowseGalaxy``: anything else, on demand.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WarmReport:
    fetched: int
    failed: int
    next_offset: int | None = None
