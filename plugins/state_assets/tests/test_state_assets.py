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
    assert load.kind == "core.fairness" and load.params.max_open == 3
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
