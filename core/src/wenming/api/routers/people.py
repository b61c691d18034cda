"""志愿者: volunteers, sign-in and sign-out on order parts, confirmed hours, star levels,
guides and courses — a thin layer over :class:`wenming.people.service.People`, under
the rules of :mod:`wenming.people.privacy` (a refusal names the role and the rule).

Personal data is masked unless the rules allow it: lists are always masked; a single
read asks with ``unmasked=true`` (the volunteer themself, the leader of one of their
teams, the data-protection officer; anyone else's unmasked read is logged); export and
deletion are for the volunteer themself or the data-protection officer. A volunteer
signs in as a user of role ``volunteer`` whose username is their volunteer number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response

from wenming.api import reads
from wenming.api.people_schemas import (
    AttendIn,
    AttendOut,
    ConfirmIn,
    CorrectIn,
    CourseIn,
    CourseOut,
    GuideIn,
    GuideOut,
    ImportIn,
    ImportOut,
    LookupIn,
    RegisterIn,
    ServiceRecordOut,
    SignIn,
    StarsOut,
    VolunteerOut,
)
from wenming.api.problems import ApiProblem
from wenming.api.routers.common import (
    ERROR_RESPONSES,
    CurrentActor,
    Limit,
    Offset,
    ServicesDep,
    invalid,
    page,
)
from wenming.api.schemas import Page
from wenming.orders.errors import PermissionDenied
from wenming.people import privacy
from wenming.people.importer import ImportRejected

if TYPE_CHECKING:
    from wenming.orders import Actor
    from wenming.people.service import People

router = APIRouter(tags=["volunteers"], responses=ERROR_RESPONSES)

VolunteerId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The volunteer's number.")]
OrderId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The order's ID.")]
CourseKey = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.]{0,62}$")]
Unmasked = Annotated[
    bool,
    Query(description="Show the ID number, phone and birth date, if the rules allow it."),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=128,
        description="Registering again with the same key returns the first volunteer.",
    ),
]
#: Answers that carry personal data are not to be kept by caches on the way.
PRIVATE = {"Cache-Control": "no-store"}


def _people(services: Any) -> People:
    return services.people


def _rejected(exc: ImportRejected, *, single: bool) -> ApiProblem:
    """An all-or-nothing refusal as a 422 naming each bad field (one line; the list in
    ``problems``). A single registration's problems name the field alone."""
    problems = [p.split(", ", 1)[1] if single and ", " in p else p for p in exc.problems]
    return ApiProblem(
        422,
        "; ".join(problems) + ("" if single else "; nothing imported"),
        problems=problems,
        slug="invalid-input",
    )


def _position(body: SignIn) -> tuple[float, float] | None:
    if body.lng is None and body.lat is None:
        return None
    if body.lng is None or body.lat is None:
        raise ApiProblem(422, "lng and lat: give both or neither", slug="invalid-input")
    return body.lng, body.lat


def _private(response: Response, view: Any) -> dict[str, Any]:
    if not view.masked:
        response.headers.update(PRIVATE)
    return view.as_dict()


# ---------------------------------------------------------------------- stars, guides, courses
# (before /volunteers/{volunteer_id}, so these paths are not taken for a number)


@router.get("/volunteers/stars", response_model=StarsOut)
def star_distribution(actor: CurrentActor, services: ServicesDep) -> dict[str, Any]:
    """星级志愿者: volunteers at each star level, by county and department (maintained
    counts, not a scan of the volunteers)."""
    return _people(services).stars().as_dict()


@router.get("/volunteers/guides", response_model=list[GuideOut])
def list_guides(
    actor: CurrentActor,
    services: ServicesDep,
    area: Annotated[str | None, Query(pattern=r"^[0-9]{2,12}$")] = None,
) -> list[dict[str, Any]]:
    """Practice guides (指导员), optionally those whose area lies inside ``area``."""
    return _people(services).guides(area=area)


@router.post("/volunteers/guides", response_model=GuideOut, status_code=201)
def appoint_guide(body: GuideIn, actor: CurrentActor, services: ServicesDep) -> dict[str, Any]:
    """Appoint a practice guide for an area (the city center)."""
    return _people(services).appoint_guide(
        actor, body.id, body.name, body.area, department=body.department
    )


@router.get("/volunteers/courses", response_model=list[CourseOut])
def list_courses(actor: CurrentActor, services: ServicesDep) -> list[dict[str, Any]]:
    """Training courses: type, hours, and the certificate each grants."""
    return _people(services).courses()


