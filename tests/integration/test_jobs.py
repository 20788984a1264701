"""Periodic jobs through the real container: escalation runs once per interval and per item."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dependency_injector import providers

from adapters.clock import FixedClock
from application.identity.use_cases.create_user import CreateUserCommand
from application.maintenance.commands import CreateEquipmentCommand, CreateInterventionCommand
from domain.maintenance.events import InterventionEscalated
from domain.shared.access import Actor, Role
from domain.shared.events import DomainEvent
from domain.shared.ids import new_id
from entrypoints.bootstrap.container import Container, build_container
from entrypoints.bootstrap.settings import load_settings
from entrypoints.worker.in_app import InAppJobs
from entrypoints.worker.jobs import JobRunner, PeriodicJob, job_runner

START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _container(tmp_path: Path, **overrides: Any) -> tuple[Container, FixedClock]:
    settings = load_settings(
        {},
        env_file=tmp_path / "none.env",
        data_dir=str(tmp_path),
        persistence="memory",
        cache="memory",
        storage="memory",
        escalation_delay_minutes=30,
        **overrides,
    )
    container = build_container(settings)
    clock = FixedClock(START)
    container.clock.override(providers.Object(clock))
    return container, clock


async def _admin(container: Container) -> Actor:
    """A real administrator (the stores refuse requests created by nobody)."""
    view = await container.identity.create_user()(
        CreateUserCommand(
            actor=Actor(user_id=new_id(), role=Role.ADMIN),
            email=f"admin.{new_id().hex}@example.test",
            password="a-long-admin-passphrase-1",
            first_name="Ada",
            last_name="Admin",
            role=Role.ADMIN,
        )
    )
    return Actor(user_id=view.id, role=Role.ADMIN)


async def _critical_request(container: Container, admin: Actor) -> None:
    equipment = await container.maintenance.create_equipment()(
        CreateEquipmentCommand(actor=admin, name="Press 4", type="press", serial_number="P-4")
    )
    await container.maintenance.create_intervention()(
        CreateInterventionCommand(
            actor=admin, title="Hydraulic leak", equipment_id=equipment.id, priority="critical"
        )
    )


async def test_escalation_job_escalates_each_intervention_once(tmp_path: Path) -> None:
    container, clock = _container(tmp_path)
    seen: list[DomainEvent] = []

    async def remember(event: DomainEvent) -> None:
        seen.append(event)

    container.event_bus().subscribe(InterventionEscalated, remember)
    await _critical_request(container, await _admin(container))
    runner = job_runner(container)
    job = next(job for job in runner._jobs if job.name == "escalate-overdue")

    assert await runner.run_once(job)  # too early: runs, escalates nothing
    assert seen == []

    clock.advance(minutes=31)
    await container.cache().delete("jobs:escalate-overdue")  # next interval
    assert await runner.run_once(job)
    assert [type(event) for event in seen] == [InterventionEscalated]

    await container.cache().delete("jobs:escalate-overdue")
    assert await runner.run_once(job)
    assert len(seen) == 1  # escalated once, never again


async def test_a_job_runs_once_per_interval_across_runners(tmp_path: Path) -> None:
    container, _ = _container(tmp_path)
    runs: list[str] = []

    async def work() -> object:
        runs.append("ran")
        return None

    job = PeriodicJob("probe", 60, work)
    first, second = JobRunner([job], container.cache()), JobRunner([job], container.cache())
    assert await first.run_once(job)
    assert not await second.run_once(job)
    assert runs == ["ran"]


async def test_a_failing_job_is_contained(tmp_path: Path) -> None:
    container, _ = _container(tmp_path)

    async def broken() -> object:
        raise RuntimeError("upstream down")

    runner = JobRunner([PeriodicJob("broken", 60, broken)], container.cache())
    assert await runner.run_once(runner._jobs[0]) is False


async def test_in_app_jobs_run_in_the_background_and_stop(tmp_path: Path) -> None:
    container, clock = _container(tmp_path, escalation_check_seconds=1.0)
    seen: list[DomainEvent] = []

    async def remember(event: DomainEvent) -> None:
        seen.append(event)

    container.event_bus().subscribe(InterventionEscalated, remember)
    await _critical_request(container, await _admin(container))
    clock.advance(minutes=31)
    jobs = InAppJobs(container)
    await jobs.start()
    try:
        for _ in range(50):
            if seen:
                break
            await asyncio.sleep(0.1)
    finally:
        await jobs.stop()
    assert [type(event) for event in seen] == [InterventionEscalated]
