"""Planning first-aid classes with the deployment's class-size setting.

A station asks for first-aid training for, say, 75 couriers; how many certified
instructors must the sub-center send at once? ``health.max_class_per_trainer`` (30 by
default) answers it, and the certified teams are the health resources tagged
``certified_rescue`` — the same tag the ``health.certified_trainers`` rule requires.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from attrs import frozen

from wenming.cli import State, echo_json, json_option
from wenming.errors import WenmingError

if TYPE_CHECKING:
    from wenming.registry import Registry

CERTIFIED_TAG = "certified_rescue"


def instructors_needed(trainees: int, max_class_per_trainer: int) -> int:
    """Instructors needed at one time: ``⌈trainees / max_class_per_trainer⌉``."""
    if trainees < 1:
        raise WenmingError(f"trainees must be at least 1, got {trainees}")
    if max_class_per_trainer < 1:
        raise WenmingError(
            f"setting health.max_class_per_trainer must be at least 1, got {max_class_per_trainer}"
        )
    return -(-trainees // max_class_per_trainer)


@frozen
class CertifiedTeam:
    """A health team allowed to teach first aid."""

    key: str
    name_zh: str
    name_en: str
    members: int


@frozen
class FirstAidPlan:
    """How a first-aid class of ``trainees`` is staffed under the deployment's settings."""

    trainees: int
    max_class_per_trainer: int
    instructors: int
    teams: tuple[CertifiedTeam, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "trainees": self.trainees,
            "max_class_per_trainer": self.max_class_per_trainer,
            "instructors": self.instructors,
            "teams": [
                {"key": t.key, "name_zh": t.name_zh, "name_en": t.name_en, "members": t.members}
                for t in self.teams
            ],
        }


def plan_first_aid(registry: Registry, trainees: int) -> FirstAidPlan:
    """Instructors a class of ``trainees`` needs, and the certified health teams, by key."""
    if "health" not in registry.departments:
        raise WenmingError("the health plugin is not enabled in this deployment")
    size = registry.setting("health", "max_class_per_trainer")
    teams = tuple(
        CertifiedTeam(key, r.name_zh, r.name_en, r.members)
        for key, r in registry.resources.items()
        if registry.owner(key) == "health" and r.kind == "team" and CERTIFIED_TAG in r.tags
    )
    return FirstAidPlan(trainees, size, instructors_needed(trainees, size), teams)


@click.command(name="first-aid-plan")
@click.argument("trainees", type=int)
@json_option
@click.pass_obj
def first_aid_plan_command(state: State, trainees: int, as_json: bool) -> None:
    """Instructors a first-aid class of TRAINEES needs, and the certified teams to ask."""
    plan = plan_first_aid(state.deployment().registry, trainees)
    if as_json:
        echo_json(plan.as_dict())
        return
    click.echo(
        f"{plan.trainees} trainees: {plan.instructors} certified instructor(s) at "
        f"{plan.max_class_per_trainer} per instructor (setting health.max_class_per_trainer)"
    )
    for team in plan.teams:
        click.echo(f"  {team.key}  {team.name_zh} / {team.name_en}  ({team.members} members)")
