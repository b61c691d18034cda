"""The HTTP API through its ASGI app: sign-in, the workflow end to end, problem+json,
pagination, idempotent submission, ETags, masking, limits, CORS, plugin routes."""

from __future__ import annotations

import logging

import pytest
from fastapi import APIRouter

import wenming_health
import wenming_housing
import wenming_water
from wenming import hookimpl
from wenming.api.testing import PASSWORD, ApiHarness, ok, problem
from wenming.orders.testing import Clock, make_workflow

PLUGINS = [("water", wenming_water), ("health", wenming_health), ("housing", wenming_housing)]
VILLAGE = "320505001002"
TOWN = "320505001"
ORDER = {
    "place": VILLAGE,
    "site": VILLAGE,
    "start": "2023-07-10",
    "category": "science",
    "headcount": 30,
    "tags": ["water_saving"],
    "audiences": ["minors"],
}


def harness(url: str = "sqlite://", plugins=PLUGINS, **kw) -> ApiHarness:
    wf = make_workflow(url, plugins, clock=Clock(), **kw)
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
        "desk": api.user("water-desk", "department_dispatcher", department="water"),
    }


# ---------------------------------------------------------------------- sign-in


def test_sign_in_and_who_am_i(api):
    api.accounts.add("ann", "station_operator", PASSWORD, area=TOWN)
    got = ok(api.client.post("/auth/token", json={"username": "ann", "password": PASSWORD}))
    assert got["token_type"] == "bearer" and got["expires_in"] == 3600
    me = ok(api.client.get("/auth/me", headers={"Authorization": f"Bearer {got['access_token']}"}))
    assert me == {
        "username": "ann",
        "role": "station_operator",
        "department": None,
        "area": TOWN,
        "team": None,
        "unit": None,
    }
    wrong = api.client.post("/auth/token", json={"username": "ann", "password": "nope"})
    body = problem(wrong, 401)
    assert body["detail"] == "wrong username or password"
    assert wrong.headers["www-authenticate"] == "Bearer"
    assert problem(api.client.get("/orders"), 401)["detail"].startswith("sign in")


def test_sign_in_is_rate_limited(api):
    api.accounts.add("ann", "requester", PASSWORD)
    for _ in range(5):
        problem(api.client.post("/auth/token", json={"username": "ann", "password": "x"}), 401)
    limited = api.client.post("/auth/token", json={"username": "ann", "password": PASSWORD})
    body = problem(limited, 429)
    assert "too many failed sign-ins" in body["detail"]
    assert 1 <= int(limited.headers["retry-after"]) <= 61
    # another user from the same client is not locked out by ann's failures
    api.accounts.add("bob", "requester", PASSWORD)
    ok(api.client.post("/auth/token", json={"username": "bob", "password": PASSWORD}))


def test_an_api_token_acts_as_its_user(api):
    api.accounts.add("bot", "city_dispatcher", PASSWORD)
    token, view = api.accounts.create_api_token("bot", "city platform")
    headers = {"Authorization": f"Bearer {token}"}
    assert ok(api.client.get("/auth/me", headers=headers))["username"] == "bot"
    api.accounts.revoke_token(view.id)
    problem(api.client.get("/auth/me", headers=headers), 401)


# ---------------------------------------------------------------------- the workflow


@pytest.fixture(params=["sqlite", "postgresql"])
def any_backend(request, wenming_database_url):
    h = harness(wenming_database_url)
    yield h
    h.deployment.close()


