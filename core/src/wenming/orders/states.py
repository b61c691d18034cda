"""The order state machine: states, actions and which action is legal where.

An order has one or more *parts*: an ordinary order has one, a joint order (拼单) one
per partner department. Dispatch, accept, decline, start and complete move one part;
the order's state is then derived from its parts (:func:`derive`). Evaluate, cancel
and expire move the whole order. Everything here is pure and light (no database), so
the service, the event replay and the docs share one definition.

Order states:

``submitted``   waiting for dispatch (some part has never been dispatched)
``declined``    some part was declined and waits to be re-dispatched
``dispatched``  every part is dispatched or accepted; waiting for the teams' answers
``accepted``    every part is accepted; service has not started
``in_service``  service has started for some part and not every part is completed
``completed``   every part recorded its completion (volunteers and hours)
``evaluated``   the requester rated the service (terminal)
``cancelled``   withdrawn before service started (terminal)
``expired``     never accepted before its time window closed (terminal)
"""

from __future__ import annotations

from collections.abc import Sequence

from wenming.orders.errors import IllegalTransition

ORDER_STATES: tuple[str, ...] = (
    "submitted",
    "declined",
    "dispatched",
    "accepted",
    "in_service",
    "completed",
    "evaluated",
    "cancelled",
    "expired",
)
PART_STATES: tuple[str, ...] = (
    "pending",
    "dispatched",
    "declined",
    "accepted",
    "in_service",
    "completed",
    "cancelled",
    "expired",
)
TERMINAL: tuple[str, ...] = ("evaluated", "cancelled", "expired")
CHANNELS: tuple[str, ...] = ("platform", "visit", "mailbox")

#: Actions that move one part: part states it may start from → the part's new state,
#: and the order states in which it is allowed.
PART_ACTIONS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "dispatch": (("pending", "declined"), "dispatched", ("submitted", "declined")),
    "accept": (("dispatched",), "accepted", ("submitted", "declined", "dispatched")),
    "decline": (("dispatched",), "declined", ("submitted", "declined", "dispatched")),
    "start": (("accepted",), "in_service", ("accepted", "in_service")),
    "complete": (("in_service",), "completed", ("in_service",)),
}

#: Actions that move the whole order: order states it may start from → new state.
#: Cancel and expire also move every part to the same state.
ORDER_ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "evaluate": (("completed",), "evaluated"),
    "cancel": (("submitted", "declined", "dispatched", "accepted"), "cancelled"),
    "expire": (("submitted", "declined", "dispatched"), "expired"),
}

ACTIONS: tuple[str, ...] = ("submit", *PART_ACTIONS, *ORDER_ACTIONS)


def derive(part_states: Sequence[str]) -> str:
    """The order state implied by its parts' states (for orders not in a terminal state).

    A declined part outranks a pending one (it needs a dispatcher's attention first),
    which outranks a dispatched one: the order shows the step that holds it up.
    """
    states = set(part_states)
    if not states:
        raise ValueError("an order has at least one part")
    if states <= {"cancelled"}:
        return "cancelled"
    if states <= {"expired"}:
        return "expired"
    if "declined" in states:
        return "declined"
    if "pending" in states:
        return "submitted"
    if "dispatched" in states:
        return "dispatched"
    if states == {"accepted"}:
        return "accepted"
    if states == {"completed"}:
        return "completed"
    return "in_service"


def part_move(action: str, order_id: int, order_state: str, part_seq: int, part_state: str) -> str:
    """The part's new state after ``action``, or :class:`IllegalTransition` saying why not."""
    try:
        part_from, part_to, order_from = PART_ACTIONS[action]
    except KeyError:
        raise IllegalTransition(f"{action!r} is not a part action") from None
    if order_state not in order_from:
        raise IllegalTransition(
            f"order {order_id} is {order_state}: {action} needs the order to be {_or(order_from)}"
        )
    if part_state not in part_from:
        raise IllegalTransition(
            f"order {order_id} part {part_seq} is {part_state}: {action} needs the part to be "
            f"{_or(part_from)}"
        )
    return part_to


def order_move(action: str, order_id: int, order_state: str) -> str:
    """The order's new state after ``action``, or :class:`IllegalTransition` saying why not."""
    try:
        order_from, order_to = ORDER_ACTIONS[action]
    except KeyError:
        raise IllegalTransition(f"{action!r} is not an order action") from None
    if order_state not in order_from:
        raise IllegalTransition(
            f"order {order_id} is {order_state}: {action} needs it to be {_or(order_from)}"
        )
    return order_to


def _or(options: Sequence[str]) -> str:
    return options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]
