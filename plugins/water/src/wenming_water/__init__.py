"""Water Affairs Bureau (市水务局): practice points at waterworks and along the water.

The seed: "市水务部门把文明实践点建到水厂、滨水长廊里，通过'一滴水的旅行''水讲堂'等项目进行
节水净水宣传" — water plants and waterfront promenades host practice points; two
projects teach water saving and purification.
"""

from __future__ import annotations

from wenming import API_VERSION, contributes
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

WENMING_API = API_VERSION

DEPARTMENT = Department(
    code="water",
    name_zh="苏州市水务局",
    name_en="Suzhou Water Affairs Bureau",
    subcenter_zh="水务行业新时代文明实践分中心",
    subcenter_en="Water affairs practice sub-center",
    corps_zh="水务志愿服务总队",
    corps_en="Water affairs volunteer corps",
    description="Water supply, drainage, river chiefs and flood control.",
)

SITE_TYPES = (
    SiteType(
        name="waterworks",
        name_zh="水厂文明实践点",
        name_en="Waterworks practice point",
        level="practice_point",
        description="A drinking-water plant open to visits (水厂).",
    ),
    SiteType(
        name="waterfront_promenade",
        name_zh="滨水长廊文明实践点",
        name_en="Waterfront promenade practice point",
        level="practice_point",
        description="A riverside or lakeside promenade (滨水长廊).",
    ),
    SiteType(
        name="wastewater_plant",
        name_zh="污水处理厂文明实践点",
        name_en="Wastewater plant practice point",
        level="practice_point",
        description="A wastewater treatment plant showing how water is cleaned.",
    ),
    SiteType(
        name="river_chief_post",
        name_zh="河长驿站",
        name_en="River chief post",
        level="practice_point",
        description="A river chief's post where volunteer river patrols gather.",
    ),
)

TEMPLATES = (
    Template(
        name="water_journey",
        service_mode="destination",
        name_zh="一滴水的旅行",
        name_en="The journey of a drop of water",
        category="science",
        audiences=("minors", "families_with_children"),
        benefit_type="universal",
        duration_hours=2.0,
        capacity=40,
        site_types=("waterworks", "wastewater_plant"),
        skills=("water_treatment",),
        team_kinds=("science_volunteers",),
        tags=("water_saving", "water_purification", "nature_education"),
        seed=True,
        description="Follow water from the river through the plant to the tap and back.",
    ),
    Template(
        name="water_classroom",
        name_zh="水讲堂",
        name_en="Water classroom",
        category="science",
        audiences=("residents", "minors", "elderly"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=60,
        site_types=("waterworks", "waterfront_promenade", "station"),
        skills=("water_treatment", "public_speaking"),
        tags=("water_saving", "water_purification"),
        seed=True,
        description="Talks on saving and protecting water, given where residents are.",
    ),
    Template(
        name="river_patrol",
        name_zh="巡河护河志愿行动",
        name_en="Volunteer river patrol",
        category="hygiene_environment",
        audiences=("residents",),
        benefit_type="mutual",
        duration_hours=3.0,
        capacity=20,
        site_types=("river_chief_post", "waterfront_promenade"),
        skills=("river_patrol",),
        tags=("river_protection", "environment"),
        description="Residents patrol rivers with the river chief, reporting litter and outfalls.",
    ),
    Template(
        name="home_water_saving",
        name_zh="节水进家庭",
        name_en="Water saving at home",
        category="help_in_difficulty",
        audiences=("elderly", "people_in_difficulty"),
        benefit_type="targeted",
        duration_hours=2.0,
        capacity=10,
        site_types=("station",),
        skills=("plumbing",),
        tags=("water_saving", "home_repair"),
        description="Volunteers check taps and pipes for elderly and needy households.",
    ),
    Template(
        name="flood_safety",
        name_zh="防汛安全知识课",
        name_en="Flood safety class",
        category="emergency_rescue",
        audiences=("residents", "minors"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=50,
        months=(4, 5, 6, 7, 8, 9),
        site_types=("station", "river_chief_post"),
        skills=("flood_control",),
        tags=("flood", "safety"),
        description="Before and during the flood season: warnings, evacuation, drowning prevention.",
    ),
)

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="水务志愿服务总队",
        name_en="Water affairs volunteer corps",
        place="3205",
        categories=("science", "hygiene_environment", "emergency_rescue"),
        audiences=("residents", "minors", "families_with_children", "elderly"),
        skills=("water_treatment", "public_speaking", "river_patrol", "flood_control"),
        tags=("water_saving", "water_purification", "river_protection"),
        capacity=60,
        members=300,
        description="The department's hub corps (枢纽型总队).",
    ),
    Resource(
        name="water_journey",
        kind="project",
        name_zh="一滴水的旅行",
        name_en="The journey of a drop of water",
        place="3205",
        template="water_journey",
        categories=("science",),
        audiences=("minors", "families_with_children"),
        tags=("water_saving", "water_purification", "nature_education"),
        capacity=40,
        description="Seed project, delivered at waterworks across the city.",
    ),
    Resource(
        name="water_classroom",
        kind="project",
        name_zh="水讲堂",
        name_en="Water classroom",
        place="3205",
        template="water_classroom",
        categories=("science",),
        audiences=("residents", "minors", "elderly"),
        tags=("water_saving", "water_purification"),
        capacity=60,
        description="Seed project of water-saving and purification talks.",
    ),
)

