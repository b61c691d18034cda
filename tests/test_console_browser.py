"""The console in a real headless browser against a real ``wenming serve`` process on
127.0.0.1 (a free port, stopped by the test): each role's main path end to end, at a
phone's and a desktop's size, with no error in the browser's console and no page wider
than the phone.

Skipped when chromium or Playwright is missing, unless ``WENMING_REQUIRE_BROWSER=1``
(CI), which turns the skip into a failure. ``WENMING_UPDATE_SCREENSHOT=1`` refreshes
``docs/console-*.png`` (Chinese, at the phone's size) from the run.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "a long enough password"
VILLAGE = "320505001002"
TOWN = "320505001"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = os.environ.get("WENMING_UPDATE_SCREENSHOT") == "1"


def _browser_or_skip():
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright package is not installed"
    if missing is None and not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (run scripts/install-browser)"
    if missing:
        if os.environ.get("WENMING_REQUIRE_BROWSER") == "1":
            pytest.fail(f"WENMING_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """The deployment folder and its running server."""

    def __init__(self, folder: Path, base: str) -> None:
        self.folder = folder
        self.base = base
        self.users: set[str] = set()

    def log(self) -> str:
        """The end of the server's log (to explain a failure)."""
        path = self.folder / "serve.log"
        return path.read_text(encoding="utf-8")[-4000:] if path.exists() else ""

    def wenming(self, *args: str, stdin: str | None = None) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WENMING_")}
        done = subprocess.run(
            [sys.executable, "-m", "wenming", *args],
            cwd=self.folder,
            env=env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def user(self, name: str, role: str, *scope: str) -> str:
        if name not in self.users:
            self.wenming(
                "users", "add", name, "--role", role, *scope, "--password-stdin",
                stdin=PASSWORD + "\n",
            )  # fmt: skip
            self.users.add(name)
        return name

    def leader(self, team: str) -> str:
        return self.user("lead-" + re.sub(r"[^a-z0-9]+", "-", team)[:40], "team_leader",
                         "--team", team)  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    _browser_or_skip()
    folder = tmp_path_factory.mktemp("console")
    probe = Site(folder, "")
    probe.wenming("init", ".", "--name", "苏州")
    config = folder / "wenming.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "only = []", 'only = ["water", "health", "housing"]'
        ),
        encoding="utf-8",
    )
    probe.user("huqiu", "station_operator", "--area", TOWN)
    probe.user("ops", "city_dispatcher")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENMING_")}
    log = (folder / "serve.log").open("w", encoding="utf-8")  # a file: a pipe could fill
    process = subprocess.Popen(
        [sys.executable, "-m", "wenming", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=5) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"wenming serve did not start: {probe.log()}")
            time.sleep(0.2)
        site = Site(folder, base)
        site.users = probe.users
        yield site
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def chromium(site):
    sync_playwright = _browser_or_skip()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


class Person:
    """One person's browser tab, signed in; every page it opens is checked for console
    errors and, at the phone's size, for sideways scrolling."""

    def __init__(self, chromium, site: Site, username: str, viewport: dict) -> None:
        self.site = site
        self.viewport = viewport
        self.context = chromium.new_context(viewport=viewport, locale="zh-CN")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.go("/console/login")
        self.page.fill("#username", username)
        self.page.fill("#password", PASSWORD)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="登录").click()
        assert "/console/login" not in self.page.url, self.page.content()[-2000:]

    def go(self, path: str) -> None:
        self.page.goto(self.site.base + path)
        self.check()

    def check(self) -> None:
        self.page.wait_for_load_state()
        assert not self.errors, f"{self.errors}; the server's log ends: {self.site.log()}"
        wide = self.page.evaluate("document.documentElement.scrollWidth")
        assert wide <= self.viewport["width"], f"{self.page.url} is {wide}px wide"

    def click(self, name: str, *, within: str | None = None) -> None:
        """Press a form's button and wait for the page the server answers with."""
        scope = self.page.locator(within) if within else self.page
        with self.page.expect_navigation():
            scope.get_by_role("button", name=name).first.click()
        self.check()

    def text(self) -> str:
        return self.page.inner_text("main")

    def shot(self, name: str) -> None:
        if SHOTS and self.viewport is PHONE:
            self.page.screenshot(path=str(ROOT / "docs" / f"console-{name}.png"), full_page=True)
            self.page.set_viewport_size(self.viewport)  # as it was before the full page

    def close(self) -> None:
        assert not self.errors, f"{self.errors}; the server's log ends: {self.site.log()}"
        self.context.close()


def _file(
    station: Person, *, template: str | None = None, headcount: int = 30, words: str = ""
) -> int:
    station.go("/console/orders/new")
    page = station.page
    if words:  # in the requester's own words, confirmed field by field
        page.fill("#wish", words)
        station.click("看看系统理解了什么")
        understood = page.inner_text("section.understood")
        assert "「约40名」" in understood and "「小学生」" in understood, understood
        assert page.input_value("#headcount") == "40"
        station.shot("wish")
        station.click("提交点单")
        found = re.search(r"/console/orders/(\d+)", page.url)
        assert found, station.text()
        assert "约40名小学生" in station.text()
        return int(found.group(1))
    if template:
        page.select_option("#template", template)
    else:
        page.select_option("#category", "core.science")
        page.get_by_label("未成年人").check()
    page.fill("#headcount", str(headcount))
    page.fill("#place", VILLAGE)
    page.fill("#site", VILLAGE)
    page.fill("#start", "2023-07-10")
    page.fill("#description", "暑期想请人给孩子们讲讲节水")
    station.shot("file")
    station.click("提交点单")
    found = re.search(r"/console/orders/(\d+)", page.url)
    assert found, station.text()
    assert "已完成" in station.text() and "待派单" in station.text()
    return int(found.group(1))


