"""``wenming match``: one demand from options or a file, joint orders, batch files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from wenming.cli import cli

DEPLOYMENT = """\
name = "cli test"
database = "sqlite:///wenming.db"

[plugins]
only = ["water"]

[matching.weights]
"core.tags" = 2.0
"""


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WENMING_PLUGINS", raising=False)
    (tmp_path / "wenming.toml").write_text(DEPLOYMENT, encoding="utf-8")
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


WHERE = ["--lng", "120.62", "--lat", "31.32", "--place", "320508"]


def test_rank_from_options_as_json(run):
    result = run(
        "match",
        "--category",
        "science",
        "--tag",
        "water_saving",
        "--audience",
        "minors",
        "--headcount",
        "30",
        "--date",
        "2023-07-10",
        *WHERE,
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["demand"]["category"] == "core.science"
    keys = [c["key"] for c in data["candidates"]]
    assert keys[0] == "water.water_journey", "the children's science project with the young rule"
    for c in data["candidates"]:
        assert sum(c["breakdown"].values()) == c["score"]
        assert c["breakdown"]["core.tags"] in (0.0, 2.0), "deployment weight applies"


def test_rank_from_a_file_explained_with_exclusions(run, tmp_path):
    (tmp_path / "d.json").write_text(
        json.dumps(
            {
                "id": "station-7",
                "category": "core.legal",
                "lng": 120.62,
                "lat": 31.32,
                "place": "320508",
            }
        ),
        encoding="utf-8",
    )
    result = run("match", "--file", "d.json", "--explain", "--excluded")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("demand station-7: core.legal")
    assert "no candidate passes the rules" in result.output
    assert "excluded water.corps by core.category" in result.output


def test_joint_order_over_departments(run):
    result = run(
        "match",
        "--category",
        "science",
        *WHERE,
        "--department",
        "water",
        "--joint",
        "--k",
        "2",
        "--json",
    )
    assert result.exit_code == 0, result.output
    proposals = json.loads(result.output)["proposals"]
    assert len(proposals) == 2 and all(list(p["parts"]) == ["water"] for p in proposals)
    text = run("match", "--category", "legal", *WHERE, "--department", "water", "--joint")
    assert "no joint proposal: no team/venue/project" not in text.output
    assert "no joint proposal" in text.output and "department 'water'" in text.output


def test_batch_from_csv_and_json(run, tmp_path):
    (tmp_path / "demands.csv").write_text(
        "id,category,tags,audiences,headcount,place,lng,lat,date\n"
        "a,science,water_saving,minors,30,320508,120.62,31.32,2023-07-10\n"
        "b,science,water_saving,elderly,50,320508,120.62,31.32,2023-07-10\n"
        "c,legal,,,10,320508,120.62,31.32,2023-07-10\n",
        encoding="utf-8",
    )
    result = run("match", "--batch", "demands.csv", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assigned = {a["demand"]: a["resource"] for a in data["assignments"]}
    assert set(assigned) == {"a", "b"} and len(set(assigned.values())) == 2
    assert [u["demand"] for u in data["unassigned"]] == ["c"]
    (tmp_path / "demands.json").write_text(
        json.dumps(
            [{"id": "a", "category": "science", "place": "320508", "lng": 120.62, "lat": 31.32}]
        ),
        encoding="utf-8",
    )
    text = run("match", "--batch", "demands.json", "--method", "greedy")
    assert text.exit_code == 0 and "greedy: 1 of 1 demands assigned" in text.output


def test_user_errors_are_one_line(run, tmp_path):
    result = CliRunner().invoke(cli, ["match", "--category", "science", "--date", "July", *WHERE])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: options: field 'start':")
    result = run("match", "--batch", "x.csv", "--category", "science")
    assert result.exit_code == 1 and "--batch reads every demand from its file" in result.output
    (tmp_path / "bad.csv").write_text("id,category,place\nx,science,\n", encoding="utf-8")
    result = run("match", "--batch", "bad.csv")
    assert result.exit_code == 1 and "bad.csv, row 2" in result.output