def test_an_order_through_the_api(any_backend):
    api = any_backend
    station = api.user("huqiu", "station_operator", area=TOWN)
    ops = api.user("ops", "city_dispatcher")
    corps = api.user("corps-lead", "team_leader", team="water.corps")
    c = api.client
    submitted = c.post("/orders", json=ORDER, headers=station)
    order = ok(submitted, 201)
    oid = order["id"]
    assert submitted.headers["location"] == f"/orders/{oid}"
    assert submitted.headers["etag"] == '"1"'
    assert order["state"] == "submitted" and order["category"] == "core.science"
    shown = c.get(f"/orders/{oid}", headers=station)
    assert ok(shown)["id"] == oid and shown.headers["etag"] == '"1"'
    ranked = ok(c.get(f"/orders/{oid}/candidates?k=3", headers=ops))
    assert ranked and all("breakdown" in r and "score" in r for r in ranked)
    step = c.post(f"/orders/{oid}/dispatch", json={"resource": "water.corps"}, headers=ops)
    assert ok(step)["state"] == "dispatched" and step.headers["etag"] == '"2"'
    assert ok(c.post(f"/orders/{oid}/accept", headers=corps))["state"] == "accepted"
    assert ok(c.post(f"/orders/{oid}/start", json={}, headers=corps))["state"] == "in_service"
    served = {
        "volunteers": [{"volunteer": "张敏", "hours": 2.5}, {"volunteer": "李强", "hours": 2}]
    }
    assert ok(c.post(f"/orders/{oid}/complete", json=served, headers=corps))["state"] == "completed"
    rated = c.post(f"/orders/{oid}/evaluate", json={"rating": 5, "comment": "好"}, headers=station)
    assert ok(rated)["state"] == "evaluated" and rated.headers["etag"] == '"6"'
    events = ok(c.get(f"/orders/{oid}/timeline", headers=ops))
    assert [e["action"] for e in events] == [
        "submit",
        "dispatch",
        "accept",
        "start",
        "complete",
        "evaluate",
    ]
    (dispatch,) = ok(c.get(f"/orders/{oid}/dispatches", headers=ops))
    assert (dispatch["resource"], dispatch["dispatcher"], dispatch["outcome"]) == (
        "water.corps",
        "ops",
        "completed",
    )


def test_ranked_decline_and_cancel(api, people):
    c = api.client
    oid = ok(c.post("/orders", json=ORDER, headers=people["station"]), 201)["id"]
    ranked = ok(c.post(f"/orders/{oid}/dispatch", json={"rank": 1}, headers=people["ops"]))
    team = ranked["parts"][0]["resource"]
    lead = api.user("lead-x", "team_leader", team=team)
    declined = ok(c.post(f"/orders/{oid}/decline", json={"reason": "busy"}, headers=lead))
    assert declined["state"] == "declined" and declined["parts"][0]["excluded"] == [team]
    problem(c.post(f"/orders/{oid}/decline", json={}, headers=lead), 422)
    cancelled = c.post(f"/orders/{oid}/cancel", json={"reason": "rain"}, headers=people["station"])
    assert ok(cancelled)["state"] == "cancelled"
    again = problem(
        c.post(f"/orders/{oid}/cancel", json={"reason": "x"}, headers=people["station"]), 409
    )
    assert again["type"] == "/problems/illegal-transition" and f"order {oid}" in again["detail"]


def test_submission_is_idempotent(api, people):
    c = api.client
    key = {"Idempotency-Key": "mailbox-2023-0042", **people["station"]}
    first = ok(c.post("/orders", json=ORDER, headers=key), 201)
    again = ok(c.post("/orders", json=ORDER, headers=key), 201)
    assert again["id"] == first["id"]
    assert ok(c.get("/orders", headers=people["ops"]))["items"] == [again]
    changed = problem(c.post("/orders", json={**ORDER, "headcount": 31}, headers=key), 422)
    assert "mailbox-2023-0042" in changed["detail"]


def test_a_stale_write_is_a_409_naming_who_came_first(api, people):
    c = api.client
    oid = ok(c.post("/orders", json=ORDER, headers=people["station"]), 201)["id"]
    etag = c.get(f"/orders/{oid}", headers=people["ops"]).headers["etag"]
    ok(c.post(f"/orders/{oid}/dispatch", json={"resource": "water.corps"}, headers=people["ops"]))
    stale = c.post(
        f"/orders/{oid}/cancel",
        json={"reason": "changed our mind"},
        headers={**people["station"], "If-Match": etag},
    )
    body = problem(stale, 409)
    assert body["detail"].startswith(f"order {oid} changed since version 1 (dispatch by ops")
    assert body["current_version"] == 2 and stale.headers["etag"] == '"2"'
    assert ok(c.get(f"/orders/{oid}", headers=people["ops"]))["state"] == "dispatched"
    fresh = c.post(f"/orders/{oid}/accept", headers={**people["corps"], "If-Match": 'W/"2"'})
    assert ok(fresh)["state"] == "accepted"
    bad = c.post(f"/orders/{oid}/start", headers={**people["corps"], "If-Match": "yesterday"})
    assert "If-Match must be" in problem(bad, 400)["detail"]


