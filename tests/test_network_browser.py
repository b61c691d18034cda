"""The offline map in a real headless browser (Debian's chromium driven by Playwright).

Each test runs as a resident would use the map, at a phone's size (390 × 844, touch)
and a desktop's (1280 × 800): searching by pinyin, opening a place from a link,
reading labels, sharing. Skipped when chromium or Playwright is missing, unless
``WENMING_REQUIRE_BROWSER=1`` (CI), which turns the skip into a failure;
``scripts/install-browser`` installs it. Set ``WENMING_UPDATE_SCREENSHOT=1`` to refresh
``docs/map-desktop.png`` and ``docs/map-phone.png`` from the run.
"""

from __future__ import annotations

import os
import shutil
from itertools import combinations
from pathlib import Path

import pytest

import wenming_gardens
import wenming_water
from wenming import synthetic
from wenming.network import locate, navigation
from wenming.network.mapview import write_map
from wenming.network.service import Network
from wenming.storage import Storage
from wenming.testing import load_registry

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
DIANZHAN = "320585100203"
WETLAND = "gardens.taihu_wetland_park"  # 苏州太湖国家湿地公园, a venue
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
GUSU = (120.62, 31.31)  # 姑苏区, the densest part of the city


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


@pytest.fixture(scope="module")
def map_file(tmp_path_factory):
    registry = load_registry(("water", wenming_water), ("gardens", wenming_gardens))
    folder = tmp_path_factory.mktemp("map")
    storage = Storage(f"sqlite:///{folder / 'map.db'}")
    storage.create()
    net = Network(storage, registry)
    net.load_region()
    net.add_sites(
        [
            {
                "code": "W1",
                "name": "城厢水厂",
                "site_type": "water.waterworks",
                "parent_code": DIANZHAN,
            },
            {
                "code": "W2",
                "name": "金鸡湖滨水长廊",
                "site_type": "water.waterfront_promenade",
                "parent_code": "320576054",
            },
            {
                "code": "W3",
                "name": "胥江水厂",
                "site_type": "water.waterworks",
                "parent_code": "320508",
            },
        ]
    )
    net.pair("W1", DIANZHAN, note="结对共建")
    net.pair("3205.water", "320576054")
    synthetic.synthesize(storage, registry, points=40, venues=8, projects=8, teams=6)
    path = folder / "map.html"
    write_map(net, path)
    yield path, net
    storage.dispose()


@pytest.fixture(scope="module")
def browser():
    sync_playwright = _browser_or_skip()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def _open(browser, size: str, url: str):
    context = browser.new_context(**SIZES[size])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    page.errors = errors
    page.size = size
    return page


@pytest.fixture(scope="module", params=sorted(SIZES))
def page(request, browser, map_file):
    """One page per size, shared by the tests of the module (state is reset by each)."""
    page = _open(browser, request.param, map_file[0].as_uri())
    yield page
    assert page.errors == [], "the page logged errors"
    page.context.close()


def _sized(browser, map_file, size: str):
    page = _open(browser, size, map_file[0].as_uri())
    yield page
    assert page.errors == []
    page.context.close()


@pytest.fixture(scope="module")
def desktop(browser, map_file):
    yield from _sized(browser, map_file, "desktop")


@pytest.fixture(scope="module")
def phone(browser, map_file):
    yield from _sized(browser, map_file, "phone")


def _stats(page) -> dict:
    """What the last frame drew, after drawing the current state (no waiting on rAF)."""
    return page.evaluate("wenmingMap.redraw(), wenmingMap.stats()")


def _pixels(page, hex_color: str, box: dict | None = None) -> int:
    """How many canvas pixels (in ``box``, CSS px) have exactly this colour."""
    page.evaluate("wenmingMap.redraw()")
    return page.evaluate(
        """([hex, box]) => {
            const c = document.getElementById('canvas'), k = c.width / c.clientWidth;
            const x = box ? Math.floor(box.x * k) : 0, y = box ? Math.floor(box.y * k) : 0;
            const w = box ? Math.ceil(box.w * k) : c.width, h = box ? Math.ceil(box.h * k) : c.height;
            const d = c.getContext('2d').getImageData(x, y, w, h).data;
            const r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16),
                  b = parseInt(hex.slice(5, 7), 16);
            let n = 0;
            for (let i = 0; i < d.length; i += 4)
                if (d[i] === r && d[i + 1] === g && d[i + 2] === b) n++;
            return n;
        }""",
        [hex_color, box],
    )


