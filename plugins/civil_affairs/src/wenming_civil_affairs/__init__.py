"""Civil Affairs Bureau (市民政局): marriage registration and care for older people.

The seed names the joint project "'江南美学'户外婚姻登记服务（民政、园林行业拼单）": couples
register their marriage outdoors in a Suzhou garden — civil affairs brings the registrars
and the ceremony, gardens bring the garden. The bureau also runs the city's elderly care
(the seed lists 养老 among the policies volunteers explain at stations) and the
social-work stations of towns and subdistricts.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING

from wenming import API_VERSION, contributes
from wenming.records import (
    Audience,
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

if TYPE_CHECKING:
    from wenming.registry import Registry

WENMING_API = API_VERSION

DEPARTMENT = Department(
    code="civil_affairs",
    name_zh="苏州市民政局",
    name_en="Suzhou Civil Affairs Bureau",
    subcenter_zh="民政行业新时代文明实践分中心",
    subcenter_en="Civil affairs practice sub-center",
    corps_zh="民政志愿服务总队",
    corps_en="Civil affairs volunteer corps",
    description="Marriage registration, elderly care, social assistance and social work.",
)

CATEGORIES = (
    Category(
        name="marriage_family",
        name_zh="婚姻家庭服务",
        name_en="Marriage and family services",
        description="Pre-marital counselling, family mediation and registration ceremonies.",
    ),
)

AUDIENCES = (
    Audience(
        name="newlyweds",
        name_zh="新婚登记夫妇",
        name_en="Couples registering their marriage",
    ),
    Audience(
        name="elderly_living_alone",
        name_zh="空巢独居老人",
        name_en="Older people living alone",
        description="Empty-nest and solitary elderly, the first households for home visits.",
    ),
)

SITE_TYPES = (
    SiteType(
        name="marriage_registry",
        name_zh="婚姻登记处文明实践点",
        name_en="Marriage registry practice point",
        level="practice_point",
        description="A marriage registration office with a ceremony hall (颁证厅).",
    ),
    SiteType(
        name="home_care_centre",
        name_zh="居家养老服务中心",
        name_en="Home-care service centre",
        level="practice_point",
        description="A day-care and meal centre for older people of the surrounding estates.",
    ),
    SiteType(
        name="social_work_station",
        name_zh="社会工作服务站",
        name_en="Social-work station",
        level="practice_point",
        description="A town or subdistrict social-work station (镇街社工站).",
    ),
    SiteType(
        name="nursing_home",
        name_zh="养老机构文明实践点",
        name_en="Nursing home practice point",
        level="practice_point",
        description="A residential care home that welcomes volunteers.",
    ),
)

#: Words a station uses when it asks for an outdoor wedding registration.
WEDDING_TAGS = ("wedding", "marriage_registration", "outdoor_ceremony", "garden")

TEMPLATES = (
    Template(
        name="jiangnan_wedding_registration",
        service_mode="destination",
        travel_km=60.0,
        name_zh="“江南美学”户外婚姻登记服务",
        name_en="Jiangnan aesthetics outdoor wedding registration",
        category="culture_arts",
        audiences=("newlyweds", "residents"),
        benefit_type="universal",
        duration_hours=2.0,
        capacity=20,
        months=(3, 4, 5, 9, 10, 11),
        skills=("marriage_registration", "ceremony_hosting"),
        team_kinds=("registrars",),
        tags=(*WEDDING_TAGS, "jiangnan_aesthetics"),
        parts=(
            JointPart(
                department="civil_affairs",
                contribution_zh="婚姻登记员现场办理登记、颁证师主持颁证仪式",
                contribution_en=(
                    "Registrars register the marriages on the spot; a certified host leads "
                    "the certificate ceremony"
                ),
                resource_kinds=("team",),
                skills=("marriage_registration",),
            ),
            JointPart(
                department="gardens",
                contribution_zh="提供园林景区场地与花艺布置，展示江南园林之美",
                contribution_en="A classical garden as the setting, dressed with flowers by its gardeners",
                resource_kinds=("venue",),
            ),
        ),
        seed=True,
        description=(
            "Couples register their marriage in a Suzhou garden in spring or autumn: the "
            "registry comes out to the garden, the garden frames the ceremony."
        ),
    ),
    Template(
        name="marriage_family_counselling",
        name_zh="婚姻家庭辅导",
        name_en="Marriage and family counselling",
        category="marriage_family",
        audiences=("newlyweds", "residents"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=20,
        site_types=("marriage_registry", "social_work_station", "station"),
        skills=("family_counselling", "mediation"),
        team_kinds=("social_workers",),
        tags=("family_counselling", "mediation", "marriage"),
        description="Pre-marital classes and help for families in conflict, by counsellors.",
    ),
    Template(
        name="living_alone_visits",
        name_zh="空巢独居老人关爱探访",
        name_en="Visits to older people living alone",
        category="help_in_difficulty",
        audiences=("elderly_living_alone", "elderly"),
        benefit_type="targeted",
        duration_hours=1.5,
        capacity=10,
        site_types=("home_care_centre", "social_work_station", "station"),
        skills=("elderly_care",),
        team_kinds=("neighbour_volunteers",),
        tags=("elderly_care", "home_visit", "loneliness"),
        description="Regular visits and calls: a chat, a safety check, errands, a word to the family.",
    ),
    Template(
        name="elderly_meal_help",
        name_zh="老年助餐志愿服务",
        name_en="Meal help for older people",
        category="help_in_difficulty",
        audiences=("elderly", "elderly_living_alone", "people_with_disabilities"),
        benefit_type="targeted",
        duration_hours=2.0,
        capacity=40,
        site_types=("home_care_centre",),
        skills=("meal_delivery",),
        team_kinds=("neighbour_volunteers",),
        tags=("elderly_meals", "elderly_care", "delivery"),
        description="Volunteers serve lunch at the centre and bring it to those who cannot come.",
    ),
    Template(
        name="smartphone_class_for_elders",
        name_zh="智能手机助老课堂",
        name_en="Smartphone class for older people",
        category="education_support",
        audiences=("elderly",),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=25,
        site_types=("home_care_centre", "station"),
        skills=("digital_skills",),
        team_kinds=("student_volunteers",),
        tags=("digital_divide", "smartphone", "elderly_care"),
        description="Health codes, video calls, paying and spotting scams, one helper per two elders.",
    ),
    Template(
        name="care_policy_talk",
        name_zh="养老与社会救助政策宣讲",
        name_en="Talk on elderly-care and social-assistance policy",
        category="theory_policy",
        audiences=("elderly", "people_in_difficulty", "people_with_disabilities"),
        benefit_type="universal",
        duration_hours=1.0,
        capacity=50,
        site_types=("social_work_station", "home_care_centre", "station"),
        skills=("social_work", "public_speaking"),
        team_kinds=("social_workers",),
        tags=("policy_talk", "social_assistance", "elderly_care"),
        description="Who is entitled to what: care subsidies, minimum living allowance, disability aid.",
    ),
)

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="民政志愿服务总队",
        name_en="Civil affairs volunteer corps",
        place="3205",
        categories=("help_in_difficulty", "theory_policy", "education_support"),
        audiences=(
            "elderly",
            "elderly_living_alone",
            "people_in_difficulty",
            "people_with_disabilities",
        ),
        skills=("elderly_care", "social_work", "public_speaking", "digital_skills"),
        tags=("elderly_care", "policy_talk", "social_assistance", "home_visit"),
        capacity=60,
        members=450,
        description="The department's hub corps (枢纽型总队).",
    ),
    Resource(
        name="wedding_registrars",
        kind="team",
        name_zh="婚姻登记颁证志愿服务队",
        name_en="Marriage registration and ceremony volunteer team",
        place="3205",
        categories=("culture_arts", "marriage_family"),
        audiences=("newlyweds", "residents"),
        skills=("marriage_registration", "ceremony_hosting", "family_counselling"),
        tags=(*WEDDING_TAGS, "jiangnan_aesthetics", "family_counselling"),
        capacity=20,
        members=40,
        months=(3, 4, 5, 9, 10, 11),
        description=(
            "Registrars and certified ceremony hosts (颁证师) who take registration outdoors "
            "for 江南美学; their outdoor season is spring and autumn."
        ),
    ),
    Resource(
        name="neighbour_watch_team",
        kind="team",
        name_zh="邻里守望助老志愿服务队",
        name_en="Neighbour-watch elderly help team",
        place="320508",
        categories=("help_in_difficulty", "education_support"),
        audiences=("elderly_living_alone", "elderly", "people_with_disabilities"),
        skills=("elderly_care", "meal_delivery", "digital_skills"),
        tags=("elderly_care", "home_visit", "elderly_meals", "smartphone"),
        capacity=15,
        members=200,
        description="Younger neighbours in Gusu who visit, cook and help with phones.",
    ),
    Resource(
        name="gusu_marriage_registry",
        kind="venue",
        name_zh="姑苏区婚姻登记处",
        name_en="Gusu district marriage registry",
        place="320508",
        site_type="marriage_registry",
        categories=("marriage_family", "culture_arts"),
        audiences=("newlyweds", "residents"),
        tags=("marriage_registration", "wedding", "family_counselling"),
        capacity=40,
        description="Registry with a ceremony hall and a counselling room.",
    ),
    Resource(
        name="home_care_centre_pingjiang",
        kind="venue",
        name_zh="居家养老服务中心（姑苏区平江街道）",
        name_en="Home-care service centre, Pingjiang subdistrict, Gusu",
        place="320508018",
        site_type="home_care_centre",
        categories=("help_in_difficulty", "education_support", "theory_policy"),
        audiences=("elderly", "elderly_living_alone", "people_with_disabilities"),
        tags=("elderly_care", "elderly_meals", "smartphone", "policy_talk"),
        capacity=40,
        description="Day care and a canteen for the old-town estates around it.",
    ),
    Resource(
        name="social_work_station_chengxiang",
        kind="venue",
        name_zh="城厢镇社会工作服务站（太仓市）",
        name_en="Chengxiang town social-work station, Taicang",
        place="320585100",
        site_type="social_work_station",
        categories=("help_in_difficulty", "theory_policy", "marriage_family"),
        audiences=("elderly", "people_in_difficulty", "people_with_disabilities", "residents"),
        tags=("social_assistance", "policy_talk", "home_visit", "family_counselling"),
        capacity=30,
        description="The town's social-work station, serving its villages and communities.",
    ),
)

_ELDERLY = [
    "core.elderly",
    "civil_affairs.elderly_living_alone",
    "core.people_with_disabilities",
    "core.people_in_difficulty",
]

RULES = (
    Rule(
        name="elders_first",
        kind="audience",
        mode="score",
        weight=0.11,
        params={"audiences": _ELDERLY},
        scope=RuleScope(departments=("civil_affairs",), categories=("help_in_difficulty",)),
        description=(
            "Civil affairs' help goes first to older, disabled and needy people: such a demand "
            "scores higher on civil affairs resources that serve them."
        ),
    ),
    Rule(
        name="care_close_to_home",
        kind="distance",
        mode="both",
        weight=0.08,
        params={"reach_km": 1.5, "decay_km": 0.8},
        scope=RuleScope(
            departments=("civil_affairs",),
            resource_kinds=("venue",),
            categories=("help_in_difficulty",),
        ),
        description=(
            "Older people walk to a care centre: civil affairs venues take help-in-difficulty "
            "demands within 1.5 km, the nearer the better."
        ),
    ),
)

SETTINGS = (
    Setting(
        name="couples_per_outdoor_session",
        type="int",
        default=10,
        minimum=1,
        maximum=50,
        description="Couples registered in one outdoor 江南美学 session (one registrar team).",
    ),
    Setting(
        name="visit_interval_days",
        type="int",
        default=7,
        minimum=1,
        maximum=31,
        description="Days between visits to an older person living alone.",
    ),
)


def outdoor_sessions_needed(registry: Registry, couples: int) -> int:
    """Outdoor 江南美学 sessions needed for ``couples`` booked couples."""
    if couples < 0:
        raise ValueError(f"couples must be ≥ 0, got {couples}")
    return math.ceil(couples / registry.setting("civil_affairs", "couples_per_outdoor_session"))


def next_visit(registry: Registry, last_visit: date) -> date:
    """When an older person living alone, last visited on ``last_visit``, is due again."""
    return last_visit + timedelta(days=registry.setting("civil_affairs", "visit_interval_days"))


register_department = contributes(
    DEPARTMENT, doc="The Civil Affairs Bureau, its sub-center and hub corps."
)


register_categories = contributes(
    CATEGORIES, doc="Marriage and family services, a line of work the core categories do not name."
)


register_audiences = contributes(
    AUDIENCES, doc="Couples registering their marriage, and older people living alone."
)


register_site_types = contributes(
    SITE_TYPES,
    doc="Marriage registries, home-care centres, social-work stations and nursing homes.",
)


register_templates = contributes(
    TEMPLATES, doc="The joint 江南美学 wedding registration and five civil-affairs projects."
)


register_resources = contributes(RESOURCES, doc="The hub corps, two teams and three venues.")


register_rules = contributes(RULES, doc="How civil affairs decides who it serves.")


register_settings = contributes(SETTINGS, doc="Civil affairs' typed settings.")


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "civil_affairs",
            "民政",
            "Civil affairs",
            "民政局 慰问 救助 辅具 重阳 重阳节 认知症 阿尔茨海默 失智 新人 养老院 敬老院 社区养老 低保户",
        ),
        ("ceremony_hosting", "仪式主持", "Ceremony hosting", "主持 司仪 证婚"),
        ("digital_skills", "数字技能", "Digital skills", "教老人用手机 智能技术 数字助老"),
        (
            "elderly_meals",
            "老年助餐",
            "Meals for the elderly",
            "助餐 老年食堂 长者食堂 助餐点 吃饭难",
        ),
        (
            "family_counselling",
            "婚姻家庭辅导",
            "Family counselling",
            "婚姻辅导 婚前辅导 婚姻家庭 家庭关系 婚姻咨询 婚姻调适",
        ),
        (
            "loneliness",
            "精神慰藉",
            "Loneliness",
            "陪伴 聊天 孤独 空巢 独居 心理慰藉 陪聊 空巢老人 独居老人",
        ),
        ("marriage", "婚姻", "Marriage", "新婚夫妇 婚俗 移风易俗 婚俗改革"),
        ("marriage_registration", "婚姻登记", "Marriage registration", "结婚登记 领证 登记结婚"),
        ("meal_delivery", "送餐上门", "Meal delivery", "上门送餐 送饭"),
        (
            "social_assistance",
            "社会救助",
            "Social assistance",
            "低保 困难救助 救助帮扶 困难帮扶 帮困 扶贫济困 困难家庭",
        ),
        ("social_work", "社会工作", "Social work", "社工 社工服务 社会工作者"),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
