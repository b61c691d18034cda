from wenming.testing import check_plugin


def test_conformance():
    registry = check_plugin("science")
    assert registry.departments["science"].name_zh == "苏州市科学技术局"
    assert registry.departments["science"].corps_zh == "科技志愿服务总队"


def test_site_types_are_practice_points():
    registry = check_plugin("science")
    own = {k: v for k, v in registry.site_types.items() if k.startswith("science.")}
    assert len(own) >= 3
    assert {v.level for v in own.values()} == {"practice_point"}


def test_templates_are_complete_and_seeded():
    registry = check_plugin("science")
    own = {k: t for k, t in registry.templates.items() if k.startswith("science.")}
    assert len(own) >= 4
    for rid, t in own.items():
        assert t.site_types and t.audiences and t.skills and t.tags, rid
    paddy = own["science.red_paddy_classroom"]
    assert paddy.seed and paddy.name_zh == "红色稻田课堂"
    assert paddy.category == "core.theory_policy"
    assert paddy.months == (5, 6, 7, 8, 9, 10)
    assert "science.agritech_field" in paddy.site_types
    assert not own["science.smartphone_class"].seed


def test_resources_reference_own_templates_and_real_places():
    registry = check_plugin("science")
    own = {k: r for k, r in registry.resources.items() if k.startswith("science.")}
    assert own["science.corps"].kind == "team" and own["science.corps"].place == "3205"
    assert own["science.red_paddy_classroom"].template == "science.red_paddy_classroom"
    venue = own["science.youth_science_centre"]
    assert venue.site_type == "science.science_venue" and venue.place.startswith("320509")


def test_rules_scope_and_params():
    registry = check_plugin("science")
    assert registry.rules["science.growing_season"].scope.templates == (
        "science.red_paddy_classroom",
    )
    assert registry.rules["science.growing_season"].mode == "filter"
    reach = registry.rules["science.venue_trip_reach"]
    assert reach.kind == "core.distance" and reach.params.reach_km == 30.0
    venues = registry.rules["science.children_at_venues"].scope
    assert venues.resource_kinds == ("venue",) and venues.departments == ("science",)


def test_settings_have_defaults_and_can_be_set():
    import wenming_science
    from wenming.testing import load_registry

    registry = load_registry(
        wenming_science, name="science", settings={"science": {"open_lab_group_max": 12}}
    )
    assert registry.setting("science", "open_lab_group_max") == 12
    assert check_plugin("science").setting("science", "growing_season_months") == [
        5,
        6,
        7,
        8,
        9,
        10,
    ]
