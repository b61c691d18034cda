"""Suzhou City Management Bureau (苏州市城市管理局): ancient wells, clean streets, the old town.

The seed: "市城管、园林绿化、文化旅游部门会同姑苏区新时代文明实践中心联合开展了'净美古城
乐游姑苏'志愿服务项目，依托古井保护志愿服务队、净美街巷志愿服务队等特色专业团队，恢复古井 24
眼，打造古城净美街巷 300 条，建设街巷特色花境万余处" — urban management, gardens and culture &
tourism, with Gusu district's practice center, restored 24 ancient wells, made 300 old-town
lanes clean and planted 10,000+ street flower borders; residents tend the greenery at their
doors, design street tour routes and tell the stories of the wells. Urban management
registers that joint template; its two named teams are seed resources in Gusu (320508).
"""

from __future__ import annotations

from wenming import API_VERSION, contributes
from wenming.records import (
    Audience,
    Department,
    JointPart,
    Resource,
    Rule,
    RuleScope,
    Setting,
    SiteType,
    Template,
    tag_table,
)

WENMING_API = API_VERSION

#: Gusu district (姑苏区), the walled old town of Suzhou.
GUSU = "320508"
#: Pingjiang subdistrict (平江街道) and its Historic Block community (历史街区社区).
PINGJIANG = "320508018"
PINGJIANG_HISTORIC_BLOCK = "320508018021"

DEPARTMENT = Department(
    code="urban_management",
    name_zh="苏州市城市管理局",
    name_en="Suzhou City Management Bureau",
    subcenter_zh="城市管理行业新时代文明实践分中心",
    subcenter_en="City management practice sub-center",
    corps_zh="苏州城管志愿服务总队",
    corps_en="Suzhou city management volunteer corps",
    description=(
        "City appearance, sanitation and waste sorting, street order and the old town's "
        "public spaces; its volunteers are city managers, sanitation workers and residents."
    ),
)

AUDIENCES = (
    Audience(
        name="outdoor_workers",
        name_zh="户外劳动者",
        name_en="Outdoor workers (sanitation workers, street staff)",
        description="Sanitation workers and others who work outdoors all day, in heat and cold.",
    ),
)

SITE_TYPES = (
    SiteType(
        name="city_management_post",
        name_zh="城管驿站",
        name_en="City management post",
        level="practice_point",
        description="A street-side post of the city managers, open to residents and visitors.",
    ),
    SiteType(
        name="outdoor_workers_station",
        name_zh="户外劳动者爱心驿站",
        name_en="Outdoor workers' rest station",
        level="practice_point",
        description="Water, a microwave and a seat for sanitation workers and couriers.",
    ),
    SiteType(
        name="waste_sorting_center",
        name_zh="垃圾分类宣教中心",
        name_en="Waste sorting education center",
        level="practice_point",
        description="Exhibits and hands-on sorting for school classes and residents.",
    ),
    SiteType(
        name="ancient_well",
        name_zh="古井保护点",
        name_en="Ancient well",
        level="practice_point",
        description="A restored ancient well of the old town, cared for by volunteers.",
    ),
    SiteType(
        name="clean_lane",
        name_zh="净美街巷",
        name_en="Clean and beautiful lane",
        level="practice_point",
        description="An old-town lane adopted by volunteers: clean, tidy, with flower borders.",
    ),
)

#: The words a station in the old town uses for the clean-up (shared by the joint template
#: and the resources that deliver it, so that such a demand finds them).
OLD_TOWN_TAGS = ("old_town", "ancient_well", "clean_streets", "flower_border", "tour_route")

