"""The offline transcription provider: no key, no network, real-looking output.

Deterministic for a given URL and language: the same input always gives the same text and
segments (a SHA-256 of both seeds the choices). The "media" lasts between 20 s and 10 min
(from the seed); processing takes ``realtime_factor`` x that duration (0: instant, for tests;
the default makes a 3-minute video take about 2 s), reported as progress in ten steps.
A URL whose path contains ``fail`` ends in a readable failure, as a real provider's
"the file has no audio" would, so demos can show both outcomes.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import random

from application.jobs.ports import (
    Progress,
    ProviderFailed,
    Remember,
    TranscriptionProvider,
    TranscriptResult,
)
from domain.jobs.transcription import Segment

_EN = """the machine was checked this morning and the pressure stayed within range while the
team replaced a worn belt on the second line before restarting the conveyor we noted a slight
vibration near the motor so a technician will come back next week to align the shaft and
tighten the bearings everything else runs as expected"""
_FR = """la machine a été vérifiée ce matin et la pression est restée dans la plage normale
pendant que l'équipe remplaçait une courroie usée sur la deuxième ligne avant de redémarrer le
convoyeur nous avons noté une légère vibration près du moteur un technicien reviendra la
semaine prochaine pour aligner l'arbre et serrer les paliers"""
_WORDS = {"en": tuple(_EN.split()), "fr": tuple(_FR.split())}
STEPS = 10


class OfflineTranscriptionProvider(TranscriptionProvider):
    def __init__(self, *, realtime_factor: float = 0.01) -> None:
        self._factor = max(0.0, realtime_factor)

    @staticmethod
    def script(source_url: str, language: str | None) -> tuple[float, TranscriptResult]:
        """(media duration in seconds, the transcript) for this input."""
        seed = hashlib.sha256(f"{language or ''}\n{source_url}".encode()).digest()
        rng = random.Random(seed)  # noqa: S311 - deterministic fake content, not a secret
        words = _WORDS.get((language or "en").split("-")[0].lower(), _WORDS["en"])
        duration = float(rng.randint(20, 600))
        count = rng.randint(3, 12)
        bounds = sorted(round(rng.uniform(0, duration), 2) for _ in range(count - 1))
        edges = [0.0, *bounds, duration]
        segments: list[Segment] = []
        for start, end in itertools.pairwise(edges):
            length = rng.randint(5, 14)
            first = rng.randrange(len(words))
            text = " ".join(words[(first + i) % len(words)] for i in range(length))
            segments.append(Segment(start=start, end=end, text=text[:1].upper() + text[1:] + "."))
        text = " ".join(s.text for s in segments)
        return duration, TranscriptResult(text=text, segments=segments, language=language)

    async def transcribe(
        self,
        source_url: str,
        language: str | None,
        progress: Progress,
        *,
        resume: str | None = None,
        remember: Remember | None = None,
    ) -> TranscriptResult:
        duration, result = self.script(source_url, language)
        pause = duration * self._factor / STEPS
        for step in range(1, STEPS + 1):
            if pause:
                await asyncio.sleep(pause)
            await progress(step * 100 // STEPS if step < STEPS else 99)
        if "fail" in source_url.rsplit("/", 1)[-1].lower():
            raise ProviderFailed("the media has no audio track that could be transcribed")
        return result
