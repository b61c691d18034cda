"""Core's built-ins, registered as the plugin ``core`` through the same entry-point
group as every department: the sites of the double chessboard, the standing service
categories and key populations, the core rule kinds and their default rules."""

from __future__ import annotations

from functools import cache

from wenming import API_VERSION, hookimpl
from wenming.records import Audience, Category, Rule, RuleKind, SiteType, tag_table

WENMING_API = API_VERSION

SITE_TYPES = (
    SiteType(
        name="guidance_center",
        name_zh="市新时代文明实践指导中心",
        name_en="City guidance center",
        level="guidance_center",
        description="Hub of both networks.",
    ),
    SiteType(
        name="subcenter",
        name_zh="行业新时代文明实践分中心",
        name_en="Industry sub-center",
        level="subcenter",
        description="One per department; coordinates that department's practice points.",
    ),
    SiteType(
        name="center",
        name_zh="新时代文明实践中心",
        name_en="Practice center",
        level="center",
        description="County level.",
    ),
    SiteType(
        name="institute",
        name_zh="新时代文明实践所",
        name_en="Practice institute",
        level="institute",
        description="Town / subdistrict level.",
    ),
    SiteType(
        name="station",
        name_zh="新时代文明实践站",
        name_en="Practice station",
        level="station",
        description="Village / community level.",
    ),
)

#: The standing service categories of the seed (常备志愿服务队), plus emergency rescue.
CATEGORIES = (
    Category(name="theory_policy", name_zh="理论政策宣讲", name_en="Theory & policy talks"),
    Category(name="culture_arts", name_zh="文化艺术服务", name_en="Culture & arts"),
    Category(name="education_support", name_zh="助学支教", name_en="Education support"),
    Category(name="health_fitness", name_zh="医疗健身", name_en="Health & fitness"),
    Category(name="science", name_zh="科学普及", name_en="Science popularisation"),
    Category(name="legal", name_zh="法律服务", name_en="Legal services"),
    Category(name="hygiene_environment", name_zh="卫生环保", name_en="Hygiene & environment"),
    Category(
        name="help_in_difficulty", name_zh="扶弱帮困", name_en="Help for people in difficulty"
    ),
    Category(name="emergency_rescue", name_zh="应急救护", name_en="Emergency rescue training"),
)

#: Key populations (重点人群) the seed names or implies.
AUDIENCES = (
    Audience(name="residents", name_zh="社区居民", name_en="Residents (general public)"),
    Audience(name="minors", name_zh="未成年人", name_en="Minors"),
    Audience(name="families_with_children", name_zh="亲子家庭", name_en="Families with children"),
    Audience(name="elderly", name_zh="老年人", name_en="Elderly people"),
    Audience(name="migrant_workers", name_zh="来苏务工人员", name_en="Migrant workers"),
    Audience(
        name="children_of_migrant_workers",
        name_zh="来苏务工人员子女",
        name_en="Children of migrant workers",
    ),
    Audience(
        name="new_employment",
        name_zh="新就业群体",
        name_en="New-employment groups (delivery riders, ride-hailing drivers)",
    ),
    Audience(name="drivers", name_zh="驾乘人员", name_en="Drivers and passengers"),
    Audience(name="people_in_difficulty", name_zh="困难群众", name_en="People in difficulty"),
    Audience(name="people_with_disabilities", name_zh="残疾人", name_en="People with disabilities"),
    Audience(
        name="military_families",
        name_zh="退役军人及军属",
        name_en="Veterans and military families",
    ),
    Audience(name="tourists", name_zh="游客", name_en="Visitors and tourists"),
)


