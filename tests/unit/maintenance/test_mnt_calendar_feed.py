"""The secret calendar feed: token format, hash-only storage, constant-time acceptance."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from domain.maintenance.calendar_feed import (
    TOKEN_LENGTH,
    CalendarFeed,
    parse_token,
)

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def issue() -> tuple[CalendarFeed, str]:
    return CalendarFeed.issue(technician_id=uuid.uuid4(), created_by=uuid.uuid4(), now=NOW)


def test_a_token_is_the_feed_id_then_a_random_secret_kept_only_as_a_hash() -> None:
    feed, token = issue()
    assert len(token) == TOKEN_LENGTH
    parsed = parse_token(token)
    assert parsed is not None
    feed_id, secret = parsed
    assert feed_id == feed.id
    assert feed.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(feed)
    assert feed.accepts(secret)
    other, other_token = issue()
    assert other_token != token
    assert not feed.accepts(other_token[32:])
    assert not other.accepts(secret)


def test_malformed_tokens_are_refused() -> None:
    _, token = issue()
    for bad in ("", token[:-1], token + "x", token.upper(), token[:32] + "!" * 43, "../" + token):
        assert parse_token(bad) is None


@given(st.text(max_size=80))
def test_a_random_secret_is_never_accepted(guess: str) -> None:
    feed, token = issue()
    assert feed.accepts(token[32:])
    assert feed.accepts(guess) is (guess == token[32:])
