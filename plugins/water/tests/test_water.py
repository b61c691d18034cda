from wenming.testing import check_plugin


def test_conformance():
    registry = check_plugin("water")
    assert registry.departments["water"].name_zh == "苏州市水务局"


def test_seed_projects_are_water_templates():
    registry = check_plugin("water")
    names = {t.name_zh for rid, t in registry.templates.items() if rid.startswith("water.")}
    assert {"一滴水的旅行", "水讲堂"} <= names
    assert registry.templates["water.water_journey"].site_types == (
        "water.waterworks",
        "water.wastewater_plant",
    )


def test_rules_are_scoped_to_water():
    registry = check_plugin("water")
    rule = registry.rules["water.young_science"]
    assert rule.scope.templates == ("water.water_journey",)
    assert registry.rules["water.walkable_promenade"].scope.resource_kinds == ("venue",)
    assert registry.rules["water.walkable_promenade"].params.reach_km == 3.0
