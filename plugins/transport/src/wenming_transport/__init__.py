"""Transport Bureau (市交通运输局): practice for the people who keep the city moving.

The seed: "市交通运输局整合轨道交通、公交、客运、出租车、网约车、物流等子行业成立了交通行业文明
实践联盟，将文明实践触角延伸到新业态、新就业群体中……通过打造'司机之家''暖蜂驿站'等交通特色
文明实践点，提供健康义诊、技能提升培训等服务，同时积极引导新就业群体参与志愿服务活动，开展城市
环境体检'随手拍'、弱势群体'帮采买'等志愿服务项目", and the theory talks "交通别样红". Drivers
and delivery riders are both served (clinics, training) and serve (city check, shopping help).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from wenming import API_VERSION, contributes
from wenming.errors import ConfigError
from wenming.records import (
    Audience,
    Department,
    Resource,
    Rule,
    RuleScope,
    Setting,
    SiteType,
    Template,
    tag_table,
)

if TYPE_CHECKING:
    from wenming.registry import Registry

WENMING_API = API_VERSION

DEPARTMENT = Department(
    code="transport",
    name_zh="苏州市交通运输局",
    name_en="Suzhou Transport Bureau",
    subcenter_zh="交通运输行业新时代文明实践分中心",
    subcenter_en="Transport practice sub-center",
    corps_zh="交通运输志愿服务总队",
    corps_en="Transport volunteer corps",
    description=(
        "Rail, bus, coach, taxi, ride-hailing and logistics, joined in the transport "
        "practice alliance (交通行业文明实践联盟)."
    ),
)

AUDIENCES = (
    Audience(
        name="delivery_riders",
        name_zh="外卖快递小哥",
        name_en="Delivery riders and couriers",
        description="Food-delivery riders and parcel couriers (新就业群体).",
    ),
    Audience(
        name="professional_drivers",
        name_zh="职业驾驶员",
        name_en="Professional drivers",
        description="Bus, coach, taxi, ride-hailing and truck drivers.",
    ),
)

SITE_TYPES = (
    SiteType(
        name="drivers_home",
        name_zh="司机之家",
        name_en="Drivers' home",
        level="practice_point",
        description="Rest, showers and meals for truck, coach and ride-hailing drivers.",
    ),
    SiteType(
        name="warm_bee_station",
        name_zh="暖蜂驿站",
        name_en="Warm-bee station",
        level="practice_point",
        description="A rest stop for delivery riders: water, charging, a microwave, a first-aid kit.",
    ),
    SiteType(
        name="transit_hub_point",
        name_zh="交通枢纽文明实践点",
        name_en="Transit hub practice point",
        level="practice_point",
        description="A point in a rail, bus or coach station.",
    ),
    SiteType(
        name="logistics_park_point",
        name_zh="物流园区文明实践点",
        name_en="Logistics park practice point",
        level="practice_point",
        description="A point in a logistics park where couriers and truck drivers gather.",
    ),
)

TEMPLATES = (
    Template(
        name="free_clinic",
        name_zh="健康义诊",
        name_en="Free health clinic",
        category="health_fitness",
        audiences=("delivery_riders", "professional_drivers", "new_employment", "drivers"),
        benefit_type="targeted",
        duration_hours=2.0,
        capacity=50,
        site_types=("drivers_home", "warm_bee_station", "logistics_park_point"),
        skills=("medical_check",),
        team_kinds=("medical_volunteers",),
        tags=("free_clinic", "health_check", "new_employment"),
        seed=True,
        description="Blood pressure, eyesight and back checks for drivers and riders between jobs.",
    ),
    Template(
        name="skills_training",
        name_zh="技能提升培训",
        name_en="Skills upgrade training",
        category="education_support",
        audiences=("new_employment", "delivery_riders", "professional_drivers"),
        benefit_type="universal",
        duration_hours=2.0,
        capacity=40,
        site_types=("drivers_home", "warm_bee_station", "transit_hub_point"),
        skills=("vocational_training",),
        team_kinds=("trainers",),
        tags=("skills_training", "new_employment", "road_safety"),
        seed=True,
        description="Safe riding, customer service, smartphone tools and licence upgrades.",
    ),
    Template(
        name="snapshot_city_check",
        name_zh="城市环境体检“随手拍”",
        name_en="Snapshot city check",
        category="hygiene_environment",
        audiences=("residents",),
        benefit_type="mutual",
        duration_hours=1.0,
        capacity=200,
        site_types=("warm_bee_station", "drivers_home"),
        skills=("smartphone_reporting",),
        team_kinds=("new_employment_volunteers",),
        tags=("city_check", "snapshot", "environment", "new_employment_volunteers"),
        seed=True,
        description=(
            "Riders and drivers photograph broken facilities, litter and hazards on their "
            "rounds and report them to the city."
        ),
    ),
    Template(
        name="shopping_help",
        name_zh="弱势群体“帮采买”",
        name_en="Shopping help for vulnerable people",
        category="help_in_difficulty",
        audiences=("elderly", "people_with_disabilities", "people_in_difficulty"),
        benefit_type="targeted",
        duration_hours=1.5,
        capacity=10,
        site_types=("warm_bee_station", "station"),
        skills=("delivery",),
        team_kinds=("new_employment_volunteers",),
        tags=("shopping_help", "delivery", "elderly_care", "vulnerable_groups"),
        seed=True,
        description="Delivery riders buy and bring daily necessities for people who cannot go out.",
    ),
    Template(
        name="transport_red_talks",
        name_zh="交通别样红",
        name_en="Transport in a different red",
        category="theory_policy",
        audiences=("professional_drivers", "new_employment", "residents"),
        benefit_type="universal",
        duration_hours=1.0,
        capacity=80,
        site_types=("transit_hub_point", "drivers_home", "station"),
        skills=("public_speaking",),
        team_kinds=("party_member_volunteers",),
        tags=("policy_talk", "party_history", "transport_stories"),
        seed=True,
        description="Theory and policy talks told through the stories of transport workers.",
    ),
    Template(
        name="road_safety_class",
        name_zh="交通安全进校园",
        name_en="Road safety class for pupils",
        category="education_support",
        audiences=("minors",),
        benefit_type="universal",
        duration_hours=1.0,
        capacity=60,
        months=(3, 4, 5, 6, 9, 10, 11, 12),
        site_types=("station", "transit_hub_point"),
        skills=("road_safety",),
        team_kinds=("trainers",),
        tags=("road_safety", "children"),
        description="Bus drivers show pupils blind spots, crossings and safe riding in term time.",
    ),
)

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="交通运输志愿服务总队",
        name_en="Transport volunteer corps",
        place="3205",
        categories=("health_fitness", "education_support", "theory_policy", "help_in_difficulty"),
        audiences=(
            "new_employment",
            "delivery_riders",
            "professional_drivers",
            "drivers",
            "residents",
        ),
        skills=("public_speaking", "vocational_training", "road_safety", "medical_check"),
        tags=("new_employment", "road_safety", "policy_talk", "skills_training"),
        capacity=80,
        members=500,
        description="The department's hub corps (枢纽型总队).",
    ),
    Resource(
        name="practice_alliance",
        kind="team",
        name_zh="交通行业文明实践联盟",
        name_en="Transport practice alliance",
        place="3205",
        categories=("hygiene_environment", "help_in_difficulty", "theory_policy"),
        audiences=("new_employment", "delivery_riders", "professional_drivers", "residents"),
        skills=("smartphone_reporting", "delivery", "public_speaking"),
        tags=("new_employment_volunteers", "city_check", "shopping_help", "transport_stories"),
        capacity=200,
        members=3000,
        description=(
            "Seed alliance of rail, bus, coach, taxi, ride-hailing and logistics companies "
            "whose drivers and riders volunteer."
        ),
    ),
    Resource(
        name="snapshot_city_check",
        kind="project",
        name_zh="城市环境体检“随手拍”",
        name_en="Snapshot city check",
        place="3205",
        template="snapshot_city_check",
        categories=("hygiene_environment",),
        audiences=("residents",),
        skills=("smartphone_reporting",),
        tags=("city_check", "snapshot", "environment", "new_employment_volunteers"),
        capacity=200,
        description="Seed project of the transport alliance.",
    ),
    Resource(
        name="shopping_help",
        kind="project",
        name_zh="弱势群体“帮采买”",
        name_en="Shopping help for vulnerable people",
        place="3205",
        template="shopping_help",
        categories=("help_in_difficulty",),
        audiences=("elderly", "people_with_disabilities", "people_in_difficulty"),
        skills=("delivery",),
        tags=("shopping_help", "delivery", "elderly_care", "vulnerable_groups"),
        capacity=10,
        description="Seed project: riders shop for people who cannot go out.",
    ),
    Resource(
        name="transport_red_talks",
        kind="project",
        name_zh="交通别样红",
        name_en="Transport in a different red",
        place="3205",
        template="transport_red_talks",
        categories=("theory_policy",),
        audiences=("professional_drivers", "new_employment", "residents"),
        skills=("public_speaking",),
        tags=("policy_talk", "party_history", "transport_stories"),
        capacity=80,
        description="Seed theory-talk project, delivered to centers, institutes and stations.",
    ),
    Resource(
        name="drivers_home_high_speed_rail_city",
        kind="venue",
        name_zh="司机之家（苏州高铁新城）",
        name_en="Drivers' home, Suzhou High-Speed Rail New Town",
        place="320507402",
        site_type="drivers_home",
        categories=("health_fitness", "education_support"),
        audiences=("professional_drivers", "drivers", "new_employment"),
        tags=("free_clinic", "health_check", "skills_training"),
        capacity=40,
        description="By the Suzhou North station taxi and ride-hailing pool.",
    ),
    Resource(
        name="warm_bee_station_jinchang",
        kind="venue",
        name_zh="暖蜂驿站（姑苏区金阊街道）",
        name_en="Warm-bee station, Jinchang subdistrict, Gusu",
        place="320508019",
        site_type="warm_bee_station",
        categories=("health_fitness", "help_in_difficulty", "hygiene_environment"),
        audiences=("delivery_riders", "new_employment"),
        tags=("free_clinic", "health_check", "shopping_help", "city_check"),
        capacity=25,
        description="A rest stop for riders in the old town, also the base of shopping-help rounds.",
    ),
    Resource(
        name="warm_bee_station_jinji_lake",
        kind="venue",
        name_zh="暖蜂驿站（工业园区金鸡湖街道）",
        name_en="Warm-bee station, Jinji Lake subdistrict, Suzhou Industrial Park",
        place="320576054",
        site_type="warm_bee_station",
        categories=("health_fitness", "education_support"),
        audiences=("delivery_riders", "new_employment"),
        tags=("free_clinic", "health_check", "skills_training"),
        capacity=30,
        description="Next to a cluster of office towers with heavy lunch-time delivery traffic.",
    ),
)

RULES = (
    Rule(
        name="new_employment_first",
        kind="audience",
        mode="score",
        weight=0.11,
        params={
            "audiences": [
                "core.new_employment",
                "core.drivers",
                "transport.delivery_riders",
                "transport.professional_drivers",
            ]
        },
        description=(
            "Transport's stations and teams were built for the new-employment groups: a demand "
            "for delivery riders or drivers scores higher on transport resources serving them."
        ),
    ),
    Rule(
        name="near_our_stations",
        kind="distance",
        mode="both",
        weight=0.08,
        params={"reach_km": 3.0, "decay_km": 1.5},
        scope=RuleScope(departments=("transport",), resource_kinds=("venue",)),
        description=(
            "A rider stops at a station on the round and a driver at the rank: transport "
            "venues serve demands within 3 km, the nearer the better."
        ),
    ),
    Rule(
        name="road_safety_in_term",
        kind="time",
        mode="filter",
        params={"months": [3, 4, 5, 6, 9, 10, 11, 12]},
        scope=RuleScope(templates=("road_safety_class",)),
        description="Road-safety classes run with the schools, in term time only.",
    ),
)

SETTINGS = (
    Setting(
        name="rider_peak_hours",
        type="list",
        default=[11, 12, 17, 18],
        description=(
            "Hours of the day (0–23) when delivery riders are at peak duty; activities for "
            "riders are scheduled outside them."
        ),
    ),
    Setting(
        name="checks_per_doctor",
        type="int",
        default=25,
        minimum=5,
        maximum=100,
        description="People one volunteer doctor checks in a two-hour free clinic.",
    ),
)


def rider_friendly(registry: Registry, hour: int) -> bool:
    """Whether an activity for riders may start at ``hour`` (not in the peak hours)."""
    if not 0 <= hour <= 23:
        raise ValueError(f"hour must be 0–23, got {hour!r}")
    peak = registry.setting("transport", "rider_peak_hours")
    bad = [h for h in peak if isinstance(h, bool) or not isinstance(h, int) or not 0 <= h <= 23]
    if bad:
        raise ConfigError(f"settings.transport.rider_peak_hours: hours must be 0–23, got {bad!r}")
    return hour not in peak


def doctors_needed(registry: Registry, headcount: int) -> int:
    """Volunteer doctors a free clinic for ``headcount`` drivers or riders needs."""
    if headcount < 0:
        raise ValueError(f"headcount must be ≥ 0, got {headcount}")
    return math.ceil(headcount / registry.setting("transport", "checks_per_doctor"))


register_department = contributes(
    DEPARTMENT, doc="The Transport Bureau, its sub-center and hub corps."
)


register_audiences = contributes(AUDIENCES, doc="Delivery riders and professional drivers.")


register_site_types = contributes(
    SITE_TYPES, doc="Drivers' homes, warm-bee stations, transit hubs and logistics parks."
)


register_templates = contributes(TEMPLATES, doc="The seed's five projects and a road-safety class.")


register_resources = contributes(
    RESOURCES, doc="The hub corps, the practice alliance, the seed projects and three stations."
)


register_rules = contributes(RULES, doc="How transport decides who it serves.")


register_settings = contributes(SETTINGS, doc="Transport's typed settings.")


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "transport",
            "交通运输",
            "Transport",
            "交通局 网约车 乘车 电动自行车 头盔 快递 外卖 骑行 公交线路 地铁 暖蜂驿站 帮采买 出行 司乘 客运",
        ),
        ("children", "儿童", "Children", "小朋友 孩子 学生 小学生"),
        ("city_check", "城市体检", "City check", "市容巡查"),
        ("medical_check", "体检服务", "Medical checks", "职业体检"),
        (
            "new_employment",
            "新就业群体",
            "New-employment groups",
            "外卖骑手 快递小哥 快递员 网约车司机 骑手 外卖员 货车司机",
        ),
        (
            "new_employment_volunteers",
            "新就业群体志愿者",
            "New-employment volunteers",
            "骑手志愿者 小哥志愿者",
        ),
        (
            "road_safety",
            "交通安全",
            "Road safety",
            "交通安全教育 文明交通 交通安全知识 交规 安全出行 文明出行 电动车安全 骑行安全 戴头盔 交通",
        ),
        ("shopping_help", "代买代办", "Shopping help", "跑腿 代购 帮买菜"),
        ("skills_training", "技能培训", "Skills training", "职业技能 技能提升"),
        ("smartphone_reporting", "随手拍", "Snapshot reporting", "随手拍举报 手机随手拍"),
        ("snapshot", "随手拍问题", "Snapshots", "拍照反映"),
        ("transport_stories", "交通故事", "Transport stories", "运河故事 交通文化"),
        ("vocational_training", "职业培训", "Vocational training", "就业培训 职业教育"),
        (
            "vulnerable_groups",
            "困难群体出行",
            "Vulnerable travellers",
            "爱心出行 无障碍出行 爱心送考 出行困难",
        ),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
