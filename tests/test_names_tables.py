"""Names to codes (pinyin too), display-width tables, local times and Excel exports."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest

from wenming.errors import ConfigError, WenmingError
from wenming.export import csv_text, write_table
from wenming.network.names import core_name, find, pinyin_forms, resolve_place
from wenming.network.regions import read_region
from wenming.tables import fit, render, width
from wenming.times import show, zone


def test_pinyin_forms_are_lower_case_without_tones_or_spaces():
    assert pinyin_forms("狮山街道") == ("shishanjiedao", "ssjd")
    assert pinyin_forms("重庆") == ("chongqing", "cq")  # read in context, not zhong
    assert pinyin_forms("2号楼 A区") == ("2haolouaqu", "2hlaq")
    assert pinyin_forms("绿化") == ("lvhua", "lh")


def test_core_name_drops_generic_endings():
    assert core_name("横塘社区新时代文明实践站") == "横塘社区"
    assert core_name("横塘村委会") == "横塘村"
    assert core_name("横塘社区居委会") == "横塘社区"
    assert core_name("新时代文明实践站") == "新时代文明实践站"


ITEMS = [
    ("320505002", "狮山街道新时代文明实践所", "institute", ""),
    ("320505002005", "狮山一社区新时代文明实践站", "station", ""),
    ("320505001", "横塘街道新时代文明实践所", "institute", ""),
    (
        "3205.water",
        "水务行业新时代文明实践分中心",
        "subcenter",
        "Water affairs practice sub-center",
    ),
]


@pytest.mark.parametrize(
    ("query", "first", "matched"),
    [
        ("狮山街道", "320505002", "name"),
        ("狮山", "320505002", "name"),
        ("shishan", "320505002", "pinyin"),
        ("ssjd", "320505002", "initials"),
        ("SHISHAN JIEDAO", "320505002", "pinyin"),
        ("hengtang", "320505001", "pinyin"),
        ("32050500", "320505001", "code"),
        ("water affairs", "3205.water", "name_en"),
    ],
)
def test_find_ranks_names_pinyin_initials_and_codes(query, first, matched):
    found = find(ITEMS, query)
    assert found[0].code == first and found[0].matched == matched


def test_find_puts_exact_names_first_and_misses_nothing_else():
    found = find(ITEMS, "狮山一社区")
    assert [f.code for f in found] == ["320505002005"] and found[0].rank == 0
    assert find(ITEMS, "虎丘") == []
    with pytest.raises(WenmingError, match="Chinese characters, pinyin or initials"):
        find(ITEMS, "#?")


def test_resolve_place_takes_codes_and_unambiguous_names():
    region = read_region("suzhou")
    assert resolve_place("320505001002", region) == "320505001002"
    assert resolve_place("320505001000", region) == "320505001"  # 12-digit town form
    assert resolve_place("横塘街道", region) == "320505001"
    assert resolve_place("hengtangjiedao", region) == "320505001"
    with pytest.raises(WenmingError) as err:
        resolve_place("999", region)
    assert "no division with this code in region suzhou" in str(err.value)
    assert "outside" not in str(err.value)
    with pytest.raises(WenmingError) as err:
        resolve_place("横塘", region)
    text = str(err.value)
    assert "ambiguous" in text and "\n" not in text
    for candidate in (
        "横塘街道 320505001",
        "横塘社区居委会 320505001002",
        "横塘村委会 320581005219",
    ):
        assert candidate in text
    with pytest.raises(WenmingError, match="no division of region suzhou has this name"):
        resolve_place("不存在的地方", region)


def test_width_counts_east_asian_wide_characters_twice():
    assert width("abc") == 3
    assert width("苏州工业园区") == 12
    assert width("Ａ") == 2  # fullwidth
    assert width("é") == 1 and width("e\u0301") == 1  # combining accent takes no column


def test_fit_cuts_with_an_ellipsis_by_display_width():
    name = "苏州工业园区新时代文明实践中心"
    assert fit(name, 40) == name
    cut = fit(name, 13)
    assert cut == "苏州工业园区…" and width(cut) <= 13
    assert fit("abcdef", 4) == "abc…"


def test_render_lines_up_chinese_and_latin_rows():
    lines = render(
        ("code", "county", "stations"),
        [("320505", "虎丘区", 94), ("320576", "苏州工业园区", 165), ("x", "ab", 5)],
    )
    assert len({width(line) for line in lines}) == 1  # every row as wide as the header
    assert lines[1].endswith(" 94") and lines[2].endswith("165")
    cut = render(("name",), [("苏州工业园区新时代文明实践中心",)], max_width=(10,))
    assert cut[1] == "苏州工业…"


def test_times_are_shown_in_the_deployment_zone():
    stored = dt.datetime(2023, 7, 10, 1, 30, tzinfo=dt.UTC)
    assert show(stored) == "2023-07-10 09:30 +08:00"
    assert show(stored.replace(tzinfo=None)) == "2023-07-10 09:30 +08:00"  # naive = UTC
    assert show(stored, "Europe/Berlin") == "2023-07-10 03:30 +02:00"
    assert show(None) == ""
    with pytest.raises(ConfigError, match="not an IANA time zone"):
        zone("Mars/Olympus")


def test_a_deployment_file_names_its_time_zone(tmp_path):
    from wenming.deployment import parse_config

    assert parse_config({"name": "x"}, "f").timezone == "Asia/Shanghai"
    assert parse_config({"name": "x", "timezone": "UTC"}, "f").timezone == "UTC"
    with pytest.raises(ConfigError, match="f: timezone 'Beijing' is not an IANA"):
        parse_config({"name": "x", "timezone": "Beijing"}, "f")


def test_csv_export_starts_with_a_byte_order_mark(tmp_path):
    assert csv_text(("a", "名称"), [(1, "狮山")]).startswith("\ufeffa,名称\n1,狮山\n")
    assert not csv_text(("a",), [], bom=False).startswith("\ufeff")
    path = tmp_path / "t.csv"
    assert write_table(path, ("code", "name"), [("1", "狮山街道"), ("2", None)]) == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfcode,name\n") and "狮山街道".encode() in raw
    assert raw.endswith(b"2,\n")


def test_xlsx_export_is_a_workbook_with_a_header_and_wide_chinese_columns(tmp_path):
    path = tmp_path / "t.xlsx"
    rows = [("320505002", "狮山街道新时代文明实践所", 94)]
    assert write_table(path, ("code", "name", "stations"), rows) == 1
    with zipfile.ZipFile(path) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="A1" s="1" t="inlineStr"><is><t>code</t>' in sheet  # bold header
    assert '<c r="A2" t="inlineStr"><is><t>320505002</t>' in sheet  # codes stay text
    assert "<t>狮山街道新时代文明实践所</t>" in sheet and '<c r="C2"><v>94</v>' in sheet
    assert '<pane ySplit="1"' in sheet  # header row frozen
    # name: 24 display columns + 2; code: 9 + 2
    assert 'width="26.7109375"' in sheet and 'width="11.7109375"' in sheet
    assert not list(tmp_path.glob(".*part"))  # nothing half-written left behind


def test_an_unknown_export_format_is_refused_before_writing(tmp_path):
    with pytest.raises(WenmingError, match="use a .csv or .xlsx file name"):
        write_table(tmp_path / "t.txt", ("a",), [])
    assert not list(tmp_path.iterdir())


def test_the_batch_says_why_demands_were_left_unassigned():
    from wenming.cli.match import unassigned_summary

    why = {
        "d1": "all 3 resource(s) that pass the rules are fully booked on 2023-05-20 by demands they suit better",
        "d2": "no resource passes the rules (core.distance refused 40, core.category refused 3)",
        "d3": "no resource passes the rules (core.distance refused 12)",
        "d4": "no resource passes the rules (core.time refused 7)",
        "d5": "no resources to match",
    }
    assert unassigned_summary(why) == (
        "5 unassigned: 1 found every suitable resource fully booked that day; "
        "3 had no resource passing the rules (refused most by: core.distance 2, core.time 1); "
        "1 for other reasons"
    )
