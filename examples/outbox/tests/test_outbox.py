"""The outbox plugin drives and observes a real workflow."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from click.testing import CliRunner

import wenming_example_outbox
import wenming_water
from wenming.orders import Actor, Vetoed
from wenming.orders.testing import make_workflow
from wenming.testing import load_registry

OPS = Actor("ops", "city_dispatcher")
STATION = Actor("station-7", "station_operator", area="320505001002")
CORPS = Actor("corps-lead", "team_leader", team="water.corps")


@pytest.fixture
def wf(tmp_path, monkeypatch):
    monkeypatch.setenv("WENMING_OUTBOX", str(tmp_path / "outbox.jsonl"))
    plugins = [("water", wenming_water), ("outbox", wenming_example_outbox)]
    workflow = make_workflow(f"sqlite:///{tmp_path / 'w.db'}", plugins)
    yield workflow
    workflow.deployment.close()


def order(wf):
    return wf.submit(
        STATION,
        category="science",
        place="320505001002",
        site="320505001002",
        start=dt.date(2023, 7, 10),
        headcount=20,
    )


def outbox(tmp_path):
    lines = (tmp_path / "outbox.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_transitions_become_notifications(wf, tmp_path):
    o = order(wf)
    wf.dispatch(OPS, o.id, "water.corps")
    wf.decline(CORPS, o.id, "flood drill")
    wf.dispatch(OPS, o.id, "water.water_journey")
    journey = Actor("j", "team_leader", team="water.water_journey")
    wf.accept(journey, o.id)
    wf.start(journey, o.id)
    wf.complete(journey, o.id, {"张三": 2, "李四": 1.5})
    sent = [(m["to"], m["action"]) for m in outbox(tmp_path)]
    assert sent == [
        ("guidance_center", "submit"),
        ("water.corps", "dispatch"),
        ("station-7", "decline"),
        ("water.subcenter", "decline"),
        ("water.water_journey", "dispatch"),
        ("station-7", "accept"),
        ("station-7", "complete"),
    ]
    assert outbox(tmp_path)[3]["text"] == f"water.corps declined order {o.id} (part 1): flood drill"
    assert "3.5 volunteer hours" in outbox(tmp_path)[-1]["text"]


def test_a_low_rating_without_a_comment_is_vetoed(wf, tmp_path):
    o = order(wf)
    wf.dispatch(OPS, o.id, "water.corps")
    wf.accept(CORPS, o.id)
    wf.start(CORPS, o.id)
    wf.complete(CORPS, o.id, {"王五": 2})
    with pytest.raises(Vetoed, match="plugin 'outbox' vetoed evaluate of order .*: a rating of 2"):
        wf.evaluate(STATION, o.id, 2)
    assert wf.order(o.id).state == "completed"
    assert wf.evaluate(STATION, o.id, 2, "an hour late").state == "evaluated"
    assert outbox(tmp_path)[-1]["text"] == f"order {o.id} rated 2/5"


def test_without_an_outbox_file_messages_are_logged(wf, monkeypatch, caplog):
    monkeypatch.delenv("WENMING_OUTBOX")
    with caplog.at_level(logging.INFO, logger="wenming_example_outbox"):
        o = order(wf)
        wf.dispatch(OPS, o.id, "water.corps")
    assert f"to water.corps: new dispatch: order {o.id} (part 1)" in caplog.text


def test_the_outbox_command(wf, tmp_path):
    o = order(wf)
    wf.dispatch(OPS, o.id, "water.corps")
    runner = CliRunner()
    shown = runner.invoke(wenming_example_outbox.outbox_command, ["--to", "water.corps"])
    assert shown.exit_code == 0 and "to water.corps: new dispatch" in shown.output
    data = json.loads(runner.invoke(wenming_example_outbox.outbox_command, ["--json"]).output)
    assert [m["action"] for m in data] == ["submit", "dispatch"]
    # times are shown in Beijing time (the default zone), not as stored UTC
    at = dt.datetime.fromisoformat(data[1]["at"]).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert shown.output.splitlines()[0].startswith(at.strftime("%Y-%m-%d %H:%M +08:00"))


def test_the_outbox_command_errors_like_core(tmp_path, monkeypatch):
    from wenming.cli import cli

    monkeypatch.delenv("WENMING_OUTBOX", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["outbox"])
    assert result.exit_code == 1
    assert result.output == "error: set WENMING_OUTBOX to the outbox file\n"


def test_it_loads_as_a_plugin_beside_core():
    registry = load_registry(wenming_example_outbox, name="outbox")
    info = registry.plugin("outbox")
    assert info.ok and set(info.hooks) >= {"after_transition", "before_transition"}
    assert registry.commands["outbox"].plugin == "outbox"
