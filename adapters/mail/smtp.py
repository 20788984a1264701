"""SMTP delivery with aiosmtplib (asyncio; every step bounded by a timeout).

A message with an HTML body is sent as ``multipart/alternative`` (the plain text first, then
the HTML). A server that cannot be reached, refuses the message or does not answer in time
is ``DependencyUnavailable``: the caller (a job with retries) tries again later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, make_msgid

import aiosmtplib

from application.shared.mail import EmailMessage, Mailer
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
    """Bound of each step: connecting, each command, sending the message."""


class SmtpMailer(Mailer):
    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    def _build(self, message: EmailMessage) -> MimeMessage:
        mime = MimeMessage()
        mime["From"] = self._settings.sender
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime["Date"] = formatdate(localtime=False, usegmt=True)
        mime["Message-ID"] = make_msgid(domain=self._settings.sender.rpartition("@")[2] or None)
        mime.set_content(message.text)
        if message.html is not None:
            mime.add_alternative(message.html, subtype="html")
        return mime

    def _client(self) -> aiosmtplib.SMTP:
        s = self._settings
        return aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            username=s.username or None,
            password=s.password or None,
            use_tls=s.use_ssl,
            start_tls=False if s.use_ssl else s.starttls,
            timeout=s.timeout_seconds,
        )

    async def send(self, message: EmailMessage) -> None:
        mime = self._build(message)
        try:
            async with self._client() as smtp:
                await smtp.send_message(mime)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise DependencyUnavailable(
                "The mail server did not accept the message.", code="mail_unavailable"
            ) from exc

    async def ping(self) -> None:
        async with self._client() as smtp:
            await smtp.noop()
