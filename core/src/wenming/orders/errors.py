"""Errors of the order workflow. Each is a :class:`~wenming.errors.WenmingError`: the CLI
prints it as one line and exits non-zero; the message names the order, part, role or
plugin involved, so a dispatcher knows what to do next."""

from __future__ import annotations

from wenming.errors import WenmingError


class WorkflowError(WenmingError):
    """Base class of every refusal by the order workflow."""


class NotFound(WorkflowError):
    """An order, part or resource that does not exist (or is not published)."""


class InvalidInput(WorkflowError):
    """A field of a request is malformed or unknown to the registry; names the field."""


class IllegalTransition(WorkflowError):
    """The action is not allowed in the order's (or part's) current state."""


class PermissionDenied(WorkflowError):
    """The actor's role does not allow the action; names the role and the rule."""

    def __init__(self, role: str, scope: str, action: str, rule: str) -> None:
        self.role = role
        self.action = action
        self.rule = rule
        who = f"role {role}" + (f" ({scope})" if scope else "")
        super().__init__(f"{who} may not {action}: {rule}")


class FullyBooked(WorkflowError):
    """Every slot of the resource on the order's day is taken; nothing was written."""


class ConflictError(WorkflowError):
    """Someone else changed the order between reading and writing, and the action no
    longer applies: the caller lost a race. Nothing was written."""

    exit_code = 3


class Vetoed(WorkflowError):
    """A ``before_transition`` hook refused the transition; nothing was written."""

    def __init__(self, plugin: str, action: str, order_id: int | None, reason: str) -> None:
        self.plugin = plugin
        self.reason = reason
        target = f"order {order_id}" if order_id is not None else "the new order"
        super().__init__(f"plugin {plugin!r} vetoed {action} of {target}: {reason}")
