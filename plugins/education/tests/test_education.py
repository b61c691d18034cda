import wenming_education
from wenming.testing import check_plugin, load_registry


def test_conformance():
    registry = check_plugin("education")
    assert registry.departments["education"].name_zh == "苏州市教育局"
    assert registry.departments["education"].subcenter_zh == "教育行业新时代文明实践分中心"


def test_site_types_are_practice_points():
    registry = check_plugin("education")
    own = {k: v for k, v in registry.site_types.items() if k.startswith("education.")}
    assert len(own) >= 3
    assert {v.level for v in own.values()} == {"practice_point"}


def test_summer_care_is_the_seed_project():
    registry = check_plugin("education")
    t = registry.templates["education.summer_care"]
    assert t.seed and t.name_zh == "家门口的暑托班"
    assert t.months == (7, 8)
    assert t.audiences[0] == "core.children_of_migrant_workers"
    assert t.site_types == ("core.station", "education.campus")
    assert t.benefit_type == "targeted"
    own = [k for k in registry.templates if k.startswith("education.")]
    assert len(own) >= 4


def test_summer_care_resources():
    registry = check_plugin("education")
    project = registry.resources["education.summer_care"]
    assert project.kind == "project" and project.months == (7, 8)
    assert project.template == "education.summer_care"
    team = registry.resources["education.youth_league_summer_team"]
    assert team.kind == "team" and team.members > 0 and "团市委" in team.name_zh
    assert registry.resources["education.corps"].place == "3205"


def test_rules_encode_summer_migrant_children_near_home():
    registry = check_plugin("education")
    rules = {k: r for k, r in registry.rules.items() if k.startswith("education.")}
    assert rules["education.summer_months"].params.months == (7, 8)
    assert rules["education.summer_months"].mode == "filter"
    assert rules["education.migrant_children_first"].params.audiences == (
        "children_of_migrant_workers",
    )
    assert rules["education.at_the_doorstep"].params.reach_km == 3.0
    for rule in rules.values():
        assert rule.scope.templates or rule.scope.departments == ("education",)


def test_settings():
    registry = load_registry(
        wenming_education, name="education", settings={"education": {"children_per_volunteer": 5}}
    )
    assert registry.setting("education", "children_per_volunteer") == 5
    assert registry.setting("education", "summer_months") == [7, 8]
