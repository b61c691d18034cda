from __future__ import annotations

import pytest

import wenming_housing
from wenming.errors import ConfigError
from wenming.testing import check_plugin, load_registry
from wenming_housing import first_responders_needed, heat_alert


@pytest.fixture(scope="module")
def registry():
    return check_plugin("housing")


def test_conformance(registry):
    dept = registry.departments["housing"]
    assert dept.name_zh == "苏州市住房和城乡建设局"
    assert dept.subcenter_zh.endswith("分中心") and dept.corps_zh.endswith("总队")


def test_seed_sites_are_practice_point_types(registry):
    names = {t.name_zh: rid for rid, t in registry.site_types.items() if rid.startswith("housing.")}
    assert {"助建驿站", "工地流动实践点", "“全龄宜居”实践点"} <= set(names)
    assert all(registry.site_types[rid].level == "practice_point" for rid in names.values())


def test_seed_model_is_a_seed_template(registry):
    template = registry.templates["housing.community_property_elderly_care"]
    assert template.seed and "社区+物业+养老" in template.name_zh
    assert template.site_types == ("housing.all_age_livable_point", "core.station")
    seeds = {rid for rid, t in registry.templates.items() if t.seed and rid.startswith("housing.")}
    assert seeds == {"housing.community_property_elderly_care"}
    assert len([r for r in registry.templates if r.startswith("housing.")]) >= 4


def test_resources_sit_in_real_divisions(registry):
    places = {rid: r.place for rid, r in registry.resources.items() if rid.startswith("housing.")}
    assert places["housing.corps"] == "3205"
    # 苏州高铁新城 (相城区), 唯亭街道 (工业园区), 双塔街道 (姑苏区)
    assert places["housing.builders_station_high_speed_rail_city"] == "320507402"
    assert places["housing.site_mobile_point_weiting"] == "320576052"
    assert places["housing.all_age_livable_shuangta"] == "320508021"
    assert registry.resources["housing.corps"].kind == "team"
    assert registry.resources["housing.corps"].members > 0


def test_property_team_can_fill_the_health_part(registry):
    """健康住区 物业护航 (registered by health) asks housing for a first-aid team."""
    team = registry.resources["housing.property_first_responders"]
    assert team.kind == "team" and "first_aid" in team.skills
    assert {"first_responder", "property_service"} <= set(team.tags)


def test_joint_part_from_health_finds_a_housing_team():
    from wenming.deployment import Deployment

    deployment = Deployment.in_memory()
    joint = deployment.registry.templates.get("health.healthy_estates")
    if joint is None:
        pytest.skip("wenming-health is not installed")
    part = next(p for p in joint.parts if p.department == "housing")
    teams = [
        r
        for rid, r in deployment.registry.resources.items()
        if rid.startswith("housing.") and r.kind in part.resource_kinds
    ]
    assert any(set(part.skills) <= set(r.skills) for r in teams)


def test_rules_are_scoped_to_housing(registry):
    rules = {rid: r for rid, r in registry.rules.items() if rid.startswith("housing.")}
    assert len(rules) >= 2
    assert all(r.scope.departments == ("housing",) and r.description for r in rules.values())
    assert rules["housing.walk_to_the_point"].scope.resource_kinds == ("venue",)
    assert rules["housing.walk_to_the_point"].params.reach_km == 2.0
    assert rules["housing.builders_first"].params.audiences == (
        "housing.construction_workers",
        "core.migrant_workers",
    )
    assert rules["housing.trusted_home_visits"].scope.categories == ("core.help_in_difficulty",)


def test_settings_drive_the_first_responder_roster():
    default = load_registry(wenming_housing, name="housing")
    assert first_responders_needed(default, estates=4) == 20
    assert first_responders_needed(default, estates=4, on_roster=25) == 0
    tuned = load_registry(
        wenming_housing, name="housing", settings={"housing": {"first_responders_per_estate": 8}}
    )
    assert first_responders_needed(tuned, estates=4, on_roster=10) == 22
    with pytest.raises(ValueError, match="≥ 0"):
        first_responders_needed(default, estates=-1)


