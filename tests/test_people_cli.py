"""``wenming volunteers`` over a real deployment file and SQLite database; guides and
courses; the [people] deployment settings."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from click.testing import CliRunner

from wenming.cli import cli
from wenming.people import ids

OPS = ["--actor", "ops", "--role", "city_dispatcher"]
STATION = ["--actor", "st-1", "--role", "station_operator", "--area", "320505001"]
LEAD = ["--actor", "lead", "--role", "team_leader", "--team", "water.corps"]
DPO = ["--actor", "dpo", "--role", "data_protection_officer"]
VILLAGE = "320505001002"
_DAY = dt.date.today() - dt.timedelta(days=10)
DAY = _DAY.isoformat()
EXPIRES = (_DAY + dt.timedelta(days=1095)).isoformat()


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in ("WENMING_ACTOR", "WENMING_ROLE", "WENMING_AREA", "WENMING_TEAM"):
        monkeypatch.delenv(var, raising=False)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    invoke("init", ".", "--name", "Suzhou")
    text = (tmp_path / "wenming.toml").read_text(encoding="utf-8")
    text = text.replace("only = []", 'only = ["water"]')
    text = text.replace('star_ladder = "core.national"', 'star_ladder = "core.zhangjiagang"')
    (tmp_path / "wenming.toml").write_text(text, encoding="utf-8")
    from wenming.deployment import Deployment
    from wenming.people.testing import add_stations

    d = Deployment.from_file(tmp_path / "wenming.toml")
    add_stations(d, [VILLAGE])
    d.close()
    return invoke


def js(result):
    return json.loads(result.output)


def test_volunteers_from_import_to_a_star(run, tmp_path):
    with (tmp_path / "v.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "id_number", "phone", "station", "teams", "service_hours"])
        w.writerow(
            [
                "张敏",
                ids.make("320505", dt.date(1990, 1, 1), 1),
                "13812345678",
                VILLAGE,
                "water.corps",
                "28",
            ]
        )
        w.writerow(
            ["李强", ids.make("320505", dt.date(1991, 1, 1), 2), "", VILLAGE, "water.corps", ""]
        )
    assert "imported 2 volunteers" in run("volunteers", "import", "v.csv", *OPS).output
    shown = js(run("volunteers", "show", "1", "--json"))
    assert shown["masked"] and shown["id_number"].startswith("3205****")
    assert (
        js(run("volunteers", "show", "1", "--unmasked", *LEAD, "--json"))["phone"] == "13812345678"
    )
    refused = run("volunteers", "show", "1", "--unmasked", *OPS, code=1)
    assert "data-protection officer" in refused.output
    # an order for the water corps, volunteers sign in, the leader confirms
    order = js(
        run(
            "order",
            "submit",
            "--place",
            VILLAGE,
            "--site",
            VILLAGE,
            "--start",
            "2023-07-10",
            "--category",
            "science",
            *STATION,
            "--json",
        )
    )
    oid = str(order["id"])
    run("dispatch", oid, "--resource", "water.corps", *OPS)
    run("accept", oid, *LEAD)
    t0 = "2023-07-10T09:00:00+08:00"
    run("volunteers", "signin", "1", oid, "--at", t0, "--actor", "1", "--role", "volunteer")
    run("volunteers", "signin", "2", oid, "--at", t0, *LEAD)
    run("order", "start", oid, *LEAD)
    out = js(
        run(
            "volunteers",
            "signout",
            "1",
            oid,
            "--at",
            "2023-07-10T11:50:00+08:00",
            "--actor",
            "1",
            "--role",
            "volunteer",
            "--json",
        )
    )
    assert (out["minutes"], out["hours"]) == (170, 3.0)
    run("volunteers", "signout", "2", oid, "--at", "2023-07-10T10:10:00+08:00", *LEAD)
    confirmed = js(run("volunteers", "confirm", oid, *LEAD, "--json"))
    assert [r["confirmed_hours"] for r in confirmed] == [3.0, 1.0]
    assert "2023-07-10 09:00" in run("volunteers", "hours", oid).output  # local time
    v = js(run("volunteers", "show", "1", "--json"))
    assert (v["service_hours"], v["star_level"]) == (31.0, 1)  # Zhangjiagang: 30 h is one star
    stars = js(run("volunteers", "stars", "--json"))
    assert stars["ladder"] == "core.zhangjiagang" and stars["by_level"] == {"0": 1, "1": 1}
    assert "by county" in run("volunteers", "stars").output
    fixed = js(
        run("volunteers", "correct", "1", oid, "--hours", "1", "--reason", "早退", *LEAD, "--json")
    )
    assert fixed["confirmed_hours"] == 1
    assert js(run("volunteers", "show", "1", "--json"))["star_level"] == 0
    # the person's own export, then deletion
    run("volunteers", "export", "1", *OPS, code=1)
    exported = json.loads(
        run("volunteers", "export", "1", "--actor", "1", "--role", "volunteer").output
    )
    assert exported["basic"]["phone"] == "13812345678" and exported["service"]["records"]
    run("volunteers", "export", "1", "--format", "csv", "-o", "me.csv", *DPO)
    assert (tmp_path / "me.csv").read_text(encoding="utf-8").startswith("class,field,value")
    run("volunteers", "delete", "1", "--reason", "本人申请", *DPO)
    gone = js(run("volunteers", "show", "1", "--json"))
    assert gone["status"] == "anonymised" and gone["service_hours"] == 29.0
    assert len(js(run("volunteers", "list", "--json"))) == 1


def test_bad_import_is_one_clear_error_and_writes_nothing(run, tmp_path):
    (tmp_path / "bad.csv").write_text(
        f"name,id_number,station\n甲,320505199001010000,{VILLAGE}\n", encoding="utf-8"
    )
    result = run("volunteers", "import", "bad.csv", *OPS, code=1)
    assert "row 2, id_number: check character" in result.output and "Traceback" not in result.output
    assert js(run("volunteers", "list", "--json")) == []
    assert "say who acts" in run("volunteers", "import", "bad.csv", code=1).output


def test_guides_courses_and_certificates(run):
    run(
        "volunteers",
        "register",
        "--name",
        "王芳",
        "--id-number",
        ids.make("320505", dt.date(1990, 1, 1), 3),
        "--station",
        VILLAGE,
        *OPS,
    )
    run(
        "volunteers",
        "courses",
        "first_aid_basic",
        "--name",
        "应急救护员培训",
        "--hours",
        "16",
        "--type",
        "skills",
        "--certificate",
        "first_aid",
        "--valid-days",
        "1095",
        *OPS,
    )
    refused = run(
        "volunteers",
        "courses",
        "x",
        "--name",
        "x",
        "--hours",
        "1",
        "--actor",
        "lead",
        "--role",
        "team_leader",
        "--team",
        "water.corps",
        code=1,
    )
    assert "training courses are kept by the city center" in refused.output
    run("volunteers", "guides", "guide-7", "--name", "周老师", "--guide-area", "320505", *OPS)
    assert js(run("volunteers", "guides", "--json"))[0]["area"] == "320505"
    far = ["--actor", "guide-9", "--role", "guide", "--area", "320506"]
    refused = run(
        "volunteers",
        "attend",
        "first_aid_basic",
        "--volunteer",
        "1",
        "--day",
        DAY,
        *far,
        code=1,
    )
    assert "only of volunteers of its area" in refused.output
    guide = ["--actor", "guide-7", "--role", "guide", "--area", "320505"]
    run("volunteers", "attend", "first_aid_basic", "--volunteer", "1", "--day", DAY, *guide)
    v = js(run("volunteers", "show", "1", "--json"))
    assert v["training_hours"] == 16 and v["service_hours"] == 0 and v["star_level"] == 0
    assert v["credentials"] == [
        {
            "kind": "certification",
            "name": "first_aid",
            "expires": EXPIRES,
            "valid": True,
            "source": "course:first_aid_basic",
        }
    ]
    record = js(run("volunteers", "show", "1", "--record", "--json"))
    assert record["training"]["courses"][0]["hours"] == 16
    again = run(
        "volunteers",
        "attend",
        "first_aid_basic",
        "--volunteer",
        "1",
        "--day",
        DAY,
        *guide,
        code=1,
    )
    assert "already attended" in again.output


def test_a_bad_people_setting_names_the_key(run, tmp_path):
    path = tmp_path / "wenming.toml"
    text = path.read_text(encoding="utf-8").replace(
        'star_ladder = "core.zhangjiagang"', 'star_ladder = "core.moon"'
    )
    path.write_text(text, encoding="utf-8")
    result = run("volunteers", "stars", code=1)
    assert "people.star_ladder: no ladder 'core.moon'" in result.output


def test_a_database_from_before_the_people_tables_says_what_to_do(run, tmp_path):
    import sqlite3

    conn = sqlite3.connect(tmp_path / "wenming.db")
    conn.execute("DROP TABLE wm_volunteer")
    conn.commit()
    conn.close()
    result = run("volunteers", "stars", code=1)
    assert "has no volunteer tables" in result.output and "Traceback" not in result.output
    run("init", ".", "--name", "Suzhou")
    assert "0 volunteers" in run("volunteers", "stars").output
