"""The authorisation matrix: every role against every endpoint, allowed and refused.

Each case sets up an order (or a resource) in the state the endpoint acts on, then
calls it as one role. An allowed call answers 2xx; a refused one 403 with a
problem+json naming the role and the rule (401 without a token). Reads are scoped like
writes, and the lists show each role only its orders.
"""

from __future__ import annotations

import itertools

import pytest

import wenming_health
import wenming_housing
import wenming_water
from wenming.api.problems import MEDIA_TYPE
from wenming.api.testing import ApiHarness
from wenming.orders import Actor
from wenming.orders.testing import Clock, make_workflow

VILLAGE = "320505001002"
TOWN = "320505001"

ROLES: dict[str, tuple[str, dict[str, str]] | None] = {
    "anonymous": None,
    "ops": ("city_dispatcher", {}),
    "water_desk": ("department_dispatcher", {"department": "water"}),
    "health_desk": ("department_dispatcher", {"department": "health"}),
    "station": ("station_operator", {"area": TOWN}),
    "far_station": ("station_operator", {"area": "320506"}),
    "corps": ("team_leader", {"team": "water.corps"}),
    "other_team": ("team_leader", {"team": "health.corps"}),
    "resident": ("requester", {}),
    "system": ("system", {}),
    "unit_a": ("unit_operator", {"unit": "U-A"}),
    "reviewer": ("points_reviewer", {}),
}
EVERYONE = set(ROLES) - {"anonymous"}
#: who may read the volunteers' registry (masked): not a resident (people.privacy.may_read)
ORGANISERS = EVERYONE - {"resident"}
STATION = Actor("station", "station_operator", area=TOWN)
OPS = Actor("ops", "city_dispatcher")
CORPS = Actor("corps", "team_leader", team="water.corps")
ORDER = {
    "place": VILLAGE,
    "site": VILLAGE,
    "start": "2023-07-10",
    "category": "science",
    "headcount": 30,
    "tags": ["water_saving"],
}
_names = itertools.count()


def submitted(wf):
    return {"oid": wf.submit(STATION, **{**ORDER, "start": _day()}).id}


_days = itertools.count()


def _day():
    """A day of its own for each order: a resource takes a few orders a day (its daily
    slots), and the matrix dispatches water.corps for many orders."""
    import datetime as dt

    return dt.date(2023, 7, 10) + dt.timedelta(days=next(_days) % 200)


def dispatched(wf):
    ctx = submitted(wf)
    wf.dispatch(OPS, ctx["oid"], "water.corps")
    return ctx


def accepted(wf):
    ctx = dispatched(wf)
    wf.accept(CORPS, ctx["oid"])
    return ctx


def in_service(wf):
    ctx = accepted(wf)
    wf.start(CORPS, ctx["oid"])
    return ctx


def completed(wf):
    ctx = in_service(wf)
    wf.complete(CORPS, ctx["oid"], {"张敏": 2})
    return ctx


def joint(wf):
    values = {**ORDER, "start": _day(), "template": "health.healthy_estates"}
    del values["category"], values["tags"]
    return {"oid": wf.submit(STATION, **values).id}


def published(wf):
    name = f"open_day_{next(_names)}"
    wf.publish(
        OPS, name=name, kind="venue", name_zh="开放日", place=TOWN, department="water", capacity=40
    )
    return {"key": f"water.{name}"}


def nothing(wf):
    return {}


def fresh_resource(wf):
    return {"name": f"hall_{next(_names)}"}


# people side: a volunteer of water.corps (ID numbers end in X, so a body's "{number}"
# stays text), an order part it serves on, a course; placeholders named as the routes'
# parameters
_numbers = itertools.count(1)


def _people(wf):
    from wenming.people.service import People

    return People(wf.deployment, clock=wf.clock, workflow=wf)


def fresh_number(wf):
    import datetime as dt

    from wenming.people import ids

    while True:
        number = ids.make("320505", dt.date(1990, 1, 1) + dt.timedelta(days=next(_numbers)), 1)
        if number.endswith("X"):
            return {"number": number}


