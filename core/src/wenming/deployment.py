"""Deployments: a TOML file that composes plugins, a database and a region, and the
:class:`Deployment` object that brings them up (plugins → registry → storage).

A deployment file::

    name = "Suzhou"
    database = "sqlite:///wenming.db"   # relative paths are next to this file
    region = "suzhou"
    strict = false                      # true: a broken plugin stops start-up
    timezone = "Asia/Shanghai"          # times are shown in it (stored in UTC)

    [plugins]
    only = []                           # empty: every installed plugin
    exclude = ["science"]

    [settings.health]
    max_class_per_trainer = 25

    [matching.weights]
    "core.distance" = 2.0

    [workflow]
    dispatch_hours = 24.0               # flag orders waiting longer for dispatch
    accept_hours = 48.0                 # … and dispatches waiting longer for an answer

    [people]
    star_ladder = "core.national"       # or "core.zhangjiagang", a plugin's, a [[people.ladders]]
    rounding = [[15, 0.0], [45, 0.5], [60, 1.0]]
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from wenming.errors import ConfigError
from wenming.plugins import read_selection  # noqa: F401  (was defined here)

if TYPE_CHECKING:
    from wenming.plugins import Loaded
    from wenming.registry import Registry
    from wenming.secrets import Secrets
    from wenming.storage import Storage

DEFAULT_FILE = "wenming.toml"
ENV_DEPLOYMENT = "WENMING_DEPLOYMENT"
MEMORY_URL = "sqlite://"


def _tuple(value: Any) -> tuple:
    return tuple(value or ())


@frozen
class PluginSelection:
    """Which installed plugins a deployment loads (``core`` always loads)."""

    only: tuple[str, ...] = field(default=(), converter=_tuple)
    exclude: tuple[str, ...] = field(default=(), converter=_tuple)


@frozen
class MatchingConfig:
    """Deployment-level matching parameters.

    ``weights`` re-weights rules by ID; ``reach_minutes`` and ``speed_kmh`` give the
    default hard reach of distance rules (the seed's 15-minute living circle).
    """

    weights: dict[str, float] = field(factory=dict)
    reach_minutes: float = 15.0
    speed_kmh: float = 20.0

    @property
    def reach_km(self) -> float:
        return self.reach_minutes * self.speed_kmh / 60.0


def _at_least(minimum: float, *, strict: bool):
    """A validator whose message names the key (cattrs reports it under the table)."""

    def check(_inst: Any, attribute: Any, value: float) -> None:
        if value < minimum or (strict and value == minimum):
            op = ">" if strict else ">="
            raise ValueError(f"expected {attribute.name} {op} {minimum}, got {value!r}")

    return check


@frozen
class WorkflowConfig:
    """The order workflow's limits (``[workflow]``).

    An order waiting longer than ``dispatch_hours`` to be dispatched (or re-dispatched
    after a decline), or a dispatch waiting longer than ``accept_hours`` for the team's
    answer, is flagged overdue. An order not accepted ``expire_after_days`` after its
    time window closed may be expired.
    """

    dispatch_hours: float = field(default=24.0, validator=_at_least(0, strict=True))
    accept_hours: float = field(default=48.0, validator=_at_least(0, strict=True))
    expire_after_days: int = field(default=0, validator=_at_least(0, strict=False))


def _rounding(_inst: Any, attribute: Any, value: tuple[tuple[float, float], ...]) -> None:
    last_m, last_h = 0.0, 0.0
    for up_to, hours in value:
        if up_to <= last_m or hours < last_h or not 0 <= hours <= 1:
            raise ValueError(
                f"expected {attribute.name} steps [minutes, hours] with minutes increasing "
                f"up to 60 and hours 0–1 not decreasing, got [{up_to:g}, {hours:g}]"
            )
        last_m, last_h = up_to, hours
    if last_m != 60:
        raise ValueError(f"expected the last {attribute.name} step to end at 60 minutes")


@frozen
class LadderConfig:
    """A star ladder the deployment defines itself (``[[people.ladders]]``), named
    ``deployment.<name>``."""

    name: str
    name_zh: str
    jurisdiction: str
    version: str
    thresholds: tuple[float, ...]
    description: str = ""


@frozen
class PeopleConfig:
    """The people side (``[people]``): which star ladder counts, how sign-in to
    sign-out minutes round to hours (per started hour: ``[minutes up to, hours]``
    steps over the minutes past the whole hours), whether this deployment is the
    designated issuer of service certificates. Times follow the deployment's ``timezone``."""

    star_ladder: str = "core.national"
    rounding: tuple[tuple[float, float], ...] = field(
        default=((15.0, 0.0), (45.0, 0.5), (60.0, 1.0)), validator=_rounding
    )
    designated_issuer: bool = False
    ladders: tuple[LadderConfig, ...] = ()


@frozen
class ApiConfig:
    """The HTTP API's limits (``[api]``), read by ``wenming serve``.

    CORS stays off unless ``cors_origins`` names the origins of the integrator's front
    ends. Access tokens live ``access_token_minutes``; a client that fails to sign in
    ``login_attempts`` times within ``login_window_seconds`` waits out the window.
    """

    cors_origins: tuple[str, ...] = field(default=(), converter=_tuple)
    access_token_minutes: float = field(default=60.0, validator=_at_least(0, strict=True))
    max_body_bytes: int = field(default=65_536, validator=_at_least(1024, strict=False))
    login_attempts: int = field(default=5, validator=_at_least(1, strict=False))
    login_window_seconds: float = field(default=60.0, validator=_at_least(0, strict=True))


@frozen
class DeploymentConfig:
    """The parsed deployment file."""

    name: str
    database: str = "sqlite:///wenming.db"
    region: str = "suzhou"
    strict: bool = False
    plugins: PluginSelection = field(factory=PluginSelection)
    settings: dict[str, dict[str, Any]] = field(factory=dict)
    matching: MatchingConfig = field(factory=MatchingConfig)
    workflow: WorkflowConfig = field(factory=WorkflowConfig)
    people: PeopleConfig = field(factory=PeopleConfig)
    timezone: str = "Asia/Shanghai"
    api: ApiConfig = field(factory=ApiConfig)


def parse_config(data: Mapping[str, Any], source: str) -> DeploymentConfig:
    """Structure a deployment mapping; errors name ``source``, the key and the value."""
    from wenming.convert import converter, structure_error_lines

    try:
        config = converter().structure(dict(data), DeploymentConfig)
    except Exception as exc:
        lines = structure_error_lines(exc)
        raise ConfigError(f"{source}: " + "; ".join(lines)) from None
    from wenming.times import zone

    try:
        zone(config.timezone)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    for rule_id, weight in config.matching.weights.items():
        if weight < 0:
            raise ConfigError(f"{source}: matching.weights.{rule_id} = {weight!r}: must be ≥ 0")
    return config


def read_config(path: Path) -> DeploymentConfig:
    """Read and structure a deployment file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no deployment file here; run 'wenming init' or pass --deployment"
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return parse_config(data, str(path))


def resolve_database(url: str, base: Path | None) -> str:
    """Make a relative ``sqlite:///file`` URL relative to the deployment file's folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and base is not None:
        rest = url[len(prefix) :]
        if rest and rest != ":memory:" and not rest.startswith("/"):
            return prefix + str((base / rest).resolve())
    return url


class Deployment:
    """A running composition: its config, its plugins and registry, its storage.

    The registry is built on construction (plugins load once); storage opens on first
    use, so commands that need no database never import SQLAlchemy.
    """

    def __init__(
        self,
        config: DeploymentConfig,
        *,
        path: Path | None = None,
        extra_plugins: Iterable[tuple[str, Any]] = (),
        use_entry_points: bool = True,
        strict: bool | None = None,
    ) -> None:
        from wenming.plugins import load_plugins
        from wenming.registry import build_registry

        self.config = config
        self.path = path
        self.strict = config.strict if strict is None else strict
        self.loaded: Loaded = load_plugins(
            only=config.plugins.only or None,
            exclude=config.plugins.exclude,
            extra=extra_plugins,
            use_entry_points=use_entry_points,
            strict=self.strict,
        )
        self.registry: Registry = build_registry(
            self.loaded,
            settings=config.settings,
            settings_source=str(path) if path else "deployment",
        )
        self._check_weights()

    def _check_weights(self) -> None:
        source = str(self.path) if self.path else "deployment"
        for rule_id in self.config.matching.weights:
            if rule_id not in self.registry.rules:
                raise ConfigError(f"{source}: matching.weights: no rule {rule_id!r} is registered")

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], **kwargs: Any) -> Deployment:
        p = Path(path)
        return cls(read_config(p), path=p, **kwargs)

    @classmethod
    def in_memory(cls, name: str = "test", **kwargs: Any) -> Deployment:
        """A deployment with an in-memory SQLite database (for tests and experiments)."""
        settings = kwargs.pop("settings", {})
        plugins = kwargs.pop("plugins", PluginSelection())
        config = DeploymentConfig(
            name=name, database=MEMORY_URL, settings=settings, plugins=plugins
        )
        return cls(config, **kwargs)

    @property
    def database_url(self) -> str:
        base = self.path.parent if self.path else None
        return resolve_database(self.config.database, base)

    @cached_property
    def storage(self) -> Storage:
        from wenming.storage import Storage

        return Storage(self.database_url)

    @cached_property
    def secrets(self) -> Secrets:
        """Per-purpose keys from the deployment's secret (see ``wenming.secrets``)."""
        from wenming.secrets import SECRET_FILE, Secrets

        if self.path is None:
            return Secrets.ephemeral()
        return Secrets.load(self.path.parent / SECRET_FILE)

    @property
    def pm(self):
        return self.loaded.pm

    def close(self) -> None:
        if "storage" in self.__dict__:
            self.storage.dispose()


