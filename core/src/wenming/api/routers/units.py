"""Civilized units (文明单位) and their dynamic points (动态积分): units with their links,
balance and ledger; point rules; claims with evidence, review, one appeal; standings —
over :class:`wenming.reports.units.Units`, under its role rules.

Who reads what: units, their balances and ledgers, the rules and the standings are
public to every signed-in role (docs/leaderboard.md: "anyone"). Claims name who
submitted them and cite evidence that may show people, so the points reviewer and the
city center read every claim, a unit operator its own unit's, nobody else. Evidence is
uploaded by unit operators (``POST /points/evidence``, the file as the request body)
and cited in a claim by its SHA-256.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from wenming.api.routers.common import (
    ERROR_RESPONSES,
    ApiProblem,
    CurrentActor,
    Limit,
    Offset,
    ServicesDep,
    invalid,
    page,
)
from wenming.api.schemas import Page, Strict
from wenming.orders import Actor
from wenming.orders.errors import PermissionDenied
from wenming.reports.units import MAX_EVIDENCE_BYTES

router = APIRouter(tags=["units"], responses=ERROR_RESPONSES)

#: The upload route, allowed bodies up to an evidence file's size (not the API's limit).
EVIDENCE_PATH = "/points/evidence"
EVIDENCE_BODY_BYTES = MAX_EVIDENCE_BYTES + 1


def may_store_evidence(actor: Actor) -> bool:
    """Whether ``actor`` stores evidence (the body limit reads a large body only then)."""
    return actor.role == "unit_operator"


#: Who reads every claim (a unit operator reads its own unit's).
CLAIM_READERS = ("points_reviewer", "city_dispatcher")

UnitCode = Annotated[str, Path(min_length=1, max_length=64, description="The unit's code.")]
ClaimId = Annotated[int, Path(ge=1, le=2**62, description="The claim's ID.")]
Digest = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="The file's SHA-256.")]


class UnitOut(BaseModel):
    code: str
    name: str
    level: str
    place_code: str | None
    department: str | None
    synthetic: bool


class LinkOut(BaseModel):
    kind: str = Field(description="site or resource")
    ref: str


class EntryOut(BaseModel):
    """A ledger entry: points granted for a claim (append-only)."""

    id: int
    rule: str
    period: str
    points: float
    claim_id: int | None
    reason: str
    actor: str
    at: dt.datetime


class UnitDetail(UnitOut):
    links: list[LinkOut]
    balance: float = Field(description="Points that count this year.")
    ledger: list[EntryOut]


class RuleOut(BaseModel):
    name: str
    name_zh: str
    name_en: str
    points: float
    cap: float
    period: str
    evidence: int = Field(description="Files of evidence a claim needs.")
    carry_over: bool
    description: str


class EvidenceOut(BaseModel):
    sha256: str
    media_type: str
    size: int


class ClaimOut(BaseModel):
    id: int
    unit_code: str
    rule: str
    period: str
    quantity: int
    note: str
    evidence: list[str]
    state: str
    submitted_by: str
    submitted_at: dt.datetime
    version: int
    history: list[dict[str, Any]]
    granted: float | None = Field(default=None, description="Points this review granted.")


class ClaimIn(Strict):
    """A unit's claim for a rule, citing stored evidence by SHA-256."""

    unit: str = Field(min_length=1, max_length=64)
    rule: str = Field(min_length=1, max_length=96)
    evidence: list[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]] = Field(
        default_factory=list, max_length=20
    )
    quantity: int = Field(default=1, ge=1, le=1000)
    note: str = Field(default="", max_length=2000)


class ReviewIn(Strict):
    approve: bool
    reason: str = Field(default="", max_length=2000)


