"""The SMTP adapter (aiosmtplib) against real servers the test starts: an aiosmtpd server
receives both bodies; a stopped server and a server that accepts the connection but never
answers are ``DependencyUnavailable`` within the configured timeout."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from adapters.mail.rendering import JinjaMailRenderer
from adapters.mail.smtp import SmtpMailer, SmtpSettings
from application.shared.mail import EmailMessage
from domain.shared.errors import DependencyUnavailable
from tests.support.smtp import SmtpSink


def mailer(port: int, timeout: float = 2.0) -> SmtpMailer:
    return SmtpMailer(
        SmtpSettings(
            host="127.0.0.1",
            port=port,
            sender="Atelier <atelier@example.test>",
            starttls=False,
            timeout_seconds=timeout,
        )
    )


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    yield server
    server.stop()


async def test_both_bodies_arrive(sink: SmtpSink) -> None:
    rendered = JinjaMailRenderer().render(
        {
            "name": "Zoë Ångström",
            "title": "Equipment down",
            "message": "Press <P-12> is down.",
            "level": "error",
            "created_at": "2026-05-04 09:30 UTC",
            "data": {},
            "app_url": "https://atelier.example.test",
        }
    )
    message = EmailMessage(
        to="zoe@example.test", subject=rendered.subject, text=rendered.text, html=rendered.html
    )
    await mailer(sink.port).send(message)
    received = await asyncio.to_thread(sink.wait_for, "zoe@example.test", 5.0)
    assert received["Subject"] == "[Atelier] Equipment down"
    assert received.get_content_type() == "multipart/alternative"
    plain = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert plain is not None
    assert html is not None
    assert "Press <P-12> is down." in plain.get_content()
    assert "Zoë Ångström" in plain.get_content()
    assert "Press &lt;P-12&gt; is down." in html.get_content()
    assert "https://atelier.example.test" in html.get_content()


async def test_stopped_server_is_unavailable() -> None:
    stopped = SmtpSink()  # never started: nothing listens on its port
    with pytest.raises(DependencyUnavailable):
        await mailer(stopped.port).send(EmailMessage(to="a@example.test", subject="s", text="t"))


async def test_silent_server_is_unavailable_within_the_timeout() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []

    def accept() -> None:  # accepts, then never says a word
        with contextlib.suppress(OSError):
            accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    began = time.monotonic()
    try:
        with pytest.raises(DependencyUnavailable):
            await mailer(listener.getsockname()[1], timeout=0.5).send(
                EmailMessage(to="a@example.test", subject="s", text="t")
            )
        assert time.monotonic() - began < 3
    finally:
        listener.close()
        for connection in accepted:
            connection.close()
