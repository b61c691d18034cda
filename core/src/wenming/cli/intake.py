"""``--text`` for ``wenming match`` and ``wenming order submit``: a wish in the
requester's own words, read by :mod:`wenming.intake`, shown field by field.

Explicit options win over the words: a field given as an option replaces what the
words set (and is shown as such).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import click

from wenming.cli import State
from wenming.errors import WenmingError
from wenming.intake.orders import merge, open_questions, order_values

if TYPE_CHECKING:
    from wenming.intake import Understanding
    from wenming.matching.demand import Demand

__all__ = ["echo", "match_demand", "merge", "open_questions", "read", "submit_values"]

#: Field labels shown to station operators.
LABELS = {
    "template": "项目模板",
    "departments": "拼单部门",
    "category": "服务类别",
    "tags": "服务内容",
    "audiences": "服务对象",
    "headcount": "服务人数",
    "venue_capacity": "场地容量",
    "start": "开始日期",
    "end": "结束日期",
    "recurrence": "重复",
    "place": "地点",
}
RECURRENCE_ZH = {
    "daily": "每天",
    "weekly": "每周",
    "biweekly": "每两周",
    "monthly": "每月",
    "quarterly": "每季度",
    "yearly": "每年",
}


def today_option(fn: Any) -> Any:
    return click.option(
        "--today",
        default=None,
        help="With --text: the day the wish was written, for 下周三, 暑假 … "
        "(YYYY-MM-DD; default: today in Asia/Shanghai).",
    )(fn)


def read(
    state: State, text: str, place: str | None, today: str | None
) -> tuple[Understanding, Any]:
    """Understand ``text`` with the deployment's interpreter; also a namer of IDs."""
    from wenming.intake import Interpreter

    interpreter = Interpreter.from_deployment(state.deployment())
    return interpreter.understand(text, place=place, today=today), _namer(interpreter)


def _namer(interpreter: Any) -> Any:
    """``name(field, value)``: the Chinese name of a registry ID or division code."""
    reg = interpreter.registry
    tables = {
        "category": reg.categories,
        "audiences": reg.audiences,
        "template": reg.templates,
        "departments": reg.departments,
        "tags": getattr(reg, "tags", None) or {},  # the vocabulary, where installed
    }

    def one(field: str, value: Any) -> str:
        if field == "place":
            return f"{value} {interpreter.places.label(value)}"
        table = tables.get(field)
        record = table.get(value) if table is not None else None
        return f"{record.name_zh} ({value})" if record is not None else str(value)

    def name(field: str, value: Any) -> Any:
        if isinstance(value, tuple | list):
            return tuple(one(field, v) for v in value)
        return one(field, value) if isinstance(value, str) else value

    return name


def _value(value: Any) -> str:
    if isinstance(value, tuple | list):
        return "、".join(str(v) for v in value) or "-"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def echo(u: Understanding, overridden: dict[str, Any] | None = None, names: Any = None) -> None:
    """Print what was understood, field by field, with the words and the reason."""
    overridden = overridden or {}
    click.echo(f"读到的需求 (understood from the words, as of {u.today}):")
    shown = set()
    for e in u.evidence:
        shown.add(e.field)
        label = LABELS.get(e.field, e.field)
        value = e.value
        if e.field == "recurrence":
            value = RECURRENCE_ZH.get(value, value)
        if names is not None:
            value = names(e.field, value)
        words = "、".join(f"“{w}”" for w in e.words) if e.words else "—"
        mark = ""
        if e.field in overridden and overridden[e.field] != e.value:
            mark = f"  → replaced by the option: {_value(overridden[e.field])}"
        click.echo(f"  {label:<6} {_value(value)}  ← {words}: {e.why}{mark}")
    for name, value in overridden.items():
        if name not in shown and value not in (None, ()):
            click.echo(f"  {LABELS.get(name, name):<6} {_value(value)}  ← the option")
    if u.departments:
        click.echo(f"  部门线索   {'、'.join(u.departments[:3])}")
    for note in u.notes:
        click.echo(f"  note: {note}")
    if u.unused:
        click.echo(f"  未用的词   {'、'.join(u.unused)}")
    for q in u.questions:
        click.echo(f"  ? {q.text}")
        for value, label in q.candidates:
            click.echo(f"      {value}  {label}")


def submit_values(
    state: State, text: str, values: dict[str, Any], *, yes: bool, today: str | None, as_json: bool
) -> dict[str, Any]:
    """``order submit`` values from the words and the explicit options, after the
    requester confirms what was understood (``yes`` skips the question)."""
    from click.core import ParameterSource

    ctx = click.get_current_context()

    def explicit(name: str) -> bool:
        source = ctx.get_parameter_source(name)
        return source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)

    u, names = read(state, text, values.get("place") or values.get("site"), today)
    keys = ("place", "start", "end", "category", "headcount", "tags", "audiences", "template")
    fields = {k: values[k] for k in keys if explicit(k) and values.get(k) not in (None, ())}
    if explicit("departments") and values.get("departments"):
        fields["departments"] = values["departments"]
    demand, given = merge(u, fields)
    if not as_json:
        echo(u, given, names)
    out = order_values(u, text, values, fields, answer="give --place or reword")
    start = out["start"]
    if not as_json:
        if demand.start is None:
            click.echo(f"  no time in the words: from {start.isoformat()}")
        if not yes and not click.confirm("提交这个点单吗？(submit this order?)", default=False):
            raise WenmingError("not submitted: nothing was stored")
    elif not yes:
        raise WenmingError("--json with --text needs --yes (nothing to confirm on)")
    return out


def match_demand(
    state: State, text: str, fields: dict[str, Any], today: str | None, as_json: bool
) -> tuple[Demand, Understanding]:
    """The demand ``wenming match --text`` ranks, printed field by field first."""
    u, names = read(state, text, fields.get("place"), today)
    demand, given = merge(u, fields)
    if not as_json:
        echo(u, given, names)
        for q in open_questions(u, given):
            click.echo(f"  (not asked back here: {q} — ranking from {demand.place})")
        click.echo("")
    return demand, u
