"""What every workflow service shares: the deployment's registry, storage, limits,
plugins and the journal (which holds the clock)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from attrs import define

if TYPE_CHECKING:
    from wenming.deployment import Deployment
    from wenming.orders.journal import Journal


@define
class Context:
    deployment: Deployment
    journal: Journal

    @property
    def registry(self) -> Any:
        return self.deployment.registry

    @property
    def storage(self) -> Any:
        return self.deployment.storage

    @property
    def config(self) -> Any:
        """The deployment's ``[workflow]`` limits."""
        return self.deployment.config.workflow

    def now(self) -> dt.datetime:
        return self.journal.clock()
