"""Free-text intake (点单 in the requester's own words): a wish → a demand, explained.

``from wenming.intake import understand`` is the API::

    u = understand("电站村想给约40名小学生上一堂节水课", today="2027-06-15")
    u.demand            # a wenming.matching.Demand for the engine
    u.why("headcount")  # Evidence: the words "约40名" and the rule that read them
    u.unused            # words that set nothing
    u.questions         # what must be asked back (e.g. a place name several villages share)

Plugins feed the lexicon through the ``register_lexicon`` hook (:class:`Phrase` and
:class:`Step` records), compiled once per deployment into one matcher. This package
imports nothing heavy until an interpreter is built.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wenming.intake.draft import Draft
    from wenming.intake.interpreter import DEFAULT_TIME_ZONE, Interpreter, understand
    from wenming.intake.records import Evidence, Phrase, Question, Step, Understanding
    from wenming.intake.text import MAX_CHARS, IntakeError

_EXPORTS = {
    "understand": "wenming.intake.interpreter",
    "Interpreter": "wenming.intake.interpreter",
    "DEFAULT_TIME_ZONE": "wenming.intake.interpreter",
    "Draft": "wenming.intake.draft",
    "Evidence": "wenming.intake.records",
    "Phrase": "wenming.intake.records",
    "Question": "wenming.intake.records",
    "Step": "wenming.intake.records",
    "Understanding": "wenming.intake.records",
    "IntakeError": "wenming.intake.text",
    "MAX_CHARS": "wenming.intake.text",
}

__all__ = [
    "DEFAULT_TIME_ZONE",
    "MAX_CHARS",
    "Draft",
    "Evidence",
    "IntakeError",
    "Interpreter",
    "Phrase",
    "Question",
    "Step",
    "Understanding",
    "understand",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wenming.intake' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
