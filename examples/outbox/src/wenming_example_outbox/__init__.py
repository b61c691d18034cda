"""A notification outbox fed by the order workflow's lifecycle hooks (an example
extension plugin), with one veto: a low rating must say what went wrong.

``after_transition`` turns each committed transition into messages for the people
concerned and appends them, one JSON object per line, to the file named by the
environment variable ``WENMING_OUTBOX`` (or logs them when it is unset).
``before_transition`` refuses an evaluation of 2 or less without a comment.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click

from wenming import API_VERSION, hookimpl
from wenming.records import Transition, Veto

if TYPE_CHECKING:  # json and pathlib are imported where used: `wenming --help` loads this
    from pathlib import Path

WENMING_API = API_VERSION
ENV_OUTBOX = "WENMING_OUTBOX"


def messages(t: Transition) -> list[dict[str, Any]]:
    """The notifications one transition calls for: who hears what."""
    data = dict(t.data)
    part = f" (part {data['part']})" if data.get("part") and t.action != "submit" else ""
    order = f"order {t.order_id}{part}"
    requester = data.get("requester")
    out: list[tuple[str, str]] = []
    if t.action == "submit":
        out.append(("guidance_center", f"new {order}: {data['order']['category']}"))
    elif t.action == "dispatch":
        out.append((data["resource"], f"new dispatch: {order}, please accept or decline"))
    elif t.action == "accept":
        out.append(("requester", f"{order} accepted by {data['resource']}"))
    elif t.action == "decline":
        out.append(
            ("requester", f"{order} declined by {data['resource']}; it is being re-dispatched")
        )
        owner = data.get("department") or str(data["resource"]).split(".", 1)[0]
        out.append((f"{owner}.subcenter", f"{data['resource']} declined {order}: {t.reason}"))
    elif t.action == "complete":
        hours = sum(v["hours"] for v in data.get("volunteers", ()))
        out.append(("requester", f"{order} delivered ({hours:g} volunteer hours); please evaluate"))
    elif t.action in ("cancel", "expire"):
        out.append(("requester", f"order {t.order_id} {t.to_state}: {t.reason}"))
    elif t.action == "evaluate":
        out.append(("guidance_center", f"order {t.order_id} rated {data['rating']}/5"))
    return [
        {
            "to": requester if to == "requester" and requester else to,
            "order": t.order_id,
            "action": t.action,
            "at": t.at.isoformat(),
            "text": text,
        }
        for to, text in out
    ]


def outbox_path() -> Path | None:
    raw = os.environ.get(ENV_OUTBOX)
    from pathlib import Path

    return Path(raw) if raw else None


@hookimpl
def after_transition(transition):
    """Append the transition's notifications to the outbox (or log them)."""
    found = messages(transition)
    path = outbox_path()
    if path is None:
        import logging

        log = logging.getLogger("wenming_example_outbox")
        for m in found:
            log.info("to %s: %s", m["to"], m["text"])
        return
    import json

    with path.open("a", encoding="utf-8") as fh:
        for m in found:
            fh.write(json.dumps(m, ensure_ascii=False) + "\n")


@hookimpl
def before_transition(transition):
    """Refuse a rating of 2 or less that does not say what went wrong."""
    if transition.action != "evaluate":
        return None
    if transition.data["rating"] <= 2 and not str(transition.data.get("comment", "")).strip():
        return Veto("a rating of 2 or less needs a comment saying what went wrong")
    return None


@click.command(name="outbox")
@click.option("--to", "recipient", default=None, help="Only messages to this recipient.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def outbox_command(recipient: str | None, as_json: bool) -> None:
    """Show the notification outbox (the file named by WENMING_OUTBOX)."""
    import datetime as dt
    import json

    from wenming.cli import show_time
    from wenming.errors import WenmingError

    path = outbox_path()
    if path is None:  # a WenmingError prints as one line, "error: …", like core's
        raise WenmingError(f"set {ENV_OUTBOX} to the outbox file")
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    found = [json.loads(line) for line in lines if line.strip()]
    if recipient is not None:
        found = [m for m in found if m["to"] == recipient]
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for m in found:
        when = show_time(dt.datetime.fromisoformat(m["at"]))  # the deployment's time zone
        click.echo(f"{when}  to {m['to']}: {m['text']}")


@hookimpl
def register_commands(register):
    """``wenming outbox``: read the notifications."""
    register(outbox_command)