def volunteer(wf):
    ctx = fresh_number(wf)
    v = _people(wf).register(
        OPS, name="王芳", id_number=ctx["number"], station=VILLAGE, teams=["water.corps"]
    )
    return {**ctx, "volunteer_id": v.id}


def course(wf):
    key = f"course_{next(_names)}"
    _people(wf).add_course(OPS, key, "急救", course_type="skills", hours=8)
    return {**volunteer(wf), "key": key}


def crew(wf):
    return {**in_service(wf), **volunteer(wf)}


def signed_in(wf):
    ctx = crew(wf)
    _people(wf).sign_in(CORPS, ctx["volunteer_id"], ctx["oid"])
    return ctx


def signed_out(wf):
    ctx = signed_in(wf)
    import datetime as dt

    later = wf.clock() + dt.timedelta(hours=2)  # the clock stays: tokens would expire
    _people(wf).sign_out(CORPS, ctx["volunteer_id"], ctx["oid"], at=later)
    return ctx


def confirmed(wf):
    ctx = signed_out(wf)
    _people(wf).confirm(CORPS, ctx["oid"])
    return ctx


# intake, statistics, units: what their cases need
WISH = {"text": "想给约30名小学生上一堂节水课", "place": VILLAGE}
EVIDENCE = b"%PDF-1.4 a signed pairing agreement"
CLAIM_READERS = {"ops", "unit_a", "reviewer"}


def add_units(wf):
    from wenming.reports.units import Units

    Units(wf.deployment).add("U-A", "苏州市水务局")
    Units(wf.deployment).add("U-B", "苏州市卫健委")


def unit_a(wf):
    return {"code": "U-A"}


def evidence_stored(wf):
    from wenming.reports.units import Units

    content = EVIDENCE + str(next(_names)).encode()
    return {"digest": Units(wf.deployment).store_evidence(content, "agreement.pdf")}


def claimed(wf):
    from wenming.reports.units import Units

    ctx = evidence_stored(wf)
    operator = Actor("unit_a", "unit_operator", unit="U-A")
    units = Units(wf.deployment, clock=wf.clock)
    ctx["claim_id"] = units.submit(operator, "U-A", "pairing", evidence=[ctx["digest"]])
    return ctx


def rejected(wf):
    from wenming.reports.units import Units

    ctx = claimed(wf)
    reviewer = Actor("reviewer", "points_reviewer")
    Units(wf.deployment, clock=wf.clock).review(
        reviewer, ctx["claim_id"], approve=False, reason="not signed"
    )
    return ctx


READERS = {"ops", "water_desk", "station", "corps", "system"}
JOINT_READERS = {"ops", "health_desk", "station", "system"}

