"""Free-text intake: a wish in the requester's own words → a demand, explained."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wenming.deployment import Deployment
from wenming.intake import IntakeError, Interpreter, numbers, times

TODAY = "2027-06-15"  # a Tuesday
DIANZHAN = "320585100203"  # 电站村, 太仓市城厢镇
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def interpreter() -> Interpreter:
    return Interpreter.from_deployment(Deployment.in_memory("intake-tests"))


def read(interpreter: Interpreter, text: str, **kw):
    kw.setdefault("today", TODAY)
    return interpreter.understand(text, **kw)


# ------------------------------------------------------------------ the example of the issue


def test_a_station_wish_becomes_a_demand_with_the_words_behind_each_field(interpreter):
    u = read(interpreter, "电站村想给村里约40名小学生上一堂节水课，暑假里每周一次")
    d = u.demand
    assert d.place == DIANZHAN and d.headcount == 40
    assert d.audiences == ("core.minors",) and "water_saving" in d.tags
    assert (d.start, d.end) == (date(2027, 7, 1), date(2027, 8, 31))
    assert u.recurrence == "weekly"
    assert u.department == "water"
    assert u.why("headcount").words == ("约40名",)
    assert u.why("place").words == ("电站村",)
    assert u.why("start").words == ("暑假",)
    assert u.why("recurrence").words == ("每周一次",)
    assert u.why("venue_capacity") is None
    assert "headcount" in {e.field for e in u.evidence}
    assert u.as_dict()["demand"]["headcount"] == 40


def test_words_that_set_nothing_are_reported(interpreter):
    u = read(interpreter, "电站村想给孩子们讲讲一滴水从水源到水龙头的旅行")
    assert "旅行" in u.unused
    assert not any(w in u.unused for w in ("电站村", "孩子们"))


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("text", "headcount", "capacity"),
    [
        ("约40名小学生", 40, None),
        ("三十人参加", 30, None),
        ("二百人的运动会", 200, None),
        ("八十多名建筑工人", 80, None),
        ("十对新人办集体婚礼", 20, None),
        ("十五户独居老人", 15, None),
        ("一百五十人左右", 150, None),
        ("需要能容纳200人的会场", None, 200),
        ("找一个坐得下一百人的书场", None, 100),
        ("场地要能坐150人，预计一百二十人", 120, 150),
        ("开两个暑托班，共六十名孩子", 60, None),
        ("一位老人独自生活", None, None),
        ("一对一辅导", None, None),
        ("累计服务23万人次", None, None),
        ("三十五个四年级学生", 35, None),
        ("六十个店主", 60, None),
    ],
)
def test_people_counts_and_venue_sizes(text, headcount, capacity):
    h, c = numbers.pick(numbers.counts(text))
    assert (h.value if h else None) == headcount
    assert (c.value if c else None) == capacity


# ------------------------------------------------------------------ times


def window(text: str, today: str = TODAY):
    found, _ = times.pick(times.windows(text, date.fromisoformat(today)))
    return (found.start, found.end) if found else None


@pytest.mark.parametrize(
    ("text", "today", "start", "end"),
    [
        ("暑假", TODAY, "2027-07-01", "2027-08-31"),
        ("暑假", "2027-09-10", "2028-07-01", "2028-08-31"),
        ("国庆期间", TODAY, "2027-10-01", "2027-10-07"),
        ("周末", TODAY, "2027-06-19", "2027-06-20"),
        ("周末", "2027-06-20", "2027-06-20", "2027-06-20"),
        ("下周三", TODAY, "2027-06-23", "2027-06-23"),
        ("下周", TODAY, "2027-06-21", "2027-06-27"),
        ("周三", TODAY, "2027-06-16", "2027-06-16"),
        ("3·15", TODAY, "2028-03-15", "2028-03-15"),
        ("3·15快到了", "2027-03-01", "2027-03-15", "2027-03-15"),
        ("7月", TODAY, "2027-07-01", "2027-07-31"),
        ("七八月", TODAY, "2027-07-01", "2027-08-31"),
        ("7、8月", TODAY, "2027-07-01", "2027-08-31"),
        ("4月上旬", TODAY, "2028-04-01", "2028-04-10"),
        ("10月中旬", TODAY, "2027-10-11", "2027-10-20"),
        ("8月8日全民健身日", TODAY, "2027-08-08", "2027-08-08"),
        ("12月4日", "2027-11-10", "2027-12-04", "2027-12-04"),
        ("明天", TODAY, "2027-06-16", "2027-06-16"),
        ("下个月", TODAY, "2027-07-01", "2027-07-31"),
        ("重阳节", TODAY, "2027-10-08", "2027-10-08"),
        ("2028年5月", TODAY, "2028-05-01", "2028-05-31"),
        ("12月20日至1月5日", TODAY, "2027-12-20", "2028-01-05"),
        ("3月30日", TODAY, "2028-03-30", "2028-03-30"),
    ],
)
def test_times_are_read_relative_to_today(text, today, start, end):
    assert window(text, today) == (date.fromisoformat(start), date.fromisoformat(end))


@pytest.mark.parametrize(
    ("text", "value"),
    [("每周一次", "weekly"), ("每月", "monthly"), ("每天", "daily"), ("隔周", "biweekly")],
)
def test_a_recurrence_is_kept_as_such_and_sets_no_window(text, value):
    assert [r.value for r in times.recurrences(text)] == [value]
    assert window(text) is None


def test_a_region_of_its_own_and_a_festival_inside_a_place_name(tmp_path):
    """Any region dataset in the NBS layout works; 八一村 is a place, not 1 August."""
    (tmp_path / "region.toml").write_text('code = "9901"\nname = "样例市"\n', encoding="utf-8")
    (tmp_path / "counties.csv").write_text(
        "code,name,parent_code,center_lng,center_lat\n990101,东区,9901,120.5,31.3\n",
        encoding="utf-8",
    )
    (tmp_path / "towns.csv").write_text(
        "code,name,county_code\n990101001,新华镇,990101\n", encoding="utf-8"
    )
    (tmp_path / "villages.csv").write_text(
        "code,name,town_code\n990101001201,八一村委会,990101001\n", encoding="utf-8"
    )
    deployment = Deployment.in_memory("own-region")
    interpreter = Interpreter(deployment.registry, region=str(tmp_path), loaded=deployment.loaded)
    u = interpreter.understand("八一村想请律师来做法律咨询", today=TODAY)
    assert u.demand.place == "990101001201" and u.demand.start is None
    assert interpreter.understand("新华镇想在八一建军节慰问老兵", today=TODAY).demand.start == date(
        2027, 8, 1
    )


# ------------------------------------------------------------------ places


def test_a_village_is_found_inside_a_sentence(interpreter):
    assert read(interpreter, "我们在电站村，想办一场义诊").demand.place == DIANZHAN


def test_a_shared_name_is_asked_back_with_its_candidates(interpreter):
    u = read(interpreter, "湖滨社区想请评弹演员来演一场")
    q = [q for q in u.questions if q.field == "place"]
    assert len(q) == 1 and len(q[0].candidates) == 4
    assert all(code.startswith("3205") for code, _ in q[0].candidates)
    assert u.named_place is None and u.why("place") is None


def test_a_shared_name_is_decided_by_the_town_the_words_name(interpreter):
    u = read(interpreter, "平望镇西塘社区的老人家里电线老化")
    assert u.demand.place == "320509104001" and not u.questions


def test_a_shared_name_is_decided_by_the_filing_place(interpreter):
    u = read(interpreter, "西塘社区想请园林志愿者讲讲绿地认养", place="320509001012")
    assert u.demand.place == "320509001001"
    assert "near the filing place" in u.why("place").why


def test_a_town_named_around_the_filing_village_keeps_the_village(interpreter):
    u = read(interpreter, "城厢镇想办一场义诊", place=DIANZHAN)
    assert u.named_place == "320585100" and u.demand.place == DIANZHAN


def test_the_words_place_wins_over_the_filing_place(interpreter):
    u = read(interpreter, "想在沙家浜的湿地公园办户外集体婚礼", place="320508018014")
    assert u.demand.place == "320581105"


def test_two_unrelated_places_are_asked_back(interpreter):
    u = read(interpreter, "民乐村的学生想去电站村参观")
    assert any(q.field == "place" and len(q.candidates) == 2 for q in u.questions)


def test_no_place_at_all_asks_where(interpreter):
    u = read(interpreter, "想请医生来义诊")
    assert u.demand.place == "3205" and [q.field for q in u.questions] == ["place"]


def test_an_unknown_filing_place_is_an_error(interpreter):
    with pytest.raises(IntakeError, match="not a division code"):
        read(interpreter, "想请医生来义诊", place="999999")


# ------------------------------------------------------------------ subjects and joint needs


@pytest.mark.parametrize(
    ("text", "department", "template"),
    [
        ("村里老人关心自来水干不干净，想办一场水讲堂", "water", "water.water_classroom"),
        ("外来务工人员子女暑假没人带，想开暑托班", "education", "education.summer_care"),
        ("想请小吴法官来村里以案说法", "justice", "justice.xiaowu_judge_talks"),
        ("想请社会体育指导员教老人太极拳", "sports", "sports.tai_chi_for_elders"),
        ("信箱留言：楼道里电动车充电太危险，想听听消防知识", "emergency", None),
    ],
)
def test_the_subject_points_at_a_department_and_template(interpreter, text, department, template):
    u = read(interpreter, text, place=DIANZHAN)
    assert u.department == department
    if template is not None:
        assert u.demand.template == template
        assert u.why("template").words


@pytest.mark.parametrize(
    ("text", "joint"),
    [
        ("想给十对新人在园林里办户外集体婚礼", "civil_affairs.jiangnan_wedding_registration"),
        ("一户困难退役军人家庭需要有人陪同就医", "veterans.medical_help"),
        ("想请评弹演员用评弹唱民法典", "justice.pingtan_civil_code"),
        ("小区物业人员想学急救，做第一救护人", "health.healthy_estates"),
        ("驿站想请急救老师给三十名外卖小哥做心肺复苏培训", "emergency.rescue_outreach"),
        ("修古井、种花境、设计街巷游线", "urban_management.clean_old_town"),
    ],
)
def test_two_subjects_in_one_wish_make_a_joint_demand(interpreter, text, joint):
    u = read(interpreter, text, place=DIANZHAN)
    assert u.joint_template == joint and u.demand.template == joint
    parts = tuple(p.department for p in interpreter.registry.templates[joint].parts)
    assert u.demand.departments == parts
    assert u.why("template").why


def test_one_subject_is_not_joint(interpreter):
    for text in ("想请医生给八十位老人义诊", "想请园林讲解员带居民游园", "想请律师做法律咨询"):
        u = read(interpreter, text, place=DIANZHAN)
        assert u.joint_template is None and u.demand.departments == ()


def test_traditional_characters_and_english_words(interpreter):
    u = read(interpreter, "清樹灣社區想請水務局的老師給孩子們講講節約用水，大約三十個小學生。")
    assert u.demand.place == "320509004013" and u.demand.headcount == 30
    assert u.department == "water" and "traditional" in u.notes[0]
    assert u.why("place").words == ("清樹灣社區",)  # the original words, not the converted ones
    e = read(interpreter, "想请医生来教25位居民CPR和AED的使用", place=DIANZHAN)
    assert "aed" in e.demand.tags and e.demand.category == "core.emergency_rescue"
    assert e.why("category").words[0] in ("CPR", "AED")


def test_personal_numbers_are_noted_and_masked_for_storing(interpreter):
    from wenming.intake.text import mask_personal

    text = "电站村张大爷（电话13912345678，身份证320585195001011234）想请家庭医生上门"
    u = read(interpreter, text)
    assert "masked when stored" in u.notes[-1]
    masked, kinds = mask_personal(text)
    assert "13912345678" not in masked and "139****5678" in masked
    assert "320585195001011234" not in masked and "320585********1234" in masked
    assert kinds == ("ID number", "phone number")
    assert u.demand.headcount == 0  # neither number is read as a count


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("，。！？……", "no words"),
        ("字" * 10_000, "10,000 characters"),
        ("电站村想办义诊🙏", "emoji"),
        ("Привет 电站村", "Cyrillic"),
        ("電站村안녕", "Hangul"),
        ("电站村\x00义诊", "control character"),
        (None, "must be text"),
    ],
)
def test_bad_input_is_one_clear_sentence(interpreter, text, message):
    with pytest.raises(IntakeError, match=message) as info:
        interpreter.understand(text, today=TODAY)
    assert "\n" not in str(info.value)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=120))
def test_any_text_is_read_or_refused_with_an_intake_error(interpreter, text):
    try:
        u = interpreter.understand(text, today=TODAY)
    except IntakeError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert u.demand.place


# ------------------------------------------------------------------ lexicon and plugins


def test_every_core_phrase_resolves_against_the_installed_plugins(interpreter):
    assert interpreter.lexicon.problems == []


def test_a_plugin_contributes_phrases_and_a_step_compiled_once():
    from wenming import hookimpl
    from wenming.intake import Phrase, Step

    calls = []

    def small_groups(draft):
        if draft.get("headcount") is None and "一小组" in draft.normalised:
            draft.set("headcount", 8, ["一小组"], "一小组: about eight")

    class WaterWords:
        @hookimpl
        def register_lexicon(register):
            calls.append(1)
            register(
                Phrase(
                    words="惜水课 节水小课堂",
                    template="water.water_classroom",
                    tags=["water_saving"],
                )
            )
            register(Phrase(words="水滴讲师"))  # no meaning but the plugin's own department
            register(Step(name="small_groups", run=small_groups))

    deployment = Deployment.in_memory(extra_plugins=[("water_words", WaterWords)])
    calls.clear()
    interpreter = Interpreter.from_deployment(deployment)
    for _ in range(3):
        u = interpreter.understand("电站村想办个惜水课，一小组", today=TODAY)
    assert calls == [1]  # the hook ran once, at load
    assert Interpreter.from_deployment(deployment) is interpreter
    assert u.demand.template == "water.water_classroom"
    assert u.why("template").words == ("惜水课",)
    assert u.demand.headcount == 8 and u.why("headcount").why == "一小组: about eight"


def test_a_phrase_with_an_unknown_template_names_the_plugin():
    from wenming import hookimpl
    from wenming.errors import PluginError
    from wenming.intake import Phrase

    class Typo:
        @hookimpl
        def register_lexicon(register):
            register(Phrase(words="惜水课", template="water.no_such_class"))

    deployment = Deployment.in_memory(extra_plugins=[("typo_words", Typo)])
    with pytest.raises(PluginError, match="typo_words.*unknown template 'water.no_such_class'"):
        Interpreter.from_deployment(deployment)


def test_a_bad_lexicon_record_names_the_plugin():
    from wenming import hookimpl
    from wenming.errors import PluginError

    class Broken:
        @hookimpl
        def register_lexicon(register):
            register("节水")

    deployment = Deployment.in_memory(extra_plugins=[("broken_words", Broken)])
    with pytest.raises(PluginError, match="broken_words.*Phrase or a Step"):
        Interpreter.from_deployment(deployment)


def test_a_failing_step_is_an_intake_error_naming_the_plugin():
    from wenming import hookimpl
    from wenming.intake import Step

    def boom(draft):
        raise RuntimeError("no")

    class Boom:
        @hookimpl
        def register_lexicon(register):
            register(Step(name="boom", run=boom))

    interpreter = Interpreter.from_deployment(Deployment.in_memory(extra_plugins=[("boom", Boom)]))
    with pytest.raises(IntakeError, match="plugin 'boom', intake step 'boom'"):
        interpreter.understand("电站村想办义诊", today=TODAY)


def test_the_module_function_uses_every_installed_plugin():
    from wenming.intake import understand

    u = understand("电站村想给约40名小学生上节水课", today=TODAY)
    assert u.demand.headcount == 40 and u.department == "water"


# ------------------------------------------------------------------ the evaluation set


def test_the_evaluation_set_fields_stay_right(interpreter):
    """Headcount, dates and place on the demands that state them (the goal is ≥ 95 %;
    ``benchmarks/eval_intake.py`` prints every measure)."""
    demands = tomllib.loads((ROOT / "evaluation" / "demands.toml").read_text("utf-8"))["demand"]
    right = total = 0
    for item in demands:
        u = interpreter.understand(item["text"], place=item["place"], today=item["today"])
        checks = []
        if "headcount" in item:
            checks.append(u.demand.headcount == item["headcount"])
        if "start" in item:
            checks.append(
                (u.demand.start.isoformat(), u.demand.end.isoformat())
                == (item["start"], item["end"])
            )
        if "expect_place" in item:
            checks.append(u.named_place == item["expect_place"])
        right += sum(checks)
        total += len(checks)
    assert total > 400 and right / total >= 0.95
