"""Counters move with the events and always equal a recount from the event log.

Property (both backends): after any random sequence of workflow calls the stored
counters equal ``Counters.rebuild``'s recount, and their totals equal what the order
tables say independently (orders, hours, ratings).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import wenming_water
from wenming import hookimpl
from wenming.errors import WenmingError
from wenming.orders import Actor, WorkflowError
from wenming.orders.tables import Evaluation, Order, ServiceHours
from wenming.orders.testing import Clock, crew_plugin, make_workflow
from wenming.reports import periods
from wenming.reports.counters import counters_of
from wenming.reports.metrics import Metric
from wenming.reports.tables import Stat, Unit, UnitLink

TEAMS = ["water.corps", "crew.a", "crew.b"]
OPS = Actor("ops", "city_dispatcher")
SYSTEM = Actor("system", "system")
STATIONS = [
    Actor("s1", "station_operator", area="320505001002"),
    Actor("s2", "station_operator", area="320585100203"),
]


class Crew(crew_plugin(capacity=500)):
    """A second department with two teams and a joint template with water, and a metric."""

    @hookimpl
    def register_metrics(register):
        register(
            Metric(
                "duo_done",
                "双部门完成",
                "Duo done",
                "sum",
                ("complete",),
                where={"template": "crew.duo"},
            )
        )


@pytest.fixture
def workflow(wenming_database_url):
    wf = make_workflow(
        wenming_database_url,
        [("water", wenming_water), ("crew", Crew)],
        clock=Clock(dt.datetime(2027, 1, 30, 15, 0, tzinfo=dt.UTC)),
    )
    with wf.storage.session() as s:
        s.add(Unit(code="u1", name="苏州某文明单位"))
        s.add(UnitLink(unit_code="u1", kind="resource", ref="crew.a"))
    yield wf
    wf.deployment.close()


def natural(wf, order_id, coin):
    order = wf.order(order_id)
    for p in order.parts:
        if p.state in ("pending", "declined"):
            fits = [
                k
                for k in TEAMS
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
                return (action, p.seq, p.resource)
    return ("evaluate", None, None) if order.state == "completed" else None


def move(wf, order_id, requester, coin):
    step = natural(wf, order_id, coin)
    if step is None:
        return
    action, part, resource = step
    lead = Actor("lead", "team_leader", team=resource) if resource else OPS
    if action == "dispatch":
        wf.dispatch(OPS, order_id, resource, part=part)
    elif action == "accept":
        wf.accept(lead, order_id, part=part)
    elif action == "decline":
        wf.decline(lead, order_id, "busy", part=part)
    elif action == "start":
        wf.start(lead, order_id, part=part)
    elif action == "complete":
        wf.complete(lead, order_id, {f"志愿者{coin % 3}": 1.5, "老李": coin % 4}, part=part)
    elif action == "evaluate":
        wf.evaluate(requester, order_id, 1 + coin % 5)


def totals(wf, metric, by="city", **when):
    return {k: v for k, v, _ in counters_of(wf.deployment).top(metric, by, **when)}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.integers(0, 3),
            st.integers(0, 40),
            st.sampled_from(["next", "next", "next", "cancel", "expire"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_counters_equal_a_recount_from_the_log(workflow, steps):
    wf = workflow
    counters = counters_of(wf.deployment)
    orders = []
    for i, (which, hours, action) in enumerate(steps):
        wf.clock.advance(hours=hours * 7)  # crosses months and quarters
        if which == 3 or not orders:
            station = STATIONS[i % 2]
            day = wf.clock().date() + dt.timedelta(days=2)
            common = {"place": station.area, "start": day, "headcount": 10}
            try:
                if i % 3 == 0:
                    oid = wf.submit(station, template="crew.duo", **common).id
                else:
                    oid = wf.submit(station, category="science", **common).id
            except WorkflowError:
                continue
            orders.append((oid, station))
            continue
        oid, requester = orders[which % len(orders)]
        try:
            if action == "next":
                move(wf, oid, requester, hours)
            elif action == "cancel":
                wf.cancel(requester, oid, "plans changed")
            else:
                wf.expire(SYSTEM, oid)
        except WorkflowError:
            continue
    assert counters.compare() == []
    # independent of the fold: what the order tables say
    with wf.storage.session() as s:
        years = set(s.execute(select(Stat.period).where(Stat.dim == "city")).scalars())
    years = {y for y in years if periods.kind(y) == "year"}
    with wf.storage.session() as s:
        n_orders = s.execute(select(func.count()).select_from(Order)).scalar()
        hours = s.execute(select(func.coalesce(func.sum(ServiceHours.hours), 0))).scalar()
        ratings = s.execute(select(func.count()).select_from(Evaluation)).scalar()
    assert sum(totals(wf, "orders_received", period=y).get("all", 0) for y in years) == n_orders
    got = sum(totals(wf, "volunteer_hours", period=y).get("all", 0) for y in years)
    assert got == pytest.approx(hours)
    by_dept = sum(sum(totals(wf, "evaluation", "department", period=y).values()) > 0 for y in years)
    assert (ratings > 0) == (by_dept > 0)
    rebuilt = counters.rebuild()
    assert counters.compare() == []
    assert rebuilt["counters"] >= 0


def test_periods_follow_the_deployment_time_zone():
    late = dt.datetime(2027, 7, 31, 16, 30, tzinfo=dt.UTC)  # 00:30 on 1 August in Suzhou
    assert periods.keys(periods.local_date(late)) == ("2027-08", "2027-Q3", "2027")
    assert periods.keys(periods.local_date(late, "UTC")) == ("2027-07", "2027-Q3", "2027")
    assert periods.months(dt.date(2027, 11, 5), dt.date(2028, 2, 1)) == [
        "2027-11",
        "2027-12",
        "2028-01",
        "2028-02",
    ]
    for bad in ("2027-13", "27-01", "2027Q3", ""):
        with pytest.raises(WenmingError, match="period"):
            periods.check(bad)


def test_leaderboard_reads_ranges_rates_units_and_plugin_metrics(workflow):
    wf = workflow
    station = STATIONS[0]
    day = dt.date(2027, 2, 3)
    ids = []
    for i in range(3):  # a day each: crew.a takes one order a day (its daily slot)
        start = day + dt.timedelta(days=i)
        order = wf.submit(station, template="crew.duo", place=station.area, start=start)
        ids.append(order.id)
        leads = {}
        for p in order.parts:
            team = "crew.a" if p.department == "crew" else "water.corps"
            leads[p.seq] = Actor("lead", "team_leader", team=team)
            wf.dispatch(OPS, order.id, team, part=p.seq)
            wf.accept(leads[p.seq], order.id, part=p.seq)
        for seq, lead in leads.items():
            wf.start(lead, order.id, part=seq)
            wf.complete(lead, order.id, {"张三": 2}, part=seq)
        wf.evaluate(station, order.id, 4)
        wf.clock.advance(days=20)
    counters = counters_of(wf.deployment)
    assert totals(wf, "orders_completed", "department", period="2027") == {
        "crew": 3.0,
        "water": 3.0,
    }
    assert totals(wf, "orders_completed", "team", period="2027")["crew.a"] == 3.0
    assert totals(wf, "orders_completed", "unit", period="2027") == {"u1": 3.0}
    assert totals(wf, "crew.duo_done", period="2027")["all"] == 6.0
    assert totals(wf, "completion_rate", "department", period="2027") == {"crew": 1.0, "water": 1.0}
    # a range is read as the months it covers: 2 h by 张三 on each of three parts a month
    hours = totals(wf, "volunteer_hours", start=dt.date(2027, 1, 1), end=dt.date(2027, 3, 31))
    assert hours["all"] == sum(
        totals(wf, "volunteer_hours", period=m).get("all", 0)
        for m in ("2027-01", "2027-02", "2027-03")
    )
    assert (
        sum(
            totals(wf, "orders_received", period=m).get("all", 0)
            for m in ("2027-01", "2027-02", "2027-03")
        )
        == 3.0
    )
    assert totals(wf, "evaluation", "county", period="2027") == {"320505": 4.0}
    with pytest.raises(WenmingError, match="did you mean"):
        counters.top("orders_complete", "county", period="2027")
    with pytest.raises(WenmingError, match="not kept by"):
        counters.top("active_volunteers", "team", period="2027")
    with pytest.raises(WenmingError, match="period"):
        counters.top("orders_completed", "county")


def test_a_failed_transition_moves_no_counter(workflow):
    wf = workflow
    station = STATIONS[0]
    order = wf.submit(station, category="science", place=station.area, start=dt.date(2027, 2, 3))
    before = totals(wf, "orders_dispatched", period="2027")
    with pytest.raises(WorkflowError):
        wf.accept(Actor("lead", "team_leader", team="crew.a"), order.id)
    with pytest.raises(WorkflowError):
        wf.dispatch(STATIONS[1], order.id, "crew.a")
    assert totals(wf, "orders_dispatched", period="2027") == before == {}
    assert counters_of(wf.deployment).compare() == []


def test_version_3_drops_the_indexes_transitions_moved_for_nothing(workflow):
    """Schema 4: the leaderboards' index leaves ``value`` out (every counter update
    moved it), and no index on ``order_id`` alone doubles a ``(order_id, seq)`` one. A
    version-3 database is upgraded to that, and ranks exactly as before."""
    from sqlalchemy import inspect, text

    from wenming.storage import SCHEMA_VERSION

    wf = workflow
    for i, station in enumerate(STATIONS * 2):
        order = wf.submit(
            station, category="science", place=station.area, start=dt.date(2027, 2, 3)
        )
        move(wf, order.id, station, i)
    ranked = {by: totals(wf, "orders_received", by, period="2027-01") for by in ("city", "town")}
    assert ranked["city"] == {"all": 4.0}

    def indexes(table):
        with wf.storage.engine.connect() as conn:
            return {ix["name"] for ix in inspect(conn).get_indexes(table)}

    assert "ix_wm_stat_period" in indexes("wm_stat")
    with wf.storage.engine.begin() as conn:  # back to what version 3 had
        for sql in (
            "DROP INDEX ix_wm_stat_period",
            "CREATE INDEX ix_wm_stat_top ON wm_stat (metric, dim, period, value)",
            "CREATE INDEX ix_wm_order_event_order_id ON wm_order_event (order_id)",
            "CREATE INDEX ix_wm_order_part_order ON wm_order_part (order_id)",
            "UPDATE wm_meta SET value = '3' WHERE key = 'schema_version'",
        ):
            conn.execute(text(sql))
    assert wf.storage.upgrade() == SCHEMA_VERSION == 4
    assert "ix_wm_stat_top" not in indexes("wm_stat")
    assert "ix_wm_stat_period" in indexes("wm_stat")
    assert "ix_wm_order_event_order_id" not in indexes("wm_order_event")
    assert "ix_wm_order_part_order" not in indexes("wm_order_part")
    assert {by: totals(wf, "orders_received", by, period="2027-01") for by in ranked} == ranked
