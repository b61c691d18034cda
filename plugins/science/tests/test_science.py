from datetime import date

import attrs

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
    hands_on = registry.rules["science.hands_on"]
    assert hands_on.kind == "core.tags" and "experiments" in hands_on.params.tags
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


# --- rule behaviour, with the matching engine ------------------------------------

STATION = (120.64, 31.16)  # a practice station in Wujiang, near the youth science centre
KM_PER_DEGREE_LNG = 95.0


def _engine(registry, replace=None):
    """The plugin's resources 1 km east of the station, ``replace`` records swapped in."""
    from wenming.matching import Engine

    resources = {**registry.resources, **(replace or {})}
    lng = STATION[0] + 1.0 / KM_PER_DEGREE_LNG
    return Engine(
        registry, [(k, attrs.evolve(r, lng=lng, lat=STATION[1])) for k, r in resources.items()]
    )


def _ranked(engine, **fields):
    from wenming.matching import Demand

    values = {"id": "d", "headcount": 20, "lng": STATION[0], "lat": STATION[1]}
    values.update(fields)
    ranking = engine.rank(Demand(**values), k=20, explain=True, include_excluded=True)
    return {c.key: c for c in ranking.candidates}, {e.key: e.rule_id for e in ranking.excluded}


def test_venues_favour_children():
    engine = _engine(check_plugin("science"))
    key = "science.youth_science_centre"
    kids, _ = _ranked(engine, category="core.science", audiences=("core.minors",))
    adults, _ = _ranked(engine, category="core.science", audiences=("core.residents",))
    assert kids[key].score > adults[key].score
    assert kids[key].breakdown["science.children_at_venues"] == 0.06
    assert adults[key].breakdown["science.children_at_venues"] == 0.0


def test_smartphone_class_is_for_older_people():
    engine = _engine(check_plugin("science"))
    key = "science.smartphone_class"
    elderly, _ = _ranked(engine, category="core.science", audiences=("core.elderly",))
    families, _ = _ranked(
        engine, category="core.science", audiences=("core.families_with_children",)
    )
    assert elderly[key].score > families[key].score
    assert elderly[key].breakdown["science.elderly_digital"] == 0.08
    # Ranked against the science venue for older people, the class comes first.
    order = sorted(elderly.values(), key=lambda c: -c.score)
    assert order[0].key == key


def test_paddy_field_classroom_only_in_the_growing_season():
    registry = check_plugin("science")
    # A paddy-field class published without its own season: the rule still holds.
    no_season = attrs.evolve(registry.resources["science.red_paddy_classroom"], months=())
    engine = _engine(registry, {"science.red_paddy_classroom": no_season})
    june, _ = _ranked(
        engine, category="core.theory_policy", start=date(2023, 6, 5), end=date(2023, 6, 5)
    )
    _, december = _ranked(
        engine, category="core.theory_policy", start=date(2023, 12, 4), end=date(2023, 12, 4)
    )
    assert "science.red_paddy_classroom" in june
    assert december["science.red_paddy_classroom"] == "science.growing_season"


def test_hands_on_demands_favour_hands_on_resources():
    engine = _engine(check_plugin("science"))
    key = "science.youth_science_centre"
    hands_on, _ = _ranked(
        engine, category="core.science", audiences=("core.minors",), tags=("experiments", "makers")
    )
    lecture, _ = _ranked(
        engine, category="core.science", audiences=("core.minors",), tags=("lecture",)
    )
    assert hands_on[key].breakdown["science.hands_on"] > 0
    assert lecture[key].breakdown["science.hands_on"] == 0.0
    assert hands_on[key].score > lecture[key].score