#: (name, method, path, body, setup, roles allowed)
ENDPOINTS = [
    ("show", "GET", "/orders/{oid}", None, dispatched, READERS),
    ("timeline", "GET", "/orders/{oid}/timeline", None, dispatched, READERS),
    ("dispatches", "GET", "/orders/{oid}/dispatches", None, dispatched, READERS),
    ("candidates", "GET", "/orders/{oid}/candidates?k=2", None, dispatched, READERS),
    ("list", "GET", "/orders", None, dispatched, EVERYONE),
    ("overdue", "GET", "/orders?overdue=true", None, nothing, EVERYONE),
    ("submit", "POST", "/orders", ORDER, nothing, {"ops", "station", "resident"}),
    (
        "dispatch",
        "POST",
        "/orders/{oid}/dispatch",
        {"resource": "water.corps"},
        submitted,
        {"ops", "water_desk"},
    ),
    (
        "batch dispatch",
        "POST",
        "/orders/batch-dispatch",
        {"order_ids": ["{oid}"]},
        submitted,
        {"ops", "water_desk", "health_desk"},
    ),
    ("accept", "POST", "/orders/{oid}/accept", None, dispatched, {"corps"}),
    ("decline", "POST", "/orders/{oid}/decline", {"reason": "busy"}, dispatched, {"corps"}),
    ("start", "POST", "/orders/{oid}/start", {}, accepted, {"corps"}),
    (
        "complete",
        "POST",
        "/orders/{oid}/complete",
        {"volunteers": [{"volunteer": "李强", "hours": 1.5}]},
        in_service,
        {"corps"},
    ),
    ("evaluate", "POST", "/orders/{oid}/evaluate", {"rating": 4}, completed, {"station"}),
    ("cancel", "POST", "/orders/{oid}/cancel", {"reason": "rain"}, submitted, {"ops", "station"}),
    (
        "joint submit",
        "POST",
        "/joint/orders",
        {
            "place": VILLAGE,
            "site": VILLAGE,
            "start": "2023-07-10",
            "template": "health.healthy_estates",
        },
        nothing,
        {"ops", "station", "resident"},
    ),
    ("joint proposals", "GET", "/joint/orders/{oid}/proposals", None, joint, JOINT_READERS),
    ("joint dispatch", "POST", "/joint/orders/{oid}/dispatch", {}, joint, {"ops"}),
    ("joint templates", "GET", "/joint/templates", None, nothing, EVERYONE),
    (
        "publish",
        "POST",
        "/supply",
        {
            "name": "{name}",
            "kind": "venue",
            "name_zh": "礼堂",
            "place": TOWN,
            "department": "water",
        },
        fresh_resource,
        {"ops", "water_desk"},
    ),
    (
        "withdraw",
        "POST",
        "/supply/{key}/withdraw",
        {"reason": "x"},
        published,
        {"ops", "water_desk"},
    ),
    ("supply list", "GET", "/supply", None, nothing, EVERYONE),
    ("supply show", "GET", "/supply/water.corps", None, nothing, EVERYONE),
    (
        "match rank",
        "POST",
        "/match/rank",
        {"category": "science", "place": VILLAGE},
        nothing,
        EVERYONE,
    ),
    (
        "match joint",
        "POST",
        "/match/joint",
        {"place": VILLAGE, "template": "health.healthy_estates"},
        nothing,
        EVERYONE,
    ),
    ("network stats", "GET", "/network/stats", None, nothing, EVERYONE),
    ("network sites", "GET", "/network/sites?name=虎丘", None, nothing, EVERYONE),
    ("network site", "GET", "/network/sites/320505001", None, nothing, EVERYONE),
    ("network near", "GET", "/network/near?lng=120.58&lat=31.33&k=2", None, nothing, EVERYONE),
    ("me", "GET", "/auth/me", None, nothing, EVERYONE),
    # people side
    ("volunteers", "GET", "/volunteers?station=320505", None, nothing, ORGANISERS),
    ("volunteer", "GET", "/volunteers/{volunteer_id}", None, volunteer, ORGANISERS),
    (
        "volunteer unmasked",
        "GET",
        "/volunteers/{volunteer_id}?unmasked=true",
        None,
        volunteer,
        {"corps"},
    ),
    ("volunteer record", "GET", "/volunteers/{volunteer_id}/record", None, volunteer, ORGANISERS),
    (
        "volunteer lookup",
        "POST",
        "/volunteers/lookup",
        {"id_number": "{number}"},
        volunteer,
        ORGANISERS,
    ),
    ("volunteer export", "GET", "/volunteers/{volunteer_id}/export", None, volunteer, set()),
    ("volunteer delete", "DELETE", "/volunteers/{volunteer_id}", None, volunteer, set()),
    (
        "volunteer register",
        "POST",
        "/volunteers",
        {"name": "张敏", "id_number": "{number}", "station": VILLAGE, "teams": ["water.corps"]},
        fresh_number,
        {"ops", "station", "corps", "system"},
    ),
    (
        "volunteer import",
        "POST",
        "/volunteers/import",
        {"rows": [{"name": "李强", "id_number": "{number}", "station": VILLAGE}]},
        fresh_number,
        {"ops", "system"},
    ),
    (
        "volunteer file import",
        "POST",
        "/volunteers/import/file",
        lambda ctx: f"姓名,身份证号,所属站点\n李强,{ctx['number']},{VILLAGE}\n".encode(),
        fresh_number,
        {"ops", "system"},
    ),
    ("stars", "GET", "/volunteers/stars", None, nothing, EVERYONE),
    ("guides", "GET", "/volunteers/guides", None, nothing, EVERYONE),
    (
        "guide appoint",
        "POST",
        "/volunteers/guides",
        {"id": "{name}", "name": "周老师", "area": TOWN},
        fresh_resource,
        {"ops"},
    ),
    ("courses", "GET", "/volunteers/courses", None, nothing, EVERYONE),
    (
        "course add",
        "POST",
        "/volunteers/courses",
        {"key": "{name}", "name": "急救", "hours": 8, "department": "water"},
        fresh_resource,
        {"ops", "water_desk"},
    ),
    (
        "course attendance",
        "POST",
        "/volunteers/courses/{key}/attendance",
        {"volunteers": ["{volunteer_id}"], "day": "2023-05-20"},
        course,
        {"ops"},
    ),
    (
        "signin",
        "POST",
        "/orders/{oid}/signin",
        {"volunteer": "{volunteer_id}"},
        crew,
        {"corps"},
    ),
    (
        "signout",
        "POST",
        "/orders/{oid}/signout",
        {"volunteer": "{volunteer_id}"},
        signed_in,
        {"corps"},
    ),
    ("hours", "GET", "/orders/{oid}/hours", None, signed_in, READERS),
    ("hours confirm", "POST", "/orders/{oid}/hours/confirm", {}, signed_out, {"corps"}),
    (
        "hours correct",
        "POST",
        "/orders/{oid}/hours/correct",
        {"volunteer": "{volunteer_id}", "hours": 5, "reason": "late sign-out"},
        confirmed,
        {"corps"},
    ),
    # intake, statistics, units
    ("intake understand", "POST", "/intake/understand", WISH, nothing, EVERYONE),
    (
        "intake submit",
        "POST",
        "/intake/orders",
        {**WISH, "site": VILLAGE},
        nothing,
        {"ops", "station", "resident"},
    ),
    ("stats metrics", "GET", "/stats/metrics", None, nothing, EVERYONE),
    (
        "leaderboard",
        "GET",
        "/stats/leaderboard?metric=orders_received&by=county&period=2023",
        None,
        nothing,
        EVERYONE,
    ),
    ("stats table", "GET", "/stats/table?by=department&period=2023", None, nothing, EVERYONE),
    ("ranking publish", "POST", "/rankings", {"period": "2023-Q3"}, nothing, {"ops"}),
    ("rankings published", "GET", "/rankings", None, nothing, {"ops"}),
    ("ranking consent", "POST", "/rankings/consent", {"volunteer_id": 1}, nothing, set()),
    ("units list", "GET", "/units", None, nothing, EVERYONE),
    ("unit show", "GET", "/units/{code}", None, unit_a, EVERYONE),
    ("points rules", "GET", "/points/rules", None, nothing, EVERYONE),
    ("points standings", "GET", "/points/standings", None, nothing, EVERYONE),
    ("evidence upload", "POST", "/points/evidence", EVIDENCE, nothing, {"unit_a"}),
    ("evidence show", "GET", "/points/evidence/{digest}", None, claimed, CLAIM_READERS),
    ("claims list", "GET", "/points/claims", None, nothing, CLAIM_READERS),
    ("claim show", "GET", "/points/claims/{claim_id}", None, claimed, CLAIM_READERS),
    (
        "claim submit",
        "POST",
        "/points/claims",
        {"unit": "U-A", "rule": "pairing", "evidence": ["{digest}"]},
        evidence_stored,
        {"unit_a"},
    ),
    (
        "claim review",
        "POST",
        "/points/claims/{claim_id}/review",
        {"approve": True, "reason": "agreement seen"},
        claimed,
        {"reviewer"},
    ),
    (
        "claim appeal",
        "POST",
        "/points/claims/{claim_id}/appeal",
        {"reason": "the agreement is signed on page 2"},
        rejected,
        {"unit_a"},
    ),
]


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('authz') / 'wenming.db'}"
    plugins = [("water", wenming_water), ("health", wenming_health), ("housing", wenming_housing)]
    wf = make_workflow(url, plugins, clock=Clock())
    from wenming.network.service import Network

    Network.from_deployment(wf.deployment).load_region()
    add_units(wf)
    harness = ApiHarness(wf.deployment, clock=wf.clock)
    harness.headers = {
        name: harness.user(name, spec[0], **spec[1]) if spec else {} for name, spec in ROLES.items()
    }
    yield harness
    wf.deployment.close()