RULES = (
    Rule(
        name="young_science",
        kind="audience",
        mode="score",
        weight=0.12,
        params={"audiences": ["minors", "families_with_children"]},
        scope=RuleScope(templates=("water_journey",)),
        description="Water's science outings favour children and parent-child families.",
    ),
    Rule(
        name="walkable_promenade",
        kind="distance",
        mode="both",
        weight=0.08,
        params={"reach_km": 3.0, "decay_km": 1.0},
        scope=RuleScope(resource_kinds=("venue",)),
        description="Residents walk to a promenade: a venue serves demands within 3 km.",
    ),
)

SETTINGS = (
    Setting(
        name="flood_season_months",
        type="list",
        default=[4, 5, 6, 7, 8, 9],
        description="Months of Suzhou's flood season, when flood-safety classes run.",
    ),
)


register_department = contributes(
    DEPARTMENT, doc="The Water Affairs Bureau, its sub-center and hub corps."
)


register_site_types = contributes(
    SITE_TYPES, doc="Waterworks, promenades, wastewater plants and river chief posts."
)


register_templates = contributes(TEMPLATES, doc="The seed's two projects and three realistic ones.")


register_resources = contributes(
    RESOURCES, doc="The hub corps and the seed's projects, offered city-wide."
)


register_rules = contributes(RULES, doc="How water decides who it serves.")


register_settings = contributes(SETTINGS, doc="Water's typed settings.")


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "water",
            "水务",
            "Water affairs",
            "水务局 水利 供水 海绵城市 雨水利用 世界水日 中国水周 积水 滨水长廊 水文化 水价 水价政策 水讲堂 河长 水利知识 农村污水",
        ),
        ("flood", "防汛", "Floods", "汛期 洪水 防洪 防台防汛 暴雨 内涝"),
        ("flood_control", "防汛抢险", "Flood control", "防汛知识 抗洪 防汛救灾 防汛演练"),
        ("plumbing", "水管维修", "Plumbing", "修水龙头 漏水 水龙头 管道维修 查漏"),
        ("river_patrol", "巡河", "River patrol", "河道巡查 巡河护河 民间河长 护河 巡查河道"),
        (
            "river_protection",
            "河湖保护",
            "River protection",
            "保护河道 河道保护 护水 水环境 河长制 爱护河道 水生态 河湖",
        ),
        (
            "water_purification",
            "净水",
            "Water purification",
            "净水知识 自来水 饮用水 水质 水是怎么来的 水厂 污水处理 水处理",
        ),
        (
            "water_saving",
            "节水",
            "Water saving",
            "节约用水 省水 节水宣传 节水教育 爱水 惜水 水资源 珍惜水资源 节水护水 water conservation",
        ),
        ("water_treatment", "水处理技术", "Water treatment", "制水工艺 水务 供水"),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
