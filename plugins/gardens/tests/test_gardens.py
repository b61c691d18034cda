from __future__ import annotations

import pytest

import wenming_gardens
from wenming.errors import ConfigError
from wenming.testing import check_plugin, load_registry
from wenming_gardens import guides_needed, next_course


@pytest.fixture(scope="module")
def registry():
    return check_plugin("gardens")


def test_conformance(registry):
    assert registry.departments["gardens"].name_zh == "苏州市园林和绿化管理局"


def test_site_types_cover_gardens_wetlands_and_forest_farms(registry):
    levels = {rid: t.level for rid, t in registry.site_types.items() if rid.startswith("gardens.")}
    assert {"gardens.scenic_garden", "gardens.wetland", "gardens.state_forest_farm"} <= set(levels)
    assert set(levels.values()) == {"practice_point"}


SEED = {
    "寻访救护野生动植物": "gardens.wildlife_search_and_rescue",
    "小学生一日林长": "gardens.forest_chief_for_a_day",
    "湿地小科学家养成计划": "gardens.wetland_young_scientists",
    "湿地观察员": "gardens.wetland_observer",
    "湿地调查员": "gardens.wetland_surveyor",
    "湿地讲解员": "gardens.wetland_interpreter",
}


@pytest.mark.parametrize(("zh", "rid"), SEED.items())
def test_seed_projects_are_seed_templates(registry, zh, rid):
    template = registry.templates[rid]
    assert template.seed and template.name_zh == zh


def test_wetland_courses_are_for_parent_child_families(registry):
    for rid in list(SEED.values())[2:]:
        template = registry.templates[rid]
        assert "core.families_with_children" in template.audiences
        assert template.site_types == ("gardens.wetland",)
        assert "parent_child" in template.tags


def test_only_seed_named_projects_are_marked_seed(registry):
    seeds = {rid for rid, t in registry.templates.items() if rid.startswith("gardens.") and t.seed}
    assert seeds == set(SEED.values())


def test_venues_sit_in_real_divisions(registry):
    venues = {
        rid: r
        for rid, r in registry.resources.items()
        if rid.startswith("gardens.") and r.kind == "venue"
    }
    assert venues["gardens.humble_administrators_garden"].place == "320508018025"  # 拙政园社区
    assert venues["gardens.taihu_wetland_park"].place == "320505004"  # 镇湖街道
    assert venues["gardens.yushan_forest_farm"].place == "320581001035"  # 虞山林场兴福管理社区
    kinds = {v.site_type for v in venues.values()}
    assert {"gardens.scenic_garden", "gardens.wetland", "gardens.state_forest_farm"} <= kinds


def test_gardens_can_fill_their_joint_parts(registry):
    """Gardens bring a garden to 江南美学 and a flower-border team to 净美古城."""
    outdoor = [
        r
        for rid, r in registry.resources.items()
        if rid.startswith("gardens.") and r.kind == "venue" and "outdoor_ceremony" in r.tags
    ]
    assert outdoor and all("core.culture_arts" in r.categories for r in outdoor)
    team = registry.resources["gardens.flower_border_team"]
    assert team.kind == "team" and team.place == "320508"
    assert {"flower_border", "old_town"} <= set(team.tags)


def test_rules_encode_family_nature_education(registry):
    rules = {rid: r for rid, r in registry.rules.items() if rid.startswith("gardens.")}
    family = rules["gardens.families_in_nature"]
    assert family.params.audiences == ("core.families_with_children", "core.minors")
    assert family.scope.categories == ("core.science",)
    reach = rules["gardens.fifteen_minute_nature"]
    assert reach.params.reach_km is None  # the deployment's 15-minute living circle
    assert reach.scope.resource_kinds == ("venue",) and reach.scope.departments == ("gardens",)
    seasons = rules["gardens.wetland_seasons"]
    assert "gardens.wetland_surveyor" in seasons.scope.templates
    assert 7 not in seasons.params.months and 1 not in seasons.params.months


def test_guides_needed_follows_the_setting():
    default = load_registry(wenming_gardens, name="gardens")
    assert guides_needed(default, 0) == 1
    assert guides_needed(default, 21) == 3
    strict = load_registry(
        wenming_gardens, name="gardens", settings={"gardens": {"children_per_guide": 5}}
    )
    assert guides_needed(strict, 21) == 5


