import attrs

import wenming_state_assets
from wenming.testing import check_plugin, load_registry


def test_conformance():
    registry = check_plugin("state_assets")
    dept = registry.departments["state_assets"]
    assert dept.name_zh == "苏州市人民政府国有资产监督管理委员会"
    assert dept.corps_zh == "国资国企志愿服务总队"


def test_site_types_are_practice_points():
    registry = check_plugin("state_assets")
    own = {k: v for k, v in registry.site_types.items() if k.startswith("state_assets.")}
    assert len(own) >= 3
    assert {v.level for v in own.values()} == {"practice_point"}
    assert "state_assets.civilized_unit_point" in own


def test_workshop_stool_talks():
    registry = check_plugin("state_assets")
    t = registry.templates["state_assets.workshop_stool_talks"]
    assert t.seed and t.name_zh == "车间小板凳宣讲"
    assert t.category == "core.theory_policy"
    assert "state_assets.workshop" in t.site_types
    assert "core.migrant_workers" in t.audiences
    project = registry.resources["state_assets.workshop_stool_talks"]
    assert project.template == "state_assets.workshop_stool_talks"
    own = [k for k in registry.templates if k.startswith("state_assets.")]
    assert len(own) >= 4


def test_rules():
    registry = check_plugin("state_assets")
    load = registry.rules["state_assets.after_hours_load"]
    assert load.kind == "core.fairness" and load.params.max_open == 2
    assert load.scope.departments == ("state_assets",)
    talks = registry.rules["state_assets.talks_for_workers"]
    assert talks.scope.templates == (
        "state_assets.workshop_stool_talks",
        "state_assets.employment_policy_talk",
    )


def test_settings():
    registry = load_registry(
        wenming_state_assets, name="state_assets", settings={"state_assets": {"talk_minutes": 20}}
    )
    assert registry.setting("state_assets", "talk_minutes") == 20
    assert registry.setting("state_assets", "max_open_dispatches_per_team") == 3


# --- rule behaviour, with the matching engine ------------------------------------

STATION = (120.73, 31.32)  # a practice station in Suzhou Industrial Park
KM_PER_DEGREE_LNG = 95.0


def _outlet():
    from wenming.records import Resource

    return Resource(
        name="gas_hall",
        kind="venue",
        name_zh="燃气营业厅文明实践点",
        name_en="Gas company customer hall",
        place="320576054",
        site_type="state_assets.service_outlet",
        categories=("core.help_in_difficulty",),
        audiences=("core.new_employment", "core.migrant_workers"),
        tags=("rest_stop", "outdoor_workers"),
        capacity=20,
    )


def _engine(registry, km_east=None, **kwargs):
    """The registry's resources (plus a service outlet) ``km_east[key]`` (default 1 km)
    east of the station."""
    from wenming.matching import Engine

    resources = {**registry.resources, "state_assets.gas_hall": _outlet()}
    placed = []
    for key, record in resources.items():
        lng = STATION[0] + (km_east or {}).get(key, 1.0) / KM_PER_DEGREE_LNG
        placed.append((key, attrs.evolve(record, lng=lng, lat=STATION[1])))
    return Engine(registry, placed, **kwargs)


def _ranked(engine, **fields):
    from wenming.matching import Demand

    values = {"id": "d", "headcount": 10, "lng": STATION[0], "lat": STATION[1]}
    values.update(fields)
    ranking = engine.rank(Demand(**values), k=20, explain=True, include_excluded=True)
    return {c.key: c for c in ranking.candidates}, {e.key: e.rule_id for e in ranking.excluded}


def test_workshop_talks_favour_workers():
    engine = _engine(check_plugin("state_assets"))
    key = "state_assets.workshop_stool_talks"
    workers, _ = _ranked(engine, category="core.theory_policy", audiences=("core.migrant_workers",))
    elderly, _ = _ranked(engine, category="core.theory_policy", audiences=("core.elderly",))
    assert workers[key].score > elderly[key].score
    assert workers[key].breakdown["state_assets.talks_for_workers"] == 0.1
    assert elderly[key].breakdown["state_assets.talks_for_workers"] == 0.0


def test_enterprise_teams_serve_after_hours():
    registry = check_plugin("state_assets")
    key = "state_assets.party_member_volunteers"
    demand = {"category": "core.help_in_difficulty", "audiences": ("core.elderly",)}
    idle, _ = _ranked(_engine(registry), **demand)
    busy, _ = _ranked(_engine(registry, load={key: 2}), **demand)
    _, full = _ranked(_engine(registry, load={key: 3}), **demand)
    assert idle[key].score > busy[key].score
    assert (
        idle[key].breakdown["state_assets.after_hours_load"]
        > (busy[key].breakdown["state_assets.after_hours_load"])
    )
    assert full[key] == "state_assets.after_hours_load"


def test_enterprise_premises_serve_their_neighbourhood():
    from wenming.deployment import MatchingConfig

    registry = check_plugin("state_assets")
    key = "state_assets.gas_hall"
    demand = {"category": "core.help_in_difficulty", "audiences": ("core.new_employment",)}
    near, _ = _ranked(_engine(registry, {key: 1.0}), **demand)
    farther, _ = _ranked(_engine(registry, {key: 4.0}), **demand)
    assert near[key].score > farther[key].score
    # A deployment that widens the living circle to 10 km does not widen a unit's reach.
    wide = MatchingConfig(reach_minutes=30.0)
    _, refused = _ranked(_engine(registry, {key: 7.0}, config=wide), **demand)
    assert refused[key] == "state_assets.neighbourhood_units"
