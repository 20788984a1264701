"""Running uvicorn for ``atelier serve``: the socket first, then the server.

The listening socket is bound before any start-up work (migrations, the bootstrap
administrator, the app and its periodic jobs), so a port already in use stops the command at
once with one line. The socket is then handed to uvicorn (one process, several worker
processes, or the reloader), as ``uvicorn.run`` itself does with a socket it binds.

uvicorn is started with ``log_config=None`` and :class:`LoggedConfig` installs Atelier's
logging in every process it starts (the supervisor and each worker), so its start-up, error
and shutdown lines come out in the same format as the app's (JSON with ``ATELIER_LOG_JSON``).
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
