"""Education Bureau (市教育局): schools, youth centres and summer classes at stations.

The seed: "市教育局与团市委合作，依托新时代文明实践站开办'家门口的暑托班'1355个，累计服务超过
23万人次 … 满足异地求学儿童参与暑托班5.9万人次" — with the Communist Youth League's city
committee (团市委) the bureau runs 1,355 summer classes at practice stations (230k
attendances, 59k of them by children of migrant workers). The classes run in July and
August, close to home, for school-age children whose parents work through the summer;
the bureau's rules say exactly that.
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
    code="education",
    name_zh="苏州市教育局",
    name_en="Suzhou Education Bureau",
    subcenter_zh="教育行业新时代文明实践分中心",
    subcenter_en="Education practice sub-center",
    corps_zh="教育志愿服务总队",
    corps_en="Education volunteer corps",
    description=(
        "Schools, teachers and student volunteers; runs the summer classes at practice "
        "stations with the Youth League city committee (团市委)."
    ),
)

SUMMER = (7, 8)

SITE_TYPES = (
    SiteType(
        name="campus",
        name_zh="校园文明实践点",
        name_en="School campus practice point",
        level="practice_point",
        description="A primary or secondary school that opens its grounds to the community.",
    ),
    SiteType(
        name="youth_centre",
        name_zh="青少年校外活动中心",
        name_en="Youth after-school activity centre",
        level="practice_point",
        description="A public after-school activity centre (少年宫 / 校外活动中心).",
    ),
    SiteType(
        name="parent_school",
        name_zh="家长学校",
        name_en="Parent school",
        level="practice_point",
        description="A school's or community's parent school for family-education classes.",
    ),
    SiteType(
        name="university_base",
        name_zh="高校志愿服务基地",
        name_en="University volunteer base",
        level="practice_point",
        description="A university's volunteer base from which student teams go out.",
    ),
)

TEMPLATES = (
    Template(
        name="summer_care",
        name_zh="家门口的暑托班",
        name_en="Summer class at your doorstep",
        category="education_support",
        audiences=("children_of_migrant_workers", "minors"),
        benefit_type="targeted",
        duration_hours=4.0,
        capacity=40,
        months=SUMMER,
        site_types=("station", "campus"),
        skills=("tutoring", "childcare", "first_aid"),
        team_kinds=("teachers", "university_students", "youth_league_volunteers"),
        tags=("summer_care", "childcare", "homework_help", "near_home"),
        seed=True,
        description=(
            "Half-day summer care at the nearest practice station: homework help, reading, "
            "sports and safety lessons for school-age children whose parents work through "
            "July and August (seed: 1,355 classes, 230k attendances)."
        ),
    ),
    Template(
        name="family_education",
        name_zh="家庭教育公益讲堂",
        name_en="Family education class",
        category="education_support",
        audiences=("families_with_children",),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=60,
        site_types=("parent_school", "campus", "station"),
        skills=("family_education", "public_speaking"),
        team_kinds=("teachers",),
        tags=("family_education", "parenting"),
        description="Teachers and counsellors on homework, screen time and talking with teenagers.",
    ),
    Template(
        name="paired_tutoring",
        name_zh="困难家庭学子结对助学",
        name_en="Paired tutoring for children in difficulty",
        category="help_in_difficulty",
        audiences=("people_in_difficulty", "minors"),
        benefit_type="targeted",
        duration_hours=2.0,
        capacity=10,
        site_types=("station", "campus"),
        skills=("tutoring",),
        team_kinds=("teachers", "university_students"),
        tags=("tutoring", "homework_help", "one_to_one"),
        description="A student or teacher tutors the same child weekly through the school year.",
    ),
    Template(
        name="youth_mental_health",
        name_zh="青少年心理健康护航",
        name_en="Youth mental-health support",
        category="health_fitness",
        audiences=("minors", "families_with_children"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=30,
        site_types=("campus", "youth_centre", "station"),
        skills=("counselling",),
        team_kinds=("counsellors",),
        tags=("mental_health", "counselling"),
        description="School counsellors run group sessions and point families to help.",
    ),
    Template(
        name="enrolment_policy_talk",
        name_zh="百名局长百场宣讲·入学入托政策",
        name_en="Hundred bureau chiefs' talks: school enrolment policy",
        category="theory_policy",
        audiences=("migrant_workers", "families_with_children"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=100,
        months=(3, 4, 5, 6),
        site_types=("station", "campus"),
        skills=("public_speaking", "enrolment_policy"),
        team_kinds=("theory_talkers",),
        tags=("theory_talks", "bureau_chief_talks", "policy_explained", "school_enrolment"),
        seed=True,
        description=(
            "The bureau's share of 百名局长百场宣讲: its leaders explain enrolment (入学入托) "
            "rules, including for migrant workers' children, before the spring admissions."
        ),
    ),
)

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="教育志愿服务总队",
        name_en="Education volunteer corps",
        place="3205",
        categories=("education_support", "help_in_difficulty", "theory_policy"),
        audiences=("minors", "families_with_children", "children_of_migrant_workers"),
        skills=("tutoring", "family_education", "public_speaking", "counselling"),
        tags=("homework_help", "family_education", "tutoring"),
        capacity=60,
        members=1200,
        description="The department's hub corps (枢纽型总队) of teachers and staff.",
    ),
    Resource(
        name="summer_care",
        kind="project",
        name_zh="家门口的暑托班",
        name_en="Summer class at your doorstep",
        place="3205",
        template="summer_care",
        categories=("education_support",),
        audiences=("children_of_migrant_workers", "minors"),
        tags=("summer_care", "childcare", "homework_help", "near_home"),
        skills=("tutoring", "childcare", "first_aid"),
        capacity=40,
        months=SUMMER,
        description=(
            "Seed project with the Youth League city committee: 1,355 classes at practice "
            "stations, 230k attendances, 59k by children studying away from home."
        ),
    ),
    Resource(
        name="youth_league_summer_team",
        kind="team",
        name_zh="团市委暑托班青年志愿者服务队",
        name_en="Youth League summer-class volunteers",
        place="3205",
        template="summer_care",
        categories=("education_support",),
        audiences=("children_of_migrant_workers", "minors"),
        tags=("summer_care", "childcare", "homework_help"),
        skills=("tutoring", "childcare"),
        capacity=40,
        members=3000,
        months=SUMMER,
        description=(
            "University students recruited by the Youth League city committee (团市委) to staff "
            "the summer classes; listed under education, which runs the project."
        ),
    ),
    Resource(
        name="enrolment_policy_talk",
        kind="project",
        name_zh="百名局长百场宣讲·入学入托政策",
        name_en="Hundred bureau chiefs' talks: school enrolment policy",
        place="3205",
        template="enrolment_policy_talk",
        categories=("theory_policy",),
        audiences=("migrant_workers", "families_with_children"),
        tags=("theory_talks", "bureau_chief_talks", "policy_explained", "school_enrolment"),
        skills=("public_speaking", "enrolment_policy"),
        capacity=100,
        months=(3, 4, 5, 6),
        description="The bureau's talks in the city-wide campaign, before admissions.",
    ),
    Resource(
        name="soochow_university_teaching_team",
        kind="team",
        name_zh="苏州大学支教志愿服务队",
        name_en="Soochow University teaching volunteers",
        place="320508021",
        categories=("education_support", "help_in_difficulty"),
        audiences=("minors", "children_of_migrant_workers", "people_in_difficulty"),
        tags=("tutoring", "homework_help", "one_to_one"),
        skills=("tutoring",),
        capacity=20,
        members=150,
        description="Student volunteers from the Tianci Zhuang campus (not named in the seed).",
    ),
)

RULES = (
    Rule(
        name="summer_months",
        kind="time",
        mode="filter",
        params={"months": list(SUMMER)},
        scope=RuleScope(templates=("summer_care",)),
        description="Summer classes run in July and August only, when schools are out.",
    ),
    Rule(
        name="migrant_children_first",
        kind="audience",
        mode="score",
        weight=0.08,
        params={"audiences": ["children_of_migrant_workers"]},
        scope=RuleScope(templates=("summer_care",)),
        description=(
            "Summer classes exist for children whose migrant parents work all summer: "
            "demands for them come first."
        ),
    ),
    Rule(
        name="at_the_doorstep",
        kind="distance",
        mode="both",
        weight=0.06,
        params={"reach_km": 3.0, "decay_km": 1.0},
        scope=RuleScope(templates=("summer_care",)),
        description=(
            "'At your doorstep': children walk to a summer class, so it serves demands within "
            "3 km and the nearest scores highest."
        ),
    ),
    Rule(
        name="one_to_one_groups",
        kind="capacity",
        mode="both",
        weight=0.04,
        params={"min_fill": 0.5},
        scope=RuleScope(templates=("paired_tutoring",)),
        description=(
            "Paired tutoring is for small groups: a tutoring team is not sent to a demand "
            "that fills less than half of it, nor one larger than it."
        ),
    ),
)

SETTINGS = (
    Setting(
        name="summer_months",
        type="list",
        default=list(SUMMER),
        description="Months of the summer holiday, when summer classes run.",
    ),
    Setting(
        name="children_per_volunteer",
        type="int",
        default=8,
        minimum=1,
        maximum=30,
        description="Children one volunteer looks after in a summer class.",
    ),
)


register_department = contributes(
    DEPARTMENT, doc="The Education Bureau, its sub-center and hub corps."
)


register_site_types = contributes(
    SITE_TYPES, doc="Campuses, youth centres, parent schools and university volunteer bases."
)


register_templates = contributes(
    TEMPLATES, doc="The seed's summer classes, the bureau's campaign talk and realistic projects."
)


register_resources = contributes(
    RESOURCES, doc="The hub corps, the summer-class project and its teams."
)


register_rules = contributes(
    RULES, doc="How education decides who it serves: summer, migrant children, near home."
)


register_settings = contributes(SETTINGS, doc="Education's typed settings.")


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "education",
            "教育",
            "Education",
            "教育局 学校 课后服务 课后 英语 兴趣班 幼小衔接 数学 劳动教育 特殊教育 网络沉迷 camp 学习 功课辅导",
        ),
        ("childcare", "看护", "Childcare", "托管 看孩子 照看孩子 课后托管 托育"),
        ("counselling", "心理辅导", "Counselling", "心理疏导 心理咨询 谈心"),
        ("enrolment_policy", "招生政策", "Enrolment policy", "入学政策 招生 升学政策 中考政策"),
        (
            "family_education",
            "家庭教育",
            "Family education",
            "家教 家庭教育指导 家长课堂 家长学校 亲子教育 家风",
        ),
        ("homework_help", "作业辅导", "Homework help", "辅导作业 写作业 课业辅导 学业辅导 功课"),
        ("mental_health", "心理健康", "Mental health", "心理健康教育 心理 情绪 青少年心理 减压"),
        ("near_home", "家门口", "Near home", "就近 家门口的"),
        ("one_to_one", "一对一", "One to one", "一对一辅导 结对帮扶"),
        ("parenting", "育儿", "Parenting", "科学育儿 养育 家长 带娃"),
        ("school_enrolment", "入学", "School enrolment", "上学 入学报名 小升初 幼升小"),
        (
            "tutoring",
            "学业辅导",
            "Tutoring",
            "补课 辅导 助学 支教 学习辅导 课外辅导 助学支教 教育帮扶",
        ),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
