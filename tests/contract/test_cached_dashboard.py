"""The dashboard read-through cache, over both Cache adapters (memory and a real Redis)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from adapters.cache.dashboard import CachedDashboardReader
from application.maintenance.ports import (
    DashboardReader,
    DashboardStats,
    EquipmentCounts,
    InterventionCounts,
    Kpi,
    TechnicianCounts,
)
from application.shared.cache import Cache

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def _stats(total: int) -> DashboardStats:
    return DashboardStats(
        interventions=InterventionCounts(
            total=total, open=total, in_progress=0, done_this_week=0, critical=0, overdue=0
        ),
        equipment=EquipmentCounts(total=3, operational=2, down=1, maintenance_due=0),
        technicians=TechnicianCounts(total=2, available=1, busy=1, average_load=1.5),
        kpi=Kpi(mean_resolution_hours=2.5, on_time_rate=0.75, mttr_hours=None, mtbf_hours=None),
    )


class CountingReader(DashboardReader):
    """A database stand-in whose figures change whenever ``total`` changes."""

    def __init__(self) -> None:
        self.total = 1
        self.computations = 0

    async def stats(self, now: datetime) -> DashboardStats:
        self.computations += 1
        await asyncio.sleep(0)
        return _stats(self.total)


async def test_fresh_figures_come_from_the_cache(cache: Cache) -> None:
    inner = CountingReader()
    reader = CachedDashboardReader(inner, cache, fresh_seconds=10, stale_seconds=60)
    assert (await reader.stats(T0)).interventions.total == 1
    inner.total = 2
    again = await reader.stats(T0 + timedelta(seconds=5))
    assert again == _stats(1)
    assert inner.computations == 1


async def test_invalidate_shows_changes_at_once(cache: Cache) -> None:
    inner = CountingReader()
    reader = CachedDashboardReader(inner, cache)
    await reader.stats(T0)
    inner.total = 7
    await reader.invalidate()
    assert (await reader.stats(T0)).interventions.total == 7


async def test_stale_figures_are_served_while_one_refresh_runs(cache: Cache) -> None:
    inner = CountingReader()
    reader = CachedDashboardReader(inner, cache, fresh_seconds=10, stale_seconds=60)
    await reader.stats(T0)
    inner.total = 3
    later = T0 + timedelta(seconds=30)
    answers = await asyncio.gather(*(reader.stats(later) for _ in range(20)))
    # nobody waited for a recomputation: each answer is the stored figure or the refreshed one
    assert {answer.interventions.total for answer in answers} <= {1, 3}
    assert answers[0].interventions.total == 1
    for _ in range(100):  # the background refresh lands
        await asyncio.sleep(0.01)
        if inner.computations == 2:
            break
    assert inner.computations == 2
    assert (await reader.stats(later)).interventions.total == 3


async def test_too_old_figures_are_recomputed_inline(cache: Cache) -> None:
    inner = CountingReader()
    reader = CachedDashboardReader(inner, cache, fresh_seconds=10, stale_seconds=60)
    await reader.stats(T0)
    inner.total = 4
    assert (await reader.stats(T0 + timedelta(seconds=120))).interventions.total == 4


async def test_a_corrupt_entry_is_recomputed(cache: Cache) -> None:
    inner = CountingReader()
    reader = CachedDashboardReader(inner, cache, key="dash-corrupt")
    await cache.set("dash-corrupt", b"{not json", ttl_seconds=60)
    assert (await reader.stats(T0)).interventions.total == 1


async def test_a_cold_start_computes_once_for_concurrent_callers(cache: Cache) -> None:
    inner = CountingReader()
    reader = CachedDashboardReader(inner, cache)
    answers = await asyncio.gather(*(reader.stats(T0) for _ in range(16)))
    assert inner.computations == 1
    assert all(answer == _stats(1) for answer in answers)
