"""Resolving a plugin's references against every plugin's contributions.

Part of building the registry (:mod:`wenming.registry`): each template, resource and
rule of a plugin gets its references qualified (``science`` → ``core.science``), its
rule parameters structured, and every problem collected — not just the first — so a
plugin author sees them all at once. A joint template whose partner is not installed
is set aside as :class:`Unavailable`, with the records that depend on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
from attrs import frozen

from wenming.errors import ContributionError, PluginError, PluginProblems
from wenming.plugins import CORE, PluginInfo
from wenming.records import (
    DEPARTMENT_RULE_BUDGET,
    Resource,
    Rule,
    RuleKind,
    RuleScope,
    Tag,
    Template,
)

if TYPE_CHECKING:
    import click

    from wenming.records import Department

_SINGULAR = {
    "settings": "setting",
    "categories": "category",
    "audiences": "audience",
    "site_types": "site type",
    "rule_kinds": "rule kind",
    "templates": "template",
    "rules": "rule",
    "resources": "resource",
    "tags": "tag",
}


@frozen
class Unavailable:
    """A contribution left out of the registry without failing its plugin (e.g. a joint
    template whose partner departments are not installed)."""

    id: str
    plugin: str
    reason: str
    kind: str = "template"  # template | resource | rule


class Contributions:
    """What one plugin registered, before resolution."""

    def __init__(self, plugin: str) -> None:
        self.plugin = plugin
        self.department: Department | None = None
        self.records: dict[str, dict[str, Any]] = {t: {} for t in _SINGULAR}
        self.commands: dict[str, click.Command] = {}
        #: Bad records and failing hooks, reported with the resolution's problems.
        self.problems: list[PluginError] = []


def raise_problems(plugin: str, problems: list[PluginError]) -> None:
    """Raise the one problem as it is, several as one :class:`PluginProblems`."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise PluginProblems(plugin, problems)


class Resolver:
    """Resolve local references against the union of all surviving contributions."""

    def __init__(
        self, contribs: dict[str, Contributions], infos: Mapping[str, PluginInfo] | None = None
    ) -> None:
        self.contribs = contribs
        self.infos = infos or {}
        self.tables: dict[str, dict[str, Any]] = {t: {} for t in _SINGULAR}
        for c in contribs.values():
            for t, recs in c.records.items():
                self.tables[t].update(recs)
        self.departments = {
            c.department.code: c.department for c in contribs.values() if c.department
        }
        #: Joint templates whose partner departments are not all installed, with why.
        self.unavailable_templates: dict[str, str] = {}
        for template_id, t in self.tables["templates"].items():
            missing = [
                part.department for part in t.parts if part.department not in self.departments
            ]
            if missing:
                self.unavailable_templates[template_id] = (
                    f"partner departments not installed: {', '.join(missing)}"
                )

    def absent(self, other: str) -> str | None:
        """Why plugin ``other`` contributes nothing here, or ``None`` if it is loaded."""
        if other in self.contribs:
            return None
        info = self.infos.get(other)
        if info is None:
            return f"plugin {other} is not installed"
        if info.status == "disabled":
            return f"plugin {other} is not loaded here (installed, but left out by the plugin selection)"
        return f"plugin {other} failed to load"

    def ref(self, plugin: str, table: str, value: str, what: str, field: str) -> str:
        known = self.tables[table]
        if "." in value:
            if value in known:
                return value
            why = self.absent(value.split(".", 1)[0])
            if why is not None:
                raise ContributionError(
                    plugin, what, f"{why} (needed for {_SINGULAR[table]} {value!r})", field=field
                )
        else:
            for ns in (plugin, CORE):
                if f"{ns}.{value}" in known:
                    return f"{ns}.{value}"
        raise ContributionError(plugin, what, f"unknown {_SINGULAR[table]} {value!r}", field=field)

    def refs(
        self, plugin: str, table: str, values: tuple[str, ...], what: str, field: str
    ) -> tuple[str, ...]:
        return tuple(self.ref(plugin, table, v, what, field) for v in values)

    def department(self, plugin: str, code: str, what: str, field: str) -> str:
        if code in self.departments:
            return code
        why = self.absent(code)
        if why is not None:
            raise ContributionError(
                plugin, what, f"{why} (needed for department {code!r})", field=field
            )
        raise ContributionError(plugin, what, f"unknown department {code!r}", field=field)


_SCALARS = {"float": (int, float), "int": (int,), "str": (str,), "bool": (bool,)}


def _structure_params(plugin: str, what: str, kind: RuleKind, params: Mapping[str, Any]) -> Any:
    """Build the kind's params class from a rule's mapping, naming the bad field.

    Plain attrs construction, not cattrs: the registry is built on every start-up
    (``wenming --help`` included) and cattrs costs more to import than all of this.
    """
    fields = {f.name: f for f in attrs.fields(kind.params)}
    for key, value in params.items():
        f = fields.get(key)
        if f is None:
            known = ", ".join(fields) or "none"
            raise ContributionError(
                plugin,
                what,
                f"unknown parameter {key!r} for rule kind {kind.name!r} (known: {known})",
                field=f"params.{key}",
            )
        expected = _SCALARS.get(str(f.type).replace(" | None", ""))
        optional_none = value is None and "None" in str(f.type)
        wrong_bool = isinstance(value, bool) and expected is not None and bool not in expected
        if expected and not optional_none and (wrong_bool or not isinstance(value, expected)):
            raise ContributionError(
                plugin, what, f"expected {f.type}, got {value!r}", field=f"params.{key}"
            )
    try:
        return kind.params(**params)
    except (TypeError, ValueError) as exc:
        raise ContributionError(plugin, what, str(exc), field="params") from None


