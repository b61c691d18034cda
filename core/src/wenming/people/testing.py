"""Helpers for tests of the people side and of plugins that extend it.

``make_deployment`` composes core and chosen plugin objects (no entry points);
``make_people`` adds a schema, a loaded set of stations and a :class:`People` service::

    from wenming.people.testing import make_people

    people = make_people("sqlite://", [("badge", my_plugin)])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wenming.deployment import Deployment, DeploymentConfig, PeopleConfig


def make_deployment(
    plugins: Iterable[tuple[str, Any]] = (),
    *,
    database_url: str = "sqlite://",
    people: Mapping[str, Any] | None = None,
) -> Deployment:
    """A deployment of core plus ``(name, plugin_object)`` pairs; ``people`` sets
    ``[people]`` values (structured like the deployment file)."""
    from wenming import builtins
    from wenming.deployment import parse_config

    config = (
        parse_config({"name": "test", "database": database_url, "people": dict(people)}, "test")
        if people
        else DeploymentConfig(name="test", database=database_url, people=PeopleConfig())
    )
    return Deployment(
        config, extra_plugins=[("core", builtins), *plugins], use_entry_points=False, strict=True
    )


def make_people(
    database_url: str = "sqlite://",
    plugins: Iterable[tuple[str, Any]] = (),
    *,
    clock: Any = None,
    people: Mapping[str, Any] | None = None,
    stations: Iterable[str] = (),
) -> Any:
    """A :class:`~wenming.people.service.People` over a fresh schema, with ``stations``
    (12-digit village codes) added to the network so volunteers can live there."""
    from wenming.people.service import People

    deployment = make_deployment(plugins, database_url=database_url, people=people)
    deployment.storage.create()
    codes = sorted(set(stations))
    if codes:
        add_stations(deployment, codes)
    return People(deployment, clock=clock)


def add_stations(deployment: Deployment, codes: Iterable[str]) -> None:
    """Write bare station rows (and their county and town) for tests."""
    from sqlalchemy import insert, select

    from wenming.storage.tables import Site

    t = Site.__table__
    rows: dict[str, dict[str, Any]] = {}
    for code in codes:
        county, town = code[:6], code[:9]
        rows.setdefault(county, {"code": county, "level": "center", "parent_code": None})
        rows.setdefault(town, {"code": town, "level": "institute", "parent_code": county})
        rows[code] = {"code": code, "level": "station", "parent_code": town}
    with deployment.storage.engine.begin() as conn:
        have = set(conn.execute(select(t.c.code)).scalars())
        new = [
            {**r, "name": f"{r['level']} {r['code']}", "site_type": f"core.{r['level']}"}
            for c, r in rows.items()
            if c not in have
        ]
        if new:
            conn.execute(insert(t), new)
