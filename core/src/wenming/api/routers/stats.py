"""Statistics and leaderboards (排行榜) read from the counters, and rankings of
volunteers — the same reads and checks as ``wenming stats``, ``wenming leaderboard``
and ``wenming ranking``.

Aggregated counts (metrics, leaderboards, tables) are for every signed-in role: they
name places, departments, teams and units, never a person. A ranking of people is
published under :mod:`wenming.reports.ranking`'s rules (opt-in, adults only, masked
names, recorded), and the record of publications is read by the city center and the
data protection officer.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from wenming.api.routers.common import ERROR_RESPONSES, CurrentActor, ServicesDep, invalid
from wenming.api.schemas import Strict
from wenming.orders.errors import PermissionDenied
from wenming.reports.boards import TABLE_METRICS

router = APIRouter(tags=["statistics"], responses=ERROR_RESPONSES)

By = Literal["city", "county", "town", "station", "department", "team", "unit"]
Period = Annotated[
    str | None,
    Query(
        max_length=16,
        description="A month (2027-08), quarter (2027-Q3) or year (2027); default this year "
        "in the deployment's time zone.",
    ),
]
From = Annotated[
    dt.date | None, Query(alias="from", description="Start of a range (whole months).")
]
To = Annotated[dt.date | None, Query(alias="to", description="End of a range.")]
#: Who reads the record of published rankings of people.
RECORD_READERS = ("city_dispatcher", "data_protection_officer")


class MetricOut(BaseModel):
    name: str
    name_zh: str
    name_en: str
    kind: str
    actions: list[str]
    value: Any
    where: dict[str, Any]
    of: list[str]
    dimensions: list[str]
    unit: str | None
    description: str


class BoardRow(BaseModel):
    rank: int
    key: str
    name: str
    value: float = Field(description="For a mean the average, for a ratio the ratio.")
    n: int = Field(description="How many were counted (a ratio's denominator).")


class LeaderboardOut(BaseModel):
    metric: str
    by: str
    period: str
    rows: list[BoardRow]


class TableOut(BaseModel):
    """Metrics side by side: each row is ``[key, name, value of each column …]``; a rate
    without a denominator is null."""

    by: str
    period: str | None = None
    start: str | None = None
    end: str | None = None
    columns: list[str]
    rows: list[list[str | float | None]]


class RankingIn(Strict):
    """A ranking of opted-in adult volunteers by confirmed hours (recorded)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    period: str | None = Field(default=None, max_length=16)
    start: dt.date | None = Field(default=None, alias="from")
    end: dt.date | None = Field(default=None, alias="to")
    within: str | None = Field(default=None, pattern=r"^[0-9]{2,12}$")
    team: str | None = Field(default=None, max_length=128)
    top: int = Field(default=50, ge=1, le=1000)


class RankedOut(BaseModel):
    rank: int
    name: str = Field(description="Always masked (张敏 → 张*).")
    hours: float


class RankingOut(BaseModel):
    period: str
    scope: str
    published_by: str
    rows: list[RankedOut]


class PublishedOut(BaseModel):
    id: int
    actor: str
    role: str
    metric: str
    period: str
    scope: str
    entries: int
    at: dt.datetime


class ConsentIn(Strict):
    volunteer_id: int = Field(ge=1, le=2**62)
    given: bool = Field(default=True, description="Opt in (true) or out (false).")


class ConsentOut(BaseModel):
    volunteer_id: int
    given: bool


def _counters(services: Any) -> Any:
    from wenming.reports.counters import counters_of

    return counters_of(services.deployment)


def _span(
    counters: Any, services: Any, period: str | None, start: dt.date | None, end: dt.date | None
) -> dict[str, Any]:
    from wenming.reports import boards, periods

    today = periods.local_date(services.workflow.clock(), counters.tz)
    with invalid("to" if start else "from"):
        span = boards.when(period, start, end, today=today)
    if "period" in span:
        with invalid("period"):
            periods.check(span["period"])
    else:
        with invalid("to"):
            periods.months(span["start"], span["end"])
    return span


