"""The AssemblyAI provider against a local fake on both profiles: a transcript through the
whole chain, an outage that fails the job after its attempts with a readable error (the
key never in it), and a failed transcript."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.jobs.conftest import JobsApiFactory
from tests.e2e.jobs.support import API, wait_finished
from tests.support.fake_ai import FakeAi, fake_ai

KEY = "aai-secret-key-for-tests"
URL = "https://media.example.com/call.mp3"


@pytest.fixture
def fake() -> Iterator[FakeAi]:
    with fake_ai() as server:
        yield server


def _options(fake: FakeAi) -> dict[str, object]:
    return {
        "jobs_transcription_provider": "assemblyai",
        "assemblyai_api_key": KEY,
        "assemblyai_base_url": fake.url,
        "jobs_provider_attempts": 2,
    }


async def test_a_transcript_through_the_remote_provider(
    jobs_api_factory: JobsApiFactory, fake: FakeAi
) -> None:
    fake.polls_before_done = 1
    api = await jobs_api_factory(**_options(fake))
    me = await api.user()
    created = await api.client.post(
        f"{API}/transcriptions", json={"source_url": URL, "language": "en"}, headers=me.headers
    )
    done = await wait_finished(api.client, created.headers["location"], me.headers, within=30)
    assert done["status"] == "completed", done
    assert done["text"] == "Hello there. General checks."
    assert [s["text"] for s in done["segments"]] == ["Hello there.", "General checks."]


async def test_an_outage_fails_the_job_after_its_attempts(
    jobs_api_factory: JobsApiFactory, fake: FakeAi
) -> None:
    fake.errors = 10_000
    api = await jobs_api_factory(**_options(fake))
    me = await api.user()
    created = await api.client.post(
        f"{API}/transcriptions", json={"source_url": URL}, headers=me.headers
    )
    done = await wait_finished(api.client, created.headers["location"], me.headers, within=60)
    assert done["status"] == "failed"
    assert "unavailable" in done["error"]
    assert "503" in done["error"]
    assert KEY not in done["error"]


async def test_a_failed_transcript_is_reported(
    jobs_api_factory: JobsApiFactory, fake: FakeAi
) -> None:
    fake.mode, fake.polls_before_done = "failed", 1
    api = await jobs_api_factory(**_options(fake))
    me = await api.user()
    created = await api.client.post(
        f"{API}/transcriptions", json={"source_url": URL}, headers=me.headers
    )
    done = await wait_finished(api.client, created.headers["location"], me.headers, within=30)
    assert done["status"] == "failed"
    assert "does not appear to contain audio" in done["error"]
