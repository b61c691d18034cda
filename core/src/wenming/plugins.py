"""Finding and loading plugins, one at a time, so one broken plugin cannot stop the rest.

Plugins are modules named by entry points of the group ``wenming``. Core's built-ins
(``wenming.builtins``) are registered the same way. Loading mirrors pluggy's
``load_setuptools_entrypoints`` but wraps each entry point in its own ``try`` and
validates it on its own (API version, hook names, argument names), recording what
went wrong with the distribution's name and version.

Which plugins load: all installed ones, narrowed by the deployment file
(``[plugins] only`` / ``exclude``) and by the environment variables
``WENMING_PLUGINS`` (a comma-separated allow list that replaces ``only``) and
``WENMING_DISABLE_PLUGINS`` (added to ``exclude``). ``core`` always loads.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterable, Sequence
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pluggy
from attrs import define, field

from wenming import API_VERSION, hookspecs
from wenming.errors import PluginError

GROUP = "wenming"
CORE = "core"
ENV_ONLY = "WENMING_PLUGINS"
ENV_EXCLUDE = "WENMING_DISABLE_PLUGINS"


@define
class PluginInfo:
    """What is known of one plugin: where it came from, what it implements, its health."""

    name: str
    dist: str | None = None
    version: str | None = None
    module: str | None = None
    status: str = "ok"  # ok | error | disabled
    error: str | None = None
    hooks: tuple[str, ...] = ()
    counts: dict[str, int] = field(factory=dict)
    warnings: list[str] = field(factory=list)
    #: Every problem found when the plugin failed (``error`` sums them up in one line).
    problems: list[str] = field(factory=list)

    @property
    def builtin(self) -> bool:
        return self.name == CORE

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def fail(self, message: str, problems: Sequence[str] = ()) -> None:
        self.status = "error"
        self.error = message
        self.problems = list(problems) or [message]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "distribution": self.dist,
            "version": self.version,
            "module": self.module,
            "status": self.status,
            "error": self.error,
            "hooks": list(self.hooks),
            "counts": dict(self.counts),
            "warnings": list(self.warnings),
        }


@define
class Loaded:
    """A plugin manager with the plugins that registered, and a record of every plugin seen."""

    pm: pluggy.PluginManager
    infos: dict[str, PluginInfo]
    strict: bool = False

    def ok_plugins(self) -> list[str]:
        return [n for n, i in self.infos.items() if i.ok]


def new_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    return pm


def _env_list(name: str) -> list[str] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return [p.strip() for p in raw.split(",") if p.strip()]


def selection(
    only: Sequence[str] | None = None, exclude: Sequence[str] = ()
) -> tuple[set[str] | None, set[str]]:
    """Combine the deployment's selection with the environment's (the environment wins)."""
    env_only = _env_list(ENV_ONLY)
    chosen = env_only if env_only is not None else (list(only) if only else None)
    excluded = set(exclude) | set(_env_list(ENV_EXCLUDE) or [])
    return (set(chosen) | {CORE} if chosen is not None else None), excluded - {CORE}


def _check_api(name: str, module: Any) -> None:
    declared = getattr(module, "WENMING_API", None)
    if declared is None:
        return
    try:
        major, minor = (int(x) for x in str(declared).split(".", 1))
        core_major, core_minor = (int(x) for x in API_VERSION.split("."))
    except ValueError:
        raise PluginError(name, f"WENMING_API must look like '1.0', got {declared!r}") from None
    if major != core_major or minor > core_minor:
        raise PluginError(
            name,
            f"written for plugin API {declared}, but this core provides {API_VERSION}",
        )


def _hooks_of(module: Any) -> dict[str, Any]:
    """The module's hook implementations by attribute name."""
    found = {}
    for attr in dir(module):
        fn = getattr(module, attr, None)
        if callable(fn) and getattr(fn, f"{GROUP}_impl", None) is not None:
            found[attr] = fn
    return found