def test_if_match_holds_inside_the_write_too(api, people):
    """A write that slips in between the If-Match check and the write itself (another
    team accepting the other part of a joint order, which stays legal) makes the write
    a 409, rolled back: the caller's version is stale."""
    c = api.client
    body = {**ORDER, "category": None, "tags": [], "template": "health.healthy_estates"}
    oid = ok(c.post("/joint/orders", json=body, headers=people["station"]), 201)["id"]
    order = ok(c.post(f"/joint/orders/{oid}/dispatch", json={}, headers=people["ops"]))
    teams = {p["department"]: p["resource"] for p in order["parts"]}
    health = api.user("health-lead", "team_leader", team=teams["health"])
    housing_actor = api.accounts.user(
        api.user("housing-lead", "team_leader", team=teams["housing"]) and "housing-lead"
    ).actor()
    workflow = api.workflow
    original = workflow.accept

    def accept_after_a_rival(actor, order_id, **kw):
        if actor.team == teams["health"]:
            original(housing_actor, order_id)  # the rival's write lands first
        return original(actor, order_id, **kw)

    workflow.accept = accept_after_a_rival
    try:
        etag = c.get(f"/orders/{oid}", headers=people["ops"]).headers["etag"]
        raced = c.post(f"/orders/{oid}/accept", headers={**health, "If-Match": etag})
    finally:
        workflow.accept = original
    detail = problem(raced, 409)["detail"]
    assert "came first" in detail and "accept by housing-lead (team_leader)" in detail
    after = ok(c.get(f"/orders/{oid}", headers=people["ops"]))
    states = {p["department"]: p["state"] for p in after["parts"]}
    assert states == {"housing": "accepted", "health": "dispatched"}  # nothing written
    fresh = c.post(f"/orders/{oid}/accept", headers={**health, "If-Match": f'"{after["version"]}"'})
    assert ok(fresh)["state"] == "accepted"


def test_lists_are_paged(api, people):
    c = api.client
    ids = [
        ok(c.post("/orders", json={**ORDER, "headcount": n}, headers=people["station"]), 201)["id"]
        for n in range(1, 6)
    ]
    seen, offset = [], 0
    while offset is not None:
        page = ok(c.get(f"/orders?limit=2&offset={offset}", headers=people["ops"]))
        assert len(page["items"]) <= 2 and page["limit"] == 2
        seen += [o["id"] for o in page["items"]]
        offset = page["next_offset"]
    assert seen == sorted(ids, reverse=True)
    problem(c.get("/orders?limit=0", headers=people["ops"]), 422)
    problem(c.get("/orders?limit=1000", headers=people["ops"]), 422)
    supply = ok(c.get("/supply?limit=3", headers=people["station"]))
    assert len(supply["items"]) == 3 and supply["next_offset"] == 3


def test_errors_are_problem_json_with_one_line(api, people):
    c = api.client
    missing = problem(c.get("/orders/4242", headers=people["ops"]), 404)
    assert missing["detail"] == "no order 4242" and missing["instance"] == "/orders/4242"
    invalid = problem(c.post("/orders", json={"place": "x"}, headers=people["ops"]), 422)
    assert "place:" in invalid["detail"] and "start: Field required" in invalid["detail"]
    unknown = problem(
        c.post("/orders", json={**ORDER, "category": "astrology"}, headers=people["ops"]), 422
    )
    assert "astrology" in unknown["detail"]
    assert "no such endpoint" in problem(c.get("/nowhere", headers=people["ops"]), 404)["detail"]
    problem(c.delete("/orders", headers=people["ops"]), 405)
    denied = problem(c.post("/orders", json=ORDER, headers=people["corps"]), 403)
    assert denied["role"] == "team_leader" and denied["rule"]
    assert denied["detail"].startswith("role team_leader (team water.corps) may not submit")


