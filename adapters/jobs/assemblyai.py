"""The AssemblyAI adapter of the TranscriptionProvider port (httpx).

The transcript's id is remembered on the job as soon as it is submitted: a run of the same
job after a worker died polls that transcript instead of paying for a second one.

Submit (``POST /v2/transcript`` with ``audio_url`` and, when given, ``language_code``), then
poll ``GET /v2/transcript/{id}`` with a growing interval (``poll_initial_seconds`` x 1.5 up to
``poll_max_seconds``) until ``completed`` or ``error``; the segments are the transcript's
sentences (``GET /v2/transcript/{id}/sentences``, milliseconds turned into seconds).

Their statuses map to progress: ``queued`` 5 %, ``processing`` rising towards 90 %,
``completed`` 100 %. Their ``error`` status is a final ``ProviderFailed`` with their reason;
a timeout, a connection error, 429 or 5xx is retried within the call (``call_attempts``),
then ``ProviderUnavailable`` (the job is retried by the queue). A 401/403 says the key was
refused, never the key itself: the key travels only in the ``authorization`` header and is
never logged or put in an error.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from adapters.jobs.http_common import call
from application.jobs.ports import (
    Progress,
    ProviderFailed,
    Remember,
    TranscriptionProvider,
    TranscriptResult,
)
from domain.jobs.transcription import Segment


class AssemblyAiTranscriptionProvider(TranscriptionProvider):
    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = "https://api.assemblyai.com",
        timeout_seconds: float = 10.0,
        poll_initial_seconds: float = 1.0,
        poll_max_seconds: float = 10.0,
        call_attempts: int = 3,
        backoff_seconds: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("the AssemblyAI provider needs an API key")
        self._api_key = api_key
        self._base = base_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout_seconds, connect=min(5.0, timeout_seconds))
        self._poll_initial, self._poll_max = poll_initial_seconds, poll_max_seconds
        self._attempts, self._backoff = call_attempts, backoff_seconds
        self._transport = transport

    def __repr__(self) -> str:  # never show the key
        return f"AssemblyAiTranscriptionProvider(base_url={self._base!r})"

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self._base,
            timeout=self._timeout,
            headers={"authorization": self._api_key},
            transport=self._transport,
            follow_redirects=False,
        )

    async def _json(self, client: httpx.AsyncClient, what: str, method: str, url: str,
                    **kwargs: Any) -> dict[str, Any]:  # fmt: skip
        response = await call(
            lambda: client.request(method, url, **kwargs),
            what=what,
            attempts=self._attempts,
            backoff_seconds=self._backoff,
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ProviderFailed(f"{what}: the service answered something unexpected")
        return body

    async def transcribe(
        self,
        source_url: str,
        language: str | None,
        progress: Progress,
        *,
        resume: str | None = None,
        remember: Remember | None = None,
    ) -> TranscriptResult:
        request: dict[str, Any] = {"audio_url": source_url}
        if language:
            request["language_code"] = language.replace("-", "_").lower()
        async with self._client() as client:
            transcript_id = resume
            if not transcript_id:  # a run after a crash follows the transcript it submitted
                submitted = await self._json(
                    client, "submitting the transcription", "POST", "/v2/transcript", json=request
                )
                transcript_id = submitted.get("id")
                if not isinstance(transcript_id, str) or not transcript_id:
                    raise ProviderFailed("the transcription service returned no transcript id")
                if remember is not None:
                    await remember(transcript_id)
            await progress(5)
            delay, percent = self._poll_initial, 5
            while True:
                body = await self._json(
                    client, "polling the transcription", "GET", f"/v2/transcript/{transcript_id}"
                )
                status = body.get("status")
                if status == "completed":
                    break
                if status == "error":
                    reason = str(body.get("error") or "no reason given")[:300]
                    raise ProviderFailed(reason)
                if status == "processing":
                    percent = max(percent, 10) + max(1, (90 - max(percent, 10)) // 4)
                elif status != "queued":
                    raise ProviderFailed(f"the transcription service reported {status!r}")
                await progress(min(90, percent))
                await asyncio.sleep(delay)
                delay = min(self._poll_max, delay * 1.5)
            segments = await self._sentences(client, transcript_id, body)
        await progress(99)
        return TranscriptResult(
            text=str(body.get("text") or ""),
            segments=segments,
            language=str(body.get("language_code") or language or "") or None,
        )

    async def _sentences(
        self, client: httpx.AsyncClient, transcript_id: str, body: dict[str, Any]
    ) -> list[Segment]:
        try:
            data = await self._json(
                client,
                "reading the transcript's sentences",
                "GET",
                f"/v2/transcript/{transcript_id}/sentences",
            )
            items = data.get("sentences") or []
        except ProviderFailed:
            items = []
        if not items and body.get("text"):
            words = body.get("words") or []
            start = words[0].get("start", 0) if words else 0
            end = words[-1].get("end", 0) if words else 0
            items = [{"start": start, "end": end, "text": body["text"]}]
        return [
            Segment(
                start=float(s.get("start") or 0) / 1000,
                end=float(s.get("end") or 0) / 1000,
                text=str(s.get("text") or ""),
            )
            for s in items
            if isinstance(s, dict)
        ]
