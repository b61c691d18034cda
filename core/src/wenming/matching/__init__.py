"""Matching: rule kinds, compiled vectorised scoring, ranking, batch and joint dispatch.

``from wenming.matching import Demand, Engine`` is the API. This package imports
nothing heavy itself: :mod:`wenming.matching.params`, ``demand`` and ``results`` need
only attrs, so plugins and the CLI can import them at load time; the engine and
the rule-kind implementations (NumPy) load on first attribute access.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wenming.matching.demand import Demand, read_demands
    from wenming.matching.engine import Engine
    from wenming.matching.results import (
        BatchResult,
        Candidate,
        Exclusion,
        JointProposal,
        Ranking,
        TemplateFit,
    )
    from wenming.matching.slots import default_slots

_EXPORTS = {
    "Demand": "wenming.matching.demand",
    "read_demands": "wenming.matching.demand",
    "Engine": "wenming.matching.engine",
    "default_slots": "wenming.matching.slots",
    "BatchResult": "wenming.matching.results",
    "Candidate": "wenming.matching.results",
    "Exclusion": "wenming.matching.results",
    "JointProposal": "wenming.matching.results",
    "Ranking": "wenming.matching.results",
    "TemplateFit": "wenming.matching.results",
}

__all__ = [
    "BatchResult",
    "Candidate",
    "Demand",
    "Engine",
    "Exclusion",
    "JointProposal",
    "Ranking",
    "TemplateFit",
    "default_slots",
    "read_demands",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wenming.matching' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
