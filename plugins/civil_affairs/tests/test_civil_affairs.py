from __future__ import annotations

from datetime import date

import pytest

import wenming_civil_affairs
from wenming.testing import check_plugin, load_registry
from wenming_civil_affairs import next_visit, outdoor_sessions_needed


@pytest.fixture(scope="module")
def registry():
    return check_plugin("civil_affairs")


@pytest.fixture(scope="module")
def with_gardens():
    """Civil affairs with its 江南美学 partner; skipped where wenming-gardens is absent."""
    wenming_gardens = pytest.importorskip("wenming_gardens")
    return load_registry(("civil_affairs", wenming_civil_affairs), ("gardens", wenming_gardens))


def test_conformance(registry):
    assert registry.departments["civil_affairs"].name_zh == "苏州市民政局"
    assert "civil_affairs.marriage_family" in registry.categories
    own = [t for rid, t in registry.site_types.items() if rid.startswith("civil_affairs.")]
    assert len(own) >= 3 and {t.level for t in own} == {"practice_point"}


def test_wedding_registration_waits_for_gardens(registry):
    assert registry.plugin("civil_affairs").ok
    (missing,) = [u for u in registry.unavailable if u.plugin == "civil_affairs"]
    assert missing.id == "civil_affairs.jiangnan_wedding_registration"
    assert "gardens" in missing.reason


def test_wedding_registration_is_a_joint_seed_template(with_gardens):
    template = with_gardens.templates["civil_affairs.jiangnan_wedding_registration"]
    assert template.seed and "江南美学" in template.name_zh
    assert template.is_joint
    parts = {p.department: p for p in template.parts}
    assert set(parts) == {"civil_affairs", "gardens"}
    assert parts["gardens"].resource_kinds == ("venue",)
    assert template.category == "core.culture_arts"
    assert "civil_affairs.newlyweds" in template.audiences
    assert {"wedding", "marriage_registration", "garden"} <= set(template.tags)


def test_each_part_has_a_resource(with_gardens):
    template = with_gardens.templates["civil_affairs.jiangnan_wedding_registration"]
    for part in template.parts:
        found = [
            r
            for rid, r in with_gardens.resources.items()
            if with_gardens.department_of(rid) == part.department
            and r.kind in part.resource_kinds
            and set(part.skills) <= set(r.skills)
            and template.category in r.categories
        ]
        assert found, part.department


def test_at_least_four_own_templates(registry):
    own = [rid for rid in registry.templates if rid.startswith("civil_affairs.")]
    assert len(own) >= 4
    assert registry.templates["civil_affairs.marriage_family_counselling"].category == (
        "civil_affairs.marriage_family"
    )


def test_resources(registry):
    registrars = registry.resources["civil_affairs.wedding_registrars"]
    assert registrars.kind == "team" and "marriage_registration" in registrars.skills
    assert registrars.months == (3, 4, 5, 9, 10, 11)
    assert registry.resources["civil_affairs.social_work_station_chengxiang"].place == "320585100"
    assert registry.resources["civil_affairs.home_care_centre_pingjiang"].site_type == (
        "civil_affairs.home_care_centre"
    )


def test_rules_put_elders_first_close_to_home(registry):
    rules = {rid: r for rid, r in registry.rules.items() if rid.startswith("civil_affairs.")}
    elders = rules["civil_affairs.elders_first"]
    assert "civil_affairs.elderly_living_alone" in elders.params.audiences
    assert elders.scope.categories == ("core.help_in_difficulty",)
    near = rules["civil_affairs.care_close_to_home"]
    assert near.params.reach_km == 1.5 and near.scope.resource_kinds == ("venue",)
    assert all(r.scope.departments == ("civil_affairs",) for r in rules.values())


def test_outdoor_sessions_follow_the_setting():
    default = load_registry(wenming_civil_affairs, name="civil_affairs")
    assert outdoor_sessions_needed(default, 0) == 0
    assert outdoor_sessions_needed(default, 21) == 3
    big = load_registry(
        wenming_civil_affairs,
        name="civil_affairs",
        settings={"civil_affairs": {"couples_per_outdoor_session": 25}},
    )
    assert outdoor_sessions_needed(big, 21) == 1


def test_next_visit_follows_the_setting():
    default = load_registry(wenming_civil_affairs, name="civil_affairs")
    assert next_visit(default, date(2023, 3, 30)) == date(2023, 4, 6)
    daily = load_registry(
        wenming_civil_affairs,
        name="civil_affairs",
        settings={"civil_affairs": {"visit_interval_days": 1}},
    )
    assert next_visit(daily, date(2023, 12, 31)) == date(2024, 1, 1)


