"""Frozen attrs records that plugins contribute through the ``register_*`` hooks.

A plugin names its records with a short local ``name``; the registry namespaces them
as ``<plugin>.<name>`` (``water.waterworks``). References inside a record (a template's
``category``, a resource's ``template`` …) may be local (``"waterworks"``: looked up
in the contributing plugin's namespace, then in ``core``) or fully qualified
(``"gardens.wetland"``). The registry resolves every reference once, at load time,
and stores records whose references are all fully qualified.

Only attrs is imported here, so a plugin module that builds records stays cheap to
import (``wenming --help`` loads every plugin).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

import attrs
from attrs import field, frozen

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")

#: The levels of the double chessboard. Territorial: center (county) → institute
#: (town) → station (village/community). Industry: guidance_center → subcenter →
#: practice_point.
Level = Literal["guidance_center", "subcenter", "practice_point", "center", "institute", "station"]
LEVELS: tuple[str, ...] = (
    "guidance_center",
    "subcenter",
    "practice_point",
    "center",
    "institute",
    "station",
)
TERRITORIAL_LEVELS: tuple[str, ...] = ("center", "institute", "station")
INDUSTRY_LEVELS: tuple[str, ...] = ("guidance_center", "subcenter", "practice_point")

ResourceKind = Literal["venue", "project", "team"]
RESOURCE_KINDS: tuple[str, ...] = ("venue", "project", "team")

BenefitType = Literal["universal", "targeted", "mutual"]
BENEFIT_TYPES: tuple[str, ...] = ("universal", "targeted", "mutual")

RuleMode = Literal["filter", "score", "both"]
RULE_MODES: tuple[str, ...] = ("filter", "score", "both")


def _name(_inst: Any, attribute: attrs.Attribute, value: str) -> None:
    if not isinstance(value, str) or not NAME_RE.match(value):
        raise ValueError(
            f"{attribute.name} must be a lower-case identifier "
            f"(letters, digits, underscore), got {value!r}"
        )


def _ref(_inst: Any, attribute: attrs.Attribute, value: str | None) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not ID_RE.match(value):
        raise ValueError(f"{attribute.name} must be a name or 'plugin.name', got {value!r}")


def _refs(_inst: Any, attribute: attrs.Attribute, value: tuple[str, ...]) -> None:
    for item in value:
        if not isinstance(item, str) or not ID_RE.match(item):
            raise ValueError(f"{attribute.name} must hold names or 'plugin.name', got {item!r}")


def _nonempty(_inst: Any, attribute: attrs.Attribute, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be a non-empty string, got {value!r}")


def _months(_inst: Any, attribute: attrs.Attribute, value: tuple[int, ...]) -> None:
    for m in value:
        if not isinstance(m, int) or not 1 <= m <= 12:
            raise ValueError(f"{attribute.name} must hold months 1–12, got {m!r}")


def _positive(_inst: Any, attribute: attrs.Attribute, value: float) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{attribute.name} must be a positive number, got {value!r}")


def _positive_or_none(_inst: Any, attribute: attrs.Attribute, value: float | None) -> None:
    if value is not None:
        _positive(_inst, attribute, value)


def _one_of(options: tuple[str, ...]):
    def check(_inst: Any, attribute: attrs.Attribute, value: str) -> None:
        if value not in options:
            raise ValueError(f"{attribute.name} must be one of {', '.join(options)}; got {value!r}")

    return check


def _tuple(value: Any) -> tuple:
    """Accept lists (from TOML/JSON) and strings-as-one-item; store tuples (hashable)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _params(value: Any) -> Any:
    """Keep structured params (an attrs instance) as they are; freeze raw mappings."""
    if attrs.has(type(value)):
        return value
    from types import MappingProxyType

    return MappingProxyType(dict(value or {}))


