"""A real HTTP/WebSocket server for an app, in the test's event loop, on a free port.

WebSocket tests need a real server: Litestar's test client runs sockets in a thread, and a
slow reader or a second instance only behaves like one over real TCP. The e2e tier runs
its HTTP tests through one too when ``ATELIER_TEST_SERVER`` names a server (``nox -s e2e``
does, once per server): what a server does to a request or an answer (headers, ``HEAD``,
streamed bodies, the client's address) is then part of every test.

The server is the tier's (``server_choice.chosen_server``) unless one is named: uvicorn's
``Server`` or granian's embedded server, both in this event loop, the app's lifespan run by
the server as ``atelier serve`` runs it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import httpx

from tests.support.server_choice import SERVER, chosen_server
from tests.support.services import free_port

START_SECONDS, STOP_SECONDS = 20.0, 10.0
#: The served client's timeout: no test's request waits on purpose, but the machine may be busy.
SERVED_TIMEOUT_SECONDS = 60.0


@asynccontextmanager
async def live_server(app: Any, server: str | None = None) -> AsyncIterator[str]:
    """Serve ``app`` (with its lifespan) until the block ends; yields ``127.0.0.1:<port>``."""
    kind = server or chosen_server()
    serving = {"uvicorn": _uvicorn, "granian": _granian}[kind]
    async with serving(app, free_port()) as address:
        yield address


@asynccontextmanager
async def _uvicorn(app: Any, port: int) -> AsyncIterator[str]:
    import uvicorn

    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="websockets"
    )
    server = uvicorn.Server(config)

    def stop() -> None:
        server.should_exit = True

    async with _running(server.serve(), port, lambda: bool(server.started), stop) as address:
        yield address


@asynccontextmanager
async def _granian(app: Any, port: int) -> AsyncIterator[str]:
    from granian.constants import Interfaces
    from granian.server.embed import Server

    server: Any = Server(  # granian's own methods carry no annotations
        app, address="127.0.0.1", port=port, interface=Interfaces.ASGI, log_enabled=False
    )
    # the socket is bound before the worker is spawned; the worker accepts once the app's
    # lifespan start-up has run, and a request sent before waits in the backlog
    async with _running(
        server.serve(),
        port,
        started=lambda: bool(server.wrks),
        stop=server.signal_handler_interrupt,
    ) as address:
        yield address


@asynccontextmanager
async def _running(
    serve: Coroutine[Any, Any, Any], port: int, started: Callable[[], bool], stop: Callable[[], Any]
) -> AsyncIterator[str]:
    """Run ``serve`` as a task until the block ends: wait until ``started()`` says so (at
    most ``START_SECONDS``; a server that stopped first raises its error), then ``stop()``
    and wait for the task at most ``STOP_SECONDS``."""
    task = asyncio.create_task(serve)
    try:
        async with asyncio.timeout(START_SECONDS):
            while not started():
                if task.done():
                    task.result()
                    raise RuntimeError("the server stopped before it started")
                await asyncio.sleep(0.02)
        yield f"127.0.0.1:{port}"
    finally:
        stop()
        try:
            async with asyncio.timeout(STOP_SECONDS):
                await task
        except TimeoutError:
            task.cancel()


@asynccontextmanager
async def http_client(app: Any) -> AsyncIterator[Any]:
    """The e2e tier's client of ``app``: through the tier's server (``ATELIER_TEST_SERVER``)
    when one is named, else Litestar's test client (in process). The served client is set as
    the test client is (it follows redirects and names itself ``testclient``); the tests use
    only what both have."""
    if not SERVER:
        from litestar.testing import AsyncTestClient

        async with AsyncTestClient(app=app) as client:
            yield client
        return
    async with (
        live_server(app, SERVER) as address,
        httpx.AsyncClient(
            base_url=f"http://{address}",
            headers={"user-agent": "testclient"},
            follow_redirects=True,
            timeout=SERVED_TIMEOUT_SECONDS,
        ) as client,
    ):
        yield client
