"""Prometheus metrics, on a registry owned by one app (several apps can share a process).

HTTP metrics are labelled by the route *template* (``/api/v1/users/{user_id}``), never the raw
path; unmatched paths count as ``<unmatched>`` and unknown methods as ``OTHER``, so the label
cardinality stays bounded.

Domain gauges: a module contributes a :class:`DomainGauge` (a name, help text, label names and an
async ``read`` returning ``{label values: value}``); ``read`` runs when ``/metrics`` is scraped,
with a timeout, and a failing read is logged and skipped (the scrape still answers).

Several worker processes (``atelier serve --workers N``): the server sets
``PROMETHEUS_MULTIPROC_DIR`` before the workers start, prometheus-client then keeps every
counter and histogram in files there, and a scrape answered by any worker sums every worker's
(``MultiProcessCollector``), so a counter scraped twice never goes down. Domain gauges are read
by the scraping process itself.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

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


def multiprocess() -> bool:
    """True in a server of several worker processes (see the module's docstring)."""
    return bool(os.environ.get(MULTIPROCESS_ENV))


class _DomainGauges(Collector):
    """The domain gauges' last values, as read by ``Metrics.render``."""

    def __init__(self) -> None:
        self.gauges: list[DomainGauge] = []
        self.values: dict[str, Mapping[tuple[str, ...], float]] = {}

    def collect(self) -> Iterator[Metric]:
        for gauge in self.gauges:
            family = GaugeMetricFamily(
                gauge.name, gauge.documentation, labels=list(gauge.labelnames)
            )
            for labels, value in self.values.get(gauge.name, {}).items():
                family.add_metric(list(labels), value)
            yield family


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
        self.job_duration = Histogram(
            "atelier_job_duration_seconds",
            "Background job run time in seconds, by job name and outcome.",
            ["job", "outcome"],
            registry=self.registry,
            buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800),
        )
        self.job_failures = Counter(
            "atelier_job_failures",
            "Background job attempts that did not complete (failed, timeout), by job name.",
            ["job", "outcome"],
            registry=self.registry,
        )
        self._domain = _DomainGauges()
        if not multiprocess():
            self.registry.register(self._domain)
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

    def observe_job(self, name: str, seconds: float, outcome: str) -> None:
        """The job queue's observer: one run of job ``name`` ended with ``outcome``."""
        self.job_duration.labels(name, outcome).observe(seconds)
        if outcome in {"failed", "timeout"}:
            self.job_failures.labels(name, outcome).inc()

    def add_gauge(self, gauge: DomainGauge) -> None:
        self._domain.gauges.append(gauge)

    async def _refresh(self, gauge: DomainGauge) -> None:
        try:
            values = await asyncio.wait_for(gauge.read(), GAUGE_READ_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - a broken gauge must not break the scrape
            log.warning("gauge_read_failed", gauge=gauge.name, error=type(exc).__name__)
            self._domain.values.pop(gauge.name, None)
            return
        self._domain.values[gauge.name] = dict(values)

    async def render(self) -> bytes:
        await asyncio.gather(*(self._refresh(g) for g in self._domain.gauges))
        if not multiprocess():
            return generate_latest(self.registry)
        from prometheus_client import multiprocess as mp

        registry = CollectorRegistry()
        mp.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(self._domain)
        return generate_latest(registry)


def _single(
    read: Callable[[], Awaitable[int]],
) -> Callable[[], Awaitable[Mapping[tuple[str, ...], float]]]:
    async def values() -> Mapping[tuple[str, ...], float]:
        return {(): float(await read())}

    return values


def _queue_depth(container: Any) -> DomainGauge:
    return DomainGauge(
        "atelier_job_queue_depth",
        "Jobs queued and not yet started.",
        _single(lambda: container.job_queue().depth()),
    )


def _outbox_pending(container: Any) -> DomainGauge:
    return DomainGauge(
        "atelier_outbox_pending",
        "Integration events committed and not yet handed to their subscribers.",
        _single(lambda: container.outbox().pending()),
    )


async def _letters(container: Any) -> int:
    _, total = await container.dead_letters().list(limit=0, offset=0)
    return int(total)


def _dead_letters(container: Any) -> DomainGauge:
    return DomainGauge(
        "atelier_event_dead_letters",
        "Event deliveries parked after their retries (atelier events failed).",
        _single(lambda: _letters(container)),
    )


#: Gauges of the platform itself, read at each scrape.
PLATFORM_GAUGES: list[Callable[[Any], DomainGauge]] = [
    _queue_depth,
    _outbox_pending,
    _dead_letters,
]
