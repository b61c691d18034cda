"""People in the counters: confirmed hours, active volunteers and new star volunteers
move with the people events and equal a recount (both backends)."""

from __future__ import annotations

import datetime as dt

import pytest

import wenming_water
from wenming.orders import Actor
from wenming.orders.testing import Clock, make_workflow
from wenming.people import ids
from wenming.people.service import People
from wenming.people.testing import add_stations
from wenming.reports.counters import counters_of

VILLAGE = "320505001002"
OPS = Actor("ops", "city_dispatcher")
STATION = Actor("station", "station_operator", area=VILLAGE)
CORPS = Actor("corps-lead", "team_leader", team="water.corps")


@pytest.fixture
def people(wenming_database_url):
    clock = Clock(dt.datetime(2027, 1, 20, 1, 0, tzinfo=dt.UTC))
    wf = make_workflow(wenming_database_url, [("water", wenming_water)], clock=clock)
    add_stations(wf.deployment, [VILLAGE])
    yield People(wf.deployment, clock=clock, workflow=wf)
    wf.deployment.close()


def serve(people, volunteers, hours):
    """One order delivered with every volunteer signed in for ``hours``, confirmed."""
    wf = people.workflow
    order = wf.submit(STATION, category="science", place=VILLAGE, start=wf.clock().date())
    wf.dispatch(OPS, order.id, "water.corps")
    wf.accept(CORPS, order.id)
    start = wf.clock()
    for v in volunteers:
        people.sign_in(CORPS, v, order.id, at=start)
    wf.start(CORPS, order.id)
    for v in volunteers:
        people.sign_out(CORPS, v, order.id, at=start + dt.timedelta(hours=hours))
    people.confirm(CORPS, order.id)
    return order.id


def top(people, metric, by, **when):
    return {k: v for k, v, _ in counters_of(people.deployment).top(metric, by, **when)}


def test_confirmed_hours_active_volunteers_and_new_stars(people):
    a = people.register(
        OPS,
        name="张敏",
        id_number=ids.make("320505", dt.date(1990, 1, 1), 11),
        station=VILLAGE,
        teams=["water.corps"],
    ).id
    b = people.register(
        OPS,
        name="李强",
        id_number=ids.make("320505", dt.date(1991, 2, 2), 12),
        station=VILLAGE,
        teams=["water.corps"],
    ).id
    for _ in range(5):  # 5 × 20 h for a: the national ladder's first star at 100 h
        serve(people, [a], 20)
        people.workflow.clock.advance(days=12)
    serve(people, [a, b], 3)
    order = serve(people, [b], 2)
    people.correct(CORPS, b, order, 1.5, "signed out late")
    assert top(people, "confirmed_hours", "county", period="2027") == {"320505": 107.5}
    assert top(people, "confirmed_hours", "team", period="2027") == {"water.corps": 107.5}
    assert top(people, "active_volunteers", "city", period="2027")["all"] == 2.0
    assert top(people, "active_volunteers", "city", period="2027-01")["all"] == 1.0
    months = top(
        people,
        "active_volunteers",
        "department",
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 3, 31),
    )
    assert months == {"water": 2.0}
    assert top(people, "new_star_volunteers", "county", period="2027") == {"320505": 1.0}
    counters = counters_of(people.deployment)
    assert counters.compare() == []
    counters.rebuild()
    assert counters.compare() == []
    assert top(people, "confirmed_hours", "city", period="2027") == {"all": 107.5}
