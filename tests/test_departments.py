"""The fifteen department plugins together and one at a time, and the seed bulletin's
projects, teams and sites attributed to the right departments.

The seed list below was made by reading ``briefing-2023-03-30-zh.txt`` line by line.
Attribution decisions where the bulletin names no single department (documented in
docs/department-plugins.md):

- 百名局长百场宣讲 (a hundred bureau chiefs, a hundred talks) is a city-wide campaign
  in which every department's leaders speak: each department that takes part registers
  its own talk template tagged ``bureau_chief_talks`` (category theory & policy talks).
- 车间小板凳宣讲 (workshop-stool talks) goes to ``state_assets``, whose enterprises own
  the workshops; 红色稻田课堂 (red paddy-field classroom) to ``science``, whose
  agricultural-technology volunteers work in the fields.
- The rescue teams of 应急救助普及 that the bulletin lists without a department (驴先生,
  金色闪电, 红十字) may sit with emergency management or health, the two partners that
  bring rescue teams; 退役军人应急救援 is the veterans' part.
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import attrs
import pytest

from wenming.plugins import ENV_EXCLUDE, ENV_ONLY, GROUP, load_plugins
from wenming.registry import Registry, build_registry

DEPARTMENTS = (
    "housing",
    "transport",
    "gardens",
    "emergency",
    "civil_affairs",
    "justice",
    "urban_management",
    "culture_tourism",
    "sports",
    "health",
    "science",
    "water",
    "education",
    "veterans",
    "state_assets",
)

INSTALLED = {ep.name for ep in entry_points(group=GROUP)}
PAGE = Path(__file__).parents[1] / "docs" / "reference" / "departments.md"


@attrs.frozen
class SeedItem:
    """Something the bulletin names, where it must be and who it belongs to.

    ``where``: ``template`` (a non-joint project template), ``joint`` (a joint template
    registered by ``owners[0]`` with exactly ``parts``), ``site_type``, ``team`` or
    ``venue`` (a resource of that kind, at ``place`` when given).
    """

    text: str
    where: str
    owners: tuple[str, ...]
    parts: tuple[str, ...] = ()
    place: str | None = None

    @property
    def id(self) -> str:
        return f"{self.where}:{self.text}"


SEED: tuple[SeedItem, ...] = (
    # 园林绿化: sites and projects
    SeedItem("园林景区", "site_type", ("gardens",)),
    SeedItem("生态湿地", "site_type", ("gardens",)),
    SeedItem("国有林场", "site_type", ("gardens",)),
    SeedItem("寻访救护野生动植物", "template", ("gardens",)),
    SeedItem("小学生一日林长", "template", ("gardens",)),
    SeedItem("湿地小科学家养成计划", "template", ("gardens",)),
    SeedItem("湿地观察员", "template", ("gardens",)),
    SeedItem("湿地调查员", "template", ("gardens",)),
    SeedItem("湿地讲解员", "template", ("gardens",)),
    # 住建
    SeedItem("助建驿站", "site_type", ("housing",)),
    SeedItem("流动实践点", "site_type", ("housing",)),
    SeedItem("全龄宜居", "site_type", ("housing",)),
    SeedItem("社区+物业+养老", "template", ("housing",)),
    # 水务
    SeedItem("水厂", "site_type", ("water",)),
    SeedItem("滨水长廊", "site_type", ("water",)),
    SeedItem("一滴水的旅行", "template", ("water",)),
    SeedItem("水讲堂", "template", ("water",)),
    # 太仓市城厢镇电站村 (Dianzhan village, Chengxiang town, Taicang)
    SeedItem("双拥国防园", "venue", ("veterans",), place="320585100203"),
    SeedItem("法治主题公园", "venue", ("justice",), place="320585100203"),
    SeedItem("中草药种植实践田", "venue", ("health",), place="320585100203"),
    SeedItem("法治主题公园", "site_type", ("justice",)),
    # 文化旅游
    SeedItem("集市文艺空间打造", "template", ("culture_tourism",)),
    SeedItem("电影党史课", "template", ("culture_tourism",)),
    SeedItem("古城街区游线征集大赛", "template", ("culture_tourism", "urban_management")),
    # 交通
    SeedItem("司机之家", "site_type", ("transport",)),
    SeedItem("暖蜂驿站", "site_type", ("transport",)),
    SeedItem("健康义诊", "template", ("transport",)),
    SeedItem("技能提升培训", "template", ("transport",)),
    SeedItem("随手拍", "template", ("transport",)),
    SeedItem("帮采买", "template", ("transport",)),
    SeedItem("交通别样红", "template", ("transport",)),
    SeedItem("交通行业文明实践联盟", "team", ("transport",)),
    # 城管
    SeedItem("古井保护志愿服务队", "team", ("urban_management",)),
    SeedItem("净美街巷志愿服务队", "team", ("urban_management",)),
    # 司法
    SeedItem("小吴法官说法", "template", ("justice",)),
    # 教育 with 团市委
    SeedItem("家门口的暑托班", "template", ("education",)),
    # theory talks
    SeedItem("车间小板凳宣讲", "template", ("state_assets",)),
    SeedItem("红色稻田课堂", "template", ("science",)),
    # 应急救助普及: the rescue teams
    SeedItem("蓝天救援", "team", ("emergency",)),
    SeedItem("驴先生", "team", ("emergency", "health")),
    SeedItem("退役军人应急救援", "team", ("veterans",)),
    SeedItem("金色闪电", "team", ("emergency", "health")),
    SeedItem("红十字", "team", ("emergency", "health")),
    SeedItem("第一救护人", "team", ("health", "housing")),
    # joint (拼单) projects: registered by the first owner, co-owned by the parts
    SeedItem("江南美学", "joint", ("civil_affairs",), parts=("civil_affairs", "gardens")),
    SeedItem("苏州评弹唱民法", "joint", ("justice",), parts=("culture_tourism", "justice")),
    SeedItem("助医行", "joint", ("veterans",), parts=("health", "veterans")),
    SeedItem("健康住区物业护航", "joint", ("health",), parts=("health", "housing")),
    SeedItem("应急救助普及", "joint", ("emergency",), parts=("emergency", "health", "veterans")),
    SeedItem(
        "净美古城乐游姑苏",
        "joint",
        ("urban_management",),
        parts=("culture_tourism", "gardens", "urban_management"),
    ),
)


def _plain(text: str) -> str:
    """Compare names without spaces and quotation marks (“帮采买” ≈ 帮采买)."""
    for ch in " \u3000“”\"'「」《》":
        text = text.replace(ch, "")
    return text


@pytest.fixture(autouse=True)
def _no_env_selection(monkeypatch):
    monkeypatch.delenv(ENV_ONLY, raising=False)
    monkeypatch.delenv(ENV_EXCLUDE, raising=False)


@pytest.fixture(scope="module")
def registry() -> Registry:
    import os

    saved = {k: os.environ.pop(k) for k in (ENV_ONLY, ENV_EXCLUDE) if k in os.environ}
    try:
        return build_registry(load_plugins())
    finally:
        os.environ.update(saved)


def _require(*names: str) -> None:
    missing = [n for n in names if n not in INSTALLED]
    if missing:
        pytest.skip(f"plugin(s) not installed: {', '.join(missing)}")


def test_all_fifteen_are_installed_and_load_together(registry):
    missing = [d for d in DEPARTMENTS if d not in INSTALLED]
    assert not missing, f"department plugins not installed: {missing}"
    for name in DEPARTMENTS:
        info = registry.plugin(name)
        assert info.ok, info.error
        assert not info.warnings, f"{name}: {info.warnings}"
    assert set(DEPARTMENTS) <= set(registry.departments)
    assert registry.unavailable == (), "every joint template's partners are installed"
    assert registry.healthy, registry.problems


@pytest.mark.parametrize("name", DEPARTMENTS)
def test_department_contributes_enough(registry, name):
    _require(name)
    dept = registry.departments[name]
    assert dept.code == name and dept.name_zh and dept.name_en
    assert dept.subcenter_zh and dept.corps_zh

    def own(table):
        return {k: v for k, v in table.items() if registry.owner(k) == name}

    site_types = own(registry.site_types)
    assert len(site_types) >= 3
    assert {s.level for s in site_types.values()} == {"practice_point"}
    templates = [t for t in own(registry.templates).values() if not t.is_joint]
    assert len(templates) >= 4
    for t in templates:
        assert t.category and t.audiences and t.site_types and t.description, t.name
    rules = own(registry.rules)
    assert len(rules) >= 2
    for rid, rule in rules.items():
        assert rule.description.strip(), rid
        assert any(attrs.astuple(rule.scope)), f"{rid} must be scoped"
    teams = [r for r in own(registry.resources).values() if r.kind == "team"]
    assert any(r.name_zh == dept.corps_zh for r in teams), f"{name}: the hub corps is a team"


@pytest.mark.parametrize("item", SEED, ids=lambda item: item.id)
def test_seed_item_is_attributed(registry, item):
    if item.where == "joint":
        _require(item.owners[0], *item.parts)
    elif not any(o in INSTALLED for o in item.owners):
        pytest.skip(f"none of {item.owners} is installed")
    want = _plain(item.text)
    if item.where == "joint":
        found = {rid: t for rid, t in registry.joint_templates.items() if want in _plain(t.name_zh)}
        assert found, f"no joint template named {item.text!r}"
        rid, t = next(iter(found.items()))
        assert registry.owner(rid) == item.owners[0], f"{rid} registered by the wrong plugin"
        assert sorted(p.department for p in t.parts) == sorted(item.parts)
        assert t.seed, f"{rid} is named in the seed: mark it seed=True"
        return
    if item.where == "template":
        table = {k: t for k, t in registry.templates.items() if not t.is_joint}
    elif item.where == "site_type":
        table = dict(registry.site_types)
    else:
        table = {k: r for k, r in registry.resources.items() if r.kind == item.where}
    found = {rid: rec for rid, rec in table.items() if want in _plain(rec.name_zh)}
    assert found, f"no {item.where} named {item.text!r}"
    owners = {registry.owner(rid) for rid in found}
    assert owners & set(item.owners), f"{item.text} is attributed to {owners}"
    if item.where == "template":
        # Others may offer something of the same name (health runs free clinics too);
        # the one marked as the seed's project must be the right department's.
        seeded = {registry.owner(rid) for rid, t in found.items() if t.seed}
        assert seeded, f"{item.text}: mark it seed=True"
        assert seeded <= set(item.owners), f"{item.text} (seed) is attributed to {seeded}"
    if item.place is not None:
        assert {r.place for r in found.values()} == {item.place}


def test_bureau_chief_talks_are_every_speaking_departments_own(registry):
    talks = {
        rid: t
        for rid, t in registry.templates.items()
        if "bureau_chief_talks" in t.tags or "百名局长百场宣讲" in t.name_zh
    }
    assert talks, "no department takes part in 百名局长百场宣讲"
    for rid, t in talks.items():
        assert t.category == "core.theory_policy", rid
        assert "bureau_chief_talks" in t.tags and "百名局长百场宣讲" in t.name_zh, rid
        assert registry.department_of(rid) is not None
    assert len({registry.owner(rid) for rid in talks}) >= 2


def test_seed_places_are_real_divisions(registry):
    from wenming.network import locate

    for rid, res in registry.resources.items():
        if registry.department_of(rid) is None:
            continue
        lng, lat, _approx = locate(res.place)
        assert 119.9 < lng < 121.4 and 30.7 < lat < 32.1, f"{rid} at {res.place}"


@pytest.mark.parametrize("name", DEPARTMENTS)
def test_each_department_loads_alone(name):
    _require(name)
    loaded = load_plugins(only=[name], strict=True)
    registry = build_registry(loaded)
    info = registry.plugin(name)
    assert info.ok and registry.healthy, registry.problems
    assert set(registry.departments) == {name}
    for u in registry.unavailable:
        assert u.plugin == name and "partner departments not installed" in u.reason
    assert len(info.warnings) == len(registry.unavailable)
    assert registry.resources, "a department shares at least its hub corps"


def test_plugins_json_lists_every_department(tmp_path):
    from click.testing import CliRunner

    from wenming.cli import cli

    result = CliRunner().invoke(cli, ["-d", str(tmp_path / "none.toml"), "plugins", "--json"])
    assert result.exit_code == 0, result.output
    listed = {p["name"]: p for p in json.loads(result.output)}
    for name in DEPARTMENTS:
        if name not in INSTALLED:
            continue
        p = listed[name]
        assert p["status"] == "ok" and p["distribution"] == f"wenming-{name.replace('_', '-')}"
        assert {"register_department", "register_site_types", "register_rules"} <= set(p["hooks"])
        assert p["counts"]["department"] == 1
        assert p["counts"]["site_types"] >= 3 and p["counts"]["templates"] >= 4
        assert p["counts"]["rules"] >= 2 and p["counts"]["resources"] >= 1


def test_catalogue_page_is_current():
    from wenming.docgen import departments_markdown

    assert PAGE.read_text(encoding="utf-8") == departments_markdown(), (
        "docs/reference/departments.md is stale (a department plugin changed, or one is "
        "not installed here): run python -m wenming.docgen docs/reference"
    )


def test_catalogue_lists_every_record(registry):
    from wenming.catalog import departments_markdown

    page = departments_markdown(registry)
    for code in registry.departments:
        assert f"## {code}" in page
    for table in (registry.site_types, registry.templates, registry.rules):
        for rid in table:
            if registry.department_of(rid) is not None:
                assert f"`{rid}`" in page, rid


#: Each seed joint project as a station would ask for it: its own words (category,
#: audiences, tags), its place and the departments it wants — no template ID.
STATION_DEMANDS: dict[str, dict[str, object]] = {
    "civil_affairs.jiangnan_wedding_registration": {
        "category": "core.culture_arts",
        "audiences": ("civil_affairs.newlyweds",),
        "tags": ("wedding", "marriage_registration", "garden"),
        "place": "320508019",
        "headcount": 20,
        "start": "2023-05-20",
        "end": "2023-05-20",
    },
    "justice.pingtan_civil_code": {
        "category": "core.legal",
        "audiences": ("core.elderly",),
        "tags": ("civil_code", "pingtan"),
        "place": "320508018",
        "headcount": 60,
    },
    "veterans.medical_help": {
        "category": "core.health_fitness",
        "audiences": ("core.military_families",),
        "tags": ("medical_help", "home_visit"),
        "place": "320508021",
        "headcount": 6,
    },
    "health.healthy_estates": {
        "category": "core.emergency_rescue",
        "audiences": ("core.residents",),
        "tags": ("first_aid", "property_service"),
        "place": "320508021",
        "headcount": 30,
    },
    "emergency.rescue_outreach": {
        "category": "core.emergency_rescue",
        "audiences": ("core.new_employment",),
        "tags": ("first_aid", "cpr", "couriers"),
        "place": "320576054",
        "headcount": 30,
    },
    "urban_management.clean_old_town": {
        "category": "core.hygiene_environment",
        "audiences": ("core.residents", "core.tourists"),
        "tags": ("ancient_well", "clean_streets", "tour_route"),
        "place": "320508018",
        "headcount": 30,
    },
}


@pytest.fixture(scope="module")
def engine(registry):
    from wenming.matching import Engine

    return Engine(registry, registry.resources)


@pytest.mark.parametrize("template_id", sorted(STATION_DEMANDS))
def test_station_terms_bring_the_joint_project_first(registry, engine, template_id):
    """The best joint proposal for a station's description of a seed joint project
    takes one resource from each partner, each of them one that does that project's
    work (it carries the project's tags or the skills its part needs), whether the
    station names the template or only the departments."""
    from wenming.matching import Demand

    owner = template_id.split(".", 1)[0]
    template = registry.templates.get(template_id)
    if template is None:
        _require(owner)
        pytest.fail(f"joint template {template_id} is not registered")
    parts = tuple(p.department for p in template.parts)
    _require(*parts)
    work = set(template.tags) | set(template.skills) | {s for p in template.parts for s in p.skills}
    fields = STATION_DEMANDS[template_id]
    in_words = Demand(id=f"{template_id}:words", departments=parts, **fields)
    by_template = Demand(
        id=f"{template_id}:template",
        template=template_id,
        **{k: v for k, v in fields.items() if k in ("place", "headcount", "start", "end")},
    )
    for demand in (in_words, by_template):
        proposals = engine.joint(demand, k=3)
        assert proposals, engine.joint_gaps(demand)
        best = proposals[0]
        assert set(best.parts) == set(parts), demand.id
        for dept, candidate in best.parts.items():
            resource = registry.resources[candidate.key]
            assert (set(resource.tags) | set(resource.skills)) & work, (
                f"{demand.id}: {dept}'s part {candidate.key} does none of the project's work"
            )
