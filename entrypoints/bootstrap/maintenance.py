"""The maintenance module's part of the composition root: its settings section, its
container and its spec (``MODULE``, registered in ``registry.py``).

The root container mounts ``MaintenanceContainer`` as ``container.maintenance`` with the
platform and ``MaintenanceSettings``; the identity module's published ``user_directory`` port
is wired into ``user_directory`` (the modules never import each other). Use cases are
Factories (a fresh unit of work per call).
"""

from __future__ import annotations

from typing import Any

import msgspec
from dependency_injector import containers, providers

from adapters.cache.dashboard import CachedDashboardReader
from adapters.persistence.memory.audit import MemoryAuditTrail
from adapters.persistence.memory.maintenance import (
    MemoryDashboardReader,
    MemoryMaintenanceUnitOfWork,
)
from adapters.queue.base import check_cron
from application.contracts.documents import InterventionDocuments
from application.contracts.maintenance import PUBLISHED
from application.maintenance.commands import EscalateOverdueCommand
from application.maintenance.due import MaintenanceDueReport
from application.maintenance.intervention_access import MaintenanceInterventionAccess
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.ports import UserDirectory
from application.maintenance.use_cases.assign_intervention import AssignIntervention
from application.maintenance.use_cases.cancel_intervention import CancelIntervention
from application.maintenance.use_cases.complete_intervention import CompleteIntervention
from application.maintenance.use_cases.create_equipment import CreateEquipment
from application.maintenance.use_cases.create_intervention import CreateIntervention
from application.maintenance.use_cases.create_technician import CreateTechnician
from application.maintenance.use_cases.dashboard_stats import GetDashboardStats
from application.maintenance.use_cases.equipment_history import EquipmentHistory
from application.maintenance.use_cases.escalate_overdue import EscalateOverdue
from application.maintenance.use_cases.feed_calendar import FeedCalendar
from application.maintenance.use_cases.generate_preventive import GeneratePreventive
from application.maintenance.use_cases.get_calendar_feed import GetCalendarFeed
from application.maintenance.use_cases.get_equipment import GetEquipment
from application.maintenance.use_cases.get_intervention import GetIntervention
from application.maintenance.use_cases.get_technician import GetTechnician
from application.maintenance.use_cases.intervention_report import GetInterventionReport
from application.maintenance.use_cases.issue_calendar_feed import IssueCalendarFeed
from application.maintenance.use_cases.list_equipment import ListEquipment
from application.maintenance.use_cases.list_interventions import ListInterventions
from application.maintenance.use_cases.list_planning import ListPlanning
from application.maintenance.use_cases.list_technicians import ListTechnicians
from application.maintenance.use_cases.planning_conflicts import PlanningConflicts
from application.maintenance.use_cases.reschedule_entry import RescheduleEntry
from application.maintenance.use_cases.retire_equipment import RetireEquipment
from application.maintenance.use_cases.revoke_calendar_feed import RevokeCalendarFeed
from application.maintenance.use_cases.start_intervention import StartIntervention
from application.maintenance.use_cases.technician_availability import (
    GetTechnicianAvailability,
)
from application.maintenance.use_cases.technician_calendar import GetTechnicianCalendar
from application.maintenance.use_cases.unassign_intervention import UnassignIntervention
from application.maintenance.use_cases.update_equipment import UpdateEquipment
from application.maintenance.use_cases.update_intervention import UpdateIntervention
from application.maintenance.use_cases.update_technician import UpdateTechnician
from application.shared.jobs import JobContext, JobDefinition, Json, Payload, Schedule
from domain.maintenance.events import (
    EquipmentDown,
    EquipmentRetired,
    InterventionEvent,
    TechnicianCreated,
)
from domain.shared.events import DomainEvent
from entrypoints.bootstrap.module import ModuleSpec

_DIRECTORY_PAGE = 200


def subscribe_event_handlers(container: Any) -> None:
    """Life-cycle changes drop the cached dashboard figures, on every instance at once.

    Runs at build time, before the pools open: the reader is resolved when an event comes."""
    reader = container.dashboard_reader

    async def invalidate_dashboard(_event: DomainEvent) -> None:
        await reader().invalidate()

    bus = container.event_bus()
    for event_type in (InterventionEvent, EquipmentDown, EquipmentRetired, TechnicianCreated):
        bus.subscribe(event_type, invalidate_dashboard)


class MaintenanceSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The maintenance module's ``ATELIER_*`` variables."""

    escalation_delay_minutes: int = 30
    escalation_cron: str = "* * * * *"
    schedule_past_grace_minutes: int = 5

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not 1 <= self.escalation_delay_minutes <= 7 * 24 * 60:
            problems.append("ATELIER_ESCALATION_DELAY_MINUTES must be between 1 and 10080")
        if not 0 <= self.schedule_past_grace_minutes <= 1440:
            problems.append("ATELIER_SCHEDULE_PAST_GRACE_MINUTES must be between 0 and 1440")
        try:
            check_cron(self.escalation_cron)
        except ValueError as exc:
            problems.append(f"ATELIER_ESCALATION_CRON: {exc}")
        if problems:
            raise msgspec.ValidationError("; ".join(problems))


ESCALATION_JOB = "maintenance.escalate_overdue"


def _jobs(container: Any) -> list[JobDefinition]:
    async def escalate(ctx: JobContext, payload: Payload) -> Json:
        result = await container.escalate_overdue()(EscalateOverdueCommand())
        return {"escalated": [str(i) for i in result.escalated]}

    return [JobDefinition(ESCALATION_JOB, escalate, retries=2, timeout_seconds=120)]


def _schedules(container: Any) -> list[Schedule]:
    return [Schedule(job=ESCALATION_JOB, cron=container.config().escalation_cron)]


def _policy(config: MaintenanceSettings) -> MaintenancePolicy:
    return MaintenancePolicy(
        escalation_delay_minutes=config.escalation_delay_minutes,
        schedule_past_grace_minutes=config.schedule_past_grace_minutes,
    )


def _sql_uow(database: Any, publisher: Any, signal: Any, read_only: bool = False) -> Any:
    from adapters.persistence.sqlalchemy.maintenance import SqlMaintenanceUnitOfWork

    return SqlMaintenanceUnitOfWork(database, publisher, read_only=read_only, outbox_signal=signal)


def _memory_uow(store: Any, publisher: Any, signal: Any) -> Any:
    return MemoryMaintenanceUnitOfWork(store, publisher, outbox_signal=signal)


def _sql_dashboard(database: Any) -> Any:
    from adapters.persistence.sqlalchemy.maintenance import SqlDashboardReader

    return SqlDashboardReader(database)


def _sql_trail(database: Any) -> Any:
    from adapters.persistence.sqlalchemy.audit import SqlAuditTrail

    return SqlAuditTrail(database)


