"""SMTP delivery with the standard library, off the event loop."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, make_msgid

from application.identity.ports import EmailMessage, Mailer
from domain.shared.errors import DependencyUnavailable


@dataclass(frozen=True, slots=True, kw_only=True)
class SmtpSettings:
    host: str
    port: int = 587
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True
    use_ssl: bool = False
    """Implicit TLS (port 465); ``starttls`` is then ignored."""
    timeout_seconds: float = 10.0


class SmtpMailer(Mailer):
    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    def _build(self, message: EmailMessage) -> MimeMessage:
        mime = MimeMessage()
        mime["From"] = self._settings.sender
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime["Date"] = formatdate(localtime=False, usegmt=True)
        mime["Message-ID"] = make_msgid()
        mime.set_content(message.text)
        if message.html is not None:
            mime.add_alternative(message.html, subtype="html")
        return mime

    def _send_blocking(self, mime: MimeMessage) -> None:
        s = self._settings
        with self._connect() as smtp:
            if not s.use_ssl and s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password or "")
            smtp.send_message(mime)

    async def send(self, message: EmailMessage) -> None:
        mime = self._build(message)
        try:
            await asyncio.to_thread(self._send_blocking, mime)
        except (smtplib.SMTPException, OSError) as exc:
            raise DependencyUnavailable("The mail server did not accept the message.") from exc

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        if s.use_ssl:
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds, context=context)
        return smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)

    async def ping(self) -> None:
        def _noop() -> None:
            with self._connect() as smtp:
                smtp.noop()

        await asyncio.to_thread(_noop)
