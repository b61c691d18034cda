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