class AppealIn(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class StandingOut(BaseModel):
    rank: int
    unit: str
    name: str
    points: float


def _units(services: Any) -> Any:
    from wenming.reports.units import Units

    return Units(services.deployment, clock=services.workflow.clock)


def _may_read_claims(actor: Any, unit: str | None) -> None:
    if actor.role in CLAIM_READERS:
        return
    if actor.role == "unit_operator" and unit in (None, actor.unit):
        return
    rule = (
        f"a unit operator reads only its own unit's claims, not {unit}'s"
        if actor.role == "unit_operator"
        else "only the points reviewer, the city center and a unit's own operator read claims"
    )
    raise PermissionDenied(actor.role, actor.scope, "read points claims", rule)


# ---------------------------------------------------------------------- units


@router.get("/units", response_model=Page[UnitOut])
def list_units(
    actor: CurrentActor,
    services: ServicesDep,
    synthetic: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The civilized units by code (``synthetic`` keeps only, or leaves out, generated ones)."""
    found = _units(services).units(synthetic=synthetic)
    return page(found[offset : offset + limit + 1], limit, offset)


@router.get("/units/{code}", response_model=UnitDetail)
def show_unit(code: UnitCode, actor: CurrentActor, services: ServicesDep) -> dict[str, Any]:
    """A unit with its links, this year's balance and its ledger."""
    svc = _units(services)
    unit = svc.unit(code)
    return {**unit, "balance": svc.balance(code), "ledger": svc.ledger(code)}


# ---------------------------------------------------------------------- points


@router.get("/points/rules", response_model=list[RuleOut])
def rules(actor: CurrentActor, services: ServicesDep) -> list[dict[str, Any]]:
    """The point rules, core's and the plugins'."""
    from wenming.reports.units import collect_rules

    return [r.as_dict() for r in collect_rules(services.deployment).values()]


@router.get("/points/standings", response_model=list[StandingOut])
def standings(
    actor: CurrentActor,
    services: ServicesDep,
    year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
    top: Annotated[int, Query(ge=1, le=10_000)] = 50,
) -> list[dict[str, Any]]:
    """Units by points balance, best first (this year by default)."""
    from wenming.reports.names import names

    svc = _units(services)
    rows = svc.standings(year, top)
    named = names(services.deployment, "unit", [c for c, _ in rows])
    return [
        {"rank": i, "unit": c, "name": named[c], "points": b}
        for i, (c, b) in enumerate(rows, start=1)
    ]


@router.post(
    EVIDENCE_PATH,
    response_model=EvidenceOut,
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def upload_evidence(
    request: Request,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    name: Annotated[str, Query(max_length=200, description="The file's name, kept.")] = "",
) -> dict[str, Any]:
    """A unit operator stores a file of evidence (the request body: a PDF, PNG, JPEG or
    Office file, at most 10 MiB, recognised by content); cite its ``sha256`` in a claim."""
    from starlette.concurrency import run_in_threadpool

    if not may_store_evidence(actor):
        raise PermissionDenied(
            actor.role,
            actor.scope,
            "store evidence",
            "only a unit's own operator stores evidence for its claims",
        )
    content = await request.body()
    svc = _units(services)
    with invalid("body"):
        digest = await run_in_threadpool(svc.store_evidence, content, name)
    kind, _ = await run_in_threadpool(svc.evidence, digest)
    response.headers["Location"] = f"{EVIDENCE_PATH}/{digest}"
    return {"sha256": digest, "media_type": kind, "size": len(content)}


@router.get(
    EVIDENCE_PATH + "/{digest}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The file"}},
)
def evidence(digest: Digest, actor: CurrentActor, services: ServicesDep) -> Response:
    """A file of evidence: for the points reviewer and the city center, and for the
    operator of a unit whose claim cites it."""
    svc = _units(services)
    if actor.role not in CLAIM_READERS:
        cited = actor.role == "unit_operator" and any(
            digest in c["evidence"] for c in svc.claims(unit=actor.unit)
        )
        if not cited:
            raise PermissionDenied(
                actor.role,
                actor.scope,
                "read evidence",
                "only the points reviewer, the city center and the operator of a unit "
                "whose claim cites it read evidence",
            )
    kind, content = svc.evidence(digest)
    return Response(content, media_type=kind, headers={"X-Content-Type-Options": "nosniff"})


@router.get("/points/claims", response_model=Page[ClaimOut])
def list_claims(
    actor: CurrentActor,
    services: ServicesDep,
    unit: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    state: Annotated[str | None, Query(max_length=16)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Claims, oldest first (a unit operator: its own unit's)."""
    _may_read_claims(actor, unit)
    if actor.role == "unit_operator":
        unit = actor.unit
    found = _units(services).claims(unit=unit, state=state)
    return page(found[offset : offset + limit + 1], limit, offset)


@router.get("/points/claims/{claim_id}", response_model=ClaimOut)
def show_claim(claim_id: ClaimId, actor: CurrentActor, services: ServicesDep) -> dict[str, Any]:
    """One claim with its history."""
    claim = _units(services).claim(claim_id)
    _may_read_claims(actor, claim["unit_code"])
    return claim


@router.post("/points/claims", response_model=ClaimOut, status_code=201)
def submit_claim(
    body: ClaimIn, actor: CurrentActor, services: ServicesDep, response: Response
) -> dict[str, Any]:
    """A unit's operator claims points for a rule, citing stored evidence (only for its
    own unit)."""
    svc = _units(services)
    if actor.role == "unit_operator" and actor.unit == body.unit:
        with invalid("rule"):
            svc.rule(body.rule)
    with invalid("evidence"):  # what is left to refuse: evidence missing or not stored
        claim_id = svc.submit(
            actor,
            body.unit,
            body.rule,
            evidence=body.evidence,
            quantity=body.quantity,
            note=body.note,
        )
    response.headers["Location"] = f"/points/claims/{claim_id}"
    return svc.claim(claim_id)


@router.post("/points/claims/{claim_id}/review", response_model=ClaimOut)
def review(
    claim_id: ClaimId, body: ReviewIn, actor: CurrentActor, services: ServicesDep
) -> dict[str, Any]:
    """The points reviewer (文明办) approves — points enter the ledger, up to the rule's
    cap — or rejects with a reason."""
    svc = _units(services)
    if actor.role == "points_reviewer" and not body.approve and not body.reason.strip():
        raise ApiProblem(422, "a rejection needs a reason the unit can act on", field="reason")
    with invalid("state", 409):  # the claim is not waiting for a review
        return svc.review(actor, claim_id, approve=body.approve, reason=body.reason)


@router.post("/points/claims/{claim_id}/appeal", response_model=ClaimOut)
def appeal(
    claim_id: ClaimId, body: AppealIn, actor: CurrentActor, services: ServicesDep
) -> dict[str, Any]:
    """The unit's operator appeals a rejection, once, with a reason."""
    svc = _units(services)
    if not body.reason.strip():
        raise ApiProblem(422, "an appeal needs a reason", field="reason")
    with invalid("state", 409):  # only a rejected claim, and only once
        return svc.appeal(actor, claim_id, body.reason)
