"""Building identity-enabled apps for the e2e and two-instance tests (explicit settings only)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from application.identity.use_cases.create_user import CreateUserCommand
from application.identity.use_cases.login import LoginCommand
from domain.shared.access import Actor, Role
from entrypoints.bootstrap.container import Container, shutdown, start
from entrypoints.bootstrap.settings import Settings, load_settings
from entrypoints.http.app import create_app

JWT_SECRET = secrets.token_urlsafe(48)
PEPPER = secrets.token_urlsafe(48)
PASSWORD = "violet-sunrise-42-lantern"
PEER = "203.0.113.10"
SYSTEM = Actor(user_id=UUID(int=0), role=Role.ADMIN)
# High enough that only the rate-limit tests meet a limit.
RELAXED_LIMITS = [
    f"{route}=10000/m"
    for route in (
        "register",
        "login",
        "password_reset",
        "password_reset_confirm",
        "refresh",
        "default",
    )
]


def unique_email(tag: str = "user") -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


def make_settings(
    profile: str,
    tmp_path: Path,
    *,
    postgres_url: str | None = None,
    redis_url: str | None = None,
    redis_prefix: str | None = None,
    **overrides: Any,
) -> Settings:
    options: dict[str, Any] = {
        "data_dir": str(tmp_path),
        "storage": "memory",
        "mailer": "memory",
        "bcrypt_rounds": 4,
        "jwt_secret": JWT_SECRET,
        "password_pepper": PEPPER,
        "log_level": "WARNING",
        "rate_limits": RELAXED_LIMITS,
    }
    if profile == "embedded":
        options.update(
            profile="embedded",
            persistence="sqlite",
            cache="memory",
            database_url=f"sqlite+aiosqlite:///{(tmp_path / 'atelier.db').as_posix()}",
        )
    else:
        assert postgres_url
        assert redis_url
        assert redis_prefix
        options.update(
            profile="production",
            persistence="postgres",
            database_url=postgres_url,
            cache="redis",
            redis_url=redis_url,
            redis_key_prefix=redis_prefix,
        )
    options.update(overrides)
    return load_settings({}, env_file=tmp_path / "no.env", **options)


def migrate(settings: Settings) -> None:
    from adapters.persistence.sqlalchemy.migrations import upgrade

    upgrade(settings.effective_database_url)


def _never_500(response: httpx.Response) -> None:
    assert response.status_code < 500, f"{response.request.url} answered {response.status_code}"


async def _check(response: httpx.Response) -> None:
    _never_500(response)


@asynccontextmanager
async def open_client(container: Container, peer: str = PEER) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(container)
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    await start(container)  # httpx's transport runs no lifespan: open the pools here
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", event_hooks={"response": [_check]}
        ) as client:
            yield client
    finally:
        await shutdown(container)


class Api:
    """The client plus shortcuts; ``container`` makes users and sessions directly."""

    def __init__(self, client: httpx.AsyncClient, container: Container) -> None:
        self.client = client
        self.container = container

    @property
    def mailer(self) -> Any:
        return self.container.identity.mailer()

    async def create_user(self, role: Role, email: str | None = None) -> tuple[str, str]:
        """A user made by the system administrator: (id, e-mail)."""
        address = email or unique_email(role.value)
        view = await self.container.identity.create_user()(
            CreateUserCommand(
                actor=SYSTEM,
                email=address,
                password=PASSWORD,
                first_name="Test",
                last_name=role.value.title(),
                role=role,
            )
        )
        return str(view.id), address

    async def session(self, role: Role) -> Session:
        user_id, email = await self.create_user(role)
        pair = await self.container.identity.login()(LoginCommand(email=email, password=PASSWORD))
        return Session(user_id, email, pair.access_token, pair.refresh_token)

    async def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return await self.client.post(
            "/api/v1/auth/login", json={"email": email, "password": password}
        )


class Session:
    def __init__(self, user_id: str, email: str, access: str, refresh: str) -> None:
        self.user_id, self.email, self.access, self.refresh = user_id, email, access, refresh

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
