"""Rankings of people (PIPL art. 55): opt-in by the volunteer, masked names, no minors,
scoped publishers, every publication recorded. Both backends."""

from __future__ import annotations

import datetime as dt

import pytest

import wenming_water
from wenming.orders import Actor
from wenming.orders.errors import PermissionDenied
from wenming.orders.testing import Clock, make_workflow
from wenming.people import ids
from wenming.people.service import People
from wenming.people.testing import add_stations
from wenming.reports.ranking import Ranking, mask_name

VILLAGE = "320505001002"
OPS = Actor("ops", "city_dispatcher")
STATION = Actor("station", "station_operator", area=VILLAGE)
CORPS = Actor("corps-lead", "team_leader", team="water.corps")


@pytest.fixture
def world(wenming_database_url):
    clock = Clock(dt.datetime(2027, 6, 1, 1, 0, tzinfo=dt.UTC))
    wf = make_workflow(wenming_database_url, [("water", wenming_water)], clock=clock)
    add_stations(wf.deployment, [VILLAGE])
    people = People(wf.deployment, clock=clock, workflow=wf)
    yield people, Ranking(wf.deployment, clock=clock)
    wf.deployment.close()


def volunteer(people, name, born, seq, **kw):
    return people.register(
        OPS,
        name=name,
        id_number=ids.make("320505", born, seq),
        station=VILLAGE,
        teams=["water.corps"],
        **kw,
    ).id


def serve(people, hours):
    wf = people.workflow
    order = wf.submit(STATION, category="science", place=VILLAGE, start=wf.clock().date())
    wf.dispatch(OPS, order.id, "water.corps")
    wf.accept(CORPS, order.id)
    start = wf.clock()
    for vid in hours:
        people.sign_in(CORPS, vid, order.id, at=start)
    wf.start(CORPS, order.id)
    for vid, h in hours.items():
        people.sign_out(CORPS, vid, order.id, at=start + dt.timedelta(hours=h))
    people.confirm(CORPS, order.id)


def test_only_opted_in_adults_appear_masked_and_the_publication_is_recorded(world):
    people, ranking = world
    a = volunteer(people, "张敏", dt.date(1990, 1, 1), 11)
    b = volunteer(people, "欧阳明月", dt.date(1985, 3, 3), 12)
    c = volunteer(people, "李强", dt.date(1992, 2, 2), 13)  # does not opt in
    kid = volunteer(people, "王小", dt.date(2012, 5, 5), 14, guardian_consent=dt.date(2027, 1, 1))
    serve(people, {a: 3, b: 5, c: 8, kid: 2})
    for vid in (a, b, kid):
        ranking.consent(Actor(str(vid), "volunteer"), vid)
    with pytest.raises(PermissionDenied, match="volunteer themself"):
        ranking.consent(OPS, c)
    result = ranking.publish(OPS, period="2027-06")
    assert [(r["name"], r["hours"]) for r in result["rows"]] == [("欧***", 5.0), ("张*", 3.0)]
    ranking.consent(Actor(str(b), "volunteer"), b, given=False)
    assert [r["name"] for r in ranking.publish(OPS, period="2027")["rows"]] == ["张*"]
    assert ranking.publish(OPS, period="2027-05")["rows"] == []
    log = ranking.published()
    assert [(p["actor"], p["period"], p["entries"]) for p in log] == [
        ("ops", "2027-06", 2),
        ("ops", "2027", 1),
        ("ops", "2027-05", 0),
    ]


def test_publishers_are_scoped(world):
    _, ranking = world
    with pytest.raises(PermissionDenied, match="only the city center"):
        ranking.publish(Actor("r", "requester"))
    with pytest.raises(PermissionDenied, match="own area"):
        ranking.publish(STATION, within="320506")
    assert ranking.publish(STATION, within=VILLAGE)["scope"] == f"area {VILLAGE}"
    with pytest.raises(PermissionDenied, match="own team"):
        ranking.publish(CORPS)
    assert ranking.publish(CORPS, team="water.corps")["rows"] == []


def test_masking():
    assert (mask_name("张敏"), mask_name("欧阳明月"), mask_name("李")) == ("张*", "欧***", "李*")
