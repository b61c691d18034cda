"""Emergency Management Bureau (市应急管理局): rescue skills for everyone, taught by certified teams.

The seed: "由市卫健委、市应急管理局、市退役军人事务局等部门合作开展的'应急救助普及'项目，通过
联合蓝天救援、'驴先生'应急救护、退役军人应急救援、金色闪电急救科普、红十字应急救援等多支专业
志愿服务队，对社区、外卖快递小哥、驾乘人员等不同群体开展培训，普及应急救援知识". The bureau
registers that joint project (its partners: health, whose first-aid teams are 金色闪电 and
the Red Cross, and veterans, whose rescue team is 退役军人应急救援) and brings its own
seed teams, Blue Sky Rescue and "驴先生" (Mr Donkey) emergency rescue.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from wenming.registry import Registry

WENMING_API = API_VERSION

#: The tag a team carries when its instructors hold current rescue-trainer certificates.
CERTIFIED = "certified_rescue"

DEPARTMENT = Department(
    code="emergency",
    name_zh="苏州市应急管理局",
    name_en="Suzhou Emergency Management Bureau",
    subcenter_zh="应急管理行业新时代文明实践分中心",
    subcenter_en="Emergency management practice sub-center",
    corps_zh="应急管理志愿服务总队",
    corps_en="Emergency management volunteer corps",
    description="Disaster prevention, work safety and the city's social rescue teams.",
)

SITE_TYPES = (
    SiteType(
        name="rescue_training_base",
        name_zh="应急救护培训基地",
        name_en="Rescue training base",
        level="practice_point",
        description="Classrooms with manikins and AED trainers for first-aid and rescue courses.",
    ),
    SiteType(
        name="safety_experience_hall",
        name_zh="安全体验馆",
        name_en="Safety experience hall",
        level="practice_point",
        description="Hands-on exhibits on fire, earthquakes, floods and work safety.",
    ),
    SiteType(
        name="emergency_shelter",
        name_zh="应急避难场所",
        name_en="Emergency shelter",
        level="practice_point",
        description="A designated shelter (park, school field) used for evacuation drills.",
    ),
)

#: Words a station uses when it asks for rescue training.
RESCUE_TAGS = ("first_aid", "cpr", "aed", "rescue_training")

TEMPLATES = (
    Template(
        name="rescue_outreach",
        name_zh="应急救助普及",
        name_en="Emergency rescue for everyone",
        category="emergency_rescue",
        audiences=("residents", "new_employment", "drivers"),
        benefit_type="universal",
        duration_hours=3.0,
        capacity=30,
        site_types=("rescue_training_base", "safety_experience_hall", "station"),
        skills=("first_aid", "cpr", "rescue_training"),
        team_kinds=("rescue_teams", "first_aid_teams"),
        tags=(*RESCUE_TAGS, "couriers", "drivers"),
        parts=(
            JointPart(
                department="emergency",
                contribution_zh="蓝天救援、“驴先生”应急救护等社会救援队授课，应急救护培训基地提供场地",
                contribution_en=(
                    "Social rescue teams (Blue Sky Rescue, Mr Donkey) teach rescue skills; "
                    "the bureau's training bases host the class"
                ),
                resource_kinds=("team",),
                skills=("rescue_training",),
            ),
            JointPart(
                department="health",
                contribution_zh="金色闪电急救科普、红十字应急救援等急救队讲授心肺复苏与AED使用",
                contribution_en=(
                    "First-aid teams (Golden Lightning, Red Cross) teach CPR and the use of an AED"
                ),
                resource_kinds=("team",),
                skills=("first_aid",),
            ),
            JointPart(
                department="veterans",
                contribution_zh="退役军人应急救援队示范搜救、转运等救援技能",
                contribution_en="The veterans' rescue team demonstrates search, rescue and carrying",
                resource_kinds=("team",),
                skills=("rescue",),
            ),
        ),
        seed=True,
        description=(
            "Rescue and first-aid training for communities, delivery riders and couriers, and "
            "drivers, taught together by social rescue teams, first-aid teams and veterans."
        ),
    ),
    Template(
        name="community_rescue_class",
        name_zh="社区应急救护培训",
        name_en="Community rescue class",
        category="emergency_rescue",
        audiences=("residents",),
        benefit_type="universal",
        duration_hours=2.0,
        capacity=40,
        site_types=("rescue_training_base", "station"),
        skills=("first_aid", "cpr", "rescue_training"),
        team_kinds=("rescue_teams",),
        tags=RESCUE_TAGS,
        description="A rescue team alone teaches CPR, bleeding control and choking help to residents.",
    ),
    Template(
        name="disaster_prevention_week",
        name_zh="防灾减灾宣传周",
        name_en="Disaster prevention week",
        category="science",
        audiences=("residents", "minors"),
        benefit_type="universal",
        duration_hours=2.0,
        capacity=150,
        months=(5,),
        site_types=("safety_experience_hall", "emergency_shelter", "station"),
        skills=("public_speaking", "evacuation_drill"),
        team_kinds=("safety_volunteers",),
        tags=("disaster_prevention", "evacuation_drill", "safety"),
        description="Around 12 May: evacuation drills, earthquake and flood exhibits, family plans.",
    ),
    Template(
        name="work_safety_month",
        name_zh="安全生产月进企业",
        name_en="Work safety month in enterprises",
        category="theory_policy",
        audiences=("migrant_workers", "residents"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=80,
        months=(6,),
        site_types=("safety_experience_hall", "station"),
        skills=("work_safety", "public_speaking"),
        team_kinds=("safety_volunteers",),
        tags=("work_safety", "policy_talk", "safety"),
        description="In June, volunteers explain the work safety law and hazards in small workshops.",
    ),
    Template(
        name="family_emergency_kit",
        name_zh="家庭应急包进万家",
        name_en="An emergency kit for every home",
        category="help_in_difficulty",
        audiences=("elderly", "people_with_disabilities", "people_in_difficulty"),
        benefit_type="targeted",
        duration_hours=1.5,
        capacity=15,
        site_types=("station",),
        skills=("home_safety_inspection",),
        team_kinds=("safety_volunteers",),
        tags=("emergency_kit", "home_safety", "elderly_care"),
        description="Volunteers bring kits to vulnerable households and check smoke alarms and gas.",
    ),
)

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="应急管理志愿服务总队",
        name_en="Emergency management volunteer corps",
        place="3205",
        categories=("science", "theory_policy", "help_in_difficulty"),
        audiences=("residents", "minors", "migrant_workers", "elderly"),
        skills=("public_speaking", "evacuation_drill", "work_safety", "home_safety_inspection"),
        tags=("disaster_prevention", "evacuation_drill", "work_safety", "safety", "emergency_kit"),
        capacity=150,
        members=400,
        description="The department's hub corps (枢纽型总队): safety education, not rescue training.",
    ),
    Resource(
        name="blue_sky_rescue",
        kind="team",
        name_zh="苏州蓝天救援队",
        name_en="Blue Sky Rescue, Suzhou",
        place="3205",
        categories=("emergency_rescue", "science"),
        audiences=("residents", "new_employment", "drivers", "minors"),
        skills=("rescue_training", "first_aid", "cpr", "water_rescue", "search_and_rescue"),
        tags=(CERTIFIED, *RESCUE_TAGS, "water_rescue", "disaster_prevention"),
        capacity=50,
        members=300,
        description="Seed team of 应急救助普及: a social rescue team with certified instructors.",
    ),
    Resource(
        name="mr_donkey_rescue",
        kind="team",
        name_zh="“驴先生”应急救护志愿服务队",
        name_en="Mr Donkey emergency rescue volunteer team",
        place="3205",
        categories=("emergency_rescue",),
        audiences=("residents", "new_employment", "drivers"),
        skills=("rescue_training", "first_aid", "cpr", "outdoor_safety"),
        tags=(CERTIFIED, *RESCUE_TAGS, "outdoor_safety"),
        capacity=40,
        members=80,
        description="Seed team of 应急救助普及: first-aid instructors from the outdoor community.",
    ),
    Resource(
        name="training_base_canglang",
        kind="venue",
        name_zh="应急救护培训基地（姑苏区沧浪街道）",
        name_en="Rescue training base, Canglang subdistrict, Gusu",
        place="320508020",
        site_type="rescue_training_base",
        categories=("emergency_rescue",),
        audiences=("residents", "new_employment", "drivers"),
        tags=RESCUE_TAGS,
        capacity=60,
        description="Two classrooms with 30 manikins and AED trainers.",
    ),
    Resource(
        name="safety_hall_xietang",
        kind="venue",
        name_zh="安全体验馆（工业园区斜塘街道）",
        name_en="Safety experience hall, Xietang subdistrict, Suzhou Industrial Park",
        place="320576051",
        site_type="safety_experience_hall",
        categories=("emergency_rescue", "science", "theory_policy"),
        audiences=("residents", "minors", "migrant_workers"),
        tags=(*RESCUE_TAGS, "disaster_prevention", "work_safety", "safety"),
        capacity=120,
        description="Earthquake platform, smoke corridor, work-safety exhibits and a first-aid room.",
    ),
    Resource(
        name="shelter_yushan_town",
        kind="venue",
        name_zh="应急避难场所（昆山市玉山镇）",
        name_en="Emergency shelter, Yushan town, Kunshan",
        place="320583100",
        site_type="emergency_shelter",
        categories=("science", "emergency_rescue"),
        audiences=("residents", "minors"),
        tags=("evacuation_drill", "disaster_prevention", "safety"),
        capacity=500,
        description="A park designated as a shelter, used for the town's evacuation drills.",
    ),
)

RULES = (
    Rule(
        name="certified_trainers",
        kind="tags",
        mode="filter",
        params={"min_overlap": 0, "require": [CERTIFIED]},
        scope=RuleScope(
            departments=("emergency",),
            resource_kinds=("team",),
            categories=("emergency_rescue",),
        ),
        description=(
            "Rescue training is taught only by teams whose instructors are certified "
            f"(tag {CERTIFIED!r}); a wrong technique taught is worse than none."
        ),
    ),
    Rule(
        name="class_fits_the_venue",
        kind="capacity",
        mode="both",
        weight=0.1,
        params={"min_fill": 0.2},
        scope=RuleScope(
            departments=("emergency",),
            resource_kinds=("venue",),
            categories=("emergency_rescue",),
        ),
        description=(
            "A rescue class needs a venue large enough for every trainee, and one it fills at "
            "least a fifth of (a shelter is not opened for a class of ten)."
        ),
    ),
    Rule(
        name="frontline_groups",
        kind="audience",
        mode="score",
        weight=0.1,
        params={"audiences": ["core.new_employment", "core.drivers"]},
        scope=RuleScope(departments=("emergency",), categories=("emergency_rescue",)),
        description=(
            "Couriers, riders and drivers are first on the scene of road accidents: rescue "
            "training for them scores higher on emergency resources that serve them."
        ),
    ),
)

SETTINGS = (
    Setting(
        name="trainees_per_instructor",
        type="int",
        default=20,
        minimum=5,
        maximum=60,
        description="Trainees one certified instructor teaches at a time in a rescue class.",
    ),
    Setting(
        name="certificate_valid_years",
        type="int",
        default=3,
        minimum=1,
        maximum=10,
        description="Years a rescue-training certificate stays valid before retraining.",
    ),
)


def instructors_needed(registry: Registry, headcount: int) -> int:
    """Certified instructors a rescue class of ``headcount`` trainees needs (at least one)."""
    if headcount < 0:
        raise ValueError(f"headcount must be ≥ 0, got {headcount}")
    per = registry.setting("emergency", "trainees_per_instructor")
    return max(1, math.ceil(headcount / per))


def certificate_expires(registry: Registry, issued: date) -> date:
    """The day a certificate issued on ``issued`` lapses (29 February → 28 February)."""
    years = registry.setting("emergency", "certificate_valid_years")
    try:
        return issued.replace(year=issued.year + years)
    except ValueError:  # 29 February in a non-leap year
        return issued.replace(year=issued.year + years, day=28)


register_department = contributes(
    DEPARTMENT, doc="The Emergency Management Bureau, its sub-center and hub corps."
)


register_site_types = contributes(
    SITE_TYPES, doc="Rescue training bases, safety experience halls and emergency shelters."
)


register_templates = contributes(
    TEMPLATES, doc="The joint 应急救助普及 and four emergency-only projects."
)


register_resources = contributes(
    RESOURCES, doc="The hub corps, the seed's two rescue teams and three venues."
)


register_rules = contributes(
    RULES, doc="How emergency management decides who may teach whom, and where."
)


register_settings = contributes(SETTINGS, doc="Emergency management's typed settings.")


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "emergency",
            "应急管理",
            "Emergency management",
            "应急局 应急 避难场所 应急避难场所 家庭应急 极端天气 火灾 应急志愿者 应急队伍 救生 红十字 防台 台风天",
        ),
        ("couriers", "快递员", "Couriers", "快递小哥 外卖小哥 送餐员"),
        (
            "disaster_prevention",
            "防灾减灾",
            "Disaster prevention",
            "防灾 减灾 自然灾害 地震 台风 灾害 防灾减灾日 避险",
        ),
        ("drivers", "司机", "Drivers", "驾驶员 货车司机 出租车司机 公交司机"),
        ("emergency_kit", "应急包", "Emergency kits", "应急物资 应急箱 家庭应急包"),
        (
            "evacuation_drill",
            "疏散演练",
            "Evacuation drills",
            "应急演练 逃生演练 消防演练 疏散 逃生 火灾逃生 演练",
        ),
        ("outdoor_safety", "户外安全", "Outdoor safety", "户外 野外安全 登山安全"),
        ("search_and_rescue", "搜救", "Search and rescue", "蓝天救援 救援队 搜索救援"),
        (
            "work_safety",
            "安全生产",
            "Work safety",
            "生产安全 企业安全 安全生产月 消防安全 防火 消防",
        ),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