TEMPLATES = (
    Template(
        name="ancient_well_care",
        name_zh="古井保护志愿服务",
        name_en="Ancient well care",
        category="hygiene_environment",
        audiences=("residents", "tourists"),
        benefit_type="mutual",
        duration_hours=3.0,
        capacity=20,
        site_types=("ancient_well", "station"),
        skills=("well_cleaning", "storytelling"),
        team_kinds=("heritage_volunteers",),
        tags=("ancient_well", "old_town", "heritage", "storytelling"),
        seed=True,
        description=(
            "The ancient-well team's work: clean and restore old wells (24 so far), keep "
            "them safe to use and tell their stories to visitors."
        ),
    ),
    Template(
        name="clean_lanes",
        name_zh="净美街巷志愿服务",
        name_en="Clean and beautiful lanes",
        category="hygiene_environment",
        audiences=("residents",),
        benefit_type="mutual",
        duration_hours=2.0,
        capacity=30,
        site_types=("clean_lane", "station"),
        skills=("street_cleaning",),
        team_kinds=("street_volunteers",),
        tags=("clean_streets", "old_town", "litter_picking", "doorstep_greening"),
        seed=True,
        description=(
            "The clean-streets team's work: residents adopt an old-town lane (300 so far), "
            "keep it clean and tend the greenery at their doors."
        ),
    ),
    Template(
        name="clean_old_town",
        name_zh="净美古城 乐游姑苏",
        name_en="Clean old town, enjoy Gusu",
        category="hygiene_environment",
        audiences=("residents", "tourists"),
        benefit_type="mutual",
        duration_hours=3.0,
        capacity=60,
        site_types=("clean_lane", "ancient_well", "station"),
        skills=("well_cleaning", "street_cleaning", "gardening", "tour_guiding"),
        team_kinds=("heritage_volunteers", "street_volunteers", "tour_guides"),
        tags=(*OLD_TOWN_TAGS, "storytelling", "suzhou_lifestyle"),
        parts=(
            JointPart(
                department="urban_management",
                contribution_zh="古井保护、净美街巷志愿服务队清洁修复古井和街巷",
                contribution_en=(
                    "The ancient-well and clean-streets teams restore wells and clean lanes"
                ),
                resource_kinds=("team",),
                skills=("street_cleaning",),
            ),
            JointPart(
                department="gardens",
                contribution_zh="园林绿化部门建设街巷特色花境，指导居民维护门前绿化",
                contribution_en=(
                    "Gardens plant street flower borders and show residents how to keep "
                    "the greenery at their doors"
                ),
                resource_kinds=("team",),
            ),
            JointPart(
                department="culture_tourism",
                contribution_zh="文旅部门组织街区游线设计与讲解，讲述古井古街古城故事",
                contribution_en=(
                    "Culture & tourism design the street tour routes and guide them, telling "
                    "the stories of the wells, lanes and old town"
                ),
                resource_kinds=("team", "project"),
                skills=("tour_guiding",),
            ),
        ),
        seed=True,
        description=(
            "Seed joint project with gardens and culture & tourism, run with Gusu district's "
            "practice center: wells restored, lanes cleaned, flower borders planted, tour "
            "routes guided, so that visitors feel the Suzhou way of life."
        ),
    ),
    Template(
        name="waste_sorting_guide",
        name_zh="垃圾分类桶边督导",
        name_en="Waste sorting guidance at the bins",
        category="hygiene_environment",
        audiences=("residents", "elderly"),
        benefit_type="mutual",
        duration_hours=2.0,
        capacity=40,
        site_types=("station", "waste_sorting_center"),
        skills=("waste_sorting",),
        team_kinds=("street_volunteers",),
        tags=("waste_sorting", "environment"),
        description=(
            "Volunteers stand by the bins at the morning and evening drop-off times and "
            "show residents which bin takes what."
        ),
    ),
    Template(
        name="waste_sorting_class",
        name_zh="垃圾分类小课堂",
        name_en="Waste sorting class for children",
        category="science",
        audiences=("minors", "families_with_children"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=40,
        site_types=("waste_sorting_center", "station"),
        skills=("waste_sorting", "teaching"),
        team_kinds=("street_volunteers",),
        tags=("waste_sorting", "environment", "nature_education"),
        description="Games and a visit to the sorting center: where each kind of waste goes.",
    ),
    Template(
        name="outdoor_workers_care",
        name_zh="夏送清凉 关爱户外劳动者",
        name_en="Summer cooling for outdoor workers",
        category="help_in_difficulty",
        audiences=("outdoor_workers", "new_employment"),
        benefit_type="targeted",
        duration_hours=2.0,
        capacity=50,
        months=(6, 7, 8, 9),
        site_types=("outdoor_workers_station", "city_management_post"),
        skills=("logistics",),
        team_kinds=("street_volunteers",),
        tags=("heat_relief", "outdoor_workers"),
        description=(
            "In the hot months volunteers bring cool drinks, heat-stroke medicine and a "
            "shaded rest to sanitation workers and couriers."
        ),
    ),
    Template(
        name="city_rules_talk",
        name_zh="市容环境法规进社区",
        name_en="City appearance rules explained in the community",
        category="theory_policy",
        audiences=("residents", "migrant_workers"),
        benefit_type="universal",
        duration_hours=1.0,
        capacity=60,
        site_types=("station", "city_management_post"),
        skills=("public_speaking",),
        team_kinds=("city_managers",),
        tags=("city_rules", "shopfront_duties"),
        description=(
            "City managers explain the shopfront duties (门前三包), stall rules and the "
            "sanitation regulations before enforcing them."
        ),
    ),
)

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="苏州城管志愿服务总队",
        name_en="Suzhou city management volunteer corps",
        place="3205",
        categories=("hygiene_environment", "theory_policy", "help_in_difficulty"),
        audiences=("residents", "outdoor_workers", "migrant_workers", "elderly"),
        tags=("waste_sorting", "city_rules", "heat_relief", "environment"),
        skills=("waste_sorting", "public_speaking", "logistics"),
        capacity=60,
        members=800,
        description="The department's hub corps (枢纽型总队).",
    ),
    Resource(
        name="ancient_well_team",
        kind="team",
        name_zh="古井保护志愿服务队",
        name_en="Ancient well protection volunteer team",
        place=GUSU,
        categories=("hygiene_environment",),
        audiences=("residents", "tourists"),
        tags=("ancient_well", "old_town", "heritage", "storytelling", "clean_streets"),
        skills=("well_cleaning", "street_cleaning", "storytelling"),
        capacity=30,
        members=60,
        description="Seed team of 净美古城 乐游姑苏: restored 24 ancient wells in the old town.",
    ),
    Resource(
        name="clean_lanes_team",
        kind="team",
        name_zh="净美街巷志愿服务队",
        name_en="Clean and beautiful lanes volunteer team",
        place=GUSU,
        categories=("hygiene_environment",),
        audiences=("residents", "tourists"),
        tags=("clean_streets", "old_town", "litter_picking", "doorstep_greening"),
        skills=("street_cleaning", "gardening"),
        capacity=60,
        members=300,
        description="Seed team of 净美古城 乐游姑苏: keeps 300 old-town lanes clean.",
    ),
    Resource(
        name="clean_old_town",
        kind="project",
        name_zh="净美古城 乐游姑苏",
        name_en="Clean old town, enjoy Gusu",
        place=GUSU,
        template="clean_old_town",
        categories=("hygiene_environment",),
        audiences=("residents", "tourists"),
        tags=(*OLD_TOWN_TAGS, "storytelling", "suzhou_lifestyle"),
        skills=("well_cleaning", "street_cleaning"),
        capacity=60,
        description=(
            "Seed joint project with gardens and culture & tourism and Gusu's practice "
            "center: 24 wells, 300 lanes, 10,000+ flower borders, 10 tour routes."
        ),
    ),
    Resource(
        name="pingjiang_post",
        kind="venue",
        name_zh="平江历史街区城管驿站",
        name_en="Pingjiang historic block city management post",
        place=PINGJIANG_HISTORIC_BLOCK,
        site_type="city_management_post",
        categories=("hygiene_environment", "help_in_difficulty", "theory_policy"),
        audiences=("residents", "tourists", "outdoor_workers"),
        tags=("old_town", "heat_relief", "city_rules"),
        capacity=25,
        description="Realistic addition (not named in the seed): a post on the historic lane.",
    ),
    Resource(
        name="summer_cooling",
        kind="project",
        name_zh="夏送清凉 关爱户外劳动者",
        name_en="Summer cooling for outdoor workers",
        place="3205",
        template="outdoor_workers_care",
        categories=("help_in_difficulty",),
        audiences=("outdoor_workers", "new_employment"),
        tags=("heat_relief", "outdoor_workers"),
        capacity=50,
        months=(6, 7, 8, 9),
        description="Realistic addition: the department's yearly summer campaign.",
    ),
)

