"""Suzhou Municipal Health Commission (苏州市卫生健康委员会, 市卫健委): first aid, clinics, herbs.

The seed: Dianzhan village in Chengxiang town, Taicang, "引入卫健委资源合作建设了中草药种植实践
田" (a herb-garden practice field); "健康住区 物业护航" with housing, where the commission's
professional first-aid team trains property staff and each community forms a 24-hour
"第一救护人" (first responder) volunteer team that teaches residents first aid — health
registers that joint template; "应急救助普及" (registered by emergency) with the
金色闪电急救科普 and 红十字应急救援 teams training communities, couriers and drivers; and
"助医行", medical help for needy military families, with veterans.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from wenming import API_VERSION, contributes, hookimpl
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

if TYPE_CHECKING:
    import click

WENMING_API = API_VERSION

#: Dianzhan village (电站村), Chengxiang town, Taicang: home of the seed's herb garden.
DIANZHAN_VILLAGE = "320585100203"
CHENGXIANG_TOWN = "320585100"

DEPARTMENT = Department(
    code="health",
    name_zh="苏州市卫生健康委员会",
    name_en="Suzhou Municipal Health Commission",
    subcenter_zh="卫生健康行业新时代文明实践分中心",
    subcenter_en="Health practice sub-center",
    corps_zh="苏州市卫生健康志愿服务总队",
    corps_en="Suzhou health volunteer corps",
    description=(
        "Hospitals, community health centers, the emergency center (120) and public health; "
        "its volunteers are doctors, nurses, first-aid instructors and pharmacists."
    ),
)

SITE_TYPES = (
    SiteType(
        name="community_health_center",
        name_zh="社区卫生服务中心",
        name_en="Community health center",
        level="practice_point",
        description="The town or subdistrict's primary care center, with family doctors.",
    ),
    SiteType(
        name="hospital",
        name_zh="医院文明实践点",
        name_en="Hospital practice point",
        level="practice_point",
        description="A public hospital's volunteer desk and health-education room.",
    ),
    SiteType(
        name="herb_garden",
        name_zh="中草药种植实践田",
        name_en="Herb garden practice field",
        level="practice_point",
        description="A field of medicinal herbs where residents learn traditional medicine.",
    ),
    SiteType(
        name="first_aid_training_base",
        name_zh="应急救护培训基地",
        name_en="First-aid training base",
        level="practice_point",
        description="A classroom with manikins and AED trainers, run with the Red Cross.",
    ),
    SiteType(
        name="village_clinic",
        name_zh="村卫生室",
        name_en="Village clinic",
        level="practice_point",
        description="A village's clinic where the village doctor sees patients.",
    ),
)

#: The words a station uses when it asks for first aid for its estates' property staff.
FIRST_RESPONDER_TAGS = ("first_aid", "cpr", "aed", "first_responder", "property_service")

TEMPLATES = (
    Template(
        name="first_aid_training",
        name_zh="应急救护知识技能培训",
        name_en="First-aid training",
        category="emergency_rescue",
        audiences=("residents", "new_employment", "drivers"),
        benefit_type="universal",
        duration_hours=4.0,
        capacity=30,
        site_types=("first_aid_training_base", "community_health_center", "station"),
        skills=("first_aid_teaching", "cpr"),
        team_kinds=("certified_rescue_team",),
        tags=("first_aid", "cpr", "aed", "rescue_training"),
        description=(
            "CPR, AED use, the Heimlich manoeuvre and bleeding control, taught by certified "
            "instructors with manikins; one instructor per class of at most 30."
        ),
    ),
    Template(
        name="healthy_estates",
        name_zh="健康住区 物业护航",
        name_en="Healthy estates, guarded by property staff",
        category="emergency_rescue",
        audiences=("residents", "elderly"),
        benefit_type="mutual",
        duration_hours=4.0,
        capacity=30,
        site_types=("station", "community_health_center", "first_aid_training_base"),
        skills=("first_aid_teaching", "cpr", "property_management"),
        team_kinds=("certified_rescue_team", "property_volunteers"),
        # "property" and "property_staff": the words a station uses when it asks for it
        tags=(*FIRST_RESPONDER_TAGS, "residential_estate", "property", "property_staff"),
        parts=(
            JointPart(
                department="health",
                contribution_zh="卫健委急救专业团队定期培训物业工作人员急救知识和技能",
                contribution_en=(
                    "The commission's professional first-aid team trains property staff in "
                    "first-aid knowledge and skills, regularly"
                ),
                resource_kinds=("team",),
                skills=("first_aid_teaching",),
            ),
            JointPart(
                department="housing",
                contribution_zh=(
                    "物业工作人员组成24小时在线的“第一救护人”志愿队伍，面向居民开展急救公益培训"
                ),
                contribution_en=(
                    "Property staff form the estate's 24-hour first-responder (第一救护人) "
                    "team and pass first aid on to residents"
                ),
                resource_kinds=("team",),
                skills=("first_aid",),
            ),
        ),
        seed=True,
        description=(
            "Seed joint project with housing (物业+急救): the emergency team trains property "
            "staff, who become the estate's 24-hour first responders and teach residents."
        ),
    ),
    Template(
        name="free_clinic",
        name_zh="健康义诊进村居",
        name_en="Free clinic in villages and communities",
        category="health_fitness",
        audiences=("elderly", "people_in_difficulty", "migrant_workers", "new_employment"),
        benefit_type="universal",
        duration_hours=3.0,
        capacity=80,
        site_types=("station", "community_health_center", "village_clinic"),
        skills=("general_practice", "nursing"),
        team_kinds=("medical_volunteers",),
        tags=("free_clinic", "blood_pressure", "chronic_disease"),
        description=(
            "Doctors and nurses measure blood pressure and sugar, review medicines and "
            "answer questions, at a station rather than a hospital."
        ),
    ),
    Template(
        name="herb_garden_practice",
        service_mode="destination",
        travel_km=30.0,
        name_zh="中草药识药种药实践",
        name_en="Growing and knowing medicinal herbs",
        category="science",
        audiences=("minors", "families_with_children", "elderly"),
        benefit_type="universal",
        duration_hours=2.0,
        capacity=30,
        months=(3, 4, 5, 6, 7, 8, 9, 10),
        site_types=("herb_garden",),
        skills=("tcm", "horticulture"),
        team_kinds=("medical_volunteers",),
        tags=("herbal_medicine", "tcm", "nature_education", "parent_child"),
        description=(
            "In the herb garden, traditional-medicine doctors show children and families "
            "how herbs are planted, recognised and used, from spring to autumn."
        ),
    ),
    Template(
        name="family_doctor_visits",
        name_zh="家庭医生上门签约服务",
        name_en="Family doctor home visits",
        category="help_in_difficulty",
        audiences=("elderly", "people_with_disabilities", "military_families"),
        benefit_type="targeted",
        duration_hours=2.0,
        capacity=8,
        site_types=("community_health_center", "village_clinic", "station"),
        skills=("general_practice",),
        team_kinds=("medical_volunteers",),
        tags=("home_visit", "chronic_disease", "medical_help"),
        description="Family doctors visit housebound patients and keep their health records.",
    ),
    Template(
        name="health_talk",
        name_zh="健康知识讲座",
        name_en="Health talk",
        category="health_fitness",
        audiences=("residents", "elderly"),
        benefit_type="universal",
        duration_hours=1.0,
        capacity=80,
        site_types=("station", "community_health_center", "hospital"),
        skills=("public_speaking", "general_practice"),
        team_kinds=("medical_volunteers",),
        tags=("health_education", "chronic_disease"),
        description="A doctor's talk on high blood pressure, diabetes, stroke signs or diet.",
    ),
)

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="苏州市卫生健康志愿服务总队",
        name_en="Suzhou health volunteer corps",
        place="3205",
        categories=("health_fitness", "help_in_difficulty", "science"),
        audiences=("residents", "elderly", "people_in_difficulty", "migrant_workers"),
        tags=("free_clinic", "health_education", "chronic_disease", "home_visit"),
        skills=("general_practice", "nursing", "public_speaking"),
        capacity=80,
        members=5000,
        description="The department's hub corps (枢纽型总队) of doctors and nurses.",
    ),
    Resource(
        name="dianzhan_herb_garden",
        kind="venue",
        name_zh="太仓市城厢镇电站村中草药种植实践田",
        name_en="Herb garden practice field, Dianzhan village, Chengxiang, Taicang",
        place=DIANZHAN_VILLAGE,
        site_type="herb_garden",
        categories=("science", "health_fitness"),
        audiences=("minors", "families_with_children", "elderly", "residents"),
        tags=("herbal_medicine", "tcm", "nature_education", "parent_child"),
        capacity=40,
        months=(3, 4, 5, 6, 7, 8, 9, 10),
        description=(
            "Seed venue: built in Dianzhan village with the Health Commission, next to the "
            "village's rule-of-law park and double-support defence park."
        ),
    ),
    Resource(
        name="golden_lightning",
        kind="team",
        name_zh="金色闪电急救科普志愿服务队",
        name_en="Golden Lightning first-aid education team",
        place="3205",
        categories=("emergency_rescue",),
        audiences=("residents", "new_employment", "drivers", "minors"),
        tags=("first_aid", "cpr", "aed", "rescue_training", "certified_rescue"),
        skills=("first_aid_teaching", "cpr", "first_aid"),
        capacity=30,
        members=120,
        description="Seed team of 应急救助普及: teaches first aid to communities, couriers, drivers.",
    ),
    Resource(
        name="red_cross_rescue",
        kind="team",
        name_zh="红十字应急救援志愿服务队",
        name_en="Red Cross emergency rescue volunteers",
        place="3205",
        categories=("emergency_rescue",),
        audiences=("residents", "new_employment", "drivers"),
        tags=("first_aid", "cpr", "aed", "rescue_training", "certified_rescue", "rescue"),
        skills=("first_aid_teaching", "cpr", "first_aid", "rescue"),
        capacity=30,
        members=200,
        description="Seed team of 应急救助普及: certified Red Cross instructors and rescuers.",
    ),
    Resource(
        name="emergency_center_team",
        kind="team",
        name_zh="市急救中心急救专业志愿服务队",
        name_en="City emergency center first-aid professionals",
        place="3205",
        categories=("emergency_rescue",),
        audiences=("residents", "elderly"),
        tags=(*FIRST_RESPONDER_TAGS, "rescue_training", "certified_rescue", "residential_estate"),
        skills=("first_aid_teaching", "cpr", "first_aid"),
        capacity=30,
        members=60,
        description=(
            "Seed team of 健康住区 物业护航 (卫健委急救专业团队): emergency doctors and "
            "paramedics who regularly train property staff as first responders."
        ),
    ),
    Resource(
        name="healthy_estates",
        kind="project",
        name_zh="健康住区 物业护航",
        name_en="Healthy estates, guarded by property staff",
        place="3205",
        template="healthy_estates",
        categories=("emergency_rescue",),
        audiences=("residents", "elderly"),
        tags=(*FIRST_RESPONDER_TAGS, "residential_estate"),
        skills=("first_aid_teaching",),
        capacity=30,
        description="Seed joint project with housing; health's share (the trainers).",
    ),
    Resource(
        name="hospital_medical_volunteers",
        kind="team",
        name_zh="市属医院医疗志愿服务队",
        name_en="City hospitals' medical volunteers",
        place="3205",
        categories=("health_fitness", "help_in_difficulty"),
        audiences=("military_families", "elderly", "people_in_difficulty", "new_employment"),
        tags=("medical_help", "free_clinic", "home_visit", "military_families", "chronic_disease"),
        skills=("general_practice", "nursing", "medical_escort"),
        capacity=40,
        members=400,
        description=(
            "Doctors and nurses of the city hospitals; health's part in 助医行 (medical help "
            "for needy military families, with veterans) and in free clinics."
        ),
    ),
    Resource(
        name="chengxiang_health_center",
        kind="venue",
        name_zh="城厢镇社区卫生服务中心",
        name_en="Chengxiang town community health center",
        place=CHENGXIANG_TOWN,
        site_type="community_health_center",
        categories=("health_fitness", "emergency_rescue"),
        audiences=("residents", "elderly"),
        tags=("free_clinic", "health_education", "first_aid"),
        capacity=60,
        description="Realistic addition (not named in the seed): the town's primary care center.",
    ),
)

RULES = (
    Rule(
        name="certified_trainers",
        kind="tags",
        mode="filter",
        params={"require": ["certified_rescue"], "min_overlap": 0},
        scope=RuleScope(
            departments=("health",), resource_kinds=("team",), categories=("emergency_rescue",)
        ),
        description=(
            "First aid is taught only by certified instructors (tag certified_rescue: Red "
            "Cross or emergency-center qualified), never by general medical volunteers."
        ),
    ),
    Rule(
        name="vulnerable_first",
        kind="audience",
        mode="score",
        weight=0.12,
        params={
            "audiences": [
                "elderly",
                "people_in_difficulty",
                "military_families",
                "people_with_disabilities",
            ]
        },
        scope=RuleScope(
            departments=("health",), categories=("health_fitness", "help_in_difficulty")
        ),
        description=(
            "Clinics and home visits go first to older people, people in difficulty or with "
            "disabilities, and military families, who need care and can least travel for it."
        ),
    ),
    Rule(
        name="clinic_near_home",
        kind="distance",
        mode="both",
        weight=0.08,
        params={"reach_km": 3.0, "decay_km": 1.5},
        scope=RuleScope(departments=("health",), resource_kinds=("venue",)),
        description=(
            "A health center or herb garden serves its own town: demands within 3 km, "
            "since older patients and school groups do not cross the county for it."
        ),
    ),
    Rule(
        name="herb_growing_season",
        kind="time",
        mode="filter",
        params={"months": [3, 4, 5, 6, 7, 8, 9, 10]},
        scope=RuleScope(templates=("herb_garden_practice",)),
        description="Herb-garden practice runs from March to October, while herbs grow.",
    ),
)

SETTINGS = (
    Setting(
        name="max_class_per_trainer",
        type="int",
        default=30,
        minimum=1,
        maximum=100,
        description=(
            "Trainees one certified first-aid instructor teaches in a class; larger "
            "demands need more instructors or more sessions."
        ),
    ),
    Setting(
        name="certificate_valid_years",
        type="int",
        default=3,
        minimum=1,
        maximum=5,
        description="Years a first-aid (救护员) certificate stays valid before a refresher.",
    ),
)


register_department = contributes(
    DEPARTMENT, doc="The Health Commission, its sub-center and hub corps."
)


register_site_types = contributes(
    SITE_TYPES, doc="Health centers, hospitals, herb gardens, training bases, village clinics."
)


register_templates = contributes(
    TEMPLATES,
    doc="First aid, the healthy-estates joint project, clinics, herbs, home visits, talks.",
)


register_resources = contributes(
    RESOURCES, doc="The hub corps, the Dianzhan herb garden, the seed's first-aid teams, and more."
)


register_rules = contributes(
    RULES, doc="Certified trainers only, the vulnerable first, clinics near home, herb season."
)


register_settings = contributes(
    SETTINGS, doc="Class size per first-aid instructor and certificate validity."
)


@hookimpl
def register_commands(register: Callable[[click.Command], None]) -> None:
    """``wenming first-aid-plan``: instructors a first-aid class needs (imported on use)."""
    from wenming_health.first_aid import first_aid_plan_command

    register(first_aid_plan_command)


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "health",
            "卫生健康",
            "Health",
            "卫健 卫健委 医生 医院 医护 母婴 孕产妇 眼科 口腔 牙齿 防跌倒 控烟 戒烟 签约服务 识药种药 社区医院 卫生院 医疗 看病 健康服务 家庭医生签约",
        ),
        ("blood_pressure", "测血压", "Blood pressure checks", "量血压 血压 高血压 血糖 测血糖"),
        (
            "chronic_disease",
            "慢病管理",
            "Chronic disease care",
            "慢性病 慢病 糖尿病 高血压管理 慢病随访",
        ),
        ("first_aid_teaching", "急救教学", "First-aid teaching", "急救科普 教急救 急救课"),
        (
            "health_education",
            "健康教育",
            "Health education",
            "健康讲座 健康知识 健康科普 卫生知识 健康宣教 健康素养 养生 健康生活 疾病预防 健康",
        ),
        (
            "herbal_medicine",
            "中草药",
            "Herbal medicine",
            "草药 中药 药材 中草药种植 认识中草药 中药材",
        ),
        ("nursing", "护理", "Nursing", "护理知识 照护 护士 失能照护"),
        ("property", "物业急救", "First aid in estates", "小区急救"),
        ("property_staff", "物业人员", "Property staff", "物业员工 保安 物业保安 保洁员"),
        (
            "tcm",
            "中医",
            "Traditional Chinese medicine",
            "中医药 中医养生 推拿 针灸 艾灸 中医保健 中医药文化 养生保健",
        ),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
