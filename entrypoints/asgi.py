"""ASGI factory for servers: ``uvicorn --factory entrypoints.asgi:app_factory``.

Every worker process reads the settings and builds its own container and app.
"""

from __future__ import annotations

from litestar import Litestar

from entrypoints.bootstrap.container import build_container
from entrypoints.bootstrap.settings import load_settings
from entrypoints.http.app import create_app


def app_factory() -> Litestar:
    settings = load_settings()
    return create_app(build_container(settings), serving=True)
