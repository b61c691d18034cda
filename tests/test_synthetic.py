"""The seed-scale synthetic deployment: determinism, counts, placement, the one
transaction, and matching over what it stores (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

import wenming_water
from wenming import synthetic
from wenming.cli import cli
from wenming.deployment import Deployment, DeploymentConfig
from wenming.network.regions import read_region
from wenming.network.service import Network
from wenming.storage import Storage
from wenming.storage.tables import Meta, Pairing, ResourceRow, Site
from wenming.synthetic import SynthesisError, apportion, plan, read_territory, synthesize
from wenming.testing import load_registry

SUZHOU = read_region("suzhou")
COUNTIES = {d.code for d in SUZHOU.at_level("county")}
PLACEHOLDERS = {d.code for d in SUZHOU.at_level("village") if d.functional_zone}
SMALL = {"points": 150, "venues": 60, "projects": 90, "teams": 45}


@pytest.fixture(scope="module")
def registry():
    """Every installed plugin: core and the fifteen departments."""
    deployment = Deployment.in_memory()
    yield deployment.registry
    deployment.close()


@pytest.fixture(scope="module")
def territory(registry, tmp_path_factory):
    """Suzhou's network as loaded in a database, read once for the planning tests."""
    storage = Storage(f"sqlite:///{tmp_path_factory.mktemp('syn') / 'net.db'}")
    storage.create()
    Network(storage, registry).load_region()
    yield read_territory(storage)
    storage.dispose()


@pytest.fixture(scope="module")
def seed_scale(registry, territory):
    return plan(registry, territory)


@pytest.fixture
def loaded(wenming_storage, registry):
    """A fresh database per backend with Suzhou and every department's sub-center loaded."""
    Network(wenming_storage, registry).load_region()
    return wenming_storage


def _count(storage, table, *where) -> int:
    with storage.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


# ----------------------------------------------------------------------------- apportion


def test_apportion_keeps_the_total_the_proportions_and_the_minimum():
    assert apportion(10, [1, 1, 2]) == [3, 2, 5]  # 2.5, 2.5, 5: the tie goes to the first
    assert apportion(7, [0, 3, 4]) == [0, 3, 4]
    assert apportion(5, [100, 1, 1], minimum=1) == [3, 1, 1]
    assert apportion(2, [1, 5, 3], minimum=1) == [0, 1, 1]  # too few: the heaviest first
    assert apportion(0, [1, 2]) == [0, 0] and apportion(3, []) == []
    for total in (1, 17, 1200):
        assert sum(apportion(total, [2248, 118, 10, 1], minimum=1)) == total


# ----------------------------------------------------------------------------- the plan


def test_the_defaults_are_the_seed_figures(seed_scale):
    summary = seed_scale.summary()
    assert (summary["points"], summary["venues"], summary["projects"], summary["teams"]) == (
        1200,
        526,
        689,
        334,
    )
    assert summary["pairings"] == 2400  # each point: its village's station and the nearest other


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(registry, territory):
    first = plan(registry, territory, seed=7, **SMALL)
    again = plan(registry, territory, seed=7, **SMALL)
    other = plan(registry, territory, seed=8, **SMALL)
    assert first.sites == again.sites
    assert first.pairings == again.pairings
    assert first.resources == again.resources
    assert [s["code"] for s in first.sites] != [s["code"] for s in other.sites]
    assert [r["name"] for r in first.resources] != [r["name"] for r in other.resources]


def test_every_department_is_represented_in_every_kind(registry, seed_scale):
    summary = seed_scale.summary()
    assert set(summary["departments"]) == set(registry.departments)
    for department, counts in summary["departments"].items():
        for kind in ("points", "venues", "projects", "teams"):
            assert counts.get(kind, 0) > 0, (department, kind)
    # each department's practice-point types all appear
    types = {s["site_type"] for s in seed_scale.sites}
    point_types = {k for k, st in registry.site_types.items() if st.level == "practice_point"}
    assert types == point_types


