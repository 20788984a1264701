"""Install the example types (``mail, ip, url, json, yaml``) that are missing, by name:
idempotent. The SQL profiles get them from their migration; the memory profile at start."""

from __future__ import annotations

from application.automation.ports import AutomationUnitOfWork
from application.shared.clock import Clock
from domain.automation.variable_types import EXAMPLES, VariableType


class InstallExamples:
    def __init__(self, uow: AutomationUnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self) -> list[str]:
        installed: list[str] = []
        now = self._clock.now()
        async with self._uow as uow:
            for example in EXAMPLES:
                if await uow.variable_types.get_by_name(example.name) is not None:
                    continue
                if await uow.variable_types.get(example.id) is not None:
                    continue
                await uow.variable_types.add(
                    VariableType.create(
                        id=example.id,
                        name=example.name,
                        label=example.label,
                        description=example.description,
                        pattern=example.pattern,
                        now=now,
                    )
                )
                installed.append(example.name)
            if installed:
                await uow.commit()
        return installed
