"""Notifications e2e fixtures: each test on the embedded profile (SQLite file, memory cache
and channels) and on the production profile (PostgreSQL, Redis: SAQ queue, cache, channels),
served by a real server (uvicorn) with the relay and the queue's worker in process, and a
real SMTP server (aiosmtpd) the test starts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.e2e.identity import conftest as identity
from tests.e2e.notifications.support import Live, open_live
from tests.support.smtp import SmtpSink

profile = identity.profile
settings_factory = identity.settings_factory


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
async def live(settings_factory: identity.SettingsFactory, smtp: SmtpSink) -> AsyncIterator[Live]:
    async with open_live(settings_factory, smtp) as live:
        yield live
