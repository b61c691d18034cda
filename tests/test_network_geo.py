"""Datum conversions, approximate positions and ``locate`` against the packaged data."""

from __future__ import annotations

import csv
import math

import pytest

from wenming.errors import WenmingError
from wenming.network import geo, locate
from wenming.network.regions import DATA_DIR, normalize_code, read_region

VECTORS = list(csv.DictReader((DATA_DIR / "suzhou" / "datum-vectors.csv").open(encoding="utf-8")))
# The reference WGS-84 values were computed by a bisection that stops once the round
# trip is within 1e-6°, so they sit up to ~1e-6° (0.1 m) from the exact inverse.
WGS_TOLERANCE = 2e-6
BD_TOLERANCE = 1e-7


def _f(row: dict[str, str], key: str) -> float:
    return float(row[key])


def test_there_are_ten_reference_points():
    assert len(VECTORS) == 10


@pytest.mark.parametrize("row", VECTORS, ids=lambda r: r["code"])
def test_gcj02_to_wgs84_matches_the_reference(row):
    lng, lat = geo.gcj02_to_wgs84(_f(row, "gcj02_lng"), _f(row, "gcj02_lat"))
    assert lng == pytest.approx(_f(row, "wgs84_lng"), abs=WGS_TOLERANCE)
    assert lat == pytest.approx(_f(row, "wgs84_lat"), abs=WGS_TOLERANCE)
    # the offset is real: a few hundred metres, not zero
    assert geo.haversine_km(lng, lat, _f(row, "gcj02_lng"), _f(row, "gcj02_lat")) > 0.3


@pytest.mark.parametrize("row", VECTORS, ids=lambda r: r["code"])
def test_gcj02_to_bd09_matches_the_reference(row):
    lng, lat = geo.gcj02_to_bd09(_f(row, "gcj02_lng"), _f(row, "gcj02_lat"))
    assert lng == pytest.approx(_f(row, "bd09_lng"), abs=BD_TOLERANCE)
    assert lat == pytest.approx(_f(row, "bd09_lat"), abs=BD_TOLERANCE)
    back = geo.bd09_to_gcj02(lng, lat)
    assert back == pytest.approx((_f(row, "gcj02_lng"), _f(row, "gcj02_lat")), abs=2e-6)


@pytest.mark.parametrize("row", VECTORS, ids=lambda r: r["code"])
def test_the_inverse_is_exact(row):
    gcj = (_f(row, "gcj02_lng"), _f(row, "gcj02_lat"))
    wgs = geo.gcj02_to_wgs84(*gcj)
    assert geo.wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=1e-9)
    assert geo.to_wgs84(*gcj, "GCJ-02") == wgs
    bd = (_f(row, "bd09_lng"), _f(row, "bd09_lat"))
    assert geo.to_wgs84(*bd, "bd09") == pytest.approx(wgs, abs=WGS_TOLERANCE)


def test_outside_china_nothing_is_shifted():
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert geo.gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_unknown_datum_and_bad_coordinates_are_refused():
    with pytest.raises(ValueError, match="unknown datum 'utm'"):
        geo.to_wgs84(1, 2, "utm")
    with pytest.raises(ValueError, match="latitude must be between -90 and 90, got 91"):
        geo.check_lnglat(120, 91)
    with pytest.raises(ValueError, match="longitude"):
        geo.check_lnglat(math.nan, 31)


def test_spread_is_deterministic_and_stays_in_its_disc():
    anchor = (120.6, 31.3)
    points = [geo.spread(f"code{i}", anchor, 5.0) for i in range(300)]
    assert geo.spread("code7", anchor, 5.0) == points[7]
    distances = [geo.haversine_km(*anchor, *p) for p in points]
    assert max(distances) <= 5.0 + 1e-6
    assert len(set(points)) == 300
    # spread over the disc, not piled near the middle or the rim
    assert 0.25 < sum(d < 5.0 / math.sqrt(2) for d in distances) / 300 < 0.75


def test_locate_a_county_converts_its_gcj02_center():
    row = next(r for r in VECTORS if r["code"] == "320585")
    lng, lat, approximate = locate("320585")
    assert approximate is False
    assert (lng, lat) == pytest.approx((_f(row, "wgs84_lng"), _f(row, "wgs84_lat")), abs=2e-6)


def test_locate_towns_and_villages_is_approximate_and_near_their_parents():
    county = locate("320585")
    town = locate("320585100")
    village = locate("320585100203")  # 太仓市城厢镇电站村
    assert town[2] is True and village[2] is True
    assert geo.haversine_km(county[0], county[1], town[0], town[1]) <= 12.0
    assert geo.haversine_km(town[0], town[1], village[0], village[1]) <= 4.0
    assert locate("320585100203") == village
    assert locate("320585100000") == town  # 12-digit padded form


def test_locate_the_city_and_unknown_codes():
    lng, lat, approximate = locate("3205")
    assert approximate is True and 120.4 < lng < 121.1 and 31.0 < lat < 31.8
    with pytest.raises(WenmingError, match="unknown division code '320585999'"):
        locate("320585999")
    with pytest.raises(WenmingError, match="no packaged region dataset covers"):
        locate("1101")


def test_normalize_code():
    assert normalize_code("320500000000") == "3205"
    assert normalize_code("320505000000") == "320505"
    assert normalize_code("320505001002") == "320505001002"


def test_the_suzhou_dataset():
    region = read_region("suzhou")
    counts = {level: len(region.at_level(level)) for level in ("city", "county", "town", "village")}
    assert counts == {"city": 1, "county": 10, "town": 118, "village": 2248}
    zones = [d for d in region.at_level("town") if d.functional_zone]
    assert len(zones) == 27
    assert "320583400" in {d.code for d in zones}  # 昆山开发区
    assert region.divisions["320576"].name == "苏州工业园区"
    # every position is within Suzhou's rough bounding box
    for d in region.divisions.values():
        assert 119.9 < d.lng < 121.4 and 30.7 < d.lat < 32.1, d
