"""Transcriptions over HTTP on both profiles: submit, watch it complete, list, cancel,
quota, rate limit, idempotency, SSRF refusals, owner-only access."""

from __future__ import annotations

import pytest

from adapters.jobs.offline_transcription import OfflineTranscriptionProvider
from domain.shared.access import Role
from tests.e2e.jobs.conftest import JobsApi, JobsApiFactory
from tests.e2e.jobs.support import API, wait_finished

URL = "https://media.example.com/talks/maintenance-101.mp4"


async def test_a_transcription_is_queued_then_completes_with_text_and_segments(
    jobs_api: JobsApi,
) -> None:
    me = await jobs_api.user()
    response = await jobs_api.client.post(
        f"{API}/transcriptions", json={"source_url": URL, "language": "en"}, headers=me.headers
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "queued"
    assert response.headers["location"] == f"{API}/transcriptions/{body['id']}"
    done = await wait_finished(jobs_api.client, response.headers["location"], me.headers)
    assert done["status"] == "completed", done
    assert done["progress"] == 100
    _, expected = OfflineTranscriptionProvider.script(URL, "en")
    assert done["text"] == expected.text
    assert [s["text"] for s in done["segments"]] == [s.text for s in expected.segments]
    assert all(s["start"] <= s["end"] for s in done["segments"])
    assert done["owner_id"] == me.user_id
    assert done["error"] is None
    assert done["started_at"]
    assert done["completed_at"]


async def test_a_failing_media_gives_a_readable_error(jobs_api: JobsApi) -> None:
    me = await jobs_api.user()
    response = await jobs_api.client.post(
        f"{API}/transcriptions",
        json={"source_url": "https://media.example.com/fail.mp4"},
        headers=me.headers,
    )
    done = await wait_finished(jobs_api.client, response.headers["location"], me.headers)
    assert done["status"] == "failed"
    assert "no audio" in done["error"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/a.mp4",
        "http://10.0.0.8/a.mp4",
        "http://2130706433/a.mp4",
        "http://intranet.example.com/a.mp4",
        "http://metadata.example.com/",
        "http://mixed.example.com/a.mp4",
        "http://mapped.example.com/a.mp4",
        "http://unknown.example.com/a.mp4",
        "ftp://media.example.com/a.mp4",
        "file:///etc/passwd",
        "https://user:pw@media.example.com/a.mp4",
    ],
)
async def test_forbidden_sources_are_refused_before_any_job_exists(
    jobs_api: JobsApi, url: str
) -> None:
    me = await jobs_api.user()
    response = await jobs_api.client.post(
        f"{API}/transcriptions", json={"source_url": url}, headers=me.headers
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "forbidden_source_url"
    assert problem["errors"][0]["field"] == "source_url"
    listing = await jobs_api.client.get(f"{API}/transcriptions", headers=me.headers)
    assert listing.json()["total"] == 0


async def test_too_long_and_bad_language_are_422(jobs_api: JobsApi) -> None:
    me = await jobs_api.user()
    long_url = "https://media.example.com/" + "a" * 2048
    response = await jobs_api.client.post(
        f"{API}/transcriptions", json={"source_url": long_url}, headers=me.headers
    )
    assert response.status_code == 422
    response = await jobs_api.client.post(
        f"{API}/transcriptions",
        json={"source_url": URL, "language": "english!"},
        headers=me.headers,
    )
    assert response.status_code == 422


async def test_an_allow_listed_internal_host_is_accepted(jobs_api_factory: JobsApiFactory) -> None:
    api = await jobs_api_factory(jobs_source_allowlist=["intranet.example.com"])
    me = await api.user()
    response = await api.client.post(
        f"{API}/transcriptions",
        json={"source_url": "http://intranet.example.com/a.mp4"},
        headers=me.headers,
    )
    assert response.status_code == 202, response.text


async def test_the_quota_of_active_jobs_is_429_with_retry_after(
    jobs_api_factory: JobsApiFactory,
) -> None:
    api = await jobs_api_factory(worker=False, jobs_max_active_per_user=2)
    me = await api.user()
    for n in range(2):
        ok = await api.client.post(
            f"{API}/transcriptions", json={"source_url": f"{URL}?n={n}"}, headers=me.headers
        )
        assert ok.status_code == 202
    refused = await api.client.post(
        f"{API}/transcriptions", json={"source_url": URL}, headers=me.headers
    )
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_jobs"
    assert int(refused.headers["retry-after"]) >= 1
    other = await api.user()  # the quota is per user
    ok = await api.client.post(
        f"{API}/transcriptions", json={"source_url": URL}, headers=other.headers
    )
    assert ok.status_code == 202


async def test_the_creation_route_has_its_own_rate_limit(jobs_api_factory: JobsApiFactory) -> None:
    from tests.e2e.identity.support import RELAXED_LIMITS

    api = await jobs_api_factory(
        worker=False, rate_limits=[*RELAXED_LIMITS, "jobs_create=2/m"], jobs_max_active_per_user=50
    )
    me = await api.user()
    codes = []
    for n in range(3):
        response = await api.client.post(
            f"{API}/transcriptions", json={"source_url": f"{URL}?r={n}"}, headers=me.headers
        )
        codes.append(response.status_code)
    assert codes == [202, 202, 429]
    assert "retry-after" in response.headers
    listing = await api.client.get(f"{API}/transcriptions", headers=me.headers)
    assert listing.status_code == 200  # reading is not in that bucket


async def test_idempotency_key_replays_the_first_answer(jobs_api_factory: JobsApiFactory) -> None:
    api = await jobs_api_factory(worker=False)
    me = await api.user()
    headers = {**me.headers, "Idempotency-Key": "k-1"}
    first = await api.client.post(
        f"{API}/transcriptions", json={"source_url": URL}, headers=headers
    )
    again = await api.client.post(
        f"{API}/transcriptions", json={"source_url": URL}, headers=headers
    )
    assert first.status_code == again.status_code == 202
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    listing = await api.client.get(f"{API}/transcriptions", headers=me.headers)
    assert listing.json()["total"] == 1


async def test_delete_cancels_a_queued_job_and_removes_it(
    jobs_api_factory: JobsApiFactory,
) -> None:
    api = await jobs_api_factory(worker=False)
    me = await api.user()
    created = await api.client.post(
        f"{API}/transcriptions", json={"source_url": URL}, headers=me.headers
    )
    location = created.headers["location"]
    gone = await api.client.delete(location, headers=me.headers)
    assert gone.status_code == 204
    assert (await api.client.get(location, headers=me.headers)).status_code == 404
    key = f"transcription:{created.json()['id']}"
    info = await api.container.job_queue().get(key)
    assert info is None or info.state.value == "cancelled"
    # the quota counts it no more
    assert (await api.client.get(f"{API}/transcriptions", headers=me.headers)).json()["total"] == 0


async def test_delete_stops_a_running_job(jobs_api_factory: JobsApiFactory) -> None:
    import asyncio

    api = await jobs_api_factory(jobs_offline_realtime_factor=0.05)  # 1 to 30 s of "work"
    me = await api.user()
    events_before = await api.container.outbox().pending()
    created = await api.client.post(
        f"{API}/transcriptions", json={"source_url": URL}, headers=me.headers
    )
    location = created.headers["location"]
    for _ in range(200):
        body = (await api.client.get(location, headers=me.headers)).json()
        if body["status"] == "running":
            break
        await asyncio.sleep(0.02)
    assert body["status"] == "running"
    assert (await api.client.delete(location, headers=me.headers)).status_code == 204
    await asyncio.sleep(0.5)
    assert (await api.client.get(location, headers=me.headers)).status_code == 404
    # no outcome was recorded: no jobs.job_completed.v1 / job_failed.v1 (the relay is off)
    assert await api.container.outbox().pending() == events_before


async def test_owner_only_and_admin_sees_all(jobs_api_factory: JobsApiFactory) -> None:
    api = await jobs_api_factory(worker=False)
    alice, bob = await api.user(Role.CLIENT), await api.user(Role.TECHNICIAN)
    admin = await api.user(Role.ADMIN)
    created = await api.client.post(
        f"{API}/transcriptions", json={"source_url": URL}, headers=alice.headers
    )
    location = created.headers["location"]
    assert (await api.client.get(location, headers=bob.headers)).status_code == 404
    assert (await api.client.delete(location, headers=bob.headers)).status_code == 404
    assert (await api.client.get(location, headers=admin.headers)).status_code == 200
    bobs = await api.client.get(f"{API}/transcriptions", headers=bob.headers)
    assert bobs.json()["total"] == 0
    every = await api.client.get(f"{API}/transcriptions?status=queued", headers=admin.headers)
    assert created.json()["id"] in [j["id"] for j in every.json()["items"]]
    assert (await api.client.get(location)).status_code == 401
    bad = await api.client.get(f"{API}/transcriptions?status=nope", headers=alice.headers)
    assert bad.status_code == 422


async def test_the_quota_holds_under_a_burst_of_submissions(
    jobs_api_factory: JobsApiFactory,
) -> None:
    import asyncio

    api = await jobs_api_factory(worker=False, jobs_max_active_per_user=3)
    me = await api.user()

    async def submit(n: int) -> int:
        response = await api.client.post(
            f"{API}/transcriptions", json={"source_url": f"{URL}?b={n}"}, headers=me.headers
        )
        return response.status_code

    codes = sorted(await asyncio.gather(*(submit(n) for n in range(12))))
    assert codes == [202] * 3 + [429] * 9


async def test_unknown_and_server_owned_fields_are_ignored(
    jobs_api_factory: JobsApiFactory,
) -> None:
    api = await jobs_api_factory(worker=False)
    me = await api.user()
    response = await api.client.post(
        f"{API}/transcriptions",
        json={"source_url": URL, "status": "completed", "owner_id": "x", "extra": 1},
        headers=me.headers,
    )
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "queued"
    assert response.json()["owner_id"] == me.user_id
    nul = await api.client.post(
        f"{API}/transcriptions", json={"source_url": URL + "\u0000"}, headers=me.headers
    )
    assert nul.status_code == 422
