"""A least-privilege PostgreSQL role for the application.

The tables' owner (who runs ``wenming init`` and migrations, and ``order repair``) is
not the role the application connects as. The application's role may read and append
to the event log but not change, delete or empty it; it may only move the chain head
(``wm_log_head``) forward and only read the schema marker. Print the statements with
``wenming order grants ROLE`` and run them as the owner after creating the role::

    CREATE ROLE wenming_app LOGIN PASSWORD '…';   -- not the owner, not a superuser
"""

from __future__ import annotations

import re

from wenming.errors import WenmingError

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

#: Privileges by table; every other wenming table gets :data:`DEFAULT`.
PRIVILEGES: dict[str, str] = {
    "wm_order_event": "SELECT, INSERT",
    "wm_log_head": "SELECT, UPDATE",
    "wm_meta": "SELECT",
}
DEFAULT = "SELECT, INSERT, UPDATE, DELETE"


def app_role_statements(role: str, schema: str | None = None) -> list[str]:
    """``GRANT`` statements for the application's role on every wenming table (in
    ``schema``, default the search path's first), and the explicit ``REVOKE`` of
    ``UPDATE``, ``DELETE`` and ``TRUNCATE`` on the event log."""
    for what, name in (("role", role), ("schema", schema)):
        if name is not None and not _IDENT.match(name):
            raise WenmingError(f"{what} must be a plain lower-case SQL name, got {name!r}")
    from sqlmodel import SQLModel

    from wenming.storage import load_tables

    load_tables()
    prefix = f"{schema}." if schema else ""
    statements = [f"GRANT USAGE ON SCHEMA {schema or 'public'} TO {role}"]
    for table in sorted(SQLModel.metadata.tables):
        privileges = PRIVILEGES.get(table, DEFAULT)
        statements.append(f"GRANT {privileges} ON {prefix}{table} TO {role}")
    statements.append(
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema or 'public'} TO {role}"
    )
    statements.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {prefix}wm_order_event FROM {role}")
    return statements
