"""Veterans Affairs Bureau (市退役军人事务局): service stations, the defence park, rescue teams.

The seed names three things of this department: "太仓市城厢镇电站村引入退役军人事务局资源建设了
双拥国防园" (a double-support national-defence park at Dianzhan village, Chengxiang town,
Taicang); "退役军人应急救援" among the teams of the joint "应急救助普及" rescue training
(registered by emergency, with health); and "困难军人家庭'助医行'（退役军人系统和卫健行业拼单）",
medical help for needy military families, co-delivered with health — registered here.
"""

from __future__ import annotations

from wenming import API_VERSION, contributes
from wenming.records import (
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

#: Dianzhan village (电站村), Chengxiang town (城厢镇), Taicang (太仓市).
DIANZHAN_VILLAGE = "320585100203"

DEPARTMENT = Department(
    code="veterans",
    name_zh="苏州市退役军人事务局",
    name_en="Suzhou Veterans Affairs Bureau",
    subcenter_zh="退役军人事务行业新时代文明实践分中心",
    subcenter_en="Veterans affairs practice sub-center",
    corps_zh="退役军人志愿服务总队",
    corps_en="Veterans volunteer corps",
    description=(
        "Veterans service stations in every town and village, defence-education sites, "
        "veteran volunteer and rescue teams; care for military families."
    ),
)

SITE_TYPES = (
    SiteType(
        name="service_station",
        name_zh="退役军人服务站文明实践点",
        name_en="Veterans service station practice point",
        level="practice_point",
        description="The veterans service station of a town or village (退役军人服务站).",
    ),
    SiteType(
        name="defence_park",
        name_zh="双拥国防教育园",
        name_en="Double-support national-defence park",
        level="practice_point",
        description="An outdoor park of national-defence and double-support (双拥) education.",
    ),
    SiteType(
        name="martyrs_memorial",
        name_zh="烈士纪念设施",
        name_en="Martyrs' memorial",
        level="practice_point",
        description="A martyrs' cemetery or memorial hall used for remembrance and education.",
    ),
)

TEMPLATES = (
    Template(
        name="medical_help",
        name_zh="困难军人家庭“助医行”",
        name_en="Medical help for needy military families",
        category="health_fitness",
        audiences=("military_families", "people_in_difficulty", "elderly"),
        benefit_type="targeted",
        duration_hours=3.0,
        capacity=10,
        site_types=("service_station", "station"),
        skills=("home_visit", "medical_escort", "general_practice"),
        team_kinds=("veteran_volunteers", "medical_volunteers"),
        tags=("medical_help", "free_clinic", "home_visit", "military_families"),
        parts=(
            JointPart(
                department="veterans",
                contribution_zh="退役军人服务站摸排困难军人家庭，志愿者上门走访、陪同就医",
                contribution_en=(
                    "Veterans service stations find needy military families; volunteers "
                    "visit them and escort them to appointments"
                ),
                resource_kinds=("team",),
                skills=("home_visit", "medical_escort"),
            ),
            JointPart(
                department="health",
                contribution_zh="医务志愿者上门义诊、健康评估，开通就医绿色通道",
                contribution_en=(
                    "Medical volunteers hold home and station clinics, assess health and "
                    "arrange priority hospital care"
                ),
                resource_kinds=("team",),
                skills=("general_practice",),
            ),
        ),
        seed=True,
        description=(
            "The seed's joint project of veterans affairs and health (拼单): home visits, free "
            "clinics and escorted hospital care for military families in difficulty."
        ),
    ),
    Template(
        name="defence_education",
        service_mode="destination",
        name_zh="双拥国防园国防教育课",
        name_en="National-defence lesson at the defence park",
        category="theory_policy",
        audiences=("minors", "families_with_children", "residents"),
        benefit_type="universal",
        duration_hours=2.0,
        capacity=120,
        site_types=("defence_park", "martyrs_memorial"),
        skills=("public_speaking", "guided_tour"),
        team_kinds=("veteran_volunteers",),
        tags=("national_defence", "red_education", "double_support", "study_tour"),
        description="Veterans guide classes and families through a defence park's exhibits.",
    ),
    Template(
        name="remembrance",
        service_mode="destination",
        name_zh="缅怀先烈祭扫活动",
        name_en="Remembrance of the martyrs",
        category="theory_policy",
        audiences=("minors", "residents"),
        benefit_type="universal",
        duration_hours=2.0,
        capacity=150,
        months=(4, 9),
        site_types=("martyrs_memorial",),
        skills=("guided_tour", "ceremony"),
        team_kinds=("veteran_volunteers",),
        tags=("red_education", "remembrance"),
        description="Around Qingming (April) and Martyrs' Day (30 September).",
    ),
    Template(
        name="veteran_storytellers",
        name_zh="老兵讲党史",
        name_en="Veterans tell party history",
        category="theory_policy",
        audiences=("minors", "residents", "elderly"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=80,
        site_types=("station", "service_station", "defence_park"),
        skills=("public_speaking",),
        team_kinds=("veteran_volunteers",),
        tags=("theory_talks", "red_education", "party_history"),
        description="Veterans tell their own service stories at stations and schools.",
    ),
    Template(
        name="veteran_rescue_training",
        name_zh="退役军人应急救援技能培训",
        name_en="Rescue-skills training by veteran rescuers",
        category="emergency_rescue",
        audiences=("residents", "new_employment", "drivers"),
        benefit_type="universal",
        duration_hours=3.0,
        capacity=40,
        site_types=("station", "service_station"),
        skills=("first_aid", "cpr", "rescue"),
        team_kinds=("certified_rescue_team",),
        tags=("first_aid", "cpr", "rescue_training", "certified_rescue"),
        description=(
            "Certified veteran rescuers teach CPR, AED use and self-rescue to residents, "
            "riders and drivers."
        ),
    ),
    Template(
        name="veteran_care_visits",
        name_zh="关爱老兵上门走访",
        name_en="Visits to elderly veterans",
        category="help_in_difficulty",
        audiences=("military_families", "elderly"),
        benefit_type="targeted",
        duration_hours=2.0,
        capacity=5,
        site_types=("service_station", "station"),
        skills=("home_visit",),
        team_kinds=("veteran_volunteers",),
        tags=("home_visit", "military_families", "elderly_care"),
        description="Regular visits, small repairs and errands for elderly and disabled veterans.",
    ),
)

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="退役军人志愿服务总队",
        name_en="Veterans volunteer corps",
        place="3205",
        categories=("theory_policy", "help_in_difficulty", "health_fitness"),
        audiences=("military_families", "minors", "residents", "elderly"),
        skills=("public_speaking", "guided_tour", "home_visit", "medical_escort"),
        tags=("red_education", "national_defence", "home_visit", "military_families"),
        capacity=60,
        members=800,
        description="The department's hub corps (枢纽型总队).",
    ),
    Resource(
        name="defence_park",
        kind="venue",
        name_zh="电站村双拥国防园",
        name_en="Dianzhan village double-support defence park",
        place=DIANZHAN_VILLAGE,
        site_type="defence_park",
        categories=("theory_policy",),
        audiences=("minors", "families_with_children", "residents"),
        tags=("national_defence", "red_education", "double_support", "study_tour"),
        capacity=200,
        description=(
            "Seed venue: built by Dianzhan village's practice station with the Veterans Affairs "
            "Bureau's resources (太仓市城厢镇电站村)."
        ),
    ),
    Resource(
        name="veteran_rescue_team",
        kind="team",
        name_zh="退役军人应急救援志愿服务队",
        name_en="Veteran emergency rescue volunteers",
        place="3205",
        categories=("emergency_rescue",),
        audiences=("residents", "new_employment", "drivers"),
        skills=("first_aid", "cpr", "rescue", "water_rescue"),
        tags=("first_aid", "cpr", "rescue_training", "certified_rescue", "emergency_training"),
        capacity=40,
        members=260,
        description=(
            "Seed team (退役军人应急救援) of the joint 应急救助普及 training with health and "
            "emergency management."
        ),
    ),
    Resource(
        # Not linked to the joint template with ``template=``: while health is not
        # installed the template is unavailable and such a link would fail the plugin.
        name="medical_help",
        kind="project",
        name_zh="困难军人家庭“助医行”",
        name_en="Medical help for needy military families",
        place="3205",
        categories=("health_fitness", "help_in_difficulty"),
        audiences=("military_families", "people_in_difficulty", "elderly"),
        skills=("home_visit", "medical_escort"),
        tags=("medical_help", "free_clinic", "home_visit", "military_families"),
        capacity=10,
        description="Seed project: the veterans' part of 助医行, run from the service stations.",
    ),
    Resource(
        name="storytellers",
        kind="team",
        name_zh="老兵宣讲团",
        name_en="Veteran storytellers",
        place="3205",
        template="veteran_storytellers",
        categories=("theory_policy",),
        audiences=("minors", "residents", "elderly"),
        skills=("public_speaking",),
        tags=("theory_talks", "red_education", "party_history"),
        capacity=80,
        members=60,
        description="Veterans who give talks at stations and schools (not named in the seed).",
    ),
)

