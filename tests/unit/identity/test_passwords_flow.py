"""Changing a password, and resetting a forgotten one."""

from __future__ import annotations

import re

import pytest

from application.identity.tokens import hash_token
from application.identity.use_cases.change_password import ChangePasswordCommand
from application.identity.use_cases.confirm_password_reset import ConfirmPasswordResetCommand
from application.identity.use_cases.refresh import RefreshCommand
from application.identity.use_cases.request_password_reset import RequestPasswordResetCommand
from domain.identity.events import PasswordChanged
from domain.shared.errors import BadRequest, Unauthenticated, ValidationFailed
from tests.unit.identity.conftest import GOOD_PASSWORD, Kit

NEW_PASSWORD = "a brand new passphrase 42"


async def test_change_password_revokes_every_other_session(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    current = await kit.sign_in("a@example.org")
    other = await kit.sign_in("a@example.org")
    actor = await kit.actor(current)
    kit.clock.advance(seconds=1)
    await kit.change_password()(
        ChangePasswordCommand(
            actor=actor, current_password=GOOD_PASSWORD, new_password=NEW_PASSWORD
        )
    )
    assert (await kit.actor(current)).user_id == actor.user_id  # this session lives on
    assert (await kit.refresh()(RefreshCommand(refresh_token=current.refresh_token))).user
    with pytest.raises(Unauthenticated):
        await kit.actor(other)
    with pytest.raises(Unauthenticated):
        await kit.refresh()(RefreshCommand(refresh_token=other.refresh_token))
    with pytest.raises(Unauthenticated):
        await kit.sign_in("a@example.org")
    assert (await kit.sign_in("a@example.org", NEW_PASSWORD)).access_token
    assert any(isinstance(e, PasswordChanged) for e in kit.published)


async def test_change_password_checks_the_current_one(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    actor = await kit.actor(await kit.sign_in("a@example.org"))
    with pytest.raises(BadRequest) as caught:
        await kit.change_password()(
            ChangePasswordCommand(
                actor=actor, current_password="not the password", new_password=NEW_PASSWORD
            )
        )
    assert caught.value.code == "invalid_current_password"


async def test_change_password_applies_the_policy(kit: Kit) -> None:
    await kit.seed_user("someone@example.org")
    actor = await kit.actor(await kit.sign_in("someone@example.org"))
    with pytest.raises(ValidationFailed) as caught:
        await kit.change_password()(
            ChangePasswordCommand(
                actor=actor,
                current_password=GOOD_PASSWORD,
                new_password="someone-is-my-password",
            )
        )
    assert caught.value.code == "weak_password"
    assert caught.value.errors[0].field == "new_password"


def _mailed_token(kit: Kit) -> str:
    match = re.search(r"^[A-Za-z0-9_-]{43}$", kit.mailer.sent[-1].text, re.MULTILINE)
    assert match is not None
    return match.group(0)


async def _request(kit: Kit, email: str) -> None:
    await kit.request_reset()(RequestPasswordResetCommand(email=email))


async def test_reset_sends_a_one_time_token_and_stores_only_its_hash(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    await _request(kit, "A@EXAMPLE.ORG")
    [mail] = kit.mailer.sent
    assert mail.to == "a@example.org"
    token = _mailed_token(kit)
    assert set(kit.store.tables["password_resets"]) == {hash_token(token)}
    kit.clock.advance(minutes=5)
    await kit.confirm_reset()(ConfirmPasswordResetCommand(token=token, new_password=NEW_PASSWORD))
    assert (await kit.sign_in("a@example.org", NEW_PASSWORD)).access_token
    with pytest.raises(Unauthenticated):  # every session ended
        await kit.refresh()(RefreshCommand(refresh_token=pair.refresh_token))
    with pytest.raises(Unauthenticated):
        await kit.actor(pair)
    with pytest.raises(BadRequest) as caught:  # single use
        await kit.confirm_reset()(
            ConfirmPasswordResetCommand(token=token, new_password="yet another passphrase")
        )
    assert caught.value.code == "invalid_reset_token"


async def test_reset_for_unknown_email_is_silent(kit: Kit) -> None:
    await _request(kit, "nobody@example.org")
    await _request(kit, "not an email")
    assert kit.mailer.sent == []


async def test_expired_reset_token_is_refused(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    await _request(kit, "a@example.org")
    token = _mailed_token(kit)
    kit.clock.advance(minutes=31)
    with pytest.raises(BadRequest) as caught:
        await kit.confirm_reset()(
            ConfirmPasswordResetCommand(token=token, new_password=NEW_PASSWORD)
        )
    assert caught.value.code == "invalid_reset_token"


async def test_a_newer_reset_token_supersedes_the_older(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    await _request(kit, "a@example.org")
    older = _mailed_token(kit)
    await _request(kit, "a@example.org")
    newer = _mailed_token(kit)
    with pytest.raises(BadRequest):
        await kit.confirm_reset()(
            ConfirmPasswordResetCommand(token=older, new_password=NEW_PASSWORD)
        )
    await kit.confirm_reset()(ConfirmPasswordResetCommand(token=newer, new_password=NEW_PASSWORD))


async def test_weak_password_does_not_burn_the_reset_token(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    await _request(kit, "a@example.org")
    token = _mailed_token(kit)
    with pytest.raises(ValidationFailed):
        await kit.confirm_reset()(ConfirmPasswordResetCommand(token=token, new_password="short"))
    await kit.confirm_reset()(ConfirmPasswordResetCommand(token=token, new_password=NEW_PASSWORD))


async def test_reset_mails_are_rate_limited_per_account(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    for _ in range(8):
        await _request(kit, "a@example.org")
    assert len(kit.mailer.sent) == kit.policy.reset_requests_per_hour


@pytest.mark.parametrize("token", ["", "unknown-token", "x" * 1000])
async def test_unknown_reset_tokens_are_refused(kit: Kit, token: str) -> None:
    with pytest.raises(BadRequest) as caught:
        await kit.confirm_reset()(
            ConfirmPasswordResetCommand(token=token, new_password=NEW_PASSWORD)
        )
    assert caught.value.code == "invalid_reset_token"
