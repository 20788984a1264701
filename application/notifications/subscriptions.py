"""On which events the notifications module does what (its handlers: ``handlers.py``)."""

from __future__ import annotations

from application.contracts.jobs import JobCompleted, JobFailed
from application.contracts.maintenance import (
    EquipmentDown,
    InterventionAssigned,
    InterventionCancelled,
    InterventionCompleted,
    InterventionEscalated,
    InterventionStarted,
)
from application.contracts.notifications import NotificationMailRequested
from application.shared.integration import Subscription

SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription(InterventionAssigned, "notifications.assigned", "notify_assigned"),
    Subscription(InterventionStarted, "notifications.started", "notify_started"),
    Subscription(InterventionCompleted, "notifications.completed", "notify_completed"),
    Subscription(InterventionCancelled, "notifications.cancelled", "notify_cancelled"),
    Subscription(InterventionEscalated, "notifications.escalated", "notify_escalated"),
    Subscription(EquipmentDown, "notifications.equipment_down", "notify_equipment_down"),
    Subscription(JobCompleted, "notifications.job_completed", "notify_job_completed"),
    Subscription(JobFailed, "notifications.job_failed", "notify_job_failed"),
    Subscription(NotificationMailRequested, "notifications.mail", "queue_mail"),
)
