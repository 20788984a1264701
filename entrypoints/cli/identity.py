"""``atelier create-admin`` and the embedded profile's first-start administrator."""

from __future__ import annotations

import asyncio
import json
import secrets
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import click

from application.identity.ports import UserFilters
from application.identity.use_cases.create_user import CreateUserCommand
from application.identity.use_cases.list_users import ListUsersQuery
from domain.shared.access import Actor, Role
from domain.shared.errors import DomainError, ValidationFailed
from entrypoints.bootstrap.container import start
from entrypoints.bootstrap.identity import IdentitySettings
from entrypoints.bootstrap.settings import Settings, SettingsError, load_settings

SYSTEM = Actor(user_id=UUID(int=0), role=Role.ADMIN)
"""The command line acts as the system administrator."""
DEFAULT_BOOTSTRAP_EMAIL = "admin@atelier.localhost"


def _section(settings: Settings) -> IdentitySettings:
    return settings.section(IdentitySettings)


def _container(settings: Settings) -> Any:
    from entrypoints.bootstrap.container import build_container

    return build_container(settings)


async def _admin_count(container: Any) -> int:
    page = await container.identity.list_users()(
        ListUsersQuery(actor=SYSTEM, filters=UserFilters(role=Role.ADMIN), limit=1)
    )
    return int(page.total)


async def create_admin_account(
    container: Any, email: str, password: str, first: str, last: str
) -> Any:
    return await container.identity.create_user()(
        CreateUserCommand(
            actor=SYSTEM,
            email=email,
            password=password,
            first_name=first,
            last_name=last,
            role=Role.ADMIN,
        )
    )


async def _close(container: Any) -> None:
    from entrypoints.bootstrap.container import shutdown

    await shutdown(container)


def _describe(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed) and exc.errors:
        return "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
    return exc.detail


async def _ensure(settings: Settings) -> tuple[str, str | None] | None:
    """``(email, generated password or None)`` of the administrator created, or None."""
    container = _container(settings)
    await start(container)
    try:
        if await _admin_count(container) > 0:
            return None
        email = _section(settings).admin_email or DEFAULT_BOOTSTRAP_EMAIL
        generated = not _section(settings).admin_password
        for _ in range(5):
            password = _section(settings).admin_password or secrets.token_urlsafe(18)
            try:
                await create_admin_account(container, email, password, "Atelier", "Administrator")
            except ValidationFailed:
                if generated:
                    continue  # a random value that the policy refused: draw another
                raise
            break
        else:  # pragma: no cover - five refused random passwords
            raise RuntimeError("could not generate an acceptable administrator password")
        return email, password if generated else None
    finally:
        await _close(container)


_ONCE = "It is shown only this once: log in and change it (POST /api/v1/auth/password)."


def _announce(settings: Settings, email: str, password: str | None) -> None:
    """On stdout, once: as text, or as one JSON line shaped like the log lines
    (``ATELIER_LOG_JSON``), so that every line the server prints parses as JSON."""
    if settings.log_json:
        line: dict[str, str] = {"event": "bootstrap_admin_created", "email": email}
        if password is None:
            line["password_from"] = "ATELIER_ADMIN_PASSWORD"  # noqa: S105 - a variable name
        else:
            line.update(password=password, note=_ONCE)
        line.update(
            level="warning",
            logger="atelier.cli",
            timestamp=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        )
        click.echo(json.dumps(line))
    elif password is None:
        click.echo(f"Created the administrator {email} (password from ATELIER_ADMIN_PASSWORD).")
    else:
        click.echo(f"Created the administrator {email} with the password {password}\n{_ONCE}")


def ensure_bootstrap_admin(settings: Settings) -> None:
    """When no administrator exists, create one with ``admin_email``/``admin_password`` or a
    random strong password printed once to stdout. The database must be migrated; with
    ``persistence=memory`` there is nothing to keep, so nothing is created."""
    if settings.persistence_kind == "memory":
        return
    try:
        created = asyncio.run(_ensure(settings))
    except DomainError as exc:
        raise click.ClickException(f"Cannot create the administrator: {_describe(exc)}") from exc
    if created:
        _announce(settings, *created)


def register(cli: click.Group) -> None:
    @cli.command("create-admin")
    @click.option("--email", default=None, help="E-mail (default: ATELIER_ADMIN_EMAIL).")
    @click.option("--first-name", default="Atelier", show_default=True)
    @click.option("--last-name", default="Administrator", show_default=True)
    def create_admin(email: str | None, first_name: str, last_name: str) -> None:
        """Create an administrator. The password comes from ATELIER_ADMIN_PASSWORD, else it is
        asked twice without echo."""
        try:
            settings = load_settings()
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from exc
        address = email or _section(settings).admin_email or click.prompt("E-mail")
        password = _section(settings).admin_password or click.prompt(
            "Password", hide_input=True, confirmation_prompt=True
        )
        if settings.profile == "embedded":
            from entrypoints.cli.main import migrate_database

            migrate_database(settings)

        async def run() -> Any:
            container = _container(settings)
            await start(container)
            try:
                return await create_admin_account(
                    container, address, password, first_name, last_name
                )
            finally:
                await _close(container)

        try:
            user = asyncio.run(run())
        except DomainError as exc:
            raise click.ClickException(_describe(exc)) from exc
        click.echo(f"Created the administrator {user.email} ({user.id}).")
