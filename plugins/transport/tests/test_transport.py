from __future__ import annotations

import pytest

import wenming_transport
from wenming.errors import ConfigError
from wenming.testing import check_plugin, load_registry
from wenming_transport import doctors_needed, rider_friendly


@pytest.fixture(scope="module")
def registry():
    return check_plugin("transport")


def test_conformance(registry):
    dept = registry.departments["transport"]
    assert dept.name_zh == "苏州市交通运输局"
    assert "交通行业文明实践联盟" in dept.description


def test_seed_sites_are_practice_point_types(registry):
    names = {t.name_zh for rid, t in registry.site_types.items() if rid.startswith("transport.")}
    assert {"司机之家", "暖蜂驿站"} <= names
    own = [t for rid, t in registry.site_types.items() if rid.startswith("transport.")]
    assert len(own) >= 3 and all(t.level == "practice_point" for t in own)


@pytest.mark.parametrize(
    ("template", "zh"),
    [
        ("free_clinic", "健康义诊"),
        ("skills_training", "技能提升培训"),
        ("snapshot_city_check", "随手拍"),
        ("shopping_help", "帮采买"),
        ("transport_red_talks", "交通别样红"),
    ],
)
def test_seed_projects_are_seed_templates(registry, template, zh):
    t = registry.templates[f"transport.{template}"]
    assert t.seed and zh in t.name_zh and t.description


def test_realistic_additions_are_not_marked_seed(registry):
    assert not registry.templates["transport.road_safety_class"].seed


def test_seed_alliance_and_projects_are_resources(registry):
    alliance = registry.resources["transport.practice_alliance"]
    assert alliance.kind == "team" and alliance.name_zh == "交通行业文明实践联盟"
    for name in ("snapshot_city_check", "shopping_help", "transport_red_talks"):
        project = registry.resources[f"transport.{name}"]
        assert project.kind == "project" and project.template == f"transport.{name}"
    # 姑苏区金阊街道 and 工业园区金鸡湖街道
    assert registry.resources["transport.warm_bee_station_jinchang"].place == "320508019"
    assert registry.resources["transport.warm_bee_station_jinji_lake"].place == "320576054"
    assert registry.resources["transport.warm_bee_station_jinchang"].site_type == (
        "transport.warm_bee_station"
    )


def test_rules_favour_new_employment_near_stations(registry):
    rules = {rid: r for rid, r in registry.rules.items() if rid.startswith("transport.")}
    favour = rules["transport.new_employment_first"]
    assert favour.scope.departments == ("transport",)
    assert "core.new_employment" in favour.params.audiences
    assert "transport.delivery_riders" in favour.params.audiences
    near = rules["transport.near_our_stations"]
    assert near.scope.resource_kinds == ("venue",) and near.params.reach_km == 3.0
    term = rules["transport.road_safety_in_term"]
    assert term.mode == "filter" and 7 not in term.params.months
    assert term.scope.templates == ("transport.road_safety_class",)


def test_rider_friendly_hours_follow_the_setting():
    default = load_registry(wenming_transport, name="transport")
    assert rider_friendly(default, 15) and not rider_friendly(default, 12)
    night_shift = load_registry(
        wenming_transport, name="transport", settings={"transport": {"rider_peak_hours": [21]}}
    )
    assert rider_friendly(night_shift, 12) and not rider_friendly(night_shift, 21)
    with pytest.raises(ValueError, match="0–23"):
        rider_friendly(default, 24)


def test_rider_peak_hours_must_be_hours():
    bad = load_registry(
        wenming_transport, name="transport", settings={"transport": {"rider_peak_hours": ["noon"]}}
    )
    with pytest.raises(ConfigError, match="rider_peak_hours"):
        rider_friendly(bad, 9)


def test_doctors_needed_rounds_up():
    default = load_registry(wenming_transport, name="transport")
    assert doctors_needed(default, 0) == 0
    assert doctors_needed(default, 25) == 1
    assert doctors_needed(default, 26) == 2
    with pytest.raises(ConfigError, match="checks_per_doctor"):
        load_registry(
            wenming_transport, name="transport", settings={"transport": {"checks_per_doctor": 1}}
        )
