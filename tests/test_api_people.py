"""The people side over HTTP: masking (the clear ID number never in a response a role
may not see), refusals naming the role and the rule, sign-in → sign-out → confirm →
hours → star counts, corrections, idempotent registration, import, export, deletion,
guides and courses."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import wenming_water
from wenming.api.testing import ApiHarness, ok, problem, refused
from wenming.orders import Actor
from wenming.orders.testing import Clock, make_workflow
from wenming.people import ids
from wenming.people.testing import add_stations

VILLAGE = "320505001002"
TOWN = "320505001"
OPS = Actor("ops", "city_dispatcher")
STATION = Actor("huqiu", "station_operator", area=TOWN)
CORPS = Actor("corps-lead", "team_leader", team="water.corps")


def idn(seq: int, born: dt.date = dt.date(1990, 1, 1)) -> str:
    return ids.make("320505", born, seq)


@pytest.fixture
def api():
    clock = Clock(dt.datetime(2023, 7, 10, 1, 0, tzinfo=dt.UTC))
    wf = make_workflow("sqlite://", [("water", wenming_water)], clock=clock)
    add_stations(wf.deployment, [VILLAGE])
    h = ApiHarness(wf.deployment, clock=clock)
    h.clock = clock
    h.ops = h.user("ops", "city_dispatcher")
    h.station = h.user("huqiu", "station_operator", area=TOWN)
    h.corps = h.user("corps-lead", "team_leader", team="water.corps")
    h.other = h.user("other-lead", "team_leader", team="water.other")
    h.desk = h.user("water-desk", "department_dispatcher", department="water")
    h.dpo = h.user("dpo", "data_protection_officer")
    h.resident = h.user("resident", "requester")
    yield h
    wf.deployment.close()


def register(api, seq: int, headers=None, **kw):
    values = {
        "name": "张敏华",
        "id_number": idn(seq),
        "station": VILLAGE,
        "phone": "13812345678",
        "teams": ["water.corps"],
        **kw,
    }
    return ok(api.client.post("/volunteers", json=values, headers=headers or api.ops), 201)


def as_volunteer(api, vid: int) -> dict[str, str]:
    """A volunteer signs in as a user whose username is their number."""
    return api.user(str(vid), "volunteer")


def accepted_order(api) -> int:
    wf = api.workflow
    oid = wf.submit(
        STATION, place=VILLAGE, site=VILLAGE, start=dt.date(2023, 7, 12), category="science"
    ).id
    wf.dispatch(OPS, oid, "water.corps")
    wf.accept(CORPS, oid)
    return oid


# ---------------------------------------------------------------------- masking


def test_reads_are_masked_and_the_clear_id_number_never_leaks(api):
    number = idn(7)
    v = register(api, 7)
    assert v["masked"] and v["id_number"] != number and v["phone"] == "138****5678"
    assert v["id_number"].startswith("3205") and v["id_number"].endswith(number[-4:])
    for headers in (api.ops, api.station, api.desk, api.other):
        for url in (
            "/volunteers",
            f"/volunteers/{v['id']}",
            f"/volunteers/{v['id']}/record",
        ):
            response = api.client.get(url, headers=headers)
            assert response.status_code == 200, response.text
            assert number not in response.text and "13812345678" not in response.text
        found = ok(
            api.client.post("/volunteers/lookup", json={"id_number": number}, headers=headers)
        )
        assert found["id"] == v["id"] and found["masked"]
        assert number not in json.dumps(found)
    # a resident organises no service: no list, no entry, no look-up by ID number
    for response in (
        api.client.get("/volunteers", headers=api.resident),
        api.client.get(f"/volunteers/{v['id']}", headers=api.resident),
        api.client.post("/volunteers/lookup", json={"id_number": number}, headers=api.resident),
    ):
        refused(response, "requester", "reads no volunteer's entry but its own")
        assert number not in response.text
    listed = ok(api.client.get("/volunteers?station=320505", headers=api.ops))
    assert [x["id"] for x in listed["items"]] == [v["id"]] and listed["next_offset"] is None


def test_unmasked_reads_follow_the_rules_and_name_them(api):
    number = idn(8)
    vid = register(api, 8)["id"]
    rule = "unmasked personal data is shown only to the volunteer themself"
    for headers, role in (
        (api.ops, "city_dispatcher"),
        (api.station, "station_operator"),
    ):
        response = api.client.get(f"/volunteers/{vid}?unmasked=true", headers=headers)
        body = refused(response, role, rule)
        assert number not in response.text and body["action"] == "read unmasked"
    other = api.client.get(f"/volunteers/{vid}?unmasked=true", headers=api.other)
    refused(other, "team_leader", "a team leader sees unmasked data only of its own team")
    looked = api.client.post(
        "/volunteers/lookup", json={"id_number": number, "unmasked": True}, headers=api.ops
    )
    assert number not in refused(looked, "city_dispatcher", rule)["detail"]
    for headers in (api.corps, api.dpo):
        response = api.client.get(f"/volunteers/{vid}?unmasked=true", headers=headers)
        clear = ok(response)
        assert clear["id_number"] == number and clear["phone"] == "13812345678"
        assert not clear["masked"] and clear["birth_date"] == "1990-01-01"
        assert response.headers["cache-control"] == "no-store"


# ---------------------------------------------------------------------- registration


def test_registration_is_checked_field_by_field_and_refused_by_role(api):
    bad = idn(9)[:-1] + ("0" if idn(9)[-1] != "0" else "1")
    body = problem(
        api.client.post(
            "/volunteers",
            json={"name": "李强", "id_number": bad, "station": VILLAGE},
            headers=api.ops,
        ),
        422,
    )
    assert body["detail"].startswith("id_number: check character")
    assert bad not in body["detail"]
    body = problem(
        api.client.post(
            "/volunteers",
            json={"name": "李强", "id_number": idn(9), "station": VILLAGE, "phone": "12"},
            headers=api.ops,
        ),
        422,
    )
    assert body["detail"].startswith("phone:")
    body = problem(
        api.client.post(
            "/volunteers",
            json={"name": "李强", "id_number": idn(9), "station": "320505999999"},
            headers=api.ops,
        ),
        422,
    )
    assert body["detail"].startswith("station:")
    response = api.client.post(
        "/volunteers",
        json={"name": "李强", "id_number": idn(9), "station": VILLAGE},
        headers=api.resident,
    )
    refused(response, "requester", "volunteers are registered by stations, team leaders")
    response = api.client.post(
        "/volunteers",
        json={"name": "李强", "id_number": idn(9), "station": VILLAGE, "teams": ["water.corps"]},
        headers=api.other,
    )
    refused(response, "team_leader", "into its own team water.other")
    assert ok(api.client.get("/volunteers", headers=api.ops))["items"] == []  # nothing written
    register(api, 9, headers=api.corps)
    again = api.client.post(
        "/volunteers",
        json={"name": "李强", "id_number": idn(9), "station": VILLAGE},
        headers=api.ops,
    )
    assert problem(again, 422)["detail"] == "id_number: already registered"


def test_registration_with_an_idempotency_key_returns_the_first_volunteer(api):
    values = {"name": "王芳", "id_number": idn(11), "station": VILLAGE}
    key = {"Idempotency-Key": "desk-2023-0042"}
    first = ok(api.client.post("/volunteers", json=values, headers={**api.ops, **key}), 201)
    again = ok(api.client.post("/volunteers", json=values, headers={**api.ops, **key}), 201)
    assert again["id"] == first["id"]
    other = api.client.post(
        "/volunteers", json={**values, "id_number": idn(12)}, headers={**api.ops, **key}
    )
    assert "was used for volunteer" in problem(other, 422)["detail"]
    assert len(ok(api.client.get("/volunteers", headers=api.ops))["items"]) == 1


def test_import_rows_all_or_nothing(api):
    rows = [
        {"name": "甲", "id_number": idn(21), "station": VILLAGE, "teams": "water.corps"},
        {"name": "乙", "id_number": idn(22), "station": VILLAGE},
        {"name": "丙", "id_number": idn(21), "station": VILLAGE},
    ]
    body = problem(api.client.post("/volunteers/import", json={"rows": rows}, headers=api.ops), 422)
    assert "row 4, id_number: duplicate of row 2" in body["detail"]
    assert body["problems"] == ["row 4, id_number: duplicate of row 2"]
    assert ok(api.client.get("/volunteers", headers=api.ops))["items"] == []
    refused(
        api.client.post("/volunteers/import", json={"rows": rows[:2]}, headers=api.station),
        "station_operator",
        "only the city center or the data-protection officer imports volunteers",
    )
    report = ok(
        api.client.post("/volunteers/import", json={"rows": rows[:2]}, headers=api.dpo), 201
    )
    assert report["volunteers"] == 2 and report["memberships"] == 1
    assert ok(api.client.get("/volunteers/stars", headers=api.resident))["total"] == 2


# ---------------------------------------------------------------------- hours


def test_sign_in_out_confirm_hours_and_the_star_count_moves(api):
    for seq in range(1, 10):  # volunteer numbers reach 10 (usernames are 2+ characters)
        register(api, 100 + seq)
    vid = register(api, 200)["id"]
    assert vid >= 10
    lead = register(api, 201)["id"]
    oid = accepted_order(api)
    me = as_volunteer(api, vid)
    before = ok(api.client.get("/volunteers/stars", headers=api.ops))
    assert before["by_level"] == {"0": 11}

    # the volunteer signs themself in; the leader signs in another member
    rec = ok(
        api.client.post(
            f"/orders/{oid}/signin",
            json={"volunteer": vid, "at": "2023-07-12T09:00+08:00", "lng": 120.58, "lat": 31.33},
            headers=me,
        ),
        201,
    )
    assert rec["status"] == "signed_in" and "lng" not in rec
    ok(
        api.client.post(
            f"/orders/{oid}/signin",
            json={"volunteer": lead, "at": "2023-07-12T09:00+08:00"},
            headers=api.corps,
        ),
        201,
    )
    again = api.client.post(f"/orders/{oid}/signin", json={"volunteer": vid}, headers=me)
    assert "already signed in" in problem(again, 409)["detail"]
    refused(
        api.client.post(f"/orders/{oid}/signin", json={"volunteer": lead}, headers=me),
        "volunteer",
        "a volunteer signs in themself",
    )
    naive = api.client.post(
        f"/orders/{oid}/signout", json={"volunteer": vid, "at": "2023-07-12T11:40"}, headers=me
    )
    assert problem(naive, 422)["detail"].startswith("at: ")

    out = ok(
        api.client.post(
            f"/orders/{oid}/signout",
            json={"volunteer": vid, "at": "2023-07-12T11:40+08:00"},
            headers=me,
        )
    )
    assert out["minutes"] == 160 and out["hours"] == 2.5
    ok(
        api.client.post(
            f"/orders/{oid}/signout",
            json={"volunteer": lead, "at": "2023-07-12T10:00+08:00"},
            headers=api.corps,
        )
    )

    # only the leader of the part's team confirms (the part must have started)
    early = api.client.post(f"/orders/{oid}/hours/confirm", json={}, headers=api.corps)
    assert "hours are confirmed once service has started" in problem(early, 409)["detail"]
    api.workflow.start(CORPS, oid)
    for headers, role in ((api.ops, "city_dispatcher"), (me, "volunteer")):
        refused(
            api.client.post(f"/orders/{oid}/hours/confirm", headers=headers),
            role,
            "hours are confirmed by the leader of the part's team (water.corps)",
        )
    refused(
        api.client.post(f"/orders/{oid}/hours/confirm", headers=api.other),
        "team_leader",
        "hours are confirmed by the leader of the part's team (water.corps)",
    )
    done = ok(
        api.client.post(
            f"/orders/{oid}/hours/confirm", json={"volunteers": [vid]}, headers=api.corps
        )
    )
    assert [(r["volunteer_id"], r["confirmed_hours"]) for r in done] == [(vid, 2.5)]
    ok(api.client.post(f"/orders/{oid}/hours/confirm", headers=api.corps))  # the rest

    hours = ok(api.client.get(f"/orders/{oid}/hours", headers=api.station))
    assert {(r["volunteer_id"], r["confirmed_hours"], r["status"]) for r in hours["items"]} == {
        (vid, 2.5, "confirmed"),
        (lead, 1.0, "confirmed"),
    }
    refused(api.client.get(f"/orders/{oid}/hours", headers=api.resident), "requester", "requester")
    assert ok(api.client.get(f"/volunteers/{vid}", headers=api.ops))["service_hours"] == 2.5

    # a correction to 120 hours moves the volunteer to the national ladder's first star
    refused(
        api.client.post(
            f"/orders/{oid}/hours/correct",
            json={"volunteer": vid, "hours": 20, "reason": "x"},
            headers=api.station,
        ),
        "station_operator",
        "hours are confirmed by the leader",
    )
    no_reason = api.client.post(
        f"/orders/{oid}/hours/correct", json={"volunteer": vid, "hours": 20}, headers=api.corps
    )
    assert problem(no_reason, 422)["detail"].startswith("reason:")
    fixed = ok(
        api.client.post(
            f"/orders/{oid}/hours/correct",
            json={"volunteer": vid, "hours": 3, "reason": "signed out late"},
            headers=api.corps,
        )
    )
    assert fixed["confirmed_hours"] == 3
    with api.services.people.storage.engine.begin() as conn:
        from sqlalchemy import update

        from wenming.people.tables import Volunteer

        # carried-over hours bring the volunteer near the first threshold (100 h)
        v = Volunteer.__table__
        conn.execute(update(v).where(v.c.id == vid).values(service_hours=v.c.service_hours + 97))
    ok(
        api.client.post(
            f"/orders/{oid}/hours/correct",
            json={"volunteer": vid, "hours": 4, "reason": "two sessions"},
            headers=api.corps,
        )
    )
    after = ok(api.client.get("/volunteers/stars", headers=api.resident))
    assert after["by_level"] == {"0": 10, "1": 1}
    assert after["by_county"] == {"320505": {"0": 10, "1": 1}}
    assert after["by_department"] == {"water": {"0": 10, "1": 1}}
    shown = ok(api.client.get(f"/volunteers/{vid}", headers=api.ops))
    assert shown["star_level"] == 1 and shown["service_hours"] == 101
    record = ok(api.client.get(f"/volunteers/{vid}/record", headers=me))
    assert [r["confirmed_hours"] for r in record["service"]["records"]] == [4]


def test_sign_in_needs_an_accepted_part_and_a_member(api):
    vid = register(api, 31, teams=[])["id"]
    oid = accepted_order(api)
    response = api.client.post(f"/orders/{oid}/signin", json={"volunteer": vid}, headers=api.corps)
    assert "is not a member of water.corps" in problem(response, 409)["detail"]
    missing = api.client.post("/orders/999/signin", json={"volunteer": vid}, headers=api.corps)
    problem(missing, 404)
    half = api.client.post(
        f"/orders/{oid}/signin", json={"volunteer": vid, "lng": 120.5}, headers=api.corps
    )
    assert "lng and lat" in problem(half, 422)["detail"]


# ---------------------------------------------------------------------- PIPL


def test_the_first_volunteer_signs_in_under_number_1(api):
    vid = register(api, 1)["id"]
    assert vid == 1  # a one-character username
    mine = api.client.get(f"/volunteers/{vid}/export", headers=as_volunteer(api, vid))
    assert mine.status_code == 200
    assert mine.json()["basic"]["id_number"] == idn(1)


def test_export_and_delete_are_for_the_volunteer_or_the_dpo(api):
    for seq in range(1, 11):
        register(api, 300 + seq)
    number = idn(320)
    vid = register(api, 320)["id"]
    me = as_volunteer(api, vid)
    rule = "only the volunteer themself or the data-protection officer may export"
    for headers, role in ((api.ops, "city_dispatcher"), (api.corps, "team_leader")):
        response = api.client.get(f"/volunteers/{vid}/export", headers=headers)
        refused(response, role, rule)
        assert number not in response.text
    someone_else = as_volunteer(api, vid - 1)
    refused(api.client.get(f"/volunteers/{vid}/export", headers=someone_else), "volunteer", rule)

    mine = api.client.get(f"/volunteers/{vid}/export", headers=me)
    assert mine.status_code == 200 and mine.headers["cache-control"] == "no-store"
    assert mine.json()["basic"]["id_number"] == number
    as_csv = api.client.get(f"/volunteers/{vid}/export?format=csv", headers=api.dpo)
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert f"basic,id_number,{number}" in as_csv.text
    assert 'filename="volunteer-' in as_csv.headers["content-disposition"]

    refused(
        api.client.delete(f"/volunteers/{vid}?reason=x", headers=api.ops),
        "city_dispatcher",
        "only the volunteer themself or the data-protection officer may delete",
    )
    gone = ok(api.client.delete(f"/volunteers/{vid}?reason=request%202023-17", headers=me))
    assert gone["status"] == "anonymised" and gone["id_number"] == "" and gone["teams"] == []
    assert (
        "already anonymised"
        in problem(api.client.delete(f"/volunteers/{vid}", headers=api.dpo), 422)["detail"]
    )
    assert ok(api.client.get("/volunteers/stars", headers=api.ops))["total"] == 11  # counts hold
    problem(api.client.post("/volunteers/lookup", json={"id_number": number}, headers=api.ops), 404)


# ---------------------------------------------------------------------- guides and courses


def test_guides_courses_and_attendance(api):
    guide = {"id": "guide-7", "name": "周老师", "area": TOWN}
    refused(
        api.client.post("/volunteers/guides", json=guide, headers=api.desk),
        "department_dispatcher",
        "practice guides are appointed by the city center",
    )
    ok(api.client.post("/volunteers/guides", json=guide, headers=api.ops), 201)
    dup = api.client.post("/volunteers/guides", json=guide, headers=api.ops)
    assert problem(dup, 422)["detail"] == "guide guide-7 is already appointed"
    listed = ok(api.client.get("/volunteers/guides?area=320505", headers=api.resident))
    assert listed == [{**guide, "department": None}]

    course = {
        "key": "first_aid_basic",
        "name": "应急救护员培训",
        "hours": 16,
        "type": "skills",
        "certificate": "first_aid",
        "valid_days": 1095,
        "department": "water",
    }
    refused(
        api.client.post(
            "/volunteers/courses", json={**course, "department": None}, headers=api.desk
        ),
        "department_dispatcher",
        "training courses are kept by the city center",
    )
    bad = api.client.post("/volunteers/courses", json={**course, "hours": 0}, headers=api.desk)
    assert problem(bad, 422)["detail"].startswith("hours:")
    made = ok(api.client.post("/volunteers/courses", json=course, headers=api.desk), 201)
    assert made["type"] == "skills" and made["certificate"] == "first_aid"
    assert [c["key"] for c in ok(api.client.get("/volunteers/courses", headers=api.ops))] == [
        "first_aid_basic"
    ]

    vid = register(api, 41)["id"]
    body = {"volunteers": [vid], "day": "2023-05-20"}
    refused(
        api.client.post(
            "/volunteers/courses/first_aid_basic/attendance", json=body, headers=api.station
        ),
        "station_operator",
        "attendance is recorded by a practice guide or the city center",
    )
    got = ok(
        api.client.post(
            "/volunteers/courses/first_aid_basic/attendance", json=body, headers=api.ops
        )
    )
    assert got == {"course": "first_aid_basic", "attended": 1}
    shown = ok(api.client.get(f"/volunteers/{vid}", headers=api.ops))
    assert shown["training_hours"] == 16 and shown["service_hours"] == 0
    assert [(c["name"], c["expires"]) for c in shown["credentials"]] == [
        ("first_aid", "2026-05-19")
    ]
    twice = api.client.post(
        "/volunteers/courses/first_aid_basic/attendance",
        json={"volunteers": [register(api, 42)["id"], vid], "day": "2023-05-20"},
        headers=api.ops,
    )
    assert "already attended" in problem(twice, 422)["detail"]
    assert ok(api.client.get(f"/volunteers/{vid + 1}", headers=api.ops))["training_hours"] == 0
    problem(api.client.post("/volunteers/courses/nope/attendance", json=body, headers=api.ops), 404)


# ---------------------------------------------------------------------- file import


def volunteer_file(rows: list[tuple[str, str]], kind: str) -> bytes:
    """A volunteer file as a station keeps it: Chinese headers, one row per volunteer."""
    header = ["姓名", "身份证号", "所属站点", "手机号", "所属队伍"]
    table = [header] + [
        [name, number, VILLAGE, "13812345678", "water.corps"] for name, number in rows
    ]
    if kind == "csv":
        import csv
        import io

        out = io.StringIO()
        csv.writer(out).writerows(table)
        return ("\ufeff" + out.getvalue()).encode("utf-8")  # Excel's "CSV UTF-8"
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in table:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_volunteer_file_is_imported_over_http(api, kind):
    body = volunteer_file([("李强", idn(501)), ("王芳", idn(502))], kind)
    report = ok(
        api.client.post(
            f"/volunteers/import/file?name=huqiu-2023-07.{kind}", content=body, headers=api.ops
        ),
        201,
    )
    assert (report["source"], report["volunteers"], report["memberships"]) == (
        f"huqiu-2023-07.{kind}",
        2,
        2,
    )
    found = ok(api.client.post("/volunteers/lookup", json={"id_number": idn(502)}, headers=api.ops))
    assert found["name"] == "王芳" and found["id_number"] != idn(502)  # masked


def test_a_volunteer_file_with_a_bad_row_imports_nothing_and_names_the_row(api):
    bad = idn(511)[:-1] + ("0" if idn(511)[-1] != "0" else "1")  # a wrong check character
    body = volunteer_file([("李强", idn(510)), ("王芳", bad)], "csv")
    refusal = problem(
        api.client.post("/volunteers/import/file?name=desk.csv", content=body, headers=api.ops),
        422,
    )
    assert refusal["problems"][0].startswith("row 3, id_number: check character")
    assert "nothing imported" in refusal["detail"]
    missing = api.client.post("/volunteers/lookup", json={"id_number": idn(510)}, headers=api.ops)
    assert missing.status_code == 404  # the good row was not written either


def test_a_volunteer_file_that_is_neither_csv_nor_xlsx_is_refused(api):
    gbk = f"姓名,身份证号,所属站点\n李强,{idn(520)},{VILLAGE}\n".encode("gbk")
    refusal = problem(
        api.client.post("/volunteers/import/file?name=old.csv", content=gbk, headers=api.ops), 422
    )
    assert "not UTF-8" in refusal["detail"] and refusal["field"] == "body"
    zipped = problem(
        api.client.post("/volunteers/import/file", content=b"PK\x03\x04junk", headers=api.ops), 422
    )
    assert "not a readable XLSX workbook" in zipped["detail"]


def test_only_the_city_center_and_the_dpo_import_a_volunteer_file(api):
    body = volunteer_file([("李强", idn(530))], "csv")
    rule = "only the city center or the data-protection officer imports volunteers"
    for headers, role in ((api.station, "station_operator"), (api.corps, "team_leader")):
        refused(
            api.client.post("/volunteers/import/file", content=body, headers=headers), role, rule
        )
    assert ok(api.client.post("/volunteers/import/file", content=body, headers=api.dpo), 201)
