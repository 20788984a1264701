"""The notification mail: rendered from templates, sent by a retried job.

``SendNotificationMail`` handles ``NotificationMailRequested`` (a delivery job: retried with
backoff while the mail server is down, then parked in the dead letters, from where
``atelier events replay`` sends it again). No transaction is open while the mail server is
talked to: a first short one looks whether the event was handled already (a claim it rolls
back) and reads the notification; the mail is sent; a second one records the claim. A
failed send records nothing, so the retry sends it; only a crash between the send and the
record sends it twice (at least once, never lost).

The bodies (plain text and HTML) come from a ``MailRenderer`` (Jinja2 templates shipped with
the package, ``templates/``); the recipient and their choice from identity's published
``MailContacts`` port.
"""

from __future__ import annotations

from collections.abc import Sequence

from application.contracts.identity import MailContacts
from application.contracts.notifications import NotificationMailRequested
from application.notifications.ports import NotificationsUnitOfWork
from application.shared.handlers import EventHandler
from application.shared.integration import Delivery
from application.shared.mail import EmailMessage, Mailer, MailRenderer


class SendNotificationMail(EventHandler[NotificationMailRequested, NotificationsUnitOfWork]):
    def __init__(
        self,
        uow: NotificationsUnitOfWork,
        contacts: MailContacts,
        mailer: Mailer,
        renderer: MailRenderer,
        app_url: str = "",
    ) -> None:
        super().__init__(uow)
        self._contacts, self._mailer, self._renderer = contacts, mailer, renderer
        self._app_url = app_url.rstrip("/")

    async def __call__(self, delivery: Delivery[NotificationMailRequested]) -> None:
        event = delivery.event
        # read, then send, then record: no transaction is open while another module's port
        # is asked or while the mail server is (SQLite has one writer)
        async with self._uow as uow:  # rolled back: a look only
            if not await uow.inbox.claim(delivery.event_id, delivery.handler):
                return  # mailed before
            notification = await uow.notifications.get(event.notification_id)
        contact = await self._contacts.mail_contact(event.user_id)
        if (
            notification is not None
            and contact is not None
            and contact.is_active
            and contact.notification_email
        ):
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
        async with self._uow as uow:
            if await uow.inbox.claim(delivery.event_id, delivery.handler):
                await uow.commit()

    async def handle_all(self, deliveries: Sequence[Delivery[NotificationMailRequested]]) -> None:
        for delivery in deliveries:  # each mail on its own (a failure retries the others'
            await self(delivery)  # deliveries, which find their claims: no second mail)
