"""The order workflow on SQLite and PostgreSQL: every transition, every refusal (wrong
state, role, area, department), joint orders, supply, overdue flags, hooks."""

from __future__ import annotations

import datetime as dt
import logging
from typing import ClassVar

import pytest
from sqlalchemy import func, select, text

import wenming_water
from wenming import hookimpl
from wenming.orders import (
    Actor,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Vetoed,
)
from wenming.orders.events import rebuild, verify
from wenming.orders.tables import Dispatch, Evaluation, Order, OrderEvent, ServiceHours
from wenming.orders.testing import Clock, make_workflow
from wenming.records import Department, JointPart, Resource, Template, Veto

DAY = dt.date(2023, 7, 10)
VILLAGE = "320505001002"  # a community of Suzhou's Huqiu subdistrict
TOWN = "320505001"


def _department(code: str, zh: str) -> Department:
    return Department(
        code=code,
        name_zh=zh,
        name_en=code.title(),
        subcenter_zh=f"{zh}分中心",
        subcenter_en=f"{code} sub-center",
        corps_zh=f"{zh}总队",
        corps_en=f"{code} corps",
    )


class Medics:
    """A test department with two teams and a joint template with Estates."""

    @hookimpl
    def register_department(register):
        register(_department("medics", "医护"))

    @hookimpl
    def register_templates(register):
        register(
            Template(
                name="safe_homes",
                name_zh="健康住区",
                name_en="Safe homes",
                category="emergency_rescue",
                audiences=["residents"],
                parts=[
                    JointPart(
                        department="medics", contribution_zh="急救培训", contribution_en="CPR"
                    ),
                    JointPart(
                        department="estates", contribution_zh="组织居民", contribution_en="Hosts"
                    ),
                ],
                description="First-aid training for estate staff and residents.",
            )
        )

    @hookimpl
    def register_resources(register):
        for name in ("first_aid", "night_clinic"):
            register(
                Resource(
                    name=name,
                    kind="team",
                    name_zh=f"医护{name}",
                    name_en=name,
                    place="3205",
                    categories=["emergency_rescue", "health_fitness"],
                    audiences=["residents"],
                    capacity=60,
                    members=40,
                )
            )


class Estates:
    """A test department with two responder teams."""

    @hookimpl
    def register_department(register):
        register(_department("estates", "物业"))

    @hookimpl
    def register_resources(register):
        for name in ("responders", "stewards"):
            register(
                Resource(
                    name=name,
                    kind="team",
                    name_zh=f"物业{name}",
                    name_en=name,
                    place="3205",
                    categories=["emergency_rescue"],
                    audiences=["residents"],
                    capacity=60,
                    members=30,
                )
            )
        register(
            Resource(
                name="hall",
                kind="venue",
                name_zh="物业活动室",
                name_en="Estate hall",
                place="320505001",
                categories=["emergency_rescue"],
                capacity=40,
            )
        )


PLUGINS = [("water", wenming_water), ("medics", Medics), ("estates", Estates)]

STATION = Actor("station-001002", "station_operator", area=VILLAGE)
INSTITUTE = Actor("institute-001", "station_operator", area=TOWN)
FAR_STATION = Actor("station-far", "station_operator", area="320506")
OPS = Actor("ops", "city_dispatcher")
WATER_DESK = Actor("water-desk", "department_dispatcher", department="water")
MEDIC_DESK = Actor("medic-desk", "department_dispatcher", department="medics")
CORPS = Actor("corps-lead", "team_leader", team="water.corps")
FIRST_AID = Actor("aid-lead", "team_leader", team="medics.first_aid")
CLINIC = Actor("clinic-lead", "team_leader", team="medics.night_clinic")
RESPONDERS = Actor("resp-lead", "team_leader", team="estates.responders")
STEWARDS = Actor("stew-lead", "team_leader", team="estates.stewards")
RESIDENT = Actor("resident-1", "requester")
SYSTEM = Actor("scheduler", "system")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def wf(wenming_database_url, clock):
    workflow = make_workflow(wenming_database_url, PLUGINS, clock=clock)
    yield workflow
    workflow.deployment.close()


def submit(wf, actor=STATION, **kw):
    values = {
        "category": "science",
        "place": VILLAGE,
        "site": VILLAGE,
        "start": DAY,
        "headcount": 30,
        "tags": ["water_saving"],
        "audiences": ["minors"],
    }
    values.update(kw)
    return wf.submit(actor, **values)


def count(wf, table, **where):
    with wf.storage.session() as s:
        stmt = select(func.count()).select_from(table)
        for column, value in where.items():
            stmt = stmt.where(getattr(table.c, column) == value)
        return s.execute(stmt).scalar()


def delivered(wf, order_id, team=CORPS, resource="water.corps"):
    wf.dispatch(OPS, order_id, resource)
    wf.accept(team, order_id)
    wf.start(team, order_id)
    return wf.complete(team, order_id, {"张三": 2.5, "李四": 2})


# ---------------------------------------------------------------------- transitions


