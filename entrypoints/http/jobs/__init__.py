"""The AI jobs module's HTTP edge: ``router`` (transcriptions, try-on)."""

from __future__ import annotations

from litestar import Router

from entrypoints.http.jobs.transcriptions import TranscriptionsController
from entrypoints.http.jobs.tryon import TryOnController

router = Router(path="/", route_handlers=[TranscriptionsController, TryOnController])

__all__ = ["router"]
