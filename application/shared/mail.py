"""The Mailer port: e-mail out of the service (password resets, notifications).

Adapters: ``adapters/mail/`` (console, memory, SMTP with aiosmtplib). ``send`` raises
``DependencyUnavailable`` when the message could not be handed to the mail server; callers
that must not lose a mail send it from a job with retries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str | None = None


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Deliver or queue the message; raise ``DependencyUnavailable`` when it cannot."""
        ...


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    text: str
    html: str


class MailRenderer(Protocol):
    """Turns a context into a mail's subject and bodies (templates: ``adapters/mail``)."""

    def render(self, context: Mapping[str, Any]) -> RenderedMail: ...