def test_points_spread_over_real_towns_by_their_villages(registry, territory, seed_scale):
    villages = {v.code: v for v in territory.villages}
    by_county = Counter(s["parent_code"][:6] for s in seed_scale.sites)
    assert set(by_county) == COUNTIES
    stations = Counter(v.code[:6] for v in territory.villages)
    for county, n in by_county.items():  # proportional to the county's villages, ±1
        assert abs(n - 1200 * stations[county] / len(territory.villages)) <= 1
    for site in seed_scale.sites:
        village = villages[site["parent_code"]]
        town = territory.towns[village.town_code]
        assert site["name"].startswith(town.name + village.name)
        assert site["parent_code"] not in PLACEHOLDERS
    # even ten points reach every county
    few = plan(registry, territory, points=10, venues=0, projects=0, teams=0)
    assert {s["parent_code"][:6] for s in few.sites} == COUNTIES


def test_resources_follow_their_department_templates(registry, seed_scale):
    points = {s["code"]: s for s in seed_scale.sites}
    for res in seed_scale.resources:
        department = res["department"]
        assert res["synthetic"] and res["status"] == "published"
        assert res["key"].startswith(f"{department}.syn_{res['kind']}_")
        assert res["place_code"] in SUZHOU.divisions
        if res["kind"] == "venue":
            point = points[res["extra"]["site"]]
            assert (res["site_type"], res["place_code"]) == (
                point["site_type"],
                point["parent_code"],
            )
            assert (res["lng"], res["lat"]) == (point["lng"], point["lat"])
        elif res["kind"] == "project":
            template = registry.templates[res["template"]]
            assert registry.owner(res["template"]) == department and not template.is_joint
            assert res["categories"] == [template.category]
            assert res["tags"] == list(template.tags)
            assert res["months"] == sorted(template.months)
            assert res["capacity"] == template.capacity
            assert res["site_type"] in (*template.site_types, None)
            if "site" in res["extra"]:
                assert points[res["extra"]["site"]]["site_type"] in template.site_types
        else:
            templates = [registry.templates[k] for k in res["extra"]["templates"]]
            assert 1 <= len(templates) <= 3
            assert all(registry.owner(k) == department for k in res["extra"]["templates"])
            assert set(res["categories"]) == {t.category for t in templates}
            assert set(res["skills"]) == {s for t in templates for s in t.skills}
            assert len(res["place_code"]) == 9  # based in a town
            assert res["members"] > 0


def test_bad_counts_and_missing_inputs_are_refused(registry, territory):
    with pytest.raises(SynthesisError, match="venues need at least as many practice points"):
        plan(registry, territory, points=5, venues=6)
    with pytest.raises(SynthesisError, match="teams must be a whole number"):
        plan(registry, territory, teams=-1)
    empty = synthetic.Territory(villages=(), towns={}, subcenters={})
    with pytest.raises(SynthesisError, match="run 'wenming network load' first"):
        plan(registry, empty)
    no_subcenters = synthetic.Territory(territory.villages, territory.towns, subcenters={})
    with pytest.raises(SynthesisError, match="no sub-center of department"):
        plan(registry, no_subcenters, points=3, venues=0)


def test_a_single_department_deployment_gets_only_its_own_records(tmp_path):
    water = load_registry(wenming_water, name="water")
    storage = Storage(f"sqlite:///{tmp_path / 'water.db'}")
    storage.create()
    Network(storage, water).load_region()
    report = synthesize(storage, water, points=40, venues=12, projects=20, teams=8)
    assert set(report.departments) == {"water"}
    with storage.engine.connect() as conn:
        t = Site.__table__
        types = {r[0] for r in conn.execute(select(t.c.site_type).where(t.c.synthetic))}
    assert types == {k for k in water.site_types if k.startswith("water.")}
    storage.dispose()


# ----------------------------------------------------------------------------- storing