@frozen
class Department:
    """The department a plugin speaks for (行业部门), with its sub-center and hub corps.

    ``code`` is the department's identifier and must equal the plugin's name, so the
    namespace of a department's records is the department itself.
    """

    code: str = field(validator=_name)
    name_zh: str = field(validator=_nonempty)
    name_en: str = field(validator=_nonempty)
    subcenter_zh: str = field(validator=_nonempty)
    subcenter_en: str = field(validator=_nonempty)
    corps_zh: str = field(validator=_nonempty)
    corps_en: str = field(validator=_nonempty)
    description: str = ""


@frozen
class SiteType:
    """A kind of site on one of the two axes, e.g. ``water.waterworks`` (a practice point)."""

    name: str = field(validator=_name)
    name_zh: str = field(validator=_nonempty)
    name_en: str = field(validator=_nonempty)
    level: str = field(validator=_one_of(LEVELS))
    description: str = ""


@frozen
class Category:
    """A service category (theory talks, legal services …); plugins may add their own."""

    name: str = field(validator=_name)
    name_zh: str = field(validator=_nonempty)
    name_en: str = field(validator=_nonempty)
    description: str = ""


@frozen
class Audience:
    """A key population (重点人群) a service is meant for: minors, elderly, delivery riders …"""

    name: str = field(validator=_name)
    name_zh: str = field(validator=_nonempty)
    name_en: str = field(validator=_nonempty)
    description: str = ""


@frozen
class JointPart:
    """What one partner department brings to a joint (拼单) template."""

    department: str = field(validator=_name)
    contribution_zh: str = field(validator=_nonempty)
    contribution_en: str = field(validator=_nonempty)
    resource_kinds: tuple[str, ...] = field(default=("team",), converter=_tuple)
    skills: tuple[str, ...] = field(default=(), converter=_tuple)
    #: The share of the demand's headcount this part serves (``None``: all of it).
    headcount_share: float | None = field(default=None, validator=_positive_or_none)

    @resource_kinds.validator
    def _kinds(self, attribute: attrs.Attribute, value: tuple[str, ...]) -> None:
        for kind in value:
            _one_of(RESOURCE_KINDS)(self, attribute, kind)


@frozen
class Template:
    """A volunteer-service project template (志愿服务项目模板).

    A template with ``parts`` is a joint template co-owned by the departments of its
    parts (the registering plugin's department must be one of them).
    ``months`` is the season (empty: all year). ``seed`` marks projects named in the
    source bulletin, as opposed to realistic additions.
    """

    name: str = field(validator=_name)
    name_zh: str = field(validator=_nonempty)
    name_en: str = field(validator=_nonempty)
    category: str = field(validator=_ref)
    audiences: tuple[str, ...] = field(default=(), converter=_tuple, validator=_refs)
    benefit_type: str = field(default="universal", validator=_one_of(BENEFIT_TYPES))
    duration_hours: float = field(default=2.0, validator=_positive)
    capacity: int = field(default=30, validator=_positive)
    months: tuple[int, ...] = field(default=(), converter=_tuple, validator=_months)
    site_types: tuple[str, ...] = field(default=(), converter=_tuple, validator=_refs)
    skills: tuple[str, ...] = field(default=(), converter=_tuple)
    team_kinds: tuple[str, ...] = field(default=(), converter=_tuple)
    tags: tuple[str, ...] = field(default=(), converter=_tuple)
    parts: tuple[JointPart, ...] = field(default=(), converter=_tuple)
    seed: bool = False
    description: str = ""
    # -- relevance: how the service reaches people (see "Relevance records" below)
    service_mode: str = field(default="outreach", validator=_one_of(("outreach", "destination")))
    travel_km: float | None = field(default=None, validator=_positive_or_none)

    @property
    def is_joint(self) -> bool:
        return bool(self.parts)

    @property
    def is_destination(self) -> bool:
        """People travel to this service (到场: a wedding, a nature outing, a visit),
        rather than the service travelling to them (送服务)."""
        return self.service_mode == "destination"


