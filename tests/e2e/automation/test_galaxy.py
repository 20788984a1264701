"""The Galaxy catalogue over HTTP on both profiles, against a local fake Galaxy the tests
start: upstream up, slow, failing and down; the cache's headers, single flight, stale copies
and the preload/enrichment levels."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.automation.support import Desk
from tests.e2e.identity.support import Api
from tests.support.fake_galaxy import INDEX, FakeGalaxy, GalaxyServer, running_galaxy

NAMESPACES = "/api/v3/namespaces/"


@pytest.fixture
def galaxy() -> Iterator[GalaxyServer]:
    with running_galaxy() as server:
        yield server


async def _desk(api_factory: Any, galaxy: GalaxyServer, **overrides: Any) -> Desk:
    settings: dict[str, Any] = {
        "galaxy_url": galaxy.url,
        "galaxy_timeout_seconds": 0.5,
        "galaxy_connect_timeout_seconds": 0.5,
        "galaxy_retries": 1,
        "galaxy_enrich_per_minute": 600,
        **overrides,
    }
    api: Api = await api_factory(**settings)
    # the catalogue answers 503 on purpose here: keep only "never a 500" of the client's check
    api.client.event_hooks["response"] = [_never_500]
    return await Desk.open(api)


async def _never_500(response: Any) -> None:
    assert response.status_code in (200, 304, 400, 401, 404, 422, 503), response.status_code


async def test_browse_with_the_upstream_up(api_factory: Any, galaxy: GalaxyServer) -> None:
    desk = await _desk(api_factory, galaxy)
    first = await desk.call(desk.client_user, "GET", "/galaxy/namespaces", params={"limit": 5})
    assert first.status_code == 200, first.text
    assert first.headers["cache-status"] == "atelier; fwd=uri-miss; stored"
    assert first.headers["age"] == "0"
    page = first.json()
    assert page["limit"] == 5
    assert page["offset"] == 0
    assert page["total"] == len(galaxy.app.namespaces)
    assert [n["name"] for n in page["items"]] == galaxy.app.namespaces[:5]
    assert page["items"][0]["company"] == "Ansible Inc."
    again = await desk.call(desk.tech, "GET", "/galaxy/namespaces", params={"limit": 5})
    assert again.headers["cache-status"] == "atelier; hit"
    assert again.json() == page
    assert galaxy.app.calls[NAMESPACES] == 1

    searched = await desk.ok(desk.tech, "GET", "/galaxy/namespaces", params={"q": "ns01"})
    assert {n["name"] for n in searched["items"]} == {f"ns01{i}" for i in range(10)}

    collections = await desk.ok(desk.tech, "GET", "/galaxy/namespaces/ansible/collections")
    assert [c["name"] for c in collections["items"]] == ["ansible_tools", "general", "legacy_old"]
    assert collections["items"][2]["deprecated"] is True
    assert collections["items"][0]["latest_version"] == "1.2.3"
    detail = await desk.call(desk.tech, "GET", "/galaxy/collections/ansible/general")
    assert detail.status_code == 200
    body = detail.json()
    assert body["description"] == "ansible.general modules"
    assert [m["name"] for m in body["modules"]] == ["ping", "copy"]
    assert body["dependencies"] == {"ansible.utils": ">=2.0.0"}
    missing = await desk.call(desk.tech, "GET", "/galaxy/collections/ansible/nothing_here")
    assert missing.status_code == 404
    assert (await desk.call(None, "GET", "/galaxy/namespaces")).status_code == 401


async def test_bad_input_is_422(api_factory: Any, galaxy: GalaxyServer) -> None:
    desk = await _desk(api_factory, galaxy)
    for path, params in (
        ("/galaxy/namespaces/bad-name!/collections", {}),
        ("/galaxy/collections/ansible/" + "x" * 65, {}),
        ("/galaxy/namespaces", {"limit": -1}),
        ("/galaxy/namespaces", {"q": "q" * 101}),
    ):
        answer = await desk.call(desk.tech, "GET", path, params=params)
        assert answer.status_code in (400, 422), (path, answer.text)
    assert galaxy.app.total_calls == 0


@pytest.mark.slow
async def test_slow_upstream_gives_a_fast_503_then_serves_the_stale_copy(
    api_factory: Any, galaxy: GalaxyServer
) -> None:
    desk = await _desk(api_factory, galaxy, galaxy_cache_ttl_seconds=1)
    warm = await desk.call(desk.tech, "GET", "/galaxy/namespaces/community/collections")
    assert warm.status_code == 200
    galaxy.app.delay = 3.0
    cold, seconds = await desk.timed(desk.tech, "GET", "/galaxy/namespaces/amazon/collections")
    assert cold.status_code == 503
    assert cold.json()["code"] == "upstream_unavailable"
    assert int(cold.headers["retry-after"]) > 0
    assert seconds < 2.5  # two attempts of 0.5 s plus a short backoff
    await asyncio.sleep(1.1)  # the copy is now older than the TTL
    stale, seconds = await desk.timed(desk.tech, "GET", "/galaxy/namespaces/community/collections")
    assert stale.status_code == 200
    assert stale.headers["cache-status"] == "atelier; hit; detail=stale"
    assert int(stale.headers["age"]) >= 1
    assert stale.json() == warm.json()
    assert seconds < 2.5


@pytest.mark.slow
async def test_failing_and_down_upstream(api_factory: Any, galaxy: GalaxyServer) -> None:
    desk = await _desk(api_factory, galaxy, galaxy_cache_ttl_seconds=1)
    warm = await desk.ok(desk.tech, "GET", "/galaxy/collections/community/general")
    galaxy.app.status = 500
    await asyncio.sleep(1.1)
    failing = await desk.call(desk.tech, "GET", "/galaxy/namespaces")
    assert failing.status_code == 503
    assert failing.json()["code"] == "upstream_unavailable"
    assert galaxy.app.calls[NAMESPACES] == 2  # the first attempt and one retry
    stale = await desk.call(desk.tech, "GET", "/galaxy/collections/community/general")
    assert stale.headers["cache-status"] == "atelier; hit; detail=stale"
    assert stale.json() == warm

    galaxy.stop()
    down, seconds = await desk.timed(desk.tech, "GET", "/galaxy/namespaces/ns001/collections")
    assert down.status_code == 503
    assert "retry-after" in down.headers
    assert seconds < 2.0
    still = await desk.call(desk.tech, "GET", "/galaxy/collections/community/general")
    assert still.status_code == 200
    assert still.headers["cache-status"] == "atelier; hit; detail=stale"

    galaxy.app.status = None
    galaxy.start()
    back = await desk.call(desk.tech, "GET", "/galaxy/collections/community/general")
    assert back.headers["cache-status"] == "atelier; fwd=stale; stored"
    assert back.headers["age"] == "0"


async def test_one_upstream_call_for_many_concurrent_readers(
    api_factory: Any, galaxy: GalaxyServer
) -> None:
    desk = await _desk(api_factory, galaxy)
    galaxy.app.delay = 0.3
    answers = await asyncio.gather(
        *(desk.call(desk.tech, "GET", "/galaxy/namespaces/ns042/collections") for _ in range(30))
    )
    assert {a.status_code for a in answers} == {200}
    assert galaxy.app.calls[INDEX] == 1
    statuses = [a.headers["cache-status"] for a in answers]
    assert statuses.count("atelier; fwd=uri-miss; stored") == 1


@pytest.mark.slow
async def test_preload_and_background_enrichment(api_factory: Any, galaxy: GalaxyServer) -> None:
    desk = await _desk(
        api_factory,
        galaxy,
        galaxy_popular_namespaces=["ansible", "community"],
        galaxy_enrich_batch=20,
    )
    automation: Any = desk.api.container.automation
    report = await automation.preload_popular()()
    assert report.fetched == 3
    assert report.failed == 0
    before = galaxy.app.total_calls
    hit = await desk.call(desk.tech, "GET", "/galaxy/namespaces/community/collections")
    assert hit.headers["cache-status"] == "atelier; hit"
    assert galaxy.app.total_calls == before

    started = time.monotonic()
    enriched = await automation.enrich_catalogue()(0)
    assert enriched.next_offset == 20
    assert enriched.fetched == 18  # the batch's 20 namespaces but the two popular ones
    assert time.monotonic() - started >= 17 * 0.1  # 600 a minute: a tenth of a second apart
    calls = galaxy.app.total_calls
    cached = await desk.call(desk.tech, "GET", "/galaxy/namespaces/ns010/collections")
    assert cached.headers["cache-status"] == "atelier; hit"
    again = await automation.enrich_catalogue()(0)  # fresh copies are not fetched again
    assert again.fetched == 0
    assert galaxy.app.total_calls == calls  # the page of namespaces is a fresh copy too
    last = await automation.enrich_catalogue()(120)
    assert last.next_offset is None


async def test_no_galaxy_configured_is_503(api_factory: Any) -> None:
    desk = await _desk(api_factory, GalaxyServer(FakeGalaxy()), galaxy_url="")
    answer = await desk.call(desk.tech, "GET", "/galaxy/namespaces")
    assert answer.status_code == 503
    assert answer.json()["code"] == "upstream_unavailable"
