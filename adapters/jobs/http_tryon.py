"""The TryOnProvider port over a remote model service (httpx).

The service's protocol: ``POST {base}/v1/tryon`` with a multipart body (``person`` and
``garment`` files) answers ``202 {"id"}``; ``GET {base}/v1/tryon/{id}`` answers ``{"status":
"queued"|"running"|"completed"|"failed", "progress", "stage", "error"}``; ``GET
{base}/v1/tryon/{id}/result`` answers the PNG. Polling backs off as the transcription
adapter's does; passing failures (timeouts, 429, 5xx) are retried, then
``ProviderUnavailable``; a failed render or a 4xx is ``ProviderFailed`` with its reason. An
optional bearer token (``ATELIER_TRYON_API_KEY``) is sent, never logged.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from adapters.jobs.http_common import call
from application.jobs.ports import ProviderFailed, StageProgress, TryOnProvider


class HttpTryOnProvider(TryOnProvider):
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str = "",
        timeout_seconds: float = 30.0,
        poll_initial_seconds: float = 0.5,
        poll_max_seconds: float = 5.0,
        call_attempts: int = 3,
        backoff_seconds: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not base_url:
            raise ValueError("the remote try-on provider needs a base URL")
        self._base = base_url.rstrip("/")
        self._headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = httpx.Timeout(timeout_seconds, connect=min(5.0, timeout_seconds))
        self._poll_initial, self._poll_max = poll_initial_seconds, poll_max_seconds
        self._attempts, self._backoff = call_attempts, backoff_seconds
        self._transport = transport

    def __repr__(self) -> str:
        return f"HttpTryOnProvider(base_url={self._base!r})"

    async def _call(self, what: str, send: Any) -> httpx.Response:
        return await call(send, what=what, attempts=self._attempts, backoff_seconds=self._backoff)

    async def render(self, person: bytes, garment: bytes, progress: StageProgress) -> bytes:
        async with httpx.AsyncClient(
            base_url=self._base,
            timeout=self._timeout,
            headers=self._headers,
            transport=self._transport,
            follow_redirects=False,
        ) as client:
            await progress(10, "uploading")
            files = {
                "person": ("person", person, "application/octet-stream"),
                "garment": ("garment", garment, "application/octet-stream"),
            }
            response = await self._call(
                "sending the images", lambda: client.post("/v1/tryon", files=files)
            )
            job_id = _json(response).get("id")
            if not isinstance(job_id, str) or not job_id:
                raise ProviderFailed("the try-on service returned no job id")
            delay = self._poll_initial
            while True:
                body = _json(
                    await self._call(
                        "polling the try-on", lambda: client.get(f"/v1/tryon/{job_id}")
                    )
                )
                status = body.get("status")
                if status == "completed":
                    break
                if status == "failed":
                    raise ProviderFailed(str(body.get("error") or "no reason given")[:300])
                if status not in ("queued", "running"):
                    raise ProviderFailed(f"the try-on service reported {status!r}")
                remote = body.get("progress")
                percent = 15 + int(remote) * 70 // 100 if isinstance(remote, int) else 20
                await progress(min(85, percent), str(body.get("stage") or status)[:40])
                await asyncio.sleep(delay)
                delay = min(self._poll_max, delay * 1.5)
            await progress(90, "downloading")
            result = await self._call(
                "downloading the result", lambda: client.get(f"/v1/tryon/{job_id}/result")
            )
            return result.content


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ProviderFailed("the try-on service answered something unexpected")
    return body
