"""What every job-queue adapter shares: the registry of definitions, retry delays, the
worker interface and its metrics hook.

A *worker* runs the registered jobs of a queue (``start``/``stop``); the entry points build
one from the definitions and schedules every installed module declares. Outcomes reach an
optional observer ``(job name, seconds, outcome)`` where ``outcome`` is ``completed``,
``failed`` (an attempt failed; it may be retried), ``timeout`` or ``cancelled``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Protocol

from application.shared.jobs import JobDefinition, Schedule

Observer = Callable[[str, float, str], None]

#: How long a finished job stays readable (and its unique key taken) before it is forgotten.
FINISHED_TTL_SECONDS = 24 * 3600


class Registry:
    """The job definitions by name, and the schedules (validated once)."""

    def __init__(
        self, definitions: Iterable[JobDefinition], schedules: Iterable[Schedule] = ()
    ) -> None:
        self.definitions: dict[str, JobDefinition] = {}
        for definition in definitions:
            if definition.name in self.definitions:
                raise ValueError(f"two jobs are named {definition.name!r}")
            self.definitions[definition.name] = definition
        self.schedules = tuple(schedules)
        for schedule in self.schedules:
            if schedule.job not in self.definitions:
                raise ValueError(f"schedule for unknown job {schedule.job!r}")
            check_cron(schedule.cron)

    def get(self, name: str) -> JobDefinition:
        try:
            return self.definitions[name]
        except KeyError:
            raise ValueError(f"no job is named {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self.definitions


def check_cron(expression: str) -> None:
    from croniter import croniter

    if len(expression.split()) not in (5, 6) or not croniter.is_valid(expression):
        raise ValueError(
            f"{expression!r} is not a cron expression (five fields, or six with seconds last)"
        )


def retry_delay(definition: JobDefinition, failures: int) -> float:
    """Exponential backoff with full jitter: ``delay * 2**(failures-1)``, capped."""
    ceiling = min(
        definition.max_retry_delay_seconds,
        definition.retry_delay_seconds * 2 ** max(0, failures - 1),
    )
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not a secret


class JobWorker(Protocol):
    async def start(self) -> None:
        """Start running jobs in the background (returns at once)."""
        ...

    async def stop(self) -> None:
        """Stop taking jobs; running ones are released for another worker to run again."""
        ...


def describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:2_000]
