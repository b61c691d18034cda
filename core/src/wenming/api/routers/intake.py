"""Free-text intake: a wish in the requester's own words, understood field by field
(what words set each field and why, which words were not used, what must be asked
back), and 点单 from words — like ``wenming order submit --text``, explicit fields win
over the words and ID and phone numbers are masked before the words are stored."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from wenming.api.routers.common import (
    ERROR_RESPONSES,
    ApiProblem,
    CurrentActor,
    ServicesDep,
    invalid,
    order_response,
)
from wenming.api.routers.orders import IdempotencyKey
from wenming.api.schemas import OrderOut, Strict, Text
from wenming.orders import roles

router = APIRouter(prefix="/intake", tags=["intake"], responses=ERROR_RESPONSES)

#: Who submits orders (the workflow's rule decides the rest, e.g. a station's area).
SUBMITTERS = ("city_dispatcher", "station_operator", "requester")

Words = Field(
    min_length=1,
    max_length=4000,
    description="The wish in the requester's own words (at most 1,000 characters are read).",
)
Today = Field(
    default=None,
    description="The day the wish was written, for 下周三, 暑假 … (default: today in the "
    "deployment's time zone).",
)


class UnderstandIn(Strict):
    text: str = Words
    place: str | None = Field(
        default=None,
        pattern=r"^[0-9]{2,12}$",
        description="Where the wish was filed: decides shared place names; the place when "
        "the words name none.",
    )
    today: dt.date | None = Today


class EvidenceOut(BaseModel):
    """One field the words set: its value, the words and the rule that read them."""

    field: str
    value: Any
    words: list[str]
    why: str


class CandidateOut(BaseModel):
    value: str
    label: str


class QuestionOut(BaseModel):
    """Something the words leave open, asked back with the candidates to choose from."""

    field: str
    question: str
    words: list[str]
    candidates: list[CandidateOut]


class UnderstandingOut(BaseModel):
    """What the words ask for: the demand, each field's evidence, the unused words and
    the questions to ask back."""

    text: str
    demand: dict[str, Any]
    evidence: list[EvidenceOut]
    unused: list[str]
    questions: list[QuestionOut]
    notes: list[str]
    venue_capacity: int | None
    recurrence: str | None
    named_place: str | None
    departments: list[str]
    joint_template: str | None
    today: dt.date | None


class IntakeSubmitIn(Strict):
    """A wish in words, and any field given explicitly — which wins over the words."""

    text: str = Words
    today: dt.date | None = Today
    place: str | None = Field(default=None, pattern=r"^[0-9]{2,12}$")
    start: dt.date | None = None
    end: dt.date | None = None
    category: str | None = Field(default=None, max_length=128)
    headcount: int | None = Field(default=None, ge=1, le=100_000)
    tags: list[str] = Field(default_factory=list, max_length=50)
    audiences: list[str] = Field(default_factory=list, max_length=20)
    template: str | None = Field(default=None, max_length=128)
    departments: list[str] = Field(default_factory=list, max_length=15)
    site: str | None = Field(default=None, pattern=r"^[0-9]{2,12}$")
    channel: Literal["platform", "visit", "mailbox"] = "platform"
    description: str = Text
    lng: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    resource: str | None = Field(default=None, max_length=128)


def _read(services: Any, text: str, place: str | None, today: dt.date | None) -> Any:
    from wenming.intake import Interpreter

    interpreter = Interpreter.from_deployment(services.deployment)
    if today is None:
        today = services.workflow.clock().astimezone(interpreter.time_zone).date()
    with invalid("text"):
        return interpreter.understand(text, place=place, today=today)


@router.post("/understand", response_model=UnderstandingOut)
def understand(body: UnderstandIn, actor: CurrentActor, services: ServicesDep) -> dict[str, Any]:
    """Read a wish: the fields understood, each with its words and reason, the words not
    used and the questions to ask back. Nothing is stored."""
    return _read(services, body.text, body.place, body.today).as_dict()


@router.post("/orders", response_model=OrderOut, status_code=201)
def submit(
    body: IntakeSubmitIn,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """点单 from words: the wish is read, explicit fields replace what the words set, and
    the order is submitted with the words kept (personal numbers masked). A question
    the fields leave open (a shared place name, no place at all) is a 422 with the
    questions; nothing is stored."""
    from wenming.intake.orders import WORD_FIELDS, merge, open_questions, order_values

    if actor.role not in SUBMITTERS:
        roles.may_submit(actor, None, "")  # the workflow's refusal, before reading
    u = _read(services, body.text, body.place or body.site, body.today)
    explicit = body.model_fields_set
    given = {
        k: getattr(body, k)
        for k in WORD_FIELDS
        if k in explicit and getattr(body, k) not in (None, [], ())
    }
    with invalid("body"):
        _, given = merge(u, given)
    questions = [q for q in u.questions if q.text in open_questions(u, given)]
    if questions:
        raise ApiProblem(
            422,
            "answer first: " + " ".join(q.text for q in questions) + " (give place or reword)",
            field=questions[0].field,
            questions=[q.as_dict() for q in questions],
        )
    others = body.model_dump(exclude={"text", "today", *WORD_FIELDS})
    others["headcount"] = body.headcount or 1
    with invalid("body"):
        values = order_values(u, body.text, others, given, answer="give place or reword")
    view = services.workflow.submit(actor, idempotency_key=idempotency_key, **values)
    response.headers["Location"] = f"/orders/{view.id}"
    return order_response(actor, view, response)
