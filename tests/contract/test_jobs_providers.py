"""The provider adapters against a local fake of the remote services (slow answers, 5xx,
failed transcripts and renders, a refused key), and the offline providers' promises."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from PIL import Image

from adapters.jobs.assemblyai import AssemblyAiTranscriptionProvider
from adapters.jobs.http_tryon import HttpTryOnProvider
from adapters.jobs.offline_transcription import OfflineTranscriptionProvider
from adapters.jobs.offline_tryon import OfflineTryOnProvider
from application.jobs.ports import ProviderFailed, ProviderUnavailable
from tests.support.fake_ai import FakeAi, fake_ai

KEY = "sk-test-0123456789abcdef"
URL = "https://media.example.com/a.mp3"


@pytest.fixture
def fake() -> Iterator[FakeAi]:
    with fake_ai() as server:
        yield server


def _assembly(fake: FakeAi, **kw: float) -> AssemblyAiTranscriptionProvider:
    options = {
        "poll_initial_seconds": 0.01,
        "poll_max_seconds": 0.02,
        "backoff_seconds": 0.01,
        "timeout_seconds": 1.0,
        **kw,
    }
    return AssemblyAiTranscriptionProvider(api_key=KEY, base_url=fake.url, **options)  # type: ignore[arg-type]


class Progress:
    def __init__(self) -> None:
        self.values: list[int] = []

    async def __call__(self, percent: int, stage: str | None = None) -> None:
        self.values.append(percent)


async def test_assemblyai_submit_poll_and_sentences(
    fake: FakeAi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    progress = Progress()
    result = await _assembly(fake).transcribe(URL, "en-US", progress)
    assert result.text == "Hello there. General checks."
    assert [(s.start, s.end, s.text) for s in result.segments] == [
        (0.0, 1.2, "Hello there."),
        (1.2, 2.5, "General checks."),
    ]
    assert progress.values == sorted(progress.values)
    assert progress.values[-1] == 99
    method, path, headers = fake.requests[0]
    assert (method, path) == ("POST", "/v2/transcript")
    assert headers["authorization"] == KEY
    assert KEY not in caplog.text  # never logged
    assert KEY not in repr(_assembly(fake))


async def test_assemblyai_remembers_its_transcript_and_resumes_it(fake: FakeAi) -> None:
    remembered: list[str] = []

    async def remember(reference: str) -> None:
        remembered.append(reference)

    await _assembly(fake).transcribe(URL, None, Progress(), remember=remember)
    assert remembered == ["tr_1"]
    fake.requests.clear()
    result = await _assembly(fake).transcribe(URL, None, Progress(), resume="tr_1")
    assert result.text
    assert ("POST", "/v2/transcript") not in [(m, p) for m, p, _ in fake.requests]  # no resubmit


async def test_assemblyai_retries_5xx_then_succeeds(fake: FakeAi) -> None:
    fake.errors = 2
    result = await _assembly(fake).transcribe(URL, None, Progress())
    assert result.text


async def test_assemblyai_lasting_5xx_is_unavailable(fake: FakeAi) -> None:
    fake.errors = 100
    with pytest.raises(ProviderUnavailable, match="503"):
        await _assembly(fake).transcribe(URL, None, Progress())


async def test_assemblyai_slow_answers_are_unavailable(fake: FakeAi) -> None:
    fake.mode, fake.delay = "slow", 0.5
    with pytest.raises(ProviderUnavailable, match="no answer in time"):
        await _assembly(fake, timeout_seconds=0.1).transcribe(URL, None, Progress())


async def test_assemblyai_failed_transcript_is_final(fake: FakeAi) -> None:
    fake.mode = "failed"
    with pytest.raises(ProviderFailed, match="does not appear to contain audio"):
        await _assembly(fake).transcribe(URL, None, Progress())


async def test_assemblyai_refused_key_is_final_and_secret(fake: FakeAi) -> None:
    fake.mode = "unauthorized"
    with pytest.raises(ProviderFailed) as caught:
        await _assembly(fake).transcribe(URL, None, Progress())
    assert "401" in str(caught.value)
    assert KEY not in str(caught.value)


async def test_assemblyai_unreachable_is_unavailable() -> None:
    provider = AssemblyAiTranscriptionProvider(
        api_key=KEY, base_url="http://127.0.0.1:9", backoff_seconds=0.01, timeout_seconds=0.5
    )
    with pytest.raises(ProviderUnavailable):
        await provider.transcribe(URL, None, Progress())


def _png(color: tuple[int, int, int], size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


async def test_http_tryon_renders_through_the_service(fake: FakeAi) -> None:
    provider = HttpTryOnProvider(base_url=fake.url, api_key="t0k", poll_initial_seconds=0.01)
    progress = Progress()
    picture = await provider.render(_png((1, 1, 1), (4, 4)), _png((2, 2, 2), (4, 4)), progress)
    assert Image.open(io.BytesIO(picture)).size == (8, 8)
    assert progress.values == sorted(progress.values)
    assert fake.requests[0][2]["authorization"] == "Bearer t0k"


async def test_http_tryon_failures(fake: FakeAi) -> None:
    provider = HttpTryOnProvider(base_url=fake.url, poll_initial_seconds=0.01, backoff_seconds=0.01)
    fake.mode = "failed"
    with pytest.raises(ProviderFailed, match="no person detected"):
        await provider.render(b"a", b"b", Progress())
    fake.mode, fake.errors = "ok", 100
    with pytest.raises(ProviderUnavailable):
        await provider.render(b"a", b"b", Progress())


async def test_offline_transcription_is_deterministic_with_progress() -> None:
    provider = OfflineTranscriptionProvider(realtime_factor=0)
    first, second = Progress(), Progress()
    a = await provider.transcribe(URL, "fr", first)
    b = await provider.transcribe(URL, "fr", second)
    c = await provider.transcribe(URL + "?other", "fr", Progress())
    assert a == b
    assert a != c
    assert first.values == sorted(first.values)
    assert len(first.values) == 10
    assert a.segments[0].start == 0.0
    assert all(x.end <= y.start + 1e-9 for x, y in zip(a.segments, a.segments[1:], strict=False))
    assert "la" in a.text.lower().split()


async def test_offline_tryon_makes_a_deterministic_picture_by_stage() -> None:
    provider = OfflineTryOnProvider(stage_seconds=0)
    person = _png((230, 200, 180), (300, 500))
    garment = _png((255, 255, 255), (100, 120))
    garment_img = Image.open(io.BytesIO(garment)).convert("RGB")
    garment_img.paste((200, 20, 20), (20, 20, 80, 100))  # a red shirt on white
    out = io.BytesIO()
    garment_img.save(out, format="PNG")
    stages: list[str] = []

    async def progress(percent: int, stage: str) -> None:
        stages.append(stage)

    first = await provider.render(person, out.getvalue(), progress)
    second = await provider.render(person, out.getvalue(), progress)
    assert first == second
    picture = Image.open(io.BytesIO(first)).convert("RGB")
    assert picture.size == (300, 500)
    centre = picture.getpixel((150, 100 + 60))  # inside the fitted shirt
    assert centre[0] > 150 > centre[1]  # red, composited
    corner = picture.getpixel((5, 5))
    assert corner == (230, 200, 180)  # the person untouched outside
    assert stages[:5] == ["decoding", "segmenting", "fitting", "compositing", "encoding"]


async def test_offline_tryon_refuses_what_is_not_an_image() -> None:
    with pytest.raises(ProviderFailed, match="person"):
        await OfflineTryOnProvider(stage_seconds=0).render(b"nope", b"nope", Progress())
