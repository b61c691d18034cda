"""How many demands a resource takes on one day when nothing else is said — one rule
for the matching engine's capacity and the workflow's daily slots
(:mod:`wenming.orders.capacity`). Plain Python: the workflow reads it inside a
dispatch's transaction, where importing the engine (NumPy) would hold the write lock."""

from __future__ import annotations


def default_slots(kind: str, members: int) -> int:
    """How many demands a resource takes on one day when nothing else is said.

    A venue hosts two sessions a day (morning, afternoon); a project runs once a
    day; a team sends one group per 20 members (at least one, at most ten).
    """
    if kind == "venue":
        return 2
    if kind == "team":
        return max(1, min(10, int(members or 0) // 20))
    return 1
