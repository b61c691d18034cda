"""One router per resource. New areas (volunteers, leaderboards, intake) add a module
here and one line to :data:`ROUTERS`."""

from __future__ import annotations

from wenming.api.routers import joint, match, network, orders, people, supply

ROUTERS = [network.router, supply.router, orders.router, joint.router, match.router, people.router]
