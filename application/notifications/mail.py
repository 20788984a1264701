"""The notification mail: rendered from templates, sent by its own job with retries.

1. The transaction that stores a notification of level warning or error also writes
   ``NotificationMailRequested`` (outbox).
2. Its handler, ``QueueNotificationMail`` (``notifications.mail``), enqueues the job
   ``notifications.send_mail`` under the key ``notifications.mail:<notification id>`` (a
   redelivered event enqueues nothing more) and claims the event in its inbox.
3. The job runs ``SendNotificationMail``: it reads the notification, asks identity's published
   ``MailContacts`` port for the address and the user's choice, renders the plain-text and
   HTML bodies (``MailRenderer``: Jinja2 templates shipped in ``adapters/mail/templates/``) and
   hands the mail to the ``Mailer``. A mail server that is down or silent fails the attempt
   (``DependencyUnavailable``): the queue tries again with exponential backoff
   (``ATELIER_NOTIFICATION_MAIL_RETRIES``, ``ATELIER_NOTIFICATION_MAIL_RETRY_SECONDS``; by
   default for about a day), so the mail is delayed, not lost, and the notification itself
   never waits for it. No transaction is open while the mail server is talked to.

Jobs run at least once: a worker that dies between the send and the job's completion sends
that mail again.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from application.contracts.identity import MailContacts
from application.contracts.notifications import NotificationMailRequested
from application.notifications.ports import NotificationsUnitOfWork
from application.shared.handlers import EventHandler
from application.shared.integration import Delivery
from application.shared.jobs import JobQueue
from application.shared.mail import EmailMessage, Mailer, MailRenderer

MAIL_JOB = "notifications.send_mail"


def mail_job_key(notification_id: UUID) -> str:
    return f"notifications.mail:{notification_id}"


def mail_job_payload(event: NotificationMailRequested) -> dict[str, Any]:
    return {"notification_id": str(event.notification_id), "user_id": str(event.user_id)}


class QueueNotificationMail(EventHandler[NotificationMailRequested, NotificationsUnitOfWork]):
    def __init__(self, uow: NotificationsUnitOfWork, queue: JobQueue) -> None:
        super().__init__(uow)
        self._queue = queue

    async def handle(
        self,
        event: NotificationMailRequested,
        uow: NotificationsUnitOfWork,
        delivery: Delivery[NotificationMailRequested],
    ) -> None:
        await self._queue.enqueue(
            MAIL_JOB, mail_job_payload(event), key=mail_job_key(event.notification_id)
        )


class SendNotificationMail:
    """The job's work: one notification's mail, if its user accepts mail."""

    def __init__(
        self,
        uow: NotificationsUnitOfWork,
        contacts: MailContacts,
        mailer: Mailer,
        renderer: MailRenderer,
        app_url: str = "",
    ) -> None:
        self._uow, self._contacts, self._mailer, self._renderer = uow, contacts, mailer, renderer
        self._app_url = app_url.rstrip("/")

    async def __call__(self, notification_id: UUID, user_id: UUID) -> bool:
        """True when a mail was handed to the mail server; False when there is nothing to
        send (no such notification, no such or inactive user, e-mail turned off)."""
        async with self._uow as uow:
            notification = await uow.notifications.get(notification_id)
        if notification is None or notification.user_id != user_id:
            return False
        contact = await self._contacts.mail_contact(user_id)
        if contact is None or not contact.is_active or not contact.notification_email:
            return False
        mail = self._renderer.render(
            {
                "name": contact.name,
                "title": notification.title,
                "message": notification.message,
                "level": notification.level.value,
                "created_at": notification.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                "data": notification.data,
                "app_url": self._app_url,
            }
        )
        await self._mailer.send(
            EmailMessage(to=contact.email, subject=mail.subject, text=mail.text, html=mail.html)
        )
        return True
