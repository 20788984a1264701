"""Preferences use cases; the shared rate limiter and pagination helpers."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.cache.memory import MemoryCache
from application.identity.use_cases.put_preferences import PutPreferencesCommand
from application.shared.pagination import PageRequest, Sort
from application.shared.rate_limit import RateLimiter
from domain.shared.access import Actor, Role
from domain.shared.errors import PreconditionFailed, RateLimited, ValidationFailed
from tests.unit.identity.conftest import Kit


async def test_preferences_default_then_put_then_get(kit: Kit) -> None:
    actor = Actor((await kit.seed_user("prefs@example.org", Role.TECHNICIAN)).id, Role.TECHNICIAN)
    empty = await kit.get_preferences()(actor)
    assert empty.version == 0
    assert empty.favorite_modules == []
    assert empty.settings == {}
    saved = await kit.put_preferences()(
        PutPreferencesCommand(
            actor=actor,
            favorite_namespaces=["community"],
            favorite_modules=["ansible.builtin.copy"],
            settings={"page_size": 20},
            expected_version=0,
        )
    )
    assert saved.version == 1
    again = await kit.get_preferences()(actor)
    assert again.favorite_namespaces == ["community"]
    assert again.settings == {"page_size": 20}
    with pytest.raises(PreconditionFailed):
        await kit.put_preferences()(PutPreferencesCommand(actor=actor, expected_version=0))
    cleared = await kit.put_preferences()(PutPreferencesCommand(actor=actor))
    assert cleared.version == 2
    assert cleared.favorite_namespaces == []


async def test_preferences_are_per_user(kit: Kit) -> None:
    a = Actor((await kit.seed_user("a@example.org")).id, Role.CLIENT)
    b = Actor((await kit.seed_user("b@example.org")).id, Role.CLIENT)
    await kit.put_preferences()(PutPreferencesCommand(actor=a, favorite_collections=["x.y"]))
    assert (await kit.get_preferences()(b)).favorite_collections == []


async def test_preferences_validation(kit: Kit) -> None:
    actor = Actor(uuid.uuid4(), Role.CLIENT)
    with pytest.raises(ValidationFailed) as caught:
        await kit.put_preferences()(
            PutPreferencesCommand(actor=actor, favorite_modules=["ok", ""], settings={"x": {1}})
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {"favorite_modules[1]", "settings"}


async def test_rate_limiter_fixed_window() -> None:
    now = [1000.0]
    limiter = RateLimiter(MemoryCache(clock=lambda: now[0]))
    decisions = [await limiter.hit("k", 3, 60) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[-1].reset_seconds == 60
    with pytest.raises(RateLimited) as caught:
        decisions[-1].raise_if_denied("slow_down")
    assert caught.value.code == "slow_down"
    assert caught.value.retry_after == 60
    now[0] += 30
    assert (await limiter.peek("k", 3, 60)).reset_seconds == 30
    now[0] += 31
    assert (await limiter.hit("k", 3, 60)).remaining == 2


async def test_peek_does_not_count() -> None:
    limiter = RateLimiter(MemoryCache())
    for _ in range(5):
        assert (await limiter.peek("p", 1, 60)).allowed
    await limiter.hit("p", 1, 60)
    assert not (await limiter.peek("p", 1, 60)).allowed
    await limiter.reset("p")
    assert (await limiter.peek("p", 1, 60)).allowed


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
def test_page_request_bounds(limit: int, offset: int) -> None:
    window = PageRequest.of(limit, offset)
    assert window.limit == min(limit, 200)
    assert window.offset == offset


@given(st.integers(max_value=-1))
def test_negative_limit_is_invalid(limit: int) -> None:
    with pytest.raises(ValidationFailed):
        PageRequest.of(limit, 0)


def test_page_request_defaults_and_sort_parsing() -> None:
    assert PageRequest.of() == PageRequest(limit=50, offset=0)
    assert Sort.parse("-email", {"email"}, "email") == Sort("email", descending=True)
    assert str(Sort.parse(None, {"created_at"}, "created_at")) == "created_at"
    with pytest.raises(ValidationFailed):
        Sort.parse("--email", {"email"}, "email")
