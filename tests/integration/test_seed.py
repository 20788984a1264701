"""``atelier seed``: the demo data set and the bulk ``--scale`` generator, on SQLite and
PostgreSQL. The seeded rows must satisfy every invariant of the domain and be readable
through the use cases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from adapters.persistence.sqlalchemy.identity import tables as id_tables
from adapters.persistence.sqlalchemy.maintenance import mapping
from adapters.persistence.sqlalchemy.maintenance import tables as mt
from adapters.persistence.sqlalchemy.seeding import sync_url
from application.maintenance.commands import (
    DashboardQuery,
    GetInterventionQuery,
    ListInterventionsQuery,
    PlanningConflictsQuery,
)
from application.maintenance.ports import InterventionFilters
from domain.maintenance.enums import InterventionStatus
from domain.maintenance.scheduling import overlapping_pairs
from domain.shared.access import Actor, Role
from entrypoints.bootstrap.container import build_container, shutdown, start
from entrypoints.bootstrap.settings import Settings, load_settings
from entrypoints.cli.main import cli, migrate_database
from entrypoints.cli.seed import read_demo, seed_demo
from tests.support import services

S = InterventionStatus


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'seed.db'}"
        return
    with services.scratch_postgres_database() as url:
        yield url


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "ATELIER_DATA_DIR": str(tmp_path / "var"),
        "ATELIER_DATABASE_URL": url,
        "ATELIER_BCRYPT_ROUNDS": "4",
        "ATELIER_ENV_FILE": str(tmp_path / "no.env"),
    }


def _settings(url: str, tmp_path: Path) -> Settings:
    settings = load_settings(_env(url, tmp_path))
    migrate_database(settings)
    return settings


def _rows(url: str, table: sa.Table) -> list[Any]:
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.select(table)))
    finally:
        engine.dispose()


def check_invariants(url: str, now: datetime) -> dict[str, int]:
    """Assert the domain's invariants on every stored intervention; return counts."""
    interventions = [mapping.intervention(r) for r in _rows(url, mt.interventions)]
    entries = [mapping.entry(r) for r in _rows(url, mt.schedule_entries)]
    equipment = {r.id: mapping.equipment(r) for r in _rows(url, mt.equipment)}
    technicians = {r.id for r in _rows(url, mt.technicians)}
    by_intervention = {e.intervention_id: e for e in entries}
    assert len(by_intervention) == len(entries)
    latest_done: dict[Any, datetime] = {}
    counts: dict[str, int] = defaultdict(int)
    for i in interventions:
        counts[i.status.value] += 1
        assert i.created_at <= i.updated_at <= now, i
        assert i.equipment_id in equipment
        entry = by_intervention.get(i.id)
        if i.status is S.OPEN:
            assert i.technician_id is None
            assert i.scheduled_at is None
            assert entry is None
            assert i.estimated_minutes is None
            assert i.started_at is None
            assert i.completed_at is None
            assert i.report is None
            continue
        if i.status is S.CANCELLED:
            assert entry is None
            assert i.completed_at is None
            continue
        assert i.technician_id in technicians
        assert i.scheduled_at is not None
        assert i.estimated_minutes is not None
        assert entry is not None, i
        assert entry.technician_id == i.technician_id
        assert entry.starts_at == i.scheduled_at
        assert entry.estimated_minutes == i.estimated_minutes
        if i.status is S.PLANNED:
            assert i.started_at is None
            assert i.completed_at is None
            continue
        assert i.started_at is not None
        assert i.started_at <= now
        if i.status is S.IN_PROGRESS:
            assert i.completed_at is None
            assert i.report is None
            continue
        assert i.completed_at is not None
        assert i.started_at <= i.completed_at <= now
        assert i.report
        assert i.report.strip()
        last = latest_done.get(i.equipment_id)
        latest_done[i.equipment_id] = max(last, i.completed_at) if last else i.completed_at
    assert overlapping_pairs(entries) == []
    for equipment_id, completed in latest_done.items():
        assert equipment[equipment_id].last_maintenance_at is not None
        assert equipment[equipment_id].last_maintenance_at >= completed
    return dict(counts)


