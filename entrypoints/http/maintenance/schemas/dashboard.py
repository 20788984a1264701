"""msgspec answer of the dashboard route."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from application.maintenance.ports import DashboardStats


def _doc(description: str, *, ge: int | None = None) -> Any:
    return msgspec.Meta(description=description, ge=ge)


class InterventionStats(msgspec.Struct, kw_only=True):
    """Counts of interventions (cancelled ones are in ``total`` only)."""

    total: Annotated[int, _doc("Every intervention, whatever its status.", ge=0)]
    open: Annotated[int, _doc("Interventions in status `open` (reported, not planned).", ge=0)]
    in_progress: Annotated[int, _doc("Interventions in status `in_progress`.", ge=0)]
    done_this_week: Annotated[
        int, _doc("Interventions completed since Monday 00:00 UTC of the current ISO week.", ge=0)
    ]
    critical: Annotated[
        int, _doc("Active (neither done nor cancelled) interventions of priority `critical`.", ge=0)
    ]
    overdue: Annotated[int, _doc("Active interventions whose `due_at` is in the past.", ge=0)]


class EquipmentStats(msgspec.Struct, kw_only=True):
    """Counts of equipment."""

    total: Annotated[int, _doc("Every piece of equipment, retired ones included.", ge=0)]
    operational: Annotated[int, _doc("Equipment in status `operational`.", ge=0)]
    down: Annotated[int, _doc("Equipment in status `down` (out of order).", ge=0)]
    maintenance_due: Annotated[
        int,
        _doc(
            "Equipment not retired whose next preventive maintenance date "
            "(last maintenance + `maintenance_interval_days`) has passed.",
            ge=0,
        ),
    ]


class TechnicianStats(msgspec.Struct, kw_only=True):
    """Technician profiles and their workload."""

    total: Annotated[int, _doc("Every technician profile.", ge=0)]
    available: Annotated[
        int, _doc("Technicians marked available for assignment (`available: true`).", ge=0)
    ]
    busy: Annotated[
        int, _doc("Technicians with at least one intervention in status `in_progress`.", ge=0)
    ]
    average_load: Annotated[
        float,
        msgspec.Meta(
            ge=0,
            description=(
                "Assigned interventions in status `planned` or `in_progress`, divided by the "
                "number of technicians (2 decimals; 0 without technicians)."
            ),
        ),
    ]


class KpiRead(msgspec.Struct, kw_only=True):
    """Key performance indicators; `null` when there is nothing to compute them from."""

    mean_resolution_hours: Annotated[
        float | None,
        msgspec.Meta(
            description=(
                "Mean time from report to completion, in hours: average of "
                "`completed_at - created_at` over done interventions."
            )
        ),
    ]
    on_time_rate: Annotated[
        float | None,
        msgspec.Meta(
            description=(
                "On-time rate, a fraction from 0 to 1: done interventions completed at or before "
                "their `due_at`, divided by the done interventions that have a `due_at`."
            )
        ),
    ]
    mttr_hours: Annotated[
        float | None,
        msgspec.Meta(
            description=(
                "MTTR (mean time to repair), in hours: average of `completed_at - started_at` "
                "over done corrective interventions."
            )
        ),
    ]
    mtbf_hours: Annotated[
        float | None,
        msgspec.Meta(
            description=(
                "MTBF (mean time between failures), in hours: the last 30 days times the number "
                "of equipment, divided by the corrective interventions (failures) reported in "
                "those 30 days."
            )
        ),
    ]


class DashboardRead(msgspec.Struct, kw_only=True):
    """The maintenance dashboard, computed now (served from a cache at most 10 s old)."""

    interventions: InterventionStats
    equipment: EquipmentStats
    technicians: TechnicianStats
    kpi: KpiRead

    @classmethod
    def of(cls, s: DashboardStats) -> DashboardRead:
        i, e, t, k = s.interventions, s.equipment, s.technicians, s.kpi
        return cls(
            interventions=InterventionStats(
                total=i.total,
                open=i.open,
                in_progress=i.in_progress,
                done_this_week=i.done_this_week,
                critical=i.critical,
                overdue=i.overdue,
            ),
            equipment=EquipmentStats(
                total=e.total,
                operational=e.operational,
                down=e.down,
                maintenance_due=e.maintenance_due,
            ),
            technicians=TechnicianStats(
                total=t.total, available=t.available, busy=t.busy, average_load=t.average_load
            ),
            kpi=KpiRead(
                mean_resolution_hours=k.mean_resolution_hours,
                on_time_rate=k.on_time_rate,
                mttr_hours=k.mttr_hours,
                mtbf_hours=k.mtbf_hours,
            ),
        )
