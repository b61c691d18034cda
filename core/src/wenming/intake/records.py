"""The values of free-text intake: what plugins contribute (:class:`Phrase`,
:class:`Step`) and what :func:`wenming.intake.understand` returns
(:class:`Understanding` with its :class:`Evidence` and :class:`Question` records).

Only attrs and the standard library are imported, so plugins can build these records
at load time without loading the interpreter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
from attrs import field, frozen

if TYPE_CHECKING:
    from wenming.intake.draft import Draft
    from wenming.matching.demand import Demand


def _words(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(w.replace("_", " ") for w in value.split() if w)
    return tuple(value)


def _ids(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(value.split())
    return tuple(value)


def _nonempty_words(instance: Any, attribute: attrs.Attribute, value: tuple[str, ...]) -> None:
    if not value:
        raise ValueError("give at least one word")
    for word in value:
        if not isinstance(word, str) or not word.strip():
            raise ValueError(f"words must be non-empty strings, got {word!r}")


def _positive(instance: Any, attribute: attrs.Attribute, value: float) -> None:
    if not value > 0:
        raise ValueError(f"must be > 0, got {value!r}")


@frozen
class Phrase:
    """Words requesters use, and what they mean for a demand (a lexicon entry).

    ``words`` are matched anywhere in the text (simplified Chinese; traditional text is
    converted first; English is matched in lower case). Each meaning is optional:
    ``tags`` (subject words compared with resources' tags), ``category``,
    ``audiences``, ``departments`` (hints: which department the words point to),
    ``template``. References may be local names, resolved in the contributing plugin's
    namespace, then ``core``; a plugin's phrase without ``departments`` and
    ``template`` hints at the plugin's own department. ``weight`` scales the hint.
    In a string, words are separated by spaces and ``_`` stands for a space.
    """

    words: tuple[str, ...] = field(converter=_words, validator=_nonempty_words)
    tags: tuple[str, ...] = field(default=(), converter=_ids)
    category: str | None = None
    audiences: tuple[str, ...] = field(default=(), converter=_ids)
    departments: tuple[str, ...] = field(default=(), converter=_ids)
    template: str | None = None
    weight: float = field(default=1.0, converter=float, validator=_positive)


@frozen
class Step:
    """An extra interpreter step a plugin contributes: ``run(draft)`` is called once per
    understood wish, after core's own reading, with a :class:`~wenming.intake.draft.Draft`
    it may amend (each change with the words and the reason)."""

    name: str
    run: Callable[[Draft], None]
    description: str = ""


@frozen
class Evidence:
    """Why one field of the demand has its value: the words that set it and the rule."""

    field: str
    value: Any
    words: tuple[str, ...] = ()
    why: str = ""

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, tuple):
            value = list(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        return {"field": self.field, "value": value, "words": list(self.words), "why": self.why}


@frozen
class Question:
    """Something the words leave open, asked back instead of guessed.

    ``candidates`` are ``(value, label)`` pairs the requester can choose from.
    """

    field: str
    text: str
    words: tuple[str, ...] = ()
    candidates: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "question": self.text,
            "words": list(self.words),
            "candidates": [{"value": v, "label": label} for v, label in self.candidates],
        }


@frozen
class Understanding:
    """What a wish in the requester's own words asks for.

    ``demand`` is what the matching engine takes. ``evidence`` explains every field
    that was set (the words and the reason), ``unused`` lists the words that set
    nothing, ``questions`` what must be asked back. What the
    :class:`~wenming.matching.Demand` has no field for is kept here:
    ``venue_capacity`` (a venue of that size is needed — not people served),
    ``recurrence`` (``daily``/``weekly``/``biweekly``/``monthly``/…),
    ``named_place`` (the division the words name, which may be wider than
    ``demand.place``), ``departments`` (department hints, strongest first) and
    ``notes`` (what else the reader noticed: traditional text, time words not used).
    """

    text: str
    demand: Demand
    evidence: tuple[Evidence, ...] = ()
    unused: tuple[str, ...] = ()
    questions: tuple[Question, ...] = ()
    venue_capacity: int | None = None
    recurrence: str | None = None
    named_place: str | None = None
    departments: tuple[str, ...] = ()
    joint_template: str | None = None
    today: Any = None
    notes: tuple[str, ...] = ()

    def why(self, name: str) -> Evidence | None:
        """The evidence for one field, or ``None`` if the words did not set it."""
        for e in self.evidence:
            if e.field == name:
                return e
        return None

    @property
    def department(self) -> str | None:
        """The department the words point to most strongly."""
        return self.departments[0] if self.departments else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "demand": self.demand.as_dict(),
            "venue_capacity": self.venue_capacity,
            "recurrence": self.recurrence,
            "named_place": self.named_place,
            "departments": list(self.departments),
            "joint_template": self.joint_template,
            "today": self.today.isoformat() if self.today else None,
            "evidence": [e.as_dict() for e in self.evidence],
            "unused": list(self.unused),
            "questions": [q.as_dict() for q in self.questions],
            "notes": list(self.notes),
        }
