"""``network find``, names for codes, display-width tables and exports on the command line."""

from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner

from wenming.cli import cli
from wenming.tables import width


@pytest.fixture(scope="module")
def dep(tmp_path_factory):
    root = tmp_path_factory.mktemp("dep")
    (root / "wenming.toml").write_text(
        'name = "Suzhou"\ndatabase = "sqlite:///wenming.db"\nregion = "suzhou"\n'
        '[plugins]\nonly = ["water"]\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    path = str(root / "wenming.toml")
    assert runner.invoke(cli, ["-d", path, "init", "--json"]).exit_code == 0
    assert runner.invoke(cli, ["-d", path, "network", "load"]).exit_code == 0
    return root


@pytest.fixture
def run(dep):
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(cli, ["-d", str(dep / "wenming.toml"), *args])
        assert result.exit_code == code, result.output
        return result

    return invoke


def test_find_by_chinese_name_pinyin_and_initials(run):
    out = run("network", "find", "狮山").output.splitlines()
    assert out[0].split() == ["code", "name", "level", "matched", "on"]
    assert out[1].startswith("320505002  ") and "狮山街道新时代文明实践所" in out[1]
    assert len({width(line) for line in out if "狮山" in line}) == 1  # columns line up
    data = json.loads(run("network", "find", "shishanjiedao", "--json").output)
    assert data[0] == {
        "code": "320505002",
        "name": "狮山街道新时代文明实践所",
        "level": "institute",
        "rank": 0,
        "matched": "pinyin",
    }
    initials = json.loads(run("network", "find", "ssjd", "--json").output)
    assert initials[0]["code"] == "320505002"
    stations = json.loads(run("network", "find", "狮山", "--level", "station", "--json").output)
    assert stations and all(s["level"] == "station" for s in stations)
    assert "no site matches" in run("network", "find", "不存在").output


def test_show_takes_an_unambiguous_name_and_lists_candidates_otherwise(run):
    assert run("network", "show", "狮山街道").output.startswith("320505002  狮山街道")
    result = run("network", "show", "狮山", code=1)
    assert result.output.count("\n") == 1
    assert "error: '狮山' names several sites: 狮山街道新时代文明实践所 320505002" in result.output
    assert "error: no site with code '999'" in run("network", "show", "999", code=1).output


def test_coverage_table_lines_up_in_display_columns_and_cuts_no_name(run):
    out = run("network", "coverage").output.splitlines()
    table = out[out.index("") + 1 :]
    assert len({width(line) for line in table}) == 1, table
    assert any("苏州工业园区" in line for line in table)
    assert not any("…" in line for line in table)


def test_export_csv_has_a_bom_and_loads_again_and_xlsx_is_a_workbook(run, dep, tmp_path):
    csv_path = dep / "sites.csv"
    assert "wrote 2378 sites" in run("network", "export", "--csv", "-o", str(csv_path)).output
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfcode,name,")
    piped = run("network", "export", "--csv").output
    assert piped.startswith("code,name,")  # no byte-order mark in a pipe
    fresh = tmp_path / "wenming.toml"
    fresh.write_text('name = "Copy"\n[plugins]\nonly = ["water"]\n', encoding="utf-8")
    again = CliRunner().invoke(cli, ["-d", str(fresh), "init", str(tmp_path)])
    assert again.exit_code == 0, again.output
    again = CliRunner().invoke(cli, ["-d", str(fresh), "network", "load", str(csv_path), "--json"])
    assert again.exit_code == 0, again.output
    assert sum(json.loads(again.output)["added"].values()) == 2378
    xlsx = dep / "sites.xlsx"
    run("network", "export", "-o", str(xlsx))  # format from the suffix
    with zipfile.ZipFile(xlsx) as book:
        assert (
            "<t>苏州市新时代文明实践指导中心</t>" in book.read("xl/worksheets/sheet1.xml").decode()
        )
    assert "give -o FILE.xlsx" in run("network", "export", "--xlsx", code=1).output
    assert "choose one format" in run("network", "export", "--csv", "--xlsx", code=1).output


def test_map_says_how_to_open_it(run, dep):
    out = run("network", "map", str(dep / "map.html")).output
    assert f"open it in a web browser (it needs no network): {(dep / 'map.html').as_uri()}" in out


STATION = ["--actor", "st", "--role", "station_operator", "--area", "320505001"]


def test_place_takes_a_name_and_an_unknown_code_is_not_called_outside(run):
    args = ["order", "submit", "--start", "2023-07-10", "--category", "science", *STATION]
    order = json.loads(run(*args, "--place", "横塘街道", "--json").output)
    assert order["place"] == "320505001"
    bad = run(*args, "--place", "999", code=1).output
    assert bad.startswith("error: place '999': no division with this code in region suzhou")
    assert "outside" not in bad and bad.count("\n") == 1
    vague = run(*args, "--place", "横塘", code=1).output
    assert vague.startswith("error: place '横塘' is ambiguous: 横塘街道 320505001, ")
    assert "横塘村委会 320581005219" in vague
    ranked = run("match", "--category", "science", "--place", "hengtangjiedao", "--json")
    assert json.loads(ranked.output)["demand"]["place"] == "320505001"
