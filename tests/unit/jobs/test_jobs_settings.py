"""The AI jobs settings section: every bad value named at once, providers that need more."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrypoints.bootstrap.jobs import JobsSettings
from entrypoints.bootstrap.settings import read_settings


def _problems(tmp_path: Path, **env: str) -> list[str]:
    _, problems = read_settings(
        {f"ATELIER_{k.upper()}": v for k, v in env.items()}, env_file=tmp_path / "none.env"
    )
    return problems


def test_defaults_are_offline_and_valid(tmp_path: Path) -> None:
    settings, problems = read_settings({}, env_file=tmp_path / "none.env")
    assert problems == []
    section = settings.section(JobsSettings)
    assert section.jobs_transcription_provider == "offline"
    assert section.jobs_tryon_provider == "offline"
    assert section.jobs_max_active_per_user == 5


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"jobs_max_active_per_user": "0"}, "ATELIER_JOBS_MAX_ACTIVE_PER_USER"),
        ({"jobs_transcription_provider": "assemblyai"}, "ATELIER_ASSEMBLYAI_API_KEY"),
        ({"jobs_tryon_provider": "http"}, "ATELIER_TRYON_SERVICE_URL"),
        ({"jobs_reap_cron": "every minute"}, "ATELIER_JOBS_REAP_CRON"),
        ({"jobs_provider_attempts": "0"}, "ATELIER_JOBS_PROVIDER_ATTEMPTS"),
        ({"jobs_transcription_provider": "whisper"}, "jobs_transcription_provider"),
    ],
)
def test_bad_values_are_named(tmp_path: Path, env: dict[str, str], named: str) -> None:
    problems = _problems(tmp_path, **env)
    assert any(named.lower() in p.lower() for p in problems), problems


def test_the_allow_list_is_comma_separated(tmp_path: Path) -> None:
    settings, problems = read_settings(
        {"ATELIER_JOBS_SOURCE_ALLOWLIST": "media.local, 10.0.0.0/8"},
        env_file=tmp_path / "none.env",
    )
    assert problems == []
    assert settings.section(JobsSettings).jobs_source_allowlist == ["media.local", "10.0.0.0/8"]
