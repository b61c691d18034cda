"""What the engine answers: ranked candidates with reasons, assignments, joint proposals.

Plain frozen attrs values (no NumPy), so they can be returned across areas, printed
and turned into JSON with :meth:`as_dict`.
"""

from __future__ import annotations

from typing import Any

from attrs import field, frozen

from wenming.matching.demand import Demand


@frozen
class Candidate:
    """A resource that passed every filter, with its score and each rule's share of it.

    ``breakdown`` maps rule ID → contribution (rule weight × the rule's 0–1 score) for
    every scoring rule that judged this pair; ``sum(breakdown.values()) == score``.
    Filter-only rules that let it through are not listed (they contribute nothing).
    ``synthetic`` marks generated resources, so no dispatcher mistakes one for a real team.
    """

    key: str
    kind: str
    department: str | None
    score: float
    breakdown: dict[str, float] = field(factory=dict)
    name: str = ""
    synthetic: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "department": self.department,
            "name": self.name,
            "synthetic": self.synthetic,
            "score": self.score,
            "breakdown": dict(self.breakdown),
        }


@frozen
class Exclusion:
    """A resource a filter refused: the first failing rule (in rule-ID order) and why."""

    key: str
    rule_id: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "rule": self.rule_id, "reason": self.reason}


@frozen
class Ranking:
    """The answer to one demand: the top candidates and, on request, the excluded ones.

    ``demand`` is the demand as the engine read it (IDs fully qualified, template
    defaults filled in). ``considered`` counts the resources judged, ``passed`` those
    that passed every filter (``candidates`` holds at most ``k`` of them).
    ``template_refusals`` says, for a demand that names a template, why each of the
    template's own resources is not a candidate (the first rule that refused it).
    """

    demand: Demand
    candidates: list[Candidate]
    excluded: list[Exclusion]
    considered: int
    passed: int
    template_refusals: list[Exclusion] = field(factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "demand": self.demand.as_dict(),
            "considered": self.considered,
            "passed": self.passed,
            "candidates": [c.as_dict() for c in self.candidates],
            "excluded": [e.as_dict() for e in self.excluded],
            "template_refusals": [e.as_dict() for e in self.template_refusals],
        }


@frozen
class BatchResult:
    """Assignments of many demands at once under each resource's slots.

    ``assignments`` maps demand ID → resource key; ``scores`` holds each assigned
    pair's score and ``total`` their sum. ``unassigned`` maps every other demand ID to
    the reason. ``arcs`` is the number of feasible demand–resource pairs considered.
    """

    method: str
    assignments: dict[str, str]
    scores: dict[str, float]
    unassigned: dict[str, str]
    total: float
    arcs: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "total": self.total,
            "arcs": self.arcs,
            "assignments": [
                {"demand": d, "resource": r, "score": self.scores[d]}
                for d, r in self.assignments.items()
            ],
            "unassigned": [{"demand": d, "reason": why} for d, why in self.unassigned.items()],
        }


@frozen
class TemplateFit:
    """How well a joint template fits a demand given in a station's words.

    The template is judged like a resource by the rules that can judge it (category,
    tags with skills, audiences, season): ``breakdown`` maps rule ID → contribution
    (rule weight × 0–1 score) and ``score`` is their sum. ``departments`` are the
    template's partners, in the template's order.
    """

    template: str
    score: float
    breakdown: dict[str, float]
    departments: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "score": self.score,
            "breakdown": dict(self.breakdown),
            "departments": list(self.departments),
        }


@frozen
class JointProposal:
    """One resource per needed department for a joint order (拼单).

    ``score`` is the sum of the parts' scores; ``breakdown`` sums each rule's
    contributions over the parts, so it adds up to ``score`` too. ``exact`` is false
    when more than four departments were searched heuristically. ``template`` is the
    joint template the parts were composed for (``None`` for departments named
    directly); ``fit`` says why that template was chosen when the engine inferred it
    from the demand's words.
    """

    parts: dict[str, Candidate]
    score: float
    breakdown: dict[str, float]
    exact: bool = True
    template: str | None = None
    fit: TemplateFit | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "fit": self.fit.as_dict() if self.fit is not None else None,
            "score": self.score,
            "exact": self.exact,
            "breakdown": dict(self.breakdown),
            "parts": {dept: c.as_dict() for dept, c in self.parts.items()},
        }
