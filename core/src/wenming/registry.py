"""The registry: every plugin's contributions, validated, namespaced and frozen.

Built once when a deployment starts. Each contribution hook is called plugin by
plugin (not through one fan-out call), so a hook that raises is pinned on its plugin
and every record remembers who contributed it. References are resolved to fully
qualified IDs; a plugin with a bad record is reported and left out together with all
of its records, and resolution runs again until every remaining plugin is consistent
(a plugin that referenced a left-out one is then reported too).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs
from attrs import field, frozen

from wenming.errors import ConfigError, ContributionError, PluginError, WenmingError
from wenming.plugins import CORE, Loaded, PluginInfo
from wenming.records import (
    DEPARTMENT_RULE_BUDGET,
    Audience,
    Category,
    Department,
    Resource,
    Rule,
    RuleKind,
    RuleScope,
    Setting,
    SiteType,
    Tag,
    Template,
)

if TYPE_CHECKING:
    import click

#: Contribution hooks in the order they are called, with the record type each takes.
CONTRIBUTION_HOOKS: tuple[tuple[str, type | None], ...] = (
    ("register_department", Department),
    ("register_settings", Setting),
    ("register_categories", Category),
    ("register_audiences", Audience),
    ("register_site_types", SiteType),
    ("register_rule_kinds", RuleKind),
    ("register_tags", Tag),
    ("register_templates", Template),
    ("register_rules", Rule),
    ("register_resources", Resource),
    ("register_commands", None),  # click commands
)

_TABLE = {
    Setting: "settings",
    Category: "categories",
    Audience: "audiences",
    SiteType: "site_types",
    RuleKind: "rule_kinds",
    Template: "templates",
    Rule: "rules",
    Resource: "resources",
    Tag: "tags",
}

_KIND_LABEL = {
    Department: "department",
    Setting: "setting",
    Category: "category",
    Audience: "audience",
    SiteType: "site type",
    RuleKind: "rule kind",
    Template: "template",
    Rule: "rule",
    Resource: "resource",
    Tag: "tag",
}


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
class CommandEntry:
    """A CLI command a plugin added."""

    name: str
    command: click.Command
    plugin: str


@frozen
class Unavailable:
    """A contribution left out of the registry without failing its plugin (e.g. a joint
    template whose partner departments are not installed)."""

    id: str
    plugin: str
    reason: str
    kind: str = "template"  # template | resource | rule


def _freeze(d: dict) -> Mapping:
    return MappingProxyType(dict(sorted(d.items())))


@frozen
class Registry:
    """Immutable view of a deployment's plugins and their validated contributions.

    Mappings are keyed by namespaced ID (``water.waterworks``); departments by code;
    commands by command name. Records hold fully qualified references.
    """

    plugins: tuple[PluginInfo, ...]
    departments: Mapping[str, Department]
    site_types: Mapping[str, SiteType]
    categories: Mapping[str, Category]
    audiences: Mapping[str, Audience]
    templates: Mapping[str, Template]
    rule_kinds: Mapping[str, RuleKind]
    rules: Mapping[str, Rule]
    resources: Mapping[str, Resource]
    setting_specs: Mapping[str, Mapping[str, Setting]]
    settings: Mapping[str, Mapping[str, Any]]
    commands: Mapping[str, CommandEntry]
    unavailable: tuple[Unavailable, ...] = ()
    #: The subject vocabulary: core's tags by bare name, departments' as ``dept.name``.
    tags: Mapping[str, Tag] = field(factory=lambda: MappingProxyType({}))

    @property
    def problems(self) -> list[str]:
        """Errors of plugins that failed to load or contribute."""
        return [p.error for p in self.plugins if p.status == "error" and p.error]

    @property
    def healthy(self) -> bool:
        return not self.problems

    def plugin(self, name: str) -> PluginInfo:
        for info in self.plugins:
            if info.name == name:
                return info
        raise KeyError(name)

    def setting(self, plugin: str, name: str) -> Any:
        """The effective value of a plugin setting (deployment value or the declared default)."""
        try:
            return self.settings[plugin][name]
        except KeyError:
            raise WenmingError(f"plugin {plugin!r} declares no setting {name!r}") from None

    def owner(self, record_id: str) -> str:
        """The plugin that contributed a namespaced record."""
        return record_id.split(".", 1)[0]

    def department_of(self, record_id: str) -> str | None:
        """The department a record belongs to (its plugin's), or ``None`` for core/extensions."""
        owner = self.owner(record_id)
        return owner if owner in self.departments else None

    def joint_templates(self) -> dict[str, Template]:
        return {k: t for k, t in self.templates.items() if t.is_joint}


class _Contributions:
    """What one plugin registered, before resolution."""

    def __init__(self, plugin: str) -> None:
        self.plugin = plugin
        self.department: Department | None = None
        self.records: dict[str, dict[str, Any]] = {t: {} for t in _TABLE.values()}
        self.commands: dict[str, click.Command] = {}


def _collect(loaded: Loaded, info: PluginInfo) -> _Contributions:
    """Call each contribution hook of one plugin with a validating ``register``."""
    plugin = loaded.pm.get_plugin(info.name)
    contrib = _Contributions(info.name)
    for hook_name, record_type in CONTRIBUTION_HOOKS:
        impl = getattr(plugin, hook_name, None)
        if impl is None or getattr(impl, "wenming_impl", None) is None:
            continue
        count = 0

        def register(record: Any, *, _hook=hook_name, _type=record_type) -> None:
            nonlocal count
            count += 1
            _accept(contrib, _hook, _type, record)

        try:
            impl(register=register)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(
                info.name, f"hook {hook_name} raised {type(exc).__name__}: {exc}"
            ) from exc
        info.counts[hook_name.removeprefix("register_")] = count
    return contrib


def _accept(contrib: _Contributions, hook: str, record_type: type | None, record: Any) -> None:
    plugin = contrib.plugin
    if record_type is None:  # a click command
        import click

        if not isinstance(record, click.Command):
            raise ContributionError(
                plugin, f"{hook} record", f"expected a click.Command, got {type(record).__name__}"
            )
        if not record.name:
            raise ContributionError(plugin, "command", "command has no name")
        if record.name in contrib.commands:
            raise ContributionError(plugin, f"command {record.name!r}", "registered twice")
        contrib.commands[record.name] = record
        return
    if not isinstance(record, record_type):
        raise ContributionError(
            plugin,
            f"{hook} record",
            f"expected {record_type.__name__}, got {type(record).__name__}",
        )
    if record_type is Department:
        if contrib.department is not None:
            raise ContributionError(
                plugin, f"department {record.code!r}", "a plugin speaks for one department"
            )
        if record.code != plugin:
            raise ContributionError(
                plugin,
                f"department {record.code!r}",
                f"the department code must equal the plugin name {plugin!r}",
                field="code",
            )
        contrib.department = record
        return
    table = contrib.records[_TABLE[record_type]]
    # core's tags are the shared vocabulary and keep their bare name
    rid = record.name if (record_type is Tag and plugin == CORE) else f"{plugin}.{record.name}"
    if rid in table:
        raise ContributionError(
            plugin, f"{_KIND_LABEL[record_type]} {rid!r}", "duplicate ID: registered twice"
        )
    table[rid] = record


class _Resolver:
    """Resolve local references against the union of all surviving contributions."""

    def __init__(self, contribs: dict[str, _Contributions]) -> None:
        self.contribs = contribs
        self.tables: dict[str, dict[str, Any]] = {t: {} for t in _TABLE.values()}
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

    def ref(self, plugin: str, table: str, value: str, what: str, field: str) -> str:
        known = self.tables[table]
        if "." in value:
            if value in known:
                return value
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


def _resolve(
    resolver: _Resolver, contrib: _Contributions, unavailable: list[Unavailable]
) -> dict[str, dict[str, Any]]:
    """Return the plugin's records with qualified references; raise on the first bad one."""
    p = contrib.plugin
    r = resolver
    out: dict[str, dict[str, Any]] = {t: dict(recs) for t, recs in contrib.records.items()}
    for rid, t in contrib.records["templates"].items():
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
            del out["templates"][rid]
            continue
        changes: dict[str, Any] = {
            "category": r.ref(p, "categories", t.category, what, "category"),
            "audiences": r.refs(p, "audiences", t.audiences, what, "audiences"),
            "site_types": r.refs(p, "site_types", t.site_types, what, "site_types"),
        }
        out["templates"][rid] = attrs.evolve(t, **changes)
    for rid, res in contrib.records["resources"].items():
        what = f"resource {rid!r}"
        changes = {
            "categories": r.refs(p, "categories", res.categories, what, "categories"),
            "audiences": r.refs(p, "audiences", res.audiences, what, "audiences"),
        }
        if res.template is not None:
            template = r.ref(p, "templates", res.template, what, "template")
            if template in r.unavailable_templates:
                reason = f"template {template} is unavailable ({r.unavailable_templates[template]})"
                unavailable.append(Unavailable(rid, p, reason, kind="resource"))
                del out["resources"][rid]
                continue
            changes["template"] = template
        if res.site_type is not None:
            changes["site_type"] = r.ref(p, "site_types", res.site_type, what, "site_type")
        out["resources"][rid] = attrs.evolve(res, **changes)
    if contrib.department:
        code = contrib.department.code
        for rid, tag in contrib.records["tags"].items():
            out["tags"][rid] = attrs.evolve(tag, department=code)
    spent = 0.0
    for rid, rule in contrib.records["rules"].items():
        what = f"rule {rid!r}"
        if contrib.department and rule.mode in ("score", "both"):
            spent += abs(rule.weight)
            if spent > DEPARTMENT_RULE_BUDGET + 1e-9:
                raise ContributionError(
                    p,
                    what,
                    f"its weight {rule.weight:g} brings the department's scoring rules to "
                    f"{spent:g} points, over the department rule budget of "
                    f"{DEPARTMENT_RULE_BUDGET:g} (a department may reorder its own resources, "
                    "never outbid another's more relevant one)",
                    field="weight",
                )
        kind_id = r.ref(p, "rule_kinds", rule.kind, what, "kind")
        kind: RuleKind = r.tables["rule_kinds"][kind_id]
        if rule.mode not in kind.modes:
            raise ContributionError(
                p, what, f"rule kind {kind_id} does not support mode {rule.mode!r}", field="mode"
            )
        scope = rule.scope
        departments = tuple(
            r.department(p, d, what, "scope.departments") for d in scope.departments
        )
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
            del out["rules"][rid]
            continue
        new_scope = RuleScope(
            departments=departments,
            templates=live,
            resource_kinds=scope.resource_kinds,
            categories=r.refs(p, "categories", scope.categories, what, "scope.categories"),
        )
        params = _structure_params(p, what, kind, rule.params)
        out["rules"][rid] = attrs.evolve(rule, kind=kind_id, scope=new_scope, params=params)
    return out


def collect_commands(loaded: Loaded) -> dict[str, CommandEntry]:
    """Only the CLI commands of the loaded plugins (first plugin wins a taken name)."""
    out: dict[str, CommandEntry] = {}
    for name in loaded.ok_plugins():
        impl = getattr(loaded.pm.get_plugin(name), "register_commands", None)
        if impl is None or getattr(impl, "wenming_impl", None) is None:
            continue
        found: list[Any] = []
        try:
            impl(register=found.append)
        except Exception:
            continue
        for cmd in found:
            if getattr(cmd, "name", None) and cmd.name not in out:
                out[cmd.name] = CommandEntry(cmd.name, cmd, name)
    return out


def build_registry(
    loaded: Loaded,
    *,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    settings_source: str = "deployment",
) -> Registry:
    """Collect, validate and freeze every loaded plugin's contributions.

    ``settings`` are the deployment's values by plugin; an unknown plugin or setting
    name, or a value of the wrong type, raises :class:`ConfigError` naming
    ``settings_source`` and the key.
    """
    infos = loaded.infos
    contribs: dict[str, _Contributions] = {}

    def fail(info: PluginInfo, exc: PluginError) -> None:
        label = f"{info.dist} {info.version}" if info.dist else None
        error = exc.with_dist(label)
        info.fail(str(error))
        if loaded.strict or info.name == CORE:
            raise error from exc

    for name in loaded.ok_plugins():
        info = infos[name]
        try:
            contribs[name] = _collect(loaded, info)
        except PluginError as exc:
            fail(info, exc)

    # Cross-plugin checks: command names are global.
    owners: dict[str, str] = {}
    for name, c in list(contribs.items()):
        for cmd in c.commands:
            if cmd in owners:
                fail(
                    infos[name],
                    ContributionError(
                        name,
                        f"command {cmd!r}",
                        f"the name is already taken by plugin {owners[cmd]!r}",
                    ),
                )
                del contribs[name]
                break
        else:
            for cmd in c.commands:
                owners[cmd] = name

    # Resolve to a fixed point: dropping a plugin may orphan references of others.
    while True:
        resolver = _Resolver(contribs)
        unavailable: list[Unavailable] = []
        resolved: dict[str, dict[str, dict[str, Any]]] = {}
        failed = False
        for name, c in list(contribs.items()):
            try:
                resolved[name] = _resolve(resolver, c, unavailable)
            except PluginError as exc:
                fail(infos[name], exc)
                del contribs[name]
                failed = True
        if not failed:
            break

    tables: dict[str, dict[str, Any]] = {t: {} for t in _TABLE.values()}
    for recs in resolved.values():
        for t, items in recs.items():
            tables[t].update(items)
    for u in unavailable:
        infos[u.plugin].warnings.append(f"{u.kind} {u.id}: {u.reason}")

    specs: dict[str, dict[str, Setting]] = {}
    for name, c in contribs.items():
        specs[name] = {rid.split(".", 1)[1]: s for rid, s in c.records["settings"].items()}
    values = _settings(specs, settings or {}, settings_source, infos)

    commands = {
        cmd: CommandEntry(cmd, obj, name)
        for name, c in contribs.items()
        for cmd, obj in c.commands.items()
    }
    return Registry(
        plugins=tuple(infos.values()),
        departments=_freeze(
            {c.department.code: c.department for c in contribs.values() if c.department}
        ),
        site_types=_freeze(tables["site_types"]),
        categories=_freeze(tables["categories"]),
        audiences=_freeze(tables["audiences"]),
        templates=_freeze(tables["templates"]),
        rule_kinds=_freeze(tables["rule_kinds"]),
        rules=_freeze(tables["rules"]),
        resources=_freeze(tables["resources"]),
        tags=_freeze(tables["tags"]),
        setting_specs=_freeze({k: _freeze(v) for k, v in specs.items()}),
        settings=_freeze({k: _freeze(v) for k, v in values.items()}),
        commands=_freeze(commands),
        unavailable=tuple(unavailable),
    )


def _settings(
    specs: dict[str, dict[str, Setting]],
    given: Mapping[str, Mapping[str, Any]],
    source: str,
    infos: Mapping[str, PluginInfo],
) -> dict[str, dict[str, Any]]:
    values = {p: {n: s.default for n, s in declared.items()} for p, declared in specs.items()}
    for plugin, items in given.items():
        if plugin not in specs:
            info = infos.get(plugin)
            if info is not None and not info.ok:
                continue  # settings of a disabled or broken plugin are not checked
            raise ConfigError(f"{source}: [settings.{plugin}]: no plugin {plugin!r} is loaded")
        if not isinstance(items, Mapping):
            raise ConfigError(f"{source}: settings.{plugin} must be a table, got {items!r}")
        for key, value in items.items():
            spec = specs[plugin].get(key)
            if spec is None:
                known = ", ".join(sorted(specs[plugin])) or "none"
                raise ConfigError(
                    f"{source}: settings.{plugin}.{key}: plugin {plugin!r} declares no such "
                    f"setting (declared: {known})"
                )
            try:
                values[plugin][key] = spec.check(value)
            except ValueError as exc:
                raise ConfigError(f"{source}: settings.{plugin}.{key} = {value!r}: {exc}") from None
    return values
