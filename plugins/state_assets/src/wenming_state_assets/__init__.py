"""State-owned Assets Supervision and Administration Commission (市国资委): state enterprises.

The seed: "1143 个市级以上文明单位均建立了文明实践点" and "把全市各级文明单位纳入新时代文明实践工作
体系 … 鼓励文明单位 … 提供特色资源、开展专业化志愿服务活动" — civilized units, state
enterprises first among them, set up practice points and offer venues and teams. The
seed's "车间小板凳宣讲" (workshop-stool talks: policy explained to workers sitting on
stools in the workshop) is attributed here, where the workshops are.
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
    code="state_assets",
    name_zh="苏州市人民政府国有资产监督管理委员会",
    name_en="Suzhou State-owned Assets Supervision and Administration Commission",
    subcenter_zh="国资系统新时代文明实践分中心",
    subcenter_en="State-owned enterprises practice sub-center",
    corps_zh="国资国企志愿服务总队",
    corps_en="State-owned enterprises volunteer corps",
    description=(
        "Municipal state enterprises (civilized units) open workshops, service outlets and "
        "exhibition halls as practice points and send their staff volunteer teams."
    ),
)

SITE_TYPES = (
    SiteType(
        name="workshop",
        name_zh="企业车间文明实践点",
        name_en="Enterprise workshop practice point",
        level="practice_point",
        description="A workshop or site canteen of a state enterprise where workers gather.",
    ),
    SiteType(
        name="service_outlet",
        name_zh="国企服务网点",
        name_en="State enterprise service outlet",
        level="practice_point",
        description=(
            "A customer hall of a state utility or transport company, open to the public, "
            "with a rest corner for outdoor workers."
        ),
    ),
    SiteType(
        name="exhibition_hall",
        name_zh="企业展馆",
        name_en="Enterprise exhibition hall",
        level="practice_point",
        description="A state enterprise's history or industry exhibition hall.",
    ),
    SiteType(
        name="civilized_unit_point",
        name_zh="文明单位文明实践点",
        name_en="Civilized unit practice point",
        level="practice_point",
        description="The practice point every civilized unit (文明单位) sets up in its premises.",
    ),
)

TEMPLATES = (
    Template(
        name="workshop_stool_talks",
        name_zh="车间小板凳宣讲",
        name_en="Workshop-stool talks",
        category="theory_policy",
        audiences=("migrant_workers", "residents"),
        benefit_type="universal",
        duration_hours=0.5,
        capacity=40,
        site_types=("workshop", "civilized_unit_point"),
        skills=("public_speaking", "labour_policy"),
        team_kinds=("theory_talkers",),
        tags=("theory_talks", "policy_explained", "workers", "labour_policy"),
        seed=True,
        description=(
            "Half-hour talks on the shop floor, workers on stools, on the policies they ask "
            "about: employment, social insurance, medical care, schooling for their children."
        ),
    ),
    Template(
        name="enterprise_open_day",
        service_mode="destination",
        name_zh="走进国企开放日",
        name_en="State enterprise open day",
        category="science",
        audiences=("minors", "families_with_children", "residents"),
        benefit_type="universal",
        duration_hours=2.5,
        capacity=50,
        site_types=("exhibition_hall", "service_outlet"),
        skills=("guided_tour",),
        team_kinds=("enterprise_volunteers",),
        tags=("open_day", "industry_tour", "study_tour"),
        description="Residents and classes visit a water, gas or metro company behind the scenes.",
    ),
    Template(
        name="outdoor_worker_rest",
        name_zh="国企爱心驿站",
        name_en="Rest stop for outdoor workers",
        category="help_in_difficulty",
        audiences=("new_employment", "migrant_workers"),
        benefit_type="targeted",
        duration_hours=8.0,
        capacity=20,
        site_types=("service_outlet",),
        skills=("hospitality",),
        team_kinds=("enterprise_volunteers",),
        tags=("rest_stop", "outdoor_workers", "cooling_heating"),
        description=(
            "Service outlets open a corner with water, microwave, charging and shade for "
            "couriers, sanitation workers and drivers."
        ),
    ),
    Template(
        name="home_gas_safety",
        name_zh="燃气安全进万家",
        name_en="Gas safety at home",
        category="help_in_difficulty",
        audiences=("elderly", "people_in_difficulty"),
        benefit_type="targeted",
        duration_hours=2.0,
        capacity=15,
        site_types=("station",),
        skills=("gas_safety",),
        team_kinds=("enterprise_volunteers",),
        tags=("home_safety", "gas_safety", "home_repair"),
        description="Gas-company volunteers check hoses, alarms and stoves in older homes.",
    ),
    Template(
        name="employment_policy_talk",
        name_zh="百名局长百场宣讲·国企稳岗就业",
        name_en="Hundred bureau chiefs' talks: jobs in state enterprises",
        category="theory_policy",
        audiences=("migrant_workers", "residents"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=100,
        site_types=("station", "civilized_unit_point"),
        skills=("public_speaking", "labour_policy"),
        team_kinds=("theory_talkers",),
        tags=("theory_talks", "bureau_chief_talks", "policy_explained", "labour_policy"),
        seed=True,
        description=(
            "The commission's share of 百名局长百场宣讲: state-enterprise hiring, apprenticeships "
            "and workers' rights explained at stations."
        ),
    ),
)

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="国资国企志愿服务总队",
        name_en="State-owned enterprises volunteer corps",
        place="3205",
        categories=("theory_policy", "help_in_difficulty", "science"),
        audiences=("migrant_workers", "residents", "elderly", "new_employment"),
        skills=("public_speaking", "labour_policy", "guided_tour", "gas_safety"),
        tags=("theory_talks", "policy_explained", "home_safety", "open_day"),
        capacity=60,
        members=2500,
        description="The commission's hub corps (枢纽型总队), staff of the municipal enterprises.",
    ),
    Resource(
        name="workshop_stool_talks",
        kind="project",
        name_zh="车间小板凳宣讲",
        name_en="Workshop-stool talks",
        place="3205",
        template="workshop_stool_talks",
        categories=("theory_policy",),
        audiences=("migrant_workers", "residents"),
        skills=("public_speaking", "labour_policy"),
        tags=("theory_talks", "policy_explained", "workers", "labour_policy"),
        capacity=40,
        description="Seed project, given in state enterprises' workshops across the city.",
    ),
    Resource(
        name="employment_policy_talk",
        kind="project",
        name_zh="百名局长百场宣讲·国企稳岗就业",
        name_en="Hundred bureau chiefs' talks: jobs in state enterprises",
        place="3205",
        template="employment_policy_talk",
        categories=("theory_policy",),
        audiences=("migrant_workers", "residents"),
        skills=("public_speaking", "labour_policy"),
        tags=("theory_talks", "bureau_chief_talks", "policy_explained", "labour_policy"),
        capacity=100,
        description="The commission's talks in the city-wide campaign.",
    ),
    Resource(
        name="party_member_volunteers",
        kind="team",
        name_zh="国企党员先锋志愿服务队",
        name_en="State enterprise party-member volunteers",
        place="3205",
        categories=("help_in_difficulty",),
        audiences=("elderly", "people_in_difficulty", "new_employment"),
        skills=("gas_safety", "hospitality", "home_repair"),
        tags=("home_safety", "gas_safety", "home_repair", "rest_stop"),
        capacity=15,
        members=600,
        description="Enterprise staff who volunteer after work (not named in the seed).",
    ),
)

RULES = (
    Rule(
        name="talks_for_workers",
        kind="audience",
        mode="score",
        weight=0.1,
        params={"audiences": ["migrant_workers", "new_employment"]},
        scope=RuleScope(templates=("workshop_stool_talks", "employment_policy_talk")),
        description=(
            "Workshop talks are for the people on the shop floor: demands for migrant "
            "workers and new-employment groups come first."
        ),
    ),
    Rule(
        name="after_hours_load",
        kind="fairness",
        mode="both",
        weight=0.05,
        params={"half_load": 1.0, "max_open": 2},
        scope=RuleScope(departments=("state_assets",), resource_kinds=("team",)),
        description=(
            "Enterprise volunteers serve after their shifts: a team holds at most three open "
            "dispatches (one with three gets no fourth), and one with fewer is preferred."
        ),
    ),
    Rule(
        name="neighbourhood_units",
        kind="distance",
        mode="both",
        weight=0.05,
        params={"reach_km": 5.0, "decay_km": 2.0},
        scope=RuleScope(departments=("state_assets",), resource_kinds=("venue",)),
        description=(
            "A civilized unit's premises serve the stations it is paired with nearby (within 5 km)."
        ),
    ),
)

SETTINGS = (
    Setting(
        name="max_open_dispatches_per_team",
        type="int",
        default=3,
        minimum=1,
        description="Open dispatches an enterprise team may hold at once (after-hours service).",
    ),
    Setting(
        name="talk_minutes",
        type="int",
        default=30,
        minimum=10,
        maximum=120,
        description="Length of a workshop-stool talk, fitted into a shift break.",
    ),
)


register_department = contributes(
    DEPARTMENT, doc="The State-owned Assets Commission, its sub-center and hub corps."
)


register_site_types = contributes(
    SITE_TYPES, doc="Workshops, service outlets, exhibition halls and civilized units' points."
)


register_templates = contributes(
    TEMPLATES, doc="The seed's workshop-stool talks, the campaign talk and realistic projects."
)


register_resources = contributes(
    RESOURCES, doc="The hub corps, the seed projects and the enterprises' volunteer team."
)


register_rules = contributes(RULES, doc="How state enterprises decide who they serve.")


register_settings = contributes(SETTINGS, doc="State assets' typed settings.")


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "state_assets",
            "国资国企",
            "State assets and enterprises",
            "国企 国有企业 国资 国资委 国企服务 供电 水电 稳岗就业 稳岗 小板凳 车间 招聘 企业参观 国企志愿者",
        ),
        (
            "cooling_heating",
            "送清凉送温暖",
            "Cooling and warming",
            "歇脚 喝水 充电 休息点 爱心驿站",
        ),
        ("gas_safety", "燃气安全", "Gas safety", "燃气 煤气 天然气安全 燃气泄漏"),
        ("hospitality", "驿站服务", "Hospitality", "暖心驿站 户外驿站"),
        ("industry_tour", "走进企业", "Industry tours", "参观企业 参观工厂 国企参观 工业游 工厂"),
        ("open_day", "开放日", "Open days", "企业开放日 国企开放日 公众开放日"),
        ("rest_stop", "歇脚点", "Rest stops", "休息驿站 爱心驿站"),
        ("workers", "职工", "Workers", "企业职工 员工 工人"),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