class MaintenanceContainer(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    config = providers.Dependency(instance_of=MaintenanceSettings)
    user_directory: providers.Dependency[UserDirectory] = providers.Dependency()
    """identity.user_directory, wired by the composition root."""
    intervention_documents: providers.Dependency[InterventionDocuments | None] = (
        providers.Dependency(default=providers.Object(None))
    )
    """documents.intervention_documents when the documents module is installed (else None:
    the report lists no documents)."""

    clock = platform.clock
    cache = platform.cache
    event_bus = platform.event_bus
    database = platform.database
    persistence_kind = platform.persistence_kind

    policy = providers.Singleton(_policy, config)

    _sql = providers.Factory(_sql_uow, database, event_bus, platform.outbox_signal)
    _memory = providers.Factory(_memory_uow, database, event_bus, platform.outbox_signal)
    uow = providers.Selector(persistence_kind, sqlite=_sql, postgres=_sql, memory=_memory)
    # for the use cases that never commit: no BEGIN/ROLLBACK round trips on PostgreSQL
    _sql_read = providers.Factory(
        _sql_uow, database, event_bus, platform.outbox_signal, read_only=True
    )
    read_uow = providers.Selector(
        persistence_kind, sqlite=_sql_read, postgres=_sql_read, memory=_memory
    )
    database_dashboard_reader = providers.Selector(
        persistence_kind,
        sqlite=providers.Singleton(_sql_dashboard, database),
        postgres=providers.Singleton(_sql_dashboard, database),
        memory=providers.Singleton(MemoryDashboardReader, database),
    )
    # the aggregate queries read whole tables: serve them through a shared read-through cache
    dashboard_reader = providers.Singleton(CachedDashboardReader, database_dashboard_reader, cache)
    trail = providers.Selector(
        persistence_kind,
        sqlite=providers.Singleton(_sql_trail, database),
        postgres=providers.Singleton(_sql_trail, database),
        memory=providers.Singleton(MemoryAuditTrail, database),
    )

    # -- use cases -----------------------------------------------------------------------------
    create_technician = providers.Factory(CreateTechnician, uow, user_directory, clock)
    list_technicians = providers.Factory(ListTechnicians, read_uow)
    get_technician = providers.Factory(GetTechnician, read_uow)
    update_technician = providers.Factory(UpdateTechnician, uow, clock)
    technician_availability = providers.Factory(GetTechnicianAvailability, read_uow, policy)

    create_equipment = providers.Factory(CreateEquipment, uow, clock)
    list_equipment = providers.Factory(ListEquipment, read_uow, clock)
    get_equipment = providers.Factory(GetEquipment, read_uow)
    update_equipment = providers.Factory(UpdateEquipment, uow, clock)
    retire_equipment = providers.Factory(RetireEquipment, uow, clock)
    equipment_history = providers.Factory(EquipmentHistory, read_uow, clock)

    create_intervention = providers.Factory(CreateIntervention, uow, clock)
    list_interventions = providers.Factory(ListInterventions, read_uow, clock)
    get_intervention = providers.Factory(GetIntervention, read_uow, clock)
    update_intervention = providers.Factory(UpdateIntervention, uow, clock)
    assign_intervention = providers.Factory(AssignIntervention, uow, clock, policy)
    unassign_intervention = providers.Factory(UnassignIntervention, uow, clock)
    start_intervention = providers.Factory(StartIntervention, uow, clock)
    complete_intervention = providers.Factory(CompleteIntervention, uow, clock)
    cancel_intervention = providers.Factory(CancelIntervention, uow, clock)
    intervention_report = providers.Factory(
        GetInterventionReport, read_uow, trail, clock, user_directory, intervention_documents
    )
    escalate_overdue = providers.Factory(EscalateOverdue, uow, clock, policy)

    list_planning = providers.Factory(ListPlanning, read_uow, policy)
    reschedule_entry = providers.Factory(RescheduleEntry, uow, clock, policy)
    planning_conflicts = providers.Factory(PlanningConflicts, read_uow, clock, policy)
    generate_preventive = providers.Factory(GeneratePreventive, uow, clock, policy)
    technician_calendar = providers.Factory(
        GetTechnicianCalendar, read_uow, user_directory, clock, policy
    )
    feed_calendar = providers.Factory(FeedCalendar, read_uow, user_directory, clock, policy)
    issue_calendar_feed = providers.Factory(IssueCalendarFeed, uow, clock)
    get_calendar_feed = providers.Factory(GetCalendarFeed, read_uow)
    revoke_calendar_feed = providers.Factory(RevokeCalendarFeed, uow, clock)

    dashboard_stats = providers.Factory(GetDashboardStats, dashboard_reader, clock)
    maintenance_due = providers.Singleton(MaintenanceDueReport, read_uow.provider)
    """Published as ``maintenance.maintenance_due`` (the daily maintenance-due notification)."""

    # -- published ports -----------------------------------------------------------------
    intervention_access = providers.Singleton(MaintenanceInterventionAccess, read_uow.provider)


MODULE = ModuleSpec(
    name="maintenance",
    container=MaintenanceContainer,
    settings=MaintenanceSettings,
    tables="adapters.persistence.sqlalchemy.maintenance.tables",
    publishes=PUBLISHED,
    imports={
        "user_directory": "identity.user_directory",
        "intervention_documents": "documents.intervention_documents?",
    },
    exports={
        "intervention_access": "intervention_access",
        "maintenance_due": "maintenance_due",
    },
    # the public calendar feed (no bearer token): calendar apps poll every few minutes
    rate_limits={"calendar_feed": (60, 60)},
    jobs=_jobs,
    schedules=_schedules,
    setup=subscribe_event_handlers,
)
