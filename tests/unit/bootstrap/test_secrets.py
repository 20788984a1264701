"""Secrets: generated and kept on the embedded profile, demanded and checked in production."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from entrypoints.bootstrap.secrets import resolve_secrets
from entrypoints.bootstrap.settings import SettingsError, load_settings

NO_FILE = Path("/nonexistent/.env")
STRONG = "q8XvN2r7LzP0wKc5Tj3mYb9HdF6sGa1E-uVnRxQ4"


def test_embedded_profile_generates_secrets_once_and_keeps_them(tmp_path: Path) -> None:
    settings = load_settings({}, env_file=NO_FILE, data_dir=str(tmp_path))
    first = resolve_secrets(settings)
    second = resolve_secrets(settings)
    assert first.jwt_signing_key == second.jwt_signing_key
    assert first.password_pepper == second.password_pepper
    assert first.jwt_signing_key != first.password_pepper
    assert len(first.jwt_signing_key) >= 32
    mode = stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode)
    assert mode == 0o600


def test_embedded_profile_prefers_configured_secrets(tmp_path: Path) -> None:
    settings = load_settings(
        {"ATELIER_JWT_SECRET": STRONG, "ATELIER_PASSWORD_PEPPER": STRONG[::-1]},
        env_file=NO_FILE,
        data_dir=str(tmp_path),
    )
    secrets = resolve_secrets(settings)
    assert secrets.jwt_signing_key == STRONG
    assert not (tmp_path / "secrets.json").exists()


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "ATELIER_JWT_SECRET"),
        ({"ATELIER_JWT_SECRET": "changeme"}, "ATELIER_JWT_SECRET"),
        ({"ATELIER_JWT_SECRET": "a" * 64}, "ATELIER_JWT_SECRET"),
        ({"ATELIER_JWT_SECRET": STRONG}, "ATELIER_PASSWORD_PEPPER"),
        (
            {"ATELIER_JWT_SECRET": STRONG, "ATELIER_PASSWORD_PEPPER": "short"},
            "ATELIER_PASSWORD_PEPPER",
        ),
    ],
)
def test_production_refuses_missing_or_weak_secrets(
    tmp_path: Path, env: dict[str, str], variable: str
) -> None:
    settings = load_settings(
        {"ATELIER_PROFILE": "production", **env}, env_file=NO_FILE, data_dir=str(tmp_path)
    )
    with pytest.raises(SettingsError, match=variable):
        resolve_secrets(settings)
    assert not (tmp_path / "secrets.json").exists()


def test_production_accepts_strong_secrets(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "ATELIER_PROFILE": "production",
            "ATELIER_JWT_SECRET": STRONG,
            "ATELIER_PASSWORD_PEPPER": STRONG[::-1],
        },
        env_file=NO_FILE,
    )
    assert resolve_secrets(settings).password_pepper == STRONG[::-1]
