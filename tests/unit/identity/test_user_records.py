"""The cached user record: GET /auth/me and the per-request checks need no database, and
every change of the user replaces the record at once (for every instance sharing the cache)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from application.identity.session_state import (
    PENDING,
    USER_PREFIX,
    SessionState,
    UserRecord,
    _decode,
    _encode,
)
from application.identity.use_cases.change_password import ChangePasswordCommand
from application.identity.use_cases.deactivate_user import DeactivateUserCommand
from application.identity.use_cases.me import GetMe
from application.identity.use_cases.update_user import UpdateUserCommand
from application.identity.views import UserView
from domain.identity.user import TokenCutoff
from domain.shared.access import Role
from domain.shared.errors import Unauthenticated
from tests.unit.identity.conftest import GOOD_PASSWORD, Kit
from tests.unit.identity.test_authenticate import CountingUnitOfWorkKit

_instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=d.microsecond))


@given(
    email=st.emails(),
    names=st.tuples(st.text(max_size=40), st.text(max_size=40)),
    role=st.sampled_from(list(Role)),
    active=st.booleans(),
    created=_instants,
    login=st.none() | _instants,
    version=st.integers(min_value=1, max_value=2**40),
    after=st.none() | _instants,
    keep=st.none() | st.uuids(),
)
def test_a_record_reads_back_as_written(
    email: str,
    names: tuple[str, str],
    role: Role,
    active: bool,
    created: datetime,
    login: datetime | None,
    version: int,
    after: datetime | None,
    keep: object,
) -> None:
    view = UserView(
        id=uuid4(),
        email=email,
        first_name=names[0],
        last_name=names[1],
        role=role,
        is_active=active,
        created_at=created,
        updated_at=created + timedelta(seconds=1),
        last_login_at=login,
        version=version,
    )
    record = UserRecord(view, TokenCutoff(active, after, keep))  # type: ignore[arg-type]
    assert _decode(_encode(record)) == record


def test_an_unreadable_record_is_a_miss() -> None:
    for raw in (b"{not json", b"{}", b'{"id": 1}', b"[]", b'"x"'):
        assert _decode(raw) is None


async def test_me_after_authentication_asks_no_database_and_no_cache() -> None:
    kit = CountingUnitOfWorkKit()
    await kit.rebuild_revocations()
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    kit.opened = 0

    async def request() -> UserView:  # one request = one task, as under the ASGI server
        actor = await kit.actor(pair)
        return await kit.me()(actor)

    view = await asyncio.create_task(request())
    assert view.email == "a@example.org"
    assert view.last_login_at is not None
    assert kit.opened == 0


async def test_me_without_a_record_reads_the_database_once_then_the_cache() -> None:
    kit = CountingUnitOfWorkKit()
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    actor = await kit.actor(pair)
    await kit.cache.delete(USER_PREFIX + str(actor.user_id))
    SessionState.remember(None)
    kit.opened = 0
    assert (await kit.me()(actor)).email == "a@example.org"
    assert kit.opened == 1
    assert (await kit.me()(actor)).email == "a@example.org"
    assert kit.opened == 1  # filled by the first


async def _me_elsewhere(kit: Kit, pair_token: str) -> UserView:
    """GET /auth/me on another instance sharing the cache (its own SessionState)."""
    elsewhere = SessionState(kit.cache)

    async def request() -> UserView:
        from application.identity.authenticate import Authenticate

        actor = await Authenticate(kit.tokens, elsewhere, kit.uow, kit.revocation_cache)(pair_token)
        return await GetMe(kit.uow(), elsewhere)(actor)

    return await asyncio.create_task(request())


async def test_every_change_is_seen_at_once_by_another_instance(kit: Kit) -> None:
    await kit.rebuild_revocations()
    admin = await kit.seed_user("admin@example.org", Role.ADMIN)
    await kit.seed_user("t@example.org", Role.TECHNICIAN)
    admin_actor = await kit.actor(await kit.sign_in("admin@example.org"))
    pair = await kit.sign_in("t@example.org")
    before = await _me_elsewhere(kit, pair.access_token)  # cached there now

    kit.clock.advance(seconds=1)
    actor = await kit.actor(pair)
    renamed = await kit.update_user()(
        UpdateUserCommand(actor=actor, user_id=actor.user_id, first_name="Grace")
    )
    seen = await _me_elsewhere(kit, pair.access_token)
    assert seen.first_name == "Grace"
    assert seen.version == renamed.version > before.version

    kit.clock.advance(seconds=1)
    again = await kit.sign_in("t@example.org")  # a login moves last_login_at
    seen = await _me_elsewhere(kit, pair.access_token)
    assert seen.last_login_at is not None
    assert before.last_login_at is not None
    assert seen.last_login_at > before.last_login_at

    kit.clock.advance(seconds=1)
    await kit.change_password()(
        ChangePasswordCommand(
            actor=await kit.actor(again),
            current_password=GOOD_PASSWORD,
            new_password="another long passphrase 9",
        )
    )
    for old in (pair, again):
        if old is again:
            assert (await _me_elsewhere(kit, again.access_token)).id == actor.user_id  # kept
        else:
            try:
                await _me_elsewhere(kit, old.access_token)
            except Unauthenticated:
                pass
            else:
                raise AssertionError("a token from before the password change still works")

    kit.clock.advance(seconds=1)
    current = await kit.sign_in("t@example.org", "another long passphrase 9")
    kit.clock.advance(seconds=1)
    await kit.update_user()(
        UpdateUserCommand(actor=admin_actor, user_id=actor.user_id, role=Role.MANAGER)
    )
    kit.clock.advance(seconds=1)
    promoted = await kit.sign_in("t@example.org", "another long passphrase 9")
    assert (await _me_elsewhere(kit, promoted.access_token)).role is Role.MANAGER
    try:
        await _me_elsewhere(kit, current.access_token)
        raise AssertionError("a token from before the role change still works")
    except Unauthenticated:
        pass

    kit.clock.advance(seconds=1)
    await kit.deactivate_user()(DeactivateUserCommand(actor=admin_actor, user_id=actor.user_id))
    try:
        await _me_elsewhere(kit, promoted.access_token)
        raise AssertionError("a deactivated user's token still works")
    except Unauthenticated:
        pass
    assert admin.role is Role.ADMIN


async def test_a_change_in_the_same_task_drops_the_remembered_record(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    actor = await kit.actor(pair)  # remembers the record
    await kit.update_user()(UpdateUserCommand(actor=actor, user_id=actor.user_id, last_name="B"))
    assert (await kit.me()(actor)).last_name == "B"


async def test_a_pending_change_sends_me_to_the_database(kit: Kit) -> None:
    await kit.seed_user("a@example.org")
    pair = await kit.sign_in("a@example.org")
    actor = await kit.actor(pair)
    await kit.state.hold(actor.user_id)
    assert await kit.cache.get(USER_PREFIX + str(actor.user_id)) == PENDING
    assert (await kit.me()(actor)).email == "a@example.org"
    assert await kit.cache.get(USER_PREFIX + str(actor.user_id)) == PENDING  # not filled
