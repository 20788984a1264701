"""``atelier seed``: the demo data set (``--demo``) or a large generated one (``--scale N``).

``--demo`` replays ``data/demo.yaml`` through the application's use cases, in chronological
order, with a clock set to each step's moment: every rule applies (roles, ownership,
transitions, schedule clashes, audit trail) and the timestamps tell a plausible month.
It is idempotent: users are matched by e-mail, equipment by serial number, interventions by
equipment and title; what exists is skipped. Each user created gets a random password (or
``ATELIER_DEMO_PASSWORD``), shown once in the closing table.

``--scale N`` writes N interventions (and their equipment, technicians and users) in bulk
batches, see ``adapters.persistence.sqlalchemy.seeding``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import click
import yaml
from dependency_injector import providers
from tqdm import tqdm

from adapters.clock import FixedClock
from application.identity.ports import UserFilters
from application.identity.use_cases.create_user import CreateUserCommand
from application.identity.use_cases.list_users import ListUsersQuery
from application.maintenance.commands import (
    AssignInterventionCommand,
    CancelInterventionCommand,
    CompleteInterventionCommand,
    CreateEquipmentCommand,
    CreateInterventionCommand,
    CreateTechnicianCommand,
    InterventionActionCommand,
    ListEquipmentQuery,
    ListInterventionsQuery,
    ListTechniciansQuery,
    UpdateTechnicianCommand,
)
from application.maintenance.ports import EquipmentFilters, InterventionFilters, TechnicianFilters
from domain.maintenance.enums import InterventionStatus
from domain.maintenance.validation import serial_number_key
from domain.shared.access import Actor, Role
from domain.shared.errors import Conflict, DomainError, ValidationFailed
from entrypoints.bootstrap.container import start
from entrypoints.bootstrap.settings import Settings, SettingsError, load_settings

DEMO_FILE = Path(__file__).parent / "data" / "demo.yaml"
SYSTEM = Actor(user_id=UUID(int=0), role=Role.ADMIN)
PASSWORD_ENV = "ATELIER_DEMO_PASSWORD"  # noqa: S105 - a variable name, not a password
ASSIGN_DELAY = timedelta(minutes=20)


# -- relative dates -------------------------------------------------------------------------
def workday(today: date, offset: int) -> date:
    """The ``offset``-th working day (Mon-Fri) after (> 0) or before (< 0) ``today``."""
    if offset == 0:
        raise ValueError("workday offsets start at 1 (after today) or -1 (before today)")
    step, day, left = (1 if offset > 0 else -1), today, abs(offset)
    while left:
        day += timedelta(days=step)
        if day.weekday() < 5:
            left -= 1
    return day


def moment(today: date, spec: dict[str, Any]) -> datetime:
    """``{workday: N, at: "HH:MM"}`` -> an aware UTC instant."""
    hours, minutes = (int(part) for part in str(spec.get("at", "09:00")).split(":"))
    return datetime.combine(workday(today, int(spec["workday"])), time(hours, minutes), UTC)


# -- the demo loader ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Account:
    """A demo user as the accounts table shows it."""

    role: str
    email: str
    name: str
    password: str
    """The one-time password, or a note (already existed, from the environment)."""


@dataclass
class DemoResult:
    accounts: list[Account] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    """Interventions per status in the database afterwards."""

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.skipped
        target[kind] = target.get(kind, 0) + 1


Step = tuple[datetime, int, str, Callable[[], Awaitable[None]]]


class DemoLoader:
    """Replays the demo document through the container's use cases."""

    def __init__(self, container: Any, data: dict[str, Any], *, now: datetime) -> None:
        self.c, self.data, self.now = container, data, now
        self.today = now.date()
        self.clock = FixedClock(now)
        container.clock.override(providers.Object(self.clock))
        self.result = DemoResult()
        self.users: dict[str, tuple[UUID, Role]] = {}
        self.technicians: dict[str, UUID] = {}
        self.new_technicians: set[str] = set()
        self.equipment: dict[str, UUID] = {}
        self.interventions: dict[int, UUID] = {}

    @property
    def steps_total(self) -> int:
        return (
            len(self.data["users"])
            + 2 * len(self.data["technicians"])
            + len(self.data["equipment"])
        )

    def actor(self, email: str) -> Actor:
        user_id, role = self.users[email]
        return Actor(user_id=user_id, role=role)

    @property
    def manager(self) -> Actor:
        return next(Actor(user_id=u, role=r) for u, r in self.users.values() if r is Role.MANAGER)

    # people and equipment ------------------------------------------------------------------
    async def user(self, spec: dict[str, Any], role: Role, fixed_password: str | None) -> None:
        email = spec["email"]
        self.clock.set(moment(self.today, {"workday": -32, "at": "08:00"}))
        for _ in range(5):
            password = fixed_password or secrets.token_urlsafe(12)
            try:
                view = await self.c.identity.create_user()(
                    CreateUserCommand(
                        actor=SYSTEM,
                        email=email,
                        password=password,
                        first_name=spec["first_name"],
                        last_name=spec["last_name"],
                        role=role,
                    )
                )
            except ValidationFailed:
                if fixed_password:
                    raise
                continue  # a random password the policy refused: draw another
            except Conflict:
                self.users[email] = (await self._existing_user(email), role)
                self.result.accounts.append(
                    Account(role.value, email, _name(spec), "(already existed, unchanged)")
                )
                self.result.count("users", created=False)
                return
            self.users[email] = (view.id, role)
            shown = f"(from {PASSWORD_ENV})" if fixed_password else password
            self.result.accounts.append(Account(role.value, email, _name(spec), shown))
            self.result.count("users", created=True)
            return
        raise click.ClickException(f"could not generate an accepted password for {email}")

    async def _existing_user(self, email: str) -> UUID:
        page = await self.c.identity.list_users()(
            ListUsersQuery(actor=SYSTEM, filters=UserFilters(q=email), limit=50)
        )
        for item in page.items:
            if item.email.casefold() == email.casefold():
                return UUID(str(item.id))
        raise click.ClickException(f"{email} is taken but cannot be found")

    async def technician(self, spec: dict[str, Any]) -> None:
        user_id, _ = self.users[spec["email"]]
        command = CreateTechnicianCommand(
            actor=self.manager,
            user_id=user_id,
            specialty=spec.get("specialty"),
            skills=spec.get("skills", []),
            experience_level=spec.get("experience_level", "junior"),
            phone=spec.get("phone"),
            base_location=spec.get("base_location"),
        )
        self.clock.set(moment(self.today, {"workday": -31, "at": "09:00"}))
        try:
            view = await self.c.maintenance.create_technician()(command)
        except Conflict:
            page = await self.c.maintenance.list_technicians()(
                ListTechniciansQuery(actor=SYSTEM, filters=TechnicianFilters(user_id=user_id))
            )
            self.technicians[spec["email"]] = page.items[0].id
            self.result.count("technicians", created=False)
            return
        self.technicians[spec["email"]] = view.id
        self.new_technicians.add(spec["email"])
        self.result.count("technicians", created=True)

    async def equipment_item(self, spec: dict[str, Any]) -> None:
        serial = spec["serial_number"]
        days_ago = spec.get("last_maintenance_days_ago")
        owner = spec.get("owner")
        command = CreateEquipmentCommand(
            actor=self.manager,
            name=spec["name"],
            type=spec["type"],
            serial_number=serial,
            model=spec.get("model"),
            location=spec.get("location"),
            owner_id=self.users[owner][0] if owner else None,
            installed_on=spec.get("installed_on"),
            maintenance_interval_days=spec.get("maintenance_interval_days"),
            status=spec.get("status", "operational"),
            last_maintenance_at=None if days_ago is None else self.now - timedelta(days=days_ago),
        )
        self.clock.set(moment(self.today, {"workday": -30, "at": "08:30"}))
        try:
            view = await self.c.maintenance.create_equipment()(command)
        except Conflict:
            page = await self.c.maintenance.list_equipment()(
                ListEquipmentQuery(actor=SYSTEM, filters=EquipmentFilters(q=serial), limit=200)
            )
            key = serial_number_key(serial)
            found = [e for e in page.items if serial_number_key(e.serial_number) == key]
            self.equipment[serial] = found[0].id
            self.result.count("equipment", created=False)
            return
        self.equipment[serial] = view.id
        self.result.count("equipment", created=True)

    # interventions -------------------------------------------------------------------------
    def intervention_steps(self, index: int, spec: dict[str, Any]) -> list[Step]:
        """The dated life-cycle steps of one intervention, checked to be in order."""
        m = self.c.maintenance
        status = InterventionStatus(spec["status"])
        origin = InterventionStatus(spec.get("cancelled_from", status.value))
        created = moment(self.today, spec["created"])
        steps: list[Step] = [(created, index, "create", lambda: self._create(index, spec))]
        if origin not in (InterventionStatus.OPEN,):
            slot = spec["slot"]
            starts = moment(self.today, slot)
            tech = self.actor(spec["technician"])
            ref = self._ref(index)
            steps.append((created + ASSIGN_DELAY, index, "assign", lambda: self._assign(ref, spec)))
            if origin is not InterventionStatus.PLANNED:
                started = starts + timedelta(minutes=spec.get("started_late_minutes", 0))
                steps.append(
                    (started, index, "start", lambda: self._act(m.start_intervention, tech, ref))
                )
                if status is InterventionStatus.DONE:
                    done = started + timedelta(
                        minutes=spec.get("actual_minutes", slot.get("minutes", 60))
                    )
                    steps.append((done, index, "complete", lambda: self._complete(tech, ref, spec)))
        if status is InterventionStatus.CANCELLED:
            when = moment(self.today, spec["cancelled"])
            steps.append((when, index, "cancel", lambda: self._cancel(self._ref(index), spec)))
        times = [s[0] for s in steps]
        if times != sorted(times) or times[-1] > self.now:
            raise click.ClickException(
                f"demo data: the steps of {spec['title']!r} are out of order"
            )
        return steps

    def _ref(self, index: int) -> Callable[[], UUID]:
        return lambda: self.interventions[index]

    async def _create(self, index: int, spec: dict[str, Any]) -> None:
        equipment_id = self.equipment[spec["equipment"]]
        if spec["title"] in await self._titles(equipment_id):
            self.result.count("interventions", created=False)
            return
        created = moment(self.today, spec["created"])
        due = spec.get("due_in_hours")
        view = await self.c.maintenance.create_intervention()(
            CreateInterventionCommand(
                actor=self.actor(spec["created_by"]),
                title=spec["title"],
                equipment_id=equipment_id,
                description=spec.get("description", ""),
                type=spec.get("type", "corrective"),
                priority=spec.get("priority", "normal"),
                urgent=bool(spec.get("urgent", False)),
                due_at=None if due is None else created + timedelta(hours=due),
                required_skills=spec.get("required_skills", []),
            )
        )
        self.interventions[index] = view.id
        self.result.count("interventions", created=True)

    async def _titles(self, equipment_id: UUID) -> set[str]:
        """Titles of the equipment's interventions (exact match; no text search, whose
        case folding differs between databases)."""
        titles: set[str] = set()
        offset = 0
        while True:
            page = await self.c.maintenance.list_interventions()(
                ListInterventionsQuery(
                    actor=SYSTEM,
                    filters=InterventionFilters(equipment_id=equipment_id),
                    limit=200,
                    offset=offset,
                )
            )
            titles.update(item.title for item in page.items)
            offset += len(page.items)
            if not page.items or offset >= page.total:
                return titles

    async def _assign(self, ref: Callable[[], UUID], spec: dict[str, Any]) -> None:
        slot = spec["slot"]
        await self.c.maintenance.assign_intervention()(
            AssignInterventionCommand(
                actor=self.manager,
                intervention_id=ref(),
                technician_id=self.technicians[spec["technician"]],
                scheduled_at=moment(self.today, slot),
                estimated_minutes=int(slot.get("minutes", 60)),
            )
        )

    async def _act(self, use_case: Any, actor: Actor, ref: Callable[[], UUID]) -> None:
        await use_case()(InterventionActionCommand(actor=actor, intervention_id=ref()))

    async def _complete(self, actor: Actor, ref: Callable[[], UUID], spec: dict[str, Any]) -> None:
        await self.c.maintenance.complete_intervention()(
            CompleteInterventionCommand(actor=actor, intervention_id=ref(), report=spec["report"])
        )

    async def _cancel(self, ref: Callable[[], UUID], spec: dict[str, Any]) -> None:
        by = spec.get("cancelled_by")
        await self.c.maintenance.cancel_intervention()(
            CancelInterventionCommand(
                actor=self.actor(by) if by else self.manager,
                intervention_id=ref(),
                reason=spec.get("cancel_reason"),
            )
        )

    # the whole replay ----------------------------------------------------------------------
    async def run(self, fixed_password: str | None, bar: Any) -> DemoResult:
        for spec in self.data["users"]:
            await self.user(spec, Role(spec["role"]), fixed_password)
            bar.update(1)
        for spec in self.data["technicians"]:
            await self.user(spec, Role.TECHNICIAN, fixed_password)
            bar.update(1)
        for spec in self.data["technicians"]:
            await self.technician(spec)
            bar.update(1)
        for spec in self.data["equipment"]:
            await self.equipment_item(spec)
            bar.update(1)
        steps = [
            step
            for index, spec in enumerate(self.data["interventions"])
            for step in self.intervention_steps(index, spec)
        ]
        steps.sort(key=lambda s: (s[0], s[1]))
        bar.total = self.steps_total + len(steps) + 1
        bar.refresh()
        for at, index, action, run in steps:
            if action == "create" or index in self.interventions:
                self.clock.set(at)
                await run()
            bar.update(1)
        self.clock.set(self.now)
        for spec in self.data["technicians"]:
            if spec.get("available_after_seed") is False and spec["email"] in self.new_technicians:
                await self.c.maintenance.update_technician()(
                    UpdateTechnicianCommand(
                        actor=self.manager,
                        technician_id=self.technicians[spec["email"]],
                        changes={"available": False},
                    )
                )
        bar.update(1)
        return self.result