def test_stored_rows_are_the_plan_and_all_synthetic(loaded, registry):
    report = synthesize(loaded, registry, seed=11, **SMALL)
    expected = plan(registry, read_territory(loaded), seed=11, **SMALL)
    assert report.as_dict() == expected.summary()

    site, res, pair = Site.__table__, ResourceRow.__table__, Pairing.__table__
    with loaded.engine.connect() as conn:
        points = conn.execute(select(site).where(site.c.level == "practice_point")).mappings().all()
        stations = {
            r.code: r.parent_code
            for r in conn.execute(
                select(site.c.code, site.c.parent_code).where(site.c.level == "station")
            )
        }
        subcenters = dict(
            conn.execute(
                select(site.c.department, site.c.code).where(site.c.level == "subcenter")
            ).all()
        )
        resources = conn.execute(select(res).order_by(res.c.id)).mappings().all()
        pairings = set(conn.execute(select(pair.c.industry_code, pair.c.territorial_code)).all())

    planned = {s["code"]: s for s in expected.sites}
    assert {p["code"] for p in points} == set(planned)
    for p in points:
        assert p["synthetic"] and p["approximate"]
        assert p["parent_code"] in stations  # a real village's station
        assert p["line_code"] == subcenters[p["department"]]
        site_type = registry.site_types[p["site_type"]]
        assert site_type.level == "practice_point"
        assert registry.owner(p["site_type"]) == p["department"]
        assert p["name"] == planned[p["code"]]["name"]
        assert p["lng"] == pytest.approx(planned[p["code"]]["lng"], abs=1e-9)
    assert [r["key"] for r in resources] == [r["key"] for r in expected.resources]
    for stored, wanted in zip(resources, expected.resources, strict=True):
        assert stored["synthetic"]
        for column in ("name", "place_code", "categories", "tags", "months", "capacity"):
            assert stored[column] == wanted[column], (stored["key"], column)
    assert pairings == set(expected.pairings)
    for _industry, territorial in pairings:
        assert territorial in stations
    assert synthetic.synthesis_record(loaded)["points"] == SMALL["points"]


def test_a_second_run_is_refused_and_changes_nothing(loaded, registry):
    synthesize(loaded, registry, **SMALL)
    before = [_count(loaded, t) for t in (Site.__table__, Pairing.__table__, ResourceRow.__table__)]
    with pytest.raises(SynthesisError, match="synthesized already .* start from a new database"):
        synthesize(loaded, registry, seed=99, **SMALL)
    after = [_count(loaded, t) for t in (Site.__table__, Pairing.__table__, ResourceRow.__table__)]
    assert after == before


def test_a_failure_half_way_leaves_nothing(loaded, registry):
    """The points and pairings go in before the resources; a resource key taken by a
    published row fails the insert, and the whole synthesis is rolled back."""
    res = ResourceRow.__table__
    with loaded.engine.begin() as conn:
        conn.execute(
            res.insert(),
            [
                {
                    "key": "water.syn_venue_0001",
                    "kind": "venue",
                    "department": "water",
                    "name": "胥江泵站",
                    "place_code": "320505001",
                    "categories": [],
                    "audiences": [],
                    "tags": [],
                    "skills": [],
                    "months": [],
                    "extra": {},
                    "status": "published",
                }
            ],
        )
    with pytest.raises(SynthesisError, match="'water.syn_venue_0001' is taken already"):
        synthesize(loaded, registry, **SMALL)
    assert _count(loaded, Site.__table__, Site.__table__.c.level == "practice_point") == 0
    assert _count(loaded, Pairing.__table__) == 0
    assert _count(loaded, ResourceRow.__table__) == 1
    assert synthetic.synthesis_record(loaded) is None
    assert _count(loaded, Meta.__table__, Meta.__table__.c.key == synthetic.META_KEY) == 0