def test_an_order_goes_through_every_state(wf, clock):
    order = submit(wf)
    assert (order.state, order.version, order.parts[0].state) == ("submitted", 1, "pending")
    assert order.category == "core.science" and order.audiences == ("core.minors",)
    clock.advance(hours=1)
    order = wf.dispatch(OPS, order.id, "water.corps", reason="nearest corps")
    assert (order.state, order.parts[0].resource) == ("dispatched", "water.corps")
    order = wf.accept(CORPS, order.id)
    assert order.state == "accepted"
    order = wf.start(CORPS, order.id)
    assert order.state == "in_service"
    order = wf.complete(CORPS, order.id, {"张三": 2.5, "李四": 2})
    assert order.state == "completed"
    order = wf.evaluate(STATION, order.id, 5, "孩子们很喜欢")
    assert (order.state, order.version) == ("evaluated", 6)

    timeline = wf.timeline(order.id)
    assert [e.action for e in timeline] == [
        "submit",
        "dispatch",
        "accept",
        "start",
        "complete",
        "evaluate",
    ]
    assert [e.seq for e in timeline] == [1, 2, 3, 4, 5, 6]
    dispatch = timeline[1]
    assert (dispatch.actor, dispatch.role, dispatch.reason) == (
        "ops",
        "city_dispatcher",
        "nearest corps",
    )
    assert (dispatch.from_state, dispatch.to_state) == ("submitted", "dispatched")
    assert (dispatch.part_from, dispatch.part_to, dispatch.part) == ("pending", "dispatched", 1)
    assert dispatch.at == clock.now and timeline[0].at == clock.now - dt.timedelta(hours=1)
    assert timeline[-1].data["rating"] == 5

    (d,) = wf.dispatches(order.id)
    assert (d.method, d.outcome, d.dispatcher) == ("hand", "completed", "ops")
    assert count(wf, ServiceHours.__table__, order_id=order.id) == 2
    assert wf.reputation() == {"water.corps": (5.0, 1)}
    assert wf.load() == {}
    assert verify(wf.storage) == []


def test_submitting_twice_with_one_idempotency_key_creates_one_order(wf):
    first = submit(wf, idempotency_key="visit-2023-07-01-17")
    again = submit(wf, idempotency_key="visit-2023-07-01-17")
    assert again.id == first.id
    assert count(wf, Order.__table__) == 1
    assert count(wf, OrderEvent.__table__) == 1
    with pytest.raises(
        InvalidInput, match="idempotency key 'visit-2023-07-01-17' was used for order"
    ):
        submit(wf, idempotency_key="visit-2023-07-01-17", headcount=31)
    assert submit(wf, idempotency_key="another").id != first.id


def test_a_decline_sends_the_part_back_with_the_team_excluded(wf):
    order = submit(wf)
    wf.dispatch(OPS, order.id, "water.corps")
    with pytest.raises(InvalidInput, match="a decline needs a reason"):
        wf.decline(CORPS, order.id, " ")
    order = wf.decline(CORPS, order.id, "all volunteers at the flood drill that day")
    assert order.state == "declined"
    assert order.parts[0].excluded == ("water.corps",) and order.parts[0].resource is None
    with pytest.raises(IllegalTransition, match="water.corps declined order .* excluded"):
        wf.dispatch(OPS, order.id, "water.corps")
    order = wf.dispatch(OPS, order.id, "water.water_journey")
    assert order.state == "dispatched"
    outcomes = [(d.resource, d.outcome, d.reason) for d in wf.dispatches(order.id)]
    assert outcomes == [
        ("water.corps", "declined", "all volunteers at the flood drill that day"),
        ("water.water_journey", "open", ""),
    ]
    assert wf.load() == {"water.water_journey": 1}


def test_cancel_closes_open_dispatches(wf):
    order = submit(wf)
    wf.dispatch(OPS, order.id, "water.corps")
    wf.accept(CORPS, order.id)
    with pytest.raises(InvalidInput, match="needs a reason"):
        wf.cancel(STATION, order.id, "")
    order = wf.cancel(STATION, order.id, "the school trip was called off")
    assert order.state == "cancelled" and order.parts[0].state == "cancelled"
    assert [d.outcome for d in wf.dispatches(order.id)] == ["cancelled"]
    with pytest.raises(IllegalTransition, match="is cancelled"):
        wf.start(CORPS, order.id)


def test_expiry_waits_for_the_window_to_close(wf, clock):
    order = submit(wf, start=dt.date(2023, 7, 2), end=dt.date(2023, 7, 3))
    with pytest.raises(IllegalTransition, match="can be expired only after 2023-07-03"):
        wf.expire(OPS, order.id)
    clock.now = dt.datetime(2023, 7, 4, 0, 30, tzinfo=dt.UTC)
    accepted = submit(wf, start=dt.date(2023, 7, 2), end=dt.date(2023, 7, 3))
    wf.dispatch(OPS, accepted.id, "water.corps")
    wf.accept(CORPS, accepted.id)
    assert wf.expire_due(SYSTEM) == [order.id]
    assert wf.order(order.id).state == "expired"
    assert wf.order(accepted.id).state == "accepted", "an accepted order does not expire"


