"""What the HTTP provider adapters share: bounded calls, retries with backoff, and the
mapping of transport failures and status codes to the provider errors of the port."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from application.jobs.ports import ProviderFailed, ProviderUnavailable

RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})


def message_of(response: httpx.Response) -> str:
    """A short readable reason from an error answer (JSON ``error``/``detail`` or text)."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("error", "detail", "message"):
            if isinstance(body.get(key), str):
                return str(body[key])[:300]
    return (response.text or response.reason_phrase or "")[:300].strip()


async def call(
    send: Callable[[], Awaitable[httpx.Response]],
    *,
    what: str,
    attempts: int = 3,
    backoff_seconds: float = 0.5,
) -> httpx.Response:
    """``send()`` until it answers something other than a passing failure (timeouts,
    connection errors, 408/425/429/5xx), at most ``attempts`` times with jittered backoff;
    then ``ProviderUnavailable``. A 4xx answer is ``ProviderFailed`` with its reason."""
    reason = ""
    for attempt in range(1, attempts + 1):
        try:
            response = await send()
        except httpx.TimeoutException:
            reason = f"{what}: no answer in time"
        except httpx.TransportError as exc:
            reason = f"{what}: {type(exc).__name__}"
        else:
            if response.status_code < 400:
                return response
            if response.status_code not in RETRYABLE:
                detail = message_of(response)
                suffix = f": {detail}" if detail else ""
                raise ProviderFailed(f"{what} was refused ({response.status_code}){suffix}")
            reason = f"{what}: answered {response.status_code}"
            retry_after = response.headers.get("retry-after", "")
            if retry_after.isdigit() and attempt < attempts:
                await asyncio.sleep(min(float(retry_after), 30.0))
                continue
        if attempt < attempts:
            ceiling = backoff_seconds * 2 ** (attempt - 1)
            await asyncio.sleep(random.uniform(ceiling / 2, ceiling))  # noqa: S311 - jitter
    raise ProviderUnavailable(reason)