@router.get("/stats/metrics", response_model=list[MetricOut])
def metrics(actor: CurrentActor, services: ServicesDep) -> list[dict[str, Any]]:
    """The metrics (core's and the plugins') with their kind and dimensions."""
    return [m.as_dict() for m in _counters(services).metrics.values()]


@router.get("/stats/leaderboard", response_model=LeaderboardOut)
def leaderboard(
    actor: CurrentActor,
    services: ServicesDep,
    metric: Annotated[str, Query(max_length=96)] = "orders_completed",
    by: By = "county",
    period: Period = None,
    start: From = None,
    end: To = None,
    within: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{2,12}$", description="Only keys under this division code."),
    ] = None,
    top: Annotated[int, Query(ge=1, le=10_000)] = 50,
) -> dict[str, Any]:
    """排行榜: counties, towns, stations, departments, teams or units ranked by a metric."""
    from wenming.reports import boards

    counters = _counters(services)
    with invalid("metric"):
        m = counters.metric(metric)
    span = _span(counters, services, period, start, end) if m.kind != "gauge" else {}
    with invalid("by"):  # what is left to refuse: a metric not kept by this dimension
        return boards.leaderboard(counters, metric, by, span, within=within, limit=top)


@router.get("/stats/table", response_model=TableOut)
def table(
    actor: CurrentActor,
    services: ServicesDep,
    metrics: Annotated[
        str, Query(max_length=2000, description="Comma-separated metrics (the columns).")
    ] = ",".join(TABLE_METRICS),
    by: By = "county",
    period: Period = None,
    start: From = None,
    end: To = None,
) -> dict[str, Any]:
    """Several metrics side by side for every key of one dimension (``wenming stats
    table``); metrics not kept by ``by`` are left out."""
    from wenming.reports import boards

    counters = _counters(services)
    wanted = [n.strip() for n in metrics.split(",") if n.strip()]
    with invalid("metrics"):
        for name in wanted:
            counters.metric(name)
    span = _span(counters, services, period, start, end)
    return boards.side_by_side(counters, wanted, by, span)


def _ranking(services: Any) -> Any:
    from wenming.reports.ranking import Ranking

    return Ranking(services.deployment, clock=services.workflow.clock)


@router.post("/rankings", response_model=RankingOut)
def publish_ranking(body: RankingIn, actor: CurrentActor, services: ServicesDep) -> dict[str, Any]:
    """Publish the ranking of opted-in adult volunteers by confirmed hours, names masked,
    and record who published it (PIPL art. 55): the city center; a station or guide for
    its own area (``within``); a team leader for its own team (``team``)."""
    if (body.start is None) != (body.end is None):
        from wenming.api.problems import ApiProblem

        raise ApiProblem(
            422, "a range needs both from and to", field="to" if body.start else "from"
        )
    with invalid("period"):
        return _ranking(services).publish(
            actor,
            period=body.period,
            start=body.start,
            end=body.end,
            within=body.within,
            team=body.team,
            limit=body.top,
        )


@router.get("/rankings", response_model=list[PublishedOut])
def published_rankings(actor: CurrentActor, services: ServicesDep) -> list[dict[str, Any]]:
    """Who published which ranking of people, when, for which scope and how many it
    named: the city center and the data protection officer read it."""
    if actor.role not in RECORD_READERS:
        raise PermissionDenied(
            actor.role,
            actor.scope,
            "read the record of published rankings",
            "only the city center and the data protection officer read who published "
            "rankings of people",
        )
    return _ranking(services).published()


@router.post("/rankings/consent", response_model=ConsentOut)
def consent(body: ConsentIn, actor: CurrentActor, services: ServicesDep) -> dict[str, Any]:
    """The volunteer themself opts in to (or out of) public rankings; the user's name is
    the volunteer's ID."""
    given = _ranking(services).consent(actor, body.volunteer_id, body.given)
    return {"volunteer_id": body.volunteer_id, "given": given}