def test_synthesis_needs_the_network(wenming_storage, registry):
    with pytest.raises(SynthesisError, match="no stations .* run 'wenming network load' first"):
        synthesize(wenming_storage, registry)


# ----------------------------------------------------------------------------- using it


def test_the_engine_ranks_the_stored_seed_scale_resources(wenming_database_url):
    deployment = Deployment(DeploymentConfig(name="Suzhou", database=wenming_database_url))
    try:
        deployment.storage.create()
        Network.from_deployment(deployment).load_region()
        synthesize(deployment.storage, deployment.registry)
        from wenming.matching import Demand, Engine

        engine = Engine.from_deployment(deployment)
        # the stored rows, and the paired practice points that no venue stands for
        points = [k for k in engine.keys if ".point_" in k]
        assert len(engine.keys) - len(points) == len(deployment.registry.resources) + 1549
        assert 0 < len(points) <= 1200 - 526
        # a real village of 虎丘区 (横塘街道横塘社区), a summer outing for children
        demand = Demand(
            id="d1",
            category="core.science",
            tags=("water_saving",),
            audiences=("core.minors",),
            headcount=30,
            place="320505001002",
            start=date(2023, 7, 10),
            end=date(2023, 7, 10),
        )
        ranking = engine.rank(demand, k=20)
        keys = [c.key for c in ranking.candidates]
        assert len(keys) == 20
        assert any(".syn_" in k for k in keys)
        for c in ranking.candidates:
            assert sum(c.breakdown.values()) == pytest.approx(c.score)
            # generated resources say so; the plugins' named records do not
            # stored synthetic rows and the synthetic practice points offered as venues
            assert c.synthetic == (".syn_" in c.key or (".point_" in c.key and "_syn" in c.key))
            assert c.as_dict()["synthetic"] == c.synthetic
        # a synthetic health project (all year), asked for in its own village, is a candidate
        res = ResourceRow.__table__
        with deployment.storage.engine.connect() as conn:
            rows = conn.execute(
                select(res.c.key, res.c.place_code, res.c.categories, res.c.months)
                .where(res.c.key.like("health.syn_project_%"))
                .order_by(res.c.key)
            ).all()
        key, place, categories, _ = next(r for r in rows if not r.months)
        nearby = engine.rank(Demand(id="d2", category=categories[0], place=place), k=2000)
        assert key in [c.key for c in nearby.candidates]
    finally:
        deployment.close()


def test_cli_synthesize(tmp_path):
    path = str(tmp_path / "wenming.toml")
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path), "--json"]).exit_code == 0
    result = runner.invoke(cli, ["-d", path, "network", "synthesize"])
    assert result.exit_code == 1
    assert result.output.strip().startswith("error: the database has no stations")
    assert runner.invoke(cli, ["-d", path, "network", "load", "--json"]).exit_code == 0
    args = ["--points", "60", "--venues", "20", "--projects", "30", "--teams", "15", "--seed", "3"]
    result = runner.invoke(cli, ["-d", path, "network", "synthesize", *args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["points"], data["venues"], data["projects"], data["teams"]) == (60, 20, 30, 15)
    assert data["seed"] == 3 and data["pairings"] == 120
    stats = json.loads(runner.invoke(cli, ["-d", path, "network", "stats", "--json"]).output)
    assert stats["levels"]["practice_point"] == 60
    assert stats["synthetic"] == {"practice_point": 60}
    assert any("60 of them synthetic" in line for line in stats["explanation"])
    text = runner.invoke(cli, ["-d", path, "network", "stats"]).output
    assert "synthetic (generated, not real): 60 practice_points" in text
    again = runner.invoke(cli, ["-d", path, "network", "synthesize"])
    assert again.exit_code == 1 and "synthesized already (seed 3" in again.output
    bad = runner.invoke(cli, ["-d", path, "network", "synthesize", "--points", "-1"])
    assert bad.exit_code == 2 and "-1 is not in the range x>=0" in bad.output
