"""The HTTP API: ``create_app(deployment)`` builds a FastAPI application over the same
Python API the CLI uses (:class:`~wenming.orders.service.Workflow`, the network and the
matching engine), with accounts, role-scoped reads and writes, problem+json errors,
pagination, idempotent submission and order versions as ETags.

- :mod:`~wenming.api.app` — the app factory, error mapping, size limit, CORS, plugin routes
- :mod:`~wenming.api.auth` — sign-in, tokens, the current actor as a dependency
- :mod:`~wenming.api.reads` — what each role may read, and masking of personal data
- :mod:`~wenming.api.routers` — one router per resource

Importing this package is light; FastAPI is imported by :func:`create_app`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from wenming.deployment import Deployment

__all__ = ["create_app"]


def create_app(deployment: Deployment, **kwargs: Any) -> FastAPI:
    """The HTTP API of ``deployment`` (see :func:`wenming.api.app.create_app`)."""
    from wenming.api.app import create_app as build

    return build(deployment, **kwargs)
