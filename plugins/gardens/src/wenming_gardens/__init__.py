"""Administration of Gardens and Greening (市园林和绿化管理局): nature education in green places.

The seed: "市园林绿化部门把文明实践做到园林景区、生态湿地、国有林场内，实施了'寻访救护野生
动植物''小学生一日林长'等志愿服务项目" and "市园林和绿化管理局设计了'湿地小科学家养成计划'……
开发了'湿地观察员''湿地调查员''湿地讲解员'等系列课程，由专业志愿者带领社区亲子家庭体验学习".
Gardens also bring their gardens to "江南美学" outdoor wedding registration (with civil
affairs) and their flower borders to "净美古城 乐游姑苏" (with urban management and culture).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from wenming import API_VERSION, contributes
from wenming.errors import ConfigError
from wenming.records import (
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
    code="gardens",
    name_zh="苏州市园林和绿化管理局",
    name_en="Suzhou Administration of Gardens and Greening",
    subcenter_zh="园林绿化行业新时代文明实践分中心",
    subcenter_en="Gardens and greening practice sub-center",
    corps_zh="园林绿化志愿服务总队",
    corps_en="Gardens and greening volunteer corps",
    description="Classical gardens, parks, wetlands, state forest farms and urban greening.",
)

SITE_TYPES = (
    SiteType(
        name="scenic_garden",
        name_zh="园林景区文明实践点",
        name_en="Scenic garden practice point",
        level="practice_point",
        description="A classical garden or scenic area (园林景区).",
    ),
    SiteType(
        name="wetland",
        name_zh="生态湿地文明实践点",
        name_en="Wetland practice point",
        level="practice_point",
        description="A wetland park or reserve (生态湿地) with a nature-education room.",
    ),
    SiteType(
        name="state_forest_farm",
        name_zh="国有林场文明实践点",
        name_en="State forest farm practice point",
        level="practice_point",
        description="A state-owned forest farm (国有林场) open for forestry and wildlife outings.",
    ),
    SiteType(
        name="wildlife_rescue_station",
        name_zh="野生动植物救护站",
        name_en="Wildlife rescue station",
        level="practice_point",
        description="Where injured wild animals and rescued plants are cared for and released.",
    ),
)

NATURE_TAGS = ("nature_education", "biodiversity", "ecology")

TEMPLATES = (
    Template(
        name="wildlife_search_and_rescue",
        service_mode="destination",
        travel_km=30.0,
        name_zh="寻访救护野生动植物",
        name_en="Seeking out and rescuing wild animals and plants",
        category="science",
        audiences=("minors", "families_with_children", "residents"),
        benefit_type="universal",
        duration_hours=3.0,
        capacity=30,
        site_types=("state_forest_farm", "wetland", "wildlife_rescue_station"),
        skills=("wildlife_rescue", "species_identification"),
        team_kinds=("nature_volunteers",),
        tags=(*NATURE_TAGS, "wildlife"),
        seed=True,
        description=(
            "Young people survey wild species with rangers and learn how injured animals "
            "and endangered plants are rescued."
        ),
    ),
    Template(
        name="forest_chief_for_a_day",
        service_mode="destination",
        travel_km=30.0,
        name_zh="小学生一日林长",
        name_en="Forest chief for a day (primary pupils)",
        category="science",
        audiences=("minors", "families_with_children"),
        benefit_type="universal",
        duration_hours=4.0,
        capacity=30,
        site_types=("state_forest_farm", "scenic_garden"),
        skills=("forestry", "nature_interpretation"),
        team_kinds=("nature_volunteers",),
        tags=(*NATURE_TAGS, "forest", "forest_chief"),
        seed=True,
        description="Pupils patrol a forest with its forest chief (林长): fire watch, pests, planting.",
    ),
    Template(
        name="wetland_young_scientists",
        service_mode="destination",
        travel_km=30.0,
        name_zh="湿地小科学家养成计划",
        name_en="Wetland young scientists programme",
        category="science",
        audiences=("families_with_children", "minors"),
        benefit_type="universal",
        duration_hours=2.5,
        capacity=20,
        months=(3, 4, 5, 6, 9, 10, 11),
        site_types=("wetland",),
        skills=("wetland_survey", "nature_interpretation"),
        team_kinds=("nature_volunteers",),
        tags=(*NATURE_TAGS, "wetland", "parent_child"),
        seed=True,
        description=(
            "Professional volunteers lead community parent-child families from observing a "
            "wetland to surveying it and explaining it to others."
        ),
    ),
    Template(
        name="wetland_observer",
        service_mode="destination",
        travel_km=30.0,
        name_zh="湿地观察员",
        name_en="Wetland observer course",
        category="science",
        audiences=("families_with_children", "minors"),
        benefit_type="universal",
        duration_hours=2.0,
        capacity=20,
        months=(3, 4, 5, 6, 9, 10, 11),
        site_types=("wetland",),
        skills=("nature_interpretation",),
        team_kinds=("nature_volunteers",),
        tags=(*NATURE_TAGS, "wetland", "parent_child", "birdwatching"),
        seed=True,
        description="First course of the programme: watch birds, plants and water with binoculars.",
    ),
    Template(
        name="wetland_surveyor",
        service_mode="destination",
        travel_km=30.0,
        name_zh="湿地调查员",
        name_en="Wetland surveyor course",
        category="science",
        audiences=("families_with_children", "minors"),
        benefit_type="universal",
        duration_hours=3.0,
        capacity=15,
        months=(3, 4, 5, 6, 9, 10, 11),
        site_types=("wetland",),
        skills=("wetland_survey", "species_identification"),
        team_kinds=("nature_volunteers",),
        tags=(*NATURE_TAGS, "wetland", "parent_child", "field_survey"),
        seed=True,
        description="Second course: transects, species counts and water tests, recorded as data.",
    ),
    Template(
        name="wetland_interpreter",
        service_mode="destination",
        travel_km=30.0,
        name_zh="湿地讲解员",
        name_en="Wetland interpreter course",
        category="science",
        audiences=("families_with_children", "minors"),
        benefit_type="mutual",
        duration_hours=2.0,
        capacity=12,
        months=(3, 4, 5, 6, 9, 10, 11),
        site_types=("wetland",),
        skills=("nature_interpretation", "public_speaking"),
        team_kinds=("nature_volunteers",),
        tags=(*NATURE_TAGS, "wetland", "parent_child", "guided_tour"),
        seed=True,
        description="Third course: children guide visitors, passing on what they learnt.",
    ),
    Template(
        name="street_flower_borders",
        name_zh="街巷花境共建",
        name_en="Street flower borders with residents",
        category="hygiene_environment",
        audiences=("residents",),
        benefit_type="mutual",
        duration_hours=2.0,
        capacity=30,
        site_types=("station", "scenic_garden"),
        skills=("horticulture", "flower_border"),
        team_kinds=("greening_volunteers",),
        tags=("flower_border", "greening", "old_town", "street_beautification"),
        description=(
            "Gardeners and residents plant and tend flower borders by doorways and lanes — "
            "gardens' part of 净美古城 乐游姑苏."
        ),
    ),
    Template(
        name="garden_culture_tour",
        service_mode="destination",
        name_zh="园林文化讲解",
        name_en="Classical garden culture tour",
        category="culture_arts",
        audiences=("tourists", "residents", "minors"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=30,
        site_types=("scenic_garden",),
        skills=("garden_interpretation",),
        team_kinds=("guide_volunteers",),
        tags=("garden_culture", "jiangnan_aesthetics", "guided_tour"),
        description="Volunteer guides explain how a Suzhou garden is read: rocks, water, windows.",
    ),
    Template(
        name="tree_planting",
        service_mode="destination",
        travel_km=30.0,
        name_zh="全民义务植树",
        name_en="Voluntary tree planting",
        category="hygiene_environment",
        audiences=("residents", "families_with_children"),
        benefit_type="mutual",
        duration_hours=3.0,
        capacity=100,
        months=(3, 4),
        site_types=("state_forest_farm", "wetland"),
        skills=("forestry",),
        team_kinds=("greening_volunteers",),
        tags=("tree_planting", "greening", "parent_child"),
        description="Around Arbor Day (12 March) families plant and label saplings with foresters.",
    ),
)

_NATURE_AUDIENCES = ("minors", "families_with_children", "residents", "tourists")

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="园林绿化志愿服务总队",
        name_en="Gardens and greening volunteer corps",
        place="3205",
        categories=("science", "culture_arts", "hygiene_environment"),
        audiences=_NATURE_AUDIENCES,
        skills=("forestry", "horticulture", "garden_interpretation", "nature_interpretation"),
        tags=(*NATURE_TAGS, "greening", "garden_culture", "tree_planting"),
        capacity=60,
        members=350,
        description="The department's hub corps (枢纽型总队).",
    ),
    Resource(
        name="nature_education_team",
        kind="team",
        name_zh="园林绿化自然教育志愿服务队",
        name_en="Gardens nature-education volunteer team",
        place="3205",
        categories=("science",),
        audiences=("families_with_children", "minors"),
        skills=(
            "wetland_survey",
            "nature_interpretation",
            "species_identification",
            "wildlife_rescue",
            "forestry",
        ),
        tags=(*NATURE_TAGS, "wetland", "parent_child", "wildlife", "forest", "forest_chief"),
        capacity=30,
        members=120,
        description="Professional volunteers (rangers, ecologists) who lead the seed's courses.",
    ),
    Resource(
        name="flower_border_team",
        kind="team",
        name_zh="街巷花境志愿服务队",
        name_en="Street flower-border volunteer team",
        place="320508",
        categories=("hygiene_environment", "culture_arts"),
        audiences=("residents", "tourists"),
        skills=("horticulture", "flower_border"),
        tags=(
            "flower_border",
            "doorstep_greening",
            "greening",
            "old_town",
            "street_beautification",
        ),
        capacity=30,
        members=150,
        description=(
            "Gardeners and residents of the old town who built the 10,000+ street flower "
            "borders of 净美古城 乐游姑苏."
        ),
    ),
    Resource(
        name="wildlife_search_and_rescue",
        kind="project",
        name_zh="寻访救护野生动植物",
        name_en="Seeking out and rescuing wild animals and plants",
        place="3205",
        template="wildlife_search_and_rescue",
        categories=("science",),
        audiences=("minors", "families_with_children", "residents"),
        skills=("wildlife_rescue", "species_identification"),
        tags=(*NATURE_TAGS, "wildlife"),
        capacity=30,
        description="Seed project.",
    ),
    Resource(
        name="forest_chief_for_a_day",
        kind="project",
        name_zh="小学生一日林长",
        name_en="Forest chief for a day (primary pupils)",
        place="3205",
        template="forest_chief_for_a_day",
        categories=("science",),
        audiences=("minors", "families_with_children"),
        skills=("forestry", "nature_interpretation"),
        tags=(*NATURE_TAGS, "forest", "forest_chief"),
        capacity=30,
        description="Seed project.",
    ),
    Resource(
        name="wetland_young_scientists",
        kind="project",
        name_zh="湿地小科学家养成计划",
        name_en="Wetland young scientists programme",
        place="3205",
        template="wetland_young_scientists",
        categories=("science",),
        audiences=("families_with_children", "minors"),
        skills=("wetland_survey", "nature_interpretation"),
        tags=(*NATURE_TAGS, "wetland", "parent_child"),
        capacity=20,
        months=(3, 4, 5, 6, 9, 10, 11),
        description="Seed project, run at the city's wetland parks.",
    ),
    Resource(
        name="humble_administrators_garden",
        kind="venue",
        name_zh="拙政园",
        name_en="Humble Administrator's Garden",
        place="320508018025",
        site_type="scenic_garden",
        categories=("culture_arts", "science"),
        audiences=("tourists", "residents", "minors", "families_with_children"),
        tags=("garden", "garden_culture", "jiangnan_aesthetics", "outdoor_ceremony", "wedding"),
        capacity=60,
        description="Classical garden in Pingjiang subdistrict; a courtyard can host a small ceremony.",
    ),
    Resource(
        name="tiger_hill",
        kind="venue",
        name_zh="虎丘山风景名胜区",
        name_en="Tiger Hill scenic area",
        place="320508022031",
        site_type="scenic_garden",
        categories=("culture_arts", "science"),
        audiences=("tourists", "residents", "minors", "families_with_children"),
        tags=(
            "garden",
            "garden_culture",
            "jiangnan_aesthetics",
            "outdoor_ceremony",
            "wedding",
            "forest",
        ),
        capacity=120,
        description="Scenic area with lawns and a hill forest north-west of the old town.",
    ),
    Resource(
        name="taihu_wetland_park",
        kind="venue",
        name_zh="苏州太湖国家湿地公园",
        name_en="Suzhou Taihu National Wetland Park",
        place="320505004",
        site_type="wetland",
        categories=("science", "hygiene_environment"),
        audiences=("families_with_children", "minors", "residents", "tourists"),
        tags=(*NATURE_TAGS, "wetland", "parent_child", "birdwatching"),
        capacity=80,
        description="Wetland park in Zhenhu subdistrict on the shore of Lake Tai.",
    ),
    Resource(
        name="shajiabang_wetland",
        kind="venue",
        name_zh="沙家浜国家湿地公园",
        name_en="Shajiabang National Wetland Park",
        place="320581105",
        site_type="wetland",
        categories=("science", "hygiene_environment"),
        audiences=("families_with_children", "minors", "residents", "tourists"),
        tags=(*NATURE_TAGS, "wetland", "parent_child", "birdwatching"),
        capacity=80,
        description="Reed-marsh wetland in Shajiabang town, Changshu.",
    ),
    Resource(
        name="yushan_forest_farm",
        kind="venue",
        name_zh="常熟市虞山林场",
        name_en="Yushan state forest farm, Changshu",
        place="320581001035",
        site_type="state_forest_farm",
        categories=("science", "hygiene_environment"),
        audiences=("minors", "families_with_children", "residents"),
        tags=(*NATURE_TAGS, "forest", "forest_chief", "wildlife", "tree_planting"),
        capacity=60,
        description="State forest farm on Yushan hill (兴福 area).",
    ),
    Resource(
        name="wuzhong_forest_farm",
        kind="venue",
        name_zh="吴中区林场",
        name_en="Wuzhong district forest farm",
        place="320506401",
        site_type="state_forest_farm",
        categories=("science", "hygiene_environment"),
        audiences=("minors", "families_with_children", "residents"),
        tags=(*NATURE_TAGS, "forest", "forest_chief", "wildlife", "tree_planting"),
        capacity=60,
        description="State forest farm in the hills by Lake Tai.",
    ),
)

_NATURE_TEMPLATES = (
    "wildlife_search_and_rescue",
    "forest_chief_for_a_day",
    "wetland_young_scientists",
    "wetland_observer",
    "wetland_surveyor",
    "wetland_interpreter",
)

RULES = (
    Rule(
        name="families_in_nature",
        kind="audience",
        mode="score",
        weight=0.11,
        params={"audiences": ["core.families_with_children", "core.minors"]},
        scope=RuleScope(departments=("gardens",), categories=("science",)),
        description=(
            "Gardens' nature education is for children and their parents: a science demand "
            "for families with children scores higher on gardens' resources."
        ),
    ),
    Rule(
        name="fifteen_minute_nature",
        kind="distance",
        mode="both",
        weight=0.08,
        params={"decay_km": 2.0},
        scope=RuleScope(
            departments=("gardens",), resource_kinds=("venue",), categories=("science",)
        ),
        description=(
            "A family outing to a garden, wetland or forest farm stays within the deployment's "
            "15-minute living circle, and the nearer the better."
        ),
    ),
    Rule(
        name="wetland_seasons",
        kind="time",
        mode="filter",
        params={"months": [3, 4, 5, 6, 9, 10, 11]},
        scope=RuleScope(templates=_NATURE_TEMPLATES[2:]),
        description=(
            "Wetland courses run in spring and autumn, when birds pass through and the "
            "weather suits children — not in the summer heat or winter."
        ),
    ),
)

SETTINGS = (
    Setting(
        name="children_per_guide",
        type="int",
        default=10,
        minimum=3,
        maximum=30,
        description="Children one nature guide leads in the field (safety by water and in forests).",
    ),
    Setting(
        name="wetland_course_sequence",
        type="list",
        default=["wetland_observer", "wetland_surveyor", "wetland_interpreter"],
        description=(
            "Order of the wetland young scientists' courses (template names); a family takes "
            "the next one after finishing the previous."
        ),
    ),
)


def guides_needed(registry: Registry, children: int) -> int:
    """Nature guides an outing with ``children`` children needs (at least one)."""
    if children < 0:
        raise ValueError(f"children must be ≥ 0, got {children}")
    return max(1, math.ceil(children / registry.setting("gardens", "children_per_guide")))


def next_course(registry: Registry, completed: Iterable[str]) -> str | None:
    """The wetland course a family takes next, as a template ID, or ``None`` when done.

    ``completed`` holds template IDs or names of courses already finished; the order is
    the deployment's ``wetland_course_sequence``.
    """
    sequence = registry.setting("gardens", "wetland_course_sequence")
    unknown = [c for c in sequence if f"gardens.{c}" not in registry.templates]
    if unknown:
        raise ConfigError(
            f"settings.gardens.wetland_course_sequence: no gardens template {unknown[0]!r}"
        )
    done = {c.removeprefix("gardens.") for c in completed}
    for course in sequence:
        if course not in done:
            return f"gardens.{course}"
    return None


register_department = contributes(
    DEPARTMENT, doc="The Administration of Gardens and Greening, its sub-center and hub corps."
)


register_site_types = contributes(
    SITE_TYPES, doc="Scenic gardens, wetlands, state forest farms and wildlife rescue stations."
)


register_templates = contributes(
    TEMPLATES, doc="The seed's three projects and three courses, and three realistic ones."
)


register_resources = contributes(
    RESOURCES, doc="The hub corps, two teams, the seed projects and six green venues."
)


register_rules = contributes(RULES, doc="How gardens decide who they serve.")


register_settings = contributes(SETTINGS, doc="Gardens' typed settings.")


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "gardens",
            "园林绿化",
            "Gardens and greening",
            "园林局 绿化局 古树名木 古树 绿地 美丽庭院 认养 认养绿地 绿化养护 昆虫 植物 自然观察 公园绿地 花草树木 林业站",
        ),
        ("biodiversity", "生物多样性", "Biodiversity", "物种多样性 动植物 生物"),
        ("birdwatching", "观鸟", "Birdwatching", "看鸟 鸟类观察 候鸟 观鸟活动 鸟类"),
        ("ecology", "生态", "Ecology", "生态保护 生态文明 生态教育"),
        ("field_survey", "野外调查", "Field surveys", "野外考察 实地调查 物种调查"),
        ("forest", "森林", "Forests", "林场 山林 树林 国有林场"),
        ("forest_chief", "林长", "Forest chiefs", "一日林长 小林长 林长制"),
        ("forestry", "林业", "Forestry", "护林 森林防火 林业知识"),
        (
            "garden_culture",
            "园林文化",
            "Garden culture",
            "园林讲解 园林知识 园林艺术 拙政园 虎丘 苏州园林文化",
        ),
        ("garden_interpretation", "园林讲解员", "Garden interpretation", "园林导赏"),
        ("greening", "绿化", "Greening", "园林绿化 绿化养护 城市绿化 增绿 植绿 护绿"),
        ("nature_interpretation", "自然讲解", "Nature interpretation", "自然导赏 生态讲解"),
        (
            "species_identification",
            "物种识别",
            "Species identification",
            "认识植物 认识动物 识别植物 植物识别",
        ),
        (
            "street_beautification",
            "街巷美化",
            "Street beautification",
            "美化街巷 街道美化 美化环境",
        ),
        ("tree_planting", "植树", "Tree planting", "义务植树 种树 植树节 植树造林"),
        (
            "wetland",
            "湿地",
            "Wetlands",
            "湿地公园 湿地保护 湿地科普 湿地观察 湿地课程 小科学家 湿地研学",
        ),
        ("wetland_survey", "湿地调查", "Wetland surveys", "湿地调查员 湿地监测"),
        ("wildlife", "野生动物", "Wildlife", "野生动植物 动物保护 救护野生动物 野生植物"),
        ("wildlife_rescue", "野生动物救护", "Wildlife rescue", "救助野生动物 动物救护 救护站"),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
