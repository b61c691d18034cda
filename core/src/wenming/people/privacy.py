"""Who may see and change what on the people side — every refusal names the rule.

Personal data (ID number, phone, birth date and age, where a volunteer signed in) is
shown unmasked only to:

- the volunteer themself (an :class:`~wenming.orders.Actor` of role ``volunteer``
  whose ``id`` is the volunteer's number),
- the leader of one of the volunteer's teams (role ``team_leader``, ``team`` one of
  the volunteer's teams),
- the deployment's data-protection officer (role ``data_protection_officer``).

Every other read gets the masked form (``3205**********1234``, ``138****5678``, no
birth date, a minor flag instead of an age). Unmasked reads by anyone but the
volunteer are written to the event log (kind ``disclosure``), so who looked is on
record (PIPL art. 51).
"""

from __future__ import annotations

from collections.abc import Collection

from wenming.orders.roles import Actor, within

SELF = "a volunteer sees their own record"
OWN_DATA = (
    "unmasked personal data is shown only to the volunteer themself, the leader of one of "
    "their teams, or the data-protection officer"
)


def is_self(actor: Actor, volunteer_id: int) -> bool:
    return actor.role == "volunteer" and actor.id == str(volunteer_id)


def may_unmask(actor: Actor, volunteer_id: int, teams: Collection[str]) -> None:
    """Raise unless ``actor`` may see this volunteer's personal data unmasked."""
    if is_self(actor, volunteer_id) or actor.role == "data_protection_officer":
        return
    if actor.role == "team_leader":
        if actor.team in teams:
            return
        raise actor.deny(
            "read unmasked",
            f"a team leader sees unmasked data only of its own team's members; volunteer "
            f"{volunteer_id} is in {', '.join(sorted(teams)) or 'no team'}",
        )
    if actor.role == "volunteer":
        raise actor.deny("read unmasked", f"{OWN_DATA}; volunteer {actor.id} is someone else")
    raise actor.deny("read unmasked", OWN_DATA)


#: Roles with no part in organising volunteers: they read no one's entry but their own.
OUTSIDERS = ("requester", "volunteer")


def may_read(actor: Actor, volunteer_id: int | None, action: str = "read volunteers") -> None:
    """Reading the registry (masked): everyone who organises service, not a resident
    (requester) nor a volunteer other than for their own entry — a list or a look-up by
    ID number would tell them who volunteers, and where."""
    if actor.role not in OUTSIDERS:
        return
    if volunteer_id is not None and is_self(actor, volunteer_id):
        return
    raise actor.deny(
        action,
        f"a {actor.role} reads no volunteer's entry but its own; the registry is for those "
        "who organise service",
    )


def may_export_or_erase(actor: Actor, volunteer_id: int, action: str) -> None:
    """Exporting (PIPL art. 45) and deleting (art. 47): the person, or the data-protection
    officer acting on their request."""
    if is_self(actor, volunteer_id) or actor.role == "data_protection_officer":
        return
    raise actor.deny(
        action,
        f"only the volunteer themself or the data-protection officer may {action} a "
        "volunteer's record",
    )


def may_register(actor: Actor, station: str, teams: Collection[str]) -> None:
    """Registering a volunteer: the city center, the data-protection officer, a station
    operator for its own area, a team leader into its own team."""
    if actor.role in ("city_dispatcher", "data_protection_officer", "system"):
        return
    if actor.role == "station_operator":
        if within(station, actor.area or ""):
            return
        raise actor.deny(
            "register",
            f"a station operator registers volunteers only of its own area; station "
            f"{station} is outside {actor.area}",
        )
    if actor.role == "team_leader":
        if actor.team in teams:
            return
        raise actor.deny(
            "register", f"a team leader registers volunteers only into its own team {actor.team}"
        )
    raise actor.deny(
        "register", "volunteers are registered by stations, team leaders or the city center"
    )


def may_import(actor: Actor) -> None:
    if actor.role not in ("city_dispatcher", "data_protection_officer", "system"):
        raise actor.deny(
            "import", "only the city center or the data-protection officer imports volunteers"
        )


def may_sign(actor: Actor, volunteer_id: int, team: str, action: str) -> None:
    """Sign-in and sign-out: the volunteer themself, or the leader of the part's team."""
    if is_self(actor, volunteer_id):
        return
    if actor.role == "team_leader" and actor.team == team:
        return
    raise actor.deny(
        action,
        f"a volunteer signs {action.removeprefix('sign ')} themself, or the leader of the "
        f"part's team ({team}) does it for them",
    )


def may_confirm(actor: Actor, team: str, action: str = "confirm") -> None:
    """Confirming and correcting hours: the leader of the part's team only."""
    if actor.role == "team_leader" and actor.team == team:
        return
    raise actor.deny(action, f"hours are confirmed by the leader of the part's team ({team})")


def may_award(actor: Actor) -> None:
    if actor.role in ("city_dispatcher", "department_dispatcher", "station_operator"):
        return
    raise actor.deny("award", "awards are recorded by the city center, a sub-center or a station")


def may_manage_courses(actor: Actor, department: str | None) -> None:
    if actor.role == "city_dispatcher":
        return
    if actor.role == "department_dispatcher" and department == actor.department:
        return
    raise actor.deny(
        "manage courses",
        "training courses are kept by the city center, or a sub-center for its own department",
    )


def may_record_attendance(actor: Actor, station: str) -> None:
    """Attendance: the city center, or a practice guide for volunteers of its area."""
    if actor.role == "city_dispatcher":
        return
    if actor.role == "guide":
        if within(station, actor.area or ""):
            return
        raise actor.deny(
            "record attendance",
            f"a practice guide records attendance only of volunteers of its area; station "
            f"{station} is outside {actor.area}",
        )
    raise actor.deny(
        "record attendance", "attendance is recorded by a practice guide or the city center"
    )


def may_appoint_guides(actor: Actor) -> None:
    if actor.role != "city_dispatcher":
        raise actor.deny("appoint guides", "practice guides are appointed by the city center")
