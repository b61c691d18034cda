"""Importing volunteers (CSV, XLSX): all or nothing, every bad row named; the synthetic
population; ID numbers, phones and masking."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

import wenming_water
from wenming.errors import WenmingError
from wenming.orders import Actor, PermissionDenied
from wenming.people import ids
from wenming.people.importer import ImportRejected
from wenming.people.tables import Volunteer, VolunteerTeam
from wenming.people.testing import make_people

VILLAGE = "320505001002"
OPS = Actor("ops", "city_dispatcher")
HEADER = ["姓名", "身份证号", "手机号", "所属站点", "队伍", "证书", "监护人同意"]


@pytest.fixture
def people(wenming_database_url):
    p = make_people(wenming_database_url, [("water", wenming_water)], stations=[VILLAGE])
    yield p
    p.deployment.close()


def idn(seq: int, born: dt.date = dt.date(1985, 3, 4)) -> str:
    return ids.make("320505", born, seq)


def write_csv(path, rows, header=HEADER):
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def volunteers(people):
    with people.storage.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Volunteer.__table__)).scalar()


def test_a_clean_csv_imports_everything(people, tmp_path):
    f = write_csv(
        tmp_path / "v.csv",
        [
            ["张敏", idn(1), "13812345678", VILLAGE, "water.corps", "first_aid:2026-12-31", ""],
            ["李强", idn(2).lower(), "", VILLAGE, "", "", ""],
        ],
    )
    report = people.import_file(OPS, f)
    assert (report.volunteers, report.memberships, report.credentials) == (2, 1, 1)
    v = people.find(OPS, idn(1))
    assert v.teams == ("water.corps",) and v.credentials[0].name == "first_aid"
    assert v.credentials[0].expires == dt.date(2026, 12, 31) and v.department == "water"
    assert people.stars().total == 2


def test_every_bad_row_is_reported_and_nothing_is_written(people, tmp_path):
    people.import_rows(OPS, [{"name": "旧", "id_number": idn(9), "station": VILLAGE}])
    wrong_check = idn(3)[:-1] + ("1" if idn(3)[-1] != "1" else "2")
    f = write_csv(
        tmp_path / "bad.csv",
        [
            ["好人", idn(1), "", VILLAGE, "", "", ""],
            ["错号", wrong_check, "", VILLAGE, "", "", ""],
            ["重复", idn(1), "", VILLAGE, "", "", ""],
            ["远方", idn(4), "", "320505999999", "", "", ""],
            ["坏日", idn(5), "", VILLAGE, "", "first_aid:2026-13-01", ""],
            ["旧人", idn(9), "", VILLAGE, "", "", ""],
            ["无队", idn(6), "", VILLAGE, "water.nobody", "", ""],
            ["电话", idn(7), "12345", VILLAGE, "", "", ""],
            ["孩子", ids.make("320505", dt.date(2015, 1, 1), 8), "", VILLAGE, "", "", ""],
        ],
    )
    with pytest.raises(ImportRejected) as err:
        people.import_file(OPS, f)
    message = str(err.value)
    assert message.startswith(f"{f}: 8 problem(s), nothing imported")
    for expected in (
        "row 3, id_number: check character is",
        "row 4, id_number: duplicate of row 2",
        "row 5, station: no station '320505999999'",
        "row 6, certifications: not a date (YYYY-MM-DD): '2026-13-01'",
        "row 7, id_number: already registered",
        "row 8, teams: no team 'water.nobody'",
        "row 9, phone: must be an 11-digit mobile number",
        "row 10, guardian_consent: the volunteer is under 14",
    ):
        assert expected in message
    assert volunteers(people) == 1 and people.stars().total == 1


def test_xlsx_imports_like_csv(people, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["王芳", idn(11), 13912345678, VILLAGE, "water.corps", None, None])
    sheet.append(
        [
            "赵小",
            ids.make("320505", dt.date(2013, 2, 2), 12),
            None,
            VILLAGE,
            None,
            None,
            dt.datetime(2023, 6, 1),
        ]
    )
    book.save(tmp_path / "v.xlsx")
    report = people.import_file(OPS, tmp_path / "v.xlsx")
    assert report.volunteers == 2
    kid = people.find(OPS, ids.make("320505", dt.date(2013, 2, 2), 12))
    assert kid.minor and kid.guardian_consent == dt.date(2023, 6, 1)
    assert people.find(OPS, idn(11)).phone == "139****5678"


def test_headers_and_files_are_checked(people, tmp_path):
    with pytest.raises(WenmingError, match="row 1: unknown column 'shoe size'"):
        people.import_file(OPS, write_csv(tmp_path / "a.csv", [], ["name", "shoe size"]))
    with pytest.raises(WenmingError, match="row 1: missing column"):
        people.import_file(OPS, write_csv(tmp_path / "b.csv", [], ["name"]))
    (tmp_path / "c.txt").write_text("x", encoding="utf-8")
    with pytest.raises(WenmingError, match="expected a .csv or .xlsx file"):
        people.import_file(OPS, tmp_path / "c.txt")
    with pytest.raises(PermissionDenied, match="only the city center or the data-protection"):
        people.import_file(Actor("x", "team_leader", team="water.corps"), tmp_path / "c.txt")


def test_the_synthetic_population_is_deterministic_valid_and_marked(wenming_database_url):
    from wenming.people.synthetic import synthesize

    p = make_people(
        wenming_database_url,
        [("water", wenming_water)],
        stations=[VILLAGE, "320582100001", "320506002003"],
    )
    report = synthesize(p, 3000, seed=7)
    assert report.volunteers == 3000 and report.synthetic
    with p.storage.engine.connect() as conn:
        rows = conn.execute(select(Volunteer.__table__)).all()
        teams = conn.execute(select(func.count()).select_from(VolunteerTeam.__table__)).scalar()
    assert all(r.synthetic for r in rows) and len({r.id_hash for r in rows}) == 3000
    assert {r.station_code for r in rows} == {VILLAGE, "320582100001", "320506002003"}
    assert 0 < teams < 3000
    numbers = [p.vault.decrypt_id(rows[i].id_cipher) for i in (0, 1234, 2999)]
    for n in numbers:
        assert ids.validate(n)[0] == n
    starred = sum(1 for r in rows if r.star_level > 0)
    assert 0.15 < starred / 3000 < 0.35  # the bulletin: about a quarter are star volunteers
    assert p.stars().total == 3000 and p.recount() is False
    with pytest.raises(WenmingError, match="already generated"):
        synthesize(p, 10)
    again = make_people(
        plugins=[("water", wenming_water)], stations=[VILLAGE, "320582100001", "320506002003"]
    )
    synthesize(again, 50, seed=7)
    first = [r.name for r in rows[:50]]
    with again.storage.engine.connect() as conn:
        assert (
            conn.execute(select(Volunteer.__table__.c.name).order_by(Volunteer.__table__.c.id))
            .scalars()
            .all()
            == first
        )
    p.deployment.close()


# ---------------------------------------------------------------------- ids


@given(st.dates(dt.date(1920, 1, 1), dt.date(2020, 12, 31)), st.integers(0, 999))
def test_made_numbers_validate_and_any_single_digit_change_is_caught(born, seq):
    number = ids.make("320505", born, seq)
    assert ids.validate(number, today=dt.date(2023, 1, 1)) == (number, born)
    for pos in (0, 9, 16):
        changed = number[:pos] + str((int(number[pos]) + 1) % 10) + number[pos + 1 :]
        with pytest.raises(ids.IdNumberError):
            ids.validate(changed, today=dt.date(2023, 1, 1))


def test_known_number_and_masks():
    # the check character of the standard's worked example 11010519491231002X
    assert ids.validate("11010519491231002x")[0] == "11010519491231002X"
    assert ids.mask_id("320502199001011234") == "3205**********1234"
    assert ids.mask_phone("13812345678") == "138****5678"
    assert ids.age(dt.date(2009, 7, 11), dt.date(2023, 7, 10)) == 13
    with pytest.raises(ids.IdNumberError, match="must have 18 characters"):
        ids.validate("3205")