def _dark_pixels(page, box: dict) -> int:
    """Pixels in ``box`` as dark as label text (#222 for places, #5a2828 for counties):
    the map is pale, and every marker colour is lighter in at least one channel."""
    return page.evaluate(
        """(box) => {
            const c = document.getElementById('canvas'), k = c.width / c.clientWidth;
            const d = c.getContext('2d').getImageData(Math.floor(box.x * k), Math.floor(box.y * k),
                Math.ceil(box.w * k), Math.ceil(box.h * k)).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4)
                if (d[i + 3] > 200 && d[i] < 130 && d[i + 1] < 110 && d[i + 2] < 110) n++;
            return n;
        }""",
        box,
    )


def _reset(page) -> None:
    """Back to the start: nothing selected, no search, the whole city, the panel as it
    opens on this size (collapsed on a phone)."""
    phone = "true" if page.size == "phone" else "false"
    page.evaluate(
        "wenmingMap.select(null); wenmingMap.setCounty(null); wenmingMap.setPanel(!" + phone + ");"
        "['venue', 'project', 'team'].forEach(k => wenmingMap.setKind(k, false));"
        "document.getElementById('search').value = '';"
        "document.getElementById('results').innerHTML = ''"
    )
    page.click("#zoom-fit")


def _open_panel(page) -> None:
    if page.locator("#app.collapsed").count():
        page.click("#panel-toggle")
    page.locator("#panel").wait_for(state="visible")


# ---------------------------------------------------------------------- the city view


def test_the_city_view_renders_clusters_and_markers(desktop):
    page = desktop
    _reset(page)
    assert page.title() == "苏州市新时代文明实践一图导览"
    assert (
        page.evaluate("wenmingMap.count") == 2377 + 2 + 3 + 40
    )  # territory, 2 sub-centers, points
    stats = _stats(page)
    assert stats["clustered"] is True, "the whole-city view clusters"
    assert stats["visible"] == page.evaluate("wenmingMap.count")
    assert stats["clusters"] > 10
    assert stats["byLevel"]["center"] == 10 and stats["byLevel"]["guidance_center"] == 1
    assert _pixels(page, "#c62828") > 100, "the ten centers are painted"
    assert page.locator("#levels .layer").count() == 6
    assert page.locator("#departments .layer").count() == 2
    assert page.locator("#kinds .layer").count() == 3


def test_layers_toggle(desktop):
    page = desktop
    _reset(page)
    before = _stats(page)["visible"]
    page.click("details summary")  # departments are folded away by default
    page.locator("[data-layer='level:station'] input").uncheck()
    page.wait_for_timeout(100)
    assert _stats(page)["visible"] == before - 2248
    page.locator("[data-layer='department:water'] input").uncheck()
    page.wait_for_timeout(100)
    after = _stats(page)
    assert after["visible"] == before - 2248 - 3 - 20 - 1  # points, synthetic points, sub-center
    page.locator("[data-layer='department:water'] input").check()
    page.locator("[data-layer='level:station'] input").check()
    page.locator("[data-layer='kind:venue'] input").check()
    page.wait_for_timeout(100)
    with_venues = _stats(page)
    assert with_venues["visible"] > before
    assert with_venues["byLevel"].get("venue", 0) + with_venues["clusters"] > 0
    page.locator("[data-layer='kind:venue'] input").uncheck()
    page.wait_for_timeout(100)
    assert _stats(page)["visible"] == before


def test_search_select_popup_and_navigation(desktop, map_file):
    page = desktop
    _reset(page)
    _net = map_file[1]
    page.fill("#search", "电站村")
    page.wait_for_selector("#results li")
    assert page.locator("#results li").first.get_attribute("data-code") == DIANZHAN
    page.locator("#results li").first.click()
    popup = page.locator("#popup")
    popup.wait_for(state="visible")
    assert "电站村新时代文明实践站" in popup.locator("h3").inner_text()
    parents = popup.locator("ul.parents a").all_inner_texts()
    assert parents == [
        "城厢镇新时代文明实践所",
        "太仓市新时代文明实践中心",
        "苏州市新时代文明实践指导中心",
    ]
    assert "城厢水厂" in popup.locator("ul.pairings a").all_inner_texts()
    assert "估计位置" in popup.inner_text()
    site = _net.site(DIANZHAN).site
    expected = navigation.links(site.lng, site.lat, site.name)
    assert popup.locator("a[data-nav='amap']").get_attribute("href") == expected.amap
    assert popup.locator("a[data-nav='baidu']").get_attribute("href") == expected.baidu
    assert popup.locator("a[data-nav='geo']").get_attribute("href") == expected.geo
    stats = _stats(page)
    assert stats["clustered"] is False and stats["byLevel"].get("station", 0) > 10
    assert _pixels(page, "#1565c0") > 50, "station markers are painted when zoomed in"
    # the parent chain navigates, and the address follows
    popup.locator("ul.parents a", has_text="城厢镇").click()
    assert "城厢镇新时代文明实践所" in popup.locator("h3").inner_text()
    assert page.evaluate("location.hash") == "#site=320585100"


