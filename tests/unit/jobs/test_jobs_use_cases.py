"""Transcriptions and try-on use cases with the real in-process queue: outcomes recorded and
emitted once, provider outages retried then failed with a clear error, timeouts, the
reaper, cancellation between steps."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
from PIL import Image

from application.jobs.policy import REAP_JOB, queue_key
from application.jobs.ports import (
    Progress,
    ProviderFailed,
    ProviderUnavailable,
    TranscriptionProvider,
    TranscriptResult,
)
from application.jobs.use_cases.submit_transcription import SubmitTranscriptionCommand
from application.jobs.use_cases.submit_tryon import SubmitTryOnCommand
from domain.jobs.status import JobStatus
from domain.jobs.transcription import Segment
from domain.shared.access import Role
from domain.shared.errors import RateLimited, ValidationFailed
from tests.unit.jobs.conftest import Jobs

URL = "https://media.example.com/a.mp4"


class FlakyProvider(TranscriptionProvider):
    """Unavailable ``down`` times, then a transcript; counts its calls."""

    def __init__(self, down: int) -> None:
        self.down, self.calls = down, 0

    async def transcribe(
        self, source_url: str, language: str | None, progress: Progress, **_: Any
    ) -> TranscriptResult:
        self.calls += 1
        await progress(30)
        if self.calls <= self.down:
            raise ProviderUnavailable("answered 503")
        return TranscriptResult(text="hello", segments=[Segment(0.0, 1.0, "hello")])


class SlowProvider(TranscriptionProvider):
    def __init__(self, steps: int = 200, pause: float = 0.02) -> None:
        self.steps, self.pause, self.reached = steps, pause, 0

    async def transcribe(
        self, source_url: str, language: str | None, progress: Progress, **_: Any
    ) -> TranscriptResult:
        for step in range(self.steps):
            self.reached = step
            await progress(step * 100 // self.steps)
            await asyncio.sleep(self.pause)
        return TranscriptResult(text="slow", segments=[])


def _fast_retries(jobs: Jobs) -> None:
    """Retry delays of the definitions are the queue's business; keep them short here."""
    registry = jobs.container.job_registry()
    from dataclasses import replace

    for name in ("jobs.transcribe", "jobs.tryon"):
        registry.definitions[name] = replace(
            registry.definitions[name], retry_delay_seconds=0.01, max_retry_delay_seconds=0.02
        )


async def _submit(jobs: Jobs, actor: Any, url: str = URL) -> Any:
    return await jobs.module.submit_transcription()(
        SubmitTranscriptionCommand(actor=actor, source_url=url)
    )


async def test_a_job_completes_once_with_one_event(jobs: Jobs) -> None:
    await jobs.run_worker()
    me = await jobs.actor()
    job = await _submit(jobs, me)
    done = await jobs.wait(job.id, me)
    assert done.status is JobStatus.COMPLETED
    assert done.attempts == 1
    events = jobs.events("jobs.job_completed.v1")
    assert [e.payload["job_id"] for e in events] == [str(job.id)]
    assert events[0].payload["kind"] == "transcription"
    # a duplicate delivery of the queue job finds it finished and does nothing
    ctx = _Ctx()
    assert (await jobs.module.run_transcription()(ctx, job.id))["outcome"] == "skipped"
    assert len(jobs.events("jobs.job_completed.v1")) == 1


async def test_an_outage_is_retried_then_succeeds(jobs: Jobs) -> None:
    provider = FlakyProvider(down=2)
    jobs.module.transcription_provider.override(provider)
    _fast_retries(jobs)
    await jobs.run_worker()
    me = await jobs.actor()
    job = await _submit(jobs, me)
    done = await jobs.wait(job.id, me)
    assert done.status is JobStatus.COMPLETED
    assert provider.calls == 3
    assert done.attempts == 3


async def test_a_lasting_outage_fails_the_job_with_a_clear_error(jobs: Jobs) -> None:
    provider = FlakyProvider(down=100)
    jobs.module.transcription_provider.override(provider)
    _fast_retries(jobs)
    await jobs.run_worker()
    me = await jobs.actor()
    job = await _submit(jobs, me)
    done = await jobs.wait(job.id, me)
    assert done.status is JobStatus.FAILED
    assert provider.calls == 4  # ATELIER_JOBS_PROVIDER_ATTEMPTS
    assert "unavailable" in done.error
    assert "4 attempts" in done.error
    assert [e.payload["job_id"] for e in jobs.events("jobs.job_failed.v1")] == [str(job.id)]