def test_a_fully_booked_day_is_a_409(api, people):
    c = api.client
    first, second = (
        ok(c.post("/orders", json=ORDER, headers=people["station"]), 201)["id"] for _ in range(2)
    )
    room = {"resource": "water.water_classroom"}  # one slot a day
    ok(c.post(f"/orders/{first}/dispatch", json=room, headers=people["ops"]))
    refused = problem(c.post(f"/orders/{second}/dispatch", json=room, headers=people["ops"]), 409)
    assert refused["type"] == "/problems/fully-booked"
    assert "water.water_classroom is fully booked on 2023-07-10" in refused["detail"]
    assert ok(c.get(f"/orders/{second}", headers=people["ops"]))["state"] == "submitted"


def test_request_bodies_are_limited(api, people):
    big = b'{"place": "' + b"1" * 70_000 + b'"}'
    declared = api.client.post(
        "/orders", content=big, headers={**people["ops"], "content-type": "application/json"}
    )
    assert "larger than 65536 bytes" in problem(declared, 413)["detail"]

    def chunks():
        yield b'{"place": "'
        for _ in range(20):
            yield b"1" * 8192
        yield b'"}'

    streamed = api.client.post(
        "/orders", content=chunks(), headers={**people["ops"], "content-type": "application/json"}
    )
    problem(streamed, 413)


def test_a_large_upload_is_read_only_for_a_role_the_route_accepts(api, people):
    """The larger limits of the evidence and volunteer-file routes hold only for who
    may upload there: anyone else — no token, a bad token, another role — is held to
    the default before a byte more is read; a small body still reaches the route,
    which names the rule."""
    evidence = b"%PDF-1.4 " + b"x" * 100_000  # over the default limit, under the upload's
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, people["ops"]):
        held = api.client.post("/points/evidence", content=evidence, headers=headers)
        assert "larger than 65536 bytes" in problem(held, 413)["detail"]
    volunteers = b"name,id_number\n" + b"x" * 100_000
    held = api.client.post("/volunteers/import/file", content=volunteers, headers=people["station"])
    assert "larger than 65536 bytes" in problem(held, 413)["detail"]
    read = api.client.post("/volunteers/import/file", content=volunteers, headers=people["ops"])
    assert read.status_code == 422  # read whole, then refused for its content
    small = api.client.post("/points/evidence", content=b"%PDF-1.4 x", headers=people["ops"])
    assert small.status_code == 403 and "may not store evidence" in small.json()["detail"]


def test_cors_is_off_unless_the_deployment_names_origins(api, people, tmp_path):
    asked = {"Origin": "https://console.example", "Access-Control-Request-Method": "GET"}
    closed = api.client.options("/orders", headers=asked)
    assert "access-control-allow-origin" not in closed.headers
    from wenming import builtins
    from wenming.deployment import ApiConfig, Deployment, DeploymentConfig

    config = DeploymentConfig(
        name="cors", database="sqlite://", api=ApiConfig(cors_origins=["https://console.example"])
    )
    deployment = Deployment(
        config, extra_plugins=[("core", builtins)], use_entry_points=False, strict=True
    )
    deployment.storage.create()
    opened = ApiHarness(deployment).client.options("/orders", headers=asked)
    assert opened.headers["access-control-allow-origin"] == "https://console.example"


# ---------------------------------------------------------------------- privacy


