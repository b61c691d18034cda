from datetime import date

import attrs

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


# --- rule behaviour, with the matching engine ------------------------------------

STATION = (120.62, 31.31)  # a practice station in Gusu district
KM_PER_DEGREE_LNG = 95.0  # at 31.3° N
JULY = date(2023, 7, 10)
OCTOBER = date(2023, 10, 16)


def _engine(registry, replace=None, km_east=None):
    """The plugin's resources 0.5 km east of the station (or ``km_east[key]``), with
    records replaced or added by ``replace`` (key → Resource)."""
    from wenming.matching import Engine

    resources = {**registry.resources, **(replace or {})}
    placed = []
    for key, record in resources.items():
        km = (km_east or {}).get(key, 0.5)
        lng = STATION[0] + km / KM_PER_DEGREE_LNG
        placed.append((key, attrs.evolve(record, lng=lng, lat=STATION[1])))
    return Engine(registry, placed)


def _demand(**changes):
    from wenming.matching import Demand

    values = {
        "id": "summer",
        "category": "core.education_support",
        "audiences": ("core.children_of_migrant_workers",),
        "tags": ("summer_care",),
        "headcount": 30,
        "lng": STATION[0],
        "lat": STATION[1],
        "start": JULY,
        "end": JULY,
    }
    values.update(changes)
    return Demand(**values)


def _ranked(engine, demand):
    ranking = engine.rank(demand, k=20, explain=True, include_excluded=True)
    return {c.key: c for c in ranking.candidates}, {e.key: e.rule_id for e in ranking.excluded}


def test_summer_classes_run_only_in_july_and_august():
    registry = check_plugin("education")
    # A summer class published without a season of its own: education's rule still holds.
    no_season = attrs.evolve(registry.resources["education.summer_care"], months=())
    engine = _engine(registry, {"education.summer_care": no_season})
    july, _ = _ranked(engine, _demand())
    _, october = _ranked(engine, _demand(start=OCTOBER, end=OCTOBER))
    assert "education.summer_care" in july
    assert october["education.summer_care"] == "education.summer_months"


def test_children_of_migrant_workers_come_first():
    registry = check_plugin("education")
    engine = _engine(registry)
    migrant, _ = _ranked(engine, _demand())
    other, _ = _ranked(engine, _demand(audiences=("core.minors",)))
    key = "education.summer_care"
    assert migrant[key].score > other[key].score
    assert migrant[key].breakdown["education.migrant_children_first"] == 0.08
    assert other[key].breakdown["education.migrant_children_first"] == 0.0
    # The corps is not a summer class: the rule does not judge it.
    assert "education.migrant_children_first" not in migrant["education.corps"].breakdown


def test_summer_class_at_the_doorstep():
    registry = check_plugin("education")
    key = "education.summer_care"
    near, _ = _ranked(_engine(registry, km_east={key: 0.5}), _demand())
    farther, _ = _ranked(_engine(registry, km_east={key: 2.5}), _demand())
    _, too_far = _ranked(_engine(registry, km_east={key: 4.0}), _demand())
    assert near[key].score > farther[key].score
    assert (
        near[key].breakdown["education.at_the_doorstep"]
        > (farther[key].breakdown["education.at_the_doorstep"])
    )
    # 4 km is inside the deployment's 5 km living circle but not at the doorstep.
    assert too_far[key] == "education.at_the_doorstep"


def test_paired_tutoring_is_for_small_groups():
    from wenming.records import Resource

    registry = check_plugin("education")
    tutors = Resource(
        name="tutors",
        kind="team",
        name_zh="结对助学志愿队",
        name_en="Paired tutors",
        place="320508021",
        template="education.paired_tutoring",
        categories=("core.help_in_difficulty",),
        audiences=("core.people_in_difficulty", "core.minors"),
        tags=("tutoring",),
        capacity=10,
        members=40,
    )
    engine = _engine(registry, {"education.tutors": tutors})
    demand = _demand(category="core.help_in_difficulty", audiences=("core.minors",), tags=())
    fits, _ = _ranked(engine, attrs.evolve(demand, headcount=8))
    _, too_small = _ranked(engine, attrs.evolve(demand, headcount=3))
    assert "education.tutors" in fits
    assert too_small["education.tutors"] == "education.one_to_one_groups"
