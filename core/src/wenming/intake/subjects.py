"""From the words' meanings to the subject of a demand: category, tags, audiences,
department hints, the template, and whether two subjects make a joint demand.

A template is judged by what the words share with it: its own name said (名称, e.g.
水讲堂, 助医行: 3 points, a part of the name 2 points), each of its tags the words
carry (1), its department pointed at (0.5), its category (0.5), each audience (0.25).
A department's strength is what its phrases weigh plus its best template's score.
A joint template is chosen when its name is said, or when the words speak of at least
two of its partners' subjects and it fits clearly better (by :data:`JOINT_MARGIN`)
than any single department's template.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from attrs import frozen

if TYPE_CHECKING:
    from wenming.intake.lexicon import Meaning
    from wenming.registry import Registry

#: How much better a joint template must fit than the best single template.
JOINT_MARGIN = 0.75
#: A single template is set on the demand when its own name is said, or when it fits
#: with at least this score and this margin over the runner-up of another department.
TEMPLATE_SCORE = 3.0
TEMPLATE_MARGIN = 1.0


@frozen
class TemplateInfo:
    id: str
    department: str
    parts: tuple[str, ...]
    tags: frozenset[str]
    category: str
    audiences: frozenset[str]


@frozen
class Subject:
    """What the words are about."""

    category: str | None
    category_words: tuple[str, ...]
    tags: tuple[str, ...]
    tag_words: tuple[str, ...]
    audiences: tuple[str, ...]
    audience_words: tuple[str, ...]
    departments: tuple[tuple[str, float], ...]
    template: str | None
    template_score: float
    template_why: str
    template_words: tuple[str, ...]
    joint: str | None
    joint_why: str
    suggestion: str | None


def template_table(registry: Registry) -> tuple[TemplateInfo, ...]:
    out = []
    for tid, t in registry.templates.items():
        out.append(
            TemplateInfo(
                id=tid,
                department=tid.split(".", 1)[0],
                parts=tuple(p.department for p in t.parts),
                tags=frozenset((*t.tags, *t.skills)),
                category=t.category,
                audiences=frozenset(t.audiences),
            )
        )
    return tuple(out)


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def read(
    found: Sequence[tuple[str, Meaning]],
    templates: Sequence[TemplateInfo],
    extra_hints: Mapping[str, float] | None = None,
) -> Subject:
    """The subject of ``found`` — ``(original words, meaning)`` pairs, in text order."""
    tags: list[str] = []
    tag_words: list[str] = []
    audiences: list[str] = []
    audience_words: list[str] = []
    categories: Counter[str] = Counter()
    category_words: dict[str, list[str]] = {}
    hints: Counter[str] = Counter(extra_hints or {})
    direct: Counter[str] = Counter()
    direct_words: dict[str, list[str]] = {}
    seen_hint: set[tuple[str, str]] = set()
    hinted: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for words, m in found:
        if m.tags:
            tags.extend(m.tags)
            tag_words.append(words)
        if m.audiences:
            audiences.extend(m.audiences)
            audience_words.append(words)
        if m.category:
            categories[m.category] += m.weight
            category_words.setdefault(m.category, []).append(words)
        if m.departments:
            for d in m.departments:
                hinted.setdefault(d, []).append((words, frozenset(m.departments)))
        for d in m.departments:
            if (m.words, d) not in seen_hint:
                seen_hint.add((m.words, d))
                hints[d] += m.weight
        if m.template:
            direct[m.template] = max(direct[m.template], m.weight)
            direct_words.setdefault(m.template, []).append(words)
    tag_set = set(tags)
    aud_set = set(audiences)
    category = categories.most_common(1)[0][0] if categories else None
    scores: dict[str, float] = {}
    overlap: dict[str, int] = {}
    for t in templates:
        shared = len(t.tags & tag_set)
        said = direct.get(t.id, 0.0)
        # A part of a joint template's name (江南美学) hints, only its full name decides.
        s = (said if said >= 3.0 or not t.parts else min(said, 1.0)) + shared
        if hints.get(t.department):
            s += 0.5
        if category and t.category == category:
            s += 0.5
        s += 0.25 * len(t.audiences & aud_set)
        scores[t.id] = s
        overlap[t.id] = shared
    singles = [t for t in templates if not t.parts]
    by_dept: dict[str, float] = {}
    for t in singles:
        by_dept[t.department] = max(by_dept.get(t.department, 0.0), scores[t.id])
    strength = Counter(hints)
    for d, s in by_dept.items():
        if s >= 1.0:
            strength[d] += s
    departments = tuple(
        (d, round(w, 3))
        for d, w in sorted(strength.items(), key=lambda kv: (-kv[1], kv[0]))
        if w > 0
    )
    best_single = max(singles, key=lambda t: (scores[t.id], -len(t.id)), default=None)
    best_single_score = scores[best_single.id] if best_single else 0.0

    joint, joint_why = None, ""
    for t in sorted((t for t in templates if t.parts), key=lambda t: (-scores[t.id], t.id)):
        if direct.get(t.id, 0.0) >= 3.0:
            joint = t.id
            joint_why = f"the words name the joint template ({'、'.join(direct_words[t.id])})"
            break
        if overlap[t.id] < 2:
            continue
        own = _specific(t, templates, tag_set, hinted)
        loose = [
            p for p in t.parts if strength.get(p, 0) > 0 or _part_tags(p, t, templates, tag_set)
        ]
        if len(own) >= 2 and scores[t.id] >= best_single_score - 0.5:
            joint = t.id
            joint_why = (
                f"two subjects in one wish, one for each partner: "
                f"{'; '.join(f'{p}: {w}' for p, w in own.items())}"
            )
            break
        if len(loose) >= 2 and scores[t.id] >= best_single_score + JOINT_MARGIN:
            joint = t.id
            joint_why = (
                f"its subjects fit the words clearly better than any single department's "
                f"template (fit {scores[t.id]:.2f} against {best_single_score:.2f})"
            )
            break

    template, template_why, template_words = None, "", ()
    said = [t for t in singles if direct.get(t.id)]
    if said:
        best = max(said, key=lambda t: (direct[t.id], scores[t.id]))
        template = best.id
        template_words = tuple(direct_words[best.id])
        template_why = "the words name this template"
    elif best_single is not None and best_single_score >= TEMPLATE_SCORE:
        rivals = [scores[t.id] for t in singles if t.department != best_single.department]
        if best_single_score - max(rivals, default=0.0) >= TEMPLATE_MARGIN:
            template = best_single.id
            template_why = (
                f"its subjects fit best ({best_single_score:.2f}, ahead of other departments' "
                f"templates by ≥ {TEMPLATE_MARGIN})"
            )
    suggestion = best_single.id if best_single and best_single_score >= 1.5 else None
    return Subject(
        category=category,
        category_words=tuple(category_words.get(category, ())) if category else (),
        tags=_unique(tags),
        tag_words=_unique(tag_words),
        audiences=_unique(audiences),
        audience_words=_unique(audience_words),
        departments=departments,
        template=template,
        template_score=scores.get(template, 0.0) if template else 0.0,
        template_why=template_why,
        template_words=template_words,
        joint=joint,
        joint_why=joint_why,
        suggestion=suggestion,
    )


def _part_tags(
    department: str, joint: TemplateInfo, templates: Sequence[TemplateInfo], tags: set[str]
) -> bool:
    """Whether the words carry a subject of the joint template that this partner's own
    templates carry too."""
    shared = joint.tags & tags
    return any(t.department == department and not t.parts and t.tags & shared for t in templates)


def _specific(
    joint: TemplateInfo,
    templates: Sequence[TemplateInfo],
    tags: set[str],
    hinted: Mapping[str, list[tuple[str, frozenset[str]]]],
) -> dict[str, str]:
    """The joint template's partners the words speak for on their own: a subject word of
    the joint template that, among the partners, only this partner's templates carry, or
    a phrase that points at this partner and at no other partner."""
    parts = set(joint.parts)
    found: dict[str, str] = {}
    shared = joint.tags & tags
    for tag in sorted(shared):
        owners = {
            t.department
            for t in templates
            if not t.parts and t.department in parts and tag in t.tags
        }
        if len(owners) == 1:
            found.setdefault(owners.pop(), tag)
    for p in joint.parts:
        if p in found:
            continue
        for words, depts in hinted.get(p, ()):
            if not (depts & parts) - {p}:
                found[p] = words
                break
    return found