def test_expiry_grace_is_a_deployment_setting(wenming_database_url, clock):
    wf = make_workflow(
        wenming_database_url, PLUGINS, clock=clock, workflow={"expire_after_days": 3}
    )
    try:
        order = submit(wf, start=dt.date(2023, 7, 2))
        clock.now = dt.datetime(2023, 7, 4, tzinfo=dt.UTC)
        with pytest.raises(IllegalTransition, match="only after 2023-07-05"):
            wf.expire(OPS, order.id)
        clock.now = dt.datetime(2023, 7, 6, tzinfo=dt.UTC)
        assert wf.expire(OPS, order.id, "no team this summer").state == "expired"
    finally:
        wf.deployment.close()


ILLEGAL = [
    ("accept", "submitted", "part 1 is pending: accept needs the part to be dispatched"),
    (
        "start",
        "dispatched",
        "order .* is dispatched: start needs the order to be accepted or in_service",
    ),
    ("complete", "accepted", "is accepted: complete needs the order to be in_service"),
    ("evaluate", "in_service", "is in_service: evaluate needs it to be completed"),
    (
        "cancel",
        "in_service",
        "is in_service: cancel needs it to be submitted, declined, dispatched or accepted",
    ),
    (
        "dispatch",
        "dispatched",
        "is dispatched: dispatch needs the order to be submitted or declined",
    ),
    (
        "decline",
        "accepted",
        "is accepted: decline needs the order to be submitted, declined or dispatched",
    ),
    ("evaluate", "evaluated", "is evaluated: evaluate needs it to be completed"),
]


def _reach(wf, state):
    order = submit(wf)
    steps = [
        ("dispatched", lambda: wf.dispatch(OPS, order.id, "water.corps")),
        ("accepted", lambda: wf.accept(CORPS, order.id)),
        ("in_service", lambda: wf.start(CORPS, order.id)),
        ("completed", lambda: wf.complete(CORPS, order.id, {"王五": 1})),
        ("evaluated", lambda: wf.evaluate(STATION, order.id, 4)),
    ]
    for name, step in steps:
        if order.state == state:
            break
        order = step()
        if name == state:
            break
    assert order.state == state
    return order


@pytest.mark.parametrize(
    ("action", "state", "message"), ILLEGAL, ids=[f"{a}-in-{s}" for a, s, _ in ILLEGAL]
)
def test_illegal_transitions_are_refused_and_write_nothing(wf, action, state, message):
    order = _reach(wf, state)
    events = count(wf, OrderEvent.__table__)
    calls = {
        "accept": lambda: wf.accept(CORPS, order.id),
        "start": lambda: wf.start(CORPS, order.id),
        "complete": lambda: wf.complete(CORPS, order.id, {"王五": 1}),
        "evaluate": lambda: wf.evaluate(STATION, order.id, 3),
        "cancel": lambda: wf.cancel(OPS, order.id, "changed plans"),
        "dispatch": lambda: wf.dispatch(OPS, order.id, "water.water_classroom"),
        "decline": lambda: wf.decline(CORPS, order.id, "busy"),
    }
    with pytest.raises(IllegalTransition, match=message):
        calls[action]()
    assert count(wf, OrderEvent.__table__) == events
    assert wf.order(order.id).version == order.version


def test_bad_requests_name_the_field(wf):
    cases = [
        ({"category": "astrology"}, "category: unknown category 'astrology'"),
        ({"audiences": ["martians"]}, "audiences: unknown audience 'martians'"),
        ({"channel": "pigeon"}, "channel must be one of platform, visit, mailbox"),
        ({"place": "Huqiu"}, "place must be an administrative division code"),
        ({"headcount": 0}, "headcount must be a whole number from 1 to 100000, got 0"),
        ({"end": dt.date(2023, 7, 1)}, r"ends \(2023-07-01\) before it starts"),
        ({"departments": ["water", "space"]}, "departments: 'space' is not installed"),
        (
            {"template": "medics.safe_homes", "departments": ["water", "medics"]},
            "co-delivered by medics, estates",
        ),
    ]
    for values, message in cases:
        with pytest.raises(InvalidInput, match=message):
            submit(wf, **values)
    assert count(wf, Order.__table__) == 0
    order = submit(wf)
    with pytest.raises(InvalidInput, match=r"rating must be a whole number 1–5, got 6"):
        wf.evaluate(STATION, order.id, 6)
    with pytest.raises(NotFound, match="no order 999"):
        wf.order(999)
    with pytest.raises(NotFound, match="no resource water.nothing"):
        wf.dispatch(OPS, order.id, "water.nothing")


