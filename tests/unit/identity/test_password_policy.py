"""The password policy, with Hypothesis over the many shapes of input."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from application.identity.common_passwords import load_common_passwords
from application.identity.passwords import build_password_policy
from application.identity.policy import IdentityPolicy
from domain.identity.password_policy import PasswordPolicy
from domain.shared.errors import ValidationFailed

COMMON = load_common_passwords()
POLICY = PasswordPolicy(common_passwords=COMMON)
STRICT = PasswordPolicy(common_passwords=COMMON, require_composition=True)
EMAIL = "marguerite@example.org"

safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=0,
    max_size=200,
)


def _acceptable(password: str) -> bool:
    return (
        12 <= len(password) <= 128
        and password.casefold() not in COMMON
        and "marguerite" not in password.casefold()
    )


@given(safe_text)
def test_accepts_exactly_what_the_rules_allow(password: str) -> None:
    assert (POLICY.check(password, email=EMAIL) == []) is _acceptable(password)


@given(st.text(min_size=129, max_size=400).filter(lambda s: "\x00" not in s))
def test_too_long_is_refused_never_truncated(password: str) -> None:
    errors = POLICY.check(password)
    assert any("at most 128" in e.message for e in errors)


@given(st.text(max_size=11))
def test_too_short_is_refused(password: str) -> None:
    assert any("at least 12" in e.message for e in POLICY.check(password))


@given(st.sampled_from(sorted(w for w in COMMON if len(w) >= 12)), st.randoms())
def test_common_passwords_are_refused_in_any_case(word: str, rnd: object) -> None:
    import random

    assert isinstance(rnd, random.Random)
    mixed = "".join(c.upper() if rnd.random() < 0.5 else c for c in word)
    assert any("too common" in e.message for e in POLICY.check(mixed))


@given(st.text(min_size=0, max_size=20), st.text(min_size=0, max_size=20))
def test_the_email_local_part_is_refused_inside_the_password(prefix: str, suffix: str) -> None:
    password = prefix + "MarGuerite" + suffix
    assume(len(password) >= 12 and "\x00" not in password)
    errors = POLICY.check(password, email=EMAIL)
    assert any("e-mail" in e.message for e in errors)


def test_short_local_parts_are_not_checked() -> None:
    assert POLICY.check("jo-says-a-long-phrase", email="jo@example.org") == []
    assert POLICY.check("bob-says-a-long-phrase", email="bob@example.org") != []


@given(safe_text.filter(lambda p: 12 <= len(p) <= 128))
def test_composition_rules_when_switched_on(password: str) -> None:
    assume(password.casefold() not in COMMON)
    has_all = (
        any(c.isupper() for c in password)
        and any(c.islower() for c in password)
        and any(c.isdigit() for c in password)
    )
    assert (STRICT.check(password) == []) is has_all
    assert POLICY.check(password) == []


def test_validate_raises_weak_password_with_field_errors() -> None:
    with pytest.raises(ValidationFailed) as caught:
        POLICY.validate("short", field="new_password")
    assert caught.value.code == "weak_password"
    assert caught.value.errors
    assert all(e.field == "new_password" for e in caught.value.errors)


def test_bundled_list_is_large_and_lower_case() -> None:
    assert len(COMMON) >= 1000
    assert sum(1 for w in COMMON if len(w) >= 12) >= 500
    assert {"password", "123456", "qwertyuiop123", "password1234"} <= COMMON


def test_policy_built_from_configuration() -> None:
    policy = build_password_policy(IdentityPolicy(password_require_composition=True))
    assert policy.require_composition
    assert policy.common_passwords == COMMON
    assert policy.check("Twelve chars 1A") == []
    assert policy.check("twelve chars only") != []