def test_clicking_a_marker_opens_its_popup(desktop):
    page = desktop
    _reset(page)
    lng, lat, _ = locate("320585")  # 太仓市: the view centres on its practice center
    page.evaluate(f"wenmingMap.setView({lng}, {lat}, 12)")
    box = page.locator("#canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator("#popup").wait_for(state="visible")
    assert page.locator("#popup h3").inner_text() == "太仓市新时代文明实践中心"
    assert "估计位置" not in page.locator("#popup").inner_text()


# ---------------------------------------------------------------------- search


def test_search_by_pinyin_and_initials_finds_a_venue(page):
    _reset(page)
    _open_panel(page)
    for query in ("suzhoutaihu", "ShiDi GongYuan", "taihushidi", "szthgj", "湿地公园", "太湖湿地"):
        page.fill("#search", query)
        page.wait_for_selector("#results li")
        codes = page.locator("#results li").evaluate_all("els => els.map(e => e.dataset.code)")
        assert WETLAND in codes[:5], f"{query!r} finds the wetland park: {codes[:5]}"
    page.fill("#search", "suzhoutaihuguojiashidi")
    first = page.locator("#results li").first
    assert first.get_attribute("data-code") == WETLAND
    assert first.get_attribute("data-type") == "resource"
    meta = first.locator("small").inner_text()
    assert "场地" in meta and "园林" in meta, f"results show kind and department: {meta}"
    # initials with gaps still find it, and "szsd" finds sites as well as resources
    gapped = [h["id"] for h in page.evaluate("wenmingMap.search('szsd')")]
    assert WETLAND in gapped[:3]
    assert len(gapped) < 30, "gaps never match through 新时代文明实践, which every site repeats"
    assert page.evaluate("wenmingMap.search('nomatchxyz')") == []
    first.click()
    popup = page.locator("#popup")
    popup.wait_for(state="visible")
    assert popup.locator("h3").inner_text() == "苏州太湖国家湿地公园"
    text = popup.inner_text()
    assert "园林" in text and "可容纳 80 人" in text and "亲子家庭" in text
    assert page.evaluate("location.hash") == f"#resource={WETLAND}"
    if page.size == "phone":
        assert page.locator("#app.collapsed").count() == 1, "picking a result shows the map"
        box, vp = popup.bounding_box(), page.viewport_size
        assert box["width"] == vp["width"], "the popup is a bottom sheet on phones"
        assert abs(box["y"] + box["height"] - vp["height"]) < 1
        assert box["height"] <= vp["height"] * 0.56


# ---------------------------------------------------------------------- links


@pytest.mark.parametrize(
    ("fragment", "title", "expect"),
    [
        (f"#site={DIANZHAN}", "电站村新时代文明实践站", "城厢镇"),
        ("#resource=water.water_journey", "一滴水的旅行", "苏州市水务局"),
        (f"#resource={WETLAND}", "苏州太湖国家湿地公园", "虎丘区"),
    ],
)
def test_a_url_fragment_opens_its_popup(browser, map_file, page, fragment, title, expect):
    fresh = _open(browser, page.size, map_file[0].as_uri() + fragment)
    try:
        popup = fresh.locator("#popup")
        popup.wait_for(state="visible")
        assert popup.locator("h3").inner_text() == title
        assert expect in popup.inner_text()
        assert fresh.evaluate("location.hash") == fragment
        # the address bar changing on an open page opens the new place
        fresh.evaluate("location.hash = '#site=320585'")
        fresh.wait_for_function(
            "document.querySelector('#popup h3').textContent.includes('太仓市')"
        )
        assert fresh.errors == []
    finally:
        fresh.context.close()


@pytest.mark.parametrize("fragment", ["#site=999999", "#resource=water.nothing", "#site=%E0%A4%A"])
def test_a_fragment_naming_nothing_says_so(browser, map_file, fragment):
    fresh = _open(browser, "desktop", map_file[0].as_uri() + fragment)
    try:
        toast = fresh.locator("#toast")
        toast.wait_for(state="visible")
        assert "不在这张地图上" in toast.inner_text()
        assert fresh.locator("#popup").is_hidden()
        assert fresh.errors == []
    finally:
        fresh.context.close()


def test_a_resource_says_what_it_offers_and_who_runs_it(desktop):
    page = desktop
    assert (
        page.evaluate("wenmingMap.selectResource('water.water_journey')") == "water.water_journey"
    )
    text = page.locator("#popup").inner_text()
    for part in (
        "项目",
        "苏州市水务局",
        "水务行业新时代文明实践分中心",
        "一滴水的旅行",
        "未成年人",
        "每场 40 人",
        "服务半径",
        "送服务",
    ):
        assert part in text, part
    team = page.evaluate("wenmingMap.search('gardens syn')")  # no such name: keys are not searched
    assert team == []


def test_share_copies_the_link_or_shows_it(desktop):
    page = desktop
    page.evaluate(f"wenmingMap.select('{DIANZHAN}')")
    page.evaluate(
        "window.__copied = []; Object.defineProperty(navigator, 'clipboard', {configurable: true,"
        " value: {writeText: t => (window.__copied.push(t), Promise.resolve())}})"
    )
    page.click("#popup button.share")
    page.locator("#toast").wait_for(state="visible")
    copied = page.evaluate("window.__copied")
    assert len(copied) == 1 and copied[0].endswith(f"#site={DIANZHAN}")
    assert copied[0].startswith("file://")
    # the clipboard refused and no copy command either: the link is shown to copy by hand
    page.evaluate(
        "Object.defineProperty(navigator, 'clipboard', {configurable: true, value: {writeText:"
        " () => Promise.reject(new Error('denied'))}}); document.execCommand = () => false"
    )
    page.click("#popup button.share")
    box = page.locator("#popup .share-box input")
    box.wait_for(state="visible")
    assert box.input_value().endswith(f"#site={DIANZHAN}")
    assert page.evaluate("wenmingMap.lastShare().how") == "manual"


# ---------------------------------------------------------------------- labels


def _assert_apart(labels: list[dict], width: int, height: int) -> None:
    for a, b in combinations(labels, 2):
        apart = (
            a["x"] + a["w"] <= b["x"]
            or b["x"] + b["w"] <= a["x"]
            or a["y"] + a["h"] <= b["y"]
            or b["y"] + b["h"] <= a["y"]
        )
        assert apart, f"labels overlap: {a} and {b}"
    for a in labels:
        assert (
            a["x"] >= 0 and a["y"] >= 0 and a["x"] + a["w"] <= width and a["y"] + a["h"] <= height
        )


def test_labels_never_overlap(page):
    _reset(page)
    size = page.viewport_size
    for zoom in (11, 12.5, 13, 14, 15.5):
        page.evaluate(f"wenmingMap.setView({GUSU[0]}, {GUSU[1]}, {zoom})")
        stats = _stats(page)
        labels = page.evaluate("wenmingMap.labels()")
        box = page.locator("#canvas").bounding_box()
        _assert_apart(labels, box["width"], box["height"])
        zoom_buttons = page.locator("#zoom").bounding_box()
        zoom_buttons = {
            **zoom_buttons,
            "x": zoom_buttons["x"] - box["x"],
            "w": zoom_buttons["width"],
        }
        zoom_buttons["h"] = zoom_buttons["height"]
        _assert_apart([*labels, zoom_buttons], box["width"], box["height"])  # clear of buttons
        assert len(labels) == stats["labels"] > 5
        if zoom == 13:
            assert stats["labelCandidates"] > len(labels), (
                "at street level some labels must give way"
            )
            assert len(labels) > (15 if size["width"] < 700 else 40)
        # each box holds text that was actually painted (dark pixels), where it says
        for label in labels[:: max(1, len(labels) // 25)]:
            assert _dark_pixels(page, label) > 10, f"no text painted in {label}"
        assert "姑苏区" in [a["text"] for a in labels if a["kind"] == "county"]


def test_county_names_at_every_zoom(page):
    _reset(page)
    labels = page.evaluate("wenmingMap.labels()")
    names = [a["text"] for a in labels if a["kind"] == "county"]
    assert len(names) == 10, f"the whole city shows all ten county names: {names}"
    markers = {m["id"]: m for m in page.evaluate("wenmingMap.markers()")}
    for a in labels:
        if a["kind"] == "county":
            m = markers[a["id"]]  # the county's practice center marks its centre
            cx, cy = a["x"] + a["w"] / 2, a["y"] + a["h"] / 2
            assert abs(cx - m["x"]) < a["w"] / 2 + 20 and abs(cy - m["y"]) < a["h"] + 20


def test_colocated_sub_centers_fan_out(page):
    _reset(page)
    _stats(page)
    hubs = [
        m
        for m in page.evaluate("wenmingMap.markers()")
        if m["id"] == "3205" or m["id"].startswith("3205.")
    ]
    assert len(hubs) == 3  # the guidance center and the two sub-centers
    assert _stats(page)["fanned"] >= 1
    for a, b in combinations(hubs, 2):
        gap = ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5
        assert gap >= a["r"] + b["r"], f"{a['id']} and {b['id']} are drawn on top of each other"


def test_county_filter(desktop, map_file):
    page = desktop
    _reset(page)
    _open_panel(page)
    page.select_option("#county", label="太仓市")
    page.wait_for_timeout(100)
    expected = sum(
        1
        for s in map_file[1].sites()
        if s.code.startswith("320585") or (s.parent_code or "").startswith("320585")
    )
    assert _stats(page)["visible"] == expected
    assert page.locator("#where").inner_text().startswith("太仓市")
    page.select_option("#county", label="全市")
    page.wait_for_timeout(100)
    assert _stats(page)["visible"] == page.evaluate("wenmingMap.count")


# ---------------------------------------------------------------------- layout


def test_the_panel_collapses(page):
    _reset(page)
    width = page.viewport_size["width"]
    phone = page.size == "phone"
    canvas = page.locator("#canvas")
    if phone:
        assert page.locator("#panel").is_hidden(), "a phone starts with the map, not the panel"
        assert canvas.bounding_box()["width"] == width
    _open_panel(page)
    assert page.locator("#panel").bounding_box()["width"] >= (width if phone else 300)
    page.click("#panel-close")
    assert page.locator("#panel").is_hidden()
    page.wait_for_timeout(50)
    assert canvas.bounding_box()["width"] == width, "the map takes the whole width"
    assert page.locator("#panel-toggle").get_attribute("aria-expanded") == "false"
    if not phone:
        page.click("#panel-toggle")
        assert page.locator("#panel").is_visible()
        assert canvas.bounding_box()["width"] == width - 320


def test_touch_targets_are_44px(phone):
    page = phone
    _reset(page)
    _open_panel(page)
    page.fill("#search", "dianzhan")
    page.wait_for_selector("#results li")
    targets = page.locator(
        "#panel button:visible, #panel input[type=search], #panel select, #panel .layer:visible,"
        " #results li, #panel summary, #zoom button"
    )
    assert targets.count() > 15
    for i in range(targets.count()):
        box = targets.nth(i).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, targets.nth(i).evaluate(
            "e => e.outerHTML"
        )
    page.locator("#results li").first.click()
    buttons = page.locator("#popup button, #popup .nav a, #popup ul a")
    assert buttons.count() >= 4
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44


def test_touch_pans_and_pinches(phone):
    page = phone
    _reset(page)
    page.evaluate(f"wenmingMap.setView({GUSU[0]}, {GUSU[1]}, 12)")
    cdp = page.context.new_cdp_session(page)

    def touch(kind: str, *points: tuple[float, float]) -> None:
        cdp.send(
            "Input.dispatchTouchEvent",
            {
                "type": kind,
                "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)],
            },
        )

    before = page.evaluate("wenmingMap.view()")
    touch("touchStart", (150, 400))
    for step in range(1, 6):
        touch("touchMove", (150 + 20 * step, 400))
    touch("touchEnd")
    panned = page.evaluate("wenmingMap.view()")
    assert panned["cx"] < before["cx"] and panned["zoom"] == before["zoom"], "a drag pans"
    touch("touchStart", (150, 400), (250, 400))
    for step in range(1, 6):
        touch("touchMove", (150 - 10 * step, 400), (250 + 10 * step, 400))
    touch("touchEnd")
    pinched = page.evaluate("wenmingMap.view()")
    assert abs(pinched["zoom"] - (before["zoom"] + 1)) < 0.05, (
        "spreading two fingers 2× zooms in one step"
    )
    assert page.locator("#popup").is_hidden(), "neither gesture is a tap"


def test_screenshots(page, tmp_path):
    _reset(page)
    if page.size == "phone":
        _open_panel(page)
        page.fill("#search", "taihushidi")
        page.wait_for_selector("#results li")
        page.locator("#results li").first.click()
    else:
        page.evaluate(f"wenmingMap.setView({GUSU[0]}, {GUSU[1]}, 13)")
        page.evaluate(f"wenmingMap.selectResource('{WETLAND}')")
        page.evaluate(f"wenmingMap.setView({GUSU[0]}, {GUSU[1] - 0.04}, 12.6)")
        _open_panel(page)
        page.fill("#search", "szsd")
    page.wait_for_timeout(150)
    shot = tmp_path / f"map-{page.size}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if os.environ.get("WENMING_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, ROOT / "docs" / f"map-{page.size}.png")