def _check_hooks(name: str, module: Any) -> None:
    """Check each hook implementation against the hook reference, in words an author reads.

    Unknown hook names (with the nearest real one), parameters the hook does not pass
    (``hook register_settings takes `register`, got `registrar```) and parameters with
    defaults (pluggy never passes them) are refused before pluggy sees the plugin.
    """
    import difflib

    specs = {
        attr: fn
        for attr, fn in vars(hookspecs).items()
        if callable(fn) and getattr(fn, f"{GROUP}_spec", None) is not None
    }
    for attr, fn in sorted(_hooks_of(module).items()):
        opts = getattr(fn, f"{GROUP}_impl", {}) or {}
        hook = opts.get("specname") or attr
        params = inspect.signature(fn).parameters
        for param in params.values():
            if param.default is not inspect.Parameter.empty:
                raise PluginError(
                    name,
                    f"hook {attr}: parameter {param.name!r} has a default value; "
                    "pluggy never passes arguments to such parameters, remove the default",
                )
        spec = specs.get(hook)
        if spec is None:
            near = difflib.get_close_matches(hook, specs, n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise PluginError(
                name,
                f"implements a hook that does not exist: {hook}{hint}; "
                "see the hook reference for the hooks there are",
            )
        takes = [p for p in inspect.signature(spec).parameters if p != "self"]
        got = [p for p in params if p != "self"]
        if not set(got) <= set(takes):
            raise PluginError(
                name, f"hook {hook} takes `{', '.join(takes)}`, got `{', '.join(got)}`"
            )


def register_plugin(loaded: Loaded, name: str, module: Any, info: PluginInfo) -> bool:
    """Validate and register one plugin object; on failure record why and leave it out."""
    pm = loaded.pm
    try:
        if pm.has_plugin(name):
            other = loaded.infos.get(name)
            raise PluginError(
                name,
                f"the name is already taken by {other.dist if other else 'another plugin'}; "
                "plugin names (entry-point names) must be unique",
            )
        _check_api(name, module)
        _check_hooks(name, module)
        try:
            pm.register(module, name=name)
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            if pm.has_plugin(name):
                pm.unregister(name=name)
            raise PluginError(name, str(exc).replace("\n", " ")) from None
    except PluginError as exc:
        error = PluginError(name, exc.detail, dist=_dist_label(info))
        info.fail(str(error))
        if loaded.strict:
            raise error from None
        return False
    info.hooks = tuple(sorted(_hooks_of(module)))
    return True


def _dist_label(info: PluginInfo) -> str | None:
    if info.dist is None:
        return None
    return f"{info.dist} {info.version}" if info.version else info.dist


def discover() -> list[EntryPoint]:
    """The installed entry points of the ``wenming`` group, core first, then by name."""
    eps = list(entry_points(group=GROUP))
    return sorted(eps, key=lambda ep: (ep.name != CORE, ep.name))


def load_plugins(
    *,
    only: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    extra: Iterable[tuple[str, Any]] = (),
    use_entry_points: bool = True,
    strict: bool = False,
) -> Loaded:
    """Load the selected installed plugins (and ``extra`` objects), each in isolation.

    ``extra`` is a sequence of ``(name, plugin_object)`` pairs registered after the
    entry points: how tests and embedding applications add plugins that are not
    installed. With ``strict`` the first failure raises :class:`PluginError`.
    """
    loaded = Loaded(pm=new_manager(), infos={}, strict=strict)
    chosen, excluded = selection(only, exclude)
    if use_entry_points:
        for ep in discover():
            dist = ep.dist.name if ep.dist else None
            version = ep.dist.version if ep.dist else None
            info = PluginInfo(name=ep.name, dist=dist, version=version, module=ep.value)
            if ep.name in loaded.infos:
                first = loaded.infos[ep.name]
                error = PluginError(
                    ep.name,
                    f"duplicate plugin name: {dist} and {first.dist} both declare it; "
                    f"{dist} was skipped",
                    dist=_dist_label(info),
                )
                info.fail(str(error))
                loaded.infos[f"{ep.name}@{dist}"] = info
                if strict:
                    raise error
                continue
            loaded.infos[ep.name] = info
            if (chosen is not None and ep.name not in chosen) or ep.name in excluded:
                info.status = "disabled"
                continue
            try:
                module = ep.load()
            except Exception as exc:
                error = PluginError(
                    ep.name,
                    f"failed to import {ep.value}: {type(exc).__name__}: {exc}",
                    dist=_dist_label(info),
                )
                info.fail(str(error))
                if strict:
                    raise error from exc
                continue
            register_plugin(loaded, ep.name, module, info)
    for name, obj in extra:
        info = PluginInfo(name=name, module=getattr(obj, "__name__", type(obj).__name__))
        loaded.infos[name] = info
        register_plugin(loaded, name, obj, info)
    return loaded