@cache
def rule_kinds() -> tuple[RuleKind, ...]:
    """Core's rule kinds, built when a registry first asks for them: their parameter
    classes (:mod:`wenming.matching.params`) are not needed by ``wenming --help``, which
    imports this plugin too."""
    from wenming.matching import params as p

    return (
        RuleKind(
            name="category",
            tier="relevance",
            params=p.CategoryParams,
            impl="wenming.matching.kinds:CategoryKind",
            description="The resource offers the demand's service category.",
        ),
        RuleKind(
            name="tags",
            tier="relevance",
            params=p.TagsParams,
            impl="wenming.matching.kinds:TagsKind",
            description="Share of the demand's tags the resource carries.",
        ),
        RuleKind(
            name="audience",
            tier="relevance",
            params=p.AudienceParams,
            impl="wenming.matching.kinds:AudienceKind",
            description="The resource serves the demand's key populations.",
        ),
        RuleKind(
            name="template",
            tier="relevance",
            params=p.TemplateParams,
            impl="wenming.matching.kinds:TemplateKind",
            description="A demand that names a template prefers its own resources, then its department's.",
        ),
        RuleKind(
            name="distance",
            params=p.DistanceParams,
            impl="wenming.matching.kinds:DistanceKind",
            description="Within reach by mode of service (walk, county, travel radius); closer scores higher.",
        ),
        RuleKind(
            name="capacity",
            params=p.CapacityParams,
            impl="wenming.matching.kinds:CapacityKind",
            description="A venue's seats hold the headcount; a snug fit scores higher.",
        ),
        RuleKind(
            name="time",
            params=p.TimeParams,
            impl="wenming.matching.kinds:TimeKind",
            description="The demand's time window falls in the resource's season.",
        ),
        RuleKind(
            name="reputation",
            params=p.ReputationParams,
            impl="wenming.matching.kinds:ReputationKind",
            description="Mean evaluation of past services, shrunk towards a prior.",
        ),
        RuleKind(
            name="fairness",
            params=p.FairnessParams,
            impl="wenming.matching.kinds:FairnessKind",
            description="Fewer open dispatches score higher, spreading work across teams.",
        ),
    )


#: Default rules judging every resource; deployments re-weight them by ID.
RULES = (
    # subject relevance, in whole points: it decides
    Rule(name="category", kind="category", mode="both", weight=4.0),
    Rule(name="tags", kind="tags", mode="score", weight=6.0),
    Rule(name="audience", kind="audience", mode="score", weight=2.0),
    Rule(name="template", kind="template", mode="score", weight=4.0),
    # who can serve and how well, in fractions of a point: it orders equals
    Rule(name="distance", kind="distance", mode="both", weight=0.35),
    Rule(name="capacity", kind="capacity", mode="both", weight=0.15),
    Rule(name="time", kind="time", mode="filter", weight=1.0),
    Rule(name="reputation", kind="reputation", mode="score", weight=0.15),
    Rule(name="fairness", kind="fairness", mode="score", weight=0.1),
)


@hookimpl
def register_site_types(register):
    for record in SITE_TYPES:
        register(record)


@hookimpl
def register_categories(register):
    for record in CATEGORIES:
        register(record)


@hookimpl
def register_audiences(register):
    for record in AUDIENCES:
        register(record)


@hookimpl
def register_rule_kinds(register):
    for record in rule_kinds():
        register(record)


@hookimpl
def register_rules(register):
    for record in RULES:
        register(record)