def _fill(value, ctx):
    if isinstance(value, str):
        text = value.format(**ctx)
        return int(text) if value.startswith("{") and text.isdigit() else text
    if isinstance(value, list):
        return [_fill(v, ctx) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ctx) for k, v in value.items()}
    return value


CASES = [
    pytest.param(endpoint, role, id=f"{endpoint[0]}-{role}")
    for endpoint in ENDPOINTS
    for role in ROLES
]


@pytest.mark.parametrize(("endpoint", "role"), CASES)
def test_every_role_at_every_endpoint(api, endpoint, role):
    name, method, path, body, setup, allowed = endpoint
    ctx = setup(api.workflow)
    url = _fill(path, ctx)
    kwargs = {"headers": api.headers[role]}
    if callable(body):  # a file's bytes, made with the setup's values
        kwargs["content"] = body(ctx)
    elif isinstance(body, bytes):
        kwargs["content"] = body
    elif body is not None:
        kwargs["json"] = _fill(body, ctx)
    response = api.client.request(method, url, **kwargs)
    if role == "anonymous":
        assert response.status_code == 401, response.text
        assert response.headers["content-type"] == MEDIA_TYPE
        return
    if role in allowed:
        assert response.status_code in (200, 201), f"{role} {name}: {response.text}"
        return
    assert response.status_code == 403, f"{role} {name}: {response.text}"
    problem = response.json()
    spec = ROLES[role]
    assert response.headers["content-type"] == MEDIA_TYPE
    assert problem["role"] == spec[0] and problem["rule"]
    assert problem["detail"].startswith(f"role {spec[0]}")


