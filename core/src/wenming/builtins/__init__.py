"""Core's built-ins, registered as the plugin ``core`` through the same entry-point
group as every department: the sites of the double chessboard, the standing service
categories and key populations, the core rule kinds and their default rules."""

from __future__ import annotations

from wenming import API_VERSION, hookimpl
from wenming.matching import params as p
from wenming.records import Audience, Category, Rule, RuleKind, SiteType

WENMING_API = API_VERSION

SITE_TYPES = (
    SiteType(
        name="guidance_center",
        name_zh="市新时代文明实践指导中心",
        name_en="City guidance center",
        level="guidance_center",
        description="Hub of both networks.",
    ),
    SiteType(
        name="subcenter",
        name_zh="行业新时代文明实践分中心",
        name_en="Industry sub-center",
        level="subcenter",
        description="One per department; coordinates that department's practice points.",
    ),
    SiteType(
        name="center",
        name_zh="新时代文明实践中心",
        name_en="Practice center",
        level="center",
        description="County level.",
    ),
    SiteType(
        name="institute",
        name_zh="新时代文明实践所",
        name_en="Practice institute",
        level="institute",
        description="Town / subdistrict level.",
    ),
    SiteType(
        name="station",
        name_zh="新时代文明实践站",
        name_en="Practice station",
        level="station",
        description="Village / community level.",
    ),
)

#: The standing service categories of the seed (常备志愿服务队), plus emergency rescue.
CATEGORIES = (
    Category(name="theory_policy", name_zh="理论政策宣讲", name_en="Theory & policy talks"),
    Category(name="culture_arts", name_zh="文化艺术服务", name_en="Culture & arts"),
    Category(name="education_support", name_zh="助学支教", name_en="Education support"),
    Category(name="health_fitness", name_zh="医疗健身", name_en="Health & fitness"),
    Category(name="science", name_zh="科学普及", name_en="Science popularisation"),
    Category(name="legal", name_zh="法律服务", name_en="Legal services"),
    Category(name="hygiene_environment", name_zh="卫生环保", name_en="Hygiene & environment"),
    Category(
        name="help_in_difficulty", name_zh="扶弱帮困", name_en="Help for people in difficulty"
    ),
    Category(name="emergency_rescue", name_zh="应急救护", name_en="Emergency rescue training"),
)

#: Key populations (重点人群) the seed names or implies.
AUDIENCES = (
    Audience(name="residents", name_zh="社区居民", name_en="Residents (general public)"),
    Audience(name="minors", name_zh="未成年人", name_en="Minors"),
    Audience(name="families_with_children", name_zh="亲子家庭", name_en="Families with children"),
    Audience(name="elderly", name_zh="老年人", name_en="Elderly people"),
    Audience(name="migrant_workers", name_zh="来苏务工人员", name_en="Migrant workers"),
    Audience(
        name="children_of_migrant_workers",
        name_zh="来苏务工人员子女",
        name_en="Children of migrant workers",
    ),
    Audience(
        name="new_employment",
        name_zh="新就业群体",
        name_en="New-employment groups (delivery riders, ride-hailing drivers)",
    ),
    Audience(name="drivers", name_zh="驾乘人员", name_en="Drivers and passengers"),
    Audience(name="people_in_difficulty", name_zh="困难群众", name_en="People in difficulty"),
    Audience(name="people_with_disabilities", name_zh="残疾人", name_en="People with disabilities"),
    Audience(
        name="military_families",
        name_zh="退役军人及军属",
        name_en="Veterans and military families",
    ),
    Audience(name="tourists", name_zh="游客", name_en="Visitors and tourists"),
)

RULE_KINDS = (
    RuleKind(
        name="category",
        params=p.CategoryParams,
        impl="wenming.matching.kinds:CategoryKind",
        description="The resource offers the demand's service category.",
    ),
    RuleKind(
        name="tags",
        params=p.TagsParams,
        impl="wenming.matching.kinds:TagsKind",
        description="Share of the demand's tags the resource carries.",
    ),
    RuleKind(
        name="audience",
        params=p.AudienceParams,
        impl="wenming.matching.kinds:AudienceKind",
        description="The resource serves the demand's key populations.",
    ),
    RuleKind(
        name="distance",
        params=p.DistanceParams,
        impl="wenming.matching.kinds:DistanceKind",
        description="Within reach of the demand's place; closer scores higher.",
    ),
    RuleKind(
        name="capacity",
        params=p.CapacityParams,
        impl="wenming.matching.kinds:CapacityKind",
        description="The headcount fits the resource's capacity; a snug fit scores higher.",
    ),
    RuleKind(
        name="time",
        params=p.TimeParams,
        impl="wenming.matching.kinds:TimeKind",
        description="The demand's time window falls in the resource's season.",
    ),
    RuleKind(
        name="reputation",
        params=p.ReputationParams,
        impl="wenming.matching.kinds:ReputationKind",
        description="Mean evaluation of past services, shrunk towards a prior.",
    ),
    RuleKind(
        name="fairness",
        params=p.FairnessParams,
        impl="wenming.matching.kinds:FairnessKind",
        description="Fewer open dispatches score higher, spreading work across teams.",
    ),
)

#: Default rules judging every resource; deployments re-weight them by ID.
RULES = (
    Rule(name="category", kind="category", mode="both", weight=3.0),
    Rule(name="distance", kind="distance", mode="both", weight=2.0),
    Rule(name="capacity", kind="capacity", mode="both", weight=1.0),
    Rule(name="time", kind="time", mode="filter", weight=1.0),
    Rule(name="audience", kind="audience", mode="score", weight=1.0),
    Rule(name="tags", kind="tags", mode="score", weight=1.0),
    Rule(name="reputation", kind="reputation", mode="score", weight=1.0),
    Rule(name="fairness", kind="fairness", mode="score", weight=0.5),
)


@hookimpl
def register_site_types(register):
    for record in SITE_TYPES:
        register(record)


@hookimpl
def register_categories(register):
    for record in CATEGORIES:
        register(record)


@hookimpl
def register_audiences(register):
    for record in AUDIENCES:
        register(record)


@hookimpl
def register_rule_kinds(register):
    for record in RULE_KINDS:
        register(record)


@hookimpl
def register_rules(register):
    for record in RULES:
        register(record)


def _count_events(deployment, connection, events):
    """Move the leaderboard counters with the events (see :mod:`wenming.reports`)."""
    from wenming.reports.counters import counters_of

    counters_of(deployment).apply(connection, events)


@hookimpl
def register_event_observers(register):
    register(_count_events)
