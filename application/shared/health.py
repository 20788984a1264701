"""Readiness probing: every adapter that talks to a dependency can be pinged."""

from __future__ import annotations

from typing import Protocol


class Pingable(Protocol):
    async def ping(self) -> None:
        """Return when the dependency answers; raise any exception when it does not."""
        ...
