"""Settings come from ATELIER_* variables and .env, validated, naming the bad variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrypoints.bootstrap.identity import IdentitySettings
from entrypoints.bootstrap.maintenance import MaintenanceSettings
from entrypoints.bootstrap.settings import (
    SettingsError,
    load_settings,
    read_settings,
    settings_fields,
)

NO_FILE = Path("/nonexistent/.env")


def test_defaults_are_the_embedded_profile() -> None:
    settings = load_settings({}, env_file=NO_FILE)
    assert settings.profile == "embedded"
    assert settings.persistence_kind == "sqlite"
    assert settings.storage_kind == "local"
    assert settings.cache_kind == "memory"
    assert settings.effective_database_url.startswith("sqlite+aiosqlite:///")


def test_production_profile_selects_the_server_adapters() -> None:
    settings = load_settings({"ATELIER_PROFILE": "production"}, env_file=NO_FILE)
    assert (settings.persistence_kind, settings.storage_kind, settings.cache_kind) == (
        "postgres",
        "s3",
        "redis",
    )


def test_each_adapter_can_be_chosen_explicitly() -> None:
    settings = load_settings(
        {"ATELIER_PERSISTENCE": "memory", "ATELIER_STORAGE": "memory", "ATELIER_CACHE": "redis"},
        env_file=NO_FILE,
    )
    assert (settings.persistence_kind, settings.storage_kind, settings.cache_kind) == (
        "memory",
        "memory",
        "redis",
    )


def test_values_are_converted_from_strings() -> None:
    settings = load_settings(
        {
            "ATELIER_PORT": "9001",
            "ATELIER_LOG_JSON": "false",
            "ATELIER_CORS_ORIGINS": "https://a.example, https://b.example",
        },
        env_file=NO_FILE,
    )
    assert settings.port == 9001
    assert settings.log_json is False
    assert settings.cors_origins == ["https://a.example", "https://b.example"]


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comment\nATELIER_PORT=8100\nexport ATELIER_HOST='10.1.2.3'\nATELIER_WORKERS=3\n",
        encoding="utf-8",
    )
    settings = load_settings({"ATELIER_WORKERS": "2"}, env_file=env_file)
    assert (settings.port, settings.host, settings.workers) == (8100, "10.1.2.3", 2)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ATELIER_PORT", "not-a-number"),
        ("ATELIER_PORT", "70000"),
        ("ATELIER_PROFILE", "staging"),
        ("ATELIER_JWT_LEEWAY_SECONDS", "31"),
        ("ATELIER_BCRYPT_ROUNDS", "3"),
        ("ATELIER_PERSISTENCE", "mysql"),
        ("ATELIER_SCHEDULE_PAST_GRACE_MINUTES", "-1"),
        ("ATELIER_LOGIN_ADDRESS_FAILURE_LIMIT", "0"),
        ("ATELIER_LOGIN_ADDRESS_FAILURE_WINDOW_SECONDS", "5"),
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings({variable: value}, env_file=NO_FILE)


def test_variables_without_the_prefix_are_ignored() -> None:
    settings = load_settings({"HOME": "/root", "ATELIER_TEST_REDIS_URL": "x"}, env_file=NO_FILE)
    assert settings.profile == "embedded"


def test_a_misspelt_variable_is_refused_with_the_names_it_resembles() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(
            {"ATELIER_DATABSE_URL": "x", "ATELIER_ESCALATION_DELAY_MINUTE": "3"}, env_file=NO_FILE
        )
    message = str(raised.value)
    assert "ATELIER_DATABSE_URL is not a setting (did you mean ATELIER_DATABASE_URL" in message
    assert "did you mean ATELIER_ESCALATION_DELAY_MINUTES?" in message


def test_the_variables_of_no_group_are_not_refused() -> None:
    """``ATELIER_DEMO_PASSWORD`` belongs to ``atelier seed --demo``, which loads the settings
    too: it must not stop that command (nor any other) from starting."""
    _settings, problems = read_settings(
        {"ATELIER_DEMO_PASSWORD": "a-long-demo-passphrase-7", "ATELIER_ENV_FILE": str(NO_FILE)},
        env_file=NO_FILE,
    )
    assert problems == []


def test_a_misspelt_variable_in_the_env_file_is_refused_too(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("ATELIER_PROFLE=production\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="ATELIER_PROFLE is not a setting"):
        load_settings({}, env_file=env)


def test_module_variables_fill_their_module_section() -> None:
    settings = load_settings(
        {"ATELIER_ESCALATION_DELAY_MINUTES": "45", "ATELIER_SIGNUP_ENABLED": "false"},
        env_file=NO_FILE,
    )
    assert settings.section(MaintenanceSettings).escalation_delay_minutes == 45
    assert settings.section(IdentitySettings).signup_enabled is False
    assert not hasattr(settings, "escalation_delay_minutes")


def test_a_bad_module_value_names_its_variable() -> None:
    with pytest.raises(SettingsError, match="ATELIER_ACCESS_TOKEN_TTL_SECONDS"):
        load_settings({"ATELIER_ACCESS_TOKEN_TTL_SECONDS": "5"}, env_file=NO_FILE)


def test_overrides_reach_module_sections_and_unknown_ones_are_an_error() -> None:
    settings = load_settings({}, env_file=NO_FILE, escalation_delay_minutes=7)
    assert settings.section(MaintenanceSettings).escalation_delay_minutes == 7
    with pytest.raises(TypeError):
        load_settings({}, env_file=NO_FILE, no_such_setting=1)


def test_every_field_is_an_atelier_variable() -> None:
    fields = settings_fields()
    assert "ATELIER_DATABASE_URL" in fields
    assert all(name.startswith("ATELIER_") and name.upper() == name for name in fields)
