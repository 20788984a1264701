"""Shortcuts of the AI jobs e2e tests."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

API = "/api/v1"
FINISHED = {"completed", "failed", "cancelled"}


async def wait_finished(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], *, within: float = 20.0
) -> dict[str, Any]:
    """Poll ``path`` until the job is finished; its last representation."""
    deadline = time.monotonic() + within
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        if body["status"] in FINISHED:
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} still {body.get('status')} after {within} s: {body}")
