"""Refresh-token rotation, reuse detection, family lifetime and logout."""

from __future__ import annotations

import asyncio

import pytest

from application.identity.use_cases.logout import LogoutCommand
from application.identity.use_cases.refresh import RefreshCommand
from domain.shared.errors import Unauthenticated
from tests.unit.identity.conftest import Kit


async def _refresh(kit: Kit, token: str) -> object:
    return await kit.refresh()(RefreshCommand(refresh_token=token, client_address="192.0.2.1"))


async def test_refresh_rotates_and_kills_the_old_token(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    first = await kit.sign_in("a@example.org")
    kit.clock.advance(minutes=1)
    second = await kit.refresh()(RefreshCommand(refresh_token=first.refresh_token))
    assert second.refresh_token != first.refresh_token
    assert second.session_id == first.session_id
    assert (await kit.actor(second)).user_id == first.user.id
    third = await kit.refresh()(RefreshCommand(refresh_token=second.refresh_token))
    assert third.access_token


async def test_reusing_a_rotated_token_revokes_the_family(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    first = await kit.sign_in("a@example.org")
    second = await kit.refresh()(RefreshCommand(refresh_token=first.refresh_token))
    with pytest.raises(Unauthenticated):
        await kit.refresh()(RefreshCommand(refresh_token=first.refresh_token))
    assert "RefreshReuseDetected" in kit.security_log.names()
    family = kit.store.tables["refresh_families"][first.session_id]
    assert family.revoked_at is not None  # committed despite the error
    with pytest.raises(Unauthenticated):  # the legitimate newest token is dead too
        await kit.refresh()(RefreshCommand(refresh_token=second.refresh_token))


async def test_reuse_kills_the_access_tokens_of_the_family_at_once(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    first = await kit.sign_in("a@example.org")
    other = await kit.sign_in("a@example.org")
    second = await kit.refresh()(RefreshCommand(refresh_token=first.refresh_token))
    assert (await kit.actor(second)).session_id == first.session_id
    with pytest.raises(Unauthenticated):  # the replay
        await kit.refresh()(RefreshCommand(refresh_token=first.refresh_token))
    for pair in (first, second):
        with pytest.raises(Unauthenticated) as caught:
            await kit.actor(pair)
        assert caught.value.code == "token_revoked"
    assert (await kit.actor(other)).session_id == other.session_id  # another session lives


async def test_logout_kills_every_access_token_of_the_session(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    first = await kit.sign_in("a@example.org")
    second = await kit.refresh()(RefreshCommand(refresh_token=first.refresh_token))
    other = await kit.sign_in("a@example.org")
    actor = await kit.actor(second)
    await kit.logout()(LogoutCommand(actor=actor, access_token=second.access_token))
    for pair in (first, second):
        with pytest.raises(Unauthenticated):
            await kit.actor(pair)
    assert (await kit.actor(other)).user_id == actor.user_id


async def test_reuse_leaves_other_sessions_alone(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    stolen = await kit.sign_in("a@example.org")
    other = await kit.sign_in("a@example.org")
    await kit.refresh()(RefreshCommand(refresh_token=stolen.refresh_token))
    with pytest.raises(Unauthenticated):
        await kit.refresh()(RefreshCommand(refresh_token=stolen.refresh_token))
    assert (await kit.refresh()(RefreshCommand(refresh_token=other.refresh_token))).access_token


async def test_concurrent_refreshes_with_one_token_give_one_success(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    results = await asyncio.gather(
        _refresh(kit, pair.refresh_token),
        _refresh(kit, pair.refresh_token),
        return_exceptions=True,
    )
    assert sum(1 for r in results if isinstance(r, Unauthenticated)) == 1
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 1


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 600])
async def test_unknown_tokens_are_refused(kit: Kit, token: str) -> None:
    with pytest.raises(Unauthenticated) as caught:
        await kit.refresh()(RefreshCommand(refresh_token=token))
    assert caught.value.code == "invalid_refresh_token"
    assert kit.security_log.names() == []


async def test_a_family_never_outlives_its_absolute_life(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    for _ in range(6):  # keep rotating every day
        kit.clock.advance(days=1)
        pair = await kit.refresh()(RefreshCommand(refresh_token=pair.refresh_token))
    kit.clock.advance(days=1)  # 7 days after the login
    with pytest.raises(Unauthenticated):
        await kit.refresh()(RefreshCommand(refresh_token=pair.refresh_token))


async def test_refresh_refused_for_a_deactivated_user(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    async with kit.uow() as uow:
        user = await uow.users.get(pair.user.id)
        assert user is not None
        user.is_active = False
        await uow.users.save(user)
        await uow.commit()
    with pytest.raises(Unauthenticated):
        await kit.refresh()(RefreshCommand(refresh_token=pair.refresh_token))


async def test_logout_kills_the_access_token_and_the_family(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    other = await kit.sign_in("a@example.org")
    actor = await kit.actor(pair)
    await kit.logout()(
        LogoutCommand(actor=actor, access_token=pair.access_token, refresh_token=pair.refresh_token)
    )
    with pytest.raises(Unauthenticated) as caught:
        await kit.actor(pair)
    assert caught.value.code == "token_revoked"
    with pytest.raises(Unauthenticated):
        await kit.refresh()(RefreshCommand(refresh_token=pair.refresh_token))
    assert (await kit.actor(other)).user_id == actor.user_id  # other sessions live on
    assert (await kit.refresh()(RefreshCommand(refresh_token=other.refresh_token))).access_token


async def test_logout_without_refresh_token_still_ends_the_session(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    actor = await kit.actor(pair)
    await kit.logout()(LogoutCommand(actor=actor, access_token=pair.access_token))
    with pytest.raises(Unauthenticated):
        await kit.refresh()(RefreshCommand(refresh_token=pair.refresh_token))


async def test_logout_ignores_someone_elses_refresh_token(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    await kit.seed_user("b@example.org")
    mine = await kit.sign_in("a@example.org")
    theirs = await kit.sign_in("b@example.org")
    await kit.logout()(
        LogoutCommand(
            actor=await kit.actor(mine),
            access_token=mine.access_token,
            refresh_token=theirs.refresh_token,
        )
    )
    assert (await kit.refresh()(RefreshCommand(refresh_token=theirs.refresh_token))).access_token
