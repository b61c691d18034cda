"""点单 in the requester's own words: the free-text intake (:mod:`wenming.intake`) reads
the wish, and the console shows what was understood, field by field with the words
that set it, in the ordinary filing form for the operator to confirm or correct before
anything is submitted. Nothing is stored until the form is sent."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from wenming.console import session, web
from wenming.console.orders import form_page
from wenming.errors import WenmingError

router = APIRouter(prefix="/console", include_in_schema=False)

#: The form fields the understanding fills, in the order they are shown.
FIELDS = ("template", "category", "audiences", "tags", "headcount", "place", "start", "end")


def understood(request: Request, text: str, place: str | None) -> tuple[Any, dict[str, Any]]:
    """The intake's reading of ``text`` and the filing form's values from it."""
    from wenming.intake.interpreter import Interpreter
    from wenming.intake.text import mask_personal

    deployment = web.services(request).deployment
    u = Interpreter.from_deployment(deployment).understand(text, place=place or None)
    d = u.demand
    start = d.start or u.today
    values = {
        "template": d.template or "",
        "category": d.category or "",
        "audiences": list(d.audiences),
        "tags": ", ".join(d.tags),
        "headcount": str(d.headcount or 1),
        "place": d.place or place or "",
        "site": place or "",
        "start": start.isoformat() if start else "",
        "end": d.end.isoformat() if d.end else "",
        "departments": list(d.departments),
        "description": mask_personal(text)[0],  # ID and phone numbers not kept in clear
    }
    return u, values


@router.post("/orders/understand", response_class=HTMLResponse)
def understand(
    request: Request,
    csrf: Annotated[str, Form(max_length=128)] = "",
    wish: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Read the wish and show the filing form filled from it, with the evidence."""
    user = web.require(request)
    if not session.csrf_ok(request, csrf):
        error = web.i18n.translate("csrf_failed", web.lang(request))
        return form_page(request, user, 403, error=error, wish=wish)
    try:
        u, values = understood(request, wish, user.area)
    except WenmingError as exc:
        return form_page(request, user, web.status_of(exc), error=str(exc), wish=wish)
    evidence = [e.as_dict() for e in u.evidence]
    return form_page(
        request,
        user,
        wish=wish,
        understanding={
            "evidence": evidence,
            "unused": list(u.unused),
            "questions": [q.as_dict() for q in u.questions],
            "notes": list(u.notes),
        },
        **values,
    )