def test_completion_needs_volunteers_with_sensible_hours(wf):
    order = submit(wf)
    wf.dispatch(OPS, order.id, "water.corps")
    wf.accept(CORPS, order.id)
    wf.start(CORPS, order.id)
    with pytest.raises(InvalidInput, match="names the volunteers"):
        wf.complete(CORPS, order.id, {})
    with pytest.raises(InvalidInput, match=r"张三: hours must be in \(0, 24\]"):
        wf.complete(CORPS, order.id, {"张三": 30})
    with pytest.raises(InvalidInput, match="'李四' is listed twice"):
        wf.complete(CORPS, order.id, [("李四", 1), ("李四", 2)])
    assert wf.complete(CORPS, order.id, [("李四", 1.5)]).state == "completed"


# ---------------------------------------------------------------------- roles


def test_station_operators_submit_only_for_their_own_area(wf):
    with pytest.raises(PermissionDenied) as refused:
        submit(wf, FAR_STATION)
    message = str(refused.value)
    assert "role station_operator (area 320506)" in message
    assert f"submits orders only for its own area; site {VILLAGE} is outside 320506" in message
    with pytest.raises(PermissionDenied, match="place 320506001012 is outside 320505001002"):
        submit(wf, site=VILLAGE, place="320506001012")
    assert submit(wf, INSTITUTE).requester == "institute-001", "an institute covers its villages"
    assert submit(wf, RESIDENT, site=None).requester_role == "requester"
    with pytest.raises(PermissionDenied, match="role team_leader .* may not submit"):
        submit(wf, CORPS)


def test_department_dispatchers_dispatch_only_their_own_resources(wf):
    order = submit(wf)
    with pytest.raises(PermissionDenied) as refused:
        wf.dispatch(MEDIC_DESK, order.id, "water.corps")
    assert str(refused.value) == (
        "role department_dispatcher (department medics) may not dispatch: a department "
        "dispatcher dispatches only its own department's resources; the resource belongs to water"
    )
    with pytest.raises(
        PermissionDenied,
        match="role station_operator .* only the city center and sub-centers dispatch",
    ):
        wf.dispatch(STATION, order.id, "water.corps")
    assert wf.dispatch(WATER_DESK, order.id, "water.corps").state == "dispatched"


def test_team_leaders_answer_only_their_own_teams_dispatches(wf):
    order = submit(wf)
    wf.dispatch(OPS, order.id, "water.corps")
    with pytest.raises(PermissionDenied) as refused:
        wf.accept(FIRST_AID, order.id)
    assert "role team_leader (team medics.first_aid) may not accept" in str(refused.value)
    assert "this part is dispatched to water.corps" in str(refused.value)
    for call in (lambda: wf.decline(FIRST_AID, order.id, "no"), lambda: wf.accept(OPS, order.id)):
        with pytest.raises(PermissionDenied):
            call()
    wf.accept(CORPS, order.id)
    with pytest.raises(PermissionDenied, match="may not start"):
        wf.start(FIRST_AID, order.id)


def test_requesters_evaluate_and_cancel_only_their_own_orders(wf):
    order = delivered(wf, submit(wf, RESIDENT, site=None).id)
    other = Actor("resident-2", "requester")
    with pytest.raises(PermissionDenied) as refused:
        wf.evaluate(other, order.id, 1)
    assert str(refused.value) == (
        "role requester may not evaluate: a requester evaluates only its own orders; "
        "this order was requested by resident-1"
    )
    with pytest.raises(PermissionDenied, match="only the requester evaluates"):
        wf.evaluate(OPS, order.id, 5)
    assert wf.evaluate(RESIDENT, order.id, 4).state == "evaluated"

    mine = submit(wf, RESIDENT, site=None)
    with pytest.raises(PermissionDenied, match="cancels only its own orders"):
        wf.cancel(other, mine.id, "not mine")
    with pytest.raises(
        PermissionDenied, match="station_operator .* 320505001002 is outside 320506"
    ):
        wf.cancel(FAR_STATION, submit(wf).id, "not my area")
    with pytest.raises(PermissionDenied, match="team_leader"):
        wf.cancel(CORPS, mine.id, "no")
    with pytest.raises(PermissionDenied, match="only the city center or the system expires"):
        wf.expire(STATION, mine.id)
    assert wf.cancel(RESIDENT, mine.id, "moved house").state == "cancelled"


def test_actors_need_the_scope_of_their_role():
    with pytest.raises(ValueError, match="role station_operator needs a area"):
        Actor("x", "station_operator")
    with pytest.raises(ValueError, match="unknown role 'mayor'"):
        Actor("x", "mayor")


# ---------------------------------------------------------------------- joint orders


def joint(wf, actor=STATION, **kw):
    return submit(
        wf, actor, template="medics.safe_homes", category=None, tags=(), audiences=(), **kw
    )


