"""``JinjaMailRenderer``: notification mails from the Jinja2 templates shipped in
``adapters/mail/templates/`` (package data): a plain-text and an HTML body (autoescaped)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2

from application.shared.mail import MailRenderer, RenderedMail

SUBJECT_PREFIX = "[Atelier] "


class JinjaMailRenderer(MailRenderer):
    def __init__(self, template: str = "notification") -> None:
        environment = jinja2.Environment(
            loader=jinja2.PackageLoader("adapters.mail", "templates"),
            autoescape=jinja2.select_autoescape(["html"], default_for_string=False),
            undefined=jinja2.StrictUndefined,
        )
        self._html = environment.get_template(f"{template}.html")
        self._text = environment.get_template(f"{template}.txt")  # plain text: not escaped

    def render(self, context: Mapping[str, Any]) -> RenderedMail:
        subject = " ".join(f"{SUBJECT_PREFIX}{context['title']}".split())
        return RenderedMail(
            subject=subject,
            text=self._text.render(context),
            html=self._html.render(context),
        )
