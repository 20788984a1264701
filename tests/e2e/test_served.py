"""The tier's requests go through the server ``ATELIER_TEST_SERVER`` names (``nox -s e2e``
names each in turn), over TCP; with none named, through Litestar's test client in process."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.support.server_choice import SERVER


async def test_requests_go_through_the_named_server(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert ("network_stream" in response.extensions) == bool(SERVER)  # a socket, or none
    if SERVER:
        assert response.headers.get("server") == SERVER
