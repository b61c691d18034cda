"""The people side: volunteers, service records and hours, star levels, guides and
courses, and the privacy rules around them.

- :mod:`~wenming.people.ids` — ID numbers (GB 11643), phones, masking, ages (pure)
- :mod:`~wenming.people.crypto` — encryption at rest and keyed hashes (deployment keys)
- :mod:`~wenming.people.records` — star ladders, record classes, observer payloads (attrs)
- :mod:`~wenming.people.privacy` — who may see and change what; refusals name the rule
- :mod:`~wenming.people.tables` — the SQLModel tables (imports SQLAlchemy)
- :mod:`~wenming.people.importer` — CSV/XLSX import, all or nothing; the bulk writer
- :mod:`~wenming.people.hours` — sign-in, sign-out, confirmation, corrections
- :mod:`~wenming.people.recordbook` — the five record classes, export, awards, checks
- :mod:`~wenming.people.stars` — star levels and their maintained counts
- :mod:`~wenming.people.courses` — practice guides, courses, attendance
- :mod:`~wenming.people.synthetic` — the seed-scale synthetic population
- :mod:`~wenming.people.service` — :class:`People`, the Python API the CLI wraps

People sits above the order workflow: it reads order parts through
:class:`wenming.orders.Workflow` and never writes the order tables. Importing this
package stays light; ``People`` is loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wenming.people.records import HoursConfirmed, LevelChanged, RecordClass, StarLadder

if TYPE_CHECKING:
    from wenming.people.service import People

__all__ = ["HoursConfirmed", "LevelChanged", "People", "RecordClass", "StarLadder"]


def __getattr__(name: str) -> Any:
    if name == "People":
        from wenming.people.service import People

        return People
    raise AttributeError(f"module 'wenming.people' has no attribute {name!r}")