def test_joint_order_is_accepted_when_every_part_is(wf):
    order = joint(wf)
    assert order.joint and [(p.seq, p.department, p.resource_kinds) for p in order.parts] == [
        (1, "medics", ("team",)),
        (2, "estates", ("team",)),
    ]
    assert order.category == "core.emergency_rescue" and order.audiences == ("core.residents",)
    with pytest.raises(InvalidInput, match="is a joint order: name the part"):
        wf.dispatch(OPS, order.id, "medics.first_aid")
    order = wf.dispatch(MEDIC_DESK, order.id, "medics.first_aid")  # the only part medics may take
    assert (order.state, order.part(1).state, order.part(2).state) == (
        "submitted",
        "dispatched",
        "pending",
    )
    order = wf.accept(FIRST_AID, order.id)
    assert order.state == "submitted", "the estates part still waits for dispatch"
    order = wf.dispatch(OPS, order.id, "estates.responders", part=2)
    assert order.state == "dispatched"
    order = wf.accept(RESPONDERS, order.id)
    assert order.state == "accepted"
    order = wf.start(FIRST_AID, order.id)
    assert order.state == "in_service"
    with pytest.raises(IllegalTransition, match="part 1 is in_service: start needs the part"):
        wf.start(FIRST_AID, order.id)
    order = wf.start(RESPONDERS, order.id)
    order = wf.complete(FIRST_AID, order.id, {"医生甲": 3})
    assert order.state == "in_service", "one partner has not completed yet"
    order = wf.complete(RESPONDERS, order.id, {"保安乙": 2, "保洁丙": 2})
    assert order.state == "completed"
    order = wf.evaluate(STATION, order.id, 4, "配合默契")
    assert order.state == "evaluated"
    assert wf.reputation() == {"medics.first_aid": (4.0, 1), "estates.responders": (4.0, 1)}
    with wf.storage.session() as s:
        hours = dict(
            s.execute(
                select(ServiceHours.department, func.sum(ServiceHours.hours)).group_by(
                    ServiceHours.department
                )
            ).all()
        )
    assert hours == {"medics": 3.0, "estates": 4.0}
    assert count(wf, Evaluation.__table__, order_id=order.id) == 2
    assert verify(wf.storage) == []


def test_a_declined_joint_part_is_redispatched_alone(wf):
    order = joint(wf)
    wf.dispatch(OPS, order.id, "medics.first_aid", part=1)
    wf.dispatch(OPS, order.id, "estates.responders", part=2)
    wf.accept(FIRST_AID, order.id)
    order = wf.decline(RESPONDERS, order.id, "short of staff")
    assert order.state == "declined"
    assert (order.part(1).state, order.part(1).resource) == ("accepted", "medics.first_aid")
    assert order.part(2).excluded == ("estates.responders",)
    with pytest.raises(IllegalTransition, match="part 1 is accepted: dispatch needs the part"):
        wf.dispatch(OPS, order.id, "medics.night_clinic", part=1)
    order = wf.dispatch(OPS, order.id, "estates.stewards")  # the only waiting part
    order = wf.accept(STEWARDS, order.id)
    assert order.state == "accepted"
    per_part = [(d.part, d.resource, d.outcome) for d in wf.dispatches(order.id)]
    assert per_part == [
        (1, "medics.first_aid", "accepted"),
        (2, "estates.responders", "declined"),
        (2, "estates.stewards", "accepted"),
    ]


def test_cancelling_a_joint_order_cancels_every_part(wf):
    order = joint(wf)
    wf.dispatch(OPS, order.id, "medics.first_aid", part=1)
    wf.accept(FIRST_AID, order.id)
    wf.dispatch(OPS, order.id, "estates.responders", part=2)
    order = wf.cancel(OPS, order.id, "estate renovation")
    assert order.state == "cancelled"
    assert [p.state for p in order.parts] == ["cancelled", "cancelled"]
    assert {d.outcome for d in wf.dispatches(order.id)} == {"cancelled"}
    with pytest.raises(IllegalTransition):
        wf.accept(RESPONDERS, order.id)
    assert wf.load() == {}


def test_joint_parts_take_only_their_departments_resources(wf):
    order = joint(wf)
    with pytest.raises(
        InvalidInput,
        match="part 1 is for department medics; resource estates.responders belongs to estates",
    ):
        wf.dispatch(OPS, order.id, "estates.responders", part=1)
    with pytest.raises(InvalidInput, match="part 2 needs a team; estates.hall is a venue"):
        wf.dispatch(OPS, order.id, "estates.hall", part=2)
    with pytest.raises(NotFound, match="has no part 3"):
        wf.dispatch(OPS, order.id, "estates.responders", part=3)


def test_no_dispatch_sends_a_resource_more_people_than_it_takes(wf):
    order = submit(wf, category="emergency_rescue", headcount=50, tags=[], audiences=[])
    with pytest.raises(
        InvalidInput, match=f"resource estates.hall takes 40 people; order {order.id} asks for 50"
    ):
        wf.dispatch(OPS, order.id, "estates.hall")
    assert count(wf, Dispatch.__table__, order_id=order.id) == 0
    assert wf.order(order.id).state == "submitted"
    assert wf.dispatch(OPS, order.id, "estates.responders").state == "dispatched"  # takes 60


def test_a_demand_needing_several_departments_is_a_joint_order(wf):
    order = submit(wf, departments=["water", "medics"])
    assert order.joint and [p.department for p in order.parts] == ["water", "medics"]
    single = submit(wf, departments=["water"])
    assert not single.joint and single.parts[0].department == "water"
    with pytest.raises(InvalidInput, match="belongs to medics"):
        wf.dispatch(OPS, single.id, "medics.first_aid")


