"""The documents module's HTTP edge: ``router``."""

from __future__ import annotations

from litestar import Router

from entrypoints.http.documents.controller import DocumentsController

router = Router(path="/", route_handlers=[DocumentsController])

__all__ = ["router"]