RULES = (
    Rule(
        name="right_specialists",
        kind="tags",
        mode="both",
        weight=0.12,
        params={
            "tags": [
                "ancient_well",
                "clean_streets",
                "flower_border",
                "old_town",
                "waste_sorting",
                "litter_picking",
            ],
            "min_overlap": 1,
        },
        scope=RuleScope(departments=("urban_management",), categories=("hygiene_environment",)),
        description=(
            "For environment work the bureau sends the team that does what is asked: a "
            "demand about wells, lanes, flower borders or waste sorting goes only to its "
            "teams, projects and posts that carry at least one of the tags the demand "
            "names, and fits better the more of them they carry."
        ),
    ),
    Rule(
        name="cooling_in_summer",
        kind="time",
        mode="filter",
        params={"months": [6, 7, 8, 9]},
        scope=RuleScope(templates=("outdoor_workers_care",)),
        description="Summer cooling for outdoor workers runs from June to September only.",
    ),
    Rule(
        name="post_within_walk",
        weight=0.08,
        kind="distance",
        mode="both",
        params={"reach_km": 2.0, "decay_km": 0.8},
        scope=RuleScope(departments=("urban_management",), resource_kinds=("venue",)),
        description=(
            "A city management post serves the lanes around it: demands within 2 km, "
            "a walk for a sanitation worker on shift."
        ),
    ),
)