def resolve(
    resolver: Resolver, contrib: Contributions, unavailable: list[Unavailable]
) -> dict[str, dict[str, Any]]:
    """Return the plugin's records with qualified references; raise listing every bad one."""
    out: dict[str, dict[str, Any]] = {t: dict(recs) for t, recs in contrib.records.items()}
    problems: list[PluginError] = list(contrib.problems)
    steps = (
        ("templates", _resolve_template),
        ("resources", _resolve_resource),
        ("rules", _resolve_rule),
        ("tags", _resolve_tag),
    )
    problems += _over_budget(contrib)
    for table, step in steps:
        for rid, record in contrib.records[table].items():
            try:
                resolved = step(resolver, contrib, rid, record, unavailable)
            except PluginError as exc:
                problems.append(exc)
                continue
            if resolved is None:
                del out[table][rid]
            else:
                out[table][rid] = resolved
    raise_problems(contrib.plugin, problems)
    return out


def _over_budget(contrib: Contributions) -> list[PluginError]:
    """A department's scoring rules may add at most :data:`DEPARTMENT_RULE_BUDGET` points
    together: they reorder its own resources, never outbid another's more relevant one."""
    if not contrib.department:
        return []
    spent = 0.0
    for rid, rule in contrib.records["rules"].items():
        if rule.mode not in ("score", "both"):
            continue
        spent += abs(rule.weight)
        if spent > DEPARTMENT_RULE_BUDGET + 1e-9:
            return [
                ContributionError(
                    contrib.plugin,
                    f"rule {rid!r}",
                    f"its weight {rule.weight:g} brings the department's scoring rules to "
                    f"{spent:g} points, over the department rule budget of "
                    f"{DEPARTMENT_RULE_BUDGET:g} (a department may reorder its own resources, "
                    "never outbid another's more relevant one)",
                    field="weight",
                )
            ]
    return []


def _resolve_tag(
    r: Resolver, contrib: Contributions, rid: str, tag: Tag, unavailable: list[Unavailable]
) -> Tag:
    """A department's tags carry the department (core's shared tags carry none)."""
    if contrib.department:
        return attrs.evolve(tag, department=contrib.department.code)
    return tag


def _resolve_template(
    r: Resolver, contrib: Contributions, rid: str, t: Template, unavailable: list[Unavailable]
) -> Template | None:
    p = contrib.plugin
    what = f"template {rid!r}"
    if t.parts:
        partners = [part.department for part in t.parts]
        own = contrib.department.code if contrib.department else None
        if own not in partners:
            raise ContributionError(
                p,
                what,
                f"a joint template must include its own department {own!r} as a part",
                field="parts",
            )
        if len(set(partners)) != len(partners):
            raise ContributionError(p, what, "a department appears in two parts", field="parts")
    if rid in r.unavailable_templates:
        # Checked before its references: a joint template may name a missing partner's
        # site types, and must not fail its plugin while that partner is absent.
        unavailable.append(Unavailable(rid, p, r.unavailable_templates[rid]))
        return None
    return attrs.evolve(
        t,
        category=r.ref(p, "categories", t.category, what, "category"),
        audiences=r.refs(p, "audiences", t.audiences, what, "audiences"),
        site_types=r.refs(p, "site_types", t.site_types, what, "site_types"),
    )


def _resolve_resource(
    r: Resolver, contrib: Contributions, rid: str, res: Resource, unavailable: list[Unavailable]
) -> Resource | None:
    p = contrib.plugin
    what = f"resource {rid!r}"
    changes: dict[str, Any] = {
        "categories": r.refs(p, "categories", res.categories, what, "categories"),
        "audiences": r.refs(p, "audiences", res.audiences, what, "audiences"),
    }
    if res.template is not None:
        template = r.ref(p, "templates", res.template, what, "template")
        if template in r.unavailable_templates:
            reason = f"template {template} is unavailable ({r.unavailable_templates[template]})"
            unavailable.append(Unavailable(rid, p, reason, kind="resource"))
            return None
        changes["template"] = template
    if res.site_type is not None:
        changes["site_type"] = r.ref(p, "site_types", res.site_type, what, "site_type")
    return attrs.evolve(res, **changes)


def _resolve_rule(
    r: Resolver, contrib: Contributions, rid: str, rule: Rule, unavailable: list[Unavailable]
) -> Rule | None:
    p = contrib.plugin
    what = f"rule {rid!r}"
    kind_id = r.ref(p, "rule_kinds", rule.kind, what, "kind")
    kind: RuleKind = r.tables["rule_kinds"][kind_id]
    if rule.mode not in kind.modes:
        raise ContributionError(
            p, what, f"rule kind {kind_id} does not support mode {rule.mode!r}", field="mode"
        )
    scope = rule.scope
    departments = tuple(r.department(p, d, what, "scope.departments") for d in scope.departments)
    if not departments and not scope.templates and contrib.department:
        # A department judges its own resources unless it names others (or templates,
        # whose resources may belong to several partners of a joint project).
        departments = (contrib.department.code,)
    templates = r.refs(p, "templates", scope.templates, what, "scope.templates")
    live = tuple(t for t in templates if t not in r.unavailable_templates)
    if templates and not live:
        # Widening the scope to "every resource" would be wrong: the rule waits too.
        unavailable.append(
            Unavailable(
                rid, p, f"its templates are unavailable: {', '.join(templates)}", kind="rule"
            )
        )
        return None
    new_scope = RuleScope(
        departments=departments,
        templates=live,
        resource_kinds=scope.resource_kinds,
        categories=r.refs(p, "categories", scope.categories, what, "scope.categories"),
    )
    params = _structure_params(p, what, kind, rule.params)
    return attrs.evolve(rule, kind=kind_id, scope=new_scope, params=params)
