"""The OpenAPI document and its viewers work without the internet."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


async def test_openapi_document(client: AsyncTestClient[Any]) -> None:
    for path in ("/schema", "/schema/openapi.json"):
        response = await client.get(path)
        assert response.status_code == 200
        document = response.json()
        assert document["openapi"].startswith("3.")
        assert document["info"]["title"] == "Atelier API"
        assert "/health/ready" in document["paths"]
        assert "/api/v1/_probe" in document["paths"]
        probe_answers = document["paths"]["/api/v1/_probe"]["post"]["responses"]
        assert "application/problem+json" in probe_answers["415"]["content"]
        schemes = document["components"]["securitySchemes"]
        assert schemes["BearerToken"]["scheme"] == "bearer"


@pytest.mark.parametrize("page", ["/schema/swagger", "/schema/redoc"])
async def test_viewers_load_only_local_assets(client: AsyncTestClient[Any], page: str) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert not EXTERNAL.search(html), EXTERNAL.findall(html)
    assert "fonts.googleapis" not in html
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html)
    assert assets, "the viewer must reference its vendored assets"
    for asset in assets:
        served = await client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 10_000
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "http" not in csp  # no external origin is allowed


async def test_swagger_does_not_call_the_online_validator(client: AsyncTestClient[Any]) -> None:
    html = (await client.get("/schema/swagger")).text
    assert "validatorUrl: null" in html


async def test_vendored_licences_are_served(client: AsyncTestClient[Any]) -> None:
    for path in ("/static/vendor/swagger-ui/LICENSE", "/static/vendor/redoc/LICENSE"):
        assert (await client.get(path)).status_code == 200


async def test_static_path_traversal_is_refused(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/static/../errors.py")
    assert response.status_code in {400, 404}
    assert "PROBLEM_JSON" not in response.text


async def test_docs_can_be_disabled(client_factory: Any) -> None:
    client = await client_factory(docs_enabled=False)
    assert (await client.get("/schema/swagger")).status_code == 404
    assert (await client.get("/static/vendor/redoc/LICENSE")).status_code == 404
