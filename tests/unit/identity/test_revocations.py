"""Revocations are durable: a cache that lost them (restarted empty, flushed) cannot bring a
revoked token back; until the copy is rebuilt the database answers, then the hot path is one
cache round trip again."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from adapters.cache.memory import MemoryCache
from application.identity.revocations import RevocationCache
from application.identity.session_state import (
    COMPLETE_KEY,
    DENYLIST_PREFIX,
    PENDING,
    SESSION_DENYLIST_PREFIX,
    USER_PREFIX,
    SessionState,
)
from application.identity.use_cases.change_password import ChangePasswordCommand
from application.identity.use_cases.logout import LogoutCommand
from application.identity.use_cases.refresh import RefreshCommand
from domain.identity.revocations import Revocation, RevocationKind
from domain.shared.errors import DependencyUnavailable, Unauthenticated
from tests.unit.identity.conftest import GOOD_PASSWORD, Kit


class CountingKit(Kit):
    """Counts the units of work opened (database round trips)."""

    opened = 0

    def uow(self):  # type: ignore[no-untyped-def]
        kit = self
        base = super().uow()
        original = base._begin

        async def counted() -> None:
            kit.opened += 1
            await original()

        base._begin = counted  # type: ignore[method-assign]
        return base


def lose_the_cache(kit: Kit, cache: MemoryCache | None = None) -> MemoryCache:
    """What a Redis restarted empty (or the embedded profile's restart) looks like to the
    app: the same database, an empty cache."""
    kit.cache = cache or MemoryCache(clock=lambda: kit.clock.now().timestamp())
    kit.state = SessionState(kit.cache, ttl_seconds=kit.policy.user_state_cache_ttl_seconds)
    kit.revocation_cache = kit.new_revocation_cache()
    return kit.cache


def stored_revocations(kit: Kit) -> dict[tuple[RevocationKind, str], Revocation]:
    return dict(kit.store.tables.get("revocations", {}))


async def test_a_logged_out_token_stays_refused_after_the_cache_is_lost(kit: Kit) -> None:
    await kit.rebuild_revocations()
    await kit.seed_user("a@example.org")
    first = await kit.sign_in("a@example.org")
    second = await kit.refresh()(RefreshCommand(refresh_token=first.refresh_token))
    assert second.session_id == first.session_id  # two access tokens of one session
    await kit.logout()(
        LogoutCommand(actor=await kit.actor(second), access_token=second.access_token)
    )
    lose_the_cache(kit)
    for pair in (first, second):
        with pytest.raises(Unauthenticated) as caught:
            await kit.actor(pair)
        assert caught.value.code == "token_revoked"
    other = await kit.sign_in("a@example.org")  # a new session is not affected
    assert (await kit.actor(other)).session_id == other.session_id


async def test_a_replayed_refresh_token_revokes_durably(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    await kit.refresh()(RefreshCommand(refresh_token=pair.refresh_token))
    with pytest.raises(Unauthenticated):
        await kit.refresh()(RefreshCommand(refresh_token=pair.refresh_token))  # replay
    assert (RevocationKind.SESSION, str(pair.session_id)) in stored_revocations(kit)
    lose_the_cache(kit)
    with pytest.raises(Unauthenticated):
        await kit.actor(pair)


async def test_until_rebuilt_each_request_costs_one_query_then_none() -> None:
    kit = CountingKit()
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    lose_the_cache(kit)
    kit.revocation_cache = RevocationCache(
        kit.state, kit.uow, kit.clock, settle_seconds=0, retry_seconds=3600
    )
    kit.opened = 0
    for expected in (2, 3, 4):  # the rebuild has not run yet: the database answers
        # (the first request also reads the user's record, which is then cached)
        await kit.actor(pair)
        assert kit.opened == expected
    await kit.revocation_cache.wait()  # the rebuild that the first request started
    assert kit.revocation_cache.rebuilds == 1
    assert await kit.cache.get(COMPLETE_KEY) is not None
    kit.opened = 0
    for _ in range(3):
        await kit.actor(pair)
    assert kit.opened == 0


async def test_the_rebuild_copies_every_live_revocation_with_its_remaining_life(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pairs = [await kit.sign_in("a@example.org") for _ in range(5)]
    for pair in pairs:
        actor = await kit.actor(pair)
        await kit.logout()(LogoutCommand(actor=actor, access_token=pair.access_token))
    cache = lose_the_cache(kit)
    kit.clock.advance(minutes=5)
    cache_of_small_batches = RevocationCache(
        kit.state, kit.uow, kit.clock, batch=2, settle_seconds=0
    )
    assert await cache_of_small_batches.rebuild()
    for pair in pairs:
        jti = kit.tokens.verify(pair.access_token, token_type="access").jti
        assert await cache.get(DENYLIST_PREFIX + jti) is not None
        assert await cache.get(SESSION_DENYLIST_PREFIX + str(pair.session_id)) is not None
    kit.clock.advance(minutes=11, seconds=1)  # past 15 min + the verify leeway of each token
    for pair in pairs:
        assert await cache.get(SESSION_DENYLIST_PREFIX + str(pair.session_id)) is None


async def test_expired_revocations_are_not_copied_and_are_purged(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    old = await kit.sign_in("a@example.org")
    await kit.logout()(LogoutCommand(actor=await kit.actor(old), access_token=old.access_token))
    assert len(stored_revocations(kit)) == 2  # the token and its session
    kit.clock.advance(minutes=20)
    async with kit.uow() as uow:
        assert await uow.revocations.live(kit.clock.now()) == []
    new = await kit.sign_in("a@example.org")
    await kit.logout()(LogoutCommand(actor=await kit.actor(new), access_token=new.access_token))
    kept = stored_revocations(kit)
    assert set(kept) == {
        (RevocationKind.TOKEN, kit.tokens.verify(new.access_token, token_type="access").jti),
        (RevocationKind.SESSION, str(new.session_id)),
    }


class BreakableCache(MemoryCache):
    """The memory cache whose writes fail (like an unreachable Redis) when ``refuse`` says so."""

    def __init__(self, refuse: Callable[[str, bytes], bool], **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.refuse = refuse

    def _check(self, key: str, value: bytes) -> None:
        if self.refuse(key, value):
            raise DependencyUnavailable("The cache is not reachable.", code="cache_unavailable")

    async def set(self, key: str, value: bytes, *, ttl_seconds: float | None = None) -> None:
        self._check(key, value)
        await super().set(key, value, ttl_seconds=ttl_seconds)

    async def set_many(self, items: Sequence[tuple[str, bytes, float | None]]) -> None:
        for key, value, _ in items:
            self._check(key, value)
        await super().set_many(items)


async def test_a_logout_the_cache_cannot_copy_commits_nothing(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    actor = await kit.actor(pair)
    lose_the_cache(kit, BreakableCache(lambda key, _: key.startswith("denylist:")))
    with pytest.raises(DependencyUnavailable):
        await kit.logout()(LogoutCommand(actor=actor, access_token=pair.access_token))
    assert stored_revocations(kit) == {}
    async with kit.uow() as uow:
        family = await uow.refresh_tokens.get_family(pair.session_id)
    assert family is not None
    assert family.revoked_at is None  # rolled back with the rest


async def test_a_cut_off_is_pending_while_it_commits_and_kept_if_it_cannot_be_published(
    kit: Kit,
) -> None:
    await kit.rebuild_revocations()
    await kit.seed_user("a@example.org")
    old = await kit.sign_in("a@example.org")
    current = await kit.sign_in("a@example.org")
    await kit.actor(old)  # the cut-off is cached
    # the cache takes the "pending" mark, then refuses the new cut-off (Redis went away)
    cache = BreakableCache(
        lambda key, value: key.startswith(USER_PREFIX) and value != PENDING,
        clock=lambda: kit.clock.now().timestamp(),
    )
    await cache.set_many([(COMPLETE_KEY, b"1", None)])
    lose_the_cache(kit, cache)
    kit.clock.advance(seconds=1)
    await kit.change_password()(
        ChangePasswordCommand(
            actor=await kit.actor(current),
            current_password=GOOD_PASSWORD,
            new_password="a brand new passphrase 7",
        )
    )  # committed although the cache refused the new cut-off
    assert await cache.get(USER_PREFIX + str(old.user.id)) == PENDING
    with pytest.raises(Unauthenticated):
        await kit.actor(old)  # the database decides while the mark stands
    assert (await kit.actor(current)).session_id == current.session_id  # the kept session


async def test_one_rebuilder_at_a_time(kit: Kit) -> None:
    assert await kit.state.take_rebuild_lease(30)
    assert not await kit.new_revocation_cache().rebuild()
    assert await kit.cache.get(COMPLETE_KEY) is None
    await kit.state.release_rebuild_lease()
    assert await kit.new_revocation_cache().rebuild()
    assert await kit.cache.get(COMPLETE_KEY) is not None


async def test_a_failing_rebuild_is_retried_at_most_once_per_interval(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    now = [0.0]
    lose_the_cache(kit, BreakableCache(lambda key, _: key == COMPLETE_KEY))
    revocation_cache = RevocationCache(
        kit.state, kit.uow, kit.clock, settle_seconds=0, retry_seconds=5, monotonic=lambda: now[0]
    )
    kit.revocation_cache = revocation_cache
    attempts = 0
    original = revocation_cache.rebuild

    async def counted() -> bool:
        nonlocal attempts
        attempts += 1
        return await original()

    revocation_cache.rebuild = counted  # type: ignore[method-assign]
    for _ in range(3):
        await kit.actor(pair)  # answered by the database; the rebuild fails
        await revocation_cache.wait()
    assert attempts == 1
    now[0] = 5.0
    await kit.actor(pair)
    await revocation_cache.wait()
    assert attempts == 2
    assert revocation_cache.rebuilds == 0
