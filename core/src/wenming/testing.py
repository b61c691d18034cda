"""Testing kit for plugin authors, also registered as a pytest plugin (``pytest11``).

Use :func:`load_registry` to load a plugin object next to core without installing it,
:func:`check_plugin` in a department package's own tests to run the conformance
check, and the fixtures ``wenming_deployment`` (an in-memory deployment of every
installed plugin, schema created) and ``wenming_registry_of`` (a factory for
registries of chosen plugin objects).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import pluggy

    from wenming.deployment import Deployment
    from wenming.registry import Registry


def _named(plugins: Iterable[Any], name: str | None) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    items = list(plugins)
    for obj in items:
        if isinstance(obj, tuple):
            out.append(obj)
        elif name is not None and len(items) == 1:
            out.append((name, obj))
        else:
            label = getattr(obj, "__name__", type(obj).__name__).rsplit(".", 1)[-1]
            out.append((label.lower(), obj))
    return out


def load_plugin_manager(
    *plugins: Any, name: str | None = None, with_core: bool = True, strict: bool = True
) -> pluggy.PluginManager:
    """A plugin manager with core's built-ins (not other installed plugins) and ``plugins``."""
    return _load(plugins, name=name, with_core=with_core, strict=strict).pm


def _load(plugins: Iterable[Any], *, name: str | None, with_core: bool, strict: bool):
    from wenming import builtins
    from wenming.plugins import CORE, load_plugins

    extra = _named(plugins, name)
    if with_core:
        extra.insert(0, (CORE, builtins))
    return load_plugins(extra=extra, use_entry_points=False, strict=strict)


def load_registry(
    *plugins: Any,
    name: str | None = None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    with_core: bool = True,
    strict: bool = True,
) -> Registry:
    """Build a registry from core and the given plugin objects (modules or classes).

    Give ``name`` for a single plugin, or pass ``(name, obj)`` pairs. Strict by
    default: the first problem raises, which is what a plugin's own tests want.
    """
    from wenming.registry import build_registry

    loaded = _load(plugins, name=name, with_core=with_core, strict=strict)
    return build_registry(loaded, settings=settings or {})


def check_plugin(name: str) -> Registry:
    """Conformance check for the installed plugin ``name``; raise one ``AssertionError``
    listing every problem, or return the registry it built (core plus this plugin).

    Checks: it loads from its entry point with only core beside it, every hook and
    every record valid (all of their problems are listed, not just the first); it
    declares ``WENMING_API``; it has a module docstring and each hook a docstring; a
    department plugin's department code is its name; templates and rules say what
    they are for; it contributes something. Warnings (a joint template whose partner
    is not installed, templates without resources) are listed too but do not fail.
    """
    from importlib.metadata import entry_points

    from wenming.plugins import GROUP, load_plugins
    from wenming.registry import build_registry

    problems: list[str] = []
    eps = [ep for ep in entry_points(group=GROUP) if ep.name == name]
    if not eps:
        raise AssertionError(
            f"no entry point {name!r} in group {GROUP!r}; is the plugin installed "
            "(pip install -e . in the plugin's folder)?"
        )
    try:
        module = eps[0].load()
    except Exception as exc:
        raise AssertionError(
            f"plugin {name!r} is not conformant:\n  - failed to import {eps[0].value}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if not getattr(module, "WENMING_API", None):
        problems.append("the module does not declare WENMING_API")
    if not (module.__doc__ or "").strip():
        problems.append("the module has no docstring")
    for attr in dir(module):
        fn = getattr(module, attr)
        is_hook = callable(fn) and getattr(fn, "wenming_impl", None) is not None
        if is_hook and not (inspect.getdoc(fn) or "").strip():
            problems.append(f"hook {attr} has no docstring")
    loaded = load_plugins(only=[name], use_entry_points=True)
    registry = build_registry(loaded)
    info = registry.plugin(name)
    if not info.ok:
        problems.extend(info.problems or [info.error or "failed"])
    tables = {
        "site_types": registry.site_types,
        "templates": registry.templates,
        "rules": registry.rules,
        "resources": registry.resources,
        "categories": registry.categories,
        "audiences": registry.audiences,
    }
    own = 0
    for table, records in tables.items():
        for rid, record in records.items():
            if registry.owner(rid) != name:
                continue
            own += 1
            if table in ("templates", "rules") and not record.description.strip():
                problems.append(f"{table[:-1]} {rid} has no description")
    if info.ok and own == 0 and not registry.commands:
        problems.append("contributes nothing")
    if info.ok and info.counts.get("department") and name not in registry.departments:
        problems.append(f"department code is not {name!r}")
    if problems:
        listed = "\n  - ".join(problems)
        notes = "".join(f"\n  (warning) {w}" for w in info.warnings)
        raise AssertionError(
            f"plugin {name!r} is not conformant ({len(problems)} problem(s)):\n  - {listed}{notes}"
        )
    return registry


POSTGRES_ENV = "WENMING_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "WENMING_REQUIRE_POSTGRES"


@pytest.fixture(params=["sqlite", "postgresql"])
def wenming_database_url(request: pytest.FixtureRequest, tmp_path) -> Iterable[str]:
    """A fresh, empty database URL, once per backend.

    SQLite: a file in the test's temporary folder (so several connections share it).
    PostgreSQL: a private schema in the server named by ``WENMING_TEST_POSTGRES_URL``
    (dropped afterwards), so parallel runs do not collide. Without that variable the
    PostgreSQL case is skipped — or fails, when ``WENMING_REQUIRE_POSTGRES=1`` (CI).
    """
    import os

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'wenming.db'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
            pytest.fail(f"{REQUIRE_POSTGRES_ENV}=1 but {POSTGRES_ENV} is not set")
        pytest.skip(f"set {POSTGRES_ENV} to run PostgreSQL tests")
    yield from _postgres_schema(base)


def _postgres_schema(base: str) -> Iterable[str]:
    import uuid
    from urllib.parse import quote

    from sqlalchemy import create_engine, text

    schema = f"wm_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def wenming_storage(wenming_database_url: str):
    """A :class:`~wenming.storage.Storage` with the schema created, once per backend."""
    from wenming.storage import Storage

    storage = Storage(wenming_database_url)
    storage.create()
    yield storage
    storage.dispose()


@pytest.fixture
def wenming_registry_of():
    """Factory: ``wenming_registry_of(plugin, name="water")`` → a strict registry."""
    return load_registry


@pytest.fixture
def wenming_deployment() -> Iterable[Deployment]:
    """An in-memory deployment of every installed plugin, with its schema created."""
    from wenming.deployment import Deployment

    deployment = Deployment.in_memory()
    deployment.storage.create()
    yield deployment
    deployment.close()
