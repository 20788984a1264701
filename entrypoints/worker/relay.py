"""Running the outbox relay: as soon as events are committed, and at least every poll.

``RelayRunner.run`` loops: relay one batch; a full batch is followed at once by the next;
otherwise it waits for a wake-up (``InProcessSignal``: a commit in this process; on
PostgreSQL also ``NOTIFY atelier_outbox`` from any process, via ``PostgresNotifications``)
or for ``poll_seconds``. A failure (the database or the queue is down) is logged and retried
with a growing pause, never lost: the events stay in the outbox until a batch commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from adapters.events.signal import InProcessSignal, PostgresNotifications
from application.shared.relay import OutboxRelay

log = logging.getLogger("atelier.events")

MAX_BACKOFF_SECONDS = 10.0
LISTENER_STOP_SECONDS = 2.0


class RelayRunner:
    def __init__(
        self,
        relay: OutboxRelay,
        signal: InProcessSignal,
        *,
        poll_seconds: float = 1.0,
        notifications: PostgresNotifications | None = None,
    ) -> None:
        self._relay = relay
        self._signal = signal
        self._poll = poll_seconds
        self._notifications = notifications

    async def run(self, stop: asyncio.Event) -> None:
        listener = (
            asyncio.create_task(self._notifications.run(stop), name="atelier-outbox-listen")
            if self._notifications is not None
            else None
        )
        backoff = 0.0
        try:
            while not stop.is_set():
                try:
                    result = await self._relay.relay_once()
                except Exception:
                    backoff = min(MAX_BACKOFF_SECONDS, max(0.2, backoff * 2))
                    log.warning("outbox relay failed; retrying in %.1f s", backoff, exc_info=True)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), backoff)
                    continue
                backoff = 0.0
                if result.claimed >= self._relay.batch_size:
                    continue
                await self._wait(stop)
        finally:
            if listener is not None:
                # The listener sees ``stop`` within its notification wait; cancelling it
                # instead would make psycopg cancel the wait on the server (up to 5 s).
                if not stop.is_set():
                    listener.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(listener, LISTENER_STOP_SECONDS)

    async def _wait(self, stop: asyncio.Event) -> None:
        """Until a commit signals, ``stop`` is set or the poll interval ends."""
        waits = [
            asyncio.ensure_future(self._signal.wait(self._poll)),
            asyncio.ensure_future(stop.wait()),
        ]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waits:
                waiter.cancel()
