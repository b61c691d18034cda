from __future__ import annotations

from datetime import date

import pytest

import wenming_emergency
from wenming.testing import check_plugin, load_registry
from wenming_emergency import CERTIFIED, certificate_expires, instructors_needed


@pytest.fixture(scope="module")
def registry():
    return check_plugin("emergency")


def test_conformance(registry):
    assert registry.departments["emergency"].name_zh == "苏州市应急管理局"
    own = [t for rid, t in registry.site_types.items() if rid.startswith("emergency.")]
    assert len(own) >= 3 and {t.level for t in own} == {"practice_point"}


def test_seed_teams_are_certified_rescue_teams(registry):
    blue_sky = registry.resources["emergency.blue_sky_rescue"]
    donkey = registry.resources["emergency.mr_donkey_rescue"]
    assert "蓝天救援" in blue_sky.name_zh and "驴先生" in donkey.name_zh
    for team in (blue_sky, donkey):
        assert team.kind == "team" and team.members > 0
        assert CERTIFIED in team.tags and "rescue_training" in team.skills
        assert "core.emergency_rescue" in team.categories


def test_the_hub_corps_does_not_teach_rescue(registry):
    corps = registry.resources["emergency.corps"]
    assert CERTIFIED not in corps.tags
    assert "core.emergency_rescue" not in corps.categories


def test_joint_template_waits_for_its_partners(registry):
    """Alone, 应急救助普及 is listed as unavailable (a warning), not an error."""
    assert registry.plugin("emergency").ok
    missing = {u.id: u.reason for u in registry.unavailable}
    assert "health" in missing["emergency.rescue_outreach"]
    assert "veterans" in missing["emergency.rescue_outreach"]


def test_joint_template_parts():
    template = next(t for t in wenming_emergency.TEMPLATES if t.name == "rescue_outreach")
    assert template.seed and template.name_zh == "应急救助普及"
    assert [p.department for p in template.parts] == ["emergency", "health", "veterans"]
    assert template.category == "emergency_rescue"
    assert {"residents", "new_employment", "drivers"} == set(template.audiences)


def test_joint_template_with_partners_installed():
    from wenming.deployment import Deployment

    registry = Deployment.in_memory().registry
    if not {"health", "veterans"} <= set(registry.departments):
        pytest.skip("wenming-health and wenming-veterans are not both installed")
    template = registry.templates["emergency.rescue_outreach"]
    for part in template.parts:
        candidates = [
            r
            for rid, r in registry.resources.items()
            if registry.department_of(rid) == part.department
            and r.kind in part.resource_kinds
            and set(part.skills) <= set(r.skills)
        ]
        assert candidates, f"no {part.department} resource offers {part.skills}"


def test_rules(registry):
    rules = {rid: r for rid, r in registry.rules.items() if rid.startswith("emergency.")}
    certified = rules["emergency.certified_trainers"]
    assert certified.mode == "filter" and certified.params.require == (CERTIFIED,)
    assert certified.scope.resource_kinds == ("team",)
    assert certified.scope.categories == ("core.emergency_rescue",)
    fits = rules["emergency.class_fits_the_venue"]
    assert fits.kind == "core.capacity" and fits.params.min_fill == 0.2
    assert fits.scope.resource_kinds == ("venue",)
    assert all(r.scope.departments == ("emergency",) for r in rules.values())


def test_instructors_needed_follows_the_setting():
    default = load_registry(wenming_emergency, name="emergency")
    assert instructors_needed(default, 0) == 1
    assert instructors_needed(default, 41) == 3
    small = load_registry(
        wenming_emergency, name="emergency", settings={"emergency": {"trainees_per_instructor": 8}}
    )
    assert instructors_needed(small, 41) == 6
    with pytest.raises(ValueError):
        instructors_needed(default, -3)


def test_certificates_expire_after_the_set_years():
    default = load_registry(wenming_emergency, name="emergency")
    assert certificate_expires(default, date(2023, 3, 30)) == date(2026, 3, 30)
    assert certificate_expires(default, date(2024, 2, 29)) == date(2027, 2, 28)
    two = load_registry(
        wenming_emergency, name="emergency", settings={"emergency": {"certificate_valid_years": 2}}
    )
    assert certificate_expires(two, date(2023, 3, 30)) == date(2025, 3, 30)


# --- rule behaviour, ranked by the matching engine ------------------------------------

HERE = (120.62, 31.30)


def _engine(names, extra=()):
    """Core + emergency; the named emergency resources at HERE, plus ``extra`` pairs."""
    from attrs import evolve

    from wenming.matching import Engine

    registry = load_registry(wenming_emergency, name="emergency")
    resources = [
        (f"emergency.{n}", evolve(registry.resources[f"emergency.{n}"], lng=HERE[0], lat=HERE[1]))
        for n in names
    ]
    return Engine(registry, [*resources, *extra])


