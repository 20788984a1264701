"""Sign-up and login, including abuse resistance."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from application.identity.policy import IdentityPolicy
from application.identity.use_cases.login import LoginCommand
from application.identity.use_cases.register import RegisterCommand
from domain.identity.events import LoginSucceeded, UserRegistered
from domain.shared.access import Role
from domain.shared.errors import (
    Conflict,
    Forbidden,
    RateLimited,
    Unauthenticated,
    ValidationFailed,
)
from tests.unit.identity.conftest import GOOD_PASSWORD, Kit

SIGNUP = RegisterCommand(
    email="Client@Example.org", password=GOOD_PASSWORD, first_name="Cli", last_name="Ent"
)


async def test_register_creates_a_client() -> None:
    kit = Kit()
    user = await kit.register()(SIGNUP)
    assert user.role is Role.CLIENT
    assert user.email == "Client@Example.org"
    assert user.version == 1
    stored = await kit.stored_user("client@example.org")
    assert stored.password_hash != GOOD_PASSWORD
    assert await kit.hasher.verify(GOOD_PASSWORD, stored.password_hash)
    assert any(isinstance(e, UserRegistered) for e in kit.published)


async def test_register_refuses_a_taken_email_in_any_case(kit: Kit) -> None:
    await kit.register()(SIGNUP)
    with pytest.raises(Conflict) as caught:
        await kit.register()(replace(SIGNUP, email="CLIENT@example.ORG"))
    assert caught.value.code == "email_taken"


async def test_concurrent_registrations_with_one_email(kit: Kit) -> None:
    results = await asyncio.gather(
        kit.register()(SIGNUP),
        kit.register()(replace(SIGNUP, email="client@EXAMPLE.org")),
        return_exceptions=True,
    )
    assert sum(1 for r in results if isinstance(r, Conflict)) == 1
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 1
    assert len(kit.store.tables["users"]) == 1


async def test_register_refuses_weak_passwords(kit: Kit) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await kit.register()(replace(SIGNUP, password="password1234"))
    assert caught.value.code == "weak_password"
    with pytest.raises(ValidationFailed):
        await kit.register()(replace(SIGNUP, password="my-client-password"))
    assert "users" not in kit.store.tables


async def test_register_when_signup_is_disabled() -> None:
    kit = Kit(policy=IdentityPolicy(signup_enabled=False))
    with pytest.raises(Forbidden) as caught:
        await kit.register()(SIGNUP)
    assert caught.value.code == "signup_disabled"


async def test_login_returns_a_token_pair(kit: Kit) -> None:
    await kit.seed_user("tech@example.org", Role.TECHNICIAN)
    pair = await kit.sign_in("TECH@example.org")
    assert pair.token_type == "bearer"
    assert pair.expires_in == 900
    assert pair.user.role is Role.TECHNICIAN
    assert pair.user.last_login_at == kit.clock.now()
    assert len(pair.refresh_token) >= 43  # 256 bits, url-safe
    actor = await kit.actor(pair)
    assert actor.role is Role.TECHNICIAN
    assert actor.session_id == pair.session_id
    assert any(isinstance(e, LoginSucceeded) for e in kit.published)
    stored_tokens = kit.store.tables["refresh_tokens"]
    assert pair.refresh_token not in stored_tokens
    assert len(stored_tokens) == 1


async def test_concurrent_logins_of_one_account_all_succeed(kit: Kit) -> None:
    user = await kit.seed_user("tech@example.org", Role.TECHNICIAN)
    pairs = await asyncio.gather(*(kit.sign_in("tech@example.org") for _ in range(5)))
    assert len({pair.session_id for pair in pairs}) == 5
    stored = kit.store.tables["users"][user.id]
    assert stored.last_login_at == kit.clock.now()
    assert stored.version == user.version  # a login is not an edit: If-Match stays valid


@pytest.mark.parametrize("email", ["tech@example.org", "nobody@example.org"])
async def test_bad_credentials_look_the_same(kit: Kit, email: str) -> None:
    await kit.seed_user("tech@example.org")
    with pytest.raises(Unauthenticated) as caught:
        await kit.sign_in(email, password="wrong password here")
    assert caught.value.code == "invalid_credentials"
    assert caught.value.detail == "The e-mail or password is incorrect."
    assert kit.security_log.names() == ["LoginFailed"]


async def test_inactive_user_gets_invalid_credentials(kit: Kit) -> None:
    await kit.seed_user("gone@example.org")
    async with kit.uow() as uow:
        user = await uow.users.get_by_email("gone@example.org")
        assert user is not None
        user.deactivate(kit.clock.now())
        await uow.users.save(user)
        await uow.commit()
    with pytest.raises(Unauthenticated) as caught:
        await kit.sign_in("gone@example.org")
    assert caught.value.code == "invalid_credentials"


async def test_five_failures_lock_the_account_and_address(kit: Kit) -> None:
    await kit.seed_user("tech@example.org")
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            await kit.sign_in("tech@example.org", password="wrong password here")
    assert "AccountLocked" in kit.security_log.names()
    with pytest.raises(RateLimited) as caught:  # even with the right password
        await kit.sign_in("tech@example.org")
    assert caught.value.code == "too_many_attempts"
    assert 1 <= caught.value.retry_after <= 900
    # another address is not locked by this pair counter
    pair = await kit.sign_in("tech@example.org", address="198.51.100.1")
    assert pair.user.email == "tech@example.org"
    kit.clock.advance(minutes=15)
    assert (await kit.sign_in("tech@example.org")).access_token


async def test_success_resets_the_pair_counter(kit: Kit) -> None:
    await kit.seed_user("tech@example.org")
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            await kit.sign_in("tech@example.org", password="wrong password here")
    await kit.sign_in("tech@example.org")
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            await kit.sign_in("tech@example.org", password="wrong password here")
    assert (await kit.sign_in("tech@example.org")).access_token


async def test_account_limit_from_many_addresses() -> None:
    kit = Kit(policy=IdentityPolicy(login_account_limit=6))
    await kit.seed_user("tech@example.org")
    for i in range(6):
        with pytest.raises(Unauthenticated):
            await kit.sign_in("tech@example.org", "wrong password here", address=f"10.0.0.{i}")
    with pytest.raises(RateLimited):
        await kit.sign_in("tech@example.org", address="10.9.9.9")
    kit.clock.advance(hours=1)
    assert (await kit.sign_in("tech@example.org", address="10.9.9.9")).access_token


async def test_unknown_accounts_are_throttled_too(kit: Kit) -> None:
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            await kit.sign_in("ghost@example.org", "wrong password here")
    with pytest.raises(RateLimited):
        await kit.sign_in("ghost@example.org", "wrong password here")


async def test_login_command_never_shows_the_password() -> None:
    command = LoginCommand(email="a@example.org", password="hunter2-hunter2")
    assert "hunter2" not in repr(command)


async def test_successful_logins_from_one_address_never_count() -> None:
    kit = Kit(policy=IdentityPolicy(login_address_limit=3))
    emails = [f"staff{n}@example.org" for n in range(12)]
    for email in emails:
        await kit.seed_user(email)
    for email in emails:  # a whole shift behind one NAT address, well past every limit
        assert (await kit.sign_in(email, address="192.0.2.10")).access_token
    assert "AccountLocked" not in kit.security_log.names()


async def test_failures_from_one_address_across_accounts_refuse_that_address() -> None:
    kit = Kit(policy=IdentityPolicy(login_address_limit=8, login_address_window_seconds=600))
    await kit.seed_user("victim@example.org")
    for n in range(8):  # password spraying: two tries on each of four accounts
        with pytest.raises(Unauthenticated):
            await kit.sign_in(f"sprayed{n // 2}@example.org", "wrong password here")
    with pytest.raises(RateLimited) as caught:  # any account, even the right password
        await kit.sign_in("victim@example.org")
    assert caught.value.code == "too_many_attempts"
    assert 1 <= caught.value.retry_after <= 600
    assert "AccountLocked" not in kit.security_log.names()  # no account was locked
    # another address is not affected, and the address recovers after the window
    assert (await kit.sign_in("victim@example.org", address="198.51.100.9")).access_token
    kit.clock.advance(minutes=10)
    assert (await kit.sign_in("victim@example.org")).access_token
