"""Waking the relay: in process after a commit, and across processes with LISTEN/NOTIFY.

``InProcessSignal`` is the ``OutboxSignal`` the units of work call after a commit that wrote
integration events; a relay in the same process wakes at once. On PostgreSQL the outbox's
insert trigger sends ``NOTIFY atelier_outbox``, which ``PostgresNotifications`` listens to on
a connection of its own, so a relay in another process (another machine) wakes at the commit
too. Without either, the relay polls (``ATELIER_RELAY_POLL_SECONDS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from application.shared.uow import OutboxSignal

log = logging.getLogger("atelier.events")
NOTIFY_WAIT_SECONDS = 0.5
"""How long the listener waits for a notification before it looks at ``stop`` again."""


class InProcessSignal(OutboxSignal):
    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> bool:
        """True when notified (the notification is consumed), False after ``seconds``."""
        try:
            await asyncio.wait_for(self._event.wait(), seconds)
        except TimeoutError:
            return False
        self._event.clear()
        return True


class PostgresNotifications:
    """``LISTEN atelier_outbox`` on a dedicated autocommit connection (reconnected on
    failure); every notification sets the in-process signal."""

    def __init__(
        self,
        url: str,
        signal: InProcessSignal,
        *,
        channel: str = "atelier_outbox",
        connect_timeout: float = 5.0,
        retry_seconds: float = 2.0,
    ) -> None:
        self._url = url.replace("postgresql+psycopg://", "postgresql://", 1)
        self._signal = signal
        self._channel = channel
        self._connect_timeout = connect_timeout
        self._retry_seconds = retry_seconds

    async def run(self, stop: asyncio.Event) -> None:
        import psycopg

        while not stop.is_set():
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self._url,
                    autocommit=True,
                    connect_timeout=max(2, int(self._connect_timeout)),
                )
            except Exception as exc:  # noqa: BLE001 - the relay still polls; try again later
                log.warning("outbox listener cannot connect: %s", type(exc).__name__)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._retry_seconds)
                continue
            try:
                await conn.execute(f"LISTEN {self._channel}")
                self._signal.notify()  # events committed while we were not listening
                while not stop.is_set():
                    async for _ in conn.notifies(timeout=NOTIFY_WAIT_SECONDS):
                        self._signal.notify()
            except Exception as exc:  # noqa: BLE001 - reconnect; the relay polls meanwhile
                log.warning("outbox listener lost its connection: %s", type(exc).__name__)
            finally:
                with contextlib.suppress(Exception):
                    await conn.close()