def test_heat_alert_follows_the_setting():
    default = load_registry(wenming_housing, name="housing")
    assert heat_alert(default, 35.0) and not heat_alert(default, 34.9)
    cooler = load_registry(
        wenming_housing, name="housing", settings={"housing": {"heat_alert_celsius": 33}}
    )
    assert heat_alert(cooler, 34.0)
    with pytest.raises(ValueError, match="NaN"):
        heat_alert(default, float("nan"))


def test_a_bad_setting_value_names_the_key():
    with pytest.raises(ConfigError, match="settings.housing.heat_alert_celsius"):
        load_registry(
            wenming_housing, name="housing", settings={"housing": {"heat_alert_celsius": 50}}
        )


# --- rule behaviour, ranked by the matching engine ------------------------------------

HERE = (120.62, 31.30)  # a point in the old town; demands and venues are placed around it


def _engine(reputation=None, **positions):
    """An engine over core + housing with the named housing resources at given offsets
    (km east of HERE), so distances are known exactly."""
    from attrs import evolve

    from wenming.matching import Engine

    registry = load_registry(wenming_housing, name="housing")
    km_per_deg = 111.32 * 0.8563  # longitude degrees at 31.3° N
    resources = [
        (
            f"housing.{name}",
            evolve(
                registry.resources[f"housing.{name}"], lng=HERE[0] + km / km_per_deg, lat=HERE[1]
            ),
        )
        for name, km in positions.items()
    ]
    return Engine(registry, resources, reputation=reputation)


def _demand(demand_id, **fields):
    from datetime import date

    from wenming.matching import Demand

    fields.setdefault("category", "core.help_in_difficulty")
    fields.setdefault("headcount", 20)
    day = fields.pop("day", date(2023, 5, 10))
    return Demand(id=demand_id, lng=HERE[0], lat=HERE[1], start=day, end=day, **fields)


def test_builders_rank_the_builders_station_first():
    engine = _engine(builders_station_high_speed_rail_city=0.2, all_age_livable_shuangta=0.2)
    workers = engine.rank(_demand("w", audiences=("housing.construction_workers",)))
    elders = engine.rank(_demand("e", audiences=("core.elderly",)))
    assert workers.candidates[0].key == "housing.builders_station_high_speed_rail_city"
    assert workers.candidates[0].breakdown["housing.builders_first"] == pytest.approx(0.13)
    assert elders.candidates[0].key == "housing.all_age_livable_shuangta"
    station = "housing.builders_station_high_speed_rail_city"
    score = {c.key: c.score for c in workers.candidates}[station]
    assert score > {c.key: c.score for c in elders.candidates}[station]


def test_housing_venues_serve_only_walking_distance():
    engine = _engine(builders_station_high_speed_rail_city=1.0, site_mobile_point_weiting=3.0)
    ranking = engine.rank(
        _demand("w", category="core.theory_policy", audiences=("housing.construction_workers",)),
        include_excluded=True,
    )
    assert [c.key for c in ranking.candidates] == ["housing.builders_station_high_speed_rail_city"]
    (refused,) = ranking.excluded
    assert refused.key == "housing.site_mobile_point_weiting"
    assert refused.rule_id == "housing.walk_to_the_point"
    assert "2 km reach" in refused.reason


def test_poorly_rated_teams_do_not_enter_homes():
    rated = {"housing.property_elderly_care": (2.0, 20)}
    engine = _engine(reputation=rated, property_elderly_care=0.0, corps=0.0)
    help_at_home = engine.rank(
        _demand("h", audiences=("core.elderly",), tags=("elderly_care",)), include_excluded=True
    )
    refused = {e.key: e.rule_id for e in help_at_home.excluded}
    assert refused == {"housing.property_elderly_care": "housing.trusted_home_visits"}
    unrated = _engine(property_elderly_care=0.0).rank(_demand("h", audiences=("core.elderly",)))
    assert [c.key for c in unrated.candidates] == ["housing.property_elderly_care"]
