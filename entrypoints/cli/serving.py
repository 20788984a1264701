"""Running the ASGI server for ``atelier serve`` (uvicorn or granian): the socket first, then
the server.

The listening socket is bound before any start-up work (migrations, the bootstrap
administrator, the app and its periodic jobs), so a port already in use stops the command at
once with one line. The socket is then handed to uvicorn (one process, several worker
processes, or the reloader), as ``uvicorn.run`` itself does with a socket it binds.

uvicorn is started with ``log_config=None`` and :class:`LoggedConfig` installs Atelier's
logging in every process it starts (the supervisor and each worker), so its start-up, error
and shutdown lines come out in the same format as the app's (JSON with ``ATELIER_LOG_JSON``).

granian (Rust I/O, its own worker processes) binds the address itself: the socket bound
first proves the port free and is closed just before granian binds it (a server started in
between would make granian fail at once). Its loggers propagate to Atelier's root handler,
which :func:`atelier_log_handler` installs in each of its processes (through granian's
``log_dictconfig``).
"""

from __future__ import annotations

import errno
import logging
import socket
from typing import Any

import uvicorn

from entrypoints.http.logging import configure_logging


class ServeError(Exception):
    """``atelier serve`` cannot start; the message is the one line to print."""


def bind_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (not yet listening), inheritable by workers."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        shown = f"[{host}]:{port}" if family == socket.AF_INET6 else f"{host}:{port}"
        if exc.errno == errno.EADDRINUSE:
            reason = "the address is already in use (another server is running?)"
        elif exc.errno == errno.EACCES:
            reason = "permission denied (ports below 1024 need privileges)"
        elif exc.errno == errno.EADDRNOTAVAIL:
            reason = "this machine has no such address (ATELIER_HOST)"
        else:
            reason = exc.strerror or str(exc)
        raise ServeError(f"cannot listen on {shown}: {reason}") from exc
    sock.set_inheritable(True)
    return sock


class LoggedConfig(uvicorn.Config):
    """A uvicorn config whose ``configure_logging`` (run in the supervisor and, after being
    pickled, in every worker process) installs Atelier's logging."""

    def __init__(self, *args: Any, atelier_log_level: str, atelier_log_json: bool, **kw: Any):
        self.atelier_log_level = atelier_log_level
        self.atelier_log_json = atelier_log_json
        super().__init__(*args, **kw)

    def configure_logging(self) -> None:
        super().configure_logging()
        configure_logging(self.atelier_log_level, self.atelier_log_json)


def run_server(config: uvicorn.Config, sock: socket.socket) -> bool:
    """Serve on ``sock`` until stopped; False when the server did not start."""
    from uvicorn.supervisors import ChangeReload, Multiprocess

    server = uvicorn.Server(config=config)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    # uvicorn says where it listens only for a socket it bound itself: say it for ours
    logging.getLogger("uvicorn.error").info(
        "Uvicorn running on http://%s:%d (Press CTRL+C to quit)", shown, port
    )
    try:
        if config.should_reload:
            ChangeReload(config, target=server.run, sockets=[sock]).run()
            return True
        if config.workers > 1:
            Multiprocess(config, sockets=[sock]).run()
            return True
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # pragma: no cover - Ctrl-C during start-up
        return True
    finally:
        sock.close()
    return server.started


def atelier_log_handler(level_name: str, json: bool) -> logging.Handler:
    """A ``logging.config`` handler factory: installs Atelier's logging (the root handler) in
    the process that applies the configuration; the handler it returns does nothing."""
    configure_logging(level_name, json)
    return logging.NullHandler()


def granian_log_config(level: str, json: bool) -> dict[str, Any]:
    """granian's ``log_dictconfig``: its loggers propagate to Atelier's root handler."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {
            "atelier": {
                "()": "entrypoints.cli.serving.atelier_log_handler",
                "level_name": level,
                "json": json,
            }
        },
        "loggers": {
            "_granian": {"handlers": [], "propagate": True},
            "granian.access": {"handlers": [], "propagate": True},
            "atelier.serving": {"handlers": ["atelier"], "propagate": True},
        },
    }


def run_granian(
    sock: socket.socket,
    *,
    workers: int,
    reload: bool,
    log_level: str,
    log_json: bool,
    shutdown_seconds: int,
) -> bool:
    """Serve with granian on ``sock``'s address until stopped; False when it did not start."""
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    host, port = sock.getsockname()[:2]
    sock.close()  # granian binds it itself (see the module docstring)
    level = log_level.lower() if log_level.lower() in LogLevels.__members__ else "info"
    server = Server(
        "entrypoints.asgi:app_factory",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        factory=True,
        log_enabled=True,
        log_level=LogLevels(level),
        log_dictconfig=granian_log_config(log_level, log_json),
        log_access=False,
        reload=reload,
        respawn_failed_workers=True,
        workers_kill_timeout=shutdown_seconds,
        websockets=True,
    )
    try:
        server.serve()
    except KeyboardInterrupt:  # pragma: no cover - Ctrl-C during start-up
        return True
    except SystemExit as exc:
        return exc.code in (0, None)
    return True
