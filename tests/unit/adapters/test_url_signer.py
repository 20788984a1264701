"""Signed links: genuine until they expire; any change to the path, expiry or signature
is refused."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.security.url_signer import HmacUrlSigner

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
SIGNER = HmacUrlSigner(secrets.token_urlsafe(48))


def _query(path: str, expires_at: datetime) -> tuple[str, str]:
    parsed = parse_qs(SIGNER.sign(path, expires_at))
    return parsed["expires"][0], parsed["signature"][0]


def test_a_link_works_until_it_expires() -> None:
    expires, signature = _query("/api/v1/documents/1/content", NOW + timedelta(minutes=5))
    path = "/api/v1/documents/1/content"
    assert SIGNER.verify(path, expires, signature, NOW)
    assert SIGNER.verify(path, expires, signature, NOW + timedelta(minutes=5))
    assert not SIGNER.verify(path, expires, signature, NOW + timedelta(minutes=5, seconds=1))


@given(st.text(min_size=1, max_size=80), st.text(min_size=1, max_size=80))
def test_a_link_for_one_path_opens_no_other(path: str, other: str) -> None:
    expires, signature = _query(path, NOW + timedelta(hours=1))
    assert SIGNER.verify(other, expires, signature, NOW) is (other == path)


def test_tampering_or_another_key_is_refused() -> None:
    path = "/api/v1/images/7/content"
    expires, signature = _query(path, NOW + timedelta(hours=1))
    assert not SIGNER.verify(path, str(int(expires) + 3600), signature, NOW)
    assert not SIGNER.verify(
        path, expires, signature[:-1] + ("A" if signature[-1] != "A" else "B"), NOW
    )
    assert not SIGNER.verify(path, expires, None, NOW)
    assert not SIGNER.verify(path, "soon", signature, NOW)
    assert not HmacUrlSigner(secrets.token_urlsafe(48)).verify(path, expires, signature, NOW)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        HmacUrlSigner("short")


@given(st.text(max_size=14), st.text(max_size=220))
def test_any_text_in_the_query_is_refused_never_raised(expires: str, signature: str) -> None:
    """Unicode digits (``"³".isdigit()``) and non-ASCII signatures were a 500 (fuzz tier)."""
    path = "/api/v1/documents/1/content"
    assert SIGNER.verify(path, expires, signature, NOW) is False
    assert SIGNER.verify(path, "³", "\x87«4", NOW) is False
