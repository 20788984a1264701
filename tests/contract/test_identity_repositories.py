"""Contract of the identity repositories and unit of work: memory, SQLite and PostgreSQL.

The PostgreSQL database is shared by the whole session, so every test makes its own
users (unique e-mails, a unique marker in last names) and only looks at those.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.persistence.memory.identity import MemoryIdentityUnitOfWork
from adapters.persistence.memory.store import MemoryStore
from adapters.persistence.sqlalchemy.engine import SqlDatabase
from adapters.persistence.sqlalchemy.identity import SqlIdentityUnitOfWork
from adapters.persistence.sqlalchemy.migrations import upgrade
from application.identity.ports import IdentityUnitOfWork, UserFilters
from application.shared.events import EventBus, EventPublisher
from application.shared.pagination import Sort
from domain.identity.events import UserRegistered
from domain.identity.password_reset import PasswordResetToken
from domain.identity.preferences import Preferences
from domain.identity.revocations import Revocation
from domain.identity.sessions import RefreshFamily, RefreshToken
from domain.identity.user import User
from domain.shared.access import Role
from domain.shared.errors import Conflict, PreconditionFailed, UnknownReference
from domain.shared.events import DomainEvent

NOW = datetime(2025, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
TTL = 3600

UowFactory = Callable[..., IdentityUnitOfWork]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def make_uow(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[UowFactory]:
    if request.param == "memory":
        store = MemoryStore()

        def memory(publisher: EventPublisher | None = None) -> IdentityUnitOfWork:
            return MemoryIdentityUnitOfWork(store, publisher)

        yield memory
        return
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}"
        upgrade(url)
    else:
        url = request.getfixturevalue("migrated_postgres_url")
    database = SqlDatabase.from_settings(url=url, pool_size=4, max_overflow=2)

    def sql(publisher: EventPublisher | None = None) -> IdentityUnitOfWork:
        return SqlIdentityUnitOfWork(database, publisher)

    try:
        yield sql
    finally:
        await database.aclose()


def _marker() -> str:
    return uuid.uuid4().hex[:12]


def _user(
    email: str | None = None,
    *,
    first_name: str = "Ada",
    last_name: str = "Lovelace",
    role: Role = Role.CLIENT,
    now: datetime = NOW,
) -> User:
    return User.register(
        email=email or f"user.{_marker()}@example.test",
        first_name=first_name,
        last_name=last_name,
        role=role,
        password_hash="$argon2id$fake-hash",
        now=now,
    )


async def _store(make_uow: UowFactory, *users: User) -> None:
    async with make_uow() as uow:
        for user in users:
            await uow.users.add(user)
        await uow.commit()


# --- users --------------------------------------------------------------------------------


async def test_add_then_get_and_case_insensitive_lookup(make_uow: UowFactory) -> None:
    received: list[DomainEvent] = []
    bus = EventBus()

    async def record(event: DomainEvent) -> None:
        received.append(event)

    bus.subscribe(UserRegistered, record)
    marker = _marker()
    user = _user(f"Ada.{marker}@Example.TEST")
    user.tokens_valid_after = NOW + timedelta(microseconds=5)
    user.kept_session_id = uuid.uuid4()
    user.last_login_at = NOW + timedelta(seconds=1)
    async with make_uow(bus) as uow:
        await uow.users.add(user)
        assert received == []
        await uow.commit()
    assert [type(e) for e in received] == [UserRegistered]

    async with make_uow() as uow:
        found = await uow.users.get(user.id)
        by_email = await uow.users.get_by_email(f"  ada.{marker}@example.test ")
        assert await uow.users.get(uuid.uuid4()) is None
        assert await uow.users.get_by_email(f"other.{marker}@example.test") is None
    assert found is not None
    assert by_email is not None
    assert by_email.id == user.id
    for field in (
        "email",
        "first_name",
        "last_name",
        "role",
        "is_active",
        "password_hash",
        "created_at",
        "updated_at",
        "tokens_valid_after",
        "kept_session_id",
        "last_login_at",
        "version",
    ):
        assert getattr(found, field) == getattr(user, field), field
    assert found.email == f"Ada.{marker}@Example.TEST"  # stored as entered
    assert found.created_at.tzinfo is not None
    assert found.created_at.utcoffset() == timedelta(0)
    assert found.pending_events == ()


async def test_duplicate_email_is_a_conflict_and_the_transaction_goes_on(
    make_uow: UowFactory,
) -> None:
    marker = _marker()
    await _store(make_uow, _user(f"dup.{marker}@example.test"))
    other = _user(f"other.{marker}@example.test")
    async with make_uow() as uow:
        with pytest.raises(Conflict) as caught:
            await uow.users.add(_user(f"DUP.{marker}@EXAMPLE.test"))
        assert caught.value.code == "email_taken"
        assert [e.field for e in caught.value.errors] == ["email"]
        await uow.users.add(other)
        await uow.commit()
    async with make_uow() as uow:
        assert await uow.users.get(other.id) is not None


async def test_concurrent_registrations_of_one_email_give_one_success(
    make_uow: UowFactory,
) -> None:
    email = f"race.{_marker()}@example.test"
    candidates = [_user(email), _user(email.upper())]

    async def register(user: User) -> User:
        async with make_uow() as uow:
            await uow.users.add(user)
            await uow.commit()
        return user

    results = await asyncio.gather(*(register(u) for u in candidates), return_exceptions=True)
    winners = [r for r in results if isinstance(r, User)]
    losers = [r for r in results if not isinstance(r, User)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert isinstance(losers[0], Conflict)
    assert losers[0].code == "email_taken"
    async with make_uow() as uow:
        stored = await uow.users.get_by_email(email)
    assert stored is not None
    assert stored.id == winners[0].id


async def test_save_bumps_the_version_and_a_stale_save_fails(make_uow: UowFactory) -> None:
    user = _user()
    await _store(make_uow, user)
    later = NOW + timedelta(hours=1)
    async with make_uow() as uow:
        loaded = await uow.users.get(user.id)
        assert loaded is not None
        loaded.rename(later, first_name="Augusta", last_name=None)
        loaded.change_role(Role.MANAGER, later)
        loaded.record_login(later)
        await uow.users.save(loaded)
        assert loaded.version == 2
        await uow.commit()

    async with make_uow() as uow:
        fresh = await uow.users.get(user.id)
    assert fresh is not None
    assert (fresh.first_name, fresh.role, fresh.version) == ("Augusta", Role.MANAGER, 2)
    assert fresh.last_login_at == later
    assert fresh.tokens_valid_after == later

    stale = user  # still at version 1
    stale.deactivate(later)
    async with make_uow() as uow:
        with pytest.raises(PreconditionFailed):
            await uow.users.save(stale)
    ghost = _user()
    async with make_uow() as uow:
        with pytest.raises(PreconditionFailed):
            await uow.users.save(ghost)  # never stored


async def test_record_login_keeps_the_version_and_never_conflicts(make_uow: UowFactory) -> None:
    user = _user()
    await _store(make_uow, user)
    moments = [NOW + timedelta(minutes=m) for m in (1, 2, 3)]

    async def login(at: datetime) -> None:
        async with make_uow() as uow:
            await uow.users.record_login(user.id, at)
            await uow.commit()

    await asyncio.gather(*(login(at) for at in moments))
    async with make_uow() as uow:
        fresh = await uow.users.get(user.id)
    assert fresh is not None
    assert fresh.version == 1
    assert fresh.last_login_at in moments
    async with make_uow() as uow:  # an edit based on the pre-login version still applies
        assert fresh is not None
        fresh.rename(NOW, first_name="Grace", last_name=None)
        await uow.users.save(fresh)
        await uow.commit()


async def test_list_filters_sorts_and_pages(make_uow: UowFactory) -> None:
    m = _marker()
    t0 = NOW
    users = {
        "alice": _user(first_name="alice", last_name=f"Dupont-{m}", role=Role.ADMIN, now=t0),
        "bob": _user(first_name="Bob", last_name=f"Per%{m}", now=t0 + timedelta(minutes=1)),
        "carol": _user(first_name="carol", last_name=f"Under_{m}", now=t0 + timedelta(minutes=2)),
        "dan": _user(first_name="Dan", last_name=f"Dupont-{m}", role=Role.ADMIN, now=t0),
    }
    users["bob"].record_login(t0 + timedelta(days=2))
    users["carol"].record_login(t0 + timedelta(days=1))
    users["dan"].deactivate(t0)
    await _store(make_uow, *users.values())
    name_of = {u.id: name for name, u in users.items()}
    tie = [name_of[i] for i in sorted((users["alice"].id, users["dan"].id), key=lambda i: i.int)]

    async def names(filters: UserFilters, sort: str = "first_name", **page: int) -> list[str]:
        items, total = await uow.users.list(
            filters,
            limit=page.get("limit", 50),
            offset=page.get("offset", 0),
            sort=Sort.parse(sort, {sort.lstrip("-")}, sort),
        )
        assert total == page.get("total", total)
        return [name_of[u.id] for u in items]

    async with make_uow() as uow:
        everyone = UserFilters(q=m.upper())
        assert await names(everyone) == ["alice", "bob", "carol", "dan"]  # case-insensitive
        assert await names(everyone, "-first_name") == ["dan", "carol", "bob", "alice"]
        assert await names(UserFilters(q=f"%{m}")) == ["bob"]  # % and _ are literal
        assert await names(UserFilters(q=f"_{m}")) == ["carol"]
        assert await names(UserFilters(q=f"dupont-{m}", role=Role.ADMIN)) == ["alice", "dan"]
        assert await names(UserFilters(q=m, is_active=False)) == ["dan"]
        assert await names(UserFilters(q=m, role=Role.CLIENT, is_active=True)) == [
            "bob",
            "carol",
        ]
        assert await names(UserFilters(q=m, user_id=users["bob"].id)) == ["bob"]
        assert await names(UserFilters(q=f"nobody-{m}"), total=0) == []
        # None first ascending, last descending; equal values ordered by id both ways
        assert await names(everyone, "last_login_at") == [*tie, "carol", "bob"]
        assert await names(everyone, "-last_login_at") == ["bob", "carol", *tie]
        assert await names(everyone, "-created_at") == ["carol", "bob", *tie]
        assert await names(everyone, "created_at") == [*tie, "bob", "carol"]
        # a page, with the total of every match
        assert await names(everyone, "first_name", limit=2, offset=1, total=4) == ["bob", "carol"]
        assert await names(everyone, "first_name", limit=2, offset=10, total=4) == []
        assert await names(everyone, "first_name", limit=0, total=4) == []


# --- refresh tokens -----------------------------------------------------------------------


async def _session(make_uow: UowFactory, user: User, token_hash: str) -> RefreshFamily:
    family = RefreshFamily.start(user.id, NOW, TTL)
    async with make_uow() as uow:
        await uow.refresh_tokens.add_family(family)
        await uow.refresh_tokens.add_token(RefreshToken.issue(family, token_hash, NOW, TTL))
        await uow.commit()
    return family


async def test_refresh_family_lifecycle(make_uow: UowFactory) -> None:
    user = _user()
    await _store(make_uow, user)
    token_hash = uuid.uuid4().hex * 2
    family = await _session(make_uow, user, token_hash)
    used_at = NOW + timedelta(minutes=5)

    async with make_uow() as uow:
        got_family = await uow.refresh_tokens.get_family(family.id)
        assert got_family is not None
        assert (got_family.user_id, got_family.created_at) == (user.id, NOW)
        assert got_family.absolute_expires_at == NOW + timedelta(seconds=TTL)
        assert got_family.revoked_at is None
        assert await uow.refresh_tokens.get_family(uuid.uuid4()) is None
        token = await uow.refresh_tokens.get_token(token_hash)
        assert token is not None
        assert token.used_at is None
        assert (token.family_id, token.user_id, token.issued_at) == (family.id, user.id, NOW)
        with pytest.raises(Conflict):
            await uow.refresh_tokens.add_token(RefreshToken.issue(family, token_hash, NOW, TTL))

        consumed = await uow.refresh_tokens.consume(token_hash, used_at)
        assert consumed is not None
        assert consumed.used_at == used_at
        assert consumed.family_id == family.id
        assert await uow.refresh_tokens.consume(token_hash, used_at) is None
        assert await uow.refresh_tokens.consume("unknown", used_at) is None
        await uow.commit()

    async with make_uow() as uow:
        after = await uow.refresh_tokens.get_token(token_hash)
        assert after is not None
        assert after.used_at == used_at
        assert await uow.refresh_tokens.consume(token_hash, used_at) is None
        await uow.refresh_tokens.revoke_family(family.id, used_at)
        await uow.refresh_tokens.revoke_family(family.id, used_at + timedelta(hours=1))
        await uow.commit()
    async with make_uow() as uow:
        revoked = await uow.refresh_tokens.get_family(family.id)
    assert revoked is not None
    assert revoked.revoked_at == used_at


async def test_concurrent_consumes_of_one_token_have_one_winner(make_uow: UowFactory) -> None:
    user = _user()
    await _store(make_uow, user)
    token_hash = uuid.uuid4().hex
    await _session(make_uow, user, token_hash)

    async def refresh(offset: int) -> RefreshToken | None:
        async with make_uow() as uow:
            token = await uow.refresh_tokens.consume(token_hash, NOW + timedelta(seconds=offset))
            await uow.commit()
            return token

    results = await asyncio.gather(refresh(1), refresh(2))
    assert sum(r is not None for r in results) == 1


async def test_revoke_all_for_user_spares_one_family_and_other_users(
    make_uow: UowFactory,
) -> None:
    user, other = _user(), _user()
    await _store(make_uow, user, other)
    kept = await _session(make_uow, user, uuid.uuid4().hex)
    live = [await _session(make_uow, user, uuid.uuid4().hex) for _ in range(2)]
    dead = await _session(make_uow, user, uuid.uuid4().hex)
    foreign = await _session(make_uow, other, uuid.uuid4().hex)
    later = NOW + timedelta(minutes=1)
    async with make_uow() as uow:
        await uow.refresh_tokens.revoke_family(dead.id, NOW)
        revoked = await uow.refresh_tokens.revoke_all_for_user(
            user.id, later, except_family=kept.id
        )
        assert set(revoked) == {f.id for f in live}
        await uow.commit()
    async with make_uow() as uow:
        states = {
            f.id: (await uow.refresh_tokens.get_family(f.id)) for f in [kept, *live, dead, foreign]
        }
        again = await uow.refresh_tokens.revoke_all_for_user(user.id, later)
    assert {i: s.revoked_at if s else "missing" for i, s in states.items()} == {
        kept.id: None,
        live[0].id: later,
        live[1].id: later,
        dead.id: NOW,
        foreign.id: None,
    }
    assert again == [kept.id]


# --- password resets ----------------------------------------------------------------------


async def test_password_reset_tokens_are_single_use(make_uow: UowFactory) -> None:
    user = _user()
    await _store(make_uow, user)
    fresh = PasswordResetToken.issue(user.id, uuid.uuid4().hex, NOW, TTL)
    old = PasswordResetToken.issue(user.id, uuid.uuid4().hex, NOW, TTL)
    expired = PasswordResetToken.issue(user.id, uuid.uuid4().hex, NOW - timedelta(hours=2), TTL)
    async with make_uow() as uow:
        for token in (fresh, old, expired):
            await uow.password_resets.add(token)
        await uow.commit()
    used_at = NOW + timedelta(minutes=3)
    async with make_uow() as uow:
        got = await uow.password_resets.get(fresh.token_hash)
        assert got is not None
        assert (got.user_id, got.expires_at) == (user.id, fresh.expires_at)
        assert await uow.password_resets.get("unknown") is None
        assert await uow.password_resets.consume(expired.token_hash, used_at) is None
        consumed = await uow.password_resets.consume(fresh.token_hash, used_at)
        assert consumed is not None
        assert consumed.used_at == used_at
        assert await uow.password_resets.consume(fresh.token_hash, used_at) is None
        await uow.password_resets.invalidate_for_user(user.id, used_at + timedelta(seconds=1))
        assert await uow.password_resets.consume(old.token_hash, used_at) is None
        await uow.commit()
    async with make_uow() as uow:
        got_old = await uow.password_resets.get(old.token_hash)
        got_fresh = await uow.password_resets.get(fresh.token_hash)
        got_expired = await uow.password_resets.get(expired.token_hash)
    assert got_old is not None
    assert got_old.used_at == used_at + timedelta(seconds=1)
    assert got_fresh is not None
    assert got_fresh.used_at == used_at
    assert got_expired is not None
    assert got_expired.used_at == used_at + timedelta(seconds=1)


async def test_concurrent_password_resets_have_one_winner(make_uow: UowFactory) -> None:
    user = _user()
    await _store(make_uow, user)
    token = PasswordResetToken.issue(user.id, uuid.uuid4().hex, NOW, TTL)
    async with make_uow() as uow:
        await uow.password_resets.add(token)
        await uow.commit()

    async def reset() -> PasswordResetToken | None:
        async with make_uow() as uow:
            result = await uow.password_resets.consume(token.token_hash, NOW)
            await uow.commit()
            return result

    results = await asyncio.gather(reset(), reset())
    assert sum(r is not None for r in results) == 1


# --- preferences --------------------------------------------------------------------------


async def test_preferences_round_trip_and_versions(make_uow: UowFactory) -> None:
    user = _user()
    await _store(make_uow, user)
    settings: dict[str, Any] = {"theme": "sombre", "nested": {"n": [1, 2.5, None, True]}}
    async with make_uow() as uow:
        assert await uow.preferences.get(user.id) is None
        preferences = Preferences.empty(user.id)
        preferences.replace(
            NOW,
            favorite_namespaces=["community", "ansible"],
            favorite_collections=["community.general"],
            favorite_modules=[],
            settings=settings,
        )
        await uow.preferences.save(preferences)
        assert preferences.version == 1
        await uow.commit()

    async with make_uow() as uow:
        stored = await uow.preferences.get(user.id)
        assert stored is not None
        assert stored.favorite_namespaces == ["community", "ansible"]  # order kept
        assert stored.favorite_collections == ["community.general"]
        assert stored.favorite_modules == []
        assert stored.settings == settings
        assert (stored.updated_at, stored.version) == (NOW, 1)
        with pytest.raises(PreconditionFailed):
            await uow.preferences.save(Preferences.empty(user.id))  # already stored
        stored.replace(
            NOW + timedelta(days=1),
            favorite_namespaces=[],
            favorite_collections=[],
            favorite_modules=["ping"],
            settings={},
        )
        await uow.preferences.save(stored)
        assert stored.version == 2
        await uow.commit()

    async with make_uow() as uow:
        again = await uow.preferences.get(user.id)
        assert again is not None
        assert (again.favorite_modules, again.settings, again.version) == (["ping"], {}, 2)
        with pytest.raises(PreconditionFailed):
            await uow.preferences.save(preferences)  # still at version 1


# --- rollback -----------------------------------------------------------------------------


async def test_references_that_point_nowhere_are_refused_alike(make_uow: UowFactory) -> None:
    """Memory refuses what the SQL foreign keys refuse, naming the same field."""
    nobody = uuid.uuid4()
    user = _user()
    await _store(make_uow, user)
    stray = RefreshFamily.start(user.id, NOW, TTL)  # never stored

    async def refused(field: str, action: Callable[[IdentityUnitOfWork], Any]) -> None:
        async with make_uow() as uow:
            with pytest.raises(UnknownReference) as caught:
                await action(uow)
        assert caught.value.code == "unknown_reference"
        assert [e.field for e in caught.value.errors] == [field]

    await refused(
        "user_id", lambda uow: uow.refresh_tokens.add_family(RefreshFamily.start(nobody, NOW, TTL))
    )
    token = RefreshToken.issue(stray, f"h-{_marker()}", NOW, TTL)
    await refused("family_id", lambda uow: uow.refresh_tokens.add_token(token))
    reset = PasswordResetToken.issue(nobody, f"r-{_marker()}", NOW, TTL)
    await refused("user_id", lambda uow: uow.password_resets.add(reset))
    await refused("user_id", lambda uow: uow.preferences.save(Preferences.empty(nobody)))


async def test_leaving_without_commit_stores_nothing(make_uow: UowFactory) -> None:
    published: list[DomainEvent] = []
    bus = EventBus()

    async def record(event: DomainEvent) -> None:
        published.append(event)

    bus.subscribe(DomainEvent, record)
    user = _user()
    family = RefreshFamily.start(user.id, NOW, TTL)
    token = RefreshToken.issue(family, uuid.uuid4().hex, NOW, TTL)
    reset = PasswordResetToken.issue(user.id, uuid.uuid4().hex, NOW, TTL)
    async with make_uow(bus) as uow:
        await uow.users.add(user)
        await uow.refresh_tokens.add_family(family)
        await uow.refresh_tokens.add_token(token)
        await uow.password_resets.add(reset)
        await uow.preferences.save(Preferences.empty(user.id))

    async with make_uow() as uow:
        assert await uow.users.get(user.id) is None
        assert await uow.users.get_by_email(user.email) is None
        assert await uow.refresh_tokens.get_family(family.id) is None
        assert await uow.refresh_tokens.get_token(token.token_hash) is None
        assert await uow.password_resets.get(reset.token_hash) is None
        assert await uow.preferences.get(user.id) is None
    assert published == []
    assert user.pending_events == ()


# --- session revocations ----------------------------------------------------------------------


def _revocations_of(user: User, now: datetime, count: int) -> list[Revocation]:
    revocations = []
    for i in range(count):
        revocations.append(
            Revocation.of_token(
                f"jti-{_marker()}-{i}", user.id, now, token_expires_at=now + timedelta(minutes=i)
            )
        )
        revocations.append(
            Revocation.of_session(uuid.uuid4(), user.id, now, access_ttl_seconds=60 * (i + 1))
        )
    return revocations


async def test_revocations_are_checked_with_the_cutoff_in_one_answer(make_uow: UowFactory) -> None:
    user = _user()
    user.revoke_sessions(NOW, keep_session_id=uuid.uuid4())
    await _store(make_uow, user)
    session_id = uuid.uuid4()
    token = Revocation.of_token("jti-" + _marker(), user.id, NOW, token_expires_at=NOW)
    session = Revocation.of_session(session_id, user.id, NOW, access_ttl_seconds=900)
    async with make_uow() as uow:
        await uow.revocations.add(token)
        await uow.revocations.add(session)
        await uow.revocations.add(session)  # recorded twice (a second logout): kept once
        await uow.commit()
    later = NOW + timedelta(seconds=30)
    async with make_uow() as uow:
        by_jti = await uow.revocations.check(user.id, jti=token.value, session_id=None, now=later)
        by_session = await uow.revocations.check(
            user.id, jti="jti-other", session_id=session_id, now=later
        )
        neither = await uow.revocations.check(
            user.id, jti="jti-other", session_id=uuid.uuid4(), now=later
        )
        expired = await uow.revocations.check(
            user.id, jti=token.value, session_id=None, now=NOW + timedelta(minutes=2)
        )
        nobody = await uow.revocations.check(
            uuid.uuid4(), jti=token.value, session_id=session_id, now=later
        )
    assert (by_jti.revoked, by_session.revoked, neither.revoked) == (True, True, False)
    assert not expired.revoked  # past its token's life (and the leeway)
    assert neither.cutoff == user.cutoff  # the user's cut-off comes with the answer
    assert nobody.cutoff is None


async def test_live_revocations_come_in_keyset_pages(make_uow: UowFactory) -> None:
    user = _user()
    await _store(make_uow, user)
    mine = _revocations_of(user, NOW, 4)  # tokens end 1..4 min later, sessions 2..5 min
    async with make_uow() as uow:
        for revocation in mine:
            await uow.revocations.add(revocation)
        await uow.commit()
    at = NOW + timedelta(minutes=2, seconds=30)  # 2 tokens and 3 sessions still live
    pages: list[list[Revocation]] = []
    after = None
    async with make_uow() as uow:
        while True:
            page = await uow.revocations.live(at, after=after, limit=3)
            pages.append(page)
            if len(page) < 3:
                break
            after = (page[-1].kind, page[-1].value)
    seen = [revocation for page in pages for revocation in page]
    keys = [(r.kind.value, r.value) for r in seen]
    assert keys == sorted(keys)  # ordered, so pages never overlap
    assert len(set(keys)) == len(keys)
    assert all(r.expires_at > at for r in seen)
    own = {(r.kind, r.value): r for r in seen if r.user_id == user.id}
    assert set(own) == {(r.kind, r.value) for r in mine if r.is_live(at)}
    assert own == {(r.kind, r.value): r for r in mine if r.is_live(at)}  # the same values back
    assert len(own) == 5


async def test_purge_deletes_expired_revocations_in_bounded_batches(make_uow: UowFactory) -> None:
    era = datetime(1971, 1, 1, tzinfo=UTC)  # older than every other test's rows
    user = _user()
    await _store(make_uow, user)
    mine = _revocations_of(user, era, 5)
    async with make_uow() as uow:
        for revocation in mine:
            await uow.revocations.add(revocation)
        await uow.commit()
    at = era + timedelta(minutes=3, seconds=30)  # 3 tokens and 2 sessions have expired
    expired = {(r.kind, r.value) for r in mine if not r.is_live(at)}
    assert len(expired) == 5

    async def purge(limit: int) -> int:
        async with make_uow() as uow:
            deleted = await uow.revocations.purge(at, limit=limit)
            await uow.commit()
        return deleted

    assert await purge(1) == 1
    rest = await asyncio.gather(purge(1), purge(100))  # concurrent purges do not collide
    assert sum(rest) == len(expired) - 1
    assert await purge(100) == 0
    async with make_uow() as uow:
        left = await uow.revocations.live(era, limit=10_000)
    assert {(r.kind, r.value) for r in left if r.user_id == user.id} == {
        (r.kind, r.value) for r in mine
    } - expired


async def test_revocations_are_part_of_the_transaction(make_uow: UowFactory) -> None:
    user = _user()
    await _store(make_uow, user)
    revocation = Revocation.of_token("jti-" + _marker(), user.id, NOW, token_expires_at=NOW)
    async with make_uow() as uow:
        await uow.revocations.add(revocation)  # no commit
    async with make_uow() as uow:
        check = await uow.revocations.check(user.id, jti=revocation.value, session_id=None, now=NOW)
    assert not check.revoked
