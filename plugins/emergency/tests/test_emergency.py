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
