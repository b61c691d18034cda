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
    assert result.exit_code == 1 and result.output.strip() == "error: no site with code 'nope'"


def test_network_needs_a_database(tmp_path):
    (tmp_path / "wenming.toml").write_text('name = "x"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["-d", str(tmp_path / "wenming.toml"), "network", "stats"])
    assert result.exit_code == 1 and "run 'wenming init'" in result.output
