"""``validate(settings)``: every problem of the active profile's adapters, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrypoints.bootstrap.settings import read_settings
from entrypoints.bootstrap.validation import PERSISTENCE, validate

STRONG = "q8XvN2r7LzP0wKc5Tj3mYb9HdF6sGa1E-uVnRxQ4"
NO_FILE = Path("/nonexistent/.env")
DOCUMENT_KEY = "k1=" + "A" * 43


def _problems(tmp_path: Path, **env: str) -> list[str]:
    environ = {"ATELIER_DATA_DIR": str(tmp_path / "var"), **env}
    settings, problems = read_settings(environ, env_file=NO_FILE)
    return problems + validate(settings)


def _production(**env: str) -> dict[str, str]:
    return {
        "ATELIER_PROFILE": "production",
        "ATELIER_DATABASE_URL": "postgresql+psycopg://atelier:pw@db:5432/atelier",
        "ATELIER_REDIS_URL": "redis://cache:6379/0",
        "ATELIER_S3_BUCKET": "atelier",
        "ATELIER_JWT_SECRET": STRONG,
        "ATELIER_PASSWORD_PEPPER": STRONG[::-1],
        "ATELIER_DOCUMENT_KEYS": DOCUMENT_KEY,
        **env,
    }


def test_a_complete_production_configuration_has_no_problem(tmp_path: Path) -> None:
    assert _problems(tmp_path, **_production()) == []


def test_the_embedded_defaults_have_no_problem(tmp_path: Path) -> None:
    assert _problems(tmp_path) == []


def test_bad_values_are_all_reported_not_only_the_first(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path, ATELIER_PORT="eighty", ATELIER_WORKERS="0", ATELIER_PROFILE="staging"
    )
    assert [p.split(":")[0].split()[0] for p in problems] == [
        "ATELIER_PORT",
        "ATELIER_PROFILE",
        "ATELIER_WORKERS",
    ]


@pytest.mark.parametrize(
    ("env", "variable", "words"),
    [
        ({"ATELIER_DATABASE_URL": ""}, "ATELIER_DATABASE_URL", "required"),
        ({"ATELIER_DATABASE_URL": "mysql://db/x"}, "ATELIER_DATABASE_URL", "mysql"),
        ({"ATELIER_DATABASE_URL": "not a url"}, "ATELIER_DATABASE_URL", "not a database URL"),
        ({"ATELIER_REDIS_URL": ""}, "ATELIER_REDIS_URL", "required"),
        ({"ATELIER_REDIS_URL": "http://cache:6379"}, "ATELIER_REDIS_URL", "redis://"),
        ({"ATELIER_REDIS_URL": "redis://cache:port/0"}, "ATELIER_REDIS_URL", "not usable"),
        ({"ATELIER_S3_BUCKET": ""}, "ATELIER_S3_BUCKET", "required"),
        ({"ATELIER_S3_BUCKET": "Not_A_Bucket"}, "ATELIER_S3_BUCKET", "bucket name"),
        ({"ATELIER_S3_ENDPOINT_URL": "minio:9000"}, "ATELIER_S3_ENDPOINT_URL", "http"),
        ({"ATELIER_S3_SECRET_ACCESS_KEY": "x"}, "ATELIER_S3_ACCESS_KEY_ID", "together"),
        ({"ATELIER_JWT_SECRET": ""}, "ATELIER_JWT_SECRET", "missing"),
        ({"ATELIER_PASSWORD_PEPPER": "changeme"}, "ATELIER_PASSWORD_PEPPER", "short"),
        ({"ATELIER_MAILER": "smtp"}, "ATELIER_SMTP_HOST", "required"),
        ({"ATELIER_CORS_ORIGINS": "example.org"}, "ATELIER_CORS_ORIGINS", "origin"),
        ({"ATELIER_PUBLIC_URL": "atelier.example"}, "ATELIER_PUBLIC_URL", "http"),
        ({"ATELIER_LOG_LEVEL": "LOUD"}, "ATELIER_LOG_LEVEL", "one of"),
        ({"ATELIER_RATE_LIMITS": "login=many"}, "ATELIER_RATE_LIMITS", "route=N/period"),
        ({"ATELIER_JWT_ALGORITHM": "RS256"}, "ATELIER_JWT_PRIVATE_KEY_FILE", "PEM"),
    ],
)
def test_each_problem_names_its_variable(
    tmp_path: Path, env: dict[str, str], variable: str, words: str
) -> None:
    problems = _problems(tmp_path, **_production(**env))
    assert len(problems) == 1, problems
    assert variable in problems[0]
    assert words in problems[0]


def test_missing_secrets_are_named_together_with_a_python3_hint(tmp_path: Path) -> None:
    problems = _problems(tmp_path, **_production(ATELIER_JWT_SECRET="", ATELIER_PASSWORD_PEPPER=""))
    assert [p.split()[0] for p in problems] == ["ATELIER_JWT_SECRET", "ATELIER_PASSWORD_PEPPER"]
    assert all("python3 -c" in p for p in problems)


def test_an_unusable_data_folder_is_named_once(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings, _ = read_settings({"ATELIER_DATA_DIR": str(blocker / "var")}, env_file=NO_FILE)
    problems = validate(settings)
    assert problems == [f"ATELIER_DATA_DIR: cannot create folders in {blocker}: it is not a folder"]
    assert validate(settings, parts={PERSISTENCE}) == problems  # what migrate checks


def test_nothing_is_created_while_checking(tmp_path: Path) -> None:
    _problems(tmp_path)
    assert not (tmp_path / "var").exists()


def test_production_refuses_to_start_without_a_document_key(tmp_path: Path) -> None:
    problems = _problems(tmp_path, **_production(ATELIER_DOCUMENT_KEYS=""))
    assert len(problems) == 1
    assert problems[0].startswith("ATELIER_DOCUMENT_KEYS is required in production")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("k1", "look like id="), ("k1=c2hvcnQ", "32 bytes"), ("k1=" + "A" * 43 + ",k1=" + "B" * 43,
      "appears twice"), ("bad id=" + "A" * 43, "look like id=")],
)  # fmt: skip
def test_malformed_document_keys_are_named(tmp_path: Path, value: str, fragment: str) -> None:
    problems = _problems(tmp_path, **_production(ATELIER_DOCUMENT_KEYS=value))
    assert any("ATELIER_DOCUMENT_KEYS" in p and fragment in p for p in problems), problems
