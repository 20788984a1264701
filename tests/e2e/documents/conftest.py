"""Documents e2e fixtures: the maintenance workshop on both profiles, with real storage:
a local folder on the embedded profile, the S3 (moto) server on the production profile,
and a configured key ring in production (it refuses to run without one)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from adapters.security.document_cipher import generate_key
from tests.e2e.identity import conftest as identity
from tests.e2e.identity.support import Api
from tests.e2e.maintenance.support import Workshop

profile = identity.profile
settings_factory = identity.settings_factory
api_factory = identity.api_factory

PRODUCTION_KEY = f"prod1={generate_key()}"


def storage_overrides(profile: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    if profile == "embedded":
        return {"storage": "local"}
    return {
        "storage": "s3",
        "s3_endpoint_url": request.getfixturevalue("s3_endpoint"),
        "s3_bucket": f"atelier-docs-{uuid.uuid4().hex[:10]}",
        "s3_create_bucket": True,
        "s3_access_key_id": "testing",
        "s3_secret_access_key": "testing",
        "document_keys": [PRODUCTION_KEY],
    }


@pytest.fixture
async def api(api_factory: Any, profile: str, request: pytest.FixtureRequest) -> Api:
    return await api_factory(**storage_overrides(profile, request))  # type: ignore[no-any-return]


@pytest.fixture
async def shop(api: Api) -> Workshop:
    return await Workshop.open(api)
