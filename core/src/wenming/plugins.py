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

import functools
import importlib
import inspect
import os
import re
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import pluggy
from attrs import define, field

from wenming import API_VERSION, hookspecs
from wenming.errors import ConfigError, PluginError

if TYPE_CHECKING:
    from pathlib import Path

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


@functools.cache
def _spec_parameters() -> dict[str, list[str]]:
    """Each hook of the reference and its parameter names (read once per process)."""
    return {
        attr: [p for p in inspect.signature(fn).parameters if p != "self"]
        for attr, fn in vars(hookspecs).items()
        if callable(fn) and getattr(fn, f"{GROUP}_spec", None) is not None
    }


def _check_hooks(name: str, module: Any) -> None:
    """Check each hook implementation against the hook reference, in words an author reads.

    Unknown hook names (with the nearest real one), parameters the hook does not pass
    (``hook register_settings takes `register`, got `registrar```) and parameters with
    defaults (pluggy never passes them) are refused before pluggy sees the plugin.
    """
    specs = _spec_parameters()
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
        takes = specs.get(hook)
        if takes is None:
            import difflib

            near = difflib.get_close_matches(hook, specs, n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise PluginError(
                name,
                f"implements a hook that does not exist: {hook}{hint}; "
                "see the hook reference for the hooks there are",
            )
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


class PluginEntry(NamedTuple):
    """One entry point of the ``wenming`` group and the distribution that declares it.

    A named tuple, not an attrs class: it is built on every start-up.
    """

    name: str
    value: str  # "module" or "module:attribute"
    dist: str | None
    version: str | None

    def load(self) -> Any:
        module, _, attr = self.value.partition(":")
        obj = importlib.import_module(module.strip())
        for part in filter(None, attr.strip().split(".")):
            obj = getattr(obj, part)
        return obj


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _metadata(folder: str) -> tuple[str | None, str | None]:
    """``Name`` and ``Version`` from a distribution's METADATA (or PKG-INFO) headers."""
    name = version = None
    for filename in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(folder, filename), encoding="utf-8") as f:
                for line in f:
                    if not line.strip():
                        break
                    key, _, value = line.partition(":")
                    if key == "Name":
                        name = value.strip()
                    elif key == "Version":
                        version = value.strip()
            return name, version
        except OSError:
            continue
    return name, version


def _group_entries(path: str, group: str) -> list[tuple[str, str]]:
    """``(name, value)`` pairs of ``group`` in an ``entry_points.txt`` file."""
    found: list[tuple[str, str]] = []
    try:
        with open(path, encoding="utf-8") as f:
            section = None
            for raw in f:
                line = raw.strip()
                if not line or line[0] in "#;":
                    continue
                if line.startswith("[") and line.endswith("]"):
                    section = line[1:-1].strip()
                elif section == group and "=" in line:
                    key, _, value = line.partition("=")
                    found.append((key.strip(), value.split("[", 1)[0].strip()))
    except OSError:
        pass
    return found


def discover(group: str = GROUP) -> list[PluginEntry]:
    """The installed entry points of ``group``, core first, then by name.

    Reads the distributions' ``entry_points.txt`` files on ``sys.path`` directly, as
    :func:`importlib.metadata.entry_points` does (the first distribution of a name on the
    path wins), without importing :mod:`importlib.metadata` and its email parser: every
    command pays for discovery, ``wenming --help`` included.
    """
    seen: set[str] = set()
    out: list[PluginEntry] = []
    for entry in sys.path:
        folder = entry or "."
        try:
            names = sorted(os.listdir(folder))
        except OSError:  # not a folder (a zip file, a missing path)
            continue
        for name in names:
            stem, dot, suffix = name.rpartition(".")
            if not dot or suffix not in ("dist-info", "egg-info"):
                continue
            key = _normalized(stem.split("-", 1)[0])
            if key in seen:
                continue
            seen.add(key)
            dist_folder = os.path.join(folder, name)
            entries = _group_entries(os.path.join(dist_folder, "entry_points.txt"), group)
            if not entries:
                continue
            dist, version = _metadata(dist_folder)
            out += [PluginEntry(n, value, dist, version) for n, value in entries]
    return sorted(out, key=lambda ep: (ep.name != CORE, ep.name))


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
            dist, version = ep.dist, ep.version
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


class CommandEntry(NamedTuple):
    """A CLI command a plugin added (a named tuple: cheap to define at start-up)."""

    name: str
    command: Any  # a click.Command
    plugin: str


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


def read_selection(path: str | Path) -> tuple[list[str] | None, list[str]]:
    """Just the ``[plugins]`` selection of a deployment file (no cattrs: used by ``--help``)."""
    if not os.path.exists(path):
        return None, []
    import tomllib

    try:
        with open(path, encoding="utf-8") as f:
            data = tomllib.loads(f.read())
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    section = data.get("plugins", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: plugins must be a table")
    return list(section.get("only") or []) or None, list(section.get("exclude") or [])
