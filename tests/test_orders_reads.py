"""Role-filtered reads: each viewer sees what its role may see, in lists (filtered in
the query) and single reads (a refusal naming the role and the rule); no viewer reads
everything. On SQLite and PostgreSQL, and through the command line."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

import wenming_water
from wenming.cli import cli
from wenming.orders import Actor, NotFound, PermissionDenied
from wenming.orders.testing import Clock, crew_plugin, make_workflow

DAY = dt.date(2023, 7, 10)
OPS = Actor("ops", "city_dispatcher")
NEAR = Actor("st-near", "station_operator", area="320505001")
FAR = Actor("st-far", "station_operator", area="320585")
RESIDENT = Actor("resident", "requester")
WATER_DESK = Actor("water-desk", "department_dispatcher", department="water")
CREW_DESK = Actor("crew-desk", "department_dispatcher", department="crew")
CORPS = Actor("lead-corps", "team_leader", team="water.corps")
CREW_A = Actor("lead-a", "team_leader", team="crew.a")
CREW_B = Actor("lead-b", "team_leader", team="crew.b")


Crew = crew_plugin(capacity=60)  # a second department, so a joint order has two partners


@pytest.fixture
def world(wenming_database_url):
    """Four orders: near (dispatched to water.corps, declined, then dispatched to
    water.water_journey), far (waiting), joint (the crew part dispatched to crew.a, the
    water part waiting), and the resident's own (waiting, a water part)."""
    wf = make_workflow(
        wenming_database_url, [("water", wenming_water), ("crew", Crew)], clock=Clock()
    )
    common = {"start": DAY, "headcount": 10}
    near = wf.submit(NEAR, category="science", place="320505001002", site="320505001002", **common)
    far = wf.submit(FAR, category="science", place="320585100203", **common)
    joint = wf.submit(NEAR, template="crew.duo", place="320505001002", **common)
    own = wf.submit(
        RESIDENT, category="science", place="320581001001", departments=["water"], **common
    )
    wf.dispatch(OPS, near.id, "water.corps")
    wf.decline(CORPS, near.id, "busy that day")
    wf.dispatch(OPS, near.id, "water.water_journey")
    wf.dispatch(OPS, joint.id, "crew.a", part=1)
    ids = {"near": near.id, "far": far.id, "joint": joint.id, "own": own.id}
    yield wf, ids
    wf.deployment.close()


def seen(wf, viewer):
    return sorted(o.id for o in wf.orders(viewer=viewer))


def test_no_viewer_and_the_city_dispatcher_see_everything(world):
    wf, ids = world
    every = sorted(ids.values())
    assert seen(wf, None) == every
    assert seen(wf, OPS) == every
    assert seen(wf, Actor("cron", "system")) == every


def test_a_station_operator_sees_its_area(world):
    wf, ids = world
    assert seen(wf, NEAR) == sorted([ids["near"], ids["joint"]])
    assert seen(wf, FAR) == [ids["far"]]
    with pytest.raises(PermissionDenied) as refused:
        wf.order(ids["far"], viewer=NEAR)
    assert refused.value.role == "station_operator"
    assert "reads only orders of its own area" in refused.value.rule
    assert "320585100203, outside 320505001" in str(refused.value)
    with pytest.raises(PermissionDenied, match="station_operator"):
        wf.timeline(ids["far"], viewer=NEAR)
    with pytest.raises(PermissionDenied, match="station_operator"):
        wf.dispatches(ids["far"], viewer=NEAR)
    assert wf.order(ids["near"], viewer=NEAR).id == ids["near"]


def test_a_team_leader_sees_what_was_dispatched_to_its_team(world):
    wf, ids = world
    # water.corps declined the near order: it still sees the order it answered
    assert seen(wf, CORPS) == [ids["near"]]
    assert seen(wf, CREW_A) == [ids["joint"]]
    assert seen(wf, CREW_B) == []
    with pytest.raises(PermissionDenied, match="never dispatched to crew.b") as refused:
        wf.order(ids["joint"], viewer=CREW_B)
    assert refused.value.role == "team_leader"


def test_a_department_dispatcher_sees_its_departments_parts_only(world):
    wf, ids = world
    # water: the near order went to a water resource, far and own wait for anyone/water,
    # and the joint order has a water part
    assert seen(wf, WATER_DESK) == sorted(ids.values())
    # crew: not the near order (a water team has it), nor the resident's water order
    assert seen(wf, CREW_DESK) == sorted([ids["far"], ids["joint"]])
    joint = wf.order(ids["joint"], viewer=CREW_DESK)
    assert [(p.seq, p.department) for p in joint.parts] == [(1, "crew")]
    assert [p.seq for p in wf.order(ids["joint"], viewer=WATER_DESK).parts] == [2]
    assert [p.seq for p in wf.order(ids["joint"]).parts] == [1, 2]
    assert [d.part for d in wf.dispatches(ids["joint"], viewer=CREW_DESK)] == [1]
    assert wf.dispatches(ids["joint"], viewer=WATER_DESK) == []
    crew_timeline = [(e.action, e.part) for e in wf.timeline(ids["joint"], viewer=CREW_DESK)]
    assert crew_timeline == [("submit", None), ("dispatch", 1)]
    assert [e.action for e in wf.timeline(ids["joint"], viewer=WATER_DESK)] == ["submit"]
    with pytest.raises(PermissionDenied, match="has none for crew") as refused:
        wf.order(ids["near"], viewer=CREW_DESK)
    assert refused.value.role == "department_dispatcher"