# ---------------------------------------------------------------------- supply (供单)


def test_publish_withdraw_and_order_directly_from_supply(wf):
    with pytest.raises(PermissionDenied, match="publishes only its own department's resources"):
        wf.publish(
            WATER_DESK,
            name="pump_room",
            kind="venue",
            name_zh="泵房",
            place=TOWN,
            department="medics",
        )
    with pytest.raises(PermissionDenied, match="only dispatchers publish"):
        wf.publish(
            STATION, name="pump_room", kind="venue", name_zh="泵房", place=TOWN, department="water"
        )
    with pytest.raises(InvalidInput, match="categories: unknown category 'baking'"):
        wf.publish(
            WATER_DESK,
            name="pump_room",
            kind="venue",
            name_zh="泵房",
            place=TOWN,
            department="water",
            categories=["baking"],
        )
    res = wf.publish(
        WATER_DESK,
        name="pump_room",
        kind="venue",
        name_zh="胥江泵站开放日",
        place=TOWN,
        department="water",
        categories=["science"],
        capacity=25,
        months=[7, 8],
        serves=[TOWN],
        reach_km=5.0,
    )
    assert (res.key, res.source, res.serves, res.categories) == (
        "water.pump_room",
        "published",
        (TOWN,),
        ("core.science",),
    )
    with pytest.raises(InvalidInput, match="already published"):
        wf.publish(OPS, name="pump_room", kind="venue", name_zh="x", place=TOWN, department="water")
    assert "water.pump_room" in {r.key for r in wf.resources(department="water")}

    order = submit(wf, resource="water.pump_room", headcount=20)
    assert (order.state, order.parts[0].resource, order.version) == (
        "dispatched",
        "water.pump_room",
        2,
    )
    assert [(e.action, e.actor) for e in wf.timeline(order.id)] == [
        ("submit", STATION.id),
        ("dispatch", STATION.id),
    ]
    assert wf.dispatches(order.id)[0].method == "direct"
    with pytest.raises(InvalidInput, match="takes 25 people; the order asks for 30"):
        submit(wf, resource="water.pump_room")
    with pytest.raises(InvalidInput, match="serves 320505001; 320506001012 is outside"):
        submit(
            wf,
            OPS,
            resource="water.pump_room",
            site="320506001012",
            place="320506001012",
            headcount=5,
        )
    with pytest.raises(InvalidInput, match="runs in months 7, 8"):
        submit(wf, resource="water.pump_room", headcount=5, start=dt.date(2023, 9, 1))

    with pytest.raises(PermissionDenied, match="department medics"):
        wf.withdraw(MEDIC_DESK, "water.pump_room")
    assert wf.withdraw(WATER_DESK, "water.pump_room", "repairs").status == "withdrawn"
    with pytest.raises(NotFound, match="water.pump_room is withdrawn"):
        submit(wf, resource="water.pump_room", headcount=5)
    with pytest.raises(NotFound, match="is withdrawn"):
        wf.dispatch(OPS, submit(wf).id, "water.pump_room")
    with pytest.raises(InvalidInput, match="contributed by plugin 'water'"):
        wf.withdraw(OPS, "water.corps")
    again = wf.publish(
        WATER_DESK, name="pump_room", kind="venue", name_zh="泵站", place=TOWN, department="water"
    )
    assert again.status == "published" and again.serves == ()
    unit = wf.publish(OPS, name="bank_hall", kind="venue", name_zh="银行大厅", place=TOWN)
    assert unit.key == "unit.bank_hall" and unit.department is None


# ---------------------------------------------------------------------- overdue


def test_orders_waiting_too_long_are_flagged(wenming_database_url, clock):
    wf = make_workflow(
        wenming_database_url,
        PLUGINS,
        clock=clock,
        workflow={"dispatch_hours": 4, "accept_hours": 8},
    )
    try:
        waiting = submit(wf)
        answered = submit(wf)
        clock.advance(hours=3)
        assert wf.overdue() == []
        clock.advance(hours=2)
        assert [(o.id, o.overdue) for o in wf.overdue()] == [
            (answered.id, ("dispatch",)),
            (waiting.id, ("dispatch",)),
        ]
        wf.dispatch(OPS, waiting.id, "water.corps")
        wf.dispatch(OPS, answered.id, "water.water_journey")
        wf.accept(Actor("j", "team_leader", team="water.water_journey"), answered.id)
        assert wf.overdue() == []
        clock.advance(hours=9)
        flagged = wf.overdue()
        assert [(o.id, o.overdue) for o in flagged] == [(waiting.id, ("accept",))]
        assert wf.order(waiting.id).overdue == ("accept",)
        assert [o.id for o in wf.orders(overdue=True)] == [waiting.id]
        wf.decline(CORPS, waiting.id, "no one free")
        assert wf.overdue() == [], "the clock for re-dispatch starts at the decline"
    finally:
        wf.deployment.close()