def test_wetland_courses_run_in_sequence():
    registry = load_registry(wenming_gardens, name="gardens")
    assert next_course(registry, []) == "gardens.wetland_observer"
    assert next_course(registry, ["gardens.wetland_observer"]) == "gardens.wetland_surveyor"
    done = ["wetland_observer", "wetland_surveyor", "wetland_interpreter"]
    assert next_course(registry, done) is None


def test_a_course_sequence_naming_an_unknown_template_is_a_config_error():
    registry = load_registry(
        wenming_gardens,
        name="gardens",
        settings={"gardens": {"wetland_course_sequence": ["wetland_observer", "bird_ringing"]}},
    )
    with pytest.raises(ConfigError, match="bird_ringing"):
        next_course(registry, [])


# --- rule behaviour, ranked by the matching engine ------------------------------------

HERE = (120.62, 31.30)
KM_PER_DEG_LNG = 111.32 * 0.8563  # at 31.3° N


def _engine(changes=None, **positions):
    """Core + gardens; the named gardens resources ``km`` east of HERE (with ``changes``
    applied per resource)."""
    from attrs import evolve

    from wenming.matching import Engine

    registry = load_registry(wenming_gardens, name="gardens")
    changes = changes or {}
    resources = [
        (
            f"gardens.{name}",
            evolve(
                registry.resources[f"gardens.{name}"],
                lng=HERE[0] + km / KM_PER_DEG_LNG,
                lat=HERE[1],
                **changes.get(name, {}),
            ),
        )
        for name, km in positions.items()
    ]
    return Engine(registry, resources)


def _demand(demand_id, day=None, **fields):
    from datetime import date

    from wenming.matching import Demand

    day = day or date(2023, 4, 15)
    fields.setdefault("category", "core.science")
    fields.setdefault("headcount", 20)
    return Demand(id=demand_id, lng=HERE[0], lat=HERE[1], start=day, end=day, **fields)


def test_nature_education_favours_families_with_children():
    engine = _engine(taihu_wetland_park=1.0)
    families = engine.rank(_demand("f", audiences=("core.families_with_children",)))
    seniors = engine.rank(_demand("s", audiences=("core.elderly",)))
    (fam,) = families.candidates
    (sen,) = seniors.candidates
    assert fam.breakdown["gardens.families_in_nature"] == pytest.approx(0.11)
    assert sen.breakdown["gardens.families_in_nature"] == 0.0
    assert fam.score > sen.score
    # the family rule judges science demands only: a culture demand gets no family bonus
    culture = engine.rank(
        _demand(
            "c", category="core.hygiene_environment", audiences=("core.families_with_children",)
        )
    )
    assert "gardens.families_in_nature" not in culture.candidates[0].breakdown


def test_the_nearer_wetland_wins_within_the_living_circle():
    # a forest farm is a destination (people travel up to 30 km to it), not a walk
    engine = _engine(taihu_wetland_park=1.0, shajiabang_wetland=4.0, yushan_forest_farm=40.0)
    ranking = engine.rank(
        _demand("f", audiences=("core.families_with_children",), tags=("wetland",)),
        include_excluded=True,
    )
    assert [c.key for c in ranking.candidates] == [
        "gardens.taihu_wetland_park",
        "gardens.shajiabang_wetland",
    ]
    near, far = (c.breakdown["gardens.fifteen_minute_nature"] for c in ranking.candidates)
    assert near > far > 0
    # beyond the destination's 30 km travel radius
    (far_away,) = ranking.excluded
    assert far_away.key == "gardens.yushan_forest_farm" and "travel radius" in far_away.reason


def test_wetland_courses_are_not_offered_in_summer_or_winter():
    from datetime import date

    # an all-year copy of the programme: only the department's season rule holds it back
    engine = _engine(
        changes={"wetland_young_scientists": {"months": ()}}, wetland_young_scientists=0
    )
    ask = {"audiences": ("core.families_with_children",), "tags": ("wetland",)}
    april = engine.rank(_demand("a", day=date(2023, 4, 15), **ask))
    assert [c.key for c in april.candidates] == ["gardens.wetland_young_scientists"]
    july = engine.rank(_demand("j", day=date(2023, 7, 15), **ask), include_excluded=True)
    assert not july.candidates
    assert july.excluded[0].rule_id == "gardens.wetland_seasons"
