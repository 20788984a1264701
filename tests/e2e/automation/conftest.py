"""Automation e2e fixtures: each test on the embedded profile (SQLite file, memory cache) and
on the production profile (PostgreSQL + Redis), with users of each role logged in."""

from __future__ import annotations

import pytest

from tests.e2e.automation.support import Desk
from tests.e2e.identity import conftest as identity
from tests.e2e.identity.support import Api

profile = identity.profile
settings_factory = identity.settings_factory
api_factory = identity.api_factory
api = identity.api


@pytest.fixture
async def desk(api: Api) -> Desk:
    return await Desk.open(api)