def _resource(person: Person, order_id: int, seq: int = 1) -> str:
    person.go(f"/console/orders/{order_id}")
    section = person.page.locator(f"section:has(#part-{seq})")
    return section.locator("p:has-text('承接方') code").inner_text()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_demand_from_filing_to_evaluation(chromium, site, viewport):
    station = Person(chromium, site, "huqiu", viewport)
    oid = _file(station, words="想请人给约40名小学生上一堂节水课")
    station.shot("order")
    ops = Person(chromium, site, "ops", viewport)
    ops.go("/console/queue")
    assert f"#{oid}" in ops.text()
    ops.shot("queue")
    ops.go(f"/console/orders/{oid}")
    assert "推荐承接方" in ops.text()
    ops.page.locator("details summary").first.click()  # each rule's share, on request
    ops.shot("candidates")
    ops.click("派给它 (排名 1)")
    assert "已派单待接单" in ops.text()
    team = _resource(ops, oid)
    lead = Person(chromium, site, site.leader(team), viewport)
    lead.go("/console/tasks")
    assert f"#{oid}" in lead.text()
    lead.go(f"/console/orders/{oid}")
    lead.click("接单")
    lead.click("开始服务")
    lead.page.fill("#v-1-0", "张敏")
    lead.page.fill("#h-1-0", "2.5")
    lead.shot("complete")
    lead.page.get_by_role("button", name="+ 再加一位").click()  # our script adds a row
    lead.page.fill("#v-1-3", "李强")
    lead.page.fill("#h-1-3", "2")
    invalid = lead.page.evaluate(
        "[...document.querySelectorAll('form[data-rows] input')]"
        ".filter(i => !i.checkValidity()).map(i => i.id + ': ' + i.validationMessage)"
    )
    assert not invalid, invalid
    lead.click("完成服务", within="form[data-rows]")
    assert "已完成待评单" in lead.text()
    station.go(f"/console/orders/{oid}")
    station.page.get_by_label("★★★★", exact=True).check()
    station.page.fill("#comment", "讲得生动，孩子们很喜欢")
    station.click("评单")
    text = station.text()
    assert "已评单" in text and "★★★★" in text and "讲得生动" in text
    station.shot("evaluated")
    # sign out, in English
    station.go(f"/console/orders/{oid}?lang=en")
    assert "Evaluated" in station.text()
    station.click("Sign out")
    assert "/console/login" in station.page.url
    for person in (station, ops, lead):
        person.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_decline_and_re_dispatch(chromium, site, viewport):
    station = Person(chromium, site, "huqiu", viewport)
    oid = _file(station, headcount=12)
    ops = Person(chromium, site, "ops", viewport)
    ops.go(f"/console/orders/{oid}")
    ops.click("派给它 (排名 1)")
    first = _resource(ops, oid)
    lead = Person(chromium, site, site.leader(first), viewport)
    lead.go(f"/console/orders/{oid}")
    lead.page.get_by_label("拒单理由").fill("本周人手不足")
    lead.click("拒单")
    assert "已拒单待重派" in lead.text()
    ops.go("/console/queue")
    assert f"#{oid}" in ops.text()
    ops.go(f"/console/orders/{oid}")
    assert "本周人手不足" in ops.text() and first in ops.text()
    ops.click("派给它 (排名 1)")
    second = _resource(ops, oid)
    assert second != first
    station.go(f"/console/orders/{oid}")
    assert "本周人手不足" in station.text()
    for person in (station, ops, lead):
        person.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_joint_order(chromium, site, viewport):
    station = Person(chromium, site, "huqiu", viewport)
    oid = _file(station, template="health.healthy_estates")
    assert "拼单" in station.text()
    ops = Person(chromium, site, "ops", viewport)
    ops.go(f"/console/orders/{oid}")
    assert "拼单方案" in ops.text()
    ops.shot("joint")
    ops.click("按此方案派单 1")
    teams = [_resource(ops, oid, seq) for seq in (1, 2)]
    for seq, team in enumerate(teams, 1):
        lead = Person(chromium, site, site.leader(team), viewport)
        lead.go(f"/console/orders/{oid}")
        lead.click("接单", within=f"section:has(#part-{seq})")
        lead.close()
    ops.go(f"/console/orders/{oid}")
    assert ops.text().count("已接单") >= 3  # the order and both parts
    waiting = [_file(station, headcount=n) for n in (15, 25)]
    ops.go("/console/batch")
    for method in ("最优分配", "贪心分配"):
        assert method in ops.text()
    for oid in waiting:
        assert f"#{oid}" in ops.text()
    ops.shot("batch")
    ops.click("按此分配派单 (最优分配)")
    assert "已派单" in ops.text()
    ops.go("/console/map")
    assert ops.page.locator("iframe.map").count() == 1
    ops.page.frame_locator("iframe.map").locator("body").wait_for()
    ops.go("/console/dashboard")
    ops.page.frame_locator("iframe.map").locator("body").wait_for()
    ops.shot("dashboard")
    for person in (station, ops):
        person.close()
