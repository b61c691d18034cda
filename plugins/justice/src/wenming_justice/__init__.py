"""Suzhou Municipal Bureau of Justice (苏州市司法局): rule-of-law parks, law talks, legal aid.

The seed: Dianzhan village in Chengxiang town, Taicang, "引入司法局资源建设了法治主题公园"
(brought in the bureau's resources to build a rule-of-law theme park); the theory talks
"小吴法官说法" are delivered to practice centers, institutes and stations through the
platform; and the joint project "苏州评弹唱民法" (the Civil Code sung as Suzhou pingtan) is
co-delivered with the culture & tourism line. Justice registers that joint template.
"""

from __future__ import annotations

from wenming import API_VERSION, contributes
from wenming.records import (
    Category,
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

#: Dianzhan village (电站村), Chengxiang town, Taicang: home of the seed's rule-of-law park.
DIANZHAN_VILLAGE = "320585100203"

DEPARTMENT = Department(
    code="justice",
    name_zh="苏州市司法局",
    name_en="Suzhou Municipal Bureau of Justice",
    subcenter_zh="司法行政新时代文明实践分中心",
    subcenter_en="Justice administration practice sub-center",
    corps_zh="苏州市司法行政志愿服务总队",
    corps_en="Suzhou justice administration volunteer corps",
    description=(
        "Public legal services, law popularisation (普法), people's mediation and legal aid; "
        "its volunteers are lawyers, notaries, mediators and judicial office staff."
    ),
)

CATEGORIES = (
    Category(
        name="mediation",
        name_zh="人民调解",
        name_en="People's mediation",
        description=(
            "Settling disputes between neighbours by trained resident mediators; kept apart "
            "from legal advice (core.legal), which needs licensed professionals."
        ),
    ),
)

SITE_TYPES = (
    SiteType(
        name="rule_of_law_park",
        name_zh="法治主题公园",
        name_en="Rule-of-law theme park",
        level="practice_point",
        description="A village or community park laid out with law-popularisation displays.",
    ),
    SiteType(
        name="legal_service_station",
        name_zh="公共法律服务工作站",
        name_en="Public legal service station",
        level="practice_point",
        description="A village/community desk where volunteer lawyers give free consultations.",
    ),
    SiteType(
        name="judicial_office",
        name_zh="司法所文明实践点",
        name_en="Judicial office practice point",
        level="practice_point",
        description="The town-level judicial office (司法所): mediation, community correction.",
    ),
    SiteType(
        name="mediation_room",
        name_zh="人民调解工作室",
        name_en="People's mediation room",
        level="practice_point",
        description="A named mediator's room where neighbourhood disputes are settled.",
    ),
    SiteType(
        name="law_education_base",
        name_zh="青少年法治教育基地",
        name_en="Youth rule-of-law education base",
        level="practice_point",
        description="A base with a mock courtroom for school classes.",
    ),
)

TEMPLATES = (
    Template(
        name="xiaowu_judge_talks",
        name_zh="小吴法官说法",
        name_en="Judge Xiao Wu explains the law",
        category="theory_policy",
        audiences=("residents", "elderly", "migrant_workers"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=100,
        site_types=("station", "legal_service_station", "rule_of_law_park"),
        skills=("public_speaking", "legal_advice"),
        team_kinds=("legal_lecturers",),
        tags=("theory_talk", "law_popularisation", "civil_code", "labour_rights"),
        seed=True,
        description=(
            "A seed theory-talk project: a judge explains the laws residents ask about most "
            "(employment, medical care, pensions, school enrolment) with cases from the bench."
        ),
    ),
    Template(
        name="pingtan_civil_code",
        name_zh="苏州评弹唱民法",
        name_en="Suzhou pingtan sings the Civil Code",
        category="legal",
        audiences=("residents", "elderly"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=120,
        site_types=("station", "rule_of_law_park"),
        skills=("legal_advice", "pingtan_performance"),
        team_kinds=("legal_lecturers", "pingtan_performers"),
        tags=("civil_code", "pingtan", "law_popularisation", "opera"),
        parts=(
            JointPart(
                department="justice",
                contribution_zh="律师审定唱词、演出后现场解读民法典条文并答疑",
                contribution_en=(
                    "Lawyers check the lyrics against the Civil Code and answer questions "
                    "on the articles after the show"
                ),
                resource_kinds=("team", "project"),
                skills=("legal_advice",),
            ),
            JointPart(
                department="culture_tourism",
                contribution_zh="评弹演员把民法典案例编成弹词并登台演唱",
                contribution_en=(
                    "Pingtan performers turn Civil Code cases into ballads and perform them"
                ),
                resource_kinds=("team",),
                skills=("pingtan_performance",),
            ),
        ),
        seed=True,
        description=(
            "Seed joint project (文旅和法律行业拼单): the Civil Code told as Suzhou pingtan "
            "storytelling, with lawyers on hand to explain it."
        ),
    ),
    Template(
        name="legal_consultation",
        name_zh="律师进村居公益法律咨询",
        name_en="Free legal consultation in villages and communities",
        category="legal",
        audiences=("residents", "elderly", "people_in_difficulty"),
        benefit_type="universal",
        duration_hours=3.0,
        capacity=20,
        site_types=("legal_service_station", "station", "judicial_office"),
        skills=("legal_advice",),
        team_kinds=("volunteer_lawyers",),
        tags=("legal_advice", "civil_code", "family_law", "inheritance"),
        description=(
            "Volunteer lawyers hold a consultation desk in a station: family, inheritance, "
            "neighbour and consumer questions, one resident at a time."
        ),
    ),
    Template(
        name="wage_arrears_aid",
        name_zh="农民工讨薪法律援助",
        name_en="Legal aid for unpaid wages",
        category="help_in_difficulty",
        audiences=("migrant_workers", "new_employment"),
        benefit_type="targeted",
        duration_hours=2.0,
        capacity=15,
        months=(11, 12, 1),
        site_types=("legal_service_station", "judicial_office", "station"),
        skills=("legal_advice", "labour_law"),
        team_kinds=("volunteer_lawyers",),
        tags=("legal_aid", "labour_rights", "wage_arrears"),
        description=(
            "Before the Spring Festival, legal-aid lawyers help migrant and gig workers "
            "recover unpaid wages: documents, mediation, labour arbitration."
        ),
    ),
    Template(
        name="anti_fraud_talk",
        name_zh="防范电信网络诈骗普法宣讲",
        name_en="Talk on telecom and online fraud",
        category="legal",
        audiences=("elderly", "residents"),
        benefit_type="universal",
        duration_hours=1.0,
        capacity=80,
        site_types=("station", "rule_of_law_park", "judicial_office"),
        skills=("public_speaking",),
        team_kinds=("legal_lecturers",),
        tags=("anti_fraud", "law_popularisation"),
        description="Cases of phone and online scams aimed at older residents, and what to do.",
    ),
    Template(
        name="mock_court",
        name_zh="青少年模拟法庭",
        name_en="Mock court for young people",
        category="education_support",
        audiences=("minors",),
        benefit_type="universal",
        duration_hours=2.0,
        capacity=40,
        site_types=("law_education_base", "station"),
        skills=("legal_advice", "teaching"),
        team_kinds=("legal_lecturers",),
        tags=("youth_law", "law_popularisation"),
        description="Pupils play judge, prosecutor and defender in a case about bullying or theft.",
    ),
    Template(
        name="neighbour_mediation",
        name_zh="邻里纠纷人民调解",
        name_en="People's mediation of neighbour disputes",
        category="mediation",
        audiences=("residents",),
        benefit_type="mutual",
        duration_hours=2.0,
        capacity=10,
        site_types=("mediation_room", "judicial_office", "station"),
        skills=("mediation",),
        team_kinds=("mediators",),
        tags=("mediation", "neighbour_disputes"),
        description=(
            "Trained resident mediators settle disputes over noise, leaks and parking "
            "before they reach court."
        ),
    ),
)

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="苏州市司法行政志愿服务总队",
        name_en="Suzhou justice administration volunteer corps",
        place="3205",
        categories=("legal", "mediation", "theory_policy", "help_in_difficulty"),
        audiences=("residents", "elderly", "migrant_workers", "people_in_difficulty", "minors"),
        tags=(
            "law_popularisation",
            "civil_code",
            "legal_advice",
            "legal_aid",
            "anti_fraud",
            "licensed_legal_professional",
        ),
        skills=("legal_advice", "labour_law", "mediation", "public_speaking"),
        capacity=80,
        members=1500,
        description="The department's hub corps (枢纽型总队): lawyers, notaries and mediators.",
    ),
    Resource(
        name="dianzhan_rule_of_law_park",
        kind="venue",
        name_zh="太仓市城厢镇电站村法治主题公园",
        name_en="Rule-of-law theme park, Dianzhan village, Chengxiang, Taicang",
        place=DIANZHAN_VILLAGE,
        site_type="rule_of_law_park",
        categories=("legal", "theory_policy"),
        audiences=("residents", "minors", "families_with_children", "elderly"),
        tags=("law_popularisation", "civil_code", "rule_of_law_park"),
        capacity=200,
        description=(
            "Seed venue: built in Dianzhan village with the Bureau of Justice's resources, "
            "next to the village's double-support defence park and herb garden."
        ),
    ),
    Resource(
        name="xiaowu_judge_talks",
        kind="project",
        name_zh="小吴法官说法",
        name_en="Judge Xiao Wu explains the law",
        place="3205",
        template="xiaowu_judge_talks",
        categories=("theory_policy", "legal"),
        audiences=("residents", "elderly", "migrant_workers"),
        tags=("theory_talk", "law_popularisation", "civil_code", "labour_rights"),
        skills=("public_speaking", "legal_advice"),
        capacity=100,
        description="Seed theory-talk project, delivered to stations through the platform.",
    ),
    Resource(
        name="pingtan_civil_code",
        kind="project",
        name_zh="苏州评弹唱民法",
        name_en="Suzhou pingtan sings the Civil Code",
        place="3205",
        template="pingtan_civil_code",
        categories=("legal", "culture_arts"),
        audiences=("residents", "elderly"),
        tags=("civil_code", "pingtan", "law_popularisation", "opera"),
        skills=("legal_advice",),
        capacity=120,
        description="Seed joint project with culture & tourism; justice's share (lawyers).",
    ),
    Resource(
        name="volunteer_lawyers",
        kind="team",
        name_zh="苏州市律师公益法律服务团",
        name_en="Suzhou volunteer lawyers' legal service group",
        place="3205",
        categories=("legal", "help_in_difficulty"),
        audiences=("residents", "elderly", "migrant_workers", "new_employment"),
        tags=(
            "legal_advice",
            "legal_aid",
            "labour_rights",
            "wage_arrears",
            "civil_code",
            "licensed_legal_professional",
        ),
        skills=("legal_advice", "labour_law"),
        capacity=20,
        members=320,
        months=(),
        description="Practising lawyers who staff consultation desks and take legal-aid cases.",
    ),
    Resource(
        name="chengxiang_mediators",
        kind="team",
        name_zh="城厢镇人民调解志愿服务队",
        name_en="Chengxiang town people's mediation volunteers",
        place="320585100",
        categories=("mediation",),
        audiences=("residents",),
        tags=("mediation", "neighbour_disputes"),
        skills=("mediation",),
        capacity=10,
        members=36,
        description="Resident mediators trained by the Chengxiang judicial office.",
    ),
)

RULES = (
    Rule(
        name="licensed_advice",
        kind="tags",
        mode="filter",
        params={"require": ["licensed_legal_professional"], "min_overlap": 0},
        scope=RuleScope(departments=("justice",), resource_kinds=("team",), categories=("legal",)),
        description=(
            "Legal advice is given only by teams with licensed lawyers, notaries or judges "
            "(tag licensed_legal_professional); resident mediators handle mediation only."
        ),
    ),
    Rule(
        name="those_who_cannot_pay",
        kind="audience",
        mode="score",
        weight=0.12,
        params={
            "audiences": [
                "elderly",
                "migrant_workers",
                "new_employment",
                "people_in_difficulty",
                "people_with_disabilities",
            ]
        },
        scope=RuleScope(departments=("justice",)),
        description=(
            "Public legal services go first to those least able to pay a lawyer: elderly "
            "people, migrant and gig workers, people in difficulty or with disabilities."
        ),
    ),
    Rule(
        name="park_within_walk",
        kind="distance",
        mode="both",
        weight=0.08,
        params={"reach_km": 3.0, "decay_km": 1.0},
        scope=RuleScope(departments=("justice",), resource_kinds=("venue",)),
        description=(
            "A rule-of-law park is a village park: it hosts groups from within 3 km, "
            "the villages and communities that can walk or cycle there."
        ),
    ),
)

SETTINGS = (
    Setting(
        name="hotline",
        type="str",
        default="12348",
        description="Public legal service hotline printed on notices and order confirmations.",
    ),
    Setting(
        name="consultation_slot_minutes",
        type="int",
        default=20,
        minimum=5,
        maximum=120,
        description="Length of one resident's slot at a consultation desk, for booking.",
    ),
)


register_department = contributes(
    DEPARTMENT, doc="The Bureau of Justice, its sub-center and hub corps."
)


register_categories = contributes(
    CATEGORIES, doc="People's mediation, a service of its own beside legal advice."
)


register_site_types = contributes(
    SITE_TYPES, doc="Rule-of-law parks, legal service stations, judicial offices, mediation rooms."
)


register_templates = contributes(
    TEMPLATES, doc="The seed's talks and the pingtan joint project, plus realistic legal services."
)


register_resources = contributes(
    RESOURCES, doc="The hub corps, the Dianzhan park, the seed projects and the lawyers' group."
)


register_rules = contributes(
    RULES, doc="Licensed advice only, priority for those who cannot pay, parks within a walk."
)


register_settings = contributes(SETTINGS, doc="The hotline and consultation slot length.")


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "justice",
            "司法",
            "Justice",
            "司法局 司法所 模拟法庭 法官 小吴法官说法 消费者权益 消费维权 3·15 土地承包 公证 法律明白人 法律顾问",
        ),
        ("family_law", "婚姻家庭法律", "Family law", "婚姻法 离婚 赡养 抚养 家事纠纷 婚姻家庭纠纷"),
        ("inheritance", "遗产继承", "Inheritance", "继承 遗嘱 遗产 立遗嘱"),
        ("labour_law", "劳动法", "Labour law", "劳动合同 劳动纠纷 劳动争议 工伤"),
        ("labour_rights", "劳动维权", "Labour rights", "维权 权益保护 讨薪 工人维权"),
        (
            "law_popularisation",
            "普法",
            "Law popularisation",
            "普法宣传 法治宣传 法律知识 学法 法治教育 法律讲座 法治讲座 法治 以案说法 宪法 普法讲座 法律进社区",
        ),
        ("legal_aid", "法律援助", "Legal aid", "免费法律援助 法援 法律帮助 援助律师"),
        (
            "licensed_legal_professional",
            "执业法律工作者",
            "Licensed legal professionals",
            "律师 执业律师 公证员 基层法律服务工作者",
        ),
        ("neighbour_disputes", "邻里纠纷", "Neighbour disputes", "邻里矛盾 邻里关系 噪音纠纷"),
        ("rule_of_law_park", "法治公园", "Rule-of-law parks", "法治文化公园 法治广场 法治文化阵地"),
        ("wage_arrears", "欠薪", "Wage arrears", "拖欠工资 讨薪 欠薪维权 工资拖欠"),
        (
            "youth_law",
            "青少年法治",
            "Law for young people",
            "青少年普法 校园普法 未成年人保护 防校园欺凌 校园欺凌 法治副校长",
        ),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
