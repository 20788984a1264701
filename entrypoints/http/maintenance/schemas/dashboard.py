"""msgspec answer of the dashboard route."""

from __future__ import annotations

import msgspec

from application.maintenance.ports import DashboardStats


class InterventionStats(msgspec.Struct, kw_only=True):
    total: int
    open: int
    in_progress: int
    done_this_week: int
    critical: int
    overdue: int


class EquipmentStats(msgspec.Struct, kw_only=True):
    total: int
    operational: int
    down: int
    maintenance_due: int


class TechnicianStats(msgspec.Struct, kw_only=True):
    total: int
    available: int
    busy: int
    average_load: float


class KpiRead(msgspec.Struct, kw_only=True):
    mean_resolution_hours: float | None
    on_time_rate: float | None
    mttr_hours: float | None
    mtbf_hours: float | None


class DashboardRead(msgspec.Struct, kw_only=True):
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
