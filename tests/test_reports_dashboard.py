"""The offline dashboard in a real headless browser, on counters of real workflow events.

Set ``WENMING_UPDATE_SCREENSHOT=1`` to refresh ``docs/dashboard-screenshot.png``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

import wenming_water
from wenming.network.service import Network
from wenming.orders import Actor
from wenming.orders.testing import Clock, make_workflow
from wenming.reports.counters import counters_of
from wenming.reports.dashboard import write_dashboard

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
OPS = Actor("ops", "city_dispatcher")
CORPS = Actor("lead", "team_leader", team="water.corps")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dash")
    wf = make_workflow(
        f"sqlite:///{folder / 'd.db'}",
        [("water", wenming_water)],
        clock=Clock(dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.UTC)),
    )
    Network(wf.storage, wf.registry).load_region()
    places = ["320505001002", "320505001002", "320585100203", "320506001001"]
    for i, place in enumerate(places * 3):
        station = Actor(f"s{i}", "station_operator", area=place)
        order = wf.submit(
            station, category="science", place=place, start=wf.clock().date() + dt.timedelta(days=3)
        )
        wf.dispatch(OPS, order.id, "water.corps")
        wf.accept(CORPS, order.id)
        wf.start(CORPS, order.id)
        wf.complete(CORPS, order.id, {"张三": 2, f"志愿者{i}": 1.5})
        wf.evaluate(station, order.id, 3 + i % 3)
        wf.clock.advance(days=17)
    path = folder / "dashboard.html"
    result = write_dashboard(counters_of(wf.deployment), path, year=2027)
    yield path, result
    wf.deployment.close()


def test_dashboard_is_one_offline_file_with_the_counted_figures(dashboard):
    path, result = dashboard
    html = path.read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html and "<link" not in html and "src=" not in html
    assert result["counties"] == 10 and "orders_completed" in result["metrics"]


def test_dashboard_renders_trend_tiles_and_tops_without_errors(dashboard, chromium):
    path, _ = dashboard
    errors = []
    for width, height, name in ((390, 844, "phone"), (1280, 800, "desktop")):
        page = chromium.new_page(viewport={"width": width, "height": height})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri() + "#metric=orders_completed")
        page.wait_for_selector("#trend rect", state="attached")
        bars = page.eval_on_selector_all(
            "#trend rect", "rs => rs.map(r => r.getAttribute('height'))"
        )
        assert len(bars) == 12
        heights = [float(h) for h in bars]
        # 12 orders completed every 17 days from 1 March: March to August have some
        assert heights[0] == 0 and heights[1] == 0 and heights[2] > 0
        tiles = page.eval_on_selector_all(
            ".tile rect",
            "rs => rs.map(r => { const b = r.getBoundingClientRect();"
            " return [b.left, b.top, b.right, b.bottom]; })",
        )
        assert len(tiles) == 10
        for i, a in enumerate(tiles):
            for b in tiles[i + 1 :]:
                overlap = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
                assert min(overlap) <= 0.5, f"{name}: county tiles overlap"
        top = page.inner_text("#top-county")
        assert "虎丘区" in top and "太仓市" in top
        dept = page.inner_text("#top-department")
        assert "水务" in dept
        page.select_option("#metric", "evaluation")
        assert page.evaluate("location.hash") == "#metric=evaluation"
        assert "平均评价" in page.inner_text("#footer")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{name}: page scrolls sideways ({scroll} px)"
        if os.environ.get("WENMING_UPDATE_SCREENSHOT") == "1":
            page.select_option("#metric", "orders_completed")
            page.screenshot(path=str(ROOT / "docs" / f"dashboard-{name}.png"), full_page=True)
        page.close()
    assert errors == []
