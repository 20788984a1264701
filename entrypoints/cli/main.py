"""The ``atelier`` command: serve, migrate, check-config (and the modules' commands)."""

from __future__ import annotations

import sys
from collections.abc import Collection
from typing import Any

import click
import msgspec

from entrypoints.bootstrap.settings import Settings, SettingsError, read_settings

SECRET_FIELDS = {
    "jwt_secret",
    "password_pepper",
    "s3_secret_access_key",
    "smtp_password",
    "admin_password",
    "assemblyai_api_key",
    "tryon_api_key",
}
#: Endings that make any setting, of the platform or of a module, a secret in listings.
SECRET_ENDINGS = ("password", "secret", "api_key", "token", "keys", "pepper")


def _fail(problems: list[str]) -> None:
    """One line per problem on stderr, then exit 1 (never a traceback)."""
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    sys.exit(1)


def _settings() -> Settings:
    settings, problems = read_settings()
    if problems:
        _fail(problems)
    return settings


def _checked_settings(parts: Collection[str] | None = None) -> Settings:
    """The settings, after every check of ``validation.validate`` (exit 1 naming each problem)."""
    from entrypoints.bootstrap.validation import ALL_PARTS, validate

    settings, problems = read_settings()
    problems += validate(settings, parts=ALL_PARTS if parts is None else parts)
    if problems:
        _fail(problems)
    return settings


def is_secret(name: str) -> bool:
    """A setting never printed: the known secrets and any name that says it holds one."""
    return name in SECRET_FIELDS or name.endswith(SECRET_ENDINGS)


def _shown(name: str, value: object) -> object:
    if is_secret(name):
        return "****" if value else "(unset)"
    if isinstance(value, str) and "://" in value:
        return _mask_url(value)
    return value


def _mask_url(url: str) -> str:
    """Hide the password part of ``scheme://user:password@host``."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:****@{host}" if ":" in credentials else url


def migrate_database(settings: Settings, revision: str = "head") -> str | None:
    """Upgrade the SQL database to ``revision``; returns the URL migrated (None for memory)."""
    if settings.persistence_kind == "memory":
        return None
    from adapters.filesystem import ensure_private_dir
    from adapters.persistence.sqlalchemy.migrations import upgrade

    url = settings.effective_database_url
    if settings.persistence_kind == "sqlite" and not settings.database_url:
        ensure_private_dir(settings.data_path)
    upgrade(url, revision)
    return url


def _migrate_or_fail(settings: Settings, revision: str = "head") -> str | None:
    """``migrate_database``, with a failure (database down, unknown revision...) as one line."""
    try:
        return migrate_database(settings, revision)
    except Exception as exc:  # noqa: BLE001 - reported as one line, the command exits 1
        url = _mask_url(settings.effective_database_url)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        _fail([f"cannot migrate {url}: {type(exc).__name__}: {_mask_text(reason, settings)}"])
    return None


def _mask_text(text: str, settings: Settings) -> str:
    for secret in (settings.database_url, settings.redis_url):
        if secret and secret in text:
            text = text.replace(secret, _mask_url(secret))
    return text


@click.group()
def cli() -> None:
    """Atelier: maintenance management backend."""


@cli.command()
@click.option("--host", default=None, help="Bind address (ATELIER_HOST).")
@click.option("--port", type=int, default=None, help="Port (ATELIER_PORT).")
@click.option("--workers", type=int, default=None, help="Worker processes (ATELIER_WORKERS).")
@click.option("--reload", is_flag=True, help="Reload on code changes (development).")
@click.option(
    "--server",
    type=click.Choice(["granian", "uvicorn"]),
    default=None,
    help="The ASGI server (ATELIER_SERVER).",
)
def serve(
    host: str | None, port: int | None, workers: int | None, reload: bool, server: str | None
) -> None:
    """Start the HTTP server. The embedded profile migrates its database first.

    Order: check the whole configuration, bind the port (a port in use stops here), then the
    start-up work (secrets, migrations, the first administrator), then serve."""
    from entrypoints.bootstrap.secrets import resolve_secrets
    from entrypoints.cli.serving import (
        LoggedConfig,
        ServeError,
        bind_socket,
        run_granian,
        run_server,
    )
    from entrypoints.http.logging import configure_logging

    settings = _checked_settings()
    try:
        sock = bind_socket(host or settings.host, port or settings.port)
    except ServeError as exc:
        _fail([str(exc)])
    configure_logging(settings.log_level, settings.log_json)
    try:
        # secrets before forking workers: generated once (embedded), refused if weak
        resolve_secrets(settings)
        if settings.profile == "embedded":
            _migrate_or_fail(settings)
            _on_embedded_start(settings)
    except (SettingsError, OSError) as exc:
        sock.close()
        _fail(exc.problems if isinstance(exc, SettingsError) else [str(exc)])
    except BaseException:
        sock.close()
        raise
    process_count = workers or settings.workers
    if process_count > 1:
        _share_metrics_between_workers()
    if (server or settings.server) == "granian":
        if not run_granian(
            sock,
            workers=process_count,
            reload=reload,
            log_level=settings.log_level,
            log_json=settings.log_json,
            shutdown_seconds=max(1, int(settings.request_timeout_seconds)),
        ):
            sys.exit(1)
        return
    config = LoggedConfig(
        "entrypoints.asgi:app_factory",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=process_count,
        reload=reload,
        log_config=None,
        log_level=settings.log_level.lower(),
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=max(1, int(settings.request_timeout_seconds)),
        atelier_log_level=settings.log_level,
        atelier_log_json=settings.log_json,
    )
    if not run_server(config, sock):
        sys.exit(1)


def _share_metrics_between_workers() -> None:
    """prometheus-client's multiprocess mode: a fresh directory the workers write their
    counters to (set before they start; removed when the server exits), so ``/metrics``
    answered by any worker counts every worker's requests."""
    import atexit
    import os
    import shutil
    import tempfile

    from entrypoints.http.metrics import MULTIPROCESS_ENV

    directory = tempfile.mkdtemp(prefix="atelier-metrics-")
    os.environ[MULTIPROCESS_ENV] = directory
    # prometheus-client picks its value store when first imported; granian forks its workers
    # from this process, which may have imported it already: pick again (uvicorn spawns fresh
    # interpreters, which read the variable)
    from prometheus_client import values

    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    atexit.register(shutil.rmtree, directory, ignore_errors=True)


