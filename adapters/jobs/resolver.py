"""Host resolution for the source URL check: the system resolver, bounded; a static twin."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Mapping, Sequence

from application.jobs.ports import HostResolver
from domain.shared.errors import DependencyUnavailable


class SystemResolver(HostResolver):
    """``getaddrinfo`` in the loop's executor, within ``timeout_seconds``."""

    def __init__(self, timeout_seconds: float = 2.0) -> None:
        self._timeout = timeout_seconds

    async def resolve(self, host: str) -> Sequence[str]:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), self._timeout
            )
        except TimeoutError as exc:
            raise DependencyUnavailable(
                "The host name could not be resolved in time; try again shortly.",
                code="resolver_unavailable",
            ) from exc
        except (socket.gaierror, UnicodeError, OSError):
            return []
        return sorted({str(info[4][0]) for info in infos})


class StaticResolver(HostResolver):
    """A fixed table of names (tests, and demos with no name service); unknown names do not
    resolve."""

    def __init__(self, table: Mapping[str, Sequence[str]]) -> None:
        self._table = {k.lower(): list(v) for k, v in table.items()}
        self.asked: list[str] = []

    async def resolve(self, host: str) -> Sequence[str]:
        self.asked.append(host)
        return list(self._table.get(host.lower(), []))
