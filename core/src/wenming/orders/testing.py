"""Helpers for tests that drive the workflow: a settable clock, and a workflow over
chosen plugin objects (core always included) on a given database URL.

Extension-plugin authors use them to test their lifecycle hooks without installing
every department::

    from wenming.orders.testing import Clock, make_workflow

    workflow = make_workflow("sqlite://", [("outbox", my_plugin)], clock=Clock())
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from wenming.orders.service import Workflow


class Clock:
    """A UTC clock that stands still until moved (``clock.advance(hours=25)``)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2023, 7, 1, 1, 0, tzinfo=dt.UTC)
        if self.now.tzinfo is None:
            raise ValueError("Clock needs a timezone-aware start")

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def make_workflow(
    database_url: str,
    plugins: Iterable[tuple[str, Any]] = (),
    *,
    clock: Clock | None = None,
    workflow: dict[str, Any] | None = None,
    create: bool = True,
) -> Workflow:
    """A :class:`Workflow` over core plus ``(name, plugin_object)`` pairs (no entry
    points), with its schema created. ``workflow`` sets ``[workflow]`` values."""
    from wenming import builtins
    from wenming.deployment import Deployment, DeploymentConfig, WorkflowConfig

    config = DeploymentConfig(
        name="test", database=database_url, workflow=WorkflowConfig(**(workflow or {}))
    )
    deployment = Deployment(
        config, extra_plugins=[("core", builtins), *plugins], use_entry_points=False, strict=True
    )
    if create:
        deployment.storage.create()
    return Workflow(deployment, clock=clock)


def crew_plugin(*, capacity: int = 30) -> type:
    """A second department, ``crew``, for tests of joint orders: teams ``crew.a`` and
    ``crew.b`` (science, ``capacity`` people each) and the joint template ``crew.duo``
    that crew co-delivers with ``water``. Register it as ``("crew", crew_plugin())``;
    subclass it to add hooks."""
    from wenming import hookimpl
    from wenming.records import Department, JointPart, Resource, Template

    class Crew:
        @hookimpl
        def register_department(register):
            register(
                Department(
                    code="crew",
                    name_zh="协作部门",
                    name_en="Crew",
                    subcenter_zh="协作分中心",
                    subcenter_en="Crew sub-center",
                    corps_zh="协作总队",
                    corps_en="Crew corps",
                )
            )

        @hookimpl
        def register_resources(register):
            for name in ("a", "b"):
                register(
                    Resource(
                        name=name,
                        kind="team",
                        name_zh=f"协作{name}",
                        name_en=name,
                        place="3205",
                        categories=["science"],
                        capacity=capacity,
                    )
                )

        @hookimpl
        def register_templates(register):
            register(
                Template(
                    name="duo",
                    name_zh="双部门",
                    name_en="Duo",
                    category="science",
                    parts=[
                        JointPart(department="crew", contribution_zh="甲", contribution_en="A"),
                        JointPart(department="water", contribution_zh="乙", contribution_en="B"),
                    ],
                    description="Two-partner test template.",
                )
            )

    return Crew