def _on_embedded_start(settings: Settings) -> None:
    """Hook for first-start work on the embedded profile (e.g. the bootstrap admin)."""
    try:
        from entrypoints.cli.identity import ensure_bootstrap_admin
    except ImportError:  # the identity module is not installed
        return
    ensure_bootstrap_admin(settings)


@cli.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def migrate(revision: str) -> None:
    """Apply the database migrations."""
    from entrypoints.bootstrap.validation import PERSISTENCE

    settings = _checked_settings({PERSISTENCE})
    url = _migrate_or_fail(settings, revision)
    if url is None:
        click.echo("persistence is 'memory': nothing to migrate")
    else:
        click.echo(f"migrated {_mask_url(url)} to {revision}")


@cli.command()
def worker() -> None:
    """Run the job queue's worker (every module's jobs and schedules) and the outbox relay
    until interrupted; its metrics are served on ATELIER_WORKER_METRICS_PORT."""
    import asyncio
    import signal

    from entrypoints.bootstrap.container import build_container, shutdown, start
    from entrypoints.http.metrics import PLATFORM_GAUGES, Metrics
    from entrypoints.worker.runtime import Background

    settings = _settings()

    async def main() -> None:
        container = build_container(settings)
        await start(container)
        metrics = Metrics()
        for gauge in PLATFORM_GAUGES:
            metrics.add_gauge(gauge(container))
        server = None
        if settings.worker_metrics_port:
            server = await _serve_metrics(metrics, settings.host, settings.worker_metrics_port)
        background = Background(container, observer=metrics.observe_job)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await background.start()
        click.echo(f"worker started ({settings.queue_kind} queue); Ctrl-C to stop")
        try:
            await stop.wait()
        finally:
            await background.stop()
            if server is not None:
                server.close()
            await shutdown(container)

    asyncio.run(main())


async def _serve_metrics(metrics: Any, host: str, port: int) -> Any:
    """A minimal HTTP server answering GET /metrics (the worker has no web app)."""
    import asyncio

    from entrypoints.http.metrics import CONTENT_TYPE

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), 5)
            while (await asyncio.wait_for(reader.readline(), 5)).strip():
                pass
            if request.split(b" ")[1:2] == [b"/metrics"]:
                body, status = await metrics.render(), b"200 OK"
                kind = CONTENT_TYPE.encode()
            else:
                body, status, kind = b"not found\n", b"404 Not Found", b"text/plain"
            writer.write(
                b"HTTP/1.1 "
                + status
                + b"\r\nContent-Type: "
                + kind
                + b"\r\nContent-Length: "
                + str(len(body)).encode()
                + b"\r\nConnection: close\r\n\r\n"
                + body
            )
            await writer.drain()
        except (TimeoutError, OSError, IndexError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(answer, host, port)


@cli.command("check-config")
def check_config() -> None:
    """Print the active profile, adapters and settings (secrets masked); check every adapter
    setting of the profile and exit 1 naming every problem."""
    from entrypoints.bootstrap.validation import validate

    settings, problems = read_settings()
    problems += validate(settings)
    click.echo(f"profile: {settings.profile}")
    database = _mask_url(settings.effective_database_url) or "in memory"
    click.echo(f"persistence: {settings.persistence_kind} ({database})")
    click.echo(f"storage: {settings.storage_kind}")
    click.echo(f"cache: {settings.cache_kind}")
    click.echo(f"mailer: {settings.mailer}")
    click.echo("settings:")
    values = {k: v for k, v in msgspec.structs.asdict(settings).items() if k != "sections"}
    for section in settings.sections.values():  # the modules' own variables
        values |= msgspec.structs.asdict(section)
    for name, value in values.items():
        click.echo(f"  ATELIER_{name.upper()} = {_shown(name, value)}")
    if problems:
        click.echo(f"{len(problems)} problem(s):", err=True)
        _fail(problems)
    click.echo("configuration OK")


#: The platform's own commands beyond this file.
PLATFORM_COMMANDS = ("entrypoints.cli.events", "entrypoints.cli.seed")


def _register_module_commands() -> None:
    """The platform's commands, and each installed module's ``entrypoints/cli/<name>.py``
    (its ``register(cli)``) when it has one: identity's ``create-admin``, ..."""
    import importlib
    import importlib.util

    from entrypoints.bootstrap.registry import INSTALLED

    names = [*PLATFORM_COMMANDS, *(f"entrypoints.cli.{name}" for name in INSTALLED)]
    for module_name in names:
        if importlib.util.find_spec(module_name) is not None:
            importlib.import_module(module_name).register(cli)


_register_module_commands()

if __name__ == "__main__":  # pragma: no cover
    cli()
