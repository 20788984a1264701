"""check_secret_strength: the gate for ATELIER_JWT_SECRET and ATELIER_PASSWORD_PEPPER."""

from __future__ import annotations

import secrets

import pytest

from adapters.security.keys import check_secret_strength, generate_secret

NAME = "ATELIER_JWT_SECRET"


def test_generated_secrets_pass_and_differ() -> None:
    values = {generate_secret() for _ in range(50)}
    assert len(values) == 50
    for value in values:
        check_secret_strength(NAME, value)
        assert len(value) >= 64


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_secret_is_refused_by_name(value: str | None) -> None:
    with pytest.raises(ValueError, match=f"{NAME} is missing") as caught:
        check_secret_strength(NAME, value)
    assert "secrets.token_urlsafe" in str(caught.value)


def test_short_secret_is_refused_without_echoing_it() -> None:
    value = secrets.token_urlsafe(16)  # ~22 characters
    with pytest.raises(ValueError, match=f"{NAME} is too short") as caught:
        check_secret_strength(NAME, value)
    assert value not in str(caught.value)


def test_min_bytes_is_configurable() -> None:
    value = secrets.token_urlsafe(60)
    check_secret_strength(NAME, value, min_bytes=64)
    with pytest.raises(ValueError, match="too short"):
        check_secret_strength(NAME, value, min_bytes=128)


@pytest.mark.parametrize("value", ["a" * 64, "ab" * 32, "0123456" * 10])
def test_low_diversity_secret_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="distinct characters"):
        check_secret_strength(NAME, value)


@pytest.mark.parametrize(
    "value",
    [
        "changeme-changeme-changeme-changeme",
        "my-super-secret-password-1234567890",
        "CHANGE_ME_please_set_a_real_value_00",
        "default-secret-for-development-12345",
        "qwertyuiop-password-secret-changeme",
        "test-" + secrets.token_hex(14),  # the random tail alone is under 32 bytes
    ],
)
def test_placeholder_secret_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match=r"ATELIER_PASSWORD_PEPPER .*(placeholder|distinct)"):
        check_secret_strength("ATELIER_PASSWORD_PEPPER", value)