async def test_a_final_provider_failure_is_not_retried(jobs: Jobs) -> None:
    class Refusing(TranscriptionProvider):
        calls = 0

        async def transcribe(self, *args: Any, **kwargs: Any) -> TranscriptResult:
            Refusing.calls += 1
            raise ProviderFailed("the file is not audio")

    jobs.module.transcription_provider.override(Refusing())
    await jobs.run_worker()
    me = await jobs.actor()
    done = await jobs.wait((await _submit(jobs, me)).id, me)
    assert done.status is JobStatus.FAILED
    assert done.error == "The transcription failed: the file is not audio"
    assert Refusing.calls == 1


async def test_a_job_past_its_timeout_fails(jobs: Jobs) -> None:
    jobs.module.transcription_provider.override(SlowProvider(steps=1000, pause=0.01))
    from dataclasses import replace

    jobs.module.policy.override(replace(jobs.module.policy(), transcription_timeout_seconds=0.3))
    await jobs.run_worker()
    me = await jobs.actor()
    done = await jobs.wait((await _submit(jobs, me)).id, me)
    assert done.status is JobStatus.FAILED
    assert "longer than 0.3 s" in done.error


async def test_deleting_a_running_job_stops_the_worker_between_steps(jobs: Jobs) -> None:
    provider = SlowProvider(steps=500, pause=0.01)
    jobs.module.transcription_provider.override(provider)
    await jobs.run_worker()
    me = await jobs.actor()
    job = await _submit(jobs, me)
    for _ in range(500):
        if (await jobs.module.get_transcription()(me, job.id)).status is JobStatus.RUNNING:
            break
        await asyncio.sleep(0.01)
    await jobs.module.delete_transcription()(me, job.id)
    reached = provider.reached
    await asyncio.sleep(0.3)
    assert provider.reached <= reached + 2  # it stopped at its next progress report
    assert provider.reached < provider.steps - 1
    assert not jobs.events("jobs.job_completed.v1")
    assert not jobs.events("jobs.job_failed.v1")


async def test_the_quota_counts_queued_and_running_jobs_per_user(jobs: Jobs) -> None:
    me = await jobs.actor()  # no worker: they stay queued
    for n in range(5):
        await _submit(jobs, me, f"{URL}?{n}")
    with pytest.raises(RateLimited) as caught:
        await _submit(jobs, me)
    assert caught.value.code == "too_many_jobs"
    assert caught.value.retry_after >= 1


async def test_the_reaper_requeues_a_job_the_queue_never_got(jobs: Jobs) -> None:
    me = await jobs.actor()
    job = await _submit(jobs, me)
    queue = jobs.container.job_queue()
    await queue.cancel(queue_key("transcription", job.id))
    store = queue.store  # forget the queue job, as a crash before the enqueue would
    store._jobs.pop(queue_key("transcription", job.id), None)
    from dataclasses import replace

    jobs.module.policy.override(replace(jobs.module.policy(), stale_after_seconds=0.0))
    result = await jobs.module.reap_jobs()()
    assert result == {"requeued": 1, "failed": 0}
    await jobs.run_worker()
    assert (await jobs.wait(job.id, me)).status is JobStatus.COMPLETED


async def test_the_reaper_fails_a_job_the_queue_gave_up(jobs: Jobs) -> None:
    me = await jobs.actor()
    job = await _submit(jobs, me)
    queue = jobs.container.job_queue()
    stored = queue.store._jobs[queue_key("transcription", job.id)]
    stored.state, stored.error = "failed", "TimeoutError"
    from dataclasses import replace

    jobs.module.policy.override(replace(jobs.module.policy(), stale_after_seconds=0.0))
    assert (await jobs.module.reap_jobs()()) == {"requeued": 0, "failed": 1}
    done = await jobs.module.get_transcription()(me, job.id)
    assert done.status is JobStatus.FAILED
    assert "could not be run" in done.error
    assert len(jobs.events("jobs.job_failed.v1")) == 1
    assert REAP_JOB in jobs.container.job_registry().definitions