async def _read_back(settings: Settings, url: str) -> None:
    """Every intervention reads through the use cases; dashboard and conflicts answer."""
    manager_id = next(r.id for r in _rows(url, id_tables.users) if r.role == "manager")
    actor = Actor(user_id=manager_id, role=Role.MANAGER)
    container = build_container(settings)
    await start(container)
    try:
        m = container.maintenance
        for status in S:
            page = await m.list_interventions()(
                ListInterventionsQuery(
                    actor=actor, filters=InterventionFilters(status=status), limit=20
                )
            )
            assert page.total > 0
            assert page.items
            for item in page.items[:5]:
                got = await m.get_intervention()(
                    GetInterventionQuery(actor=actor, intervention_id=item.id)
                )
                assert got.status == status
        stats = await m.dashboard_stats()(DashboardQuery(actor=actor))
        assert stats.interventions.total == sum(1 for _ in _rows(url, mt.interventions))
        conflicts = await m.planning_conflicts()(PlanningConflictsQuery(actor=actor))
        assert not list(getattr(conflicts, "items", conflicts))
    finally:
        await shutdown(container)


async def test_demo_seed_is_complete_valid_and_idempotent(
    database_url: str, tmp_path: Path
) -> None:
    settings = _settings(database_url, tmp_path)
    first = await seed_demo(settings, read_demo(), quiet=True)
    assert all(first.statuses[s.value] > 0 for s in S), first.statuses
    assert first.created["interventions"] == 35
    assert first.created["users"] == 13
    passwords = [a.password for a in first.accounts]
    assert len(set(passwords)) == len(passwords)
    assert all(len(p) >= 12 for p in passwords)
    counts = check_invariants(database_url, datetime.now(UTC))
    assert counts == first.statuses

    second = await seed_demo(settings, read_demo(), quiet=True)
    assert second.created == {}
    assert second.statuses == first.statuses
    assert len(_rows(database_url, id_tables.users)) == 13
    assert len(_rows(database_url, mt.equipment)) == 17
    assert len(_rows(database_url, mt.technicians)) == 8
    await _read_back(settings, database_url)


async def test_demo_takes_the_password_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(f"sqlite+aiosqlite:///{tmp_path / 'pw.db'}", tmp_path)
    monkeypatch.setenv("ATELIER_DEMO_PASSWORD", "a-long-demo-passphrase-7")
    result = await seed_demo(settings, read_demo(), quiet=True)
    assert {a.password for a in result.accounts} == {"(from ATELIER_DEMO_PASSWORD)"}


def test_scale_seed_respects_the_invariants(database_url: str, tmp_path: Path) -> None:
    env = _env(database_url, tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["seed", "--scale", "2000", "--batch-size", "300"], env=env)
    assert result.exit_code == 0, result.output
    assert "2000 interventions" in result.output
    counts = check_invariants(database_url, datetime.now(UTC))
    assert sum(counts.values()) == 2000
    assert all(counts.get(s.value, 0) > 0 for s in S), counts
    entries = len(_rows(database_url, mt.schedule_entries))
    assert entries == counts["planned"] + counts["in_progress"] + counts["done"]

    again = runner.invoke(cli, ["seed", "--scale", "2000"], env=env)
    assert again.exit_code == 0
    assert "already present" in again.output
    assert len(_rows(database_url, mt.interventions)) == 2000

    import asyncio

    asyncio.run(_read_back(load_settings(env), database_url))


@pytest.mark.slow
def test_demo_seed_prints_a_readable_accounts_table(tmp_path: Path) -> None:
    env = _env(f"sqlite+aiosqlite:///{tmp_path / 'table.db'}", tmp_path)
    result = CliRunner().invoke(cli, ["seed", "--demo"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "{" not in result.output  # no Python dicts
    assert "created: 13 users, 8 technicians, 17 equipment, 35 interventions" in result.output
    header = next(n for n, line in enumerate(lines) if line.startswith("role "))
    columns = [lines[header].index(name) for name in ("e-mail", "name", "one-time password")]
    assert set(lines[header + 1]) <= {"-", " "}
    rows = lines[header + 2 : header + 2 + 13]
    roles = [row.split()[0] for row in rows]
    assert roles == sorted(roles, key=["admin", "manager", "technician", "client"].index)
    for row in rows:  # every column starts at the header's position
        assert row[columns[0] - 2 : columns[0]] == "  "
        assert "@" in row[columns[0] : columns[1]]
        assert len(row[columns[2] :].strip()) >= 12  # the one-time password


def test_seed_needs_exactly_one_mode(tmp_path: Path) -> None:
    env = _env(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", tmp_path)
    result = CliRunner().invoke(cli, ["seed"], env=env)
    assert result.exit_code != 0
    assert "exactly one" in result.output
