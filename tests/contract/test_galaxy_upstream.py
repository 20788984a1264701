"""The httpx Galaxy adapter against the local fake Galaxy: the v3 documents normalised,
retries on 5xx and connection errors, timeouts, a 404, answers that are not the expected
document."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from adapters.automation.galaxy import HttpxGalaxyUpstream
from application.automation.ports import UpstreamUnavailable
from domain.shared.errors import NotFound
from tests.support.fake_galaxy import INDEX, GalaxyServer, running_galaxy


@pytest.fixture
def galaxy() -> Iterator[GalaxyServer]:
    with running_galaxy() as server:
        yield server


def _client(url: str, *, retries: int = 1, timeout: float = 0.5) -> HttpxGalaxyUpstream:
    return HttpxGalaxyUpstream(
        url, connect_timeout_seconds=timeout, read_timeout_seconds=timeout, retries=retries
    )


async def test_documents_are_normalised(galaxy: GalaxyServer) -> None:
    client = _client(galaxy.url)
    try:
        page = await client.namespaces(q="ns00", limit=3, offset=2)
        assert page["total"] == 10
        assert [n["name"] for n in page["items"]] == ["ns002", "ns003", "ns004"]
        assert set(page["items"][0]) == {"name", "company", "description", "avatar_url"}
        collections = await client.collections("community", q=None, limit=50, offset=0)
        assert collections["items"][0] == {
            "namespace": "community",
            "name": "community_tools",
            "latest_version": "1.2.3",
            "deprecated": False,
            "download_count": 9000 + len("community_tools"),
            "created_at": "2024-01-02T03:04:05.000000Z",
            "updated_at": "2026-11-01T00:00:00.000000Z",
        }
        detail = await client.collection("community", "general")
        assert detail["modules"] == [
            {"name": "ping", "description": "Ping"},
            {"name": "copy", "description": "Copy"},
        ]
        assert detail["tags"] == ["tools", "linux"]
        with pytest.raises(NotFound):
            await client.collection("community", "missing")
    finally:
        await client.aclose()


async def test_5xx_is_retried_then_unavailable(galaxy: GalaxyServer) -> None:
    client = _client(galaxy.url, retries=2)
    galaxy.app.status = 502
    try:
        with pytest.raises(UpstreamUnavailable):
            await client.collections("ansible", q=None, limit=5, offset=0)
        assert galaxy.app.calls[INDEX] == 3
        galaxy.app.status = 400
        with pytest.raises(UpstreamUnavailable):
            await client.collections("ansible", q=None, limit=5, offset=0)
        assert galaxy.app.calls[INDEX] == 4  # a 4xx is not retried
    finally:
        await client.aclose()


async def test_timeouts_and_refused_connections_are_bounded(galaxy: GalaxyServer) -> None:
    client = _client(galaxy.url, retries=1, timeout=0.3)
    galaxy.app.delay = 2.0
    try:
        started = time.monotonic()
        with pytest.raises(UpstreamUnavailable):
            await client.namespaces(q=None, limit=5, offset=0)
        assert time.monotonic() - started < 1.5  # two attempts of 0.3 s and a short backoff
    finally:
        await client.aclose()
    galaxy.stop()
    down = _client(galaxy.url, retries=1)
    try:
        started = time.monotonic()
        with pytest.raises(UpstreamUnavailable):
            await down.namespaces(q=None, limit=5, offset=0)
        assert time.monotonic() - started < 1.5
    finally:
        await down.aclose()


@pytest.mark.parametrize("raw", [b"<html>maintenance</html>", b'{"data": 5}', b"[1, 2]", b""])
async def test_answers_that_are_not_the_document(galaxy: GalaxyServer, raw: bytes) -> None:
    client = _client(galaxy.url)
    galaxy.app.raw = raw
    try:
        with pytest.raises(UpstreamUnavailable):
            await client.namespaces(q=None, limit=5, offset=0)
    finally:
        await client.aclose()


async def test_no_url_is_unavailable() -> None:
    client = _client("")
    try:
        with pytest.raises(UpstreamUnavailable):
            await client.namespaces(q=None, limit=5, offset=0)
    finally:
        await client.aclose()
