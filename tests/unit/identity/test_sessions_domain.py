"""Refresh families, refresh tokens and reset tokens as plain state."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from domain.identity.password_reset import PasswordResetToken
from domain.identity.preferences import Preferences
from domain.identity.sessions import RefreshFamily, RefreshToken

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WEEK = 7 * 24 * 3600


def test_family_lives_until_its_absolute_expiry() -> None:
    family = RefreshFamily.start(uuid.uuid4(), NOW, WEEK)
    assert family.absolute_expires_at == NOW + timedelta(days=7)
    assert family.is_alive(NOW + timedelta(days=6, hours=23))
    assert not family.is_alive(NOW + timedelta(days=7))


def test_revoked_family_is_dead_and_keeps_its_first_revocation() -> None:
    family = RefreshFamily.start(uuid.uuid4(), NOW, WEEK)
    family.revoke(NOW + timedelta(hours=1))
    family.revoke(NOW + timedelta(hours=2))
    assert family.revoked_at == NOW + timedelta(hours=1)
    assert not family.is_alive(NOW + timedelta(hours=1))


def test_rotated_token_never_outlives_the_family() -> None:
    family = RefreshFamily.start(uuid.uuid4(), NOW, WEEK)
    late = NOW + timedelta(days=6)
    token = RefreshToken.issue(family, "h", late, WEEK)
    assert token.expires_at == family.absolute_expires_at
    assert token.family_id == family.id
    assert token.user_id == family.user_id
    assert not token.is_used
    assert not token.is_expired(late)
    assert token.is_expired(family.absolute_expires_at)


def test_reset_token_is_usable_once_and_before_expiry() -> None:
    token = PasswordResetToken.issue(uuid.uuid4(), "h", NOW, 1800)
    assert token.is_usable(NOW + timedelta(minutes=29))
    assert not token.is_usable(NOW + timedelta(minutes=30))
    token.used_at = NOW
    assert not token.is_usable(NOW)


def test_preferences_replace_cleans_and_deduplicates() -> None:
    prefs = Preferences.empty(uuid.uuid4())
    assert prefs.version == 0
    prefs.replace(
        NOW,
        favorite_namespaces=[" community ", "community", "ansible"],
        favorite_collections=[],
        favorite_modules=["copy"],
        settings={"theme": "dark", "nested": {"a": [1, 2]}},
    )
    assert prefs.favorite_namespaces == ["community", "ansible"]
    assert prefs.settings == {"theme": "dark", "nested": {"a": [1, 2]}}
    assert prefs.updated_at == NOW