def test_every_endpoint_of_the_app_is_in_the_matrix(api):
    """A new route must be added to the matrix (or it is untested for authorisation)."""

    def general(path: str) -> str:
        path = path.split("?")[0].replace("{oid}", "{order_id}")
        return path.replace("/supply/water.corps", "/supply/{key}").replace(
            "/network/sites/320505001", "/network/sites/{code}"
        )

    covered = {(method, general(path)) for _, method, path, *_ in ENDPOINTS}
    schema = api.client.get("/openapi.json").json()
    served = {
        (method.upper(), path)
        for path, ops in schema["paths"].items()
        for method in ops
        if path not in ("/auth/token", "/health")
    }
    assert served - covered == set()
    assert covered - served == set()


def test_lists_show_each_role_only_its_orders(tmp_path):
    url = f"sqlite:///{tmp_path / 'wenming.db'}"
    plugins = [("water", wenming_water), ("health", wenming_health), ("housing", wenming_housing)]
    wf = make_workflow(url, plugins, clock=Clock())
    api = ApiHarness(wf.deployment, clock=wf.clock)
    mine = dispatched(wf)["oid"]  # station's order, dispatched to water.corps
    far = wf.submit(
        Actor("far", "station_operator", area="320506"),
        **{**ORDER, "place": "320506001012", "site": "320506001012", "start": _day()},
    ).id
    residents = wf.submit(Actor("resident", "requester"), **{**ORDER, "start": _day()}).id
    health_part = joint(wf)["oid"]
    everyone = {mine, far, residents, health_part}
    expected = {
        "ops": everyone,
        "system": everyone,
        "water_desk": {mine, far, residents},  # its dispatch, and orders waiting for one
        "health_desk": {far, residents, health_part},
        "station": {mine, residents, health_part},  # its area (the resident's is in it too)
        "far_station": {far},
        "corps": {mine},
        "other_team": set(),
        "resident": {residents},
    }
    for role, ids in expected.items():
        kind, scope = ROLES[role]
        headers = api.user(role, kind, **scope)
        got = api.client.get("/orders?limit=200", headers=headers).json()["items"]
        assert {o["id"] for o in got} == ids, role
        for oid in everyone - ids:
            refused = api.client.get(f"/orders/{oid}", headers=headers)
            assert refused.status_code == 403, (role, oid)
    wf.deployment.close()
