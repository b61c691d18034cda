"""``--text`` on ``wenming match`` and ``wenming order submit``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from wenming.cli import cli

STATION = ["--actor", "st-1", "--role", "station_operator", "--area", "320585100203"]
WISH = "下周三电站村想请医生给八十位老人义诊"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in (
        "WENMING_ACTOR",
        "WENMING_ROLE",
        "WENMING_AREA",
        "WENMING_TEAM",
        "WENMING_DEPARTMENT",
    ):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0, input: str | None = None):
        result = runner.invoke(cli, list(args), catch_exceptions=False, input=input)
        assert result.exit_code == code, result.output
        return result

    invoke("init", ".", "--name", "Suzhou")
    return invoke


def test_match_text_prints_the_understanding_then_ranks(run):
    out = run("match", "--text", WISH, "--today", "2027-06-15", "--k", "3").output
    assert "服务人数   80" in out and "“八十位”" in out
    assert "2027-06-23" in out and "“下周三”" in out
    assert "电站村委会（太仓市城厢镇）" in out
    assert "resources pass" in out


def test_match_text_json_carries_the_understanding(run):
    data = json.loads(run("match", "--text", WISH, "--today", "2027-06-15", "--json").output)
    assert data["understood"]["demand"]["headcount"] == 80
    assert data["demand"]["headcount"] == 80 and data["candidates"]


def test_explicit_options_win_over_the_words(run):
    data = json.loads(
        run(
            "match",
            "--text",
            WISH,
            "--today",
            "2027-06-15",
            "--headcount",
            "20",
            "--date",
            "2027-07-01",
            "--json",
        ).output
    )
    assert data["demand"]["headcount"] == 20
    assert data["demand"]["start"] == data["demand"]["end"] == "2027-07-01"
    assert data["understood"]["demand"]["headcount"] == 80


def test_a_two_subject_wish_is_matched_as_a_joint_order(run):
    data = json.loads(
        run(
            "match",
            "--text",
            "一户困难退役军人家庭需要有人陪同就医",
            "--place",
            "320585100203",
            "--json",
        ).output
    )
    assert data["understood"]["joint_template"] == "veterans.medical_help"
    assert "proposals" in data


def test_text_does_not_combine_with_file_or_batch(run, tmp_path):
    (tmp_path / "d.json").write_text('{"place": "320585100203"}', encoding="utf-8")
    assert "not both" in run("match", "--text", WISH, "--file", "d.json", code=1).output
    assert "drop --text" in run("match", "--text", WISH, "--batch", "d.json", code=1).output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("！！！", "no words"),
        ("字" * 10_000, "10,000 characters"),
        ("义诊😀", "emoji"),
        ("义诊 Привет", "Cyrillic"),
    ],
)
def test_bad_text_is_one_line_and_exit_1(run, text, message):
    result = run("match", "--text", text, code=1)
    assert message in result.output and result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_order_submit_text_asks_to_confirm_and_stores_the_words(run):
    args = ["order", "submit", "--text", WISH, "--today", "2027-06-15", *STATION]
    refused = run(*args, code=1, input="n\n")
    assert "服务人数   80" in refused.output and "nothing was stored" in refused.output
    assert "no orders" in run("order", "list").output
    done = run(*args, input="y\n")
    assert "submitted" in done.output
    shown = run("order", "show", "1").output
    assert WISH in shown and "80 people" in shown and "2027-06-23" in shown


def test_order_submit_text_yes_with_explicit_options(run):
    data = json.loads(
        run(
            "order",
            "submit",
            "--text",
            WISH,
            "--today",
            "2027-06-15",
            "--yes",
            "--headcount",
            "60",
            "--description",
            "来自上门走访",
            *STATION,
            "--json",
        ).output
    )
    assert data["headcount"] == 60 and data["category"] == "core.health_fitness"
    assert data["description"] == f"来自上门走访\n{WISH}"


def test_order_submit_text_stores_phone_numbers_masked(run):
    text = WISH + "，联系人电话13912345678"
    data = json.loads(
        run(
            "order", "submit", "--text", text, "--today", "2027-06-15", "--yes", *STATION, "--json"
        ).output
    )
    assert "13912345678" not in data["description"] and "139****5678" in data["description"]


def test_order_submit_text_with_an_open_question_is_refused(run):
    result = run(
        "order", "submit", "--text", "湖滨社区想请评弹演员来演一场", "--yes", *STATION, code=1
    )
    assert "answer first" in result.output and "湖滨社区" in result.output
    assert "no orders" in run("order", "list").output


def test_order_submit_bad_text_stores_nothing(run):
    run("order", "submit", "--text", "🙏", "--yes", *STATION, code=1)
    assert "no orders" in run("order", "list").output


def test_order_submit_still_needs_place_and_start_without_text(run):
    result = run("order", "submit", "--category", "science", *STATION, code=1)
    assert "--place and --start" in result.output
