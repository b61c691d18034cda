"""From an understood wish to the values of an order (点单), for ``wenming order submit
--text`` and the HTTP API's ``POST /intake/orders`` alike.

Explicit fields win over the words: a field given beside the text replaces what the
words set. The words are stored with the order, ID and phone numbers masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wenming.errors import WenmingError

if TYPE_CHECKING:
    from wenming.intake.records import Understanding
    from wenming.matching.demand import Demand

#: The fields of an order that the words can set (and an explicit field replaces).
WORD_FIELDS = (
    "place",
    "start",
    "end",
    "category",
    "headcount",
    "tags",
    "audiences",
    "template",
    "departments",
)


def merge(u: Understanding, fields: dict[str, Any]) -> tuple[Demand, dict[str, Any]]:
    """The understood demand with every explicit field applied; and those fields."""
    import attrs

    from wenming.matching.demand import Demand

    given = {k: v for k, v in fields.items() if v not in (None, ())}
    values = u.demand.as_dict()
    if given.keys() & {"start", "end", "date"}:
        values["start"] = values["end"] = None  # the options give the whole window
    if "template" in given and "departments" not in given:
        values["departments"] = []  # the chosen template says which departments
    for name, value in given.items():
        if name == "date":
            values["start"] = values["end"] = value
        else:
            values[name] = list(value) if isinstance(value, tuple) else value
    fields_known = {f.name for f in attrs.fields(Demand)}
    values = {k: v for k, v in values.items() if k in fields_known}
    return Demand.from_mapping(values, source="--text and options"), given


def open_questions(u: Understanding, given: dict[str, Any]) -> list[str]:
    """Questions the explicit fields have not answered."""
    return [q.text for q in u.questions if q.field not in given]


def order_values(
    u: Understanding, text: str, values: dict[str, Any], given: dict[str, Any], *, answer: str
) -> dict[str, Any]:
    """The keyword arguments of :meth:`Workflow.submit` for the wish ``u`` (read from
    ``text``) with the
    explicit ``given`` fields, over the request's other ``values`` (site, channel,
    description …). A question the fields leave open is refused (``answer`` says how
    to answer it); the words are kept in the description, personal numbers masked."""
    from wenming.intake.text import mask_personal

    demand, given = merge(u, given)
    questions = open_questions(u, given)
    if questions:
        raise WenmingError("answer first: " + " ".join(questions) + f" ({answer})")
    start = demand.start or u.today
    out = dict(values)
    out.update(
        place=demand.place,
        start=start,
        end=demand.end or (start if demand.start else None),
        category=demand.category,
        headcount=demand.headcount or values.get("headcount") or 1,
        tags=demand.tags,
        audiences=demand.audiences,
        template=demand.template,
        departments=demand.departments,
    )
    words = mask_personal(text)[0]  # ID and phone numbers are not stored in clear
    description = values.get("description") or ""
    out["description"] = f"{description}\n{words}" if description else words
    return out