async def test_source_urls_are_checked_before_anything_is_stored(jobs: Jobs) -> None:
    me = await jobs.actor()
    for url in ("http://127.0.0.1/a", "http://nowhere.example.com/a", "ftp://media.example.com/"):
        with pytest.raises(ValidationFailed):
            await _submit(jobs, me, url)
    page = await jobs.module.list_transcriptions()(
        __import__(
            "application.jobs.use_cases.read_transcriptions", fromlist=["x"]
        ).ListTranscriptionsQuery(actor=me)
    )
    assert page.total == 0


def _png(color: tuple[int, int, int], size: tuple[int, int] = (120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


async def test_a_tryon_stores_a_private_result_and_emits_once(jobs: Jobs) -> None:
    await jobs.run_worker()
    me = await jobs.actor()
    images = jobs.module.image_library()
    person = images.add(me.user_id, _png((200, 180, 160)))
    garment = images.add(me.user_id, _png((20, 40, 200), (60, 60)))
    job = await jobs.module.submit_tryon()(
        SubmitTryOnCommand(actor=me, person_image_id=person, garment_image_id=garment)
    )
    for _ in range(500):
        current = await jobs.module.get_tryon()(me, job.id)
        if current.status.finished:
            break
        await asyncio.sleep(0.02)
    assert current.status is JobStatus.COMPLETED, current.error
    result = await images.read_for(me, current.result_image_id)
    assert result is not None
    assert (result.width, result.height) == (120, 200)
    stranger = await jobs.actor()
    assert await images.read_for(stranger, current.result_image_id) is None
    events = jobs.events("jobs.job_completed.v1")
    assert [e.payload["result_id"] for e in events] == [str(current.result_image_id)]


async def test_a_tryon_with_an_image_the_caller_cannot_read_is_image_not_found(
    jobs: Jobs,
) -> None:
    me, other = await jobs.actor(), await jobs.actor(Role.TECHNICIAN)
    images = jobs.module.image_library()
    mine = images.add(me.user_id, _png((1, 2, 3)))
    theirs = images.add(other.user_id, _png((1, 2, 3)))
    with pytest.raises(ValidationFailed) as caught:
        await jobs.module.submit_tryon()(
            SubmitTryOnCommand(actor=me, person_image_id=mine, garment_image_id=theirs)
        )
    assert caught.value.code == "image_not_found"
    assert [e.field for e in caught.value.errors] == ["garment_image_id"]


class _Ctx:
    job_id = "x"
    attempt = 1
    max_attempts = 1

    async def progress(self, percent: int) -> None:
        return None

    async def cancelled(self) -> bool:
        return False


async def test_a_run_after_a_failure_resumes_the_remembered_provider_work(jobs: Jobs) -> None:
    class Remote(TranscriptionProvider):
        def __init__(self) -> None:
            self.resumed: list[str | None] = []

        async def transcribe(
            self, source_url: str, language: str | None, progress: Progress, **kw: Any
        ) -> TranscriptResult:
            self.resumed.append(kw.get("resume"))
            if kw.get("resume") is None:
                await kw["remember"]("remote-42")
                raise ProviderUnavailable("connection reset")
            return TranscriptResult(text="resumed", segments=[])

    provider = Remote()
    jobs.module.transcription_provider.override(provider)
    _fast_retries(jobs)
    await jobs.run_worker()
    me = await jobs.actor()
    done = await jobs.wait((await _submit(jobs, me)).id, me)
    assert done.status is JobStatus.COMPLETED
    assert provider.resumed == [None, "remote-42"]
    assert done.provider_ref == "remote-42"


async def test_the_reaper_fails_a_job_running_past_its_time_limit(jobs: Jobs) -> None:
    from dataclasses import replace
    from datetime import timedelta

    me = await jobs.actor()
    job = await _submit(jobs, me)
    uow = jobs.module.uow()
    async with uow:
        stored = await uow.transcriptions.get(job.id)
        assert stored is not None
        stored.start(stored.created_at - timedelta(hours=10))  # a worker stuck for hours
        await uow.transcriptions.save(stored, expected_status=JobStatus.QUEUED)
        await uow.commit()
    queue = jobs.container.job_queue()
    queue.store._jobs[queue_key("transcription", job.id)].state = "running"
    jobs.module.policy.override(replace(jobs.module.policy(), stale_after_seconds=0.0))
    assert (await jobs.module.reap_jobs()()) == {"requeued": 0, "failed": 1}
    done = await jobs.module.get_transcription()(me, job.id)
    assert done.status is JobStatus.FAILED
    assert "time limit" in done.error
    info = await queue.get(queue_key("transcription", job.id))
    assert info is not None