RULES = (
    Rule(
        name="military_families_first",
        kind="audience",
        mode="score",
        weight=0.2,
        params={"audiences": ["military_families"]},
        description="Veterans' teams serve military families first (优先优待).",
    ),
    Rule(
        name="certified_rescuers_only",
        kind="tags",
        mode="filter",
        params={"min_overlap": 0, "require": ["certified_rescue"]},
        scope=RuleScope(
            departments=("veterans",), resource_kinds=("team",), categories=("emergency_rescue",)
        ),
        description=(
            "Only a certified rescue team may give veterans' rescue training; other veteran "
            "teams are not sent to emergency-rescue demands."
        ),
    ),
    Rule(
        name="remembrance_season",
        kind="time",
        mode="filter",
        params={"months": [4, 9]},
        scope=RuleScope(templates=("remembrance",)),
        description="Remembrance activities are held around Qingming and Martyrs' Day.",
    ),
)

SETTINGS = (
    Setting(
        name="home_visit_reach_km",
        type="float",
        default=10.0,
        minimum=0.5,
        description="How far 助医行 and care volunteers travel for a home visit.",
    ),
    Setting(
        name="escorts_per_family",
        type="int",
        default=2,
        minimum=1,
        maximum=5,
        description="Volunteers sent with each family on an escorted hospital visit.",
    ),
)


