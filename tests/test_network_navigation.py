"""One-click navigation links carry the right datum for each service."""

from __future__ import annotations

import csv
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from wenming.network import navigation
from wenming.network.regions import DATA_DIR

VECTORS = list(csv.DictReader((DATA_DIR / "suzhou" / "datum-vectors.csv").open(encoding="utf-8")))
TOLERANCE = 2e-6  # the reference WGS-84 values are within ~1e-6° of the exact inverse


@pytest.mark.parametrize("row", VECTORS, ids=lambda r: r["code"])
def test_links_use_gcj02_for_amap_bd09_for_baidu_and_wgs84_for_geo(row):
    wgs = float(row["wgs84_lng"]), float(row["wgs84_lat"])
    name = row["name"] + "新时代文明实践中心"
    links = navigation.links(*wgs, name)

    amap = urlsplit(links.amap)
    assert (amap.scheme, amap.netloc, amap.path) == ("https", "uri.amap.com", "/navigation")
    query = parse_qs(amap.query)
    lng, lat, label = query["to"][0].split(",", 2)
    assert float(lng) == pytest.approx(float(row["gcj02_lng"]), abs=TOLERANCE)
    assert float(lat) == pytest.approx(float(row["gcj02_lat"]), abs=TOLERANCE)
    assert label == name and query["coordinate"] == ["gaode"]

    baidu = urlsplit(links.baidu)
    assert baidu.netloc == "api.map.baidu.com" and baidu.path == "/marker"
    query = parse_qs(baidu.query)
    lat, lng = (float(x) for x in query["location"][0].split(","))
    assert lng == pytest.approx(float(row["bd09_lng"]), abs=TOLERANCE)
    assert lat == pytest.approx(float(row["bd09_lat"]), abs=TOLERANCE)
    assert query["coord_type"] == ["bd09ll"] and query["title"] == [name]

    m = re.fullmatch(
        r"geo:(?P<lat>[-\d.]+),(?P<lng>[-\d.]+)\?q=(?P=lat),(?P=lng)\((?P<name>.*)\)", links.geo
    )
    assert m is not None, links.geo
    assert (float(m["lng"]), float(m["lat"])) == pytest.approx(wgs, abs=1e-6)
    assert unquote(m["name"]) == name


def test_names_are_fully_escaped():
    links = navigation.links(120.6, 31.3, "A&B (x)")
    assert "A%26B%20%28x%29" in links.amap and "&B" not in links.amap.split("to=")[1].split("&")[0]
    assert links.geo.endswith("(A%26B%20%28x%29)")


def test_coordinates_match_the_links():
    c = navigation.coordinates(120.6, 31.3)
    links = navigation.links(120.6, 31.3, "x")
    assert f"to={c['gcj_lng']},{c['gcj_lat']}," in links.amap
    assert f"location={c['bd_lat']},{c['bd_lng']}&" in links.baidu
    with pytest.raises(ValueError, match="latitude"):
        navigation.links(120.6, 100, "x")