async def status_counts(container: Any) -> dict[str, int]:
    counts = {}
    for status in InterventionStatus:
        page = await container.maintenance.list_interventions()(
            ListInterventionsQuery(
                actor=SYSTEM, filters=InterventionFilters(status=status), limit=1
            )
        )
        counts[status.value] = page.total
    return counts


# -- command --------------------------------------------------------------------------------
def _settings() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    if settings.persistence_kind == "memory":
        raise click.ClickException("persistence is 'memory': there is nothing to seed")
    return settings


def _container(settings: Settings) -> Any:
    from entrypoints.bootstrap.container import build_container

    try:
        return build_container(settings)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def read_demo(data_file: Path = DEMO_FILE) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(data_file.read_text(encoding="utf-8"))
    return data


async def seed_demo(settings: Settings, data: dict[str, Any], *, quiet: bool = False) -> DemoResult:
    """Load the demo document; returns what was created and the accounts table."""
    from entrypoints.bootstrap.container import shutdown

    container = _container(settings)

    await start(container)
    try:
        loader = DemoLoader(container, data, now=datetime.now(UTC).replace(microsecond=0))
        with tqdm(total=loader.steps_total, desc="demo", unit="step", disable=quiet) as bar:
            result = await loader.run(os.environ.get(PASSWORD_ENV) or None, bar)
        result.statuses = await status_counts(container)
        return result
    finally:
        container.clock.reset_override()
        await shutdown(container)


