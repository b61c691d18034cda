"""Civilized units and their points: rules as data, evidence, review, one appeal, caps,
an append-only ledger whose sum is the balance. Both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

import wenming_water
from wenming import hookimpl
from wenming.errors import WenmingError
from wenming.orders import Actor
from wenming.orders.errors import NotFound, PermissionDenied
from wenming.orders.testing import Clock, make_workflow
from wenming.reports.units import PointRule, Units, collect_rules

PDF = b"%PDF-1.4\n% evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
UNIT_OP = Actor("u1-op", "unit_operator", unit="u1")
OTHER_OP = Actor("u2-op", "unit_operator", unit="u2")
REVIEWER = Actor("wmb", "points_reviewer")


class Rivers:
    @hookimpl
    def register_point_rules(register):
        register(
            PointRule(
                "patrol",
                "民间河长巡河",
                "River patrol",
                points=2,
                cap=5,
                period="month",
                evidence=0,
            )
        )


@pytest.fixture
def units(wenming_database_url):
    clock = Clock(dt.datetime(2027, 5, 10, 2, 0, tzinfo=dt.UTC))
    wf = make_workflow(
        wenming_database_url, [("water", wenming_water), ("rivers", Rivers)], clock=clock
    )
    svc = Units(wf.deployment, clock=clock)
    svc.add("u1", "苏州市某医院", place="320505")
    svc.add("u2", "苏州市某中学", place="320506")
    yield svc
    wf.deployment.close()


def test_a_claim_is_approved_into_the_ledger_up_to_the_cap(units):
    pdf = units.store_evidence(PDF, "agreement.pdf")
    assert units.store_evidence(PDF, "again.pdf") == pdf, "content-addressed: stored once"
    first = units.submit(UNIT_OP, "u1", "pairing", evidence=[pdf], quantity=2)
    result = units.review(REVIEWER, first, approve=True)
    assert (result["state"], result["granted"]) == ("approved", 20.0)
    second = units.submit(UNIT_OP, "u1", "pairing", evidence=[pdf], quantity=2)
    result = units.review(REVIEWER, second, approve=True)
    assert result["granted"] == 10.0, "the yearly cap of 30 leaves 10"
    assert "capped" in units.ledger("u1")[-1]["reason"]
    assert units.balance("u1") == 30.0 == sum(e["points"] for e in units.ledger("u1"))
    assert units.balance("u2") == 0.0
    assert units.standings()[0] == ("u1", 30.0)


def test_rejection_needs_a_reason_and_may_be_appealed_once(units):
    png = units.store_evidence(PNG, "photo.png")
    claim = units.submit(UNIT_OP, "u1", "service_activity", evidence=[png])
    with pytest.raises(WenmingError, match="reason"):
        units.review(REVIEWER, claim, approve=False)
    assert units.review(REVIEWER, claim, approve=False, reason="照片看不清")["state"] == "rejected"
    with pytest.raises(PermissionDenied, match="own unit"):
        units.appeal(OTHER_OP, claim, "not ours")
    assert units.appeal(UNIT_OP, claim, "补充了签到表")["state"] == "appealed"
    result = units.review(REVIEWER, claim, approve=True, reason="补充材料齐全")
    assert (result["state"], result["granted"]) == ("appeal_approved", 5.0)
    with pytest.raises(WenmingError, match="only once"):
        units.appeal(UNIT_OP, claim, "again")
    with pytest.raises(WenmingError, match="nothing to review"):
        units.review(REVIEWER, claim, approve=True)
    assert [h["action"] for h in units.claim(claim)["history"]] == [
        "submit",
        "rejected",
        "appealed",
        "appeal_approved",
    ]


def test_roles_evidence_and_rules_are_checked(units):
    pdf = units.store_evidence(PDF)
    with pytest.raises(PermissionDenied, match="unit_operator"):
        units.submit(OTHER_OP, "u1", "pairing", evidence=[pdf])
    with pytest.raises(PermissionDenied, match="points reviewer"):
        units.review(Actor("ops", "city_dispatcher"), 1, approve=True)
    with pytest.raises(WenmingError, match="needs 1 file"):
        units.submit(UNIT_OP, "u1", "pairing")
    with pytest.raises(WenmingError, match="no point rule"):
        units.submit(UNIT_OP, "u1", "pairng", evidence=[pdf])
    with pytest.raises(WenmingError, match="not stored"):
        units.submit(UNIT_OP, "u1", "pairing", evidence=["0" * 64])
    with pytest.raises(WenmingError, match="checked by content"):
        units.store_evidence(b"MZ\x90\x00 an executable", "report.pdf")
    with pytest.raises(WenmingError, match="empty"):
        units.store_evidence(b"")
    with pytest.raises(WenmingError, match="MiB"):
        units.store_evidence(PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(NotFound):
        units.claim(99)
    assert units.evidence(pdf) == ("application/pdf", PDF)


def test_plugin_rules_reset_each_period_and_carry_over_rules_count_on(units):
    assert "rivers.patrol" in units.rules
    claim = units.submit(UNIT_OP, "u1", "rivers.patrol", quantity=5)
    assert units.review(REVIEWER, claim, approve=True)["granted"] == 5.0
    pdf = units.store_evidence(PDF)
    honour = units.submit(UNIT_OP, "u1", "honour", evidence=[pdf])
    units.review(REVIEWER, honour, approve=True)
    assert units.balance("u1", 2027) == 35.0
    assert units.balance("u1", 2028) == 30.0, "the honour carries over, the patrol resets"
    assert units.balance("u1", 2026) == 0.0


def test_the_ledger_is_append_only_in_the_database(units):
    pdf = units.store_evidence(PDF)
    units.review(REVIEWER, units.submit(UNIT_OP, "u1", "pairing", evidence=[pdf]), approve=True)
    for sql in ("UPDATE wm_points_ledger SET points = 999", "DELETE FROM wm_points_ledger"):
        with pytest.raises(Exception, match="append-only"), units.storage.session() as s:
            s.execute(text(sql))
    assert units.balance("u1") == 10.0


def test_rules_are_validated_as_data():
    with pytest.raises(ValueError, match="cap"):
        PointRule("x", "x", "x", points=10, cap=5)
    with pytest.raises(ValueError, match="period|in_"):
        PointRule("x", "x", "x", points=1, cap=5, period="week")
    with pytest.raises(ValueError, match="points"):
        PointRule("x", "x", "x", points=float("nan"), cap=5)


def test_core_rules_come_from_the_seed(wenming_deployment):
    rules = collect_rules(wenming_deployment)
    assert {"practice_point", "share_resource", "service_activity", "pairing"} <= set(rules)
