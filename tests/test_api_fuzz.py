"""Property-based fuzzing of the HTTP API from its own OpenAPI schema (schemathesis):
whatever a client sends within or around the schema, no response is a 5xx, carries a
traceback, or is an error that is not problem+json. Examples are bounded and
derandomised so the suite stays fast and repeatable."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

import wenming_health
import wenming_housing
import wenming_water
from wenming.api.problems import MEDIA_TYPE
from wenming.api.testing import ApiHarness
from wenming.orders import Actor
from wenming.orders.testing import Clock, make_workflow


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    from wenming.network.service import Network

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'wenming.db'}"
    plugins = [("water", wenming_water), ("health", wenming_health), ("housing", wenming_housing)]
    wf = make_workflow(url, plugins, clock=Clock())
    Network.from_deployment(wf.deployment).load_region()
    station = Actor("huqiu", "station_operator", area="320505001")
    for n in range(1, 4):  # a few orders, so IDs 1–3 reach the workflow's own checks
        wf.submit(
            station,
            place="320505001002",
            site="320505001002",
            start=dt.date(2023, 7, 10),
            category="science",
            headcount=n * 10,
        )
    harness = ApiHarness(wf.deployment, clock=wf.clock)
    harness.ops = harness.user("ops", "city_dispatcher")
    yield harness
    wf.deployment.close()


def _reachable(case):
    """Point most generated IDs at orders and resources that exist, so the fuzzing
    reaches the workflow's own checks rather than stopping at 404."""
    params = case.path_parameters or {}
    if "order_id" in params and isinstance(params["order_id"], int):
        params["order_id"] = 1 + params["order_id"] % 4  # 1–3 exist, 4 does not
    if "key" in params and isinstance(params["key"], str) and len(params["key"]) % 2:
        params["key"] = "water.corps"
    if "code" in params and isinstance(params["code"], str) and len(params["code"]) % 2:
        params["code"] = "320505001"
    return case


def _check(case, fuzzed) -> None:
    response = case.call(headers=fuzzed.ops)
    text = response.text
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {text}"
    assert "Traceback" not in text and 'File "' not in text
    if response.status_code >= 400:
        kind = response.headers.get("content-type")
        assert (kind[0] if isinstance(kind, list) else kind) == MEDIA_TYPE, text
        assert "\n" not in response.json()["detail"]


def test_no_server_error_and_no_traceback(fuzzed):
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:

        @settings(
            max_examples=20,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy().map(_reachable))
        def fuzz(case):
            _check(case, fuzzed)

        fuzz()
