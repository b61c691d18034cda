"""What the map file carries, checked without a browser: the search index (full pinyin
and initials), counties, and the shared resources with what they offer."""

from __future__ import annotations

import json
import re

import pytest

import wenming_gardens
import wenming_water
from wenming.network.mapview import map_data, render_map
from wenming.network.names import pinyin_forms, pinyin_syllables
from wenming.network.service import Network
from wenming.storage import Storage
from wenming.testing import load_registry


@pytest.mark.parametrize(
    ("text", "full", "initials"),
    [
        ("苏州市", "suzhoushi", "szs"),
        ("苏州太湖国家湿地公园", "suzhoutaihuguojiashidigongyuan", "szthgjsdgy"),
        ("长江", "changjiang", "cj"),  # the phrase picks the reading of 长
        ("银行", "yinhang", "yh"),
        ("吕巷", "lvxiang", "lx"),
        ("W1号 水厂", "w1haoshuichang", "w1hsc"),
        ("", "", ""),
    ],
)
def test_pinyin_forms(text, full, initials):
    assert pinyin_forms(text) == (full, initials)
    assert "".join(pinyin_syllables(text)) == full


def test_pinyin_syllables():
    assert pinyin_syllables("苏州W1号 水厂") == ("su", "zhou", "w1", "hao", "shui", "chang")


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    registry = load_registry(("water", wenming_water), ("gardens", wenming_gardens))
    storage = Storage(f"sqlite:///{tmp_path_factory.mktemp('mapdata') / 'm.db'}")
    storage.create()
    network = Network(storage, registry)
    network.load_region()
    network.add_sites(
        [
            {
                "code": "W1",
                "name": "城厢水厂",
                "site_type": "water.waterworks",
                "parent_code": "320585100203",
            }
        ]
    )
    yield network
    storage.dispose()


def test_sites_carry_their_search_forms_and_county(net):
    data = map_data(net)
    rows = {r[0]: r for r in data["sites"]}
    counties = [c["code"] for c in data["counties"]]
    assert len(counties) == 10 and [c["name"] for c in data["counties"]][:1] == ["虎丘区"]  # 320505
    w1 = rows["W1"]
    assert w1[9:11] == ["cheng'xiang'shui'chang", "cxsc"]
    assert counties[w1[8]] == "320585", "a practice point's county comes from its parent chain"
    assert counties[rows["320585100203"][8]] == "320585"
    assert rows["3205"][8] == -1 and rows["3205.water"][8] == -1, "city-level hubs have none"


def test_resources_say_what_they_offer_and_where(net):
    data = map_data(net)
    rows = {r[0]: r for r in data["resources"]}
    wetland = rows["gardens.taihu_wetland_park"]
    assert wetland[1] == "苏州太湖国家湿地公园"
    assert data["kinds"][wetland[2]]["label"] == "场地"
    assert data["departments"][wetland[3]]["label"] == "苏州市园林和绿化管理局"
    assert wetland[4] == "320505004", "it is at its town's institute"
    assert data["counties"][wetland[5]]["name"] == "虎丘区"
    assert wetland[16] is not None, "it has a position"
    assert wetland[7] == 80
    assert "亲子家庭" in [data["audiences"][a] for a in wetland[13]]
    offered = [data["templates_zh"][t] for t in wetland[11]]
    assert offered, "a venue lists the department's templates held at its site type"
    assert wetland[14:16] == ["su'zhou'tai'hu'guo'jia'shi'di'gong'yuan", "szthgjsdgy"]
    journey = rows["water.water_journey"]
    assert [data["templates_zh"][t] for t in journey[11]] == ["一滴水的旅行"]
    assert journey[4] == "3205", "a city-wide project sits at the guidance center"
    assert journey[16] is not None, "with navigation coordinates"
    assert data["reaches"][journey[9]] == "全市（市级资源，不限距离）", (
        "a city-level resource serves the whole city"
    )
    assert data["reaches"][wetland[9]] == "5 公里（生活圈默认半径）", (
        "no rule narrows it: the living circle"
    )
    wider = map_data(net, living_circle_km=8)
    at = {r[0]: r for r in wider["resources"]}["gardens.taihu_wetland_park"][9]
    assert wider["reaches"][at] == "8 公里（生活圈默认半径）"


def test_reach_follows_the_distance_rules():
    import wenming_civil_affairs
    from wenming.network.mapview import _reach

    registry = load_registry(("water", wenming_water), ("civil_affairs", wenming_civil_affairs))
    point = (None, 120.6, 31.3)
    # water's promenades: a venue rule of 3 km for every demand
    assert _reach(registry, "venue", "water", None, "320505004", point, 5.0) == "3 公里"
    assert _reach(registry, "team", "water", None, "320505004", point, 5.0).startswith("5 公里")
    # civil affairs' care venues: 1.5 km, but only for help-in-difficulty demands
    text = _reach(registry, "venue", "civil_affairs", None, "320505004", point, 5.0)
    assert text.startswith("5 公里") and "扶弱帮困需求 1.5 公里" in text
    assert _reach(registry, "venue", "water", None, "3205", (2.5, None, None), 5.0) == (
        "2.5 公里（本资源设定）"
    )


def test_the_page_inlines_everything(net):
    page = render_map(net)
    assert "<script src" not in page and "<link" not in page
    assert not re.search(r"https?://(?!uri\.amap|api\.map\.baidu)", page.split('id="wm-data"')[0])
    payload = re.search(r'<script id="wm-data" type="application/json">(.*?)</script>', page, re.S)
    data = json.loads(payload.group(1).replace("<\\/", "</"))
    assert len(data["sites"]) == len(net.sites())
    for name in ("WMSearch", "WMLayout", "wenmingMap"):
        assert name in page


def test_write_map_reports_what_it_wrote(net, tmp_path):
    from wenming.network.mapview import write_map

    info = write_map(net, tmp_path / "out" / "map.html")
    assert info["resources"] == len(net.registry.resources)  # no stored rows in this database
    assert info["sites"] == len(net.sites())
    assert info["bytes"] == (tmp_path / "out" / "map.html").stat().st_size
