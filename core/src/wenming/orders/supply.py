"""供单 supply: publishing and withdrawing venues, projects and teams, and looking up
what can be dispatched — a published row, else a plugin's seed resource."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, insert, select, update

from wenming.orders import capacity, inputs, roles
from wenming.orders.context import Context
from wenming.orders.errors import IllegalTransition, InvalidInput, NotFound
from wenming.orders.inputs import check_code, qualify
from wenming.orders.roles import Actor
from wenming.orders.views import ResourceView
from wenming.records import NAME_RE, RESOURCE_KINDS
from wenming.storage.tables import ResourceRow

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

T_RESOURCE = ResourceRow.__table__
_BY_KEY = select(T_RESOURCE).where(T_RESOURCE.c.key == bindparam("key"))
_BY_KEY_COLUMNS = [c.name for c in ResourceRow.__table__.c]
_BY_KEY_SQL = f"SELECT {', '.join(_BY_KEY_COLUMNS)} FROM wm_resource WHERE key = :key"


class Supply:
    """Publish, withdraw and look up resources."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def publish(
        self,
        actor: Actor,
        *,
        name: str,
        kind: str,
        name_zh: str,
        place: str,
        department: str | None = None,
        name_en: str | None = None,
        categories: Sequence[str] = (),
        audiences: Sequence[str] = (),
        tags: Sequence[str] = (),
        skills: Sequence[str] = (),
        capacity: int = 30,
        members: int = 0,
        months: Sequence[int] = (),
        template: str | None = None,
        site_type: str | None = None,
        lng: float | None = None,
        lat: float | None = None,
        reach_km: float | None = None,
        serves: Sequence[str] = (),
        schedule: str = "",
        description: str = "",
    ) -> ResourceView:
        registry = self.ctx.registry
        if department is not None and department not in registry.departments:
            raise InvalidInput(
                f"department {department!r} is not installed "
                f"(installed: {', '.join(registry.departments) or 'none'})"
            )
        roles.may_publish(actor, department)
        inputs.publish(self.ctx.storage, actor.id, locals())  # valid ranges, real divisions
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise InvalidInput(f"name must be a lower-case identifier, got {name!r}")
        if kind not in RESOURCE_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(RESOURCE_KINDS)}, got {kind!r}")
        if not name_zh.strip():
            raise InvalidInput("name_zh must not be empty")
        check_code("place", place)
        for code in serves:
            check_code("serves", code)
        if capacity < 1:
            raise InvalidInput(f"capacity must be at least 1, got {capacity}")
        for m in months:
            if not 1 <= m <= 12:
                raise InvalidInput(f"months must be 1–12, got {m}")
        if reach_km is not None and reach_km <= 0:
            raise InvalidInput(f"reach_km must be positive, got {reach_km}")
        own = department or "core"
        key = f"{department or 'unit'}.{name}"
        if key in registry.resources:
            raise InvalidInput(
                f"resource {key} is contributed by plugin {registry.owner(key)!r}; "
                "choose another name"
            )

        def q(table: str, value: str, what: str) -> str:
            return qualify(registry, table, value, what, own)

        values = {
            "key": key,
            "kind": kind,
            "department": department,
            "name": name_zh,
            "name_en": name_en,
            "place_code": place,
            "template": q("templates", template, "template") if template else None,
            "site_type": q("site_types", site_type, "site_type") if site_type else None,
            "categories": [q("categories", c, "categories") for c in categories],
            "audiences": [q("audiences", a, "audiences") for a in audiences],
            "tags": list(tags),
            "skills": list(skills),
            "months": sorted(set(months)),
            "capacity": capacity,
            "members": members,
            "lng": lng,
            "lat": lat,
            "synthetic": False,
            "status": "published",
            "reach_km": reach_km,
            "extra": {
                "serves": list(serves),
                "schedule": schedule,
                "description": description,
                "publisher": actor.id,
                "published_at": self.ctx.now().isoformat(),
            },
        }
        with self.ctx.journal.transaction() as conn:
            existing = conn.execute(
                select(T_RESOURCE.c.id, T_RESOURCE.c.status).where(T_RESOURCE.c.key == key)
            ).first()
            if existing is not None and existing.status == "published":
                raise InvalidInput(f"resource {key} is already published; withdraw it first")
            if existing is not None:
                conn.execute(
                    update(T_RESOURCE).where(T_RESOURCE.c.id == existing.id).values(**values)
                )
            else:
                conn.execute(insert(T_RESOURCE).values(**values))
        return self.resource(key)

    def withdraw(self, actor: Actor, key: str, reason: str = "") -> ResourceView:
        registry = self.ctx.registry
        with self.ctx.journal.transaction() as conn:
            row = conn.execute(_BY_KEY, {"key": key}).mappings().first()
            if row is None:
                if key in registry.resources:
                    raise InvalidInput(
                        f"resource {key} is contributed by plugin {registry.owner(key)!r}, "
                        "not published; exclude the plugin to stop offering it"
                    )
                raise NotFound(f"no published resource {key}")
            roles.may_publish(actor, row["department"])
            if row["status"] != "published":
                raise IllegalTransition(f"resource {key} is {row['status']}, not published")
            extra = dict(row["extra"] or {})
            extra.update(
                withdrawn_by=actor.id, withdrawn_at=self.ctx.now().isoformat(), reason=reason
            )
            conn.execute(
                update(T_RESOURCE)
                .where(T_RESOURCE.c.id == row["id"])
                .values(status="withdrawn", extra=extra)
            )
        return self.resource(key, include_withdrawn=True)

    def resource(self, key: str, *, include_withdrawn: bool = False) -> ResourceView:
        with self.ctx.storage.engine.connect() as conn:
            return self.lookup(conn, key, include_withdrawn=include_withdrawn)

    def lookup(
        self, conn: Connection, key: str, *, include_withdrawn: bool = False
    ) -> ResourceView:
        """A resource by key inside a transaction: a published row, else a seed record."""
        return self.lookup_slots(conn, key, include_withdrawn=include_withdrawn)[0]

    def lookup_later(self, conn: Connection, key: str) -> Any:
        """Send the read :meth:`lookup_slots` makes, to be answered later (``sent``)."""
        return self.ctx.journal.sql.read_later(conn, _BY_KEY_SQL, {"key": key})

    def lookup_slots(
        self, conn: Connection, key: str, *, include_withdrawn: bool = False, sent: Any = None
    ) -> tuple[ResourceView, int]:
        """:meth:`lookup`, and the resource's daily slots read off the same row (a
        dispatch claims one; :func:`wenming.orders.capacity.slots_of`). ``sent``: the
        row's read sent ahead by :meth:`lookup_later`."""
        sql = self.ctx.journal.sql
        if sent is not None:
            found = sql.rows(conn, sent)
            row = sql.row(_BY_KEY_COLUMNS, found[0]) if found else None
        else:
            row = sql.one(conn, _BY_KEY_SQL, {"key": key})
        if row is not None:
            if row["status"] != "published" and not include_withdrawn:
                raise NotFound(f"resource {key} is {row['status']}, not published")
            return resource_view(row), capacity.slots_of(self.ctx.registry, key, row)
        if key not in self.ctx.registry.resources:
            raise NotFound(f"no resource {key}: neither published nor contributed by a plugin")
        return self.seed_view(key), capacity.slots_of(self.ctx.registry, key, None)

    def resources(
        self,
        *,
        department: str | None = None,
        kind: str | None = None,
        include_withdrawn: bool = False,
        include_plugins: bool = True,
    ) -> list[ResourceView]:
        stmt = select(T_RESOURCE)
        if department is not None:
            stmt = stmt.where(T_RESOURCE.c.department == department)
        if kind is not None:
            stmt = stmt.where(T_RESOURCE.c.kind == kind)
        if not include_withdrawn:
            stmt = stmt.where(T_RESOURCE.c.status == "published")
        with self.ctx.storage.engine.connect() as conn:
            found = {r["key"]: resource_view(r) for r in conn.execute(stmt).mappings()}
        if include_plugins:
            for key in self.ctx.registry.resources:
                if key in found:
                    continue
                view = self.seed_view(key)
                if (department is None or view.department == department) and (
                    kind is None or view.kind == kind
                ):
                    found[key] = view
        return [found[k] for k in sorted(found)]

    def seed_view(self, key: str) -> ResourceView:
        registry = self.ctx.registry
        seed = registry.resources[key]
        return ResourceView(
            key=key,
            kind=seed.kind,
            department=registry.department_of(key),
            name=seed.name_zh,
            place=seed.place,
            capacity=seed.capacity,
            categories=seed.categories,
            audiences=seed.audiences,
            months=seed.months,
            status="published",
            source="plugin",
            reach_km=seed.reach_km,
        )


def resource_view(row: Mapping[str, Any]) -> ResourceView:
    extra = row["extra"] or {}
    return ResourceView(
        key=row["key"],
        kind=row["kind"],
        department=row["department"],
        name=row["name"],
        place=row["place_code"],
        capacity=row["capacity"],
        categories=tuple(row["categories"]),
        audiences=tuple(row["audiences"]),
        months=tuple(row["months"]),
        status=row["status"],
        source="published",
        serves=tuple(extra.get("serves") or ()),
        reach_km=row.get("reach_km") or extra.get("reach_km"),
    )
