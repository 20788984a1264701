"""A real SMTP server for the tests (aiosmtpd, in a thread, on a port of the test's choice):
it keeps every message it receives, parsed; it can be stopped and started again on the same
port (a mail server that is down, then back)."""

from __future__ import annotations

import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.services import free_port


class _Keep:
    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._sink.lock:
            self._sink.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> SmtpSink:
        if self._controller is None:
            self._controller = Controller(_Keep(self), hostname="127.0.0.1", port=self.port)
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def wait_for(self, address: str, timeout: float = 20.0) -> EmailMessage:
        """The first message to ``address``, waiting up to ``timeout`` seconds (blocking:
        call it with ``asyncio.to_thread``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"no mail to {address} within {timeout} s")
