"""Property: after any sequence of workflow calls — legal or refused, by any role — the
state rebuilt from each order's events equals the stored state, and every order's
state is the one its parts imply. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import wenming_water
from wenming.orders import Actor, WorkflowError, integrity
from wenming.orders.events import rebuild, stored, verify
from wenming.orders.states import TERMINAL, derive
from wenming.orders.testing import Clock, crew_plugin, make_workflow

RESOURCES = ["water.corps", "water.water_journey", "water.water_classroom", "crew.a", "crew.b"]
ACTIONS = ["dispatch", "accept", "decline", "start", "complete", "evaluate", "cancel", "expire"]
ACTORS = [
    Actor("ops", "city_dispatcher"),
    Actor("water-desk", "department_dispatcher", department="water"),
    Actor("station", "station_operator", area="320505001002"),
    Actor("far", "station_operator", area="320506"),
    Actor("resident", "requester"),
    Actor("system", "system"),
    *[Actor(f"lead-{key}", "team_leader", team=key) for key in RESOURCES],
]


Crew = crew_plugin()  # a second department, so that joint orders have two partners


@pytest.fixture
def workflow(wenming_database_url):
    clock = Clock()
    wf = make_workflow(
        wenming_database_url, [("water", wenming_water), ("crew", Crew)], clock=clock
    )
    yield wf
    wf.deployment.close()


step = st.tuples(
    st.sampled_from([*ACTIONS, *["next"] * 12]),  # "next": the order's natural next step
    st.integers(0, 2),  # which order
    st.sampled_from([None, 1, 2]),  # which part
    st.one_of(st.just(-1), st.integers(0, len(ACTORS) - 1)),  # -1: whoever may do it
    st.sampled_from(RESOURCES),
    st.integers(0, 30),  # hours the clock moves first
)


def fitting_actor(wf, order_id, action, part, requester):
    """The actor the rules allow, so that random runs get far into the workflow."""
    if action in ("dispatch", "cancel"):
        return ACTORS[0]
    if action == "expire":
        return ACTORS[5]
    if action == "evaluate":
        return requester
    order = wf.order(order_id)
    assigned = [p.resource for p in order.parts if p.resource and part in (None, p.seq)]
    return Actor("leader", "team_leader", team=assigned[0]) if assigned else ACTORS[0]


def natural(wf, order_id, coin):
    """The step that moves an order on: dispatch a waiting part to a resource it may take,
    accept (or now and then decline) a dispatch, start, complete, evaluate."""
    order = wf.order(order_id)
    for p in order.parts:
        if p.state in ("pending", "declined"):
            fits = [
                k
                for k in RESOURCES
                if k not in p.excluded
                and (p.department is None or k.startswith(f"{p.department}."))
            ]
            return ("dispatch", p.seq, fits[coin % len(fits)]) if fits else None
    for state, action in (
        ("dispatched", "accept"),
        ("accepted", "start"),
        ("in_service", "complete"),
    ):
        for p in order.parts:
            if p.state == state:
                if action == "accept" and coin % 4 == 0:
                    action = "decline"
                return (action, p.seq, None)
    return ("evaluate", None, None) if order.state == "completed" else None


def apply(wf, order_id, action, part, actor, resource):
    if action == "dispatch":
        return wf.dispatch(actor, order_id, resource, part=part)
    if action == "accept":
        return wf.accept(actor, order_id, part=part)
    if action == "decline":
        return wf.decline(actor, order_id, "cannot make it", part=part)
    if action == "start":
        return wf.start(actor, order_id, part=part)
    if action == "complete":
        return wf.complete(actor, order_id, {"志愿者": 1.5}, part=part)
    if action == "evaluate":
        return wf.evaluate(actor, order_id, 4)
    if action == "cancel":
        return wf.cancel(actor, order_id, "plans changed")
    return wf.expire(actor, order_id)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=40))
def test_rebuilt_state_equals_stored_state(workflow, steps):
    wf = workflow
    station, resident = ACTORS[2], ACTORS[4]
    day = wf.clock().date() + dt.timedelta(days=1)
    common = {"place": "320505001002", "start": day, "headcount": 10}
    orders = [
        wf.submit(station, category="science", site="320505001002", **common).id,
        wf.submit(station, template="crew.duo", **common).id,
        wf.submit(resident, category="science", departments=["water"], **common).id,
    ]
    requesters = [station, station, resident]
    for action, which, part, who, resource, hours in steps:
        wf.clock.advance(hours=hours)
        order_id = orders[which]
        if action == "next":
            move = natural(wf, order_id, hours)
            if move is None:
                continue
            action, part, resource = move
            who = -1
        if who < 0:
            actor = fitting_actor(wf, order_id, action, part, requesters[which])
        else:
            actor = ACTORS[who]
        try:
            apply(wf, order_id, action, part, actor, resource)
        except WorkflowError:
            continue
    assert verify(wf.storage, orders) == []
    report = integrity.verify(wf.storage, orders)  # chains and every derived table
    assert report.ok, report.lines()
    with wf.storage.session() as s:
        for order_id in orders:
            state = stored(s, order_id)
            event(f"an order ended {state.state}")
            assert rebuild(s, order_id).as_dict() == state.as_dict()
            if state.state not in TERMINAL:
                assert state.state == derive([p.state for p in state.parts.values()])
            assert state.version == len(wf.timeline(order_id))


def pure_command(wf, snap, action, part, actor, resource):
    """The command the pure core gets for what :func:`apply` asks of the workflow."""
    from wenming.orders import decide as core

    if action == "dispatch":
        res = wf.resource(resource)
        offer = core.Offer(res.key, res.kind, res.department, res.capacity)
        chosen = core.open_part(snap, part, actor).seq
        return core.Dispatch(actor, offer, part=chosen)
    if action in ("accept", "start"):
        return core.Answer(actor, action, part=part)
    if action == "decline":
        return core.Answer(actor, action, part=part, reason="cannot make it")
    if action == "complete":
        return core.Answer(actor, action, part=part, volunteers=(("志愿者", 1.5),))
    if action == "evaluate":
        return core.Evaluate(actor, 4)
    if action == "cancel":
        return core.Cancel(actor, "plans changed")
    return core.Expire(actor, grace_days=wf.config.expire_after_days)


def booked(wf, resource, day):
    """Raise the refusal a dispatch to ``resource`` meets when its ``day`` is fully
    booked (daily slots live in the database, outside the pure core)."""
    from wenming.orders import capacity

    with wf.storage.engine.connect() as conn:
        if capacity.full(conn, wf.registry, day, [resource]):
            raise capacity.fully_booked(
                resource, day, capacity.daily_slots(conn, wf.registry, resource)
            )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=30))
def test_the_pure_core_decides_as_the_workflow_does(workflow, steps):
    """The same steps, through the workflow (storage, hooks) and through the pure core
    alone (:func:`decide` and :func:`evolve` on snapshots): the same refusals, word for
    word, and the same states."""
    from wenming.orders import decide as core
    from wenming.orders.events import events_of

    wf = workflow
    station, resident = ACTORS[2], ACTORS[4]
    day = wf.clock().date() + dt.timedelta(days=1)
    common = {"place": "320505001002", "start": day, "headcount": 10}
    orders = [
        wf.submit(station, category="science", site="320505001002", **common).id,
        wf.submit(station, template="crew.duo", **common).id,
        wf.submit(resident, category="science", departments=["water"], **common).id,
    ]
    with wf.storage.session() as s:
        snaps = [core.replay(events_of(s, oid)[:1]) for oid in orders]
    requesters = [station, station, resident]
    for action, which, part, who, resource, hours in steps:
        wf.clock.advance(hours=hours)
        order_id = orders[which]
        if action == "next":
            move = natural(wf, order_id, hours)
            if move is None:
                continue
            action, part, resource = move
            who = -1
        actor = (
            fitting_actor(wf, order_id, action, part, requesters[which]) if who < 0 else ACTORS[who]
        )
        try:
            command = pure_command(wf, snaps[which], action, part, actor, resource)
            pure = core.decide(snaps[which], command, wf.clock())
            if action == "dispatch":  # a fact the dispatching plan looks up, as the resource
                booked(wf, resource, day)
        except WorkflowError as exc:
            pure = exc
        try:
            view = apply(wf, order_id, action, part, actor, resource)
        except WorkflowError as exc:
            assert isinstance(pure, WorkflowError), (
                f"the core allowed what the workflow refused: {exc}"
            )
            assert (type(pure), str(pure)) == (type(exc), str(exc))
            continue
        assert not isinstance(pure, Exception), f"the core refused what the workflow did: {pure}"
        for e in pure:
            snaps[which] = core.evolve(snaps[which], e)
        assert view.state == snaps[which].state and view.version == snaps[which].version
        assert [(p.state, p.resource, list(p.excluded)) for p in view.parts] == [
            (p.state, p.resource, p.excluded) for p in snaps[which].parts.values()
        ]
    with wf.storage.session() as s:
        for order_id, snap in zip(orders, snaps, strict=True):
            assert rebuild(s, order_id).as_dict() == snap.as_dict()
