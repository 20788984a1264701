"""What the notifications module publishes.

``NotificationMailRequested`` is written by the transaction that creates a notification of
level warning or error; its handler (``notifications.mail``) hands the mail to a job with
long retries (``application/notifications/mail.py``). So a mail server that is down delays
the mail, it does not lose it, and never delays the notification itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from application.shared.integration import IntegrationEvent


@dataclass(frozen=True, kw_only=True, slots=True)
class NotificationMailRequested(IntegrationEvent):
    NAME: ClassVar[str] = "notifications.mail_requested.v1"
    notification_id: UUID
    user_id: UUID


PUBLISHED: tuple[type[IntegrationEvent], ...] = (NotificationMailRequested,)
