"""Counters kept in the transactions equal a recount from the logs after any mix of
order transitions (joint orders, declines, re-dispatches, cancellations, expiries,
evaluations) and people events (sign-in, sign-out, confirmed and corrected hours, first
star levels) — over unit links, both backends. The in-transaction path reads only what
each transaction names; the recount reads everything; they must agree."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wenming_water
from wenming.orders import Actor, WorkflowError
from wenming.orders.testing import Clock, crew_plugin, make_workflow
from wenming.people import ids
from wenming.people.service import People
from wenming.people.testing import add_stations
from wenming.reports.counters import counters_of
from wenming.reports.tables import Unit, UnitLink

VILLAGES = ["320505001002", "320585100203"]
OPS = Actor("ops", "city_dispatcher")
SYSTEM = Actor("system", "system")
STATIONS = [Actor(f"st{i}", "station_operator", area=v) for i, v in enumerate(VILLAGES)]
TEAMS = ["water.corps", "crew.a", "crew.b"]


def lead(team: str) -> Actor:
    return Actor(f"lead-{team}", "team_leader", team=team)


@pytest.fixture
def people(wenming_database_url):
    clock = Clock(dt.datetime(2027, 1, 20, 1, 0, tzinfo=dt.UTC))
    wf = make_workflow(
        wenming_database_url,
        [("water", wenming_water), ("crew", crew_plugin(capacity=500))],
        clock=clock,
    )
    add_stations(wf.deployment, VILLAGES)
    with wf.storage.session() as s:
        s.add(Unit(code="u1", name="苏州某文明单位"))
        s.add(UnitLink(unit_code="u1", kind="resource", ref="crew.a"))
        s.add(UnitLink(unit_code="u1", kind="resource", ref="water.corps"))
    p = People(wf.deployment, clock=clock, workflow=wf)
    p.volunteers = {
        team: [
            p.register(
                OPS,
                name=f"志愿者{k}{i}",
                id_number=ids.make("320505", dt.date(1990, 1, 1 + i), 10 + 3 * k + i),
                station=VILLAGES[0],
                teams=[team],
            ).id
            for i in range(2)
        ]
        for k, team in enumerate(TEAMS)
    }
    p.done = {}  # (order, part, team, volunteer) → people events done, for the next move
    yield p
    wf.deployment.close()


def step(people, orders, kind, coin):
    """One random move: a new order, the next transition of one, a cancellation or
    expiry, or a people event on one of its parts. Refusals are part of the game."""
    wf = people.workflow
    if kind == "submit" or not orders:
        station = STATIONS[coin % 2]
        start = wf.clock().date() + dt.timedelta(days=1 + coin % 3)
        common = {"place": station.area, "start": start, "headcount": 10}
        if coin % 3 == 0:
            order = wf.submit(station, template="crew.duo", **common)
        else:
            order = wf.submit(station, category="science", **common)
        orders.append((order.id, station))
        return
    order_id, requester = orders[-1 - coin % min(4, len(orders))]  # the latest few
    order = wf.order(order_id)
    if kind == "cancel":
        wf.cancel(requester, order_id, "plans changed")
        return
    if kind == "expire":
        wf.expire(SYSTEM, order_id)
        return
    part = order.parts[coin % len(order.parts)]
    team = part.resource
    if kind == "people":
        if team is not None:
            serve(people, order_id, part, team, coin)
        return
    if part.state in ("pending", "declined"):
        fits = [
            k
            for k in TEAMS
            if k not in part.excluded
            and (part.department is None or k.startswith(f"{part.department}."))
        ]
        if fits:
            wf.dispatch(OPS, order_id, fits[coin % len(fits)], part=part.seq)
    elif part.state == "dispatched":
        if coin % 4 == 0:
            wf.decline(lead(team), order_id, "busy", part=part.seq)
        else:
            wf.accept(lead(team), order_id, part=part.seq)
    elif part.state == "accepted":
        wf.start(lead(team), order_id, part=part.seq)
    elif part.state == "in_service":
        wf.complete(lead(team), order_id, {f"志愿者{coin % 3}": 1.5}, part=part.seq)
    elif order.state == "completed":
        wf.evaluate(requester, order_id, 1 + coin % 5)


def serve(people, order_id, part, team, coin):
    """The next people event: a volunteer already signed in is signed out (a few hours
    later) and their part's hours confirmed (its service started first if need be);
    else, now and then, confirmed hours are corrected; else one of the part's team
    signs in."""
    wf = people.workflow
    going = [k for k, done in people.done.items() if done is not None and len(done) < 3]
    confirmed = [k for k, done in people.done.items() if done is not None and len(done) >= 3]
    if going:
        key = going[coin % len(going)]
    elif confirmed and coin % 3 == 0:
        key = confirmed[coin % len(confirmed)]
    else:
        key = (order_id, part.seq, team, people.volunteers[team][coin % 2])
    oid, seq, team, volunteer = key
    done = people.done.get(key) or []
    order = wf.order(oid)
    state = next(p.state for p in order.parts if p.seq == seq)
    if state in ("cancelled", "expired") or (
        len(done) == 2 and state == "accepted" and order.state == "dispatched"
    ):
        people.done[key] = None  # closed, or waiting for a partner: left as it is
        return
    at = wf.clock()
    if not done:
        people.sign_in(lead(team), volunteer, oid, part=seq, at=at)
    elif len(done) == 1:
        out = done[0] + dt.timedelta(hours=1 + coin % 9)
        people.sign_out(lead(team), volunteer, oid, part=seq, at=out)
    elif len(done) == 2:
        if state == "accepted":
            wf.start(lead(team), oid, part=seq)
        people.confirm(lead(team), oid, part=seq)
    else:
        people.correct(lead(team), volunteer, oid, 1.0 + coin % 4, "signed out late", part=seq)
    people.done[key] = [*done, at]  # recorded only once it went through


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    moves=st.lists(
        st.tuples(
            st.sampled_from(["submit"] + ["next"] * 5 + ["people"] * 4 + ["cancel", "expire"]),
            st.integers(0, 60),
            st.integers(0, 30),
        ),
        min_size=5,
        max_size=60,
    )
)
def test_counters_equal_a_recount_after_mixed_transitions_and_people_events(people, moves):
    wf = people.workflow
    counters = counters_of(people.deployment)
    orders: list[tuple[int, Actor]] = []
    for kind, coin, hours in moves:
        wf.clock.advance(hours=hours * 4)  # crosses months and quarters
        try:
            step(people, orders, kind, coin)
        except WorkflowError:
            continue
    assert counters.compare() == []
    counters.rebuild()
    assert counters.compare() == []
