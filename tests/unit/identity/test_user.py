"""The User aggregate and its token cut-off."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.identity.events import (
    PasswordChanged,
    RoleChanged,
    UserDeactivated,
    UserProfileChanged,
    UserReactivated,
    UserRegistered,
)
from domain.identity.user import TokenCutoff, User
from domain.shared.access import Role
from domain.shared.errors import ValidationFailed

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def make(**overrides: object) -> User:
    fields: dict[str, object] = {
        "email": "  Grace.Hopper@Example.ORG ",
        "first_name": " Grace ",
        "last_name": "Hopper",
        "role": Role.TECHNICIAN,
        "password_hash": "hash",
        "now": NOW,
    } | overrides
    return User.register(**fields)  # type: ignore[arg-type]


def test_register_cleans_input_and_records_the_event() -> None:
    user = make()
    assert user.email == "Grace.Hopper@Example.ORG"
    assert user.email_normalized == "grace.hopper@example.org"
    assert user.first_name == "Grace"
    assert user.version == 1
    assert user.is_active
    assert user.last_login_at is None
    assert user.created_at == user.updated_at == NOW
    [event] = user.pull_events()
    assert isinstance(event, UserRegistered)
    assert event.user_id == user.id


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "no-at-sign"),
        ("email", "two@@example.org"),
        ("email", "a b@example.org"),
        ("email", "x@localhost"),
        ("email", "x" * 250 + "@ex.org"),
        ("first_name", "   "),
        ("last_name", "x" * 101),
        ("last_name", "nul\x00byte"),
    ],
)
def test_register_refuses_bad_values(field: str, value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        make(**{field: value})
    assert caught.value.errors[0].field == field


def test_password_hash_never_in_repr() -> None:
    assert "s3cret-hash" not in repr(make(password_hash="s3cret-hash"))


def test_change_password_cuts_tokens_but_keeps_one_session() -> None:
    user, kept = make(), uuid.uuid4()
    later = NOW + timedelta(minutes=5)
    user.change_password("new", later, keep_session_id=kept)
    assert user.password_hash == "new"
    assert user.tokens_valid_after == later
    cutoff = user.cutoff
    assert not cutoff.accepts(later - timedelta(milliseconds=1), uuid.uuid4())
    assert not cutoff.accepts(later - timedelta(seconds=1), None)
    assert cutoff.accepts(later - timedelta(seconds=1), kept)
    assert cutoff.accepts(later, None)
    assert isinstance(user.pull_events()[-1], PasswordChanged)


def test_role_change_cuts_every_session() -> None:
    user = make()
    user.pull_events()
    user.change_role(Role.MANAGER, NOW)
    assert user.role is Role.MANAGER
    assert user.tokens_valid_after == NOW
    [event] = user.pull_events()
    assert isinstance(event, RoleChanged)
    assert (event.old_role, event.new_role) == (Role.TECHNICIAN, Role.MANAGER)
    user.change_role(Role.MANAGER, NOW + timedelta(hours=1))
    assert user.pull_events() == []
    assert user.tokens_valid_after == NOW


def test_deactivate_and_reactivate() -> None:
    user = make()
    user.pull_events()
    user.deactivate(NOW)
    user.deactivate(NOW)
    assert not user.is_active
    assert not user.cutoff.accepts(NOW + timedelta(days=1), None)
    user.reactivate(NOW)
    assert [type(e) for e in user.pull_events()] == [UserDeactivated, UserReactivated]
    assert user.cutoff.accepts(NOW, None)


def test_rename_records_only_changed_fields() -> None:
    user = make()
    user.pull_events()
    user.rename(NOW, first_name="Grace", last_name=None)
    assert user.pull_events() == []
    user.rename(NOW, first_name=None, last_name=" Murray ")
    [event] = user.pull_events()
    assert isinstance(event, UserProfileChanged)
    assert event.fields == ("last_name",)
    assert user.last_name == "Murray"


def test_cutoff_without_instant_accepts_everything_while_active() -> None:
    assert TokenCutoff(active=True).accepts(NOW, None)
    assert not TokenCutoff(active=False).accepts(NOW, None)
