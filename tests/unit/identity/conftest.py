"""Identity use cases wired on the memory adapters, a fixed clock and real crypto adapters."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from adapters.cache.memory import MemoryCache
from adapters.clock import FixedClock
from adapters.mail.memory import MemoryMailer
from adapters.persistence.memory.identity import MemoryIdentityUnitOfWork, MemorySecurityLog
from adapters.persistence.memory.store import MemoryStore
from adapters.security.bcrypt_hasher import BcryptPasswordHasher
from adapters.security.jwt_tokens import JwtTokenService
from application.identity.authenticate import Authenticate
from application.identity.login_throttle import LoginThrottle
from application.identity.passwords import DummyHash, build_password_policy
from application.identity.policy import IdentityPolicy
from application.identity.revocations import RevocationCache
from application.identity.session_state import SessionState
from application.identity.sessions import SessionIssuer
from application.identity.use_cases.change_password import ChangePassword
from application.identity.use_cases.confirm_password_reset import ConfirmPasswordReset
from application.identity.use_cases.create_user import CreateUser, CreateUserCommand
from application.identity.use_cases.deactivate_user import DeactivateUser
from application.identity.use_cases.get_preferences import GetPreferences
from application.identity.use_cases.get_user import GetUser
from application.identity.use_cases.list_users import ListUsers
from application.identity.use_cases.login import Login, LoginCommand
from application.identity.use_cases.logout import Logout
from application.identity.use_cases.me import GetMe
from application.identity.use_cases.put_preferences import PutPreferences
from application.identity.use_cases.refresh import Refresh
from application.identity.use_cases.register import Register
from application.identity.use_cases.request_password_reset import RequestPasswordReset
from application.identity.use_cases.update_user import UpdateUser
from application.identity.views import TokenPair, UserView
from application.shared.events import EventBus
from application.shared.rate_limit import RateLimiter
from domain.identity.user import User
from domain.shared.access import Actor, Role
from domain.shared.events import DomainEvent

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
GOOD_PASSWORD = "correct horse battery staple"
_HASHER = BcryptPasswordHasher(os.urandom(32), rounds=4)


@dataclass
class Kit:
    """Builds each use case with a fresh unit of work, as the container does per request."""

    policy: IdentityPolicy = field(default_factory=IdentityPolicy)
    clock: FixedClock = field(default_factory=lambda: FixedClock(START))
    store: MemoryStore = field(default_factory=MemoryStore)
    mailer: MemoryMailer = field(default_factory=MemoryMailer)
    security_log: MemorySecurityLog = field(default_factory=MemorySecurityLog)

    def __post_init__(self) -> None:
        self.bus = EventBus()
        self.published: list[DomainEvent] = []

        async def keep(event: DomainEvent) -> None:
            self.published.append(event)

        self.bus.subscribe(DomainEvent, keep)
        self.cache = MemoryCache(clock=lambda: self.clock.now().timestamp())
        self.hasher = _HASHER
        self.tokens = JwtTokenService.from_secret(
            secrets.token_urlsafe(32), issuer="atelier-test", audience="atelier", clock=self.clock
        )
        self.state = SessionState(self.cache, ttl_seconds=self.policy.user_state_cache_ttl_seconds)
        self.passwords = build_password_policy(self.policy)
        self.limiter = RateLimiter(self.cache)
        self.dummy = DummyHash(self.hasher)
        self.revocation_cache = self.new_revocation_cache()

    def uow(self) -> MemoryIdentityUnitOfWork:
        return MemoryIdentityUnitOfWork(self.store, self.bus)

    def issuer(self) -> SessionIssuer:
        return SessionIssuer(self.tokens, self.policy)

    def register(self) -> Register:
        return Register(self.uow(), self.hasher, self.clock, self.policy, self.passwords)

    def login(self) -> Login:
        throttle = LoginThrottle(self.limiter, self.policy)
        return Login(
            self.uow(), self.hasher, self.dummy, self.issuer(), throttle, self.security_log,
            self.clock, self.state,
        )  # fmt: skip

    def refresh(self) -> Refresh:
        return Refresh(self.uow(), self.issuer(), self.security_log, self.clock, self.state)

    def logout(self) -> Logout:
        return Logout(
            self.uow(),
            self.tokens,
            self.state,
            self.clock,
            access_ttl_seconds=self.policy.access_ttl_seconds,
        )

    def authenticate(self) -> Authenticate:
        return Authenticate(self.tokens, self.state, self.uow, self.revocation_cache)

    def new_revocation_cache(self) -> RevocationCache:
        return RevocationCache(self.state, self.uow, self.clock, settle_seconds=0)

    async def rebuild_revocations(self) -> None:
        """What a healthy cache looks like: its denylists are complete."""
        assert await self.new_revocation_cache().rebuild()

    def me(self) -> GetMe:
        return GetMe(self.uow(), self.state)

    def change_password(self) -> ChangePassword:
        return ChangePassword(
            self.uow(), self.hasher, self.passwords, self.state, self.security_log, self.clock
        )

    def request_reset(self) -> RequestPasswordReset:
        return RequestPasswordReset(
            self.uow(), self.mailer, self.limiter, self.security_log, self.clock, self.policy
        )

    def confirm_reset(self) -> ConfirmPasswordReset:
        return ConfirmPasswordReset(
            self.uow(), self.hasher, self.passwords, self.state, self.security_log, self.clock
        )

    def list_users(self) -> ListUsers:
        return ListUsers(self.uow())

    def get_user(self) -> GetUser:
        return GetUser(self.uow())

    def create_user(self) -> CreateUser:
        return CreateUser(self.uow(), self.hasher, self.passwords, self.clock)

    def update_user(self) -> UpdateUser:
        return UpdateUser(self.uow(), self.state, self.clock)

    def deactivate_user(self) -> DeactivateUser:
        return DeactivateUser(self.uow(), self.state, self.clock)

    def get_preferences(self) -> GetPreferences:
        return GetPreferences(self.uow())

    def put_preferences(self) -> PutPreferences:
        return PutPreferences(self.uow(), self.clock)

    # -- helpers --------------------------------------------------------------------------

    async def seed_user(
        self, email: str, role: Role = Role.CLIENT, password: str = GOOD_PASSWORD
    ) -> UserView:
        """Insert a user directly (any role), bypassing sign-up."""
        user = User.register(
            email=email,
            first_name="Ada",
            last_name="Lovelace",
            role=role,
            password_hash=await self.hasher.hash(password),
            now=self.clock.now(),
        )
        async with self.uow() as uow:
            await uow.users.add(user)
            await uow.commit()
        return UserView.of(user)

    async def sign_in(
        self, email: str, password: str = GOOD_PASSWORD, address: str | None = "203.0.113.7"
    ) -> TokenPair:
        return await self.login()(
            LoginCommand(email=email, password=password, client_address=address)
        )

    async def actor(self, pair: TokenPair) -> Actor:
        return await self.authenticate()(pair.access_token)

    async def stored_user(self, email: str) -> User:
        async with self.uow() as uow:
            user = await uow.users.get_by_email(email)
        assert user is not None
        return user

    def create_command(self, actor: Actor, email: str, role: Role) -> CreateUserCommand:
        return CreateUserCommand(
            actor=actor,
            email=email,
            password=GOOD_PASSWORD,
            first_name="New",
            last_name="Person",
            role=role,
        )


@pytest.fixture
def kit() -> Kit:
    return Kit()
