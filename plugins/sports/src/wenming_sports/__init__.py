"""Suzhou Sports Bureau (苏州市体育局): fitness guidance and community sports venues.

The seed lists sports among the fifteen departments and health & fitness (医疗健身) among
the standing volunteer teams of every town and village, but names no sports project; this
plugin holds what the bureau does in practice — social sports instructors (社会体育指导员)
giving fitness guidance, national physical fitness tests, community fitness centers and
trails within the "15-minute fitness circle", summer swimming classes — all realistic
additions, none marked as seed.
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
    code="sports",
    name_zh="苏州市体育局",
    name_en="Suzhou Sports Bureau",
    subcenter_zh="体育行业新时代文明实践分中心",
    subcenter_en="Sports practice sub-center",
    corps_zh="苏州市社会体育指导员志愿服务总队",
    corps_en="Suzhou social sports instructors volunteer corps",
    description=(
        "Fitness for all (全民健身): public sports venues, fitness trails, fitness tests and "
        "the social sports instructors who coach residents for free."
    ),
)

SITE_TYPES = (
    SiteType(
        name="community_fitness_center",
        name_zh="社区健身中心",
        name_en="Community fitness center",
        level="practice_point",
        description="An indoor fitness center in a town or community, free or low-cost.",
    ),
    SiteType(
        name="fitness_trail",
        name_zh="健身步道",
        name_en="Fitness trail",
        level="practice_point",
        description="A marked walking and running trail with fitness equipment along it.",
    ),
    SiteType(
        name="sports_park",
        name_zh="体育公园",
        name_en="Sports park",
        level="practice_point",
        description="A park with pitches and courts open to the public.",
    ),
    SiteType(
        name="fitness_test_station",
        name_zh="国民体质监测站",
        name_en="Physical fitness test station",
        level="practice_point",
        description="A station testing residents' fitness and prescribing exercise.",
    ),
    SiteType(
        name="public_stadium",
        name_zh="公共体育场馆",
        name_en="Public stadium or pool",
        level="practice_point",
        description="A public stadium, gym or swimming pool opening its halls to volunteers.",
    ),
)

TEMPLATES = (
    Template(
        name="fitness_guidance",
        name_zh="科学健身指导进社区",
        name_en="Fitness guidance in the community",
        category="health_fitness",
        audiences=("residents", "elderly"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=40,
        site_types=("community_fitness_center", "fitness_trail", "sports_park", "station"),
        skills=("fitness_coaching",),
        team_kinds=("sports_instructors",),
        tags=("fitness_guidance", "exercise_prescription", "fitness_for_all"),
        description=(
            "Social sports instructors show residents how to exercise safely and use the "
            "outdoor equipment, and correct their movements."
        ),
    ),
    Template(
        name="fitness_test",
        name_zh="国民体质监测进社区",
        name_en="Physical fitness test in the community",
        category="health_fitness",
        audiences=("residents", "elderly", "migrant_workers"),
        benefit_type="universal",
        duration_hours=3.0,
        capacity=60,
        site_types=("fitness_test_station", "station", "community_fitness_center"),
        skills=("fitness_testing", "fitness_coaching"),
        team_kinds=("fitness_testers",),
        tags=("fitness_test", "exercise_prescription", "fitness_for_all"),
        description=(
            "A mobile test of strength, balance, lung capacity and body composition, "
            "with an exercise prescription for each person."
        ),
    ),
    Template(
        name="tai_chi_for_elders",
        name_zh="太极拳健身气功公益教学",
        name_en="Tai chi and qigong for older residents",
        category="health_fitness",
        audiences=("elderly",),
        benefit_type="mutual",
        duration_hours=1.0,
        capacity=30,
        site_types=("sports_park", "station", "community_fitness_center"),
        skills=("tai_chi_coaching",),
        team_kinds=("sports_instructors",),
        tags=("tai_chi", "qigong", "fitness_for_all", "morning_exercise"),
        description=(
            "Morning classes led by instructors, who train the best pupils to lead their own group."
        ),
    ),
    Template(
        name="summer_swimming",
        service_mode="destination",
        name_zh="青少年暑期游泳公益培训",
        name_en="Free summer swimming classes for children",
        category="health_fitness",
        audiences=("minors", "children_of_migrant_workers"),
        benefit_type="targeted",
        duration_hours=1.5,
        capacity=20,
        months=(7, 8),
        site_types=("public_stadium",),
        skills=("swimming_coaching", "lifeguarding"),
        team_kinds=("swimming_coaches",),
        tags=("swimming", "drowning_prevention", "summer_holiday"),
        description=(
            "Ten-lesson swimming courses in public pools in the summer holidays, so that "
            "children can swim before they play near the water."
        ),
    ),
    Template(
        name="adaptive_fitness",
        name_zh="残疾人康复健身进家庭",
        name_en="Adapted exercise at home for people with disabilities",
        category="health_fitness",
        audiences=("people_with_disabilities",),
        benefit_type="targeted",
        duration_hours=1.0,
        capacity=5,
        site_types=("station",),
        skills=("fitness_coaching", "rehabilitation"),
        team_kinds=("sports_instructors",),
        tags=("adaptive_sports", "rehabilitation", "home_visit"),
        description="Instructors visit homes to set up simple exercises with the family.",
    ),
    Template(
        name="fitness_day_games",
        service_mode="destination",
        name_zh="全民健身日社区趣味运动会",
        name_en="National Fitness Day community games",
        category="health_fitness",
        audiences=("residents", "families_with_children"),
        benefit_type="universal",
        duration_hours=4.0,
        capacity=200,
        months=(8,),
        site_types=("sports_park", "public_stadium"),
        skills=("event_organising", "fitness_coaching"),
        team_kinds=("sports_instructors",),
        tags=("community_games", "fitness_for_all", "parent_child"),
        description="Relay, tug-of-war and parent-child games around 8 August, Fitness Day.",
    ),
)

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="苏州市社会体育指导员志愿服务总队",
        name_en="Suzhou social sports instructors volunteer corps",
        place="3205",
        categories=("health_fitness",),
        audiences=("residents", "elderly", "families_with_children", "people_with_disabilities"),
        tags=(
            "fitness_guidance",
            "exercise_prescription",
            "fitness_for_all",
            "tai_chi",
            "community_games",
            "certified_sports_instructor",
        ),
        skills=("fitness_coaching", "tai_chi_coaching", "event_organising", "rehabilitation"),
        capacity=60,
        members=3000,
        description="The department's hub corps (枢纽型总队) of certified social sports instructors.",
    ),
    Resource(
        name="fitness_testers",
        kind="team",
        name_zh="国民体质监测志愿服务队",
        name_en="Physical fitness test volunteers",
        place="3205",
        categories=("health_fitness",),
        audiences=("residents", "elderly", "migrant_workers"),
        tags=("fitness_test", "exercise_prescription", "certified_sports_instructor"),
        skills=("fitness_testing", "fitness_coaching"),
        capacity=60,
        members=80,
        description="Realistic addition (not named in the seed): a mobile test team.",
    ),
    Resource(
        name="swimming_coaches",
        kind="team",
        name_zh="游泳救生志愿教练队",
        name_en="Volunteer swimming and lifesaving coaches",
        place="3205",
        categories=("health_fitness",),
        audiences=("minors", "children_of_migrant_workers"),
        tags=("swimming", "drowning_prevention", "summer_holiday", "certified_sports_instructor"),
        skills=("swimming_coaching", "lifeguarding"),
        capacity=20,
        members=60,
        months=(6, 7, 8, 9),
        description="Realistic addition: certified coaches and lifeguards for summer classes.",
    ),
    Resource(
        name="summer_swimming",
        kind="project",
        name_zh="青少年暑期游泳公益培训",
        name_en="Free summer swimming classes for children",
        place="3205",
        template="summer_swimming",
        categories=("health_fitness",),
        audiences=("minors", "children_of_migrant_workers"),
        tags=("swimming", "drowning_prevention", "summer_holiday"),
        skills=("swimming_coaching", "lifeguarding"),
        capacity=20,
        description="Realistic addition: the bureau's yearly free swimming courses.",
    ),
    Resource(
        name="neighbourhood_walkers",
        kind="team",
        name_zh="健步走爱好者志愿队",
        name_en="Neighbourhood walking club volunteers",
        place="320508021",
        categories=("health_fitness",),
        audiences=("residents", "elderly"),
        tags=("fitness_for_all", "morning_exercise"),
        skills=("event_organising",),
        capacity=40,
        members=50,
        description=(
            "Realistic addition: residents who lead group walks; enthusiasts, not "
            "certified instructors."
        ),
    ),
    Resource(
        name="shuangta_fitness_center",
        kind="venue",
        name_zh="双塔街道社区健身中心",
        name_en="Shuangta subdistrict community fitness center",
        place="320508021",
        site_type="community_fitness_center",
        categories=("health_fitness",),
        audiences=("residents", "elderly", "families_with_children"),
        tags=("fitness_guidance", "fitness_for_all", "tai_chi"),
        capacity=60,
        description="Realistic addition (not named in the seed): an indoor center in Gusu.",
    ),
    Resource(
        name="chengxiang_fitness_trail",
        kind="venue",
        name_zh="城厢镇健身步道",
        name_en="Chengxiang town fitness trail",
        place="320585100",
        site_type="fitness_trail",
        categories=("health_fitness",),
        audiences=("residents", "elderly"),
        tags=("fitness_guidance", "fitness_for_all", "morning_exercise"),
        capacity=80,
        description="Realistic addition: a riverside trail in Taicang's Chengxiang town.",
    ),
    Resource(
        name="sip_public_pool",
        kind="venue",
        name_zh="工业园区公共游泳馆",
        name_en="Suzhou Industrial Park public swimming pool",
        place="320576",
        site_type="public_stadium",
        categories=("health_fitness",),
        audiences=("minors", "residents", "children_of_migrant_workers"),
        tags=("swimming", "summer_holiday"),
        capacity=40,
        description="Realistic addition: a public pool hosting the summer classes.",
    ),
)

RULES = (
    Rule(
        name="fifteen_minute_fitness_circle",
        kind="distance",
        mode="both",
        weight=0.11,
        params={"reach_km": 1.5, "decay_km": 0.7},
        scope=RuleScope(departments=("sports",), resource_kinds=("venue",)),
        description=(
            "The 15-minute fitness circle (15分钟健身圈): residents walk to a community "
            "fitness venue, so a venue serves demands within 1.5 km and nearer is better."
        ),
    ),
    Rule(
        name="certified_instructors",
        kind="tags",
        mode="filter",
        params={"require": ["certified_sports_instructor"], "min_overlap": 0},
        scope=RuleScope(
            departments=("sports",), resource_kinds=("team",), categories=("health_fitness",)
        ),
        description=(
            "Fitness guidance and coaching come only from certified social sports "
            "instructors or coaches (tag certified_sports_instructor), not from clubs of "
            "enthusiasts."
        ),
    ),
    Rule(
        name="swimming_in_summer",
        kind="time",
        mode="filter",
        params={"months": [7, 8]},
        scope=RuleScope(templates=("summer_swimming",)),
        description="Summer swimming classes run in the July–August school holidays only.",
    ),
    Rule(
        name="older_and_disabled_first",
        kind="audience",
        mode="score",
        weight=0.08,
        params={"audiences": ["elderly", "people_with_disabilities"]},
        scope=RuleScope(departments=("sports",)),
        description=(
            "Free coaching goes first to older residents and people with disabilities, who "
            "gain most from guided exercise and find it hardest to get."
        ),
    ),
)

SETTINGS = (
    Setting(
        name="swimmers_per_coach",
        type="int",
        default=10,
        minimum=4,
        maximum=20,
        description="Children one coach teaches in the water at once in summer classes.",
    ),
    Setting(
        name="fitness_circle_minutes",
        type="int",
        default=15,
        minimum=5,
        maximum=30,
        description="Walking minutes from home to a fitness venue the city aims for.",
    ),
)


register_department = contributes(
    DEPARTMENT, doc="The Sports Bureau, its sub-center and its corps of social sports instructors."
)


register_site_types = contributes(
    SITE_TYPES, doc="Fitness centers, trails, sports parks, fitness test stations, public stadiums."
)


register_templates = contributes(
    TEMPLATES, doc="Fitness guidance and tests, tai chi, summer swimming, adapted exercise, games."
)


register_resources = contributes(
    RESOURCES, doc="The instructors' corps, three teams, the swimming project and three venues."
)


register_rules = contributes(
    RULES, doc="The 15-minute fitness circle, certified instructors, summer swimming, who first."
)


register_settings = contributes(
    SETTINGS, doc="Swimmers per coach and the fitness circle's walking minutes."
)


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "sports",
            "体育",
            "Sports",
            "体育局 篮球 足球 健步走 马拉松 乒乓球 羽毛球 瑜伽 yoga 跳绳 广场健身 全民运动 健身器材",
        ),
        ("adaptive_sports", "残疾人体育", "Adaptive sports", "残疾人健身 助残健身 康复体育"),
        (
            "certified_sports_instructor",
            "社会体育指导员",
            "Certified sports instructors",
            "体育指导员 社体指导员 健身指导员",
        ),
        (
            "community_games",
            "社区运动会",
            "Community games",
            "趣味运动会 运动会 体育比赛 全民健身赛事 比赛",
        ),
        (
            "drowning_prevention",
            "防溺水",
            "Drowning prevention",
            "防溺水教育 溺水 预防溺水 游泳安全",
        ),
        ("exercise_prescription", "运动处方", "Exercise prescriptions", "运动康复处方 科学运动"),
        (
            "fitness_coaching",
            "健身指导",
            "Fitness coaching",
            "健身教练 运动指导 锻炼指导 健身辅导 体育锻炼",
        ),
        (
            "fitness_for_all",
            "全民健身",
            "Fitness for all",
            "健身 锻炼 运动 健身活动 体育 体育健身 强身健体 健身运动 运动健身 动起来",
        ),
        (
            "fitness_guidance",
            "科学健身指导",
            "Fitness guidance",
            "科学健身 健身知识 健身讲座 科学锻炼 健身方法",
        ),
        ("fitness_test", "体质测试", "Fitness tests", "体质监测 国民体质监测 体测"),
        ("fitness_testing", "体质检测", "Fitness testing", "体能测试 身体素质测试"),
        ("lifeguarding", "救生员", "Lifeguarding", "游泳救生 泳池救生"),
        ("morning_exercise", "晨练", "Morning exercise", "早锻炼 广场舞 健身操 广播操 跳操"),
        ("qigong", "健身气功", "Qigong", "八段锦 五禽戏 气功 易筋经"),
        ("rehabilitation", "运动康复", "Rehabilitation", "康复训练 康复 康复锻炼"),
        ("summer_holiday", "暑期体育", "Summer holiday sport", "暑期运动 暑假运动 暑期体育培训"),
        ("swimming", "游泳", "Swimming", "游泳培训 学游泳 游泳课"),
        ("swimming_coaching", "游泳教学", "Swimming coaching", "游泳教练 游泳指导"),
        ("tai_chi", "太极拳", "Tai chi", "太极 打太极 太极剑"),
        ("tai_chi_coaching", "太极教学", "Tai chi coaching", "教太极 太极拳教学 太极拳辅导"),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
