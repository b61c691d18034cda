"""The working state of one wish being read, which plugin steps may amend."""

from __future__ import annotations

from datetime import date
from typing import Any

from wenming.intake.records import Evidence, Question

#: The fields a draft can set, in the order they are shown.
FIELDS = (
    "template",
    "departments",
    "category",
    "tags",
    "audiences",
    "headcount",
    "venue_capacity",
    "start",
    "end",
    "recurrence",
    "place",
)


class Draft:
    """What has been read so far from one wish.

    ``text`` is the wish as given, ``normalised`` the same characters read-ready
    (simplified, lower case, half-width). ``values`` holds each field set so far;
    :meth:`set` records the words and the reason with it, :meth:`ask` adds a question.
    ``hints`` are department hints with their weights; ``spans`` the character ranges
    already used.
    """

    def __init__(self, text: str, normalised: str, today: date, place: str | None) -> None:
        self.text = text
        self.normalised = normalised
        self.today = today
        self.context_place = place
        self.values: dict[str, Any] = {}
        self.evidence: dict[str, Evidence] = {}
        self.questions: list[Question] = []
        self.hints: dict[str, float] = {}
        self.spans: list[tuple[int, int]] = []
        self.place_spans: list[tuple[int, int]] = []
        self.named_place: str | None = None
        self.joint_template: str | None = None
        self.notes: list[str] = []

    def words(self, begin: int, end: int) -> str:
        """The original words at a character range."""
        return self.text[begin:end]

    def use(self, begin: int, end: int) -> str:
        """Mark a range as used and return its original words."""
        self.spans.append((begin, end))
        return self.text[begin:end]

    def set(
        self, name: str, value: Any, words: tuple[str, ...] | list[str] = (), why: str = ""
    ) -> None:
        """Set one field, with the words that set it and why."""
        if name not in FIELDS:
            raise ValueError(f"unknown field {name!r} (known: {', '.join(FIELDS)})")
        self.values[name] = value
        self.evidence[name] = Evidence(field=name, value=value, words=tuple(words), why=why)

    def unset(self, name: str) -> None:
        self.values.pop(name, None)
        self.evidence.pop(name, None)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def ask(self, question: Question) -> None:
        self.questions.append(question)

    def hint(self, department: str, weight: float = 1.0) -> None:
        """Point at a department (a department hint, not a joint need)."""
        self.hints[department] = self.hints.get(department, 0.0) + weight
