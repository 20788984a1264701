"""How controllers get what they need: ``Provide`` functions that call the container.

Handlers never see the container or adapters; they declare a use case parameter and a
``Provide`` function builds it from the container stored in ``app.state`` (dependency-injector's
``@inject`` is not used: it hides the signature Litestar inspects). Pattern for a module::

    # entrypoints/http/identity/dependencies.py
    def provide_register(request: Request) -> RegisterUser:
        c = container_of(request)
        return RegisterUser(uow=c.uow(), hasher=c.password_hasher(), clock=c.clock())

    class UsersController(Controller):
        path = "/users"
        dependencies = {"register": Provide(provide_register, sync_to_thread=False)}

        @post("/")
        async def create(self, data: UserCreate, register: RegisterUser) -> UserRead: ...

Keep the use case types importable at module level (no ``TYPE_CHECKING`` blocks) so
Litestar can resolve the signatures.
"""

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
