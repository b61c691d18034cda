"""Housing and Urban-Rural Development Bureau (市住建局): practice on building sites and in estates.

The seed: "市住建部门把文明实践做到工地上，在建筑工人集宿区内建设'助建驿站'，打造了服务工友、
辐射周边群众的'流动实践点'" and "市住建行业依托物业服务在住区文明实践站设立'全龄宜居'实践点，
开展'社区+物业+养老'志愿服务模式，积极打造'住苏州 建宜居'特色品牌" — builders' stations in
workers' dormitories, mobile points on construction sites, all-age livable points run with
property managers, and the community + property + elderly-care model. With health, the
bureau's property staff become the estates' first responders ("健康住区 物业护航", a joint
template registered by the ``health`` plugin; this plugin supplies its housing part).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from wenming import API_VERSION, contributes
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
    code="housing",
    name_zh="苏州市住房和城乡建设局",
    name_en="Suzhou Housing and Urban-Rural Development Bureau",
    subcenter_zh="住建行业新时代文明实践分中心",
    subcenter_en="Housing and construction practice sub-center",
    corps_zh="住建志愿服务总队",
    corps_en="Housing and construction volunteer corps",
    description=(
        "Construction sites, builders' dormitories and property-managed estates; "
        "brand 住苏州 建宜居 (Live in Suzhou, build a livable city)."
    ),
)

AUDIENCES = (
    Audience(
        name="construction_workers",
        name_zh="建筑工人（工友）",
        name_en="Construction workers",
        description="Workers living in site dormitories (集宿区), most of them from out of town.",
    ),
    Audience(
        name="property_staff",
        name_zh="物业服务人员",
        name_en="Property management staff",
        description="Caretakers, guards and managers of residential estates.",
    ),
)

SITE_TYPES = (
    SiteType(
        name="builders_station",
        name_zh="助建驿站",
        name_en="Builders' station",
        level="practice_point",
        description="A practice point in a construction workers' dormitory area (建筑工人集宿区).",
    ),
    SiteType(
        name="site_mobile_point",
        name_zh="工地流动实践点",
        name_en="Construction-site mobile practice point",
        level="practice_point",
        description="A point that moves with a construction project, serving workers and neighbours.",
    ),
    SiteType(
        name="all_age_livable_point",
        name_zh="“全龄宜居”实践点",
        name_en="All-age livable practice point",
        level="practice_point",
        description="A point in a residential station, run with the estate's property manager.",
    ),
    SiteType(
        name="builders_training_base",
        name_zh="建筑产业工人培训基地",
        name_en="Construction workers' training base",
        level="practice_point",
        description="Where site workers take safety and skills courses.",
    ),
)

TEMPLATES = (
    Template(
        name="community_property_elderly_care",
        name_zh="“社区+物业+养老”志愿服务",
        name_en="Community + property + elderly care volunteer service",
        category="help_in_difficulty",
        audiences=("elderly", "residents"),
        benefit_type="targeted",
        duration_hours=2.0,
        capacity=20,
        site_types=("all_age_livable_point", "station"),
        skills=("property_management", "elderly_care"),
        team_kinds=("property_volunteers",),
        tags=("elderly_care", "property_service", "home_visit", "all_age_livable"),
        seed=True,
        description=(
            "Property staff, the community and elderly-care volunteers visit and help older "
            "residents of the estate: the seed's 社区+物业+养老 model."
        ),
    ),
    Template(
        name="builders_station_care",
        name_zh="助建驿站暖心服务日",
        name_en="Builders' station care day",
        category="help_in_difficulty",
        audiences=("construction_workers", "migrant_workers"),
        benefit_type="targeted",
        duration_hours=3.0,
        capacity=80,
        site_types=("builders_station", "site_mobile_point"),
        skills=("health_check", "barbering", "legal_advice"),
        team_kinds=("housing_corps",),
        tags=("construction_workers", "worker_care", "health_check", "wage_rights"),
        description="Haircuts, health checks and wage-rights advice for workers after their shift.",
    ),
    Template(
        name="site_policy_talk",
        name_zh="工地政策宣讲",
        name_en="Policy talk on the building site",
        category="theory_policy",
        audiences=("construction_workers", "migrant_workers"),
        benefit_type="universal",
        duration_hours=1.0,
        capacity=60,
        site_types=("site_mobile_point", "builders_station", "builders_training_base"),
        skills=("public_speaking", "labour_policy"),
        team_kinds=("housing_corps",),
        tags=("policy_talk", "wage_rights", "social_insurance", "construction_workers"),
        description=(
            "Employment, wages, social insurance and schooling for workers' children, "
            "explained where workers live and work."
        ),
    ),
    Template(
        name="summer_cooling",
        name_zh="夏日送清凉进工地",
        name_en="Summer cool-down on building sites",
        category="health_fitness",
        audiences=("construction_workers",),
        benefit_type="targeted",
        duration_hours=2.0,
        capacity=100,
        months=(7, 8),
        site_types=("site_mobile_point", "builders_station"),
        skills=("heatstroke_prevention", "health_check"),
        team_kinds=("housing_corps", "medical_volunteers"),
        tags=("heat_safety", "health_check", "construction_workers"),
        description="Cool drinks, heatstroke checks and shade breaks in the hottest weeks.",
    ),
    Template(
        name="age_friendly_home_check",
        name_zh="适老化居家安全上门指导",
        name_en="Age-friendly home safety visit",
        category="help_in_difficulty",
        audiences=("elderly", "people_with_disabilities"),
        benefit_type="targeted",
        duration_hours=2.0,
        capacity=6,
        site_types=("all_age_livable_point", "station"),
        skills=("home_safety_inspection", "building_engineering"),
        team_kinds=("engineering_volunteers",),
        tags=("home_safety", "aging_friendly", "elderly_care", "home_repair"),
        description=(
            "Engineers check stairs, bathrooms, gas and wiring in older people's homes and "
            "advise on grab bars and ramps."
        ),
    ),
)

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="住建志愿服务总队",
        name_en="Housing and construction volunteer corps",
        place="3205",
        categories=("help_in_difficulty", "theory_policy", "health_fitness"),
        audiences=("construction_workers", "migrant_workers", "elderly", "residents"),
        skills=("public_speaking", "labour_policy", "health_check", "home_safety_inspection"),
        tags=("construction_workers", "wage_rights", "policy_talk", "home_safety"),
        capacity=80,
        members=400,
        description="The department's hub corps (枢纽型总队).",
    ),
    Resource(
        name="property_first_responders",
        kind="team",
        name_zh="物业“第一救护人”志愿队",
        name_en="Property staff first-responder team",
        place="3205",
        categories=("emergency_rescue", "help_in_difficulty", "health_fitness"),
        audiences=("residents", "elderly"),
        skills=("property_management", "first_aid", "cpr"),
        tags=(
            "first_responder",
            "first_aid",
            "cpr",
            "aed",
            "property_service",
            "residential_estate",
        ),
        capacity=30,
        members=600,
        description=(
            "Property staff trained by health's first-aid teams: the 24-hour first responders "
            "(第一救护人) of 健康住区 物业护航, who also teach residents."
        ),
    ),
    Resource(
        name="property_elderly_care",
        kind="project",
        name_zh="“社区+物业+养老”志愿服务",
        name_en="Community + property + elderly care volunteer service",
        place="3205",
        template="community_property_elderly_care",
        categories=("help_in_difficulty",),
        audiences=("elderly", "residents"),
        skills=("property_management", "elderly_care"),
        tags=("elderly_care", "property_service", "home_visit", "all_age_livable"),
        capacity=20,
        description="Seed project, run from all-age livable points across the city.",
    ),
    Resource(
        name="builders_station_high_speed_rail_city",
        kind="venue",
        name_zh="助建驿站（苏州高铁新城建筑工人集宿区）",
        name_en="Builders' station, Suzhou High-Speed Rail New Town workers' dormitories",
        place="320507402",
        site_type="builders_station",
        categories=("help_in_difficulty", "theory_policy", "health_fitness"),
        audiences=("construction_workers", "migrant_workers", "residents"),
        tags=("construction_workers", "worker_care", "health_check"),
        capacity=80,
        description="A builders' station serving workers and, beyond the fence, the neighbours.",
    ),
    Resource(
        name="site_mobile_point_weiting",
        kind="venue",
        name_zh="工地流动实践点（工业园区唯亭街道）",
        name_en="Construction-site mobile point, Weiting, Suzhou Industrial Park",
        place="320576052",
        site_type="site_mobile_point",
        categories=("theory_policy", "health_fitness"),
        audiences=("construction_workers", "migrant_workers"),
        tags=("construction_workers", "policy_talk", "heat_safety"),
        capacity=60,
        description="Moves with the project; a container room on site with seats for 60.",
    ),
    Resource(
        name="all_age_livable_shuangta",
        kind="venue",
        name_zh="“全龄宜居”实践点（姑苏区双塔街道）",
        name_en="All-age livable point, Shuangta subdistrict, Gusu",
        place="320508021",
        site_type="all_age_livable_point",
        categories=("help_in_difficulty", "health_fitness"),
        audiences=("elderly", "residents", "families_with_children"),
        tags=("elderly_care", "property_service", "all_age_livable"),
        capacity=30,
        description="In an old-town estate's property service centre, next to the community station.",
    ),
)

RULES = (
    Rule(
        name="builders_first",
        kind="audience",
        mode="score",
        weight=0.13,
        params={"audiences": ["housing.construction_workers", "core.migrant_workers"]},
        description=(
            "The bureau's stations and teams exist for the builders: a demand for "
            "construction or migrant workers scores higher on housing resources that serve them."
        ),
    ),
    Rule(
        name="walk_to_the_point",
        kind="distance",
        mode="both",
        weight=0.06,
        params={"reach_km": 2.0, "decay_km": 0.8},
        scope=RuleScope(departments=("housing",), resource_kinds=("venue",)),
        description=(
            "A builders' station or an estate's point serves people who walk there after "
            "work: housing venues only take demands within 2 km."
        ),
    ),
    Rule(
        name="trusted_home_visits",
        kind="reputation",
        mode="filter",
        weight=1.0,
        params={"minimum": 3.5},
        scope=RuleScope(departments=("housing",), categories=("help_in_difficulty",)),
        description=(
            "Help that enters older people's homes goes only to housing resources whose "
            "evaluations average at least 3.5 of 5 (shrunk towards the prior)."
        ),
    ),
)

SETTINGS = (
    Setting(
        name="first_responders_per_estate",
        type="int",
        default=5,
        minimum=1,
        maximum=50,
        description=(
            "Trained property staff an estate keeps on its 24-hour first-responder roster "
            "(健康住区 物业护航)."
        ),
    ),
    Setting(
        name="heat_alert_celsius",
        type="float",
        default=35.0,
        minimum=30.0,
        maximum=42.0,
        description="Forecast maximum (°C) from which summer cool-down visits go to every site.",
    ),
)


def first_responders_needed(registry: Registry, estates: int, on_roster: int = 0) -> int:
    """Property staff still to train so ``estates`` estates each keep a full roster.

    The roster size is the deployment's ``first_responders_per_estate``; a city
    dispatcher uses it to size health's first-aid classes for the housing part.
    """
    if estates < 0 or on_roster < 0:
        raise ValueError(f"estates and on_roster must be ≥ 0, got {estates} and {on_roster}")
    per_estate = registry.setting("housing", "first_responders_per_estate")
    return max(0, estates * per_estate - on_roster)


def heat_alert(registry: Registry, forecast_max_celsius: float) -> bool:
    """Whether a forecast is hot enough to send cool-down visits to every site."""
    if math.isnan(forecast_max_celsius):
        raise ValueError("forecast_max_celsius is NaN")
    return forecast_max_celsius >= registry.setting("housing", "heat_alert_celsius")


register_department = contributes(
    DEPARTMENT, doc="The Housing and Urban-Rural Development Bureau, its sub-center and hub corps."
)


register_audiences = contributes(
    AUDIENCES, doc="Construction workers and property staff, the bureau's own key populations."
)


register_site_types = contributes(
    SITE_TYPES,
    doc="Builders' stations, construction-site mobile points, all-age livable points, training bases.",
)


register_templates = contributes(
    TEMPLATES, doc="The seed's 社区+物业+养老 model and four realistic projects."
)


register_resources = contributes(
    RESOURCES,
    doc="The hub corps, the property first responders, the seed project and three points.",
)


register_rules = contributes(RULES, doc="How housing decides who it serves.")


register_settings = contributes(SETTINGS, doc="Housing's typed settings.")


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "housing",
            "住房城乡建设",
            "Housing and construction",
            "住建 住建局 裂缝 房屋裂缝 农房 建房 业委会 公租房 无障碍 防滑 夜校 工友 安全帽 暖心服务 电梯",
        ),
        (
            "aging_friendly",
            "适老化改造",
            "Ageing-friendly homes",
            "适老化 加装电梯 无障碍改造 扶手",
        ),
        ("all_age_livable", "全龄友好", "Homes for all ages", "全龄友好社区 宜居"),
        ("barbering", "义剪", "Free haircuts", "理发 剪头发 免费理发"),
        (
            "building_engineering",
            "建筑工程",
            "Building engineering",
            "房屋安全 房屋 建筑 住房 老旧小区 老旧小区改造 房屋鉴定",
        ),
        ("construction_workers", "建筑工人", "Construction workers", "工地 工友 建筑工地 农民工"),
        ("heat_safety", "高温作业安全", "Heat safety", "高温作业"),
        ("heatstroke_prevention", "防中暑", "Heatstroke prevention", "中暑 防暑 高温防护"),
        ("social_insurance", "社保", "Social insurance", "社会保险 医保 养老保险 工伤保险"),
        ("wage_rights", "工资权益", "Wage rights", "工资保障 按时发工资"),
        ("worker_care", "关爱工友", "Care for workers", "工友关爱 关爱劳动者 慰问工人"),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
