"""Which ASGI server the tiers that run ``atelier serve`` use: ``ATELIER_TEST_SERVER``
(``uvicorn`` or ``granian``; unset: the settings' default). ``nox -s e2e`` and ``nox -s
faults`` run once per server."""

from __future__ import annotations

import os

SERVER = os.environ.get("ATELIER_TEST_SERVER", "")


def server_env() -> dict[str, str]:
    """The variables that make ``atelier serve`` use the chosen server."""
    return {"ATELIER_SERVER": SERVER} if SERVER else {}


def chosen_server() -> str:
    """The server ``atelier serve`` runs under in this test run."""
    if SERVER:
        return SERVER
    from entrypoints.bootstrap.settings import Settings

    return str(Settings().server)