def test_listing_filters(wf):
    a = submit(wf)
    b = joint(wf, INSTITUTE, site="320505001003", place="320505001003")
    c = submit(wf, RESIDENT, site=None, place="320506001012")
    wf.dispatch(OPS, a.id, "water.corps")
    assert [o.id for o in wf.orders()] == [c.id, b.id, a.id]
    assert [o.id for o in wf.orders(state="dispatched")] == [a.id]
    assert [o.id for o in wf.orders(area=TOWN)] == [b.id, a.id]
    assert [o.id for o in wf.orders(department="estates")] == [b.id]
    assert [o.id for o in wf.orders(resource="water.corps")] == [a.id]
    assert [o.id for o in wf.orders(requester="resident-1")] == [c.id]
    with pytest.raises(InvalidInput, match="state must be one of"):
        wf.orders(state="lost")


# ---------------------------------------------------------------------- hooks


class FloodDuty:
    @hookimpl
    def before_transition(transition):
        if transition.action == "submit" and transition.data["order"]["headcount"] == 99:
            return Veto("no orders of 99")
        if transition.action == "dispatch" and transition.data["resource"] == "water.corps":
            return Veto("the corps is on flood duty")
        return None


def test_a_veto_writes_nothing_and_names_the_plugin(wenming_database_url, clock):
    wf = make_workflow(wenming_database_url, [*PLUGINS, ("flood_duty", FloodDuty)], clock=clock)
    try:
        order = submit(wf)
        with pytest.raises(Vetoed) as vetoed:
            wf.dispatch(OPS, order.id, "water.corps")
        assert str(vetoed.value) == (
            f"plugin 'flood_duty' vetoed dispatch of order {order.id}: the corps is on flood duty"
        )
        assert wf.order(order.id).version == 1
        assert count(wf, Dispatch.__table__) == 0 and count(wf, OrderEvent.__table__) == 1
        assert wf.dispatch(OPS, order.id, "water.water_journey").state == "dispatched"
        with pytest.raises(Vetoed, match="vetoed submit of the new order: no orders of 99"):
            submit(wf, headcount=99)
        assert count(wf, Order.__table__) == 1
        assert count(wf, OrderEvent.__table__) == 2
    finally:
        wf.deployment.close()


class Observers:
    seen: ClassVar[list[tuple[str, int]]] = []


class BrokenObserver:
    @hookimpl
    def after_transition(transition):
        raise RuntimeError("smtp down")


class GoodObserver:
    @hookimpl
    def after_transition(transition):
        Observers.seen.append((transition.action, transition.order_id))


def test_a_raising_observer_is_logged_with_its_plugin_and_the_transition_stands(
    wenming_database_url, clock, caplog
):
    Observers.seen.clear()
    plugins = [*PLUGINS, ("broken_mail", BrokenObserver), ("audit", GoodObserver)]
    wf = make_workflow(wenming_database_url, plugins, clock=clock)
    try:
        with caplog.at_level(logging.ERROR, logger="wenming.orders"):
            order = submit(wf)
            order = wf.dispatch(OPS, order.id, "water.corps")
        assert order.state == "dispatched"
        assert Observers.seen == [("submit", order.id), ("dispatch", order.id)]
        messages = [r.getMessage() for r in caplog.records]
        assert any("plugin 'broken_mail' raised on dispatch" in m for m in messages)
        assert all(r.exc_info for r in caplog.records)
    finally:
        wf.deployment.close()


def test_the_event_log_is_append_only(wf):
    order = submit(wf)
    with wf.storage.engine.connect() as conn:
        for statement in (
            "UPDATE wm_order_event SET reason = 'edited'",
            "DELETE FROM wm_order_event",
        ):
            with pytest.raises(Exception, match="wm_order_event is append-only"):
                conn.execute(text(statement))
            conn.rollback()
    with wf.storage.session() as s:
        assert rebuild(s, order.id).state == "submitted"


def test_verify_reports_a_state_column_that_drifted(wf):
    order = submit(wf)
    wf.dispatch(OPS, order.id, "water.corps")
    with wf.storage.engine.begin() as conn:
        conn.execute(text("UPDATE wm_order SET state = 'accepted' WHERE id = :i"), {"i": order.id})
    (problem,) = verify(wf.storage)
    assert f"order {order.id}: stored state differs from its events" in problem
    assert "'stored': 'accepted', 'events': 'dispatched'" in problem


# ---------------------------------------------------------------------- matching


def test_ranked_dispatch_stores_the_engines_explanation(wf):
    order = submit(wf)
    top = wf.candidates(order.id, k=3)
    assert len(top) == 3 and top[0].score >= top[1].score >= top[2].score
    order = wf.dispatch(OPS, order.id)  # no resource: the top candidate
    (d,) = wf.dispatches(order.id)
    assert (d.resource, d.method, d.rank) == (top[0].key, "ranked", 1)
    assert d.explanation["breakdown"] == top[0].breakdown
    assert sum(d.explanation["breakdown"].values()) == pytest.approx(d.score)
    assert wf.timeline(order.id)[-1].data["method"] == "ranked"


