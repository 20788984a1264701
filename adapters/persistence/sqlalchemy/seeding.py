"""Bulk generation of a large, valid maintenance data set (``atelier seed --scale N``).

Rows are generated in Python and written in large batches straight into the real tables:
``COPY ... FROM STDIN`` through psycopg on PostgreSQL, SQLAlchemy Core ``executemany``
elsewhere (SQLite). Nothing goes through the use cases (a million of them would take hours),
so every invariant of the domain is built in by construction:

* ``open``: no technician, slot, start, completion nor report; no planning entry.
* ``planned``: technician + ``scheduled_at`` (in the future) + ``estimated_minutes`` and a
  planning entry; ``in_progress`` adds ``started_at`` (in the past); ``done`` adds
  ``completed_at >= started_at`` and a non-empty report. Each keeps its planning entry.
* ``cancelled``: no planning entry; the technician and slot stay recorded when it was
  cancelled after assignment (as ``Intervention.cancel`` leaves them).
* Planning entries never overlap for one technician: every technician owns a grid of
  one-hour slots on working days (Monday-Friday, 08:00-17:00 UTC, the default working
  hours) and each slot is used once; an entry lasts 30 to 60 minutes inside its slot.
* ``created_at <= scheduled_at``-side timestamps, ``updated_at`` is the last change,
  ``version`` counts the life-cycle steps; critical interventions left unassigned longer
  than the escalation delay are marked escalated, as the periodic job would have done.
* Equipment ``last_maintenance_at`` is the latest ``completed_at`` of its done
  interventions and ``next_maintenance_at`` is derived from it.

Ids are UUIDv7 whose time part is the row's ``created_at``. The generator is seeded, so the
same shape gives the same data. Seeding twice into the same database is refused politely
(``ScaleReport.skipped``): the first generated serial number is the marker.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.identity import tables as id_tables
from adapters.persistence.sqlalchemy.maintenance import tables as mt
from adapters.persistence.sqlalchemy.maintenance.mapping import PRIORITY_RANK
from adapters.persistence.sqlalchemy.metadata import POSTGRES_SESSION_OPTIONS
from domain.maintenance.enums import InterventionStatus, Priority
from domain.maintenance.validation import serial_number_key

S = InterventionStatus
EMAIL_DOMAIN = "scale.atelier.example"
SERIAL_PREFIX = "SC-"
SLOTS_PER_DAY = 9  # 08:00 .. 16:00, one hour each
FIRST_SLOT_HOUR = 8
ESCALATION_DELAY = timedelta(minutes=30)

#: Share of each status (the remainder goes to ``done``).
STATUS_SHARES: dict[InterventionStatus, float] = {
    S.OPEN: 0.14,
    S.PLANNED: 0.02,
    S.IN_PROGRESS: 0.005,
    S.CANCELLED: 0.08,
}
PRIORITY_WEIGHTS = ((Priority.LOW, 20), (Priority.NORMAL, 50), (Priority.HIGH, 25),
                    (Priority.CRITICAL, 5))  # fmt: skip
_PRIORITIES = [p for p, _ in PRIORITY_WEIGHTS]
_PRIORITY_WEIGHTS = [w for _, w in PRIORITY_WEIGHTS]
DUE_HOURS = {Priority.LOW: 336, Priority.NORMAL: 168, Priority.HIGH: 72, Priority.CRITICAL: 24}


@dataclass(frozen=True, slots=True)
class Family:
    type: str
    specialty: str
    skills: tuple[str, ...]
    models: tuple[str, ...]
    interval_days: int
    corrective: tuple[str, ...]
    preventive: tuple[str, ...]


FAMILIES: tuple[Family, ...] = (
    Family("CVC", "CVC", ("cvc", "froid", "régulation"), ("Carrier 39HQ", "Daikin FTXM35"), 90,
           ("Perte de froid", "Fuite de fluide frigorigène", "Ventilateur bruyant"),
           ("Remplacement des filtres", "Nettoyage des batteries")),
    Family("Électrique", "Électricité", ("électrique", "thermographie", "variateurs"),
           ("Prisma P 4000A", "APC Galaxy VS"), 180,
           ("Disjoncteur qui déclenche", "Défaut d'isolement", "Variateur en défaut"),
           ("Thermographie des départs", "Resserrage des connexions")),
    Family("Convoyeur", "Automatisme", ("convoyeur", "automatisme", "capteurs"),
           ("Interroll RM 8320", "Vanderlande Posisorter"), 60,
           ("Bande déchirée", "Moteur d'entraînement en surchauffe", "Cellule de détection HS"),
           ("Graissage des paliers", "Réglage de la tension de bande")),
    Family("Compresseur", "Compresseur", ("compresseur", "pneumatique", "analyse vibratoire"),
           ("GA 37 VSD", "Abac B7000"), 90,
           ("Température d'huile élevée", "Fuite d'air au séparateur", "Claquement au démarrage"),
           ("Vidange et filtres", "Contrôle des soupapes")),
    Family("Chariot élévateur", "Manutention", ("chariot élévateur", "hydraulique", "batteries"),
           ("Linde E25", "Toyota 8FBE"), 90,
           ("Fuite hydraulique au mât", "Batterie qui ne tient pas la charge", "Freins usés"),
           ("Révision 500 heures", "Contrôle des chaînes de mât")),
    Family("Pompe", "Hydraulique", ("pompe", "hydraulique", "soudure"), ("CR 32-4", "NBG 80"), 120,
           ("Fuite à la garniture", "Débit insuffisant", "Roulement bruyant"),
           ("Contrôle des garnitures", "Analyse d'huile")),
    Family("Groupe électrogène", "Électricité", ("groupe électrogène", "diesel", "électrique"),
           ("SDMO J165", "Cummins C150"), 180,
           ("Démarrage difficile", "Alarme température d'eau", "Batterie de démarrage HS"),
           ("Essai en charge", "Vidange moteur")),
    Family("Presse", "Mécanique", ("presse", "mécanique", "hydraulique"),
           ("HPX-2000", "Heidelberg SM 74"), 60,
           ("Perte de pression", "Défaut de parallélisme", "Vérin qui fuit"),
           ("Contrôle des sécurités", "Graissage centralisé")),
)  # fmt: skip
SITES = ("Casablanca", "Tanger Med", "Rabat", "Marrakech", "Agadir", "Fès", "Kénitra", "Oujda")
BUILDINGS = ("Atelier A", "Atelier B", "Entrepôt 1", "Entrepôt 2", "Local technique", "Toiture")
FIRST_NAMES = (
    "Nadia",
    "Youssef",
    "Leïla",
    "Omar",
    "Sophie",
    "Karim",
    "Samira",
    "Hicham",
    "Marie",
    "Pierre",
    "Rachid",
    "Fatima",
    "Thomas",
    "Salma",
    "Mehdi",
    "Inès",
)
LAST_NAMES = (
    "Alaoui",
    "Benjelloun",
    "Berrada",
    "Chraibi",
    "Dubois",
    "El Amrani",
    "Idrissi",
    "Lahlou",
    "Martin",
    "Ouazzani",
    "Tazi",
    "Leroy",
    "Bennani",
    "Fassi",
    "Kettani",
)
LEVELS = ("junior", "intermediate", "senior", "expert")
REPORTS = (
    "Pièce défectueuse remplacée, essais de fonctionnement conformes.",
    "Réglages effectués et paramètres contrôlés, aucune anomalie résiduelle.",
    "Nettoyage, graissage et resserrage réalisés ; prochaine visite selon le plan.",
    "Cause identifiée et corrigée, équipement remis en service et testé en charge.",
)
CANCEL_REASONS = (
    "Doublon d'une demande existante.",
    "Pièces non disponibles, reporté au prochain arrêt.",
    "Demande retirée par le client.",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScaleShape:
    interventions: int
    equipment: int
    technicians: int
    managers: int = 2
    clients: int | None = None
    """Equipment owners; default one per 50 equipment (at least one)."""
    batch_size: int = 10_000
    seed: int = 20_261_121

    @classmethod
    def for_interventions(
        cls,
        interventions: int,
        *,
        equipment: int | None = None,
        technicians: int | None = None,
        batch_size: int = 10_000,
    ) -> ScaleShape:
        """Defaults: one equipment per 100 interventions (10..10,000) and one technician per
        100 interventions (5..100)."""
        return cls(
            interventions=interventions,
            equipment=equipment or min(10_000, max(10, interventions // 100)),
            technicians=technicians or min(100, max(5, interventions // 100)),
            batch_size=batch_size,
        )

    @property
    def client_count(self) -> int:
        return self.clients or max(1, self.equipment // 50)

    def check(self) -> None:
        if self.interventions < 0 or self.equipment < 1 or self.technicians < 1:
            raise ValueError("need interventions >= 0, equipment >= 1 and technicians >= 1")
        if self.managers < 1 or self.batch_size < 1:
            raise ValueError("need at least one manager and a positive batch size")


@dataclass(slots=True)
class ScaleReport:
    users: int = 0
    technicians: int = 0
    equipment: int = 0
    interventions: int = 0
    schedule_entries: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    manager_emails: list[str] = field(default_factory=list)
    skipped: bool = False
    method: str = ""


def manager_email(index: int) -> str:
    return f"scale-manager-{index + 1}@{EMAIL_DOMAIN}"


def technician_email(index: int) -> str:
    return f"scale-tech-{index + 1:05d}@{EMAIL_DOMAIN}"


def client_email(index: int) -> str:
    return f"scale-client-{index + 1:05d}@{EMAIL_DOMAIN}"


def serial_number(index: int) -> str:
    return f"{SERIAL_PREFIX}{index + 1:08d}"


def status_counts(total: int) -> dict[InterventionStatus, int]:
    """Exact counts per status for ``total`` rows (``done`` takes the remainder); every
    status gets at least one row when ``total >= 5``."""
    counts = {s: int(total * share) for s, share in STATUS_SHARES.items()}
    if total >= len(S):
        counts = {s: max(1, n) for s, n in counts.items()}
    counts[S.DONE] = total - sum(counts.values())
    return counts


# -- generation ---------------------------------------------------------------------------
class _Ids:
    """UUIDv7 whose time part is a given instant (ids sort like ``created_at``)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def at(self, moment: datetime) -> UUID:
        ms = int(moment.timestamp() * 1000) & ((1 << 48) - 1)
        rand = self._rng.getrandbits(74)
        value = ms << 80 | 0x7 << 76 | (rand >> 62) << 64 | 0b10 << 62 | (rand & ((1 << 62) - 1))
        return UUID(int=value)