#: The shared subject vocabulary: tags several departments use (a department's own
#: subjects are its plugin's, namespaced). ``(name, 中文, English, "synonyms …")``.
TAGS = tag_table(
    (
        ("aed", "AED", "AED defibrillator", "自动体外除颤器 除颤仪 除颤器 AED使用 defibrillator"),
        ("ancient_well", "古井", "Ancient wells", "古井保护 老井 水井 well"),
        (
            "anti_fraud",
            "防诈骗",
            "Fraud prevention",
            "反诈 反诈骗 防骗 防电信诈骗 电信诈骗 诈骗 防范诈骗 养老诈骗 反电诈 scam fraud",
        ),
        (
            "bureau_chief_talks",
            "局长讲政策",
            "Bureau chiefs explain policy",
            "局长宣讲 领导宣讲 局长进社区",
        ),
        (
            "certified_rescue",
            "持证救护员",
            "Certified rescuers",
            "救护员证 持证 红十字救护员 certified",
        ),
        ("civil_code", "民法典", "Civil Code", "民法典宣传 民法典普法 民法 civil_law"),
        ("cpr", "心肺复苏", "CPR", "心肺复苏术 胸外按压 人工呼吸"),
        ("delivery", "送货上门", "Delivery to the door", "配送 代购 送餐 上门配送"),
        ("digital_divide", "数字鸿沟", "Digital divide", "数字弱势 不会用手机 跨越数字鸿沟"),
        (
            "doorstep_greening",
            "门前绿化",
            "Doorstep greening",
            "庭院绿化 楼道绿化 家门口绿化 阳台种花",
        ),
        (
            "elderly_care",
            "为老服务",
            "Care for the elderly",
            "养老 助老 敬老 关爱老人 老年人服务 养老服务 居家养老 关爱老年人 孝老",
        ),
        (
            "environment",
            "环境保护",
            "Environmental protection",
            "环保 生态环境 环境 保护环境 绿色环保 环保宣传",
        ),
        ("event_organising", "活动组织", "Event organising", "组织活动 赛事组织 活动策划"),
        (
            "first_aid",
            "急救",
            "First aid",
            "应急救护 急救培训 急救知识 救护 急救技能 救护培训 海姆立克 止血包扎 急救常识",
        ),
        ("first_responder", "第一响应人", "First responders", "第一目击者 现场急救员"),
        ("flower_border", "花境", "Flower borders", "花坛 种花 街巷花境 口袋花园 花卉"),
        ("free_clinic", "义诊", "Free clinic", "免费义诊 健康义诊 义诊活动 送医 医疗义诊"),
        ("garden", "园林", "Gardens", "古典园林 园林景区 花园 苏州园林 公园"),
        (
            "general_practice",
            "全科诊疗",
            "General practice",
            "家庭医生 全科医生 看病 问诊 签约医生",
        ),
        ("guided_tour", "讲解导览", "Guided tours", "讲解 导览 导游 参观讲解 讲解员"),
        ("health_check", "健康体检", "Health checks", "体检 健康检查 免费体检 健康筛查"),
        ("home_repair", "上门维修", "Home repairs", "维修 家电维修 修水管 修理 便民维修 小修小补"),
        (
            "home_safety",
            "居家安全",
            "Home safety",
            "家庭安全 居家安全隐患 燃气安全 用电安全 家庭防火",
        ),
        (
            "home_safety_inspection",
            "入户安全检查",
            "Home safety inspections",
            "隐患排查 入户排查 安全检查",
        ),
        ("home_visit", "上门服务", "Home visits", "入户 走访 上门 入户走访 上门探访 探访"),
        ("horticulture", "园艺", "Horticulture", "园艺技能 养花 盆栽 绿植养护"),
        (
            "jiangnan_aesthetics",
            "江南美学",
            "Jiangnan aesthetics",
            "江南文化之美 苏式美学 江南风雅",
        ),
        ("labour_policy", "劳动政策", "Labour policy", "就业政策 用工政策 劳动保障政策"),
        (
            "legal_advice",
            "法律咨询",
            "Legal advice",
            "法律援助咨询 律师咨询 法律问题 法律服务 普法咨询 找律师",
        ),
        ("mediation", "矛盾调解", "Mediation", "调解 纠纷调解 人民调解 化解矛盾 家庭纠纷"),
        ("medical_escort", "就医陪诊", "Medical escort", "陪诊 陪同就医 陪护就医"),
        ("medical_help", "医疗帮扶", "Medical help", "医疗救助 看病难 医疗服务 送医送药"),
        ("military_families", "军属", "Military families", "军人家属 优抚对象 军烈属 退役军人家庭"),
        (
            "nature_education",
            "自然教育",
            "Nature education",
            "自然课堂 自然科普 亲近自然 自然研学 自然探索 户外课堂",
        ),
        ("old_town", "古城", "The old town", "姑苏古城 老城区 历史街区 平江路 古城区"),
        ("opera", "戏曲", "Opera", "昆曲 越剧 锡剧 戏剧 唱戏 京剧"),
        ("outdoor_ceremony", "户外仪式", "Outdoor ceremonies", "户外典礼 草坪仪式 仪式"),
        ("outdoor_workers", "户外劳动者", "Outdoor workers", "环卫工人 户外工作者 一线工人"),
        (
            "parent_child",
            "亲子",
            "Parent and child",
            "亲子活动 家庭亲子 亲子互动 亲子游 带孩子 父母和孩子",
        ),
        ("party_history", "党史学习", "Party history", "党史 党史教育 红色历史 四史"),
        ("pingtan", "评弹", "Pingtan storytelling", "苏州评弹 弹词 评话 说书"),
        ("pingtan_performance", "评弹演出", "Pingtan performances", "评弹表演 书场"),
        ("policy_explained", "政策解读", "Policy explained", "政策宣讲 政策宣传 解读政策 惠民政策"),
        ("policy_talk", "政策宣讲会", "Policy talks", "宣讲会 政策讲座"),
        ("property_management", "物业管理", "Property management", "物业 小区物业 物业公司"),
        ("property_service", "物业服务", "Property services", "物业服务企业 物业人员"),
        ("public_speaking", "宣讲", "Public speaking", "讲座 讲课 授课 演讲 开讲 报告会"),
        ("rescue", "救援", "Rescue", "抢险救援 紧急救援 救人"),
        (
            "rescue_training",
            "救援培训",
            "Rescue training",
            "救护培训 救援技能培训 应急培训 应急救援培训",
        ),
        ("residential_estate", "住宅小区", "Residential estates", "小区 居民小区 社区小区"),
        ("safety", "安全教育", "Safety education", "安全 安全知识 安全宣传 平安"),
        (
            "smartphone",
            "智能手机",
            "Smartphones",
            "手机 手机使用 智能手机使用 用手机 手机教学 微信 扫码",
        ),
        ("storytelling", "讲故事", "Storytelling", "故事会 讲述 故事"),
        ("study_tour", "研学", "Study tours", "研学游 研学实践 研学活动 游学"),
        (
            "summer_care",
            "暑托班",
            "Summer care",
            "暑期托管 暑假托管 爱心暑托班 暑托 暑期班 暑期看护 暑假班",
        ),
        ("suzhou_lifestyle", "苏式生活", "Suzhou lifestyle", "苏式 苏州生活 姑苏生活"),
        ("teaching", "教学", "Teaching", "教 培训 课堂 上课 授课教学"),
        ("theory_talk", "理论宣讲", "Theory talks", "理论宣传 宣讲理论 思想宣讲 党的理论"),
        (
            "theory_talks",
            "理论政策宣讲",
            "Theory and policy talks",
            "二十大精神 党的二十大 创新理论 新思想",
        ),
        ("water_rescue", "水上救援", "Water rescue", "水域救援 溺水救援 落水救援"),
        ("tour_guiding", "导游讲解", "Tour guiding", "导游 文明旅游 旅游志愿 游客服务 旅游咨询"),
        (
            "tour_route",
            "游览线路",
            "Tour routes",
            "旅游线路 游线 citywalk 城市漫步 古城游 游览 旅游",
        ),
        (
            "wedding",
            "婚礼",
            "Weddings",
            "集体婚礼 婚庆 结婚 新婚 婚姻登记仪式 颁证仪式 颁证 结婚登记",
        ),
    )
)


@hookimpl
def register_tags(register):
    for record in TAGS:
        register(record)


def _count_events(deployment, connection, events):
    """Move the leaderboard counters with the events (see :mod:`wenming.reports`)."""
    from wenming.reports.counters import counters_of

    counters_of(deployment).apply(connection, events)


def _prefetch_counts(deployment, connection, events):
    """Send what the counters will read, ahead (see :meth:`Counters.prefetch`)."""
    from wenming.reports.counters import counters_of

    counters_of(deployment).prefetch(connection, events)


_count_events.prefetch = _prefetch_counts  # type: ignore[attr-defined]


@hookimpl
def register_event_observers(register):
    register(_count_events)
