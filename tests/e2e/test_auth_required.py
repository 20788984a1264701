"""Every API route needs a bearer token, except the few API.md names as public and the secret
calendar feed (its URL carries the credential: calendar apps cannot send a header)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from entrypoints.http.app import create_app
from tests.e2e.conftest import make_container
from tests.support.live_server import http_client

PUBLIC = {
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/password-reset"),
    ("POST", "/api/v1/auth/password-reset/confirm"),
    ("GET", "/api/v1/planning/feeds/{feed:str}"),
}


def _concrete(path: str) -> str:
    def fill(match: re.Match[str]) -> str:
        kind = match.group(2) or "str"
        return str(uuid.uuid4()) + (".ics" if kind == "str" else "")

    return re.sub(r"\{(\w+)(?::(\w+))?\}", fill, path)


async def test_every_private_route_answers_401_without_a_token(tmp_path: Path) -> None:
    app = create_app(make_container(tmp_path, rate_limit_enabled=False))
    routes: list[tuple[str, str]] = []
    for route in app.routes:
        if not route.path.startswith("/api/v1"):
            continue
        for method in sorted(getattr(route, "methods", ())):
            if method not in {"HEAD", "OPTIONS"}:
                routes.append((method, route.path))
    assert len(routes) > 40  # identity and maintenance are mounted
    async with http_client(app) as client:
        for method, path in routes:
            headers: dict[str, Any] = {"Content-Type": "application/json"}
            response = await client.request(method, _concrete(path), headers=headers, content=b"{}")
            if (method, path) in PUBLIC:
                assert response.status_code != 401 or path.endswith("/refresh"), (method, path)
                continue
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert response.headers["content-type"].startswith("application/problem+json")
