"""A mailer that keeps what it sends (tests, the embedded profile's demos)."""

from __future__ import annotations

from application.shared.mail import EmailMessage, Mailer


class MemoryMailer(Mailer):
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        self.sent.append(message)
