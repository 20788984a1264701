"""A mailer that writes messages to the log (development: no SMTP server needed)."""

from __future__ import annotations

import logging

from application.shared.mail import EmailMessage, Mailer


class ConsoleMailer(Mailer):
    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or logging.getLogger("atelier.mail")

    async def send(self, message: EmailMessage) -> None:
        self._log.info(
            "mail to %s: %s\n%s",
            message.to,
            message.subject,
            message.text,
            extra={"mail_to": message.to, "mail_subject": message.subject},
        )
