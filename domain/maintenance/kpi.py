"""Dashboard KPI formulas (``GET /dashboard/stats`` -> ``kpi``).

These are the reference definitions; the SQL adapters compute the same values in the
database and tests compare both. Durations are in hours (float); ``None`` when there is no
data to average over.

- ``mean_resolution_hours`` = avg(completed_at - created_at) over ``done`` interventions.
- ``mttr_hours`` = avg(completed_at - started_at) over ``done`` *corrective* interventions.
- ``mtbf_hours`` = (period hours x equipment count) / number of corrective interventions
  created in the period (the failures); ``None`` without failures or equipment.
- ``on_time_rate`` = (done with ``completed_at <= due_at``) / (done with a ``due_at``),
  a fraction in [0, 1]; ``None`` when no done intervention has a due date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain.maintenance.enums import InterventionStatus, InterventionType
from domain.maintenance.intervention import Intervention

_HOUR = 3600.0


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def mean_resolution_hours(interventions: Iterable[Intervention]) -> float | None:
    return _mean(
        [
            (i.completed_at - i.created_at).total_seconds() / _HOUR
            for i in interventions
            if i.status == InterventionStatus.DONE and i.completed_at is not None
        ]
    )


def mttr_hours(interventions: Iterable[Intervention]) -> float | None:
    return _mean(
        [
            (i.completed_at - i.started_at).total_seconds() / _HOUR
            for i in interventions
            if i.status == InterventionStatus.DONE
            and i.type == InterventionType.CORRECTIVE
            and i.completed_at is not None
            and i.started_at is not None
        ]
    )


def count_failures(interventions: Iterable[Intervention], start: datetime, end: datetime) -> int:
    """Corrective interventions created in ``[start, end)``, whatever their status."""
    return sum(
        1
        for i in interventions
        if i.type == InterventionType.CORRECTIVE and start <= i.created_at < end
    )


def mtbf_hours(period_hours: float, equipment_count: int, failures: int) -> float | None:
    if failures <= 0 or equipment_count <= 0 or period_hours <= 0:
        return None
    return period_hours * equipment_count / failures


def on_time_rate(interventions: Iterable[Intervention]) -> float | None:
    done = [
        i
        for i in interventions
        if i.status == InterventionStatus.DONE and i.due_at is not None and i.completed_at
    ]
    if not done:
        return None
    on_time = sum(1 for i in done if i.completed_at and i.due_at and i.completed_at <= i.due_at)
    return on_time / len(done)