@frozen
class RuleKind:
    """A kind of matching rule and the vectorised code that evaluates it.

    ``params`` is an attrs class describing the rule's parameters (structured with
    cattrs, so a bad parameter names its field). ``impl`` is the dotted path
    ``module:Class`` of the vectorised implementation; it is imported only when the
    matching engine compiles, so loading plugins stays cheap.
    """

    name: str = field(validator=_name)
    params: type = field()
    impl: str = field(validator=_nonempty)
    description: str = field(validator=_nonempty)
    modes: tuple[str, ...] = field(default=RULE_MODES, converter=_tuple)
    #: ``relevance``: judges the subject (what and for whom); ``order``: who can serve
    #: and how well (reach, capacity, reputation, load). See "Relevance records".
    tier: str = field(default="order", validator=_one_of(("relevance", "order")))

    @params.validator
    def _params(self, attribute: attrs.Attribute, value: type) -> None:
        if not attrs.has(value):
            raise ValueError(f"params must be an attrs class, got {value!r}")


@frozen
class RuleScope:
    """Which candidate resources a rule applies to (empty: no restriction on that axis)."""

    departments: tuple[str, ...] = field(default=(), converter=_tuple, validator=_refs)
    templates: tuple[str, ...] = field(default=(), converter=_tuple, validator=_refs)
    resource_kinds: tuple[str, ...] = field(default=(), converter=_tuple)
    categories: tuple[str, ...] = field(default=(), converter=_tuple, validator=_refs)

    @resource_kinds.validator
    def _kinds(self, attribute: attrs.Attribute, value: tuple[str, ...]) -> None:
        for kind in value:
            _one_of(RESOURCE_KINDS)(self, attribute, kind)


@frozen
class Rule:
    """A parameterised instance of a rule kind.

    ``scope`` restricts the resources it judges; a department's rule that names neither
    departments nor templates is scoped to that department's resources by the registry. ``categories`` in
    the scope restricts the demands it judges (by service category).
    """

    name: str = field(validator=_name)
    kind: str = field(validator=_ref)
    params: Any = field(factory=dict, converter=_params)
    #: Points the rule adds at its best score; a department's scoring rules share the
    #: department rule budget (see "Relevance records"), hence the small default.
    weight: float = 0.1
    mode: str = field(default="score", validator=_one_of(RULE_MODES))
    scope: RuleScope = field(factory=RuleScope)
    description: str = ""


@frozen
class Resource:
    """A shared resource (资源共享): a venue, a project or a team.

    ``place`` is the code of the administrative division (county, town or village) it
    sits in; ``lng``/``lat`` (WGS-84) may refine it. ``reach_km`` is its service reach:
    when set, it replaces the hard reach of every distance rule for this resource
    (a coach trip widens it, a walk-in point narrows it). ``synthetic`` marks
    generated records, so nothing presents them as real.
    """

    name: str = field(validator=_name)
    kind: str = field(validator=_one_of(RESOURCE_KINDS))
    name_zh: str = field(validator=_nonempty)
    name_en: str = field(validator=_nonempty)
    place: str = field(validator=_nonempty)
    categories: tuple[str, ...] = field(default=(), converter=_tuple, validator=_refs)
    audiences: tuple[str, ...] = field(default=(), converter=_tuple, validator=_refs)
    tags: tuple[str, ...] = field(default=(), converter=_tuple)
    skills: tuple[str, ...] = field(default=(), converter=_tuple)
    template: str | None = field(default=None, validator=_ref)
    site_type: str | None = field(default=None, validator=_ref)
    capacity: int = field(default=30, validator=_positive)
    members: int = 0
    months: tuple[int, ...] = field(default=(), converter=_tuple, validator=_months)
    lng: float | None = None
    lat: float | None = None
    reach_km: float | None = field(default=None, validator=_positive_or_none)
    synthetic: bool = False
    description: str = ""


SettingType = Literal["int", "float", "str", "bool", "list"]
_SETTING_TYPES: dict[str, type | tuple[type, ...]] = {
    "int": int,
    "float": (int, float),
    "str": str,
    "bool": bool,
    "list": (list, tuple),
}


