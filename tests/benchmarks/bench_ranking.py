"""The assignment's ranking in process: ``rank_top`` (what ``POST /interventions/{id}/assign``
runs) and ``rank_candidates`` (every candidate in full), on a team shaped as the seeded one.

Run: ``.venv/bin/python tests/benchmarks/bench_ranking.py [--technicians 100] [--clashes 30]``.
No service needed. The technicians' working hours come through the technician mapping, as
the store hands them out (one tuple per distinct week); ``--clashes`` of them have a booking
overlapping the slot. Prints the median time per ranking over ``--rounds`` rounds of
``--runs`` rankings. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from adapters.persistence.sqlalchemy.maintenance.mapping import working_hours  # noqa: E402
from domain.maintenance.assignment import (  # noqa: E402
    AssignmentRequest,
    rank_candidates,
    rank_top,
)
from domain.maintenance.enums import ExperienceLevel, Priority  # noqa: E402
from domain.maintenance.scheduling import ScheduleEntry  # noqa: E402
from domain.maintenance.technician import Technician  # noqa: E402

MONDAY = datetime(2026, 11, 30, 9, tzinfo=UTC)
FAMILIES = (("Hydraulics", ("hydraulics", "pumps", "welding")), ("Electrical", ("electrical",)))


def team(size: int) -> list[Technician]:
    levels = list(ExperienceLevel)
    return [
        Technician(
            id=uuid.uuid4(),
            user_id=uuid.uuid4(),
            specialty=FAMILIES[n % 2][0],
            skills=FAMILIES[n % 2][1],
            experience_level=levels[n % len(levels)],
            available=n % 20 != 19,  # one in twenty on leave, as the seed
            working_hours=working_hours([[day, 8 * 60, 17 * 60] for day in range(5)]),
            created_at=MONDAY,
            updated_at=MONDAY,
        )
        for n in range(size)
    ]


def timed(rank: Callable[[], object], runs: int, rounds: int) -> float:
    """Median microseconds per ranking."""
    figures = []
    for _ in range(rounds):
        began = time.perf_counter()
        for _ in range(runs):
            rank()
        figures.append((time.perf_counter() - began) / runs * 1e6)
    return statistics.median(figures)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--technicians", type=int, default=100)
    parser.add_argument("--clashes", type=int, default=30)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    technicians = team(args.technicians)
    request = AssignmentRequest(
        required_skills=("hydraulics",),
        priority=Priority.HIGH,
        equipment_type="Pump",
        starts_at=MONDAY,
        estimated_minutes=45,
        intervention_id=uuid.uuid4(),
    )
    clashes = [
        ScheduleEntry(
            id=uuid.uuid4(),
            intervention_id=uuid.uuid4(),
            technician_id=t.id,
            starts_at=MONDAY,
            ends_at=MONDAY + timedelta(minutes=30),
        )
        for t in technicians[: args.clashes]
    ]
    loads = {t.id: 60 * (n % 7) for n, t in enumerate(technicians)}
    asked = technicians[len(technicians) // 2].id
    top = timed(
        lambda: rank_top(request, technicians, clashes, loads, keep=10, also=asked),
        args.runs,
        args.rounds,
    )
    full = timed(
        lambda: rank_candidates(request, technicians, clashes, loads), args.runs, args.rounds
    )
    print(f"{args.technicians} technicians, {args.clashes} with a clash on the slot")
    print(f"rank_top (the ten best and the one asked for): {top:8.0f} µs per ranking")
    print(f"rank_candidates (every candidate in full):     {full:8.0f} µs per ranking")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
