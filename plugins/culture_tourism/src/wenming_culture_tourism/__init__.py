"""Suzhou Bureau of Culture, Radio, TV and Tourism (市文广旅局): art, film, tour routes.

The seed names three of its projects. "集市文艺空间打造": while Gusu district renovated its
old-town farmers' markets, the bureau and the city federation of literary and art circles
(市文联) sent professional culture workers and art college teachers and students to put
Jiangnan culture into the markets as art displays. "电影党史课": red films (5,800
screenings a year, 300,000+ viewers), each opened by a ten-minute theory class
("映前十分钟"). And, within the joint project "净美古城 乐游姑苏", the "古城街区游线征集大赛"
(a contest for old-town street tour routes) that chose 10 cultural street routes. It is
also the culture partner of "苏州评弹唱民法" (registered by justice).
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

#: Gusu district (姑苏区) and its Pingjiang subdistrict (平江街道).
GUSU = "320508"
PINGJIANG = "320508018"

DEPARTMENT = Department(
    code="culture_tourism",
    name_zh="苏州市文化广电和旅游局",
    name_en="Suzhou Municipal Bureau of Culture, Radio, Television and Tourism",
    subcenter_zh="文化旅游行业新时代文明实践分中心",
    subcenter_en="Culture and tourism practice sub-center",
    corps_zh="苏州市文旅志愿服务总队",
    corps_en="Suzhou culture and tourism volunteer corps",
    description=(
        "Libraries, cultural centers, museums, cinemas, scenic spots and the performing "
        "arts (pingtan, Kunqu); its volunteers are culture workers, artists and guides."
    ),
)

SITE_TYPES = (
    SiteType(
        name="library",
        name_zh="公共图书馆分馆",
        name_en="Public library branch",
        level="practice_point",
        description="A branch of the city's library network, in a town or community.",
    ),
    SiteType(
        name="cultural_center",
        name_zh="文化馆（站）",
        name_en="Cultural center",
        level="practice_point",
        description="A county cultural center or town cultural station with rehearsal rooms.",
    ),
    SiteType(
        name="cinema",
        name_zh="影院放映厅",
        name_en="Cinema hall",
        level="practice_point",
        description="A cinema hall or community screening room used for red-film classes.",
    ),
    SiteType(
        name="market_art_space",
        name_zh="集市文艺空间",
        name_en="Market art space",
        level="practice_point",
        description="A renovated farmers' market with art displays of Suzhou life.",
    ),
    SiteType(
        name="story_house",
        name_zh="评弹书场",
        name_en="Pingtan story house",
        level="practice_point",
        description="A small theatre where pingtan storytellers perform every afternoon.",
    ),
    SiteType(
        name="visitor_center",
        name_zh="游客服务中心",
        name_en="Visitor center",
        level="practice_point",
        description="A scenic area's or historic block's visitor center, where tours start.",
    ),
)

TEMPLATES = (
    Template(
        name="market_art_space",
        name_zh="集市文艺空间打造",
        name_en="Art spaces in farmers' markets",
        category="culture_arts",
        audiences=("residents", "elderly"),
        benefit_type="universal",
        duration_hours=4.0,
        capacity=200,
        site_types=("market_art_space", "station"),
        skills=("art_design", "exhibition"),
        team_kinds=("art_professionals", "art_students"),
        tags=("market_art", "public_art", "jiangnan_culture", "suzhou_lifestyle"),
        seed=True,
        description=(
            "Culture workers and art students put Jiangnan culture and Suzhou life into a "
            "renovated farmers' market as art displays, making it a themed market."
        ),
    ),
    Template(
        name="red_film_class",
        name_zh="电影党史课",
        name_en="Party history film class",
        category="theory_policy",
        audiences=("residents", "elderly", "minors"),
        benefit_type="universal",
        duration_hours=2.5,
        capacity=150,
        site_types=("cinema", "cultural_center", "station"),
        skills=("film_projection", "public_speaking"),
        team_kinds=("theory_lecturers", "projectionists"),
        tags=("red_film", "party_history", "theory_talk", "pre_screening_class"),
        seed=True,
        description=(
            "A red film opened by a ten-minute theory class (映前十分钟) on the Party's "
            "theory and a story from its history; 5,800 screenings a year."
        ),
    ),
    Template(
        name="route_contest",
        name_zh="古城街区游线征集大赛",
        name_en="Old-town street tour route contest",
        category="culture_arts",
        audiences=("residents", "tourists"),
        benefit_type="mutual",
        duration_hours=3.0,
        capacity=100,
        site_types=("visitor_center", "station"),
        skills=("tour_guiding", "event_organising"),
        team_kinds=("tour_guides",),
        tags=("tour_route", "old_town", "contest", "suzhou_lifestyle"),
        seed=True,
        description=(
            "Residents design walking routes through the old town's lanes; a jury and a "
            "public vote choose the best (10 cultural street routes so far)."
        ),
    ),
    Template(
        name="street_tour_guiding",
        service_mode="destination",
        name_zh="文化特色街区游线志愿讲解",
        name_en="Volunteer-guided cultural street routes",
        category="culture_arts",
        audiences=("tourists", "residents", "families_with_children"),
        benefit_type="universal",
        duration_hours=2.0,
        capacity=30,
        site_types=("visitor_center", "station"),
        skills=("tour_guiding", "storytelling"),
        team_kinds=("tour_guides",),
        tags=("tour_route", "old_town", "storytelling", "ancient_well"),
        seed=True,
        description=(
            "Volunteers walk visitors along the 10 chosen cultural street routes and tell "
            "the stories of the old wells, lanes and town."
        ),
    ),
    Template(
        name="pingtan_in_community",
        name_zh="评弹进社区",
        name_en="Pingtan in the community",
        category="culture_arts",
        audiences=("elderly", "residents"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=80,
        site_types=("story_house", "station", "cultural_center"),
        skills=("pingtan_performance",),
        team_kinds=("pingtan_performers",),
        tags=("pingtan", "opera", "intangible_heritage"),
        description="Pingtan storytellers give an afternoon show in a community hall.",
    ),
    Template(
        name="reading_promotion",
        name_zh="全民阅读亲子共读",
        name_en="Parent-child reading sessions",
        category="culture_arts",
        audiences=("families_with_children", "minors", "children_of_migrant_workers"),
        benefit_type="universal",
        duration_hours=1.5,
        capacity=30,
        site_types=("library", "station"),
        skills=("storytelling", "teaching"),
        team_kinds=("library_volunteers",),
        tags=("reading", "picture_books"),
        description="Library volunteers read picture books with parents and children.",
    ),
    Template(
        name="intangible_heritage_workshop",
        name_zh="非遗进社区手作课",
        name_en="Intangible heritage craft workshop",
        category="culture_arts",
        audiences=("residents", "minors", "families_with_children"),
        benefit_type="universal",
        duration_hours=2.0,
        capacity=25,
        site_types=("cultural_center", "station", "market_art_space"),
        skills=("crafts_teaching",),
        team_kinds=("art_professionals",),
        tags=("intangible_heritage", "crafts", "jiangnan_culture"),
        description=(
            "Inheritors teach Suzhou embroidery, Taohuawu woodblock prints or fan making "
            "in a hands-on class."
        ),
    ),
)

RESOURCES = (
    Resource(
        name="corps",
        kind="team",
        name_zh="苏州市文旅志愿服务总队",
        name_en="Suzhou culture and tourism volunteer corps",
        place="3205",
        categories=("culture_arts", "theory_policy"),
        audiences=("residents", "elderly", "minors", "families_with_children", "tourists"),
        tags=("reading", "intangible_heritage", "tour_route", "jiangnan_culture"),
        skills=("storytelling", "tour_guiding", "event_organising", "teaching"),
        capacity=80,
        members=2000,
        description="The department's hub corps (枢纽型总队).",
    ),
    Resource(
        name="market_art_space",
        kind="project",
        name_zh="集市文艺空间打造",
        name_en="Art spaces in farmers' markets",
        place=GUSU,
        template="market_art_space",
        categories=("culture_arts",),
        audiences=("residents", "elderly"),
        tags=("market_art", "public_art", "jiangnan_culture", "suzhou_lifestyle"),
        skills=("art_design", "exhibition"),
        capacity=200,
        description="Seed project in Gusu's renovated old-town farmers' markets.",
    ),
    Resource(
        name="market_art_team",
        kind="team",
        name_zh="集市文艺空间志愿服务团队",
        name_en="Market art space volunteer team",
        place=GUSU,
        categories=("culture_arts",),
        audiences=("residents", "elderly"),
        tags=("market_art", "public_art", "jiangnan_culture", "art_professional"),
        skills=("art_design", "exhibition", "crafts_teaching"),
        capacity=40,
        members=120,
        description=(
            "Seed team organised with the city federation of literary and art circles "
            "(市文联): professional culture workers and art college teachers and students."
        ),
    ),
    Resource(
        name="red_film_class",
        kind="project",
        name_zh="电影党史课",
        name_en="Party history film class",
        place="3205",
        template="red_film_class",
        categories=("theory_policy",),
        audiences=("residents", "elderly", "minors"),
        tags=("red_film", "party_history", "theory_talk", "pre_screening_class"),
        skills=("film_projection", "public_speaking"),
        capacity=150,
        description="Seed project: 5,800 red-film screenings a year, 300,000+ viewers.",
    ),
    Resource(
        name="red_film_lecturers",
        kind="team",
        name_zh="“映前十分钟”理论宣讲队",
        name_en="“Ten minutes before the film” theory lecturers",
        place="3205",
        categories=("theory_policy",),
        audiences=("residents", "elderly", "minors"),
        tags=("red_film", "party_history", "theory_talk", "pre_screening_class", "theory_lecturer"),
        skills=("public_speaking",),
        capacity=150,
        members=90,
        description="Seed team: the lecturers who give the ten-minute class before each film.",
    ),
    Resource(
        name="route_contest",
        kind="project",
        name_zh="古城街区游线征集大赛",
        name_en="Old-town street tour route contest",
        place=GUSU,
        template="route_contest",
        categories=("culture_arts",),
        audiences=("residents", "tourists"),
        tags=("tour_route", "old_town", "contest", "suzhou_lifestyle"),
        skills=("tour_guiding", "event_organising"),
        capacity=100,
        description="Seed project of 净美古城 乐游姑苏; it chose 10 cultural street routes.",
    ),
    Resource(
        name="old_town_routes",
        kind="project",
        name_zh="十条文化特色街区游览线路",
        name_en="Ten cultural street tour routes",
        place=GUSU,
        template="street_tour_guiding",
        categories=("culture_arts",),
        audiences=("tourists", "residents", "families_with_children"),
        tags=("tour_route", "old_town", "storytelling", "ancient_well"),
        skills=("tour_guiding", "storytelling"),
        capacity=30,
        description="Seed project: the 10 routes the contest chose, guided by volunteers.",
    ),
    Resource(
        name="old_town_guides",
        kind="team",
        name_zh="姑苏古城街巷志愿讲解队",
        name_en="Gusu old-town lanes volunteer guides",
        place=GUSU,
        categories=("culture_arts", "hygiene_environment"),
        audiences=("tourists", "residents", "families_with_children"),
        tags=("tour_route", "old_town", "storytelling", "ancient_well", "suzhou_lifestyle"),
        skills=("tour_guiding", "storytelling"),
        capacity=30,
        members=150,
        description=(
            "Resident volunteers (the seed's 群众志愿者) who tend the greenery at their "
            "doors, design and guide the street routes and tell the stories of the wells "
            "and lanes."
        ),
    ),
    Resource(
        name="pingtan_troupe",
        kind="team",
        name_zh="苏州评弹志愿服务队",
        name_en="Suzhou pingtan volunteer troupe",
        place=GUSU,
        categories=("culture_arts", "legal"),
        audiences=("elderly", "residents"),
        tags=("pingtan", "opera", "intangible_heritage", "civil_code", "art_professional"),
        skills=("pingtan_performance", "storytelling"),
        capacity=120,
        members=45,
        description=(
            "Professional pingtan storytellers; perform the Civil Code ballads of "
            "苏州评弹唱民法 with justice's lawyers."
        ),
    ),
    Resource(
        name="pingjiang_story_house",
        kind="venue",
        name_zh="平江街道社区评弹书场",
        name_en="Pingjiang community pingtan story house",
        place=PINGJIANG,
        site_type="story_house",
        categories=("culture_arts",),
        audiences=("elderly", "residents"),
        tags=("pingtan", "opera", "civil_code"),
        capacity=120,
        description="Realistic addition (not named in the seed): an afternoon story house.",
    ),
)

RULES = (
    Rule(
        name="full_house",
        kind="capacity",
        mode="both",
        weight=0.08,
        params={"min_fill": 0.25},
        scope=RuleScope(departments=("culture_tourism",), resource_kinds=("venue",)),
        description=(
            "A hall is opened for an audience, not a handful: a screening or show venue "
            "takes demands that fill at least a quarter of its seats."
        ),
    ),
    Rule(
        name="registered_lecturers",
        kind="tags",
        mode="filter",
        params={"require": ["theory_lecturer"], "min_overlap": 0},
        scope=RuleScope(
            departments=("culture_tourism",),
            resource_kinds=("team",),
            categories=("theory_policy",),
        ),
        description=(
            "Theory talks (the ten minutes before a red film) are given only by registered "
            "theory lecturers (tag theory_lecturer), not by any culture volunteer."
        ),
    ),
    Rule(
        name="old_town_walks",
        kind="distance",
        mode="both",
        weight=0.12,
        params={"reach_km": 4.0, "decay_km": 1.5},
        scope=RuleScope(templates=("route_contest", "street_tour_guiding", "market_art_space")),
        description=(
            "The tour routes and market art spaces are in the old town: they serve demands "
            "within 4 km — the walled town and the streets just outside its moat — from "
            "where people walk or cycle to them."
        ),
    ),
)

SETTINGS = (
    Setting(
        name="pre_screening_minutes",
        type="int",
        default=10,
        minimum=5,
        maximum=30,
        description="Length of the theory class before each red film (映前十分钟).",
    ),
    Setting(
        name="tour_group_size",
        type="int",
        default=20,
        minimum=5,
        maximum=60,
        description="Visitors one volunteer guide leads on a street route.",
    ),
)


register_department = contributes(
    DEPARTMENT, doc="The Bureau of Culture, Radio, TV and Tourism, its sub-center and hub corps."
)


register_site_types = contributes(
    SITE_TYPES,
    doc="Libraries, cultural centers, cinemas, market art spaces, story houses, visitor centers.",
)


register_templates = contributes(
    TEMPLATES, doc="The seed's market art, red-film class and tour routes, plus realistic ones."
)


register_resources = contributes(
    RESOURCES, doc="The hub corps, the seed's projects and teams, a pingtan troupe and story house."
)


register_rules = contributes(
    RULES, doc="Full houses, registered lecturers, old-town projects within reach."
)


register_settings = contributes(
    SETTINGS, doc="The pre-screening class length and a guide's group size."
)


#: The department's subject words: ``(name, 中文, English, "synonyms …")``; see ``register_tags``.
TAGS = tag_table(
    (
        # the department's own line of work: every one of its resources carries it
        (
            "culture_tourism",
            "文化旅游",
            "Culture and tourism",
            "文旅 文化馆 集市 菜场改造 街区游线 国画 送戏下乡 音乐 公共文化 放映 DIY 文化惠民 文艺团队",
        ),
        ("art_design", "艺术设计", "Art and design", "设计 美术设计"),
        ("art_professional", "文艺骨干", "Arts professionals", "文艺工作者 艺术家"),
        ("contest", "比赛", "Contests", "大赛 竞赛 评选"),
        ("crafts", "手工艺", "Crafts", "非遗手工 苏绣 刺绣 剪纸 扎染 苏扇 桃花坞年画 手作"),
        ("crafts_teaching", "手工艺教学", "Crafts teaching", "手工课 传承人教学"),
        ("exhibition", "展览", "Exhibitions", "展 展陈 博物馆 美术馆 看展"),
        ("film_projection", "电影放映", "Film screenings", "放电影 露天电影 电影 公益电影"),
        (
            "intangible_heritage",
            "非遗",
            "Intangible heritage",
            "非物质文化遗产 非遗传承 非遗体验 传统技艺 传统文化",
        ),
        ("jiangnan_culture", "江南文化", "Jiangnan culture", "吴文化 苏州文化 吴地文化 水乡文化"),
        ("market_art", "市集艺术", "Market art", "文创市集 市集"),
        ("picture_books", "绘本", "Picture books", "绘本阅读 亲子阅读 故事绘本"),
        ("pre_screening_class", "映前课", "Pre-screening class", "映前讲解"),
        (
            "public_art",
            "公共艺术",
            "Public art",
            "艺术普及 美育 文艺 文艺演出 演出 艺术 文化活动 文艺活动 合唱 书法 绘画",
        ),
        ("reading", "阅读", "Reading", "读书 读书会 全民阅读 书香 图书馆 朗读"),
        ("red_film", "红色电影", "Red films", "红色影片 主旋律电影 爱国电影"),
        ("theory_lecturer", "理论宣讲员", "Theory lecturers", "宣讲员 百姓名嘴"),
    )
)


register_tags = contributes(
    TAGS, doc="The subjects this department serves, with the words people use for them."
)