def test_ranked_dispatch_leaves_out_declined_and_other_departments(wf):
    order = submit(wf)
    first = wf.dispatch(WATER_DESK, order.id).parts[0].resource
    assert first.startswith("water."), "a department dispatcher ranks its own resources only"
    leader = Actor("lead", "team_leader", team=first)
    wf.decline(leader, order.id, "busy")
    assert first not in [c.key for c in wf.candidates(order.id, k=50)]
    second = wf.dispatch(WATER_DESK, order.id).parts[0].resource
    assert second != first and second.startswith("water.")
    with pytest.raises(NotFound, match="cannot take number 50"):
        wf.dispatch(OPS, submit(wf).id, rank=50)


def test_reputation_and_load_feed_the_engine(wf):
    probe = submit(wf)

    def contribution(rule):
        return {c.key: c.breakdown.get(rule) for c in wf.candidates(probe.id, k=100)}["water.corps"]

    fair_before, rep_before = contribution("core.fairness"), contribution("core.reputation")
    order = delivered(wf, submit(wf).id)
    wf.evaluate(STATION, order.id, 1, "迟到了")
    busy = submit(wf)
    wf.dispatch(OPS, busy.id, "water.corps")
    assert contribution("core.reputation") < rep_before
    assert contribution("core.fairness") < fair_before


def test_batch_dispatch_assigns_many_orders(wf):
    orders = [submit(wf, headcount=10 + i) for i in range(3)]
    pair = joint(wf)
    result = wf.batch_dispatch(OPS, method="optimal")
    assert set(result.dispatched) == {f"{o.id}.1" for o in orders} | {
        f"{pair.id}.1",
        f"{pair.id}.2",
    }
    assert result.unassigned == {}
    assert result.dispatched[f"{pair.id}.1"].startswith("medics.")
    assert result.dispatched[f"{pair.id}.2"].startswith("estates.")
    for o in orders:
        (d,) = wf.dispatches(o.id)
        assert d.method == "batch" and d.score == d.explanation["score"]
    assert [d.method for d in wf.dispatches(pair.id)] == ["ranked", "ranked"]
    assert wf.batch_dispatch(OPS).dispatched == {}, "nothing is left waiting"
    assert wf.batch_dispatch(OPS, [orders[0].id]).unassigned == {
        str(orders[0].id): f"order {orders[0].id} is not waiting for dispatch"
    }


def test_joint_dispatch_takes_one_resource_per_department(wf):
    order = joint(wf)
    order = wf.dispatch_joint(OPS, order.id)
    assert order.state == "dispatched"
    assert order.part(1).resource.startswith("medics.") and order.part(2).resource.startswith(
        "estates."
    )
    first_estates = order.part(2).resource
    leader = Actor("l", "team_leader", team=first_estates)
    order = wf.decline(leader, order.id, "busy")
    order = wf.dispatch_joint(OPS, order.id)
    assert order.part(2).resource not in (None, first_estates)
    assert [d.part for d in wf.dispatches(order.id)] == [1, 2, 2], "only the declined part again"
    with pytest.raises(IllegalTransition, match="no joint parts waiting"):
        wf.dispatch_joint(OPS, order.id)


def test_workflow_limits_come_from_the_deployment_file(tmp_path):
    from wenming.deployment import read_config, render_config
    from wenming.errors import ConfigError

    path = tmp_path / "wenming.toml"
    path.write_text(render_config("Suzhou", "sqlite://"), encoding="utf-8")
    assert read_config(path).workflow.dispatch_hours == 24.0
    text = path.read_text(encoding="utf-8").replace("accept_hours = 48.0", "accept_hours = 6")
    path.write_text(text, encoding="utf-8")
    assert read_config(path).workflow.accept_hours == 6.0
    path.write_text(text.replace("dispatch_hours = 24.0", "dispatch_hours = 0"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"workflow: dispatch_hours must be a number above 0"):
        read_config(path)


def test_a_published_reach_is_the_engines_service_reach(wf):
    for name, reach in (("near_pump", None), ("tiny_pump", 0.1)):
        wf.publish(
            WATER_DESK,
            name=name,
            kind="venue",
            name_zh="泵站",
            place="320505001003",  # the next community, under a kilometre from the order
            department="water",
            categories=["science"],
            reach_km=reach,
        )
    assert wf.resource("water.tiny_pump").reach_km == 0.1
    order = submit(wf)
    ranked = [c.key for c in wf.candidates(order.id, k=100)]
    assert "water.near_pump" in ranked and "water.tiny_pump" not in ranked


def test_a_department_dispatchers_batch_stays_in_its_department(wf):
    orders = [submit(wf, audiences=["elderly"], tags=[]) for _ in range(2)]
    pair = joint(wf)
    result = wf.batch_dispatch(WATER_DESK)
    assert set(result.dispatched) == {f"{o.id}.1" for o in orders}
    assert all(key.startswith("water.") for key in result.dispatched.values())
    assert wf.order(pair.id).state == "submitted", "the medics and estates parts are not water's"
