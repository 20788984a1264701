"""Where the HTTP app keeps the composition root: ``app.state.container``."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State

from application.shared.clock import Clock
from entrypoints.bootstrap.container import Container
from entrypoints.bootstrap.settings import Settings

CONTAINER_STATE_KEY = "container"


def container_of(request: Request[Any, Any, Any]) -> Container:
    container: Container = getattr(request.app.state, CONTAINER_STATE_KEY)
    return container


def provide_container(state: State) -> Container:
    """``Provide(provide_container, sync_to_thread=False)``: the composition root."""
    container: Container = getattr(state, CONTAINER_STATE_KEY)
    return container


def provide_settings(state: State) -> Settings:
    return provide_container(state).settings()


def provide_clock(state: State) -> Clock:
    """Example of a port resolved from the container."""
    clock: Clock = provide_container(state).clock()
    return clock