# --- rule behaviour, ranked by the matching engine ------------------------------------

HERE = (120.62, 31.30)
KM_PER_DEG_LNG = 111.32 * 0.8563  # at 31.3° N


def _engine(registry=None, **positions):
    """The named resources (``plugin__name=km``) placed ``km`` east of HERE; ``None``
    keeps the resource where it is registered (city-wide for the hub corps)."""
    from attrs import evolve

    from wenming.matching import Engine

    registry = registry or load_registry(wenming_civil_affairs, name="civil_affairs")
    resources = []
    for name, km in positions.items():
        key = name.replace("__", ".") if "__" in name else f"civil_affairs.{name}"
        res = registry.resources[key]
        if km is not None:
            res = evolve(res, lng=HERE[0] + km / KM_PER_DEG_LNG, lat=HERE[1])
        resources.append((key, res))
    return Engine(registry, resources)


def _demand(demand_id, day=None, **fields):
    from wenming.matching import Demand

    day = day or date(2023, 10, 14)
    fields.setdefault("category", "core.help_in_difficulty")
    fields.setdefault("headcount", 10)
    return Demand(id=demand_id, lng=HERE[0], lat=HERE[1], start=day, end=day, **fields)


def test_older_people_living_alone_come_first():
    engine = _engine(home_care_centre_pingjiang=0.5, social_work_station_chengxiang=0.5)
    alone = engine.rank(_demand("a", audiences=("civil_affairs.elderly_living_alone",)))
    residents = engine.rank(_demand("r", audiences=("core.residents",)))
    assert alone.candidates[0].key == "civil_affairs.home_care_centre_pingjiang"
    assert alone.candidates[0].breakdown["civil_affairs.elders_first"] == pytest.approx(0.11)
    assert residents.candidates[0].key == "civil_affairs.social_work_station_chengxiang"
    centre = "civil_affairs.home_care_centre_pingjiang"
    centre_for = {c.key: c.score for c in residents.candidates}[centre]
    assert alone.candidates[0].score > centre_for


def test_care_stays_within_walking_distance():
    engine = _engine(home_care_centre_pingjiang=1.0, social_work_station_chengxiang=2.0)
    ranking = engine.rank(_demand("a", audiences=("core.elderly",)), include_excluded=True)
    assert [c.key for c in ranking.candidates] == ["civil_affairs.home_care_centre_pingjiang"]
    (refused,) = ranking.excluded
    assert refused.key == "civil_affairs.social_work_station_chengxiang"
    assert refused.rule_id == "civil_affairs.care_close_to_home"
    # the walking limit applies to help in difficulty, not to a policy talk
    talk = engine.rank(_demand("t", category="core.theory_policy", audiences=("core.elderly",)))
    assert "civil_affairs.social_work_station_chengxiang" in {c.key for c in talk.candidates}


def test_wedding_in_a_garden_is_the_top_joint_proposal(with_gardens):
    """A station asks, in its words, for a wedding registration in a garden in October:
    civil affairs' registrars and a garden that hosts outdoor ceremonies come first."""
    engine = _engine(
        with_gardens,
        wedding_registrars=0.0,
        gusu_marriage_registry=0.5,
        gardens__humble_administrators_garden=1.0,
        gardens__taihu_wetland_park=1.0,
        gardens__corps=None,
    )
    ask = {
        "category": "core.culture_arts",
        "audiences": ("civil_affairs.newlyweds",),
        "tags": ("wedding", "marriage_registration", "outdoor_ceremony", "garden"),
        "headcount": 20,
    }
    by_template = engine.joint(
        _demand("w", template="civil_affairs.jiangnan_wedding_registration", **ask), k=3
    )
    best = by_template[0]
    assert {d: c.key for d, c in best.parts.items()} == {
        "civil_affairs": "civil_affairs.wedding_registrars",
        "gardens": "gardens.humble_administrators_garden",
    }
    by_departments = engine.joint(_demand("w", departments=("civil_affairs", "gardens"), **ask))
    assert by_departments[0].parts["gardens"].key == "gardens.humble_administrators_garden"
    # in July the registrars do not take registration outdoors: no proposal, and why
    july = _demand(
        "w", day=date(2023, 7, 14), template="civil_affairs.jiangnan_wedding_registration", **ask
    )
    assert engine.joint(july) == []
    assert "civil_affairs" in engine.joint_gaps(july)