class _SlotGrid:
    """One-hour slots on working days; index 0 is the latest past slot (``past``) or the
    first future slot (``future``)."""

    def __init__(self, now: datetime, days_needed: int) -> None:
        today = now.astimezone(UTC).date()
        self._past = _workdays(today, -1, days_needed + 1)
        self._future = _workdays(today, 1, days_needed + 1)

    def past(self, index: int) -> datetime:
        day = self._past[index // SLOTS_PER_DAY]
        hour = FIRST_SLOT_HOUR + SLOTS_PER_DAY - 1 - index % SLOTS_PER_DAY
        return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)

    def future(self, index: int) -> datetime:
        day = self._future[index // SLOTS_PER_DAY]
        hour = FIRST_SLOT_HOUR + index % SLOTS_PER_DAY
        return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _workdays(start: date, step: int, count: int) -> list[date]:
    days: list[date] = []
    day = start
    while len(days) < count:
        day += timedelta(days=step)
        if day.weekday() < 5:
            days.append(day)
    return days


class _Generator:
    def __init__(self, shape: ScaleShape, now: datetime, password_hash: str) -> None:
        self.shape, self.now, self.password_hash = shape, now.astimezone(UTC), password_hash
        self.rng = random.Random(shape.seed)  # noqa: S311 - reproducible test data, not secrets
        self.ids = _Ids(self.rng)
        self.counts = status_counts(shape.interventions)
        ip_rows = self.counts[S.IN_PROGRESS]
        self.ip_slots = -(-ip_rows // shape.technicians)  # slots reserved for in_progress
        history = ip_rows + self.counts[S.DONE] + self.counts[S.CANCELLED]
        past_per_tech = self.ip_slots + -(-history // shape.technicians) + 1
        future_per_tech = -(-self.counts[S.PLANNED] // shape.technicians) + 1
        days = max(past_per_tech, future_per_tech) // SLOTS_PER_DAY + 2
        self.grid = _SlotGrid(self.now, days)
        self.origin = self.grid.past(past_per_tech) - timedelta(days=30)
        self.users: list[dict[str, Any]] = []
        self.managers: list[UUID] = []
        self.clients: list[UUID] = []
        self.technicians: list[dict[str, Any]] = []
        self.equipment: list[dict[str, Any]] = []
        self.by_family: list[list[int]] = [[] for _ in FAMILIES]
        self.last_done: list[datetime | None] = []

    # users, technicians, equipment (small: built in memory) ------------------------------
    def build_people(self) -> None:
        created = self.origin - timedelta(days=30)
        for kind, count, email in (
            ("manager", self.shape.managers, manager_email),
            ("client", self.shape.client_count, client_email),
            ("technician", self.shape.technicians, technician_email),
        ):
            for index in range(count):
                user_id = self.ids.at(created)
                address = email(index)
                self.users.append({
                    "id": user_id, "email": address, "email_normalized": address.casefold(),
                    "first_name": FIRST_NAMES[index % len(FIRST_NAMES)],
                    "last_name": LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)],
                    "role": kind, "is_active": True, "password_hash": self.password_hash,
                    "tokens_valid_after": None, "kept_session_id": None, "last_login_at": None,
                    "created_at": created, "updated_at": created, "version": 1,
                })  # fmt: skip
                if kind == "manager":
                    self.managers.append(user_id)
                elif kind == "client":
                    self.clients.append(user_id)
                else:
                    self._technician(index, user_id, created)

    def _technician(self, index: int, user_id: UUID, created: datetime) -> None:
        family = FAMILIES[index % len(FAMILIES)]
        specialty = family.specialty
        hours = [[day, FIRST_SLOT_HOUR * 60, (FIRST_SLOT_HOUR + SLOTS_PER_DAY) * 60]
                 for day in range(5)]  # fmt: skip
        self.technicians.append({
            "id": self.ids.at(created), "user_id": user_id, "specialty": specialty,
            "specialty_key": specialty.casefold(), "skills": sorted(family.skills),
            "experience_level": LEVELS[index % len(LEVELS)],
            "available": index % 20 != 19,  # one in twenty on leave
            "phone": f"+212 6 {10 + index // 10000:02d} {index % 10000:04d}",
            "base_location": SITES[index % len(SITES)], "working_hours": hours,
            "created_at": created, "updated_at": created, "version": 1,
        })  # fmt: skip

    def build_equipment(self) -> None:
        created = self.origin
        statuses = ("operational",) * 16 + ("degraded", "down", "maintenance")
        for index in range(self.shape.equipment):
            family = FAMILIES[index % len(FAMILIES)]
            site = SITES[(index // len(FAMILIES)) % len(SITES)]
            location = f"{site} - {BUILDINGS[index % len(BUILDINGS)]}"
            serial = serial_number(index)
            installed = (created - timedelta(days=365 + self.rng.randrange(3000))).date()
            owner = self.clients[index % len(self.clients)] if index % 5 else None
            self.equipment.append({
                "id": self.ids.at(created), "name": f"{family.type} {index + 1}",
                "type": family.type, "type_key": family.type.casefold(),
                "model": family.models[index % len(family.models)],
                "serial_number": serial, "serial_key": serial_number_key(serial),
                "location": location, "location_key": location.casefold(), "owner_id": owner,
                "installed_on": installed, "maintenance_interval_days": family.interval_days,
                "status": statuses[index % len(statuses)], "last_maintenance_at": None,
                "next_maintenance_at": datetime.combine(installed, datetime.min.time(), UTC)
                + timedelta(days=family.interval_days),
                "created_at": created, "updated_at": created, "version": 1,
            })  # fmt: skip
            self.by_family[index % len(FAMILIES)].append(index)
            self.last_done.append(None)

    # interventions (streamed) -----------------------------------------------------------
    def interventions(self) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
        """``(intervention row, planning entry row or None)`` for every intervention."""
        order: list[InterventionStatus] = []
        for status, count in self.counts.items():
            order.extend([status] * count)
        self.rng.shuffle(order)
        seen = dict.fromkeys(S, 0)
        for status in order:
            j = seen[status]
            seen[status] += 1
            yield self._intervention(status, j)

    def _slot(self, status: InterventionStatus, j: int) -> tuple[int, datetime]:
        tech = j % self.shape.technicians
        k = j // self.shape.technicians
        if status is S.PLANNED:
            return tech, self.grid.future(k)
        if status is S.IN_PROGRESS:
            return tech, self.grid.past(k)
        # done and cancelled share the history after the in-progress slots (the caller
        # numbers cancelled rows after the done ones, so no two rows share a slot)
        return tech, self.grid.past(self.ip_slots + k)

    def _intervention(
        self, status: InterventionStatus, j: int
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        rng, shape = self.rng, self.shape
        priority = rng.choices(_PRIORITIES, _PRIORITY_WEIGHTS)[0]
        kind = rng.choices(("corrective", "preventive", "predictive"), (60, 32, 8))[0]
        cancelled_from = S.OPEN
        if status is S.CANCELLED:
            cancelled_from = rng.choices((S.OPEN, S.PLANNED, S.IN_PROGRESS), (6, 3, 1))[0]
        assigned = status in (S.PLANNED, S.IN_PROGRESS, S.DONE) or cancelled_from is not S.OPEN
        tech_index: int | None = None
        scheduled: datetime | None = None
        if assigned:
            # cancelled rows count in the same history sequence as done rows
            j_hist = j if status is not S.CANCELLED else self.counts[S.DONE] + j
            tech_index, scheduled = self._slot(status, j_hist)
            family_index = tech_index % len(FAMILIES)
            if not self.by_family[family_index]:
                family_index = rng.randrange(len(FAMILIES))
            pool = self.by_family[family_index] or list(range(shape.equipment))
            eq_index = pool[rng.randrange(len(pool))]
        else:
            eq_index = rng.randrange(shape.equipment)
        family = FAMILIES[eq_index % len(FAMILIES)]
        equipment = self.equipment[eq_index]
        titles = family.corrective if kind == "corrective" else family.preventive
        title = f"{titles[rng.randrange(len(titles))]} - {equipment['name']}"
        skills = sorted(rng.sample(family.skills, rng.randint(1, 2)))
        owner = equipment["owner_id"]
        creator = owner if owner is not None and kind == "corrective" else None
        creator = creator or self.managers[j % len(self.managers)]

        if scheduled is not None:
            created = scheduled - timedelta(minutes=rng.randint(60, 7 * 24 * 60))
            if status is S.PLANNED:
                created = min(created, self.now - timedelta(minutes=rng.randint(5, 10 * 24 * 60)))
        elif status is S.OPEN:
            created = self.now - timedelta(minutes=rng.randint(1, 30 * 24 * 60))
        else:  # cancelled while open: anywhere in the history
            span = max(1, int((self.now - self.origin).total_seconds() // 60))
            created = self.origin + timedelta(minutes=rng.randrange(span))
        created = created.replace(microsecond=0)
        minutes = rng.choice((30, 45, 60)) if scheduled is not None else None
        row: dict[str, Any] = {
            "id": self.ids.at(created), "title": title,
            "description": f"{family.type} {equipment['serial_number']} ({equipment['location']})",
            "type": kind, "status": status.value, "priority": priority.value,
            "priority_rank": PRIORITY_RANK[priority], "urgent": priority is Priority.CRITICAL,
            "due_at": created + timedelta(hours=DUE_HOURS[priority]),
            "required_skills": skills, "scheduled_at": scheduled, "estimated_minutes": minutes,
            "started_at": None, "completed_at": None, "equipment_id": equipment["id"],
            "technician_id": self.technicians[tech_index]["id"] if tech_index is not None else None,
            "created_by": creator, "report": None, "cancel_reason": None, "preventive_key": None,
            "escalated_at": None, "created_at": created, "updated_at": created, "version": 1,
        }  # fmt: skip
        left_open = created  # when it stopped being open (assignment or cancellation)
        if assigned:
            assert scheduled is not None
            assert minutes is not None
            assigned_at = min(created + timedelta(minutes=rng.randint(5, 240)), scheduled)
            assigned_at = min(assigned_at, self.now)
            left_open = assigned_at
            row.update(updated_at=assigned_at, version=2)
            if status in (S.IN_PROGRESS, S.DONE) or cancelled_from is S.IN_PROGRESS:
                started = scheduled + timedelta(minutes=rng.randint(0, 10))
                started = max(min(started, self.now), assigned_at)
                row.update(started_at=started, updated_at=started, version=3)
                if status is S.DONE:
                    completed = started + timedelta(minutes=int(minutes * rng.uniform(0.6, 1.4)))
                    completed = min(completed, self.now)
                    row.update(
                        completed_at=completed,
                        updated_at=completed,
                        version=4,
                        report=REPORTS[rng.randrange(len(REPORTS))],
                    )
                    last = self.last_done[eq_index]
                    if last is None or completed > last:
                        self.last_done[eq_index] = completed
        if status is S.CANCELLED:
            cancelled_at = min(row["updated_at"] + timedelta(minutes=rng.randint(5, 600)), self.now)
            if cancelled_from is S.OPEN:
                left_open = cancelled_at
            row.update(
                cancel_reason=CANCEL_REASONS[rng.randrange(len(CANCEL_REASONS))],
                updated_at=cancelled_at,
                version=row["version"] + 1,
            )
        elif status is S.OPEN:
            left_open = self.now
        if priority is Priority.CRITICAL and left_open - created > ESCALATION_DELAY:
            row["escalated_at"] = created + ESCALATION_DELAY
        entry = None
        if status in (S.PLANNED, S.IN_PROGRESS, S.DONE):
            assert scheduled is not None
            assert minutes is not None
            assert tech_index is not None
            entry = {
                "id": self.ids.at(row["updated_at"]),
                "intervention_id": row["id"],
                "technician_id": row["technician_id"],
                "starts_at": scheduled,
                "ends_at": scheduled + timedelta(minutes=minutes),
                "version": 1,
            }
        return row, entry

    def equipment_updates(self) -> list[dict[str, Any]]:
        updates = []
        for index, last in enumerate(self.last_done):
            if last is None:
                continue
            row = self.equipment[index]
            updates.append({
                "b_id": row["id"], "b_last": last,
                "b_next": last + timedelta(days=row["maintenance_interval_days"]),
                "b_updated": max(last, row["updated_at"]),
            })  # fmt: skip
        return updates


# -- writing ------------------------------------------------------------------------------
class _Writer:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.copy = engine.dialect.name == "postgresql"

    def write(self, conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        if not self.copy:
            conn.execute(table.insert(), list(rows))
            return
        columns = [c.name for c in table.columns]
        json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
        raw: Any = conn.connection.driver_connection
        cols = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as cp:
            for row in rows:
                cp.write_row([json.dumps(row[c]) if c in json_columns else row[c] for c in columns])


def sync_url(url: str) -> str:
    """The synchronous driver URL for an application database URL."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite").render_as_string(hide_password=False)
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def already_seeded(conn: sa.Connection) -> bool:
    marker = serial_number_key(serial_number(0))
    found = conn.execute(
        sa.select(mt.equipment.c.id).where(mt.equipment.c.serial_key == marker)
    ).first()
    return found is not None


def seed_scale(
    url: str,
    shape: ScaleShape,
    *,
    password_hash: str,
    now: datetime | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ScaleReport:
    """Generate and insert ``shape``; ``on_progress(n)`` is called after each batch of ``n``
    interventions. Every user gets ``password_hash`` (hash one generated password once)."""
    shape.check()
    started = time.perf_counter()
    target = sync_url(url)
    postgres = sa.make_url(target).get_backend_name() == "postgresql"
    engine = sa.create_engine(
        target, connect_args={"options": POSTGRES_SESSION_OPTIONS} if postgres else {}
    )
    report = ScaleReport(method="COPY" if engine.dialect.name == "postgresql" else "executemany")
    writer = _Writer(engine)
    try:
        with engine.begin() as conn:
            if already_seeded(conn):
                report.skipped = True
                return report
        gen = _Generator(shape, now or datetime.now(UTC), password_hash)
        gen.build_people()
        gen.build_equipment()
        with engine.begin() as conn:
            writer.write(conn, id_tables.users, gen.users)
            writer.write(conn, mt.technicians, gen.technicians)
            writer.write(conn, mt.equipment, gen.equipment)
        report.users, report.technicians = len(gen.users), len(gen.technicians)
        report.equipment = len(gen.equipment)
        report.manager_emails = [manager_email(i) for i in range(shape.managers)]
        batch: list[dict[str, Any]] = []
        entries: list[dict[str, Any]] = []
        for row, entry in gen.interventions():
            batch.append(row)
            if entry is not None:
                entries.append(entry)
            if len(batch) >= shape.batch_size:
                _flush(writer, batch, entries, report, on_progress)
        _flush(writer, batch, entries, report, on_progress)
        updates = gen.equipment_updates()
        with engine.begin() as conn:
            for start in range(0, len(updates), shape.batch_size):
                conn.execute(
                    mt.equipment.update()
                    .where(mt.equipment.c.id == sa.bindparam("b_id"))
                    .values(
                        last_maintenance_at=sa.bindparam("b_last"),
                        next_maintenance_at=sa.bindparam("b_next"),
                        updated_at=sa.bindparam("b_updated"),
                        version=mt.equipment.c.version + 1,
                    ),
                    updates[start : start + shape.batch_size],
                )
            if engine.dialect.name == "postgresql":
                for table in ("users", "technicians", "equipment", "interventions",
                              "schedule_entries"):  # fmt: skip
                    conn.exec_driver_sql(f'ANALYZE "{table}"')
        report.by_status = {s.value: n for s, n in gen.counts.items()}
    finally:
        engine.dispose()
    report.seconds = time.perf_counter() - started
    return report


def _flush(
    writer: _Writer,
    batch: list[dict[str, Any]],
    entries: list[dict[str, Any]],
    report: ScaleReport,
    on_progress: Callable[[int], None] | None,
) -> None:
    if not batch:
        return
    with writer.engine.begin() as conn:
        writer.write(conn, mt.interventions, batch)
        writer.write(conn, mt.schedule_entries, entries)
    report.interventions += len(batch)
    report.schedule_entries += len(entries)
    if on_progress is not None:
        on_progress(len(batch))
    batch.clear()
    entries.clear()
