"""Make a table append-only in the database itself (SQLite and PostgreSQL triggers)."""

from __future__ import annotations

from sqlalchemy import DDL, Table, event


def append_only(table: Table) -> None:
    """Refuse UPDATE and DELETE on ``table`` with triggers created along with it."""
    name = table.name
    message = f"{name} is append-only"
    for verb in ("update", "delete"):
        event.listen(
            table,
            "after_create",
            DDL(
                f"CREATE TRIGGER {name}_no_{verb} BEFORE {verb.upper()} ON {name} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            ).execute_if(dialect="sqlite"),
        )
    event.listen(
        table,
        "after_create",
        DDL(
            f"CREATE OR REPLACE FUNCTION {name}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql; "
            f"CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {name} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}_append_only()"
        ).execute_if(dialect="postgresql"),
    )
