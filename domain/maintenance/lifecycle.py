"""The intervention life cycle: the one table of allowed status transitions.

    open -> planned (assign)          open -> cancelled (cancel)
    planned -> in_progress (start)    planned -> open (unassign)    planned -> cancelled (cancel)
    in_progress -> done (complete)    in_progress -> cancelled (cancel)

Anything else raises ``InvalidTransition`` (code ``invalid_transition``, HTTP 409).
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.maintenance.enums import InterventionStatus as S
from domain.shared.errors import InvalidTransition

#: (from, to) -> the action that performs it.
TRANSITIONS: Mapping[tuple[S, S], str] = {
    (S.OPEN, S.PLANNED): "assign",
    (S.OPEN, S.CANCELLED): "cancel",
    (S.PLANNED, S.IN_PROGRESS): "start",
    (S.PLANNED, S.OPEN): "unassign",
    (S.PLANNED, S.CANCELLED): "cancel",
    (S.IN_PROGRESS, S.DONE): "complete",
    (S.IN_PROGRESS, S.CANCELLED): "cancel",
}


def can_transition(current: S, target: S) -> bool:
    return (current, target) in TRANSITIONS


def allowed_targets(current: S) -> tuple[S, ...]:
    """The statuses reachable from ``current`` in one step, in table order."""
    return tuple(target for (source, target) in TRANSITIONS if source == current)


def check_transition(current: S, target: S) -> None:
    """Raise ``InvalidTransition`` naming both statuses unless the table allows the move."""
    if not can_transition(current, target):
        raise InvalidTransition(
            f"An intervention cannot go from '{current.value}' to '{target.value}'.",
            extra={"from": current.value, "to": target.value},
        )