register_department = contributes(
    DEPARTMENT, doc="The Veterans Affairs Bureau, its sub-center and hub corps."
)


register_site_types = contributes(
    SITE_TYPES, doc="Veterans service stations, defence parks and martyrs' memorials."
)


register_templates = contributes(
    TEMPLATES, doc="The joint 助医行 (with health) and the bureau's own projects."
)


register_resources = contributes(
    RESOURCES, doc="The hub corps, the defence park at Dianzhan village and the seed's teams."
)


register_rules = contributes(RULES, doc="How veterans affairs decides who it serves.")


register_settings = contributes(SETTINGS, doc="Veterans' typed settings.")


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "veterans",
            "退役军人事务",
            "Veterans affairs",
            "退役军人 退伍军人 老兵 军人 优抚 光荣牌 八一 建军节 困难退役军人 军民共建 军休 助医行 助医 就医 住院陪护 拥军",
        ),
        ("ceremony", "纪念仪式", "Ceremonies", "升旗仪式 悼念 献花"),
        ("double_support", "双拥", "Double support", "拥军优属 拥政爱民 双拥共建 拥军"),
        (
            "emergency_training",
            "退役军人应急训练",
            "Emergency drills by veterans",
            "应急演练 军事训练",
        ),
        (
            "national_defence",
            "国防教育",
            "National defence education",
            "国防 军训 国防知识 爱国主义 征兵 兵役 爱国主义教育",
        ),
        (
            "red_education",
            "红色教育",
            "Red education",
            "红色 红色基因 红色故事 革命传统 红色文化 革命历史 老兵讲故事",
        ),
        (
            "remembrance",
            "缅怀先烈",
            "Remembrance",
            "清明祭扫 祭扫 烈士 烈士陵园 英烈 缅怀 扫墓 纪念",
        ),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