SETTINGS = (
    Setting(
        name="summer_care_months",
        type="list",
        default=[6, 7, 8, 9],
        description="Months of the summer cooling campaign (夏送清凉) for outdoor workers.",
    ),
    Setting(
        name="old_town_district",
        type="str",
        default=GUSU,
        description=(
            "Division code of the old-town district whose practice center co-runs "
            "净美古城 乐游姑苏 (Gusu, 320508)."
        ),
    ),
)


register_department = contributes(
    DEPARTMENT, doc="The City Management Bureau, its sub-center and hub corps."
)


register_audiences = contributes(
    AUDIENCES, doc="Outdoor workers, whom the bureau's summer campaign serves."
)


register_site_types = contributes(
    SITE_TYPES, doc="City management posts, rest stations, sorting centers, wells and clean lanes."
)


register_templates = contributes(
    TEMPLATES,
    doc="The seed's well and lane work and the old-town joint project, plus realistic ones.",
)


register_resources = contributes(
    RESOURCES,
    doc="The hub corps, the seed's two Gusu teams and the joint project, a post, a campaign.",
)


register_rules = contributes(
    RULES, doc="The right specialists, summer-only cooling, posts within a walk."
)


register_settings = contributes(
    SETTINGS, doc="The summer campaign's months and the old-town district."
)


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "urban_management",
            "城市管理",
            "Urban management",
            "城管 城管局 乱停车 违章搭建 文明劝导 共享单车 停放 市容 村容村貌 街巷清洁 净美街巷 环卫工 环卫 桶边督导 厨余 乐游姑苏 清洁 recycle",
        ),
        ("city_rules", "城市管理法规", "City rules", "城管 市容 文明养犬 占道经营 市容市貌"),
        (
            "clean_streets",
            "清洁街巷",
            "Clean streets",
            "清扫 打扫卫生 环境整治 大扫除 卫生清洁 环境卫生 清洁家园 街巷整治 保洁",
        ),
        ("gardening", "绿植养护", "Gardening", "养护绿植 花草养护"),
        ("heat_relief", "防暑降温", "Heat relief", "送清凉 夏日送清凉 高温慰问 避暑"),
        ("heritage", "文化遗产", "Heritage", "历史文化 古迹 文物 遗产保护 文物保护"),
        ("litter_picking", "捡垃圾", "Litter picking", "随手捡 清理垃圾 拾捡垃圾 捡拾垃圾"),
        ("logistics", "后勤保障", "Logistics", "后勤 保障"),
        ("shopfront_duties", "门前三包", "Shopfront duties", "沿街商户 商铺 门前责任区"),
        ("street_cleaning", "道路保洁", "Street cleaning", "扫街 路面保洁"),
        (
            "waste_sorting",
            "垃圾分类",
            "Waste sorting",
            "分类投放 垃圾分类宣传 厨余垃圾 可回收 垃圾",
        ),
        ("well_cleaning", "古井清淘", "Well cleaning", "淘井 清井"),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
