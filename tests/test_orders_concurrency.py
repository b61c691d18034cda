"""Races on one order, with real concurrent connections: each contender has its own
deployment (its own engine and connection pool) on the same SQLite file or PostgreSQL
schema, in its own thread. A ``before_transition`` rendezvous holds both contenders
after they have read the order and before either writes, so the race is certain."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

import wenming_water
from wenming import hookimpl
from wenming.orders import Actor, ConflictError
from wenming.orders.events import verify
from wenming.orders.tables import Dispatch, Order, OrderEvent
from wenming.orders.testing import make_workflow
from wenming.records import Department, JointPart, Resource, Template

OPS = Actor("ops", "city_dispatcher")
OPS_2 = Actor("ops-night", "city_dispatcher")
STATION = Actor("station", "station_operator", area="320505001002")


class Rendezvous:
    """Holds ``parties`` transitions of the given actions at a barrier (after each has
    read the order, before any writes), then lets them all go."""

    def __init__(self, actions: tuple[str, ...], parties: int = 2) -> None:
        self.actions = actions
        self.barrier = threading.Barrier(parties, timeout=20)
        self.waited: set[int] = set()

    @hookimpl
    def before_transition(self, transition):
        # Only a contender's first attempt waits: a retry after a lost race goes on.
        me = threading.get_ident()
        if transition.action in self.actions and me not in self.waited:
            self.waited.add(me)
            self.barrier.wait()


class Partner:
    """A second department with a team, and a joint template with water."""

    @hookimpl
    def register_department(register):
        register(
            Department(
                code="partner",
                name_zh="合作部门",
                name_en="Partner",
                subcenter_zh="合作分中心",
                subcenter_en="Partner sub-center",
                corps_zh="合作总队",
                corps_en="Partner corps",
            )
        )

    @hookimpl
    def register_resources(register):
        register(
            Resource(
                name="team",
                kind="team",
                name_zh="合作队",
                name_en="Partner team",
                place="3205",
                categories=["science"],
            )
        )

    @hookimpl
    def register_templates(register):
        register(
            Template(
                name="river_day",
                name_zh="河道日",
                name_en="River day",
                category="science",
                parts=[
                    JointPart(department="partner", contribution_zh="讲解", contribution_en="Talk"),
                    JointPart(department="water", contribution_zh="参观", contribution_en="Visit"),
                ],
                description="A joint test template.",
            )
        )


def contenders(url: str, *actions: str, n: int = 2):
    """``n`` workflows on one database, each with its own engine, sharing a rendezvous."""
    plugins = [
        ("water", wenming_water),
        ("partner", Partner),
        ("rendezvous", Rendezvous(actions, n)),
    ]
    first = make_workflow(url, plugins)
    return [first] + [make_workflow(url, plugins, create=False) for _ in range(n - 1)]


def race(calls):
    """Run the calls at once; return (results, errors) in call order."""
    results: list[object] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    def run(i, call):
        try:
            results[i] = call()
        except BaseException as exc:
            errors[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a contender hung"
    return results, errors


@pytest.fixture
def url(wenming_database_url):
    return wenming_database_url


def close(*workflows):
    for w in workflows:
        w.deployment.close()


def scalar(wf, stmt):
    with wf.storage.session() as s:
        return s.execute(stmt).scalar()


def new_order(wf, **kw):
    values = {
        "category": "science",
        "place": "320505001002",
        "site": "320505001002",
        "start": dt.date(2023, 7, 10),
        "headcount": 20,
    }
    values.update(kw)
    return wf.submit(STATION, **values)


def test_two_dispatchers_one_order_exactly_one_wins(url):
    a, b = contenders(url, "dispatch")
    try:
        order = new_order(a)
        results, errors = race(
            [
                lambda: a.dispatch(OPS, order.id, "water.corps"),
                lambda: b.dispatch(OPS_2, order.id, "water.water_journey"),
            ]
        )
        won = [r for r in results if r is not None]
        lost = [e for e in errors if e is not None]
        assert len(won) == 1 and len(lost) == 1, errors
        assert isinstance(lost[0], ConflictError), repr(lost[0])
        assert "changed while you acted (dispatch by ops" in str(lost[0])
        final = a.order(order.id)
        assert final.state == "dispatched" and final.version == 2
        assert final.parts[0].resource == won[0].parts[0].resource
        assert scalar(a, select(func.count()).select_from(Dispatch)) == 1
        assert scalar(a, select(func.count()).select_from(OrderEvent)) == 2
        assert verify(a.storage) == []
    finally:
        close(a, b)


def test_two_accepters_one_dispatch_exactly_one_wins(url):
    a, b = contenders(url, "accept")
    try:
        order = new_order(a)
        a.dispatch(OPS, order.id, "water.corps")
        leaders = [Actor(f"lead-{i}", "team_leader", team="water.corps") for i in (1, 2)]
        results, errors = race(
            [lambda: a.accept(leaders[0], order.id), lambda: b.accept(leaders[1], order.id)]
        )
        assert sum(r is not None for r in results) == 1
        (lost,) = [e for e in errors if e is not None]
        assert isinstance(lost, ConflictError), repr(lost)
        assert "accept by lead-" in str(lost) and "is accepted: accept needs" in str(lost)
        assert a.order(order.id).version == 3
        assert verify(a.storage) == []
    finally:
        close(a, b)


def test_accept_racing_a_decline_one_wins_nothing_lost(url):
    a, b = contenders(url, "accept", "decline")
    try:
        order = new_order(a)
        a.dispatch(OPS, order.id, "water.corps")
        lead = Actor("lead", "team_leader", team="water.corps")
        deputy = Actor("deputy", "team_leader", team="water.corps")
        results, errors = race(
            [lambda: a.accept(lead, order.id), lambda: b.decline(deputy, order.id, "no one free")]
        )
        assert sum(r is not None for r in results) == 1
        (lost,) = [e for e in errors if e is not None]
        assert isinstance(lost, ConflictError), repr(lost)
        final = a.order(order.id)
        assert final.state in ("accepted", "declined") and final.version == 3
        assert [d.outcome for d in a.dispatches(order.id)] == [
            "accepted" if final.state == "accepted" else "declined"
        ]
        assert verify(a.storage) == []
    finally:
        close(a, b)


def test_two_teams_accepting_two_parts_of_a_joint_order_both_succeed(url):
    a, b = contenders(url, "accept")
    try:
        order = new_order(a, template="partner.river_day", category=None)
        a.dispatch(OPS, order.id, "partner.team", part=1)
        a.dispatch(OPS, order.id, "water.corps", part=2)
        partner = Actor("p-lead", "team_leader", team="partner.team")
        water = Actor("w-lead", "team_leader", team="water.corps")
        _, errors = race([lambda: a.accept(partner, order.id), lambda: b.accept(water, order.id)])
        assert errors == [None, None]
        final = a.order(order.id)
        assert final.state == "accepted" and [p.state for p in final.parts] == ["accepted"] * 2
        assert final.version == 5
        assert [e.action for e in a.timeline(order.id)][-2:] == ["accept", "accept"]
        assert verify(a.storage) == []
    finally:
        close(a, b)


def test_concurrent_submits_with_one_idempotency_key_make_one_order(url):
    a, b, c = contenders(url, "submit", n=3)
    try:
        calls = [lambda w=w: new_order(w, idempotency_key="mailbox-0042") for w in (a, b, c)]
        results, errors = race(calls)
        assert errors == [None, None, None]
        assert len({r.id for r in results}) == 1
        assert scalar(a, select(func.count()).select_from(Order)) == 1
        assert scalar(a, select(func.count()).select_from(OrderEvent)) == 1
    finally:
        close(a, b, c)
