"""Maintenance e2e fixtures: the identity e2e fixtures (each test on the embedded profile,
SQLite file + memory cache, and on the production profile, PostgreSQL + Redis with a key
prefix of its own), plus a :class:`Workshop` with a manager, a technician and a client."""

from __future__ import annotations

import pytest

from tests.e2e.identity import conftest as identity
from tests.e2e.identity.support import Api
from tests.e2e.maintenance.support import Workshop

# The identity e2e fixtures, shared (pytest finds fixtures among a conftest's attributes).
profile = identity.profile
settings_factory = identity.settings_factory
api_factory = identity.api_factory
api = identity.api


@pytest.fixture
async def shop(api: Api) -> Workshop:
    return await Workshop.open(api)
