"""The maintenance module's part of the composition root.

``Container`` mounts it as ``maintenance = providers.Container(MaintenanceContainer, ...)`` and
hands it the shared ports (settings, clock, cache, event bus, database, persistence kind) and
the identity module's unit-of-work factory: on the memory profile :class:`IdentityUserDirectory`
answers maintenance's questions about users through it (SQL profiles read the users table
with ``SqlUserDirectory``); the contexts never import each other.
Use cases are Factories (a fresh unit of work per call).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from dependency_injector import containers, providers

from adapters.cache.dashboard import CachedDashboardReader
from adapters.persistence.memory.maintenance import (
    MemoryDashboardReader,
    MemoryMaintenanceUnitOfWork,
)
from application.identity.ports import IdentityUnitOfWork, UserFilters
from application.maintenance.policy import MaintenancePolicy
from application.maintenance.ports import DirectoryUser, UserDirectory
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
from application.maintenance.use_cases.list_audit import ListAudit
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
from application.shared.cache import Cache
from application.shared.clock import Clock
from application.shared.events import EventBus
from application.shared.pagination import Sort
from domain.maintenance.events import (
    EquipmentDown,
    EquipmentRetired,
    InterventionEvent,
    TechnicianCreated,
)
from domain.shared.access import Role
from domain.shared.events import DomainEvent
from entrypoints.bootstrap.settings import Settings

_DIRECTORY_PAGE = 200


class IdentityUserDirectory(UserDirectory):
    """Maintenance's view of the users, read through the identity unit of work."""

    def __init__(self, uow_factory: Callable[[], IdentityUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def get_role(self, user_id: UUID) -> Role | None:
        async with self._uow_factory() as uow:
            user = await uow.users.get(user_id)
        if user is None or not user.is_active:
            return None
        return user.role

    async def get_user(self, user_id: UUID) -> DirectoryUser | None:
        async with self._uow_factory() as uow:
            user = await uow.users.get(user_id)
        if user is None:
            return None
        return DirectoryUser(
            id=user.id,
            role=user.role,
            is_active=user.is_active,
            first_name=user.first_name,
            last_name=user.last_name,
        )

    async def manager_ids(self) -> Sequence[UUID]:
        ids: list[UUID] = []
        filters = UserFilters(role=Role.MANAGER, is_active=True)
        async with self._uow_factory() as uow:
            while True:
                page, total = await uow.users.list(
                    filters, limit=_DIRECTORY_PAGE, offset=len(ids), sort=Sort("created_at")
                )
                ids.extend(user.id for user in page)
                if not page or len(ids) >= total:
                    return ids


def subscribe_event_handlers(container: MaintenanceContainer) -> None:
    """Life-cycle changes drop the cached dashboard figures, on every instance at once."""
    reader = container.dashboard_reader()

    async def invalidate_dashboard(_event: DomainEvent) -> None:
        await reader.invalidate()

    bus = container.event_bus()
    for event_type in (InterventionEvent, EquipmentDown, EquipmentRetired, TechnicianCreated):
        bus.subscribe(event_type, invalidate_dashboard)


def _policy(settings: Settings) -> MaintenancePolicy:
    return MaintenancePolicy(
        escalation_delay_minutes=settings.escalation_delay_minutes,
        schedule_past_grace_minutes=settings.schedule_past_grace_minutes,
    )


def _sql_uow(database: Any, publisher: Any, read_only: bool = False) -> Any:
    from adapters.persistence.sqlalchemy.maintenance import SqlMaintenanceUnitOfWork

    return SqlMaintenanceUnitOfWork(database, publisher, read_only=read_only)


def _sql_dashboard(database: Any) -> Any:
    from adapters.persistence.sqlalchemy.maintenance import SqlDashboardReader

    return SqlDashboardReader(database)


def _sql_user_directory(database: Any) -> Any:
    from adapters.persistence.sqlalchemy.maintenance import SqlUserDirectory

    return SqlUserDirectory(database)


class MaintenanceContainer(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock: providers.Dependency[Clock] = providers.Dependency()
    cache: providers.Dependency[Cache] = providers.Dependency()
    event_bus: providers.Dependency[EventBus] = providers.Dependency()
    database: providers.Dependency[Any] = providers.Dependency()
    persistence_kind = providers.Dependency(instance_of=str)
    identity_uow_factory: providers.Dependency[Callable[[], IdentityUnitOfWork]] = (
        providers.Dependency()
    )

    policy = providers.Singleton(_policy, settings)

    uow = providers.Selector(
        persistence_kind,
        sqlite=providers.Factory(_sql_uow, database, event_bus),
        postgres=providers.Factory(_sql_uow, database, event_bus),
        memory=providers.Factory(MemoryMaintenanceUnitOfWork, database, event_bus),
    )
    # for the use cases that never commit: no BEGIN/ROLLBACK round trips on PostgreSQL
    read_uow = providers.Selector(
        persistence_kind,
        sqlite=providers.Factory(_sql_uow, database, event_bus, read_only=True),
        postgres=providers.Factory(_sql_uow, database, event_bus, read_only=True),
        memory=providers.Factory(MemoryMaintenanceUnitOfWork, database, event_bus),
    )
    database_dashboard_reader = providers.Selector(
        persistence_kind,
        sqlite=providers.Singleton(_sql_dashboard, database),
        postgres=providers.Singleton(_sql_dashboard, database),
        memory=providers.Singleton(MemoryDashboardReader, database),
    )
    # the aggregate queries read whole tables: serve them through a shared read-through cache
    dashboard_reader = providers.Singleton(CachedDashboardReader, database_dashboard_reader, cache)
    user_directory = providers.Selector(
        persistence_kind,
        sqlite=providers.Singleton(_sql_user_directory, database),
        postgres=providers.Singleton(_sql_user_directory, database),
        memory=providers.Singleton(IdentityUserDirectory, identity_uow_factory),
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
    intervention_report = providers.Factory(GetInterventionReport, read_uow, clock)
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
    list_audit = providers.Factory(ListAudit, read_uow)
