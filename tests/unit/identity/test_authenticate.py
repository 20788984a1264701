"""Authenticate: signature, denylist, per-user cut-off, cache-first."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from adapters.cache.memory import MemoryCache
from application.identity.authenticate import Authenticate
from application.identity.session_state import (
    DENYLIST_PREFIX,
    USER_PREFIX,
    SessionState,
    UserRecord,
)
from application.identity.use_cases.logout import Logout, LogoutCommand
from application.identity.use_cases.update_user import UpdateUserCommand
from application.identity.views import UserView
from domain.identity.user import TokenCutoff
from domain.shared.access import Actor, Role
from domain.shared.errors import Unauthenticated
from entrypoints.bootstrap.identity import VerifiedTokenCache
from tests.unit.identity.conftest import Kit


class CountingUnitOfWorkKit(Kit):
    """Counts how often Authenticate opens a unit of work (a database round trip)."""

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


async def test_a_valid_token_gives_the_actor(kit: Kit) -> None:
    user = await kit.seed_user("a@example.org", Role.MANAGER)
    pair = await kit.sign_in("a@example.org")
    assert await kit.actor(pair) == Actor(user.id, Role.MANAGER, pair.session_id)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
async def test_malformed_tokens_are_refused(kit: Kit, token: str) -> None:
    with pytest.raises(Unauthenticated):
        await kit.authenticate()(token)


async def test_expired_tokens_are_refused(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    kit.clock.advance(minutes=16)
    with pytest.raises(Unauthenticated):
        await kit.actor(pair)


async def test_refresh_tokens_are_not_bearer_tokens(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    with pytest.raises(Unauthenticated):
        await kit.authenticate()(pair.refresh_token)


async def test_hot_path_needs_no_database_once_cached() -> None:
    kit = CountingUnitOfWorkKit()
    await kit.rebuild_revocations()
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    kit.opened = 0
    await kit.actor(pair)
    assert kit.opened == 0  # the login published the user's record
    await kit.cache.delete(USER_PREFIX + str(pair.user.id))  # expired
    await kit.actor(pair)
    assert kit.opened == 1  # cache miss: one read, then cached
    for _ in range(3):
        await kit.actor(pair)
    assert kit.opened == 1


async def test_cache_miss_falls_back_to_the_database(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    async with kit.uow() as uow:
        user = await uow.users.get(pair.user.id)
        assert user is not None
        kit.clock.advance(seconds=1)
        user.deactivate(kit.clock.now())
        await uow.users.save(user)
        await uow.commit()
    await kit.cache.delete(USER_PREFIX + str(pair.user.id))  # the login's record expired
    # nothing was published to the cache: the database answers
    with pytest.raises(Unauthenticated):
        await kit.actor(pair)


async def test_denylisted_jti_is_refused(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    claims = kit.tokens.verify(pair.access_token, token_type="access")
    await kit.state.deny(claims.jti, remaining_seconds=60)
    assert await kit.cache.get(DENYLIST_PREFIX + claims.jti) is not None
    with pytest.raises(Unauthenticated):
        await kit.actor(pair)


async def test_role_change_kills_older_tokens_through_the_cache(kit: Kit) -> None:
    admin = await kit.seed_user("admin@example.org", Role.ADMIN)
    await kit.seed_user("t@example.org", Role.TECHNICIAN)
    admin_pair = await kit.sign_in("admin@example.org")
    pair = await kit.sign_in("t@example.org")
    await kit.actor(pair)  # cached as valid
    kit.clock.advance(seconds=2)
    await kit.update_user()(
        UpdateUserCommand(
            actor=await kit.actor(admin_pair), user_id=pair.user.id, role=Role.MANAGER
        )
    )
    assert await kit.cache.get(USER_PREFIX + str(pair.user.id)) is not None
    with pytest.raises(Unauthenticated):
        await kit.actor(pair)
    kit.clock.advance(seconds=1)
    fresh = await kit.sign_in("t@example.org")
    assert (await kit.actor(fresh)).role is Role.MANAGER
    assert admin.role is Role.ADMIN


async def test_tokens_issued_in_the_same_second_after_a_cut_survive(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    kit.clock.advance(seconds=0.2)
    user = await kit.stored_user("a@example.org")
    user.revoke_sessions(kit.clock.now())
    await kit.state.publish(UserRecord.of(user))
    kit.clock.advance(seconds=0.3)  # same whole second as the cut-off
    pair = await kit.sign_in("a@example.org")
    assert (await kit.actor(pair)).user_id == user.id


async def test_unreadable_cache_entry_is_a_miss(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    await kit.cache.set(USER_PREFIX + str(pair.user.id), b"{not json")
    assert (await kit.actor(pair)).user_id == pair.user.id


class CountingCache(MemoryCache):
    """The memory cache, counting read round trips (``get`` and ``get_many`` calls)."""

    reads = 0

    async def get(self, key: str) -> bytes | None:
        self.reads += 1
        return await super().get(key)

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        self.reads += 1
        return await super().get_many(keys)


def counting_kit() -> tuple[Kit, CountingCache]:
    kit = Kit()
    cache = CountingCache(clock=lambda: kit.clock.now().timestamp())
    kit.cache = cache
    kit.state = SessionState(cache, ttl_seconds=kit.policy.user_state_cache_ttl_seconds)
    kit.revocation_cache = kit.new_revocation_cache()
    return kit, cache


async def test_hot_path_is_one_cache_round_trip() -> None:
    kit, cache = counting_kit()
    await kit.rebuild_revocations()
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    await kit.actor(pair)  # the first one fills the cut-off from the database
    cache.reads = 0
    for _ in range(3):
        await kit.actor(pair)
    assert cache.reads == 3


async def test_revocation_is_seen_on_the_next_request_despite_verified_token_cache() -> None:
    """Signature checks are cached per process; the denylist and cut-off never are."""
    kit, _ = counting_kit()
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    authenticate = Authenticate(
        VerifiedTokenCache(kit.tokens, kit.clock), kit.state, kit.uow, kit.revocation_cache
    )
    actor = await authenticate(pair.access_token)
    other_instance = SessionState(kit.cache)  # another app instance sharing the cache
    await Logout(kit.uow(), kit.tokens, other_instance, kit.clock)(
        LogoutCommand(actor=actor, access_token=pair.access_token)
    )
    with pytest.raises(Unauthenticated) as caught:
        await authenticate(pair.access_token)
    assert caught.value.code == "token_revoked"


async def test_a_cut_off_published_elsewhere_is_seen_on_the_next_request() -> None:
    kit, _ = counting_kit()
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    authenticate = Authenticate(
        VerifiedTokenCache(kit.tokens, kit.clock), kit.state, kit.uow, kit.revocation_cache
    )
    await authenticate(pair.access_token)
    kit.clock.advance(seconds=1)
    stored = await kit.stored_user("a@example.org")
    await SessionState(kit.cache).publish(
        UserRecord(
            UserView.of(stored),
            TokenCutoff(active=False, after=kit.clock.now(), kept_session_id=None),
        )
    )
    with pytest.raises(Unauthenticated):
        await authenticate(pair.access_token)
