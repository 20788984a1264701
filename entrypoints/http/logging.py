"""structlog and stdlib logging, configured once from the settings.

Every log line (ours through structlog, libraries' through stdlib ``logging``) goes to stderr
through one formatter: JSON when ``log_json`` is on, a readable console format otherwise.
Context bound with ``structlog.contextvars`` is merged into each line, and so is the request id
that the edge middleware sets in :data:`REQUEST_ID` for the time of a request.

The access log (one line per request, :class:`AccessLog`) is the only per-request line, so it
has a fast path: when the JSON handler installed here is the only place the line would go, the
line is rendered with msgspec and written to that handler's stream directly, in the same shape
as the formatter's lines (same keys, ISO UTC timestamp); the lines of one event-loop iteration
go out in one write, at the end of that iteration. Anything else (console format, another
handler such as pytest's ``caplog``, a filter) takes the ordinary structlog path.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import msgspec
import structlog

_HANDLER_NAME = "atelier"
ACCESS_LOGGER = "atelier.http.access"
REQUEST_ID: ContextVar[str | None] = ContextVar("atelier_request_id", default=None)

_configured: tuple[str, bool] | None = None
_fast_handler: logging.Handler | None = None  # the JSON handler, when log_json is on


def add_request_id(_logger: Any, _name: str, event_dict: Any) -> Any:
    request_id = REQUEST_ID.get()
    if request_id is not None:
        event_dict.setdefault("request_id", request_id)
    return event_dict


_RECORD_ATTRIBUTES = frozenset(
    {*logging.makeLogRecord({}).__dict__, "message", "asctime", "color_message", "taskName"}
)
_RESERVED_KEYS = frozenset({"event", "level", "logger", "timestamp", "exception"})


def add_record_extras(_logger: Any, _name: str, event_dict: Any) -> Any:
    """Fields passed with ``extra=`` to a stdlib logger become JSON fields of the line
    (``logger.info("job ran", extra={"job": name})``); one that would replace a standard key
    (``event``, ``level``, ...) is kept as ``extra_<key>``. uvicorn's ANSI-coloured duplicate
    of its message (``color_message``) is dropped."""
    record = event_dict.get("_record")
    if record is None or event_dict.get("_from_structlog"):
        return event_dict
    for key, value in record.__dict__.items():
        if key in _RECORD_ATTRIBUTES or key.startswith("_"):
            continue
        event_dict[f"extra_{key}" if key in _RESERVED_KEYS else key] = value
    return event_dict


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    """Idempotent: a second call with the same arguments does nothing.

    Every logger ends in the one root handler (uvicorn's included: the server is started
    with ``log_config=None`` and its loggers propagate), so with ``json`` every line of the
    process is one JSON object with the same keys: ``event``, ``level``, ``logger``,
    ``timestamp``, then the line's own fields. Python warnings are logged too.
    """
    global _configured, _fast_handler
    if _configured == (level.upper(), json):
        return
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        add_request_id,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    renderer: Any = (
        structlog.processors.JSONRenderer(default=str)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, add_record_extras],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info if json else _identity,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.asgi"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()  # a previous logging config's own handlers
        uvicorn_logger.propagate = True
    # Our access log replaces uvicorn's.
    logging.getLogger("uvicorn.access").disabled = True
    logging.captureWarnings(True)
    _fast_handler = handler if json else None
    _configured = (level.upper(), json)


def _identity(_logger: Any, _name: str, event_dict: Any) -> Any:
    return event_dict


_encoder = msgspec.json.Encoder()


class AccessLog:
    """``request`` lines on ``atelier.http.access``: method, route, status, duration_ms, plus
    the request id and any bound context, like every other line."""

    def __init__(self) -> None:
        self._logger = logging.getLogger(ACCESS_LOGGER)
        self._slow = structlog.get_logger(ACCESS_LOGGER)
        self._pending: list[str] = []  # lines of this loop iteration, written in one go
        self._loop: asyncio.AbstractEventLoop | None = None

    def _direct_handler(self) -> logging.Handler | None:
        """Our JSON handler when it is the one and only destination of an INFO line."""
        handler = _fast_handler
        if handler is None or handler.filters or handler.level > logging.INFO:
            return None
        logger = self._logger
        if logger.filters or logger.disabled:
            return None
        while logger.parent is not None:  # stdlib logging: handlers of the logger and parents
            if logger.handlers or not logger.propagate:
                return None
            logger = logger.parent
        return handler if logger.handlers == [handler] else None

    def request(
        self, *, request_id: str, method: str, route: str, status: int, seconds: float
    ) -> None:
        if not self._logger.isEnabledFor(logging.INFO):
            return
        duration_ms = round(seconds * 1000, 2)
        handler = self._direct_handler()
        if handler is None:
            self._slow.info(
                "request", method=method, route=route, status=status, duration_ms=duration_ms
            )
            return
        line: dict[str, Any] = {
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": duration_ms,
            "event": "request",
        }
        for key, value in structlog.contextvars.get_contextvars().items():
            line.setdefault(key, value)
        line.setdefault("request_id", request_id)
        line["level"] = "info"
        line["logger"] = ACCESS_LOGGER
        line["timestamp"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        try:
            text = _encoder.encode(line).decode() + "\n"
        except (TypeError, msgspec.EncodeError):  # bound context msgspec cannot encode
            self._slow.info(
                "request", method=method, route=route, status=status, duration_ms=duration_ms
            )
            return
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if self._pending:
            if loop is not None and loop is self._loop:
                self._pending.append(text)  # the flush is already scheduled
                return
            self._flush(handler)  # left by a loop that stopped before flushing
        if loop is None:
            _write(handler, text)
            return
        self._loop = loop
        self._pending.append(text)
        loop.call_soon(self._flush, handler)

    def _flush(self, handler: logging.Handler) -> None:
        text = "".join(self._pending)
        self._pending.clear()
        _write(handler, text)


def _write(handler: logging.Handler, text: str) -> None:
    stream: Any = getattr(handler, "stream", None)
    if stream is None:
        return
    handler.acquire()
    try:
        stream.write(text)
        stream.flush()
    except Exception:  # noqa: BLE001 - as logging does: a broken stream must not fail
        handler.handleError(logging.makeLogRecord({"msg": text}))
    finally:
        handler.release()