async def _hash_password(settings: Settings, password: str) -> str:
    from entrypoints.bootstrap.container import shutdown

    container = _container(settings)

    await start(container)
    try:
        return str(await container.password_hasher().hash(password))
    finally:
        await shutdown(container)


def _name(spec: dict[str, Any]) -> str:
    return f"{spec.get('first_name', '')} {spec.get('last_name', '')}".strip()


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned columns under a header and a rule (two blanks between columns)."""
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    return [line(headers).rstrip(), line(["-" * w for w in widths]).rstrip()] + [
        line(row).rstrip() for row in rows
    ]


def accounts_table(accounts: Sequence[Account]) -> list[str]:
    """The demo users: role, e-mail, name, one-time password; by role, then e-mail."""
    order = {role.value: n for n, role in enumerate(Role)}
    ordered = sorted(accounts, key=lambda a: (order.get(a.role, len(order)), a.email))
    return text_table(
        ["role", "e-mail", "name", "one-time password"],
        [[a.role, a.email, a.name, a.password] for a in ordered],
    )


def counts_line(counts: Mapping[str, int]) -> str:
    """``{"users": 13, "equipment": 17}`` -> ``13 users, 17 equipment`` (or ``nothing``)."""
    return ", ".join(f"{n} {kind}" for kind, n in counts.items() if n) or "nothing"


def _print_accounts(accounts: Sequence[Account]) -> None:
    if not accounts:
        return
    click.echo("")
    for line in accounts_table(accounts):
        click.echo(line)
    click.echo("Passwords are shown only this once; each user must change theirs.")


def register(cli: click.Group) -> None:
    @cli.command("seed")
    @click.option("--demo", is_flag=True, help="Load the realistic demo data set.")
    @click.option("--scale", type=click.IntRange(min=1), default=None, metavar="N",
                  help="Generate N interventions in bulk (load tests).")  # fmt: skip
    @click.option("--equipment", type=click.IntRange(min=1), default=None,
                  help="--scale: number of equipment (default N/100, 10..10000).")  # fmt: skip
    @click.option("--technicians", type=click.IntRange(min=1), default=None,
                  help="--scale: number of technicians (default N/100, 5..100).")  # fmt: skip
    @click.option("--batch-size", type=click.IntRange(min=100), default=10_000,
                  show_default=True, help="--scale: rows per batch.")  # fmt: skip
    @click.option("--data", "data_file", type=click.Path(exists=True, dir_okay=False,
                  path_type=Path), default=None, help="--demo: another YAML document.")  # fmt: skip
    @click.option("--media", "media_file", type=click.Path(exists=True, dir_okay=False,
                  path_type=Path), default=None,
                  help="Load media categories, colours and themes from YAML.")  # fmt: skip
    def seed(
        demo: bool,
        scale: int | None,
        equipment: int | None,
        technicians: int | None,
        batch_size: int,
        data_file: Path | None,
        media_file: Path | None,
    ) -> None:
        """Load demo data (--demo), generate a large data set (--scale N) or load media
        catalogue data (--media FILE.yaml)."""
        if [demo, scale is not None, media_file is not None].count(True) != 1:
            raise click.UsageError("choose exactly one of --demo, --scale N and --media FILE")
        settings = prepared_settings()
        if media_file is not None:
            from entrypoints.cli.media import run_media_seed

            run_media_seed(settings, media_file)
        elif demo:
            _run_demo(settings, data_file or DEMO_FILE)
        else:
            assert scale is not None
            _run_scale(settings, scale, equipment, technicians, batch_size)


def prepared_settings() -> Settings:
    """The settings of a seeding command, the embedded database migrated first."""
    settings = _settings()
    if settings.profile == "embedded":
        from entrypoints.cli.main import migrate_database

        migrate_database(settings)
    return settings


def _run_demo(settings: Settings, data_file: Path) -> None:
    try:
        result = asyncio.run(seed_demo(settings, read_demo(data_file)))
    except DomainError as exc:
        raise click.ClickException(f"demo data refused: {exc.detail}") from exc
    click.echo(f"created: {counts_line(result.created)}")
    click.echo(f"already present (skipped): {counts_line(result.skipped)}")
    click.echo(f"interventions by status: {counts_line(result.statuses)}")
    _print_accounts(result.accounts)


def _run_scale(
    settings: Settings, n: int, equipment: int | None, technicians: int | None, batch: int
) -> None:
    from adapters.persistence.sqlalchemy.seeding import ScaleShape, seed_scale

    shape = ScaleShape.for_interventions(
        n, equipment=equipment, technicians=technicians, batch_size=batch
    )
    fixed = os.environ.get(PASSWORD_ENV) or None
    password = fixed or secrets.token_urlsafe(18)
    password_hash = asyncio.run(_hash_password(settings, password))
    click.echo(
        f"shape: {shape.interventions} interventions, {shape.equipment} equipment, "
        f"{shape.technicians} technicians, {shape.managers} managers, "
        f"{shape.client_count} clients"
    )
    with tqdm(total=n, desc="interventions", unit="row", unit_scale=True) as bar:
        report = seed_scale(
            settings.effective_database_url, shape, password_hash=password_hash,
            on_progress=bar.update,
        )  # fmt: skip
    if report.skipped:
        click.echo("a --scale data set is already present in this database: nothing done")
        return
    click.echo(
        f"inserted {report.users} users, {report.technicians} technicians, "
        f"{report.equipment} equipment, {report.interventions} interventions, "
        f"{report.schedule_entries} planning entries in {report.seconds:.1f} s ({report.method})"
    )
    click.echo(f"interventions by status: {counts_line(report.by_status)}")
    shown = f"(from {PASSWORD_ENV})" if fixed else password
    click.echo(f"every generated user shares the password: {shown}")
    click.echo(f"managers: {', '.join(report.manager_emails)}")