def test_personal_data_is_masked_unless_the_role_may_see_it(api, people):
    c = api.client
    resident = api.user("resident-17", "requester")
    oid = ok(c.post("/orders", json=ORDER, headers=resident), 201)["id"]
    ok(c.post(f"/orders/{oid}/dispatch", json={"resource": "water.corps"}, headers=people["ops"]))
    corps = people["corps"]
    seen_by_team = ok(c.get(f"/orders/{oid}", headers=corps))
    assert seen_by_team["requester"] == "r*********7"
    assert ok(c.get(f"/orders/{oid}", headers=people["station"]))["requester"] == "resident-17"
    assert ok(c.get(f"/orders/{oid}", headers=resident))["requester"] == "resident-17"
    ok(c.post(f"/orders/{oid}/accept", headers=corps))
    ok(c.post(f"/orders/{oid}/start", headers=corps))
    served = {"volunteers": [{"volunteer": "张敏华", "hours": 2}]}
    ok(c.post(f"/orders/{oid}/complete", json=served, headers=corps))

    def volunteers(headers):
        events = ok(c.get(f"/orders/{oid}/timeline", headers=headers))
        done = next(e for e in events if e["action"] == "complete")
        return [v["volunteer"] for v in done["data"]["volunteers"]], events[0]["actor"]

    assert volunteers(corps) == (["张敏华"], "r*********7")
    assert volunteers(people["ops"]) == (["张敏华"], "resident-17")
    assert volunteers(people["station"]) == (["张*华"], "resident-17")
    assert volunteers(resident) == (["张*华"], "resident-17")


# ---------------------------------------------------------------------- other resources


def test_supply_publish_list_withdraw(api, people):
    c = api.client
    body = {
        "name": "pump_station_open_day",
        "kind": "venue",
        "name_zh": "胥江泵站开放日",
        "place": TOWN,
        "department": "water",
        "categories": ["science"],
        "capacity": 40,
        "months": [7, 8],
    }
    published = c.post("/supply", json=body, headers=people["desk"])
    assert ok(published, 201)["key"] == "water.pump_station_open_day"
    assert published.headers["location"] == "/supply/water.pump_station_open_day"
    listed = ok(c.get("/supply?published_only=true", headers=people["station"]))
    assert [r["key"] for r in listed["items"]] == ["water.pump_station_open_day"]
    shown = ok(c.get("/supply/water.pump_station_open_day", headers=people["station"]))
    assert shown["capacity"] == 40
    gone = c.post(
        "/supply/water.pump_station_open_day/withdraw",
        json={"reason": "repairs"},
        headers=people["desk"],
    )
    assert ok(gone)["status"] == "withdrawn"
    problem(c.get("/supply/water.nothing_here", headers=people["ops"]), 404)


def test_joint_orders(api, people):
    c = api.client
    templates = ok(c.get("/joint/templates", headers=people["station"]))
    assert "health.healthy_estates" in [t["id"] for t in templates]
    body = {
        **ORDER,
        "category": None,
        "tags": [],
        "audiences": [],
        "template": "health.healthy_estates",
    }
    order = ok(c.post("/joint/orders", json=body, headers=people["station"]), 201)
    assert order["joint"] and {p["department"] for p in order["parts"]} == {"health", "housing"}
    proposals = ok(c.get(f"/joint/orders/{order['id']}/proposals?k=2", headers=people["ops"]))
    assert proposals and set(proposals[0]["parts"]) == {"health", "housing"}
    done = ok(c.post(f"/joint/orders/{order['id']}/dispatch", json={}, headers=people["ops"]))
    assert {p["state"] for p in done["parts"]} == {"dispatched"}
    plain = {**ORDER, "template": None}
    refused = problem(c.post("/joint/orders", json=plain, headers=people["station"]), 422)
    assert "needs a template or at least two departments" in refused["detail"]


def test_match_and_batch_dispatch(api, people):
    c = api.client
    ranking = ok(
        c.post(
            "/match/rank?k=3",
            json={"category": "science", "tags": ["water_saving"], "place": VILLAGE},
            headers=people["station"],
        )
    )
    assert ranking["candidates"] and "breakdown" in ranking["candidates"][0]
    ids = [
        ok(c.post("/orders", json=ORDER, headers=people["station"]), 201)["id"] for _ in range(2)
    ]
    result = ok(c.post("/orders/batch-dispatch", json={"order_ids": ids}, headers=people["ops"]))
    assert set(result["dispatched"]) | set(result["unassigned"]) == {f"{i}.1" for i in ids}
    assert result["dispatched"], result