def test_a_requester_sees_its_own_orders(world):
    wf, ids = world
    assert seen(wf, RESIDENT) == [ids["own"]]
    with pytest.raises(PermissionDenied, match="requester"):
        wf.order(ids["near"], viewer=RESIDENT)


def test_the_filter_is_part_of_the_query(world):
    """A page of one is the newest order the viewer may see, not the newest order."""
    wf, ids = world
    assert [o.id for o in wf.orders(viewer=FAR, limit=1)] == [ids["far"]]
    assert [o.id for o in wf.orders(viewer=CORPS, limit=1)] == [ids["near"]]
    assert [o.id for o in wf.orders(viewer=NEAR, limit=1, offset=1)] == [ids["near"]]
    assert wf.orders(viewer=NEAR, state="dispatched") == [wf.order(ids["near"])]


def test_overdue_and_candidates_are_filtered_too(world):
    wf, ids = world
    wf.clock.advance(hours=24 * 30)
    assert {o.id for o in wf.overdue()} == set(ids.values())
    assert [o.id for o in wf.overdue(viewer=FAR)] == [ids["far"]]
    with pytest.raises(PermissionDenied, match="station_operator"):
        wf.candidates(ids["far"], viewer=NEAR)
    assert wf.candidates(ids["far"], viewer=FAR, k=2)


def test_a_missing_order_is_not_found_for_every_viewer(world):
    wf, _ = world
    for viewer in (None, NEAR, CREW_DESK):
        with pytest.raises(NotFound, match="no order 999"):
            wf.order(999, viewer=viewer)


def test_the_command_line_reads_as_the_actor_or_as_the_local_operator(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in ("WENMING_ACTOR", "WENMING_ROLE", "WENMING_AREA", "WENMING_TEAM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("WENMING_DEPARTMENT", raising=False)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    run("init", ".", "--name", "Suzhou")
    text = (tmp_path / "wenming.toml").read_text(encoding="utf-8")
    (tmp_path / "wenming.toml").write_text(text.replace("only = []", 'only = ["water"]'))
    near = ["--actor", "st-1", "--role", "station_operator", "--area", "320505001"]
    far = ["--actor", "st-2", "--role", "station_operator", "--area", "320585"]
    common = ["--start", "2023-07-10", "--category", "science", "--json"]
    a = json.loads(run("order", "submit", "--place", "320505001002", *common, *near))["id"]
    b = json.loads(run("order", "submit", "--place", "320585100203", *common, *far))["id"]
    everything = [o["id"] for o in json.loads(run("order", "list", "--json"))]
    assert sorted(everything) == sorted([a, b])
    reader = ["--actor", "st-2", "--role", "station_operator", "--actor-area", "320585"]
    mine = [o["id"] for o in json.loads(run("order", "list", "--json", *reader))]
    assert mine == [b]
    out = run("order", "show", str(a), *reader, code=1)
    assert "role station_operator (area 320585) may not read order" in out
    assert "Traceback" not in out
    assert f"order {a}" in run("order", "show", str(a))
    out = run("order", "list", "--actor", "st-2", code=1)
    assert "say who reads" in out
    # a unit operator reads with its unit as its scope (it requested no order)
    unit = ["--actor", "u-1", "--role", "unit_operator", "--unit", "U-1"]
    assert json.loads(run("order", "list", "--json", *unit)) == []
    out = run("order", "show", str(a), *unit, code=1)
    assert "role unit_operator (unit U-1) may not read order" in out


def _reference_dict(view):
    """The plain conversion a view's ``as_dict`` must agree with: attrs' deep copy, then
    dates as ISO text and tuples as lists."""
    import attrs

    def plain(value):
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return plain(attrs.asdict(view, recurse=True))


def test_views_as_dict_agree_with_the_plain_conversion(world):
    wf, _ids = world
    views = list(wf.orders(limit=100))
    assert views and any(v.parts for v in views)
    for view in views:
        assert view.as_dict() == _reference_dict(view)
        json.dumps(view.as_dict())
        for event in wf.timeline(view.id):
            assert event.as_dict() == _reference_dict(event)
        for d in wf.dispatches(view.id):
            assert d.as_dict() == _reference_dict(d)
            assert isinstance(d.as_dict()["at"], str)