def default_path() -> Path:
    return Path(os.environ.get(ENV_DEPLOYMENT, DEFAULT_FILE))


def render_config(name: str, database: str, region: str = "suzhou") -> str:
    """The text of a new deployment file, with every section documented."""
    return f'''# wenming deployment file: see docs/deployment.md
name = "{name}"
# SQLite file next to this file by default; or postgresql+psycopg://user@host/db
database = "{database}"
region = "{region}"
# true: a plugin that fails to load stops start-up instead of being skipped
strict = false
# times are stored in UTC and shown in this IANA time zone
timezone = "Asia/Shanghai"

[plugins]
# empty: every installed plugin; or list the ones to load, e.g. ["water", "health"]
only = []
exclude = []

# Per-plugin settings, as declared by each plugin (see `wenming plugins`):
# [settings.health]
# max_class_per_trainer = 25

[matching]
# the 15-minute living circle: default hard reach of distance rules
reach_minutes = 15.0
speed_kmh = 20.0

[matching.weights]
# re-weight rules by ID, e.g. "core.distance" = 2.0

[workflow]
# flag orders waiting longer than this for dispatch, and dispatches for an answer
dispatch_hours = 24.0
accept_hours = 48.0
# an order not accepted this many days after its time window closed may be expired
expire_after_days = 0

[people]
# star levels by confirmed service hours: core.national (100/300/600/1000/1500 h),
# core.zhangjiagang (30/60/100/200/300 h), a plugin's ladder or one of [[people.ladders]]
star_ladder = "core.national"
# minutes past the whole hours → hours: up to 15 → 0, up to 45 → 0.5, up to 60 → 1
rounding = [[15, 0.0], [45, 0.5], [60, 1.0]]
# true only if this deployment is the designated issuer of service certificates
designated_issuer = false

[api]
# wenming serve: origins of front ends allowed to call the API from a browser (CORS);
# empty: none
cors_origins = []
access_token_minutes = 60.0
'''
