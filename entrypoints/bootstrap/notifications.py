"""The notifications module's part of the composition root: its settings section, its
container and its spec (``MODULE``, registered in ``registry.py``).

It imports identity's ``user_directory`` (managers) and ``mail_contacts`` (addresses and the
e-mail choice) and maintenance's ``maintenance_due`` (the daily check); it publishes
``NotificationMailRequested`` and subscribes its rules to the maintenance and jobs events.
"""

from __future__ import annotations

from typing import Any

import msgspec
from dependency_injector import containers, providers

from adapters.mail.rendering import JinjaMailRenderer
from adapters.persistence.memory.notifications import MemoryNotificationsUnitOfWork
from adapters.queue.base import check_cron
from application.contracts.identity import MailContacts, UserDirectory
from application.contracts.maintenance import MaintenanceDue
from application.contracts.notifications import PUBLISHED
from application.notifications.handlers import (
    NotifyAssignedTechnician,
    NotifyManagersEquipmentDown,
    NotifyManagersEscalated,
    NotifyOwnerJobCompleted,
    NotifyOwnerJobFailed,
    NotifyRequesterCancelled,
    NotifyRequesterCompleted,
    NotifyRequesterStarted,
)
from application.notifications.mail import SendNotificationMail
from application.notifications.subscriptions import SUBSCRIPTIONS
from application.notifications.use_cases.check_maintenance_due import CheckMaintenanceDue
from application.notifications.use_cases.list_notifications import ListNotifications
from application.notifications.use_cases.mark_all_read import MarkAllNotificationsRead
from application.notifications.use_cases.mark_read import MarkNotificationRead
from application.shared.jobs import JobContext, JobDefinition, Json, Payload, Schedule
from entrypoints.bootstrap.module import ModuleSpec


class NotificationsSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The notifications module's ``ATELIER_*`` variables."""

    maintenance_due_cron: str = "0 6 * * *"

    def __post_init__(self) -> None:
        try:
            check_cron(self.maintenance_due_cron)
        except ValueError as exc:
            raise msgspec.ValidationError(f"ATELIER_MAINTENANCE_DUE_CRON: {exc}") from None


MAINTENANCE_DUE_JOB = "notifications.maintenance_due"


def _jobs(container: Any) -> list[JobDefinition]:
    async def maintenance_due(ctx: JobContext, payload: Payload) -> Json:
        result = await container.check_maintenance_due()()
        return {
            "day": result.day.isoformat(),
            "equipment": result.equipment,
            "notified": result.notified,
        }

    return [JobDefinition(MAINTENANCE_DUE_JOB, maintenance_due, retries=3, timeout_seconds=300)]


def _schedules(container: Any) -> list[Schedule]:
    return [Schedule(job=MAINTENANCE_DUE_JOB, cron=container.config().maintenance_due_cron)]


def _sql_uow(database: Any, publisher: Any, signal: Any, read_only: bool = False) -> Any:
    from adapters.persistence.sqlalchemy.notifications import SqlNotificationsUnitOfWork

    return SqlNotificationsUnitOfWork(
        database, publisher, read_only=read_only, outbox_signal=signal
    )


def _memory_uow(store: Any, publisher: Any, signal: Any) -> Any:
    return MemoryNotificationsUnitOfWork(store, publisher, outbox_signal=signal)


class NotificationsContainer(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    config = providers.Dependency(instance_of=NotificationsSettings)
    user_directory: providers.Dependency[UserDirectory] = providers.Dependency()
    """identity.user_directory, wired by the composition root."""
    mail_contacts: providers.Dependency[MailContacts] = providers.Dependency()
    """identity.mail_contacts."""
    maintenance_due: providers.Dependency[MaintenanceDue] = providers.Dependency()
    """maintenance.maintenance_due."""

    clock = platform.clock
    database = platform.database
    event_bus = platform.event_bus
    broadcaster = platform.broadcaster
    mailer = platform.mailer
    persistence_kind = platform.persistence_kind
    public_url = providers.Callable(lambda s: s.public_url, platform.settings)

    _sql = providers.Factory(_sql_uow, database, event_bus, platform.outbox_signal)
    _memory = providers.Factory(_memory_uow, database, event_bus, platform.outbox_signal)
    uow = providers.Selector(persistence_kind, sqlite=_sql, postgres=_sql, memory=_memory)
    _sql_read = providers.Factory(
        _sql_uow, database, event_bus, platform.outbox_signal, read_only=True
    )
    read_uow = providers.Selector(
        persistence_kind, sqlite=_sql_read, postgres=_sql_read, memory=_memory
    )
    mail_renderer = providers.Singleton(JinjaMailRenderer)

    # -- the rules (event handlers) -------------------------------------------------------
    notify_assigned = providers.Factory(
        NotifyAssignedTechnician, uow, clock, broadcaster, user_directory
    )
    notify_started = providers.Factory(
        NotifyRequesterStarted, uow, clock, broadcaster, user_directory
    )
    notify_completed = providers.Factory(
        NotifyRequesterCompleted, uow, clock, broadcaster, user_directory
    )
    notify_cancelled = providers.Factory(
        NotifyRequesterCancelled, uow, clock, broadcaster, user_directory
    )
    notify_escalated = providers.Factory(
        NotifyManagersEscalated, uow, clock, broadcaster, user_directory
    )
    notify_equipment_down = providers.Factory(
        NotifyManagersEquipmentDown, uow, clock, broadcaster, user_directory
    )
    notify_job_completed = providers.Factory(
        NotifyOwnerJobCompleted, uow, clock, broadcaster, user_directory
    )
    notify_job_failed = providers.Factory(
        NotifyOwnerJobFailed, uow, clock, broadcaster, user_directory
    )
    send_mail = providers.Factory(
        SendNotificationMail, uow, mail_contacts, mailer, mail_renderer, public_url
    )
    check_maintenance_due = providers.Factory(
        CheckMaintenanceDue, uow, clock, broadcaster, user_directory, maintenance_due
    )

    # -- the in-app API ---------------------------------------------------------------------
    list_notifications = providers.Factory(ListNotifications, read_uow)
    mark_read = providers.Factory(MarkNotificationRead, uow, clock)
    mark_all_read = providers.Factory(MarkAllNotificationsRead, uow, clock)


MODULE = ModuleSpec(
    name="notifications",
    container=NotificationsContainer,
    settings=NotificationsSettings,
    tables="adapters.persistence.sqlalchemy.notifications.tables",
    publishes=PUBLISHED,
    subscriptions=SUBSCRIPTIONS,
    imports={
        "user_directory": "identity.user_directory",
        "mail_contacts": "identity.mail_contacts",
        "maintenance_due": "maintenance.maintenance_due",
    },
    jobs=_jobs,
    schedules=_schedules,
)