def test_network_endpoints(api, people):
    from wenming.network.service import Network

    Network.from_deployment(api.deployment).load_region()
    c = api.client
    stats = ok(c.get("/network/stats", headers=people["station"]))
    assert stats
    found = ok(c.get("/network/sites", params={"name": "虎丘"}, headers=people["station"]))
    assert found["items"] and all("虎丘" in s["name"] for s in found["items"])
    code = found["items"][0]["code"]
    assert ok(c.get(f"/network/sites/{code}", headers=people["station"]))["site"]["code"] == code
    problem(c.get("/network/sites/999999999999", headers=people["station"]), 404)
    near = ok(c.get("/network/near?lng=120.58&lat=31.33&k=3", headers=people["station"]))
    assert len(near) == 3 and near[0]["distance_km"] <= near[-1]["distance_km"]


# ---------------------------------------------------------------------- plugins, failures


class Reports:
    router = APIRouter()

    @staticmethod
    @router.get("/boom")
    def boom():
        raise RuntimeError("secret internals at /srv/db password=hunter2")

    @hookimpl
    def register_routes(register):
        register(Reports.router)


class Broken:
    @hookimpl
    def register_routes(register):
        raise ValueError("cannot build my router")


def test_plugin_routes_and_no_traceback_to_clients(caplog):
    from wenming import builtins
    from wenming.deployment import Deployment, DeploymentConfig

    caplog.set_level(logging.ERROR, logger="wenming.api")
    deployment = Deployment(
        DeploymentConfig(name="lenient", database="sqlite://"),
        extra_plugins=[("core", builtins), ("reports", Reports), ("broken", Broken)],
        use_entry_points=False,
        strict=False,
    )
    deployment.storage.create()
    api = ApiHarness(deployment)
    ops = api.user("ops", "city_dispatcher")
    problem(api.client.get("/plugins/reports/boom"), 401)
    failed = api.client.get("/plugins/reports/boom", headers=ops)
    body = problem(failed, 500)
    assert body["detail"].startswith("internal error (incident ")
    assert "hunter2" not in failed.text and "RuntimeError" not in failed.text
    assert body["incident"] in caplog.text and "hunter2" in caplog.text  # the server's log
    assert "plugin 'broken': register_routes failed: cannot build my router" in caplog.text
    paths = api.client.get("/openapi.json").json()["paths"]
    assert "/plugins/reports/boom" in paths


def test_a_busy_database_is_a_503_to_retry(api, people, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def locked(*args, **kwargs):
        raise OperationalError("INSERT INTO wm_order …", {}, Exception("database is locked"))

    monkeypatch.setattr(api.workflow, "submit", locked)
    busy = api.client.post("/orders", json=ORDER, headers=people["station"])
    body = problem(busy, 503)
    assert "database is busy" in body["detail"] and busy.headers["retry-after"] == "1"
    assert "INSERT" not in busy.text


def test_a_broken_route_plugin_stops_a_strict_deployment():
    from wenming.api import create_app
    from wenming.errors import PluginError

    wf = make_workflow("sqlite://", [("broken", Broken)])
    with pytest.raises(PluginError, match="broken"):
        create_app(wf.deployment)  # make_workflow's deployments are strict


def test_openapi_is_served(api):
    schema = ok(api.client.get("/openapi.json"))
    assert {"/orders", "/orders/{order_id}/accept", "/auth/token", "/match/rank"} <= set(
        schema["paths"]
    )
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert api.client.get("/docs").status_code == 200


def test_reference_pages_are_current():
    from pathlib import Path

    from wenming import docgen

    folder = Path(__file__).parents[1] / "docs" / "reference"
    for name, make in (("api.md", docgen.api_markdown), ("openapi.json", docgen.openapi_json)):
        assert (folder / name).read_text(encoding="utf-8") == make(), (
            f"docs/reference/{name} is stale: run python -m wenming.docgen docs/reference"
        )
