"""Science and Technology Bureau (市科技局): science popularisation (科学普及).

The seed lists 科技 among the fifteen departments and 科学普及 among the standing
volunteer teams of every town and village. Its practice points are science venues,
popular-science education bases, open laboratories of technology enterprises and
agricultural-technology demonstration fields. The seed's "红色稻田课堂" (red paddy-field
classroom: theory talks held in the rice fields) is attributed here: it is run where
agricultural-technology volunteers already work with farmers, in the growing season.
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
    code="science",
    name_zh="苏州市科学技术局",
    name_en="Suzhou Science and Technology Bureau",
    subcenter_zh="科技行业新时代文明实践分中心",
    subcenter_en="Science and technology practice sub-center",
    corps_zh="科技志愿服务总队",
    corps_en="Science and technology volunteer corps",
    description=(
        "Science popularisation: science venues, popular-science bases, open laboratories "
        "of technology enterprises and agricultural-technology fields."
    ),
)

SITE_TYPES = (
    SiteType(
        name="science_venue",
        name_zh="科技馆文明实践点",
        name_en="Science venue practice point",
        level="practice_point",
        description="A science and technology museum or youth science centre (科技馆).",
    ),
    SiteType(
        name="popsci_base",
        name_zh="科普教育基地",
        name_en="Popular-science education base",
        level="practice_point",
        description="A certified popular-science education base (科普教育基地) open to groups.",
    ),
    SiteType(
        name="open_lab",
        name_zh="科技企业开放实验室",
        name_en="Technology enterprise open laboratory",
        level="practice_point",
        description="A laboratory of a technology enterprise or institute that opens to visits.",
    ),
    SiteType(
        name="agritech_field",
        name_zh="农业科技示范田",
        name_en="Agricultural technology demonstration field",
        level="practice_point",
        description="A demonstration field where agricultural-technology volunteers teach farmers.",
    ),
)

TEMPLATES = (
    Template(
        name="red_paddy_classroom",
        name_zh="红色稻田课堂",
        name_en="Red paddy-field classroom",
        category="theory_policy",
        audiences=("residents", "elderly"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=40,
        months=(5, 6, 7, 8, 9, 10),
        site_types=("agritech_field", "station"),
        skills=("public_speaking", "agronomy"),
        team_kinds=("theory_talkers", "agritech_volunteers"),
        tags=("theory_talks", "rural", "agritech", "policy_explained"),
        seed=True,
        description=(
            "Theory and policy talks held in the rice fields during the growing season, "
            "paired with advice on farming technique (seed: 红色稻田课堂)."
        ),
    ),
    Template(
        name="science_caravan",
        name_zh="科普大篷车进社区",
        name_en="Science caravan in the community",
        category="science",
        audiences=("residents", "minors", "families_with_children"),
        benefit_type="universal",
        duration_hours=2.0,
        capacity=80,
        site_types=("station", "popsci_base"),
        skills=("science_demonstration",),
        team_kinds=("science_volunteers",),
        tags=("popular_science", "hands_on", "experiments"),
        description="Travelling exhibits and hands-on experiments brought to a station's square.",
    ),
    Template(
        name="open_lab_day",
        service_mode="destination",
        name_zh="科技企业实验室开放日",
        name_en="Open laboratory day",
        category="science",
        audiences=("minors", "families_with_children"),
        benefit_type="universal",
        duration_hours=2.5,
        capacity=25,
        site_types=("open_lab", "science_venue"),
        skills=("science_demonstration", "lab_safety"),
        team_kinds=("science_volunteers",),
        tags=("popular_science", "open_lab", "hands_on", "career_inspiration"),
        description=(
            "Engineers of a technology enterprise guide a small group through their lab; "
            "class size is capped by lab safety."
        ),
    ),
    Template(
        name="smartphone_class",
        name_zh="老年人智能手机课堂",
        name_en="Smartphone class for older people",
        category="science",
        audiences=("elderly",),
        benefit_type="targeted",
        duration_hours=1.5,
        capacity=20,
        site_types=("station",),
        skills=("digital_literacy",),
        team_kinds=("science_volunteers", "university_students"),
        tags=("digital_divide", "smartphone", "anti_fraud"),
        description=(
            "One volunteer per two or three learners: health codes, payments, ride-hailing, "
            "spotting scam calls."
        ),
    ),
    Template(
        name="youth_makers",
        name_zh="青少年科创营",
        name_en="Youth maker camp",
        category="science",
        audiences=("minors", "children_of_migrant_workers"),
        benefit_type="universal",
        duration_hours=3.0,
        capacity=30,
        months=(7, 8),
        site_types=("science_venue", "popsci_base", "station"),
        skills=("science_demonstration", "robotics"),
        team_kinds=("science_volunteers", "university_students"),
        tags=("popular_science", "makers", "robotics", "summer_care"),
        description="Summer maker sessions (robots, simple circuits) that summer classes can book.",
    ),
    Template(
        name="bureau_chief_talk",
        name_zh="百名局长百场宣讲·科技创新",
        name_en="Hundred bureau chiefs' talks: innovation",
        category="theory_policy",
        audiences=("residents",),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=100,
        site_types=("station", "science_venue"),
        skills=("public_speaking",),
        team_kinds=("theory_talkers",),
        tags=("theory_talks", "bureau_chief_talks", "policy_explained", "innovation"),
        seed=True,
        description=(
            "The science bureau's share of the city-wide 百名局长百场宣讲: its leaders explain "
            "innovation policy at stations."
        ),
    ),
)

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="科技志愿服务总队",
        name_en="Science and technology volunteer corps",
        place="3205",
        categories=("science", "theory_policy"),
        audiences=("residents", "minors", "families_with_children", "elderly"),
        skills=("science_demonstration", "public_speaking", "digital_literacy", "agronomy"),
        tags=("popular_science", "hands_on", "theory_talks", "digital_divide"),
        capacity=80,
        members=420,
        description="The department's hub corps (枢纽型总队), serving the whole city.",
    ),
    Resource(
        name="red_paddy_classroom",
        kind="project",
        name_zh="红色稻田课堂",
        name_en="Red paddy-field classroom",
        place="3205",
        template="red_paddy_classroom",
        categories=("theory_policy",),
        audiences=("residents", "elderly"),
        tags=("theory_talks", "rural", "agritech", "policy_explained"),
        skills=("public_speaking", "agronomy"),
        capacity=40,
        months=(5, 6, 7, 8, 9, 10),
        description="Seed project; delivered in rural towns' fields from May to October.",
    ),
    Resource(
        name="bureau_chief_talk",
        kind="project",
        name_zh="百名局长百场宣讲·科技创新",
        name_en="Hundred bureau chiefs' talks: innovation",
        place="3205",
        template="bureau_chief_talk",
        categories=("theory_policy",),
        audiences=("residents",),
        tags=("theory_talks", "bureau_chief_talks", "policy_explained", "innovation"),
        skills=("public_speaking",),
        capacity=100,
        description="The science bureau's talks in the city-wide campaign.",
    ),
    Resource(
        name="youth_science_centre",
        kind="venue",
        name_zh="苏州青少年科技馆",
        name_en="Suzhou Youth Science and Technology Centre",
        place="320509001",
        site_type="science_venue",
        categories=("science",),
        audiences=("minors", "families_with_children"),
        tags=("popular_science", "hands_on", "makers", "robotics"),
        capacity=120,
        description="Youth science centre at 体育路 788, Wujiang (not named in the seed).",
    ),
    Resource(
        name="smartphone_class",
        kind="project",
        name_zh="老年人智能手机课堂",
        name_en="Smartphone class for older people",
        place="3205",
        template="smartphone_class",
        categories=("science",),
        audiences=("elderly",),
        tags=("digital_divide", "smartphone", "anti_fraud"),
        skills=("digital_literacy",),
        capacity=20,
        description="Offered city-wide by the corps' digital-literacy volunteers.",
    ),
)

RULES = (
    Rule(
        name="children_at_venues",
        kind="audience",
        mode="score",
        weight=0.06,
        params={"audiences": ["minors", "families_with_children"]},
        scope=RuleScope(departments=("science",), resource_kinds=("venue",)),
        description=(
            "Science venues are built for children: they favour demands for minors and "
            "parent-child families."
        ),
    ),
    Rule(
        name="elderly_digital",
        kind="audience",
        mode="score",
        weight=0.08,
        params={"audiences": ["elderly"]},
        scope=RuleScope(templates=("smartphone_class",)),
        description="The smartphone class is a targeted project for older people.",
    ),
    Rule(
        name="growing_season",
        kind="time",
        mode="filter",
        params={"months": [5, 6, 7, 8, 9, 10]},
        scope=RuleScope(templates=("red_paddy_classroom",)),
        description="A paddy-field classroom needs a field to stand in: May to October only.",
    ),
    Rule(
        name="hands_on",
        kind="tags",
        mode="score",
        weight=0.04,
        params={"tags": ["hands_on", "experiments", "makers", "robotics", "open_lab"]},
        scope=RuleScope(departments=("science",)),
        description=(
            "Science volunteers' strength is doing, not lecturing: a demand that asks for "
            "experiments, making or a lab visit favours the science resources that offer them."
        ),
    ),
)

SETTINGS = (
    Setting(
        name="open_lab_group_max",
        type="int",
        default=25,
        minimum=1,
        description="Largest group an open laboratory admits at once (lab safety).",
    ),
    Setting(
        name="growing_season_months",
        type="list",
        default=[5, 6, 7, 8, 9, 10],
        description="Months when paddy-field classrooms can be held.",
    ),
)


register_department = contributes(
    DEPARTMENT, doc="The Science and Technology Bureau, its sub-center and hub corps."
)


register_site_types = contributes(
    SITE_TYPES, doc="Science venues, popular-science bases, open labs and demonstration fields."
)


register_templates = contributes(
    TEMPLATES,
    doc="The seed's paddy-field classroom, the bureau's campaign talk and realistic projects.",
)


register_resources = contributes(
    RESOURCES, doc="The hub corps, the seed projects and a youth science centre."
)


register_rules = contributes(RULES, doc="How the science bureau decides who it serves.")


register_settings = contributes(SETTINGS, doc="Science's typed settings.")


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "science",
            "科协",
            "Science association",
            "科技 科创 科技创新 AI STEM 气象 防雷 种植 病虫害 科技特派员 科学家精神 少年科学院",
        ),
        ("agritech", "农业科技", "Agricultural technology", "农技 科技兴农 农业技术 种植技术"),
        ("agronomy", "农学", "Agronomy", "农作物 水稻 种田 稻田 农业知识"),
        ("career_inspiration", "职业启蒙", "Career inspiration", "职业体验 科学家 科技工作者"),
        ("digital_literacy", "数字素养", "Digital literacy", "数字技能 上网 网络安全 信息素养"),
        ("experiments", "科学实验", "Experiments", "实验 做实验 科学小实验 趣味实验"),
        ("hands_on", "动手实践", "Hands-on", "动手 手工 动手做 体验"),
        ("innovation", "科技创新", "Innovation", "创新 发明 科技 科学 高科技 创客教育"),
        ("lab_safety", "实验安全", "Lab safety", "实验室安全"),
        ("makers", "创客", "Makers", "创客空间 编程 3D打印 科技制作"),
        ("open_lab", "开放实验室", "Open labs", "实验室开放 科研院所开放 开放日实验室"),
        (
            "popular_science",
            "科普",
            "Popular science",
            "科普讲座 科普活动 科学普及 科普宣传 科普知识 科学知识 科普课 科普进社区 科学讲座 科普大篷车 大篷车 流动科技馆 科技馆 天文 航天 人工智能",
        ),
        ("robotics", "机器人", "Robotics", "机器人编程 智能机器人"),
        ("rural", "乡村", "Rural", "农村 村民 乡村振兴 田间"),
        ("science_demonstration", "科学表演", "Science demonstrations", "科学秀 科普表演 科学演示"),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
