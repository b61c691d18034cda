"""The network API over a loaded Suzhou: counts, hierarchy, near, pairings, coverage, export."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

import wenming_water
from wenming.errors import WenmingError
from wenming.network import geo, locate
from wenming.network.importer import SiteImportError
from wenming.network.service import Network
from wenming.network.spatial import SpatialIndex
from wenming.storage import Storage
from wenming.testing import load_registry

DIANZHAN = "320585100203"  # 太仓市城厢镇电站村: the seed's model station


@pytest.fixture(scope="module")
def registry():
    return load_registry(wenming_water, name="water")


@pytest.fixture(scope="module")
def suzhou(registry, tmp_path_factory):
    """Suzhou loaded into SQLite once for the read-only tests of this module."""
    storage = Storage(f"sqlite:///{tmp_path_factory.mktemp('net') / 'suzhou.db'}")
    storage.create()
    net = Network(storage, registry)
    net.load_region()
    yield net
    storage.dispose()


@pytest.fixture
def loaded(wenming_storage, registry):
    """Suzhou loaded into a fresh database, once per backend, for tests that write."""
    net = Network(wenming_storage, registry)
    net.load_region()
    return net


def test_the_loaded_suzhou_network_has_the_real_counts(suzhou):
    stats = suzhou.stats()
    assert stats["levels"] == {
        "center": 10,
        "institute": 118,
        "station": 2248,
        "guidance_center": 1,
        "subcenter": 1,  # one per installed department: water only here
        "practice_point": 0,
    }
    assert stats["functional_zones"] == {"institute": 27, "station": 22}
    rows = {r["level"]: r for r in stats["reference"]["rows"]}
    assert (rows["institute"]["reference"], rows["institute"]["difference"]) == (103, 15)
    assert (rows["station"]["reference"], rows["station"]["difference"]) == (2123, 125)
    text = " ".join(stats["explanation"])
    assert "91 formal subdistricts and towns plus 27 functional zones" in text
    assert "1291 residents' committees, 935 village committees, 22 placeholder units" in text
    # every town and village position is marked approximate; the counties are not
    assert stats["approximate"] == 1 + 1 + 118 + 2248


def test_loading_again_keeps_what_is_there_and_adds_a_new_department(wenming_storage, registry):
    net = Network(wenming_storage, registry)
    first = net.load_region()
    assert first.total == 2378 and first.kept == 0
    again = net.load_region()
    assert again.total == 0 and again.kept == 2378

    class Health:
        from wenming import hookimpl
        from wenming.records import Department

        @hookimpl
        def register_department(register):
            register(
                Health.Department(
                    code="health",
                    name_zh="苏州市卫生健康委员会",
                    name_en="Health Commission",
                    subcenter_zh="卫健行业新时代文明实践分中心",
                    subcenter_en="Health practice sub-center",
                    corps_zh="卫健志愿服务总队",
                    corps_en="Health volunteer corps",
                )
            )

    bigger = load_registry(("water", wenming_water), ("health", Health))
    report = Network(wenming_storage, bigger).load_region()
    assert report.added == {"subcenter": 1} and report.kept == 2378
    assert (
        Network(wenming_storage, bigger).site("3205.health").site.name
        == "卫健行业新时代文明实践分中心"
    )


def test_a_site_with_both_axes(loaded):
    loaded.add_sites(
        [
            {
                "code": "W1",
                "name": "城厢水厂",
                "site_type": "water.waterworks",
                "parent_code": DIANZHAN,
            }
        ]
    )
    loaded.pair("W1", DIANZHAN, note="结对共建")
    station = loaded.site(DIANZHAN)
    assert [s.code for s in station.ancestors] == ["320585100", "320585", "3205"]
    assert [s.code for s in station.located_here] == ["W1"]
    assert [s.code for s in station.pairings] == ["W1"]
    point = loaded.site("W1")
    assert point.site.department == "water"
    assert [s.code for s in point.ancestors] == [DIANZHAN, "320585100", "320585", "3205"]
    assert [s.code for s in point.line] == ["3205.water", "3205"]
    sub = loaded.site("3205.water")
    assert [s.code for s in sub.line_children] == ["W1"]
    city = loaded.site("3205")
    assert len(city.children) == 10
    assert {s.code for s in city.line_children} == {"3205.water"}
    town = loaded.site("320585100")
    assert len(town.children) == 23
    with pytest.raises(WenmingError, match="no site with code or name 'nope'"):
        loaded.site("nope")


def test_pairing_rules(loaded):
    loaded.add_sites(
        [{"code": "W1", "name": "水厂", "site_type": "water.waterworks", "parent_code": DIANZHAN}]
    )
    loaded.pair("3205.water", DIANZHAN)
    loaded.pair("W1", "320585100")
    with pytest.raises(WenmingError, match="'W1' and '320585100' are already paired"):
        loaded.pair("W1", "320585100")
    with pytest.raises(
        WenmingError, match="the industry side must be a practice point or a sub-center"
    ):
        loaded.pair(DIANZHAN, "W1")
    with pytest.raises(
        WenmingError, match="the territorial side must be a center, institute or station"
    ):
        loaded.pair("W1", "3205.water")
    with pytest.raises(WenmingError, match="no site with code 'W404'"):
        loaded.pair("W404", DIANZHAN)
    assert [p["territorial_code"] for p in loaded.pairings("W1")] == ["320585100"]
    assert len(loaded.pairings()) == 2
    loaded.unpair("W1", "320585100")
    assert loaded.pairings("W1") == []
    with pytest.raises(WenmingError, match="are not paired"):
        loaded.unpair("W1", "320585100")


def test_coverage(loaded):
    assert len(loaded.coverage()["unpaired_stations"]) == 2248
    loaded.add_sites(
        [
            {
                "code": "W1",
                "name": "水厂",
                "site_type": "water.waterworks",
                "parent_code": DIANZHAN,
            },
            {
                "code": "W2",
                "name": "长廊",
                "site_type": "water.waterfront_promenade",
                "parent_code": "320505001",
            },
        ]
    )
    loaded.pair("W1", DIANZHAN)
    report = loaded.coverage("water")
    assert DIANZHAN not in report["unpaired_stations"]
    assert len(report["unpaired_stations"]) == 2247
    towns = report["towns_without_practice_point"]["water"]
    assert len(towns) == 116 and "320585100" not in towns and "320505001" not in towns
    county = {row["code"]: row for row in report["by_county"]}
    assert county["320585"] == {
        "code": "320585",
        "name": "太仓市新时代文明实践中心",
        "institute": 8,
        "station": 160,
        "practice_point": 1,
        "unpaired_station": 159,
    }
    assert sum(row["station"] for row in report["by_county"]) == 2248
    with pytest.raises(WenmingError, match="unknown department 'sports'"):
        loaded.coverage("sports")


def test_near_agrees_with_a_linear_scan(suzhou):
    rng = np.random.default_rng(7)
    idx, _sites = suzhou.index()
    for lng, lat in zip(rng.uniform(120.3, 121.2, 40), rng.uniform(30.9, 31.9, 40), strict=True):
        for level in (None, "station", "institute"):
            fast = idx.nearest(lng, lat, 7, level=level)
            slow = idx.scan_nearest(lng, lat, 7, level=level)
            assert [h.distance_km for h in fast] == pytest.approx([h.distance_km for h in slow])
            assert {h.index for h in fast} == {h.index for h in slow}
            fast = idx.within(lng, lat, 3.0, level=level)
            slow = idx.scan_within(lng, lat, 3.0, level=level)
            assert [h.index for h in fast] == [h.index for h in slow]


def test_near_results(suzhou):
    lng, lat, _ = locate(DIANZHAN)
    hits = suzhou.near(lng, lat, k=3, site_type="station")
    assert hits[0].site.code == DIANZHAN and hits[0].distance_km == pytest.approx(0, abs=1e-6)
    assert [h.distance_km for h in hits] == sorted(h.distance_km for h in hits)
    assert all(h.site.level == "station" for h in hits)
    within = suzhou.near(lng, lat, k=None, radius_km=2.0, level="institute")
    for h in within:
        assert h.site.level == "institute"
        assert geo.haversine_km(lng, lat, h.site.lng, h.site.lat) == pytest.approx(h.distance_km)
        assert h.distance_km <= 2.0
    centers = suzhou.near(120.62, 31.30, k=10, site_type="core.center")
    assert len(centers) == 10
    with pytest.raises(WenmingError, match="unknown site type 'core.pool'"):
        suzhou.near(120.6, 31.3, site_type="pool")
    with pytest.raises(WenmingError, match="latitude must be between"):
        suzhou.near(120.6, 95)


def test_the_grid_index_matches_the_scan_on_awkward_data():
    rng = np.random.default_rng(3)
    # a dense city core, a few far-off points, duplicates, and one lone point
    lng = np.concatenate(
        [rng.normal(120.6, 0.02, 500), rng.uniform(119, 122, 20), [120.6] * 5, [80.0]]
    )
    lat = np.concatenate([rng.normal(31.3, 0.02, 500), rng.uniform(30, 33, 20), [31.3] * 5, [45.0]])
    levels = rng.choice(["station", "institute", "center"], size=len(lng), p=[0.9, 0.09, 0.01])
    idx = SpatialIndex(lng, lat, levels=list(levels))
    probes = [(120.6, 31.3), (121.9, 32.9), (60.0, 10.0), (80.0, 45.0), (120.61, 31.29)]
    for qlng, qlat in probes:
        for level in (None, "center", "institute"):
            n = int((levels == level).sum()) if level else len(lng)
            for k in (1, 7, n, n + 5):
                fast = idx.nearest(qlng, qlat, k, level=level)
                slow = idx.scan_nearest(qlng, qlat, k, level=level)
                assert len(fast) == min(k, n)
                assert [h.distance_km for h in fast] == pytest.approx([h.distance_km for h in slow])
            for radius in (0.5, 5.0, 200.0, 5000.0):
                fast = idx.within(qlng, qlat, radius, level=level)
                slow = idx.scan_within(qlng, qlat, radius, level=level)
                assert [h.index for h in fast] == [h.index for h in slow]
                capped = idx.nearest(qlng, qlat, 3, level=level, max_km=radius)
                assert [h.index for h in capped] == [h.index for h in slow[:3]]
                assert all(h.distance_km <= radius for h in capped)


def test_spatial_index_handles_edge_cases():
    idx = SpatialIndex([120.0, 120.1], [31.0, 31.0], levels=["station", "center"])
    assert idx.nearest(120.0, 31.0, 5, level="institute") == []
    assert [h.index for h in idx.nearest(120.0, 31.0, 5)] == [0, 1]
    assert idx.nearest(120.0, 31.0, 5, max_km=1.0)[0].index == 0
    assert len(idx.nearest(120.0, 31.0, 5, max_km=1.0)) == 1
    assert idx.within(100.0, 10.0, 5.0) == []
    assert idx.nearest(120.0, 31.0, 1, level="center")[0].distance_km == pytest.approx(
        geo.haversine_km(120.0, 31.0, 120.1, 31.0)
    )


def test_export_round_trips_through_the_importer(loaded, registry, tmp_path):
    loaded.add_sites(
        [{"code": "W1", "name": "水厂", "site_type": "water.waterworks", "parent_code": DIANZHAN}]
    )
    loaded.pair("W1", DIANZHAN)
    geojson = loaded.geojson()
    assert geojson["type"] == "FeatureCollection" and len(geojson["features"]) == 2379
    feature = next(f for f in geojson["features"] if f["properties"]["code"] == "W1")
    props = feature["properties"]
    assert props["level"] == "practice_point" and props["site_type"] == "water.waterworks"
    assert props["department"] == "water" and props["parent_code"] == DIANZHAN
    assert props["line_code"] == "3205.water" and props["pairings"] == [DIANZHAN]
    assert feature["geometry"]["type"] == "Point"
    text = loaded.csv_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2379 and rows[0]["code"] == "3205"
    path = tmp_path / "network.csv"
    path.write_text(text, encoding="utf-8")
    copy = Network(Storage("sqlite://"), registry)
    copy.storage.create()
    copy.import_file(path)
    assert copy.csv_text() == text
    with pytest.raises(SiteImportError, match="duplicate code '3205'"):
        copy.import_file(path)
