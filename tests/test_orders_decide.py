"""The pure transition core, without a database: the documented example runs, refusals
name the role and the rule, decide never changes its input, and any run of commands
rebuilds from its events to the state it was decided on."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wenming.orders import Actor, IllegalTransition, InvalidInput, PermissionDenied, WorkflowError
from wenming.orders import decide as core
from wenming.orders.states import TERMINAL, derive

AT = dt.datetime(2023, 7, 1, 1, 0, tzinfo=dt.UTC)
STATION = Actor("station", "station_operator", area="320505")
OPS = Actor("ops", "city_dispatcher")
CORPS = core.Offer("water.corps", "team", "water", capacity=40)
HALL = core.Offer("crew.hall", "venue", "crew", capacity=8)
ORDER = {"category": "core.science", "place": "320505001002", "headcount": 12, "end": "2023-07-10"}


def lead(team: str) -> Actor:
    return Actor(f"lead-{team}", "team_leader", team=team)


def submitted(parts=()) -> core.Snapshot:
    (event,) = core.decide(None, core.Submit(STATION, ORDER, parts), AT)
    return core.replay([event.evolve(order_id=7)])


def test_the_documented_example_runs():
    doc = inspect.getdoc(core) or ""
    example = inspect.cleandoc(doc.split("without a database::", 1)[1])
    exec(compile(example, "<example of wenming.orders.decide>", "exec"), {})


def test_a_submit_makes_one_event_and_a_pending_part():
    snap = submitted()
    assert (snap.state, snap.version, snap.requester) == ("submitted", 1, "station")
    assert snap.parts[1].state == "pending"
    assert snap.window_end == dt.date(2023, 7, 10)


def test_a_refusal_names_the_role_and_the_rule():
    snap = core.evolve(submitted(), core.decide(submitted(), core.Dispatch(OPS, CORPS), AT)[0])
    with pytest.raises(PermissionDenied) as caught:
        core.decide(snap, core.Answer(lead("water.other"), "accept"), AT)
    assert caught.value.role == "team_leader"
    assert "dispatched to water.corps" in caught.value.rule
    with pytest.raises(PermissionDenied, match="role station_operator .* only the city center"):
        core.decide(submitted(), core.Dispatch(STATION, CORPS), AT)
    far = Actor("far", "station_operator", area="320506")
    with pytest.raises(PermissionDenied, match="cancels only orders of its own area"):
        core.decide(snap, core.Cancel(far, "no"), AT)


def test_state_and_structure_refusals():
    with pytest.raises(IllegalTransition, match="accept needs the part to be dispatched"):
        core.decide(submitted(), core.Answer(lead("water.corps"), "accept", part=1), AT)
    with pytest.raises(InvalidInput, match="takes 8 people; order 7 asks for 12"):
        core.decide(submitted(), core.Dispatch(OPS, HALL), AT)
    with pytest.raises(IllegalTransition, match="can be expired only after 2023-07-12"):
        core.decide(submitted(), core.Expire(Actor("cron", "system"), grace_days=2), AT)


def test_decide_leaves_its_snapshot_alone():
    snap = submitted()
    before = snap.as_dict()
    events = core.decide(snap, core.Dispatch(OPS, CORPS), AT)
    after = core.evolve(snap, events[0])
    assert snap.as_dict() == before
    assert after.parts[1].resource == "water.corps" and snap.parts[1].resource is None


def test_a_joint_order_needs_every_part_accepted():
    parts = [
        {"seq": 1, "department": "water", "contribution": "", "resource_kinds": []},
        {"seq": 2, "department": "crew", "contribution": "", "resource_kinds": ["venue"]},
    ]
    snap = submitted(parts)
    with pytest.raises(InvalidInput, match="name the part to dispatch"):
        core.decide(snap, core.Dispatch(OPS, CORPS), AT)
    with pytest.raises(InvalidInput, match="part 2 is for department crew"):
        core.decide(snap, core.Dispatch(OPS, CORPS, part=2), AT)
    big = core.Offer("crew.hall", "venue", "crew", capacity=80)
    events, snap = core.decide_all(
        snap, [core.Dispatch(OPS, CORPS, part=1), core.Dispatch(OPS, big, part=2)], AT
    )
    assert [e.seq for e in events] == [2, 3] and snap.state == "dispatched"
    snap = core.evolve(snap, core.decide(snap, core.Answer(lead("water.corps"), "accept"), AT)[0])
    assert snap.state == "dispatched"
    snap = core.evolve(snap, core.decide(snap, core.Answer(lead("crew.hall"), "accept"), AT)[0])
    assert snap.state == "accepted"


TEAMS = ["water.corps", "water.journey", "crew.a"]
OFFERS = {key: core.Offer(key, "team", key.split(".")[0], capacity=30) for key in TEAMS}
ACTORS = [OPS, STATION, Actor("resident", "requester"), Actor("cron", "system")] + [
    lead(k) for k in TEAMS
]
command = st.one_of(
    st.builds(
        core.Dispatch,
        st.sampled_from(ACTORS),
        st.sampled_from(list(OFFERS.values())),
        part=st.sampled_from([None, 1, 2]),
    ),
    st.builds(
        core.Answer,
        st.sampled_from(ACTORS),
        st.sampled_from(["accept", "decline", "start", "complete"]),
        part=st.sampled_from([None, 1, 2]),
        reason=st.just("because"),
        volunteers=st.just((("志愿者", 2.0),)),
    ),
    st.builds(core.Evaluate, st.sampled_from(ACTORS), st.integers(1, 5)),
    st.builds(core.Cancel, st.sampled_from(ACTORS), st.just("plans changed")),
    st.builds(core.Expire, st.sampled_from(ACTORS)),
)


@settings(max_examples=200, deadline=None)
@given(
    joint=st.booleans(),
    commands=st.lists(command, max_size=40),
    days=st.lists(st.integers(0, 6), min_size=40, max_size=40),
)
def test_any_run_rebuilds_from_its_events(joint, commands, days):
    parts = (
        [
            {"seq": 1, "department": "water", "contribution": "", "resource_kinds": []},
            {"seq": 2, "department": "crew", "contribution": "", "resource_kinds": []},
        ]
        if joint
        else []
    )
    (first,) = core.decide(None, core.Submit(STATION, ORDER, parts), AT)
    log = [first.evolve(order_id=7)]
    snap = core.replay(log)
    at = AT
    for cmd, day in zip(commands, days, strict=False):
        at += dt.timedelta(days=day)
        try:
            events = core.decide(snap, cmd, at)
        except WorkflowError:
            continue
        assert [e.seq for e in events] == [snap.version + 1]
        assert events[0].from_state == snap.state
        snap = core.evolve(snap, events[0])
        assert events[0].to_state == snap.state
        log += events
        if snap.state not in TERMINAL:
            assert snap.state == derive([p.state for p in snap.parts.values()])
    assert core.replay(log).as_dict() == snap.as_dict()
    assert snap.version == len(log)


def test_the_plugin_authors_example_in_the_workflow_guide_runs():
    from pathlib import Path

    guide = Path(__file__).parents[1] / "docs" / "workflow.md"
    section = guide.read_text(encoding="utf-8").split("### The state machine as a pure function")[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert "decide(" in example
    exec(compile(example, "<docs/workflow.md example>", "exec"), {})