@frozen
class Setting:
    """A setting a plugin declares; deployments set it under ``[settings.<plugin>]``."""

    name: str = field(validator=_name)
    type: str = field(validator=_one_of(tuple(_SETTING_TYPES)))
    default: Any = field()
    description: str = field(validator=_nonempty)
    minimum: float | None = None
    maximum: float | None = None

    def __attrs_post_init__(self) -> None:
        self.check(self.default)

    def check(self, value: Any) -> Any:
        """Return ``value`` if it fits this setting, else raise ``ValueError`` saying why."""
        expected = _SETTING_TYPES[self.type]
        if isinstance(value, bool) and self.type in ("int", "float"):
            raise ValueError(f"expected {self.type}, got {value!r}")
        if not isinstance(value, expected):
            raise ValueError(f"expected {self.type}, got {value!r}")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"must be at least {self.minimum}, got {value!r}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"must be at most {self.maximum}, got {value!r}")
        return float(value) if self.type == "float" else value


@frozen
class Veto:
    """Returned by a ``before_*`` hook to refuse a transition, with the reason."""

    reason: str = field(validator=_nonempty)


@frozen
class Transition:
    """One state change of an order, as the lifecycle hooks see it."""

    order_id: int
    action: str
    from_state: str | None
    to_state: str
    actor: str
    role: str
    at: datetime
    reason: str = ""
    part_id: int | None = None
    data: Any = field(factory=dict, converter=_params)


# ----------------------------------------------------------------------------- relevance records
# What the matching engine's relevance model reads besides the records above: the
# tag vocabulary (``register_tags``), a template's mode of service (``service_mode``,
# ``travel_km``), a joint part's ``headcount_share`` and the department rule budget.

#: The most a department's own scoring rules may add to one of its resources, in
#: points: less than one step of subject relevance, so a department can reorder its
#: own candidates but never outbid another department's more relevant one.
DEPARTMENT_RULE_BUDGET = 0.2

#: How a service reaches people: it travels to them (送服务上门), or they travel to it (到场).
SERVICE_MODES: tuple[str, ...] = ("outreach", "destination")


@frozen
class Tag:
    """A subject word of the shared vocabulary: what demands and resources are about.

    Core's tags (shared by several departments: ``first_aid``, ``wedding``) keep their
    bare name as ID; a department's tags are namespaced (``water.water_saving``).
    ``synonyms`` are the words (Chinese and English) people use for the subject; the
    engine and the intake read a demand's words through them. ``department`` is set by
    the registry to the contributing department.
    """

    name: str = field(validator=_name)
    name_zh: str = field(validator=_nonempty)
    name_en: str = field(validator=_nonempty)
    synonyms: tuple[str, ...] = field(default=(), converter=_tuple)
    department: str | None = None
    description: str = ""

    @synonyms.validator
    def _words(self, attribute: attrs.Attribute, value: tuple[str, ...]) -> None:
        for word in value:
            if not isinstance(word, str) or not word.strip():
                raise ValueError(f"synonyms must be non-empty strings, got {word!r}")


def tag_table(rows: Any) -> tuple[Tag, ...]:
    """Tags from compact rows ``(name, name_zh, name_en, "synonym synonym …")``:
    synonyms separated by spaces (a synonym with spaces is written with ``_``)."""
    out = []
    for row in rows:
        name, zh, en, *rest = row
        words = rest[0].split() if rest else []
        out.append(
            Tag(
                name=name,
                name_zh=zh,
                name_en=en,
                synonyms=tuple(w.replace("_", " ") for w in words),
            )
        )
    return tuple(out)


#: Record types that carry a namespaced ``name`` in the registry, by hook.
NAMED_RECORDS: dict[str, type] = {
    "register_site_types": SiteType,
    "register_categories": Category,
    "register_audiences": Audience,
    "register_templates": Template,
    "register_rule_kinds": RuleKind,
    "register_rules": Rule,
    "register_resources": Resource,
    "register_settings": Setting,
    "register_tags": Tag,
}