def _demand(demand_id, **fields):
    from wenming.matching import Demand

    fields.setdefault("category", "core.emergency_rescue")
    fields.setdefault("headcount", 40)
    day = date(2023, 9, 14)
    return Demand(id=demand_id, lng=HERE[0], lat=HERE[1], start=day, end=day, **fields)


def _uncertified():
    from attrs import evolve

    blue_sky = next(r for r in wenming_emergency.RESOURCES if r.name == "blue_sky_rescue")
    return evolve(
        blue_sky,
        name="uncertified_team",
        tags=tuple(t for t in blue_sky.tags if t != CERTIFIED),
        categories=("core.emergency_rescue", "core.science"),
        lng=HERE[0],
        lat=HERE[1],
    )


def test_only_certified_teams_teach_rescue():
    engine = _engine(["blue_sky_rescue"], extra=[("emergency.uncertified_team", _uncertified())])
    ranking = engine.rank(_demand("r", tags=("first_aid", "cpr")), include_excluded=True)
    assert [c.key for c in ranking.candidates] == ["emergency.blue_sky_rescue"]
    (refused,) = ranking.excluded
    assert (refused.key, refused.rule_id) == (
        "emergency.uncertified_team",
        "emergency.certified_trainers",
    )
    assert CERTIFIED in refused.reason
    # the same team may still give a science talk: the rule judges rescue training only
    talk = engine.rank(_demand("s", category="core.science", tags=("disaster_prevention",)))
    assert "emergency.uncertified_team" in {c.key for c in talk.candidates}


def test_the_class_must_fit_the_venue_and_fill_a_fifth_of_it():
    venues = ["training_base_canglang", "safety_hall_xietang", "shelter_yushan_town"]
    engine = _engine(venues)
    forty = engine.rank(_demand("c40", headcount=40), include_excluded=True)
    assert [c.key for c in forty.candidates] == [
        "emergency.training_base_canglang",  # 40 of 60 seats: the snuggest fit
        "emergency.safety_hall_xietang",
    ]
    assert {e.key: e.rule_id for e in forty.excluded} == {
        "emergency.shelter_yushan_town": "emergency.class_fits_the_venue"
    }
    fits = [c.breakdown["emergency.class_fits_the_venue"] for c in forty.candidates]
    assert fits[0] > fits[1]
    ninety = engine.rank(_demand("c90", headcount=90), include_excluded=True)
    assert [c.key for c in ninety.candidates] == ["emergency.safety_hall_xietang"]
    assert "emergency.training_base_canglang" in {e.key for e in ninety.excluded}


def test_rescue_training_for_couriers_and_drivers_scores_higher():
    engine = _engine(["blue_sky_rescue"])
    couriers = engine.rank(_demand("c", audiences=("core.new_employment",), tags=("first_aid",)))
    residents = engine.rank(_demand("r", audiences=("core.residents",), tags=("first_aid",)))
    (c,) = couriers.candidates
    (r,) = residents.candidates
    assert c.breakdown["emergency.frontline_groups"] == pytest.approx(0.1)
    assert r.breakdown["emergency.frontline_groups"] == 0.0
    assert c.score > r.score


def test_rescue_outreach_is_the_top_joint_proposal_in_station_words():
    """A station asks, in its own words, for rescue training for couriers and drivers;
    the engine pools emergency's, health's and veterans' certified rescue teams."""
    from wenming.deployment import Deployment
    from wenming.matching import Demand, Engine

    deployment = Deployment.in_memory()
    registry = deployment.registry
    if "emergency.rescue_outreach" not in registry.templates:
        pytest.skip("wenming-health and wenming-veterans are not both installed")
    engine = Engine(registry, registry.resources)
    demand = Demand(
        id="station-rescue",
        place="320508020",
        category="core.emergency_rescue",
        audiences=("core.new_employment", "core.drivers"),
        tags=("first_aid", "cpr", "rescue_training"),
        headcount=30,
        start=date(2023, 9, 14),
        end=date(2023, 9, 14),
        template="emergency.rescue_outreach",
    )
    proposals = engine.joint(demand, k=3)
    assert proposals, engine.joint_gaps(demand)
    best = proposals[0]
    assert set(best.parts) == {"emergency", "health", "veterans"}
    teams = {d: registry.resources[c.key] for d, c in best.parts.items()}
    assert all(t.kind == "team" and CERTIFIED in t.tags for t in teams.values())
    assert best.parts["emergency"].key in {
        "emergency.blue_sky_rescue",
        "emergency.mr_donkey_rescue",
    }
    # asked by departments instead of by the template, any kind may fill a part: the
    # emergency part may then be a training base, the partners' teams stay the same
    by_departments = engine.joint(
        attrs_evolve(demand, template=None, departments=("emergency", "health", "veterans")), k=1
    )
    for dept in ("health", "veterans"):
        assert by_departments[0].parts[dept].key == best.parts[dept].key


def attrs_evolve(obj, **changes):
    from attrs import evolve

    return evolve(obj, **changes)
