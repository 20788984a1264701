"""The notifications module's part of the composition root: its settings section, its
container and its spec (``MODULE``, registered in ``registry.py``).

It imports identity's ``user_directory`` (managers) and ``mail_contacts`` (addresses and the
e-mail choice) and maintenance's ``maintenance_due`` (the daily check); it publishes
``NotificationMailRequested`` and subscribes its rules to the maintenance and jobs events.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

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
from application.notifications.mail import MAIL_JOB, QueueNotificationMail, SendNotificationMail
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
    notification_mail_retries: int = 30
    notification_mail_retry_seconds: float = 5.0

    def __post_init__(self) -> None:
        problems: list[str] = []
        try:
            check_cron(self.maintenance_due_cron)
        except ValueError as exc:
            problems.append(f"ATELIER_MAINTENANCE_DUE_CRON: {exc}")
        if not 0 <= self.notification_mail_retries <= 100:
            problems.append("ATELIER_NOTIFICATION_MAIL_RETRIES must be between 0 and 100")
        if not 0.1 <= self.notification_mail_retry_seconds <= 3600:
            problems.append("ATELIER_NOTIFICATION_MAIL_RETRY_SECONDS must be between 0.1 and 3600")
        if problems:
            raise msgspec.ValidationError("; ".join(problems))


MAINTENANCE_DUE_JOB = "notifications.maintenance_due"
#: Retries of a mail double their delay up to an hour: 30 retries from 5 s last about a day.
MAIL_MAX_RETRY_DELAY_SECONDS = 3600.0
#: An attempt's bound (each SMTP step has its own, ATELIER_SMTP_TIMEOUT_SECONDS).
MAIL_TIMEOUT_SECONDS = 300.0


def _jobs(container: Any) -> list[JobDefinition]:
    async def maintenance_due(ctx: JobContext, payload: Payload) -> Json:
        result = await container.check_maintenance_due()()
        return {
            "day": result.day.isoformat(),
            "equipment": result.equipment,
            "notified": result.notified,
        }

    async def send_mail(ctx: JobContext, payload: Payload) -> Json:
        sent = await container.send_mail()(
            UUID(str(payload["notification_id"])), UUID(str(payload["user_id"]))
        )
        return {"sent": sent}

    config: NotificationsSettings = container.config()
    return [
        JobDefinition(MAINTENANCE_DUE_JOB, maintenance_due, retries=3, timeout_seconds=300),
        JobDefinition(
            MAIL_JOB,
            send_mail,
            retries=config.notification_mail_retries,
            retry_delay_seconds=config.notification_mail_retry_seconds,
            max_retry_delay_seconds=MAIL_MAX_RETRY_DELAY_SECONDS,
            timeout_seconds=MAIL_TIMEOUT_SECONDS,
        ),
    ]


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
    queue_mail = providers.Factory(QueueNotificationMail, uow, platform.job_queue)
    send_mail = providers.Factory(
        SendNotificationMail, read_uow, mail_contacts, mailer, mail_renderer, public_url
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