@router.post("/volunteers/courses", response_model=CourseOut, status_code=201)
def add_course(
    body: CourseIn, actor: CurrentActor, services: ServicesDep, response: Response
) -> dict[str, Any]:
    """Add a training course (the city center, or a sub-center for its department)."""
    course = _people(services).add_course(
        actor,
        body.key,
        body.name,
        course_type=body.type,
        hours=body.hours,
        certificate=body.certificate,
        valid_days=body.valid_days,
        department=body.department,
    )
    response.headers["Location"] = f"/volunteers/courses/{course['key']}"
    return course


@router.post("/volunteers/courses/{key}/attendance", response_model=AttendOut)
def attend(
    key: CourseKey, body: AttendIn, actor: CurrentActor, services: ServicesDep
) -> dict[str, Any]:
    """Record attendance (a practice guide for its area, or the city center): training
    hours and the course's certificate, for every volunteer or none."""
    n = _people(services).attend(actor, key, list(body.volunteers), body.day)
    return {"course": key, "attended": n}


# ---------------------------------------------------------------------- volunteers


@router.get("/volunteers", response_model=Page[VolunteerOut])
def list_volunteers(
    actor: CurrentActor,
    services: ServicesDep,
    station: Annotated[
        str | None, Query(pattern=r"^[0-9]{2,12}$", description="Division-code prefix.")
    ] = None,
    team: Annotated[str | None, Query(max_length=128, description="Members of this team.")] = None,
    level: Annotated[int | None, Query(ge=0, le=20, description="Star level.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Volunteers by number, masked, one page."""
    found = _people(services).volunteers(
        actor, station=station, team=team, level=level, limit=limit + 1, offset=offset
    )
    return page([v.as_dict() for v in found], limit, offset)


@router.post("/volunteers", response_model=VolunteerOut, status_code=201)
def register(
    body: RegisterIn,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Register one volunteer (a station for its area, a team leader into its team, the
    city center); the answer is masked."""
    values = body.model_dump()
    try:
        view = _people(services).register(actor, idempotency_key=idempotency_key, **values)
    except ImportRejected as exc:
        raise _rejected(exc, single=True) from None
    response.headers["Location"] = f"/volunteers/{view.id}"
    return view.as_dict()


@router.post("/volunteers/import", response_model=ImportOut, status_code=201)
def import_rows(body: ImportIn, actor: CurrentActor, services: ServicesDep) -> dict[str, Any]:
    """Import volunteers given as rows with the import file's fields, all or nothing
    (the city center, the data-protection officer)."""
    rows = [r.model_dump() for r in body.rows]
    try:
        report = _people(services).import_rows(actor, rows, source=body.source)
    except ImportRejected as exc:
        raise _rejected(exc, single=False) from None
    return report.as_dict()


#: The file upload's route, allowed bodies up to a volunteer file's size (not the
#: API's limit); about 60,000 rows of CSV.
IMPORT_FILE_PATH = "/volunteers/import/file"
IMPORT_FILE_BYTES = 16 * 1024 * 1024


def may_import(actor: Actor) -> bool:
    """Whether ``actor`` imports volunteers (the body limit reads a large file only then)."""
    try:
        privacy.may_import(actor)
    except PermissionDenied:
        return False
    return True


@router.post(
    IMPORT_FILE_PATH,
    response_model=ImportOut,
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        }
    },
)
async def import_file(
    request: Request,
    actor: CurrentActor,
    services: ServicesDep,
    name: Annotated[
        str,
        Query(
            min_length=1,
            max_length=128,
            pattern=r"^[^\x00-\x1f/\\]+$",
            description="The file's name: the source named in the report and its problems.",
        ),
    ] = "upload",
) -> dict[str, Any]:
    """Import a volunteer file as ``wenming volunteers import`` does — a CSV in UTF-8
    or an XLSX workbook (told by its content), the request body, at most 16 MiB — all
    or nothing (the city center, the data-protection officer)."""
    from starlette.concurrency import run_in_threadpool

    privacy.may_import(actor)  # before the file is parsed (raises, naming the rule)
    content = await request.body()
    svc = _people(services)
    with invalid("body"):  # not a CSV or XLSX file, an unknown column
        try:
            report = await run_in_threadpool(svc.import_upload, actor, content, name)
        except ImportRejected as exc:  # bad rows: each named, nothing imported
            raise _rejected(exc, single=False) from None
    return report.as_dict()


@router.post("/volunteers/lookup", response_model=VolunteerOut)
def lookup(
    body: LookupIn, actor: CurrentActor, services: ServicesDep, response: Response
) -> dict[str, Any]:
    """The volunteer with this ID number (found by its keyed hash), masked unless asked
    for and allowed."""
    view = _people(services).find(actor, body.id_number, unmasked=body.unmasked)
    return _private(response, view)


@router.get("/volunteers/{volunteer_id}", response_model=VolunteerOut)
def show(
    volunteer_id: VolunteerId,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    unmasked: Unmasked = False,
) -> dict[str, Any]:
    """One volunteer, masked unless ``unmasked=true`` is asked for and allowed."""
    view = _people(services).volunteer(actor, volunteer_id, unmasked=unmasked)
    return _private(response, view)


@router.get("/volunteers/{volunteer_id}/record", response_model=dict[str, Any])
def record(
    volunteer_id: VolunteerId,
    actor: CurrentActor,
    services: ServicesDep,
    response: Response,
    unmasked: Unmasked = False,
) -> dict[str, Any]:
    """The record in the five classes of 《志愿服务记录与证明出具办法》 (basic, service,
    training, awards, evaluation) and any a plugin adds."""
    data = _people(services).record(actor, volunteer_id, unmasked=unmasked)
    if not data["basic"]["masked"]:
        response.headers.update(PRIVATE)
    return data


@router.get(
    "/volunteers/{volunteer_id}/export",
    response_class=Response,
    responses={
        200: {
            "description": "The record, unmasked",
            "content": {"application/json": {}, "text/csv": {}},
        }
    },
)
def export(
    volunteer_id: VolunteerId,
    actor: CurrentActor,
    services: ServicesDep,
    format: Literal["json", "csv"] = "json",
) -> Response:
    """The volunteer's own record, unmasked, as JSON or CSV (PIPL art. 45): the
    volunteer themself or the data-protection officer."""
    text = _people(services).export(actor, volunteer_id, format)
    kind = "application/json" if format == "json" else "text/csv; charset=utf-8"
    return Response(
        text,
        media_type=kind,
        headers={
            **PRIVATE,
            "Content-Disposition": f'attachment; filename="volunteer-{volunteer_id}.{format}"',
        },
    )


@router.delete("/volunteers/{volunteer_id}", response_model=VolunteerOut)
def delete(
    volunteer_id: VolunteerId,
    actor: CurrentActor,
    services: ServicesDep,
    reason: Annotated[str, Query(max_length=500, description="e.g. the request's number.")] = "",
) -> dict[str, Any]:
    """Delete the volunteer's personal data (PIPL art. 47): the row keeps its hours,
    level, station and department so every count holds; the volunteer themself or the
    data-protection officer."""
    return _people(services).anonymise(actor, volunteer_id, reason).as_dict()


# ---------------------------------------------------------------------- sign-in, hours


@router.post("/orders/{order_id}/signin", response_model=ServiceRecordOut, status_code=201)
def sign_in(
    order_id: OrderId, body: SignIn, actor: CurrentActor, services: ServicesDep
) -> dict[str, Any]:
    """Sign a volunteer in to a part their team has accepted or started (the volunteer
    themself, or the leader of the part's team)."""
    position = _position(body)
    rec = _people(services).sign_in(
        actor, body.volunteer, order_id, part=body.part, at=body.at, position=position
    )
    return rec.as_dict()


@router.post("/orders/{order_id}/signout", response_model=ServiceRecordOut)
def sign_out(
    order_id: OrderId, body: SignIn, actor: CurrentActor, services: ServicesDep
) -> dict[str, Any]:
    """Sign a volunteer out; the minutes round to hours by the deployment's rule."""
    position = _position(body)
    rec = _people(services).sign_out(
        actor, body.volunteer, order_id, part=body.part, at=body.at, position=position
    )
    return rec.as_dict()


@router.get("/orders/{order_id}/hours", response_model=Page[ServiceRecordOut])
def order_hours(
    order_id: OrderId,
    actor: CurrentActor,
    services: ServicesDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Who signed in to the order, and their hours (to whoever may read the order)."""
    reads.order(services.workflow, actor, order_id)  # the order's read scope
    found = _people(services).service_records(order_id=order_id)
    chunk = found[offset : offset + limit + 1]
    return page([r.as_dict() for r in chunk], limit, offset)


@router.post("/orders/{order_id}/hours/confirm", response_model=list[ServiceRecordOut])
def confirm(
    order_id: OrderId, actor: CurrentActor, services: ServicesDep, body: ConfirmIn | None = None
) -> list[dict[str, Any]]:
    """The leader of the part's team confirms the hours of the signed-out volunteers:
    totals, star levels and counts move in one transaction."""
    body = body or ConfirmIn()
    done = _people(services).confirm(actor, order_id, part=body.part, volunteers=body.volunteers)
    return [r.as_dict() for r in done]


@router.post("/orders/{order_id}/hours/correct", response_model=ServiceRecordOut)
def correct(
    order_id: OrderId, body: CorrectIn, actor: CurrentActor, services: ServicesDep
) -> dict[str, Any]:
    """Correct a volunteer's confirmed hours with a reason (a new event carries the
    difference; nothing is edited)."""
    rec = _people(services).correct(
        actor, body.volunteer, order_id, body.hours, body.reason, part=body.part
    )
    return rec.as_dict()
