"""The HTTP edge on an explicitly configured container: through Litestar's test client, or,
when ``ATELIER_TEST_SERVER`` names a server (``nox -s e2e`` runs the tier once per server),
through that server on a free port of this machine (``tests/support/live_server.py``).

Settings come from ``load_settings({}, env_file=<none>, ...)``: the process environment and
any ``.env`` file are ignored, and nothing mutates ``os.environ``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.bootstrap.container import Container, build_container
from entrypoints.bootstrap.settings import load_settings
from entrypoints.http.app import create_app
from tests.e2e.probes import PROBE_HANDLERS
from tests.support.live_server import http_client

ClientFactory = Callable[..., Awaitable[AsyncTestClient[Any]]]


def make_container(tmp_path: Path, **overrides: Any) -> Container:
    options: dict[str, Any] = {
        "profile": "embedded",
        "data_dir": str(tmp_path),
        "persistence": "memory",
        "cache": "memory",
        "storage": "memory",
        "log_json": True,
    }
    options.update(overrides)
    settings = load_settings({}, env_file=tmp_path / "no.env", **options)
    return build_container(settings)


@pytest.fixture
async def client_factory(tmp_path: Path) -> AsyncIterator[ClientFactory]:
    """Build a client for a container configured with ``overrides`` (and optional container
    provider overrides applied by ``prepare``)."""
    async with AsyncExitStack() as opened:

        async def factory(
            *,
            prepare: Callable[[Container], None] | None = None,
            handlers: Sequence[Any] = PROBE_HANDLERS,
            **overrides: Any,
        ) -> AsyncTestClient[Any]:
            container = make_container(tmp_path, **overrides)
            if prepare is not None:
                prepare(container)
            app = create_app(container, extra_route_handlers=handlers)
            client: AsyncTestClient[Any] = await opened.enter_async_context(http_client(app))
            return client

        yield factory


@pytest.fixture
async def client(client_factory: ClientFactory) -> AsyncTestClient[Any]:
    return await client_factory()
