"""``wenming network …`` over a deployment file (only core and the water plugin load)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from wenming.cli import cli

DIANZHAN = "320585100203"


@pytest.fixture(scope="module")
def dep(tmp_path_factory):
    """A deployment with Suzhou loaded, shared by the read-mostly tests of this module."""
    root = tmp_path_factory.mktemp("dep")
    (root / "wenming.toml").write_text(
        'name = "Suzhou"\ndatabase = "sqlite:///wenming.db"\nregion = "suzhou"\n'
        '[plugins]\nonly = ["water"]\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    path = str(root / "wenming.toml")
    assert runner.invoke(cli, ["-d", path, "init", "--json"]).exit_code == 0
    result = runner.invoke(cli, ["-d", path, "network", "load", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["added"] == {
        "guidance_center": 1,
        "center": 10,
        "institute": 118,
        "station": 2248,
        "subcenter": 1,
    }
    return root


@pytest.fixture
def run(dep):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["-d", str(dep / "wenming.toml"), "network", *args])

    return invoke


def test_stats_compares_with_the_seed(run):
    result = run("stats")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "institute" in out and "118" in out and "103" in out and "+15" in out
    assert "2248" in out and "2123" in out and "+125" in out
    assert "27 functional zones" in out
    data = json.loads(run("stats", "--json").output)
    assert data["levels"]["station"] == 2248


def test_load_again_keeps_everything(run):
    data = json.loads(run("load", "--json").output)
    assert data["total"] == 0 and data["kept"] == 2378


def test_show_near_and_coverage(run):
    result = run("show", "320585100")
    assert result.exit_code == 0, result.output
    assert "城厢镇新时代文明实践所" in result.output and "太仓市新时代文明实践中心" in result.output
    assert "uri.amap.com" in result.output
    data = json.loads(run("show", DIANZHAN, "--json").output)
    assert [a["code"] for a in data["ancestors"]] == ["320585100", "320585", "3205"]
    assert data["navigation"]["geo"].startswith("geo:31.")

    near = json.loads(run("near", "121.21,31.43", "--type", "station", "--k", "4", "--json").output)
    assert len(near) == 4 and all(h["level"] == "station" for h in near)
    assert near == sorted(near, key=lambda h: h["distance_km"])
    within = json.loads(run("near", "121.21,31.43", "--radius", "1.5", "--json").output)
    assert all(h["distance_km"] <= 1.5 for h in within)

    cov = json.loads(run("coverage", "--department", "water", "--json").output)
    assert cov["stations"] == 2248 and len(cov["by_county"]) == 10
    assert "stations with no paired industry site" in run("coverage").output


def test_pair_export_and_map(run, dep, tmp_path):
    points = tmp_path / "points.csv"
    points.write_text(
        f"code,name,site_type,parent_code\nW1,城厢水厂,water.waterworks,{DIANZHAN}\n",
        encoding="utf-8",
    )
    assert run("load", str(points)).exit_code == 0
    result = run("pair", "W1", DIANZHAN, "--note", "结对共建", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["territorial_code"] == DIANZHAN
    assert "W1 ⇄ 320585100203  (结对共建)" in run("pair").output
    again = run("pair", "W1", DIANZHAN)
    assert again.exit_code == 1 and "already paired" in again.output

    out = tmp_path / "network.geojson"
    data = json.loads(run("export", "-o", str(out), "--json").output)
    assert data["sites"] == 2379
    geojson = json.loads(out.read_text(encoding="utf-8"))
    w1 = next(f for f in geojson["features"] if f["properties"]["code"] == "W1")
    assert w1["properties"]["pairings"] == [DIANZHAN]
    csv_text = run("export", "--format", "csv").output
    assert csv_text.splitlines()[0].startswith("code,name,name_en,level,site_type")
    as_json = json.loads(run("export", "--format", "csv", "--json").output)
    assert as_json["sites"] == 2379 and as_json["csv"] == csv_text

    page = tmp_path / "map.html"
    info = json.loads(run("map", str(page), "--json").output)
    assert info["sites"] == 2379 and info["pairings"] == 1
    html = page.read_text(encoding="utf-8")
    assert "城厢水厂" in html and "<script src" not in html and "http://" not in html
    assert run("pair", "W1", DIANZHAN, "--remove").exit_code == 0


def test_user_errors_are_one_line(run, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,site_type,parent_code\nX1,X,station,nowhere\n", encoding="utf-8")
    result = run("load", str(bad))
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {bad}: row 2, field 'parent_code': unknown parent 'nowhere' "
        "(not in the file or the database)"
    )
    result = run("near", "north,south")
    assert result.exit_code == 1 and "expected LNG,LAT" in result.output
    result = run("show", "nope")
    assert (
        result.exit_code == 1 and result.output.strip() == "error: no site with code or name 'nope'"
    )


def test_network_needs_a_database(tmp_path):
    (tmp_path / "wenming.toml").write_text('name = "x"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["-d", str(tmp_path / "wenming.toml"), "network", "stats"])
    assert result.exit_code == 1 and "run 'wenming init'" in result.output


def _city(folder, towns_extra: str = "") -> None:
    """A two-county city in the region dataset layout, WGS-84 centroids, no reference."""
    folder.mkdir()
    (folder / "region.toml").write_text(
        'code = "9901"\nname = "示例市"\nname_en = "Example"\ndatum = "wgs84"\npoint = "centroid"\n',
        encoding="utf-8",
    )
    (folder / "counties.csv").write_text(
        "code,name,parent_code,lng,lat\n990101,甲区,9901,116.40,39.90\n990102,乙县,9901,116.70,40.10\n",
        encoding="utf-8",
    )
    (folder / "towns.csv").write_text(
        "code,name,county_code\n990101001,一街道,990101\n990102100,二镇,990102\n"
        "990102400,开发区,990102\n" + towns_extra,
        encoding="utf-8",
    )
    (folder / "villages.csv").write_text(
        "code,name,town_code\n990101001001,东社区居委会,990101001\n990102100200,西村委会,990102100\n",
        encoding="utf-8",
    )


def test_any_city_in_the_region_layout_loads(tmp_path):
    _city(tmp_path / "mycity")
    (tmp_path / "wenming.toml").write_text(
        'name = "Example"\ndatabase = "sqlite:///wenming.db"\nregion = "./mycity"\n'
        '[plugins]\nonly = ["water"]\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    dep = ["-d", str(tmp_path / "wenming.toml")]
    assert runner.invoke(cli, [*dep, "init"]).exit_code == 0
    result = runner.invoke(cli, [*dep, "network", "load", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["added"] == {
        "guidance_center": 1,
        "center": 2,
        "institute": 3,
        "station": 2,
        "subcenter": 1,
    }
    stats = json.loads(runner.invoke(cli, [*dep, "network", "stats", "--json"]).output)
    assert stats["region"]["name"] == "示例市" and stats["reference"]["rows"] == []
    assert stats["functional_zones"] == {"institute": 1}
    show = json.loads(
        runner.invoke(cli, [*dep, "network", "show", "990102100200", "--json"]).output
    )
    assert show["site"]["name"] == "西村新时代文明实践站" and show["site"]["approximate"] is True
    assert [a["code"] for a in show["ancestors"]] == ["990102100", "990102", "9901"]
    county = json.loads(runner.invoke(cli, [*dep, "network", "show", "990101", "--json"]).output)
    assert (county["site"]["lng"], county["site"]["lat"]) == (116.40, 39.90)


def test_a_broken_region_dataset_names_file_and_line(tmp_path):
    _city(tmp_path / "broken", towns_extra="990103001,三街道,990103\n")
    (tmp_path / "wenming.toml").write_text('name = "x"\n', encoding="utf-8")
    runner = CliRunner()
    dep = ["-d", str(tmp_path / "wenming.toml")]
    assert runner.invoke(cli, [*dep, "init"]).exit_code == 0
    result = runner.invoke(cli, [*dep, "network", "load", "--region", str(tmp_path / "broken")])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {tmp_path / 'broken' / 'towns.csv'}: line 5, field 'county_code': "
        "unknown county '990103'"
    )
    stats = json.loads(runner.invoke(cli, [*dep, "network", "stats", "--json"]).output)
    assert stats["total"] == 0
