"""Media e2e fixtures: each test on the embedded profile (SQLite file, memory cache) and the
production profile (PostgreSQL + Redis), with a workshop of users of every role."""

from __future__ import annotations

import pytest

from tests.e2e.identity import conftest as identity
from tests.e2e.identity.support import Api
from tests.e2e.maintenance.support import Workshop

profile = identity.profile
settings_factory = identity.settings_factory
api_factory = identity.api_factory
api = identity.api


@pytest.fixture
async def shop(api: Api) -> Workshop:
    return await Workshop.open(api)
