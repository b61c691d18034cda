"""The people side on SQLite and PostgreSQL: registry and privacy, sign-in to
confirmed hours, corrections, star levels and their counts, ladders, hooks."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import ClassVar

import pytest
from sqlalchemy import func, select, text

import wenming_water
from wenming import hookimpl
from wenming.orders import Actor, IllegalTransition, InvalidInput, NotFound, PermissionDenied
from wenming.orders.testing import Clock, make_workflow
from wenming.people import ids
from wenming.people.importer import ImportRejected
from wenming.people.service import People
from wenming.people.tables import PeopleEvent, ServiceRecord, StarCount, Volunteer
from wenming.people.testing import add_stations

VILLAGE = "320505001002"
OTHER_VILLAGE = "320582100001"  # a Zhangjiagang village code
OPS = Actor("ops", "city_dispatcher")
STATION = Actor("station-001002", "station_operator", area=VILLAGE)
CORPS = Actor("corps-lead", "team_leader", team="water.corps")
OTHER_LEAD = Actor("other-lead", "team_leader", team="water.other")
DPO = Actor("dpo", "data_protection_officer")
DAY = dt.date(2023, 7, 10)


def idn(born: dt.date = dt.date(1990, 1, 1), seq: int = 123, prefix: str = "320505") -> str:
    return ids.make(prefix, born, seq)


def me(vid: int) -> Actor:
    return Actor(str(vid), "volunteer")


class Observer:
    """Collects what the people observers are told."""

    confirmed: ClassVar[list] = []
    levels: ClassVar[list] = []

    @hookimpl
    def after_hours_confirmed(confirmation):
        Observer.confirmed.append(confirmation)

    @hookimpl
    def after_level_changed(change):
        Observer.levels.append(change)


@pytest.fixture
def clock():
    return Clock(dt.datetime(2023, 7, 10, 1, 0, tzinfo=dt.UTC))


@pytest.fixture
def people(wenming_database_url, clock):
    Observer.confirmed, Observer.levels = [], []
    wf = make_workflow(
        wenming_database_url, [("water", wenming_water), ("observer", Observer)], clock=clock
    )
    add_stations(wf.deployment, [VILLAGE, OTHER_VILLAGE])
    yield People(wf.deployment, clock=clock, workflow=wf)
    wf.deployment.close()


def register(people, name="张敏", seq=123, teams=("water.corps",), **kw):
    values = {
        "name": name,
        "id_number": idn(seq=seq),
        "station": VILLAGE,
        "phone": "13812345678",
        "teams": list(teams),
    }
    values.update(kw)
    return people.register(OPS, **values)


def in_service(people, headcount=5):
    wf = people.workflow
    order = wf.submit(
        STATION, category="science", place=VILLAGE, site=VILLAGE, start=DAY, headcount=headcount
    )
    wf.dispatch(OPS, order.id, "water.corps")
    wf.accept(CORPS, order.id)
    return order.id


def count(people, table, **where):
    with people.storage.engine.connect() as conn:
        stmt = select(func.count()).select_from(table.__table__)
        for column, value in where.items():
            stmt = stmt.where(getattr(table.__table__.c, column) == value)
        return conn.execute(stmt).scalar()


# ---------------------------------------------------------------------- registry, privacy


def test_registration_stores_the_id_encrypted_and_shows_it_masked(people):
    v = register(people)
    assert v.masked and v.id_number == "3205**********" + idn()[-4:]
    assert v.phone == "138****5678" and v.birth_date is None and v.age is None
    assert v.county == "320505" and v.department == "water" and v.teams == ("water.corps",)
    with people.storage.engine.connect() as conn:
        row = conn.execute(select(Volunteer.__table__)).one()
    assert idn().encode() not in bytes(row.id_cipher) and b"13812345678" not in bytes(
        row.phone_cipher
    )
    assert row.id_hash == people.vault.id_hash(idn()) and len(row.id_hash) == 32
    assert people.find(OPS, idn()).id == v.id


def test_unmasked_reads_follow_the_rules_and_refusals_name_them(people):
    v = register(people)
    own = people.volunteer(me(v.id), v.id, unmasked=True)
    assert (own.id_number, own.phone, own.age) == (idn(), "13812345678", 33)
    assert people.volunteer(CORPS, v.id, unmasked=True).id_number == idn()
    assert people.volunteer(DPO, v.id, unmasked=True).phone == "13812345678"
    with pytest.raises(PermissionDenied, match="only of its own team's members"):
        people.volunteer(OTHER_LEAD, v.id, unmasked=True)
    with pytest.raises(PermissionDenied, match="data-protection officer"):
        people.volunteer(OPS, v.id, unmasked=True)
    with pytest.raises(PermissionDenied, match="reads no volunteer's entry but its own"):
        people.volunteer(me(v.id + 1), v.id, unmasked=True)
    with pytest.raises(PermissionDenied, match="role requester may not look up volunteers"):
        people.find(Actor("resident", "requester"), idn())
    with pytest.raises(PermissionDenied, match="role volunteer may not read volunteers"):
        people.volunteers(me(v.id))
    # the team leader's and the officer's looks are on record, the volunteer's own is not
    assert count(people, PeopleEvent, kind="disclosure") == 2


def test_minors_need_consent_under_14_and_are_flagged_under_18(people):
    child = idn(dt.date(2012, 5, 1), seq=7)
    with pytest.raises(ImportRejected, match="row 1, guardian_consent: the volunteer is under 14"):
        people.register(OPS, name="小明", id_number=child, station=VILLAGE)
    assert count(people, Volunteer) == 0
    kid = people.register(
        OPS, name="小明", id_number=child, station=VILLAGE, guardian_consent=dt.date(2023, 6, 1)
    )
    teen = people.register(
        OPS, name="小红", id_number=idn(dt.date(2008, 5, 1), seq=8), station=VILLAGE
    )
    assert kid.minor and teen.minor and kid.guardian_consent == dt.date(2023, 6, 1)
    assert not register(people).minor


def test_registration_refuses_bad_ids_duplicates_and_strangers(people):
    bad = idn()[:-1] + ("0" if idn()[-1] != "0" else "1")
    with pytest.raises(ImportRejected, match="id_number: check character is"):
        people.register(OPS, name="甲", id_number=bad, station=VILLAGE)
    with pytest.raises(ImportRejected, match="id_number: birth date 19901301 is not a date"):
        no_date = "32050519901301001"
        people.register(
            OPS, name="甲", id_number=no_date + ids.check_character(no_date), station=VILLAGE
        )
    register(people)
    with pytest.raises(ImportRejected, match="id_number: already registered"):
        register(people, name="另一个人")
    with pytest.raises(ImportRejected, match="station: no station '320505999999'"):
        register(people, seq=9, station="320505999999")
    with pytest.raises(PermissionDenied, match="registers volunteers only of its own area"):
        people.register(
            Actor("far", "station_operator", area="320506"),
            name="乙",
            id_number=idn(seq=5),
            station=VILLAGE,
        )
    assert count(people, Volunteer) == 1


def test_export_is_the_persons_own_and_delete_anonymises_keeping_aggregates(people):
    v = register(people, certifications={"first_aid": dt.date(2025, 1, 1)})
    with pytest.raises(
        PermissionDenied, match="only the volunteer themself or the data-protection"
    ):
        people.export(CORPS, v.id)
    data = json.loads(people.export(me(v.id), v.id))
    assert data["basic"]["id_number"] == idn() and data["title"] == "志愿服务记录"
    assert set(data) >= {"basic", "service", "training", "awards", "evaluation"}
    csv_text = people.export(DPO, v.id, "csv")
    assert csv_text.startswith("class,field,value") and "basic,id_number," + idn() in csv_text
    before = people.stars()
    gone = people.anonymise(me(v.id), v.id, "moved away")
    assert gone.status == "anonymised" and gone.name == "（已注销）" and gone.id_number == ""
    assert gone.teams == () and gone.credentials == () and gone.station == VILLAGE
    assert people.stars() == before
    with pytest.raises(NotFound):
        people.find(OPS, idn())
    with people.storage.engine.connect() as conn:
        row = conn.execute(select(Volunteer.__table__)).one()
    assert row.id_cipher is None and row.phone_cipher is None and row.birth_date is None


def test_the_event_log_is_append_only(people):
    register(people)
    people.award(OPS, 1, "优秀志愿者")
    with people.storage.engine.connect() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("UPDATE wm_people_event SET reason = 'x'"))
    with people.storage.engine.connect() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("DELETE FROM wm_people_event"))


# ---------------------------------------------------------------------- service records


def test_sign_in_sign_out_confirm_rounds_and_counts(people, clock):
    a = register(people)
    b = register(people, name="李强", seq=124)
    order_id = in_service(people)
    start = clock()
    rec = people.sign_in(me(a.id), a.id, order_id, position=(120.6, 31.3))
    assert rec.status == "signed_in" and rec.station == VILLAGE and rec.team == "water.corps"
    people.sign_in(CORPS, b.id, order_id, at=start)
    people.workflow.start(CORPS, order_id)
    out = people.sign_out(me(a.id), a.id, order_id, at=start + dt.timedelta(hours=2, minutes=20))
    assert (out.minutes, out.hours) == (140, 2.5)
    people.sign_out(CORPS, b.id, order_id, at=start + dt.timedelta(minutes=50))
    done = people.confirm(CORPS, order_id)
    assert [(r.volunteer_id, r.confirmed_hours) for r in done] == [(a.id, 2.5), (b.id, 1.0)]
    assert people.volunteer(OPS, a.id).service_hours == 2.5
    assert [(c.volunteer_id, c.hours, c.team, c.department) for c in Observer.confirmed] == [
        (a.id, 2.5, "water.corps", "water"),
        (b.id, 1.0, "water.corps", "water"),
    ]
    with people.storage.engine.connect() as conn:
        ev = conn.execute(
            select(PeopleEvent.__table__).where(PeopleEvent.__table__.c.kind == "confirm")
        ).all()
    assert {
        (e.order_id, e.part_seq, e.team, e.department, e.station_code, e.hours) for e in ev
    } == {
        (order_id, 1, "water.corps", "water", VILLAGE, 2.5),
        (order_id, 1, "water.corps", "water", VILLAGE, 1.0),
    }
    with pytest.raises(IllegalTransition, match="nothing to confirm"):
        people.confirm(CORPS, order_id)
    assert people.verify() == []


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [(0, 0.0), (15, 0.0), (16, 0.5), (45, 0.5), (46, 1.0), (60, 1.0), (61, 1.0)],
)
def test_the_default_rounding_rule(people, minutes, hours):
    assert people.hours_for(minutes) == hours


def test_signing_refuses_wrong_people_states_and_teams(people, clock):
    a = register(people)
    stranger = register(people, name="王五", seq=125, teams=())
    wf = people.workflow
    order = wf.submit(STATION, category="science", place=VILLAGE, site=VILLAGE, start=DAY)
    with pytest.raises(IllegalTransition, match="part 1 is pending"):
        people.sign_in(me(a.id), a.id, order.id)
    wf.dispatch(OPS, order.id, "water.corps")
    wf.accept(CORPS, order.id)
    with pytest.raises(PermissionDenied, match="or the leader of the part's team"):
        people.sign_in(me(stranger.id + 5), a.id, order.id)
    with pytest.raises(IllegalTransition, match="not a member of water.corps"):
        people.sign_in(me(stranger.id), stranger.id, order.id)
    people.sign_in(me(a.id), a.id, order.id)
    with pytest.raises(IllegalTransition, match="already signed in"):
        people.sign_in(CORPS, a.id, order.id)
    with pytest.raises(InvalidInput, match="before the sign-in"):
        people.sign_out(me(a.id), a.id, order.id, at=clock() - dt.timedelta(minutes=5))
    with pytest.raises(PermissionDenied, match="hours are confirmed by the leader"):
        people.confirm(OTHER_LEAD, order.id)
    with pytest.raises(IllegalTransition, match="is accepted: hours are confirmed once service"):
        people.confirm(CORPS, order.id)


def test_a_correction_is_a_new_event_and_moves_the_total(people, clock):
    a = register(people)
    order_id = in_service(people)
    people.sign_in(me(a.id), a.id, order_id)
    people.workflow.start(CORPS, order_id)
    people.sign_out(me(a.id), a.id, order_id, at=clock() + dt.timedelta(hours=3))
    people.confirm(CORPS, order_id)
    with pytest.raises(InvalidInput, match="needs a reason"):
        people.correct(CORPS, a.id, order_id, 2, "")
    rec = people.correct(CORPS, a.id, order_id, 2, "left early")
    assert rec.confirmed_hours == 2 and people.volunteer(OPS, a.id).service_hours == 2
    with people.storage.engine.connect() as conn:
        kinds = conn.execute(
            select(PeopleEvent.__table__.c.kind, PeopleEvent.__table__.c.hours).where(
                PeopleEvent.__table__.c.kind.in_(("confirm", "correct"))
            )
        ).all()
    assert sorted(kinds) == [("confirm", 3.0), ("correct", -1.0)]
    assert Observer.confirmed[-1].correction and people.verify() == []


def test_a_cancelled_part_has_nothing_to_confirm(people, clock):
    a = register(people)
    order_id = in_service(people)
    people.sign_in(me(a.id), a.id, order_id)
    people.workflow.cancel(STATION, order_id, "rain")
    with pytest.raises(IllegalTransition, match="cancelled: nothing to sign out of"):
        people.sign_out(me(a.id), a.id, order_id, at=clock() + dt.timedelta(hours=1))


# ---------------------------------------------------------------------- star levels


def _serve(people, clock, vid, hours):
    order_id = in_service(people)
    people.sign_in(CORPS, vid, order_id, at=clock())
    people.workflow.start(CORPS, order_id)
    people.sign_out(CORPS, vid, order_id, at=clock() + dt.timedelta(hours=hours))
    people.confirm(CORPS, order_id)


def test_crossing_a_threshold_moves_the_level_and_the_counts(people, clock):
    rows = [
        {
            "name": "甲",
            "id_number": idn(seq=1),
            "station": VILLAGE,
            "teams": "water.corps",
            "service_hours": "98",
        },
        {"name": "乙", "id_number": idn(seq=2), "station": OTHER_VILLAGE, "service_hours": "350"},
        {"name": "丙", "id_number": idn(seq=3), "station": VILLAGE},
    ]
    people.import_rows(OPS, rows)
    dist = people.stars()
    assert dist.by_level == {0: 2, 2: 1} and dist.by_county == {"320505": {0: 2}, "320582": {2: 1}}
    assert dist.by_department == {"water": {0: 1}, "": {0: 1, 2: 1}}
    _serve(people, clock, 1, 3)
    v = people.volunteer(OPS, 1)
    assert (v.service_hours, v.star_level) == (101.0, 1)
    assert [(c.volunteer_id, c.before, c.after) for c in Observer.levels] == [(1, 0, 1)]
    dist = people.stars()
    assert dist.by_level == {0: 1, 1: 1, 2: 1} and dist.by_department["water"] == {1: 1}
    assert people.recount() is False  # the maintained counts equal a recount


def test_changing_the_ladder_recomputes_everyone(wenming_database_url, clock):
    from wenming.people.testing import make_people

    first = make_people(wenming_database_url, stations=[VILLAGE], clock=clock)
    first.import_rows(
        OPS,
        [
            {"name": n, "id_number": idn(seq=i), "station": VILLAGE, "service_hours": h}
            for i, (n, h) in enumerate([("甲", "40"), ("乙", "250"), ("丙", "10")])
        ],
    )
    assert first.stars().by_level == {0: 2, 1: 1}
    url = first.deployment.database_url
    first.deployment.close()
    from wenming.people.testing import make_deployment

    again = People(make_deployment(database_url=url, people={"star_ladder": "core.zhangjiagang"}))
    dist = again.stars()
    assert dist.ladder == "core.zhangjiagang" and dist.by_level == {0: 1, 1: 1, 4: 1}
    assert again.volunteer(OPS, 2).star_level == 4
    again.deployment.close()


def test_plugin_and_deployment_ladders(clock):
    from wenming.errors import ConfigError, PluginError
    from wenming.people.records import StarLadder
    from wenming.people.testing import make_deployment

    class Kunshan:
        @hookimpl
        def register_star_ladders(register):
            register(
                StarLadder(
                    name="local",
                    name_zh="昆山",
                    jurisdiction="320583",
                    version="2024",
                    thresholds=[5, 10],
                )
            )

    people = People(
        make_deployment([("kunshan", Kunshan)], people={"star_ladder": "kunshan.local"})
    )
    assert people.ladder.level(7) == 1 and people.ladder_name == "kunshan.local"
    own = {
        "star_ladder": "deployment.ours",
        "ladders": [
            {
                "name": "ours",
                "name_zh": "本地",
                "jurisdiction": "3205",
                "version": "1",
                "thresholds": [1, 2, 3],
            }
        ],
    }
    assert People(make_deployment(people=own)).ladder.thresholds == (1.0, 2.0, 3.0)
    with pytest.raises(ConfigError, match="no ladder 'core.nowhere'"):
        People(make_deployment(people={"star_ladder": "core.nowhere"}))
    bad = {
        "ladders": [
            {
                "name": "x",
                "name_zh": "x",
                "jurisdiction": "1",
                "version": "1",
                "thresholds": [10, 5],
            }
        ]
    }
    with pytest.raises(ConfigError, match="strictly increasing"):
        People(make_deployment(people=bad))

    class Broken:
        @hookimpl
        def register_star_ladders(register):
            register("fifty hours")

    with pytest.raises(PluginError, match="broken"):
        People(make_deployment([("broken", Broken)]))


def test_an_observer_that_raises_is_logged_and_the_hours_stand(wenming_database_url, clock, caplog):
    class Boom:
        @hookimpl
        def after_hours_confirmed(confirmation):
            raise RuntimeError("mail server down")

    wf = make_workflow(
        wenming_database_url, [("water", wenming_water), ("boom", Boom)], clock=clock
    )
    add_stations(wf.deployment, [VILLAGE])
    people = People(wf.deployment, clock=clock, workflow=wf)
    a = register(people)
    with caplog.at_level(logging.ERROR, logger="wenming.people"):
        _serve(people, clock, a.id, 2)
    assert "plugin 'boom'" in caplog.text and people.volunteer(OPS, a.id).service_hours == 2
    assert idn() not in caplog.text
    wf.deployment.close()


def test_star_counts_table_is_keyed_by_level_county_department(people):
    register(people)
    assert count(people, StarCount) == 1 and count(people, ServiceRecord) == 0


def test_the_record_has_five_classes_and_plugin_classes(wenming_database_url, clock):
    from wenming.people.records import RecordClass

    class Blood:
        @hookimpl
        def register_record_classes(register):
            register(RecordClass(name="donation", name_zh="无偿献血", name_en="Blood donation"))

    wf = make_workflow(
        wenming_database_url, [("water", wenming_water), ("blood", Blood)], clock=clock
    )
    add_stations(wf.deployment, [VILLAGE])
    people = People(wf.deployment, clock=clock, workflow=wf)
    a = register(people)
    _serve(people, clock, a.id, 2)
    order_id = people.service_records(volunteer_id=a.id)[0].order_id
    people.award(STATION, a.id, "优秀志愿者", reason="2023 年度")
    with pytest.raises(PermissionDenied, match="awards are recorded by"):
        people.award(CORPS, a.id, "自己评的")
    people.evaluate_volunteer(CORPS, a.id, order_id, 5, "认真负责")
    with pytest.raises(PermissionDenied, match="hours are confirmed by the leader"):
        people.evaluate_volunteer(OTHER_LEAD, a.id, order_id, 4)
    people.add_record(OPS, a.id, "blood.donation", {"ml": 400})
    with pytest.raises(InvalidInput, match="no record class 'blood.plasma'"):
        people.add_record(OPS, a.id, "blood.plasma", {})
    record = people.record(OPS, a.id)
    assert record["basic"]["id_number"].startswith("3205*") and record["kind"] == "record"
    assert (
        record["service"]["hours"] == 2 and record["service"]["records"][0]["status"] == "confirmed"
    )
    assert [x["title"] for x in record["awards"]] == ["优秀志愿者"]
    assert record["evaluation"][0]["rating"] == 5
    assert record["extra"]["blood.donation"][0]["ml"] == 400
    wf.deployment.close()


def test_a_designated_issuer_issues_certificates(clock):
    from wenming.people.testing import make_people

    people = make_people(stations=[VILLAGE], people={"designated_issuer": True}, clock=clock)
    a = register(people, teams=())
    assert people.record(me(a.id), a.id)["title"] == "志愿服务证明"


def test_racing_confirmations_add_up(people, clock):
    """Two leaders' confirmations for one volunteer, from two engines at once."""
    import threading

    from wenming.people.testing import make_deployment

    people.import_rows(
        OPS,
        [
            {
                "name": "甲",
                "id_number": idn(),
                "station": VILLAGE,
                "teams": "water.corps",
                "service_hours": "90",
            }
        ],
    )
    a = people.find(OPS, idn())
    orders = []
    for hours in (6, 4):
        oid = in_service(people)
        people.sign_in(CORPS, a.id, oid, at=clock())
        people.workflow.start(CORPS, oid)
        people.sign_out(CORPS, a.id, oid, at=clock() + dt.timedelta(hours=hours))
        orders.append(oid)
    # a second, independent service over the same database
    other = People(
        make_deployment([("water", wenming_water)], database_url=people.deployment.database_url),
        clock=clock,
    )
    errors = []

    def go(service, oid):
        try:
            service.confirm(CORPS, oid)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=go, args=(people, orders[0])),
        threading.Thread(target=go, args=(other, orders[1])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    v = people.volunteer(OPS, a.id)
    assert (v.service_hours, v.star_level) == (100.0, 1)
    assert people.verify() == [] and people.recount() is False
    other.deployment.close()
