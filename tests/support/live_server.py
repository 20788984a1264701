"""A real HTTP/WebSocket server (uvicorn) for an app, in the test's event loop, on a free port.

WebSocket tests need a real server: Litestar's test client runs sockets in a thread, and a
slow reader or a second instance only behaves like one over real TCP.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from tests.support.services import free_port


@asynccontextmanager
async def live_server(app: Any) -> AsyncIterator[str]:
    """Serve ``app`` (with its lifespan) until the block ends; yields ``127.0.0.1:<port>``."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="websockets"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(20):
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("the server stopped before it started")
                await asyncio.sleep(0.02)
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        try:
            async with asyncio.timeout(10):
                await task
        except TimeoutError:
            task.cancel()
