"""The registry: every plugin's contributions, validated, namespaced and frozen.

Built once when a deployment starts. Each contribution hook is called plugin by
plugin (not through one fan-out call), so a hook that raises is pinned on its plugin
and every record remembers who contributed it. References are resolved to fully
qualified IDs; a plugin with a bad record is reported and left out together with all
of its records, and resolution runs again until every remaining plugin is consistent
(a plugin that referenced a left-out one is then reported too). Resolution itself is in
:mod:`wenming.resolve`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs
from attrs import frozen

from wenming.errors import (
    ConfigError,
    ContributionError,
    PluginError,
    WenmingError,
)
from wenming.plugins import CORE, CommandEntry, Loaded, PluginInfo
from wenming.plugins import collect_commands as collect_commands  # moved to plugins
from wenming.records import (
    Audience,
    Category,
    Department,
    Resource,
    Rule,
    RuleKind,
    Setting,
    SiteType,
    Tag,
    Template,
)
from wenming.resolve import (
    Contributions,
    Resolver,
    Unavailable,
    resolve,
)

if TYPE_CHECKING:
    pass

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
    tags: Mapping[str, Tag] = attrs.field(factory=lambda: MappingProxyType({}))
    #: The joint (拼单) templates among ``templates``, keyed the same way.
    joint_templates: Mapping[str, Template] = attrs.field(
        default=attrs.Factory(
            lambda self: _freeze({k: t for k, t in self.templates.items() if t.is_joint}),
            takes_self=True,
        )
    )

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


def _collect(loaded: Loaded, info: PluginInfo) -> Contributions:
    """Call each contribution hook of one plugin with a validating ``register``.

    Every bad record and every hook that raises is noted, not just the first, and
    reported with the resolution's problems (:class:`PluginProblems`), so an author
    fixes them in one round.
    """
    plugin = loaded.pm.get_plugin(info.name)
    contrib = Contributions(info.name)
    problems: list[PluginError] = []
    for hook_name, record_type in CONTRIBUTION_HOOKS:
        impl = getattr(plugin, hook_name, None)
        if impl is None or getattr(impl, "wenming_impl", None) is None:
            continue
        count = 0

        def register(record: Any, *, _hook=hook_name, _type=record_type) -> None:
            nonlocal count
            count += 1
            try:
                _accept(contrib, _hook, _type, record)
            except PluginError as exc:
                problems.append(exc)

        try:
            impl(register=register)
        except PluginError as exc:
            problems.append(exc)
        except Exception as exc:
            problems.append(
                PluginError(info.name, f"hook {hook_name} raised {type(exc).__name__}: {exc}")
            )
        info.counts[hook_name.removeprefix("register_")] = count
    contrib.problems = problems
    return contrib


def _accept(contrib: Contributions, hook: str, record_type: type | None, record: Any) -> None:
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
    contribs: dict[str, Contributions] = {}

    def fail(info: PluginInfo, exc: PluginError) -> None:
        label = f"{info.dist} {info.version}" if info.dist else None
        error = exc.with_dist(label)
        info.fail(str(error), [p.detail for p in getattr(exc, "problems", [exc])])
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
        resolver = Resolver(contribs, infos)
        unavailable: list[Unavailable] = []
        resolved: dict[str, dict[str, dict[str, Any]]] = {}
        failed = False
        for name, c in list(contribs.items()):
            try:
                resolved[name] = resolve(resolver, c, unavailable)
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
    _warn_templates_without_resources(contribs, tables, infos)

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


def _warn_templates_without_resources(
    contribs: Mapping[str, Contributions],
    tables: Mapping[str, Mapping[str, Any]],
    infos: Mapping[str, PluginInfo],
) -> None:
    """A plugin whose templates no resource offers matches nothing: say so at load time."""
    offered = {res.template for res in tables["resources"].values() if res.template}
    owners = {rid.split(".", 1)[0] for rid in tables["resources"]}
    for name, c in contribs.items():
        own = [rid for rid in c.records["templates"] if rid in tables["templates"]]
        if not own or name in owners:
            continue
        if not any(rid in offered for rid in own):
            infos[name].warnings.append(
                f"{len(own)} template(s) but no resources: matching finds nothing of this "
                "plugin until it registers resources (register_resources) or a dispatcher "
                "publishes some ('wenming supply publish')"
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
