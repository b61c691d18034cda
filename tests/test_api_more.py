"""The HTTP API beyond orders: a unit operator's account (its ``unit`` scope and the
schema step that adds it), free-text intake, statistics and leaderboards, rankings of
volunteers, civilized units and their points — happy paths and refusals."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from click.testing import CliRunner

import wenming_health
import wenming_housing
import wenming_water
from wenming.accounts import AccountError
from wenming.api.testing import PASSWORD, ApiHarness, cheap_hasher, ok, problem, refused
from wenming.orders import Actor
from wenming.orders.testing import Clock, make_workflow
from wenming.reports.units import Units
from wenming.storage import SCHEMA_VERSION

PLUGINS = [("water", wenming_water), ("health", wenming_health), ("housing", wenming_housing)]
VILLAGE = "320505001002"
TOWN = "320505001"
STATION = Actor("huqiu", "station_operator", area=TOWN)
OPS = Actor("ops", "city_dispatcher")
CORPS = Actor("corps-lead", "team_leader", team="water.corps")
PDF = b"%PDF-1.4 a signed pairing agreement"
PNG = b"\x89PNG\r\n\x1a\n photos of the activity"


def harness(url: str = "sqlite://") -> ApiHarness:
    wf = make_workflow(url, PLUGINS, clock=Clock())
    units = Units(wf.deployment, clock=wf.clock)
    units.add("U-A", "苏州市水务局", place="3205")
    units.add("U-B", "苏州市卫健委", place="3205")
    return ApiHarness(wf.deployment, clock=wf.clock)


@pytest.fixture
def api():
    h = harness()
    yield h
    h.deployment.close()


@pytest.fixture
def people(api):
    return {
        "ops": api.user("ops", "city_dispatcher"),
        "station": api.user("huqiu", "station_operator", area=TOWN),
        "corps": api.user("corps-lead", "team_leader", team="water.corps"),
        "resident": api.user("resident-17", "requester"),
        "unit_a": api.user("unit-a", "unit_operator", unit="U-A"),
        "unit_b": api.user("unit-b", "unit_operator", unit="U-B"),
        "reviewer": api.user("wmb", "points_reviewer"),
    }


# ---------------------------------------------------------------------- a unit operator's account


def test_a_unit_operator_is_a_user_of_an_existing_unit(api):
    user = api.accounts.add("unit-a", "unit_operator", PASSWORD, unit="U-A", area="32")
    assert (user.unit, user.area, user.actor().unit, user.scope) == ("U-A", None, "U-A", "unit U-A")
    assert user.as_dict()["unit"] == "U-A"
    with pytest.raises(AccountError, match="role unit_operator needs a unit"):
        api.accounts.add("unit-x", "unit_operator", PASSWORD)
    with pytest.raises(AccountError, match="unit 'U-Z' is not a civilized unit"):
        api.accounts.add("unit-z", "unit_operator", PASSWORD, unit="U-Z")
    moved = api.accounts.set_role("unit-a", "requester", unit="U-A")
    assert moved.unit is None, "a scope the role does not use is not kept"
    assert api.accounts.set_role("unit-a", "unit_operator", unit="U-B").unit == "U-B"


def test_who_am_i_shows_the_unit(api):
    api.accounts.add("unit-a", "unit_operator", PASSWORD, unit="U-A")
    got = ok(api.client.post("/auth/token", json={"username": "unit-a", "password": PASSWORD}))
    assert got["user"]["unit"] == "U-A"
    me = ok(api.client.get("/auth/me", headers={"Authorization": f"Bearer {got['access_token']}"}))
    assert (me["role"], me["unit"], me["area"]) == ("unit_operator", "U-A", None)


def test_users_add_and_set_role_take_a_unit(tmp_path, monkeypatch):
    from wenming.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WENMING_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("WENMING_TOKEN", raising=False)
    monkeypatch.setattr("wenming.accounts.service.default_hasher", cheap_hasher)
    runner = CliRunner()

    def run(*args, code=0, stdin=None):
        result = runner.invoke(cli, list(args), input=stdin, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    run("init", ".", "--name", "Suzhou")
    run("units", "add", "U-A", "苏州市水务局")
    run("units", "add", "U-B", "苏州市卫健委")
    add = ("users", "add", "lin", "--role", "unit_operator", "--password-stdin")
    assert "added lin: unit_operator (unit U-A)" in run(*add, "--unit", "U-A", stdin=PASSWORD)
    out = run("users", "set-role", "lin", "--role", "unit_operator", "--unit", "U-B")
    assert "lin is now unit_operator (unit U-B)" in out
    bad = run("users", "set-role", "lin", "--role", "unit_operator", "--unit", "U-Q", code=1)
    assert "unit 'U-Q' is not a civilized unit" in bad
    out = run(
        "users", "add", "wmb", "--role", "points_reviewer", "--password-stdin", stdin=PASSWORD
    )
    assert "added wmb: points_reviewer" in out


def test_a_version_2_database_gets_the_users_unit(wenming_database_url):
    """The schema step 2 → 3 adds ``wm_user.unit`` and keeps the users there were."""
    wf = make_workflow(wenming_database_url, [("water", wenming_water)], clock=Clock())
    from wenming.accounts.service import Accounts

    accounts = Accounts(wf.deployment, clock=wf.clock, hasher=cheap_hasher())
    accounts.add("huqiu", "station_operator", PASSWORD, area=TOWN)
    storage = wf.storage
    with storage.engine.begin() as conn:  # back to what version 2 had: no unit column
        conn.exec_driver_sql("ALTER TABLE wm_user DROP COLUMN unit")
        conn.exec_driver_sql("UPDATE wm_meta SET value = '2' WHERE key = 'schema_version'")
    from wenming.errors import StorageError

    with pytest.raises(
        StorageError, match=f"schema version 2, this wenming needs {SCHEMA_VERSION}"
    ):
        storage.check()
    assert storage.upgrade() == SCHEMA_VERSION and storage.check() == SCHEMA_VERSION
    assert storage.upgrade() == SCHEMA_VERSION  # nothing more to do
    kept = accounts.user("huqiu")
    assert (kept.area, kept.unit) == (TOWN, None)
    Units(wf.deployment).add("U-A", "苏州市水务局")
    assert accounts.add("lin", "unit_operator", PASSWORD, unit="U-A").actor().unit == "U-A"
    wf.deployment.close()


# ---------------------------------------------------------------------- intake

WISH = "电站村想给村里约40名小学生上一堂节水课，暑假里每周一次。联系13912345678"


def test_understand_says_which_words_set_each_field(api, people):
    got = ok(
        api.client.post(
            "/intake/understand", json={"text": WISH, "today": "2027-06-15"}, headers=people["ops"]
        )
    )
    fields = {e["field"]: e for e in got["evidence"]}
    assert fields["headcount"]["value"] == 40 and fields["headcount"]["words"] == ["约40名"]
    assert fields["start"]["value"] == "2027-07-01" and fields["start"]["why"]
    assert got["demand"]["place"] == "320585100203" and got["today"] == "2027-06-15"
    assert got["recurrence"] == "weekly" and isinstance(got["unused"], list)
    shared = ok(
        api.client.post(
            "/intake/understand",
            json={"text": "湖滨社区想请评弹演员来演一场"},
            headers=people["ops"],
        )
    )
    question = shared["questions"][0]
    assert question["field"] == "place" and len(question["candidates"]) >= 2
    assert "label" in question["candidates"][0]
    for body, field in (({"text": "🎉🎉"}, "text"), ({"text": ""}, "text"), ({}, "text")):
        bad = problem(api.client.post("/intake/understand", json=body, headers=people["ops"]), 422)
        assert field in bad["detail"] or bad.get("field") == field


def test_an_order_from_words_explicit_fields_win_and_numbers_are_masked(api, people):
    body = {"text": WISH, "today": "2027-06-15", "headcount": 60}
    key = {"Idempotency-Key": "visit-2027-0007", **people["ops"]}
    response = api.client.post("/intake/orders", json=body, headers=key)
    order = ok(response, 201)
    assert response.headers["location"] == f"/orders/{order['id']}"
    assert response.headers["etag"] == '"1"'
    assert order["headcount"] == 60, "the explicit field wins over the words' 40"
    assert (order["start"], order["end"], order["place"]) == (
        "2027-07-01",
        "2027-08-31",
        "320585100203",
    )
    assert "139****5678" in order["description"] and "13912345678" not in order["description"]
    assert order["requester"] == "ops" and order["category"] == "core.science"
    again = ok(api.client.post("/intake/orders", json=body, headers=key), 201)
    assert again["id"] == order["id"], "the same Idempotency-Key returns the first order"
    other = api.client.post("/intake/orders", json={**body, "headcount": 61}, headers=key)
    assert "different request" in problem(other, 422)["detail"]


def test_an_order_from_words_with_an_open_question_is_refused(api, people):
    words = {"text": "湖滨社区想请评弹演员来演一场", "today": "2027-06-15"}
    body = problem(api.client.post("/intake/orders", json=words, headers=people["ops"]), 422)
    assert body["detail"].startswith("answer first:") and body["field"] == "place"
    assert body["questions"][0]["candidates"]
    assert ok(api.client.get("/orders", headers=people["ops"]))["items"] == [], "nothing stored"
    answered = ok(
        api.client.post("/intake/orders", json={**words, "place": VILLAGE}, headers=people["ops"]),
        201,
    )
    assert answered["place"] == VILLAGE


def test_an_order_from_words_follows_the_submit_rules(api, people):
    far = {"text": "想给约30名小学生上一堂节水课", "place": "320506001012"}
    refused(
        api.client.post("/intake/orders", json=far, headers=people["station"]), "station_operator"
    )
    refused(api.client.post("/intake/orders", json=far, headers=people["corps"]), "team_leader")
    refused(api.client.post("/intake/orders", json=far, headers=people["unit_a"]), "unit_operator")
    mine = {**far, "place": VILLAGE, "site": VILLAGE}
    assert ok(api.client.post("/intake/orders", json=mine, headers=people["station"]), 201)


# ---------------------------------------------------------------------- statistics


def _delivered(api):
    wf = api.workflow
    order = wf.submit(
        STATION, place=VILLAGE, site=VILLAGE, start=dt.date(2023, 7, 10), category="science"
    )
    wf.dispatch(OPS, order.id, "water.corps")
    wf.accept(CORPS, order.id)
    wf.start(CORPS, order.id)
    wf.complete(CORPS, order.id, {"张敏": 2.5})
    return order.id


def test_metrics_leaderboard_and_table(api, people):
    _delivered(api)
    metrics = ok(api.client.get("/stats/metrics", headers=people["resident"]))
    assert {"orders_completed", "completion_rate"} <= {m["name"] for m in metrics}
    board = ok(
        api.client.get(
            "/stats/leaderboard?metric=orders_completed&by=town&period=2023-07",
            headers=people["unit_a"],
        )
    )
    assert board["period"] == "2023-07" and board["rows"][0]["key"] == TOWN
    assert board["rows"][0]["value"] == 1 and board["rows"][0]["rank"] == 1
    this_year = ok(api.client.get("/stats/leaderboard?by=county", headers=people["corps"]))
    assert this_year["period"] == "2023", "this year of the deployment's clock"
    ranged = ok(
        api.client.get(
            "/stats/leaderboard?metric=volunteer_hours&by=department&from=2023-06-01&to=2023-08-31",
            headers=people["ops"],
        )
    )
    assert ranged["period"] == "2023-06-01 … 2023-08-31" and ranged["rows"][0]["value"] == 2.5
    table = ok(
        api.client.get(
            "/stats/table?by=town&period=2023&metrics=orders_received,completion_rate",
            headers=people["resident"],
        )
    )
    assert table["columns"] == ["orders_received", "completion_rate"]
    assert table["rows"][0][0] == TOWN and table["rows"][0][2:] == [1.0, 1.0]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("metric=orders_complete", "metric", "no metric 'orders_complete'; did you mean"),
        ("metric=active_volunteers&by=team", "by", "is not kept by 'team'"),
        ("period=2023-13", "period", "month must be 01–12"),
        ("period=last-year", "period", "expected a month (2027-08)"),
        ("from=2023-01-01", "to", "a range needs both"),
        ("from=2023-08-01&to=2023-01-01", "to", "the end is before the start"),
    ],
)
def test_leaderboard_refusals_name_the_field(api, people, query, field, message):
    body = problem(api.client.get(f"/stats/leaderboard?{query}", headers=people["ops"]), 422)
    assert body["field"] == field and message in body["detail"]


def test_leaderboard_query_checks(api, people):
    for query, name in (("by=village", "by"), ("top=0", "top"), ("within=x", "within")):
        body = problem(api.client.get(f"/stats/leaderboard?{query}", headers=people["ops"]), 422)
        assert f"query.{name}" in body["detail"]
    bad = problem(api.client.get("/stats/table?metrics=nope", headers=people["ops"]), 422)
    assert bad["field"] == "metrics"


def test_rankings_of_volunteers_are_for_publishers_and_recorded(api, people):
    published = ok(api.client.post("/rankings", json={"period": "2023-Q3"}, headers=people["ops"]))
    assert (published["period"], published["scope"], published["rows"]) == ("2023-Q3", "city", [])
    station = people["station"]
    refused(api.client.post("/rankings", json={}, headers=station), "station_operator")
    mine = ok(api.client.post("/rankings", json={"within": TOWN}, headers=station))
    assert mine["scope"] == f"area {TOWN}"
    bad = problem(api.client.post("/rankings", json={"from": "2023-01-01"}, headers=station), 422)
    assert bad["field"] == "to"
    record = ok(api.client.get("/rankings", headers=people["ops"]))
    assert [(r["actor"], r["scope"]) for r in record] == [
        ("ops", "city"),
        ("huqiu", f"area {TOWN}"),
    ]
    refused(api.client.get("/rankings", headers=station), "station_operator")
    refused(
        api.client.post("/rankings/consent", json={"volunteer_id": 17}, headers=people["ops"]),
        "city_dispatcher",
    )


# ---------------------------------------------------------------------- units and points


def _upload(api, headers, content=PDF, name="agreement.pdf"):
    return api.client.post(
        f"/points/evidence?name={name}",
        content=content,
        headers={**headers, "Content-Type": "application/octet-stream"},
    )


def test_a_claim_from_evidence_to_the_ledger(api, people):
    a, reviewer = people["unit_a"], people["reviewer"]
    stored = ok(_upload(api, a), 201)
    assert stored == {
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "media_type": "application/pdf",
        "size": len(PDF),
    }
    claim = {"unit": "U-A", "rule": "pairing", "evidence": [stored["sha256"]], "note": "结对"}
    response = api.client.post("/points/claims", json=claim, headers=a)
    submitted = ok(response, 201)
    cid = submitted["id"]
    assert response.headers["location"] == f"/points/claims/{cid}"
    assert (submitted["state"], submitted["period"], submitted["submitted_by"]) == (
        "submitted",
        "2023",
        "unit-a",
    )
    approved = ok(
        api.client.post(f"/points/claims/{cid}/review", json={"approve": True}, headers=reviewer)
    )
    assert (approved["state"], approved["granted"]) == ("approved", 10)
    unit = ok(api.client.get("/units/U-A", headers=people["resident"]))
    assert unit["balance"] == 10 and unit["ledger"][0]["claim_id"] == cid
    standings = ok(api.client.get("/points/standings", headers=people["corps"]))
    assert standings[0] == {"rank": 1, "unit": "U-A", "name": "苏州市水务局", "points": 10}
    evidence = api.client.get(f"/points/evidence/{stored['sha256']}", headers=reviewer)
    assert evidence.status_code == 200 and evidence.content == PDF
    assert evidence.headers["content-type"] == "application/pdf"
    cited = api.client.get(f"/points/evidence/{stored['sha256']}", headers=a)
    assert cited.status_code == 200, "the operator of a unit whose claim cites it"
    refused(
        api.client.get(f"/points/evidence/{stored['sha256']}", headers=people["unit_b"]),
        "unit_operator",
    )
    rules = ok(api.client.get("/points/rules", headers=a))
    assert {"pairing", "honour"} <= {r["name"] for r in rules}
    units = ok(api.client.get("/units?limit=1", headers=a))
    assert [u["code"] for u in units["items"]] == ["U-A"] and units["next_offset"] == 1


def test_the_operator_of_unit_a_cannot_claim_for_unit_b(api, people):
    digest = ok(_upload(api, people["unit_a"]), 201)["sha256"]
    claim = {"unit": "U-B", "rule": "pairing", "evidence": [digest]}
    body = refused(
        api.client.post("/points/claims", json=claim, headers=people["unit_a"]), "unit_operator"
    )
    assert "acts only for its own unit, not U-B" in body["rule"]
    refused(
        api.client.post("/points/claims", json=claim, headers=people["reviewer"]), "points_reviewer"
    )
    refused(_upload(api, people["ops"]), "city_dispatcher")
    assert ok(api.client.get("/points/claims", headers=people["reviewer"]))["items"] == []


def test_claim_refusals_name_the_field(api, people):
    a = people["unit_a"]
    unknown = problem(
        api.client.post("/points/claims", json={"unit": "U-A", "rule": "nope"}, headers=a), 422
    )
    assert unknown["field"] == "rule" and "no point rule 'nope'; rules:" in unknown["detail"]
    bare = problem(
        api.client.post("/points/claims", json={"unit": "U-A", "rule": "pairing"}, headers=a), 422
    )
    assert bare["field"] == "evidence" and "needs 1 file(s) of evidence, got 0" in bare["detail"]
    missing = {"unit": "U-A", "rule": "pairing", "evidence": ["a" * 64]}
    body = problem(api.client.post("/points/claims", json=missing, headers=a), 422)
    assert body["field"] == "evidence" and "is not stored" in body["detail"]
    shaped = {"unit": "U-A", "rule": "pairing", "evidence": ["../etc"], "quantity": 0}
    body = problem(api.client.post("/points/claims", json=shaped, headers=a), 422)
    assert "evidence.0" in body["detail"] and "quantity" in body["detail"]
    text = problem(_upload(api, a, content=b"just some words"), 422)
    assert text["field"] == "body" and "not a PDF, PNG, JPEG or Office file" in text["detail"]


def test_reject_appeal_once_and_who_reads_claims(api, people):
    a, b, reviewer = people["unit_a"], people["unit_b"], people["reviewer"]
    digest = ok(_upload(api, a, content=PNG, name="photo.png"), 201)["sha256"]
    claim = {"unit": "U-A", "rule": "service_activity", "evidence": [digest], "quantity": 3}
    cid = ok(api.client.post("/points/claims", json=claim, headers=a), 201)["id"]
    review = f"/points/claims/{cid}/review"
    no_reason = problem(api.client.post(review, json={"approve": False}, headers=reviewer), 422)
    assert no_reason["field"] == "reason"
    refused(api.client.post(review, json={"approve": True}, headers=a), "unit_operator")
    rejected = ok(
        api.client.post(
            review, json={"approve": False, "reason": "no sign-in sheet"}, headers=reviewer
        )
    )
    assert rejected["state"] == "rejected"
    appeal = f"/points/claims/{cid}/appeal"
    refused(api.client.post(appeal, json={"reason": "ours"}, headers=b), "unit_operator")
    assert (
        ok(api.client.post(appeal, json={"reason": "sheet attached"}, headers=a))["state"]
        == "appealed"
    )
    twice = problem(api.client.post(appeal, json={"reason": "again"}, headers=a), 409)
    assert "only a rejected claim may be appealed, and only once" in twice["detail"]
    granted = ok(api.client.post(review, json={"approve": True}, headers=reviewer))
    assert (granted["state"], granted["granted"]) == ("appeal_approved", 15)
    done = problem(api.client.post(review, json={"approve": True}, headers=reviewer), 409)
    assert "nothing to review" in done["detail"]
    assert problem(
        api.client.post("/points/claims/999/review", json={"approve": True}, headers=reviewer), 404
    )
    # who reads claims: the reviewer and the city center all, an operator its own unit's
    assert [c["id"] for c in ok(api.client.get("/points/claims", headers=reviewer))["items"]] == [
        cid
    ]
    assert ok(api.client.get("/points/claims", headers=people["ops"]))["items"][0]["id"] == cid
    assert ok(api.client.get("/points/claims", headers=b))["items"] == []
    assert ok(api.client.get(f"/points/claims/{cid}", headers=a))["state"] == "appeal_approved"
    refused(api.client.get(f"/points/claims/{cid}", headers=b), "unit_operator")
    refused(api.client.get("/points/claims?unit=U-A", headers=b), "unit_operator")
    refused(api.client.get("/points/claims", headers=people["station"]), "station_operator")


def test_evidence_may_be_larger_than_other_bodies(api, people):
    big = PDF + b"\0" * 200_000
    assert ok(_upload(api, people["unit_a"], content=big), 201)["size"] == len(big)
    over = api.client.post(
        "/intake/understand", content=b"{" + b" " * 200_000 + b"}", headers=people["ops"]
    )
    assert problem(over, 413)["detail"].startswith("the request body is larger than")
