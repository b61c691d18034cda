"""The web console through its ASGI app: sign-in with an HttpOnly cookie, CSRF on every
form, each role's pages on the workflow, refusals with the service's own message."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import wenming_health
import wenming_housing
import wenming_water
from wenming.api.testing import PASSWORD, ApiHarness
from wenming.console import i18n
from wenming.orders.testing import Clock, make_workflow

PLUGINS = [("water", wenming_water), ("health", wenming_health), ("housing", wenming_housing)]
VILLAGE = "320505001002"
TOWN = "320505001"
DEMAND = {
    "category": "core.science",
    "headcount": "30",
    "place": VILLAGE,
    "site": VILLAGE,
    "start": "2023-07-10",
    "audiences": ["core.minors"],
    "tags": "water_saving",
}
CONSOLE = Path(__file__).resolve().parents[1] / "core" / "src" / "wenming" / "console"


class Person:
    """One browser: its own cookie jar, signed in as one user."""

    def __init__(self, api: ApiHarness, username: str | None = None) -> None:
        self.client = TestClient(api.app, raise_server_exceptions=False, follow_redirects=False)
        if username:
            page = self.client.get("/console/login")
            answer = self.post(
                "/console/login",
                {"username": username, "password": PASSWORD},
                page=page.text,
            )
            assert answer.status_code == 303, answer.text

    def get(self, url: str, status: int = 200):
        response = self.client.get(url)
        assert response.status_code == status, response.text[-2000:]
        return response

    def csrf(self, html: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', html).group(1)

    def post(self, url: str, data: dict, *, page: str | None = None, csrf: bool = True):
        form = dict(data)
        if csrf:
            form["csrf"] = self.csrf(page if page is not None else self.get("/console/map").text)
        return self.client.post(url, data=form)


@pytest.fixture
def api():
    wf = make_workflow("sqlite://", PLUGINS, clock=Clock())
    h = ApiHarness(wf.deployment, clock=wf.clock)
    for name, role, scope in (
        ("huqiu", "station_operator", {"area": TOWN}),
        ("gusu", "station_operator", {"area": "320508"}),
        ("ops", "city_dispatcher", {}),
        ("water-desk", "department_dispatcher", {"department": "water"}),
        ("health-desk", "department_dispatcher", {"department": "health"}),
    ):
        h.accounts.add(name, role, PASSWORD, **scope)
    yield h
    h.deployment.close()


def leader(api: ApiHarness, team: str) -> Person:
    name = "lead-" + team.replace(".", "-").replace("_", "-")[:40]
    with contextlib.suppress(Exception):
        api.accounts.add(name, "team_leader", PASSWORD, team=team)
    return Person(api, name)


def alert(html: str) -> str:
    found = re.search(r'<p class="alert error" role="alert">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def file_demand(station: Person, **extra) -> int:
    page = station.get("/console/orders/new").text
    answer = station.post("/console/orders", {**DEMAND, **extra}, page=page)
    assert answer.status_code == 303, alert(answer.text) or answer.text[-1500:]
    return int(re.search(r"/console/orders/(\d+)", answer.headers["location"]).group(1))


# ---------------------------------------------------------------------- sign-in


def test_sign_in_keeps_the_token_in_a_strict_httponly_cookie(api):
    anon = Person(api)
    to_login = anon.get("/console/queue", 303)
    assert to_login.headers["location"] == "/console/login?next=%2Fconsole%2Fqueue"
    page = anon.get("/console/login").text
    assert 'autocomplete="current-password"' in page and "登录" in page
    wrong = anon.post("/console/login", {"username": "ops", "password": "nope"}, page=page)
    assert wrong.status_code == 401 and "用户名或密码错误" in alert(wrong.text)
    right = anon.post(
        "/console/login",
        {"username": "ops", "password": PASSWORD, "next": "/console/batch"},
        page=page,
    )
    assert right.status_code == 303 and right.headers["location"] == "/console/batch"
    cookie = next(c for c in right.headers.get_list("set-cookie") if c.startswith("wm_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert anon.get("/console/", 303).headers["location"] == "/console/queue"
    # a redirect never leaves the console
    again = Person(api)
    page = again.get("/console/login").text
    away = again.post(
        "/console/login",
        {"username": "ops", "password": PASSWORD, "next": "//evil.example/x"},
        page=page,
    )
    assert away.headers["location"] == "/console/queue"


def test_sign_in_without_the_forms_csrf_token_is_refused(api):
    anon = Person(api)
    anon.get("/console/login")
    forged = anon.post(
        "/console/login", {"username": "ops", "password": PASSWORD, "csrf": "x"}, csrf=False
    )
    assert forged.status_code == 403 and "wm_session" not in forged.headers.get("set-cookie", "")


def test_sign_in_is_rate_limited_like_the_api(api):
    anon = Person(api)
    page = anon.get("/console/login").text
    for _ in range(5):
        anon.post("/console/login", {"username": "ops", "password": "nope"}, page=page)
    limited = anon.post("/console/login", {"username": "ops", "password": PASSWORD}, page=page)
    assert limited.status_code == 429 and "too many failed sign-ins" in alert(limited.text)


def test_sign_out_needs_csrf_and_ends_the_session(api):
    ops = Person(api, "ops")
    assert ops.client.post("/console/logout", data={"csrf": "forged"}).status_code == 403
    ops.get("/console/queue")
    out = ops.post("/console/logout", {})
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    assert 'wm_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    ops.client.cookies.delete("wm_session", path="/console")
    ops.get("/console/queue", 303)


def test_an_expired_or_revoked_session_signs_in_again(api):
    ops = Person(api, "ops")
    ops.get("/console/queue")
    api.accounts.revoke("ops")
    assert ops.get("/console/queue", 303).headers["location"].startswith("/console/login")


# ---------------------------------------------------------------------- the main paths


def test_a_demand_from_filing_to_evaluation(api):
    station, ops = Person(api, "huqiu"), Person(api, "ops")
    form = station.get("/console/orders/new").text
    assert 'name="template"' in form and "节水进家庭" in form  # the template menu
    assert f'value="{TOWN}"' in form  # the station's own area filled in
    oid = file_demand(station, description="暑期想给孩子们讲讲节水")
    shown = station.get(f"/console/orders/{oid}?done=submit").text
    assert "待派单" in shown and "暑期想给孩子们讲讲节水" in shown
    queue = ops.get("/console/queue").text
    assert f"/console/orders/{oid}" in queue
    detail = ops.get(f"/console/orders/{oid}").text
    assert "推荐承接方" in detail and "各项规则得分" in detail and "<meter" in detail
    dispatched = ops.post(f"/console/orders/{oid}/dispatch", {"part": "1", "rank": "1"})
    assert dispatched.status_code == 303
    team = api.workflow.order(oid).parts[0].resource
    lead = leader(api, team)
    assert f"/console/orders/{oid}" in lead.get("/console/tasks").text
    page = lead.get(f"/console/orders/{oid}").text
    assert "接单" in page and "拒单理由" in page
    assert lead.post(f"/console/orders/{oid}/accept", {"part": "1"}, page=page).status_code == 303
    assert lead.post(f"/console/orders/{oid}/start", {"part": "1"}).status_code == 303
    done = lead.post(
        f"/console/orders/{oid}/complete",
        {"part": "1", "volunteer": ["张敏", "李强", ""], "hours": ["2.5", "2", ""]},
    )
    assert done.status_code == 303, alert(done.text)
    page = station.get(f"/console/orders/{oid}").text
    assert 'name="rating"' in page
    rated = station.post(f"/console/orders/{oid}/evaluate", {"rating": "5", "comment": "很好"})
    assert rated.status_code == 303
    final = station.get(f"/console/orders/{oid}").text
    assert "已评单" in final and "★★★★★" in final
    assert [e.action for e in api.workflow.timeline(oid)] == [
        "submit", "dispatch", "accept", "start", "complete", "evaluate",
    ]  # fmt: skip


def test_a_decline_goes_back_to_the_queue_and_is_re_dispatched(api):
    station, ops = Person(api, "huqiu"), Person(api, "ops")
    oid = file_demand(station)
    ops.post(f"/console/orders/{oid}/dispatch", {"part": "1", "rank": "1"})
    first = api.workflow.order(oid).parts[0].resource
    lead = leader(api, first)
    no_reason = lead.post(f"/console/orders/{oid}/decline", {"part": "1", "reason": " "})
    assert no_reason.status_code == 422 and alert(no_reason.text)
    declined = lead.post(f"/console/orders/{oid}/decline", {"part": "1", "reason": "人手不足"})
    assert declined.status_code == 303
    assert f"/console/orders/{oid}" in ops.get("/console/queue").text
    page = ops.get(f"/console/orders/{oid}").text
    assert "已拒单" in page and first in page
    candidates = re.findall(r"<code>([\w.\-]+)</code> <span class=\"score\"", page)
    assert candidates and first not in candidates
    ops.post(f"/console/orders/{oid}/dispatch", {"part": "1", "rank": "1"})
    second = api.workflow.order(oid).parts[0]
    assert second.state == "dispatched" and second.resource != first
    timeline = ops.get(f"/console/orders/{oid}").text
    assert "人手不足" in timeline


def test_a_joint_order_and_its_proposals(api):
    station, ops = Person(api, "huqiu"), Person(api, "ops")
    oid = file_demand(
        station, category="", audiences=[], tags="", template="health.healthy_estates"
    )
    view = api.workflow.order(oid)
    assert view.joint and {p.department for p in view.parts} == {"health", "housing"}
    page = ops.get(f"/console/orders/{oid}").text
    assert "拼单方案" in page and "按此方案派单" in page
    done = ops.post(f"/console/orders/{oid}/joint-dispatch", {"proposal": "1"}, page=page)
    assert done.status_code == 303, alert(done.text)
    parts = api.workflow.order(oid).parts
    assert {p.state for p in parts} == {"dispatched"}
    for part in parts:
        lead = leader(api, part.resource)
        page = lead.get(f"/console/orders/{oid}").text
        accepted = lead.post(f"/console/orders/{oid}/accept", {"part": str(part.seq)}, page=page)
        assert accepted.status_code == 303, alert(accepted.text)
    assert api.workflow.order(oid).state == "accepted"


def test_batch_dispatch_shows_optimal_beside_greedy(api):
    station, ops = Person(api, "huqiu"), Person(api, "ops")
    ids = [file_demand(station, headcount=str(n)) for n in (10, 20, 30)]
    page = ops.get("/console/batch").text
    assert "最优分配" in page and "贪心分配" in page
    totals = dict(re.findall(r'data-method="(\w+)">([\d.]+)<', page))
    assert set(totals) == {"optimal", "greedy"}
    assert float(totals["optimal"]) >= float(totals["greedy"]) - 1e-9
    result = ops.post("/console/batch", {"method": "optimal"}, page=page)
    assert result.status_code == 200 and "已派单" in result.text
    states = {api.workflow.order(i).state for i in ids}
    assert states <= {"dispatched", "submitted"} and "dispatched" in states


def test_overdue_demands_are_flagged_first_in_the_queue(api):
    station, ops = Person(api, "huqiu"), Person(api, "ops")
    old = file_demand(station)
    api.workflow.clock.advance(days=5)
    station, ops = Person(api, "huqiu"), Person(api, "ops")  # the sessions expired meanwhile
    new = file_demand(station)
    queue = ops.get("/console/queue").text
    assert "派单超时" in queue
    assert queue.index(f"/console/orders/{old}") < queue.index(f"/console/orders/{new}")


# ---------------------------------------------------------------------- refusals


def test_refusals_show_the_services_message_naming_role_and_rule(api):
    station, ops, desk = Person(api, "huqiu"), Person(api, "ops"), Person(api, "health-desk")
    oid = file_demand(station)
    # a station operator may not dispatch
    refused = station.post(f"/console/orders/{oid}/dispatch", {"part": "1", "rank": "1"})
    assert refused.status_code == 403
    message = alert(refused.text)
    assert "station_operator" in message and "dispatch" in message
    # another area's station may not even read it
    other = Person(api, "gusu").get(f"/console/orders/{oid}", 403).text
    assert "station_operator" in alert(other)
    # the batch page is for dispatchers
    assert "station_operator" in alert(station.get("/console/batch", 403).text)
    # a team that was not dispatched may not accept
    ops.post(f"/console/orders/{oid}/dispatch", {"part": "1", "rank": "1"})
    stranger = leader(api, "housing.property_corps")
    refused = stranger.post(f"/console/orders/{oid}/accept", {"part": "1"})
    assert refused.status_code in (403, 409) and "team_leader" in alert(refused.text)
    # a department dispatcher reads only orders with a part for its department
    assert "department_dispatcher" in alert(desk.get(f"/console/orders/{oid}", 403).text)
    assert api.workflow.order(oid).state == "dispatched"


def test_every_form_post_needs_the_sessions_csrf_token(api):
    station, ops = Person(api, "huqiu"), Person(api, "ops")
    oid = file_demand(station)
    for data in ({}, {"csrf": "0" * 64}, {"csrf": station.csrf(station.get("/console/map").text)}):
        forged = ops.client.post(f"/console/orders/{oid}/dispatch", data={"rank": "1", **data})
        assert forged.status_code == 403 and "表单已过期" in alert(forged.text)
    forged = ops.client.post("/console/orders", data=DEMAND)
    assert forged.status_code == 403
    assert ops.client.post("/console/batch", data={"method": "optimal"}).status_code == 403
    assert api.workflow.order(oid).state == "submitted"
    assert len(api.workflow.orders()) == 1


def test_bad_form_input_is_one_line_and_keeps_what_was_typed(api):
    station = Person(api, "huqiu")
    page = station.get("/console/orders/new").text
    bad = station.post(
        "/console/orders", {**DEMAND, "headcount": "三十", "description": "原话留着"}, page=page
    )
    assert bad.status_code == 422 and "headcount must be a whole number" in alert(bad.text)
    assert "原话留着" in bad.text
    bad = station.post("/console/orders", {**DEMAND, "start": "next week"}, page=page)
    assert bad.status_code == 422 and "start must be a date" in alert(bad.text)
    assert api.workflow.orders() == []


def test_filing_twice_from_one_form_files_one_demand(api):
    station = Person(api, "huqiu")
    page = station.get("/console/orders/new").text
    idem = re.search(r'name="idem" value="([^"]+)"', page).group(1)
    first = station.post("/console/orders", {**DEMAND, "idem": idem}, page=page)
    again = station.post("/console/orders", {**DEMAND, "idem": idem}, page=page)
    assert first.headers["location"] == again.headers["location"]
    assert len(api.workflow.orders()) == 1


# ---------------------------------------------------------------------- everyone


def test_english_is_a_switch_away_and_stays(api):
    ops = Person(api, "ops")
    assert "待派单" in ops.get("/console/queue").text
    english = ops.get("/console/queue?lang=en")
    assert "Dispatch queue" in english.text and '<html lang="en">' in english.text
    assert "Dispatch queue" in ops.get("/console/queue").text  # the cookie keeps it
    assert "待派单" in ops.get("/console/queue?lang=zh").text


def test_the_catalogue_has_both_languages_for_every_key_the_templates_use():
    used = set()
    for template in (CONSOLE / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt\('([\w.]+)'\)", template.read_text(encoding="utf-8")))
    assert used and used <= set(i18n.MESSAGES), sorted(used - set(i18n.MESSAGES))
    assert all(zh and en and zh != en for zh, en in i18n.MESSAGES.values())


def test_the_map_is_served_inside_the_console(api):
    station = Person(api, "huqiu")
    page = station.get("/console/map").text
    assert '<iframe class="map" src="/console/map/frame"' in page
    frame = station.get("/console/map/frame")
    assert frame.headers["x-frame-options"] == "SAMEORIGIN" and "<html" in frame.text.lower()
    assert Person(api).get("/console/map/frame", 303)


def test_assets_ship_in_the_package_and_nothing_loads_from_elsewhere(api):
    anon = Person(api)
    assert "min-width: 48em" in anon.get("/console/static/console.css").text
    assert "data-add-row" in anon.get("/console/static/console.js").text
    for path in CONSOLE.rglob("*"):
        if path.suffix in (".html", ".css", ".js"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"(src|href)=\"(https?:)?//", text), path
            assert "@import" not in text and "url(http" not in text, path


def test_the_console_is_not_part_of_the_api_schema(api):
    paths = api.client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/console")]


# ---------------------------------------------------------------------- own words


def test_a_wish_in_own_words_is_shown_field_by_field_then_filed(api):
    station = Person(api, "huqiu")
    page = station.get("/console/orders/new").text
    read = station.post(
        "/console/orders/understand",
        {"wish": "想给约40名小学生上一堂节水课，电话13912345678"},
        page=page,
    )
    assert read.status_code == 200, alert(read.text)
    table = re.search(r'<section class="card understood".*?</section>', read.text, re.S).group(0)
    assert "「约40名」" in table and "「小学生」" in table and "未成年人" in table
    assert api.workflow.orders() == []  # nothing stored before the form is sent
    form = dict(re.findall(r'<input id="(\w+)" name="\w+"[^>]*value="([^"]*)"', read.text))
    assert form["headcount"] == "40" and form["place"] == TOWN
    description = re.search(r'name="description"[^>]*>([^<]*)<', read.text).group(1)
    assert "13912345678" not in description and "节水课" in description
    chosen = re.findall(r'<option value="([^"]+)" selected', read.text)
    audiences = re.findall(r'name="audiences" value="([^"]+)" checked', read.text)
    data = {
        **{k: form[k] for k in ("headcount", "place", "site", "start", "end", "tags")},
        "category": chosen[0],
        "audiences": audiences,
        "description": description,
    }
    filed = station.post("/console/orders", data, page=read.text)
    assert filed.status_code == 303, alert(filed.text)
    (order,) = api.workflow.orders()
    assert order.headcount == 40 and "core.minors" in order.audiences
    assert "节水课" in order.description


def test_words_the_intake_cannot_read_are_refused_in_one_line(api):
    station = Person(api, "huqiu")
    empty = station.post("/console/orders/understand", {"wish": "   "})
    assert empty.status_code in (400, 422) and alert(empty.text)
    assert "\n" not in alert(empty.text)


def test_times_are_shown_in_the_deployments_time_zone(api):
    station = Person(api, "huqiu")
    oid = file_demand(station)  # the test clock says 2023-07-01 01:00 UTC
    page = station.get(f"/console/orders/{oid}").text
    assert "2023-07-01 09:00" in page and "01:00" not in page


def test_the_language_switch_keeps_the_page_or_goes_home_after_a_post(api):
    ops = Person(api, "ops")
    page = ops.get("/console/queue?state=declined").text
    assert 'href="/console/queue?state=declined&amp;lang=en"' in page
    refused = ops.post("/console/orders/99/accept", {})
    assert 'href="/console/?lang=en"' in refused.text
    home = ops.get("/console/?lang=en", 303)
    assert "lang=en" in home.headers["set-cookie"]
    assert "Dispatch queue" in ops.get("/console/queue").text


def test_the_leaderboard_dashboard_is_served_inside_the_console(api):
    station, ops = Person(api, "huqiu"), Person(api, "ops")
    oid = file_demand(station)
    ops.post(f"/console/orders/{oid}/dispatch", {"part": "1", "rank": "1"})
    page = ops.get("/console/dashboard").text
    assert '<iframe class="map" src="/console/dashboard/frame"' in page and "排行榜" in page
    frame = ops.get("/console/dashboard/frame")
    assert frame.headers["x-frame-options"] == "SAMEORIGIN"
    assert "orders_received" in frame.text and "<script" in frame.text
    assert not re.search(r"(src|href)=\"https?://", frame.text)
    assert Person(api).get("/console/dashboard/frame", 303)


def test_the_team_leader_signs_volunteers_in_and_out(api):
    import datetime as dt

    from wenming.console.crew import people
    from wenming.orders.roles import Actor
    from wenming.people import ids
    from wenming.people.testing import add_stations

    station, ops = Person(api, "huqiu"), Person(api, "ops")
    oid = file_demand(station)
    ops.post(f"/console/orders/{oid}/dispatch", {"part": "1", "rank": "1"})
    team = api.workflow.order(oid).parts[0].resource
    add_stations(api.deployment, [VILLAGE])
    service = people(api.services)
    vid = service.register(
        Actor("ops", "city_dispatcher"),
        name="张敏华",
        id_number=ids.make("320505", dt.date(1990, 1, 1), 123),
        station=VILLAGE,
        teams=[team],
    ).id
    lead = leader(api, team)
    assert "志愿者签到签退" not in lead.get(f"/console/orders/{oid}").text  # not accepted yet
    lead.post(f"/console/orders/{oid}/accept", {"part": "1"})
    page = lead.get(f"/console/orders/{oid}").text
    # the name as the people service shows it to this team's leader
    assert "张敏华" in page and f'name="volunteer" value="{vid}"' in page
    # only the part's team leader signs its volunteers in
    refused = station.post(f"/console/orders/{oid}/sign-in", {"volunteer": vid, "part": "1"})
    assert refused.status_code == 403 and "station_operator" in alert(refused.text)
    signed = lead.post(f"/console/orders/{oid}/sign-in", {"volunteer": vid, "part": "1"})
    assert signed.status_code == 303, alert(signed.text)
    assert "已签到" in lead.get(f"/console/orders/{oid}").text
    api.workflow.clock.advance(hours=2, minutes=20)
    lead = leader(api, team)  # the session expired meanwhile
    out = lead.post(f"/console/orders/{oid}/sign-out", {"volunteer": vid, "part": "1"})
    assert out.status_code == 303, alert(out.text)
    (record,) = service.service_records(order_id=oid)
    assert record.status != "signed_in" and record.hours == 2.5
    assert "2.5 小时" in lead.get(f"/console/orders/{oid}").text
