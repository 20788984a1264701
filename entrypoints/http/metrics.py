"""Prometheus metrics, on a registry owned by one app (several apps can share a process).

HTTP metrics are labelled by the route *template* (``/api/v1/users/{user_id}``), never the raw
path; unmatched paths count as ``<unmatched>`` and unknown methods as ``OTHER``, so the label
cardinality stays bounded.

Domain gauges: a module contributes a :class:`DomainGauge` (a name, help text, label names and an
async ``read`` returning ``{label values: value}``); ``read`` runs when ``/metrics`` is scraped,
with a timeout, and a failing read is logged and skipped (the scrape still answers).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

UNMATCHED_ROUTE = "<unmatched>"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
GAUGE_READ_TIMEOUT_SECONDS = 2.0
CONTENT_TYPE = CONTENT_TYPE_LATEST

log = structlog.get_logger("atelier.http.metrics")


@dataclass(frozen=True)
class DomainGauge:
    """A gauge whose values are read when metrics are scraped.

    ``read`` returns a mapping from label values (a tuple, ``()`` without labels) to a value.
    """

    name: str
    documentation: str
    read: Callable[[], Awaitable[Mapping[tuple[str, ...], float]]]
    labelnames: tuple[str, ...] = ()


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "atelier_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "atelier_http_request_duration_seconds",
            "HTTP request duration in seconds, by method and route template.",
            ["method", "route"],
            registry=self.registry,
        )
        self._gauges: list[tuple[DomainGauge, Gauge]] = []
        # (method, route, status) -> the two labelled children, resolved once: the key space
        # is bounded (known methods, route templates, status codes).
        self._children: dict[tuple[str, str | None, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str | None, status: int, seconds: float) -> None:
        method = method if method in KNOWN_METHODS else "OTHER"
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            label = route or UNMATCHED_ROUTE
            children = (
                self.requests.labels(method, label, str(status)),
                self.duration.labels(method, label),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def add_gauge(self, gauge: DomainGauge) -> None:
        prom = Gauge(
            gauge.name, gauge.documentation, list(gauge.labelnames), registry=self.registry
        )
        self._gauges.append((gauge, prom))

    async def _refresh(self, gauge: DomainGauge, prom: Gauge) -> None:
        try:
            values = await asyncio.wait_for(gauge.read(), GAUGE_READ_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - a broken gauge must not break the scrape
            log.warning("gauge_read_failed", gauge=gauge.name, error=type(exc).__name__)
            return
        if gauge.labelnames:
            prom.clear()
            for labels, value in values.items():
                prom.labels(*labels).set(value)
        else:
            prom.set(next(iter(values.values()), 0.0))

    async def render(self) -> bytes:
        await asyncio.gather(*(self._refresh(g, p) for g, p in self._gauges))
        return generate_latest(self.registry)
