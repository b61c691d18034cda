"""The site importer: every bad input stops the import, names file/row/field, writes nothing.

Each test runs on SQLite and PostgreSQL (the ``wenming_storage`` fixture).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

import wenming_water
from wenming.network import geo
from wenming.network.importer import SiteImportError, add_sites, import_file, read_rows
from wenming.storage.tables import Site
from wenming.testing import load_registry

HEADER = "code,name,site_type,parent_code,lng,lat\n"


@pytest.fixture(scope="module")
def registry():
    return load_registry(wenming_water, name="water")


def _count(storage) -> int:
    with storage.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Site.__table__)).scalar_one()


def _codes(storage) -> set[str]:
    with storage.engine.connect() as conn:
        return {r[0] for r in conn.execute(select(Site.__table__.c.code))}


@pytest.fixture
def base(wenming_storage, registry):
    """A tiny network: guidance center, one center with a known position, a town, a
    village, the water sub-center."""
    add_sites(
        wenming_storage,
        registry,
        [
            {
                "code": "9901",
                "name": "Test city guidance center",
                "site_type": "guidance_center",
                "lng": 120.6,
                "lat": 31.3,
            },
            {
                "code": "990101",
                "name": "Center A",
                "site_type": "center",
                "lng": 120.62,
                "lat": 31.31,
            },
            {
                "code": "990101001",
                "name": "Institute A1",
                "site_type": "institute",
                "parent_code": "990101",
            },
            {
                "code": "990101001001",
                "name": "Station A1a",
                "site_type": "station",
                "parent_code": "990101001",
            },
            {
                "code": "9901.water",
                "name": "Water sub-center",
                "site_type": "subcenter",
                "department": "water",
            },
        ],
        source="base",
    )
    assert _count(wenming_storage) == 5
    return wenming_storage


def _import_fails(storage, registry, path, message: str) -> SiteImportError:
    before = _codes(storage)
    with pytest.raises(SiteImportError) as info:
        import_file(storage, registry, path)
    assert str(info.value) == message
    assert _codes(storage) == before, "the database must be unchanged"
    return info.value


def test_a_good_csv_imports_everything_in_one_go(base, registry, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(
        "code,name,site_type,parent_code,line_code,lng,lat,datum\n"
        # listed before its parent: the importer orders parents first
        "990101001002,Station A1b,core.station,990101001,,,,\n"
        "W1,城厢水厂,water.waterworks,990101001001,,120.6246210,31.2708390,gcj02\n"
        "W2,滨水长廊,water.waterfront_promenade,990101001,9901.water,,,\n",
        encoding="utf-8",
    )
    report = import_file(base, registry, path)
    assert report.added == {"station": 1, "practice_point": 2}
    assert report.approximate == 2
    with base.engine.connect() as conn:
        t = Site.__table__
        rows = {r.code: r for r in conn.execute(select(t))}
    w1 = rows["W1"]
    assert w1.department == "water" and w1.line_code == "9901.water"
    assert w1.approximate is False
    # GCJ-02 input is stored as WGS-84
    assert (w1.lng, w1.lat) == pytest.approx(geo.gcj02_to_wgs84(120.6246210, 31.2708390))
    w2 = rows["W2"]
    assert w2.approximate is True
    parent = rows["990101001"]
    assert geo.haversine_km(w2.lng, w2.lat, parent.lng, parent.lat) <= 1.0 + 1e-6


def test_unknown_parent(base, registry, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(HEADER + "990101001003,Station X,station,990101009,,\n", encoding="utf-8")
    _import_fails(
        base,
        registry,
        path,
        f"{path}: row 2, field 'parent_code': unknown parent '990101009' "
        "(not in the file or the database)",
    )


def test_duplicate_code_in_the_file(base, registry, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(
        HEADER
        + "990101001005,Station X,station,990101001,,\n"
        + "990101001006,Station Y,station,990101001,,\n"
        + "990101001005,Station Z,station,990101001,,\n",
        encoding="utf-8",
    )
    _import_fails(
        base,
        registry,
        path,
        f"{path}: row 4, field 'code': duplicate code '990101001005' (already in row 2)",
    )


def test_duplicate_code_in_the_database(base, registry, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(
        HEADER + "990101001007,Fine,station,990101001,,\n990101001001,Again,station,990101001,,\n",
        encoding="utf-8",
    )
    _import_fails(
        base,
        registry,
        path,
        f"{path}: row 3, field 'code': duplicate code '990101001001' (already in the database)",
    )


@pytest.mark.parametrize(
    ("lng", "lat", "field", "text"),
    [
        ("190.5", "31.3", "lng", "coordinate out of range: longitude 190.5 (-180 to 180)"),
        ("120.6", "-91", "lat", "coordinate out of range: latitude -91.0 (-90 to 90)"),
        ("120.6", "north", "lat", "expected a number, got 'north'"),
        ("120.6", "", "lat", "give both lng and lat, or neither"),
    ],
)
def test_bad_coordinates(base, registry, tmp_path, lng, lat, field, text):
    path = tmp_path / "sites.csv"
    path.write_text(
        HEADER + "990101001008,Fine,station,990101001,,\n"
        f"990101001009,Bad,station,990101001,{lng},{lat}\n",
        encoding="utf-8",
    )
    _import_fails(base, registry, path, f"{path}: row 3, field {field!r}: {text}")


def test_unknown_site_type(base, registry, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(HEADER + "W9,Pool,water.swimming_pool,990101001001,,\n", encoding="utf-8")
    _import_fails(
        base,
        registry,
        path,
        f"{path}: row 2, field 'site_type': unknown site type 'water.swimming_pool'",
    )


def test_unknown_site_type_suggests_the_qualified_one(base, registry, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(HEADER + "W9,Plant,waterworks,990101001001,,\n", encoding="utf-8")
    _import_fails(
        base,
        registry,
        path,
        f"{path}: row 2, field 'site_type': unknown site type 'waterworks'; "
        "did you mean water.waterworks?",
    )


def test_not_utf8(base, registry, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_bytes(HEADER.encode() + "990101001010,好,station,990101001,,\n".encode("gbk"))
    _import_fails(
        base,
        registry,
        path,
        f"{path}: row 2, field 'name': not UTF-8 (byte 0xba at offset {len(HEADER) + 13})",
    )


def test_wrong_parent_level_and_department(base, registry, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(HEADER + "990101001011,Bad,station,990101,,\n", encoding="utf-8")
    _import_fails(
        base,
        registry,
        path,
        f"{path}: row 2, field 'parent_code': parent '990101' is a center; "
        "a station's parent must be a institute",
    )
    path.write_text(
        "code,name,site_type,parent_code,department\nW3,Plant,water.waterworks,990101001,health\n",
        encoding="utf-8",
    )
    _import_fails(
        base,
        registry,
        path,
        f"{path}: row 2, field 'department': unknown department 'health' (known: water)",
    )


def test_unknown_column_and_missing_file(base, registry, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("code,name,colour\nX,Y,red\n", encoding="utf-8")
    with pytest.raises(SiteImportError, match=r"row 1, field 'colour': unknown column"):
        import_file(base, registry, path)
    with pytest.raises(SiteImportError, match=r"nope\.csv: no such file"):
        import_file(base, registry, tmp_path / "nope.csv")
    assert _count(base) == 5


def test_a_late_bad_row_leaves_the_good_ones_unwritten(base, registry, tmp_path):
    lines = [f"990101001{n:03d},Station {n},station,990101001,," for n in range(100, 400)]
    lines.append("990101001999,Bad,station,nowhere,,")
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    _import_fails(
        base,
        registry,
        path,
        f"{path}: row 302, field 'parent_code': unknown parent 'nowhere' "
        "(not in the file or the database)",
    )
    assert _count(base) == 5


def test_json_and_geojson(base, registry, tmp_path):
    path = tmp_path / "sites.json"
    path.write_text(
        json.dumps(
            {
                "sites": [
                    {
                        "code": "W5",
                        "name": "水讲堂",
                        "site_type": "water.waterworks",
                        "parent_code": "990101001001",
                        "lng": 120.63,
                        "lat": 31.32,
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    assert import_file(base, registry, path).added == {"practice_point": 1}
    path = tmp_path / "sites.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [120.64, 31.33]},
                        "properties": {
                            "code": "W6",
                            "name": "长廊",
                            "site_type": "water.waterfront_promenade",
                            "parent_code": "990101001",
                            "pairings": [],
                        },
                    },
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [120.64, 95]},
                        "properties": {
                            "code": "W7",
                            "name": "Bad",
                            "site_type": "water.waterworks",
                            "parent_code": "990101001",
                        },
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    _import_fails(
        base,
        registry,
        path,
        f"{path}: row 2, field 'lat': coordinate out of range: latitude 95.0 (-90 to 90)",
    )
    assert "W6" not in _codes(base)


def test_read_rows_numbers_csv_rows_like_a_spreadsheet(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("code,name\n\nA,a\nB,b\n", encoding="utf-8")
    assert [n for n, _ in read_rows(path)] == [3, 4]


def test_add_sites_api_for_other_areas(base, registry):
    report = add_sites(
        base,
        registry,
        [
            {
                "code": f"P{n}",
                "name": f"Point {n}",
                "site_type": "water.river_chief_post",
                "parent_code": "990101001001",
                "synthetic": True,
            }
            for n in range(50)
        ],
        source="synthetic points",
    )
    assert report.added == {"practice_point": 50}
    with pytest.raises(
        SiteImportError, match=r"^synthetic: row 2, field 'code': duplicate code 'P1'"
    ):
        add_sites(
            base,
            registry,
            [
                {
                    "code": "P100",
                    "name": "ok",
                    "site_type": "water.waterworks",
                    "parent_code": "990101001",
                },
                {
                    "code": "P1",
                    "name": "dup",
                    "site_type": "water.waterworks",
                    "parent_code": "990101001",
                },
            ],
            source="synthetic",
        )
    assert "P100" not in _codes(base)
