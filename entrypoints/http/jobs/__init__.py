"""The AI jobs module's HTTP edge: ``router`` (transcriptions, try-on and its socket)."""

from __future__ import annotations

from litestar import Router

from entrypoints.http.jobs.transcriptions import TranscriptionsController
from entrypoints.http.jobs.tryon import TryOnController
from entrypoints.http.jobs.tryon_socket import tryon_socket

router = Router(path="/", route_handlers=[TranscriptionsController, TryOnController, tryon_socket])

__all__ = ["router"]
