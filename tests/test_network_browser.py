"""The offline map in a real headless browser (Debian's chromium driven by Playwright).

Skipped when chromium or Playwright is missing, unless ``WENMING_REQUIRE_BROWSER=1``
(CI), which turns the skip into a failure; ``scripts/install-browser`` installs it.
Set ``WENMING_UPDATE_SCREENSHOT=1`` to refresh ``docs/map-screenshot.png`` from the run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import wenming_water
from wenming.network import locate, navigation
from wenming.network.mapview import write_map
from wenming.network.service import Network
from wenming.storage import Storage
from wenming.testing import load_registry

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
DIANZHAN = "320585100203"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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
    registry = load_registry(wenming_water, name="water")
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
    path = folder / "map.html"
    write_map(net, path)
    yield path, net
    storage.dispose()


@pytest.fixture(scope="module")
def page(map_file):
    sync_playwright = _browser_or_skip()
    path, _net = map_file
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        page.errors = errors
        yield page
        browser.close()


def _stats(page) -> dict:
    """What the last frame drew, after drawing the current state (no waiting on rAF)."""
    return page.evaluate("wenmingMap.redraw(), wenmingMap.stats()")


def _pixels(page, hex_color: str) -> int:
    """How many canvas pixels have exactly this colour: proof that markers were painted."""
    page.evaluate("wenmingMap.redraw()")
    return page.evaluate(
        """(hex) => {
            const c = document.getElementById('canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            const r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16),
                  b = parseInt(hex.slice(5, 7), 16);
            let n = 0;
            for (let i = 0; i < d.length; i += 4)
                if (d[i] === r && d[i + 1] === g && d[i + 2] === b) n++;
            return n;
        }""",
        hex_color,
    )


def test_the_city_view_renders_clusters_and_markers(page):
    assert page.errors == []
    assert page.title() == "苏州市新时代文明实践一图导览"
    assert page.evaluate("wenmingMap.count") == 2381
    stats = _stats(page)
    assert stats["clustered"] is True, "the whole-city view clusters"
    assert stats["visible"] == 2381
    assert stats["clusters"] > 10
    assert stats["byLevel"]["center"] == 10 and stats["byLevel"]["guidance_center"] == 1
    assert _pixels(page, "#c62828") > 100, "the ten centers are painted"
    assert page.locator("#levels .layer").count() == 6
    assert page.locator("#departments .layer").count() == 1


def test_layers_toggle(page):
    before = _stats(page)["visible"]
    page.locator("[data-layer='level:station'] input").uncheck()
    page.wait_for_timeout(100)
    assert _stats(page)["visible"] == before - 2248
    page.locator("[data-layer='department:water'] input").uncheck()
    page.wait_for_timeout(100)
    after = _stats(page)
    assert after["visible"] == before - 2248 - 4  # 3 practice points and the sub-center
    assert "subcenter" not in after["byLevel"]
    page.locator("[data-layer='department:water'] input").check()
    page.locator("[data-layer='level:station'] input").check()
    page.wait_for_timeout(100)
    assert _stats(page)["visible"] == before


def test_search_select_popup_and_navigation(page, map_file):
    _path, net = map_file
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
    assert popup.locator("ul.pairings a").all_inner_texts() == ["城厢水厂"]
    assert "approximate position" in popup.inner_text()
    site = net.site(DIANZHAN).site
    expected = navigation.links(site.lng, site.lat, site.name)
    assert popup.locator("a[data-nav='amap']").get_attribute("href") == expected.amap
    assert popup.locator("a[data-nav='baidu']").get_attribute("href") == expected.baidu
    assert popup.locator("a[data-nav='geo']").get_attribute("href") == expected.geo
    stats = _stats(page)
    assert stats["clustered"] is False and stats["byLevel"].get("station", 0) > 10
    assert _pixels(page, "#1565c0") > 50, "station markers are painted when zoomed in"
    # the parent chain navigates
    popup.locator("ul.parents a", has_text="城厢镇").click()
    assert "城厢镇新时代文明实践所" in popup.locator("h3").inner_text()


def test_clicking_a_marker_opens_its_popup(page):
    page.evaluate("wenmingMap.select(null)")
    assert not page.locator("#popup").is_visible()
    lng, lat, _ = locate("320585")  # 太仓市: the view centres on its practice center
    page.evaluate(f"wenmingMap.setView({lng}, {lat}, 12)")
    box = page.locator("#canvas").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator("#popup").wait_for(state="visible")
    assert page.locator("#popup h3").inner_text() == "太仓市新时代文明实践中心"
    assert "approximate position" not in page.locator("#popup").inner_text()


def test_screenshot(page, tmp_path):
    page.evaluate("wenmingMap.select(null)")
    page.click("#zoom-fit")
    page.wait_for_timeout(100)
    page.evaluate("wenmingMap.select('320576054')")  # 金鸡湖街道, paired with the sub-center
    page.evaluate("wenmingMap.setView(120.66, 31.40, 9.7)")
    page.wait_for_timeout(150)
    shot = tmp_path / "map-screenshot.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if os.environ.get("WENMING_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, ROOT / "docs" / "map-screenshot.png")
