"""``Provide`` functions building the identity use cases from the container."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import State
from litestar.di import Provide

from entrypoints.http.dependencies import provide_container


def use_case(name: str) -> Provide:
    """A dependency resolving ``container.identity.<name>()`` (a fresh use case per request)."""

    def provide(state: State) -> Any:
        return getattr(provide_container(state).identity, name)()

    provide.__name__ = f"provide_{name}"
    return Provide(provide, sync_to_thread=False)
