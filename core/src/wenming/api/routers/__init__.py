"""One router per resource. New areas add a module here and one line to
:data:`ROUTERS`."""

from __future__ import annotations

from wenming.api.routers import intake, joint, match, network, orders, people, stats, supply, units

ROUTERS = [
    network.router,
    supply.router,
    orders.router,
    joint.router,
    match.router,
    people.router,
    intake.router,
    stats.router,
    units.router,
]
