"""Seed-scale synthetic practice points and shared resources for an example deployment.

The bulletin gives Suzhou's industry figures — 1,200+ practice points, 526 venues,
689 projects and 334 teams shared on the platform — but not the records themselves.
So that matching, dispatch and the reports can be tried at that scale, this module
generates them, deterministically from a seed, out of what the deployment already has:

- the **territorial network** loaded in its database (``wenming network load``): the
  real towns and villages, their names and positions, and each department's
  sub-center;
- the **registry**: each department's practice-point site types and project templates.

Every generated row carries ``synthetic = true`` (the CLI, map and exports show it),
and keys are namespaced by department: ``water.syn_venue_0001``, sites
``<village code>.<department>.syn0001``. What is generated:

- **practice points** (``wm_site``, level ``practice_point``): spread over the real
  towns in proportion to their villages (every county gets some), each in a real village
  (``parent_code``), in its department's line (``line_code`` = the sub-center), of one
  of the department's practice-point types, at an approximate position within 1 km of
  the village, named from the town and village (``城厢镇电站村水厂文明实践点``);
- **pairings** (结对共建) of each point with the station of its village and the nearest
  other stations;
- **venues** at a sample of the points, with the point's site type and what the
  department's templates for that type offer (categories, audiences, tags, capacity);
- **projects** instantiated from the department's templates (category, audiences, tags,
  skills, months, capacity), held at a point of a type the template names or at a
  village station;
- **teams** based in a town, with the categories, skills and tags of one to three of
  the department's templates.

The plugins' real, named seed resources are not copied into the database: the
matching engine (:meth:`wenming.matching.Engine.from_deployment`) and the workflow
read them from the registry next to the stored rows.

Points are checked by the network importer's own checker and everything is written
with SQLAlchemy Core bulk inserts in **one transaction**, with a marker row in
``wm_meta``: a database is synthesized once, and a failure leaves nothing behind.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from attrs import define, field, frozen

from wenming.errors import WenmingError

if TYPE_CHECKING:
    from wenming.records import Template
    from wenming.registry import Registry
    from wenming.storage import Storage

#: The seed's figures (江苏精神文明建设简报 2023-03-30): the defaults of :func:`synthesize`.
SEED_POINTS = 1200
SEED_VENUES = 526
SEED_PROJECTS = 689
SEED_TEAMS = 334
#: Stations each point is paired with: its own village's, then the nearest others.
DEFAULT_PAIRINGS = 2
#: The default seed: the bulletin's date.
DEFAULT_SEED = 20230330

#: The ``wm_meta`` key that records a synthesis (and stops a second one).
META_KEY = "synthetic"
#: Rows per bulk ``INSERT`` (PostgreSQL caps bound parameters at 65,535 per statement).
CHUNK = 1000

_SUFFIXES = ("新时代文明实践中心", "新时代文明实践所", "新时代文明实践站")
_NUMERALS = "一二三四五六七八九十"


class SynthesisError(WenmingError):
    """The synthesis cannot run (nothing to build on, bad counts, already done)."""


# ----------------------------------------------------------------------------- inputs


@frozen
class Village:
    """A station of the loaded territorial network that can host practice points."""

    code: str
    name: str  # short name: 电站村
    town_code: str
    lng: float
    lat: float


@frozen
class Town:
    """An institute (town) of the loaded network, with its county."""

    code: str
    name: str  # short name: 城厢镇
    county_code: str
    lng: float
    lat: float


@frozen
class Territory:
    """What the generator builds on: the villages, towns and sub-centers in the database.

    Villages are the stations with a position and a town, placeholder units
    (``functional_zone`` stations such as virtual communities) left out; all sorted
    by code, so the plan does not depend on the database's row order.
    """

    villages: tuple[Village, ...]
    towns: Mapping[str, Town]
    subcenters: Mapping[str, str]  # department → sub-center code


def short_name(name: str) -> str:
    """``城厢镇新时代文明实践所`` → ``城厢镇``: the division's name inside a site's name."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def read_territory(storage: Storage) -> Territory:
    """The loaded territorial network and sub-centers, as the generator needs them."""
    from sqlalchemy import select

    from wenming.storage.tables import Site

    t = Site.__table__
    query = select(
        t.c.code,
        t.c.name,
        t.c.level,
        t.c.parent_code,
        t.c.department,
        t.c.lng,
        t.c.lat,
        t.c.functional_zone,
    ).where(t.c.level.in_(("center", "institute", "station", "subcenter")))
    with storage.engine.connect() as conn:
        rows = conn.execute(query.order_by(t.c.code)).all()
    counties = {r.code for r in rows if r.level == "center"}
    towns = {
        r.code: Town(r.code, short_name(r.name), r.parent_code, r.lng, r.lat)
        for r in rows
        if r.level == "institute"
        and r.parent_code in counties
        and r.lng is not None
        and r.lat is not None
    }
    villages = tuple(
        Village(r.code, short_name(r.name), r.parent_code, r.lng, r.lat)
        for r in rows
        if r.level == "station"
        and not r.functional_zone
        and r.parent_code in towns
        and r.lng is not None
        and r.lat is not None
    )
    subcenters: dict[str, str] = {}
    for r in rows:
        if r.level == "subcenter" and r.department:
            subcenters.setdefault(r.department, r.code)
    return Territory(villages=villages, towns=towns, subcenters=subcenters)


# ----------------------------------------------------------------------------- the plan


@define
class Synthesis:
    """A generated plan: rows in the database's column format, not yet written."""

    seed: int
    sites: list[dict[str, Any]] = field(factory=list)
    pairings: list[tuple[str, str]] = field(factory=list)
    resources: list[dict[str, Any]] = field(factory=list)

    def summary(self) -> dict[str, Any]:
        """Counts by kind and by department (what :class:`SynthesisReport` reports)."""
        by_department: dict[str, dict[str, int]] = {}
        for site in self.sites:
            counts = by_department.setdefault(site["department"], {})
            counts["points"] = counts.get("points", 0) + 1
        kinds = {"venue": 0, "project": 0, "team": 0}
        for res in self.resources:
            kinds[res["kind"]] += 1
            counts = by_department.setdefault(res["department"], {})
            label = f"{res['kind']}s"
            counts[label] = counts.get(label, 0) + 1
        return {
            "seed": self.seed,
            "points": len(self.sites),
            "pairings": len(self.pairings),
            "venues": kinds["venue"],
            "projects": kinds["project"],
            "teams": kinds["team"],
            "departments": {d: by_department[d] for d in sorted(by_department)},
        }


def apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders, ties by position).

    Each item of positive weight gets at least ``minimum`` when the total allows it;
    when it does not, the heaviest items get one each. Zero weights get nothing.
    """
    live = [i for i, w in enumerate(weights) if w > 0]
    out = [0] * len(weights)
    if total <= 0 or not live:
        return out
    if total < minimum * len(live):
        for i in sorted(live, key=lambda i: (-weights[i], i))[:total]:
            out[i] = 1
        return out
    for i in live:
        out[i] = minimum
    rest = total - minimum * len(live)
    mass = sum(weights[i] for i in live)
    shares = {i: rest * weights[i] / mass for i in live}
    for i in live:
        out[i] += int(shares[i])
    left = rest - sum(int(s) for s in shares.values())
    for i in sorted(live, key=lambda i: (-(shares[i] - int(shares[i])), i))[:left]:
        out[i] += 1
    return out


def _ordinal(n: int) -> str:
    """1 → "", 2 → "（二）" … : told-apart names for the n-th of a kind in one place."""
    if n <= 1:
        return ""
    return f"（{_NUMERALS[n - 1]}）" if n <= len(_NUMERALS) else f"（{n}）"


def _union(groups: Iterable[Iterable[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for group in groups:
        for item in group:
            seen.setdefault(item, None)
    return list(seen)


def _team_label(corps_zh: str) -> str:
    """``苏州市卫生健康志愿服务总队`` → ``卫生健康``: the department's word for its teams."""
    label = corps_zh.removesuffix("志愿服务总队")
    for prefix in ("苏州市", "苏州"):
        label = label.removeprefix(prefix)
    return label or corps_zh


class _Planner:
    """Builds a :class:`Synthesis` from a registry and a territory with one seeded RNG."""

    def __init__(self, registry: Registry, territory: Territory, seed: int) -> None:
        self.registry = registry
        self.territory = territory
        self.seed = seed
        self.rng = random.Random(seed)
        self.departments = sorted(registry.departments)
        self.point_types = {
            d: sorted(
                k
                for k, st in registry.site_types.items()
                if st.level == "practice_point" and registry.owner(k) == d
            )
            for d in self.departments
        }
        # Joint templates belong to several departments: the generator leaves them to
        # the plugins' seed records and instantiates single-department templates only.
        self.templates: dict[str, list[tuple[str, Template]]] = {d: [] for d in self.departments}
        for key, template in registry.templates.items():
            owner = registry.owner(key)
            if owner in self.templates and not template.is_joint:
                self.templates[owner].append((key, template))
        self.villages = {v.code: v for v in territory.villages}
        self.by_town: dict[str, list[Village]] = {}
        for village in territory.villages:
            self.by_town.setdefault(village.town_code, []).append(village)
        self.names: dict[str, int] = {}

    def unique(self, name: str) -> str:
        """The name, with an ordinal if it was given already in this plan."""
        n = self.names.get(name, 0) + 1
        self.names[name] = n
        return name + _ordinal(n)

    # ------------------------------------------------------------------ points

    def locations(self, n: int) -> list[Village]:
        """``n`` villages: counties by their villages (each at least one), towns by theirs."""
        towns = self.territory.towns
        counties = sorted({towns[code].county_code for code in self.by_town})
        town_codes = {
            c: sorted(t for t in self.by_town if towns[t].county_code == c) for c in counties
        }
        size = {t: len(v) for t, v in self.by_town.items()}
        per_county = apportion(n, [sum(size[t] for t in town_codes[c]) for c in counties], 1)
        out: list[Village] = []
        for county, count in zip(counties, per_county, strict=True):
            codes = town_codes[county]
            for town, k in zip(codes, apportion(count, [size[t] for t in codes]), strict=True):
                pool = list(self.by_town[town])
                self.rng.shuffle(pool)
                out.extend(pool[i % len(pool)] for i in range(k))
        return out

    def points(self, n: int) -> list[dict[str, Any]]:
        departments = [d for d in self.departments if self.point_types[d]]
        if n and not departments:
            raise SynthesisError(
                "no installed department contributes a practice-point site type; "
                "install department plugins or ask for --points 0"
            )
        missing = [d for d in departments if d not in self.territory.subcenters]
        if n and missing:
            raise SynthesisError(
                f"no sub-center of department(s) {', '.join(missing)} in the database: "
                "run 'wenming network load' first"
            )
        shares = apportion(n, [len(self.point_types[d]) for d in departments], 1)
        slots = [d for d, k in zip(departments, shares, strict=True) for _ in range(k)]
        self.rng.shuffle(slots)
        type_cycle: dict[str, list[str]] = {}
        serial: dict[str, int] = {}
        sites = []
        for village, department in zip(self.locations(n), slots, strict=True):
            types = type_cycle.get(department)
            if not types:
                types = type_cycle[department] = list(self.point_types[department])
                self.rng.shuffle(types)
            site_type = types.pop()
            serial[department] = serial.get(department, 0) + 1
            town = self.territory.towns[village.town_code]
            st = self.registry.site_types[site_type]
            code = f"{village.code}.{department}.syn{serial[department]:04d}"
            lng, lat = _near(code, village)
            sites.append(
                {
                    "code": code,
                    "name": self.unique(f"{town.name}{village.name}{st.name_zh}"),
                    "name_en": f"{st.name_en} (synthetic), {village.code}",
                    "site_type": site_type,
                    "level": "practice_point",
                    "parent_code": village.code,
                    "line_code": self.territory.subcenters[department],
                    "department": department,
                    "lng": lng,
                    "lat": lat,
                    "approximate": True,
                    "synthetic": True,
                }
            )
        return sites

    # ------------------------------------------------------------------ pairings

    def pairings(self, sites: list[dict[str, Any]], per_point: int) -> list[tuple[str, str]]:
        """Each point with its village's station, then the nearest other stations."""
        if per_point <= 0 or not sites:
            return []
        from wenming.network.spatial import SpatialIndex

        villages = self.territory.villages
        index = SpatialIndex([v.lng for v in villages], [v.lat for v in villages])
        out: list[tuple[str, str]] = []
        for site in sites:
            chosen = [site["parent_code"]]
            for hit in index.nearest(site["lng"], site["lat"], per_point + 1):
                code = villages[hit.index].code
                if len(chosen) < per_point and code not in chosen:
                    chosen.append(code)
            out.extend((site["code"], code) for code in chosen)
        return out

    # ------------------------------------------------------------------ resources

    def _for_type(self, department: str, site_type: str) -> list[Template]:
        """The department's templates held at a site type (all of them if none names it)."""
        own = [t for _, t in self.templates[department]]
        return [t for t in own if site_type in t.site_types] or own

    def venues(self, n: int, sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if n > len(sites):
            raise SynthesisError(
                f"{n} venues need at least as many practice points (a venue is at a point); "
                f"got {len(sites)} points"
            )
        by_department: dict[str, list[dict[str, Any]]] = {}
        for site in sites:
            by_department.setdefault(site["department"], []).append(site)
        departments = sorted(by_department)
        shares = apportion(n, [len(by_department[d]) for d in departments])
        out = []
        for department, k in zip(departments, shares, strict=True):
            picked = sorted(self.rng.sample(by_department[department], k), key=lambda s: s["code"])
            for i, site in enumerate(picked, start=1):
                templates = self._for_type(department, site["site_type"])
                capacity = max((t.capacity for t in templates), default=30)
                out.append(
                    _resource(
                        key=f"{department}.syn_venue_{i:04d}",
                        kind="venue",
                        department=department,
                        name=site["name"],
                        name_en=site["name_en"],
                        place_code=site["parent_code"],
                        site_type=site["site_type"],
                        categories=_union([t.category] for t in templates),
                        audiences=_union(t.audiences for t in templates),
                        tags=_union(t.tags for t in templates),
                        capacity=capacity,
                        lng=site["lng"],
                        lat=site["lat"],
                        extra={"site": site["code"]},
                        seed=self.seed,
                    )
                )
        return out

    def projects(self, n: int, sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
        departments = [d for d in self.departments if self.templates[d]]
        if n and not departments:
            raise SynthesisError("no installed department contributes a project template")
        shares = apportion(n, [len(self.templates[d]) for d in departments], 1)
        at_type: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for site in sites:
            at_type.setdefault((site["department"], site["site_type"]), []).append(site)
        out = []
        for department, k in zip(departments, shares, strict=True):
            cycle: list[tuple[str, Template]] = []
            for i in range(1, k + 1):
                if not cycle:
                    cycle = list(self.templates[department])
                    self.rng.shuffle(cycle)
                key, template = cycle.pop()
                hosts = [s for st in template.site_types for s in at_type.get((department, st), ())]
                at_station = "core.station" in template.site_types
                if hosts and not (at_station and self.rng.random() < 0.5):
                    host = self.rng.choice(hosts)
                    village = self.villages[host["parent_code"]]
                    place = (host["parent_code"], host["site_type"], host["lng"], host["lat"])
                    extra = {"site": host["code"]}
                else:
                    village = self.rng.choice(self.territory.villages)
                    site_type = "core.station" if at_station else None
                    place = (village.code, site_type, village.lng, village.lat)
                    extra = {}
                town = self.territory.towns[village.town_code]
                out.append(
                    _resource(
                        key=f"{department}.syn_project_{i:04d}",
                        kind="project",
                        department=department,
                        name=self.unique(f"{template.name_zh}（{town.name}{village.name}）"),
                        name_en=f"{template.name_en} (synthetic), {village.code}",
                        place_code=place[0],
                        site_type=place[1],
                        template=key,
                        categories=[template.category],
                        audiences=list(template.audiences),
                        tags=list(template.tags),
                        skills=list(template.skills),
                        months=sorted(template.months),
                        capacity=template.capacity,
                        lng=place[2],
                        lat=place[3],
                        extra=extra,
                        seed=self.seed,
                    )
                )
        return out

    def teams(self, n: int) -> list[dict[str, Any]]:
        departments = [d for d in self.departments if self.templates[d]]
        if n and not departments:
            raise SynthesisError("no installed department contributes a project template")
        shares = apportion(n, [len(self.templates[d]) for d in departments], 1)
        out = []
        for department, k in zip(departments, shares, strict=True):
            label = _team_label(self.registry.departments[department].corps_zh)
            own = self.templates[department]
            for i in range(1, k + 1):
                chosen = sorted(self.rng.sample(own, self.rng.randint(1, min(3, len(own)))))
                templates = [t for _, t in chosen]
                town = self.territory.towns[self.rng.choice(self.territory.villages).town_code]
                out.append(
                    _resource(
                        key=f"{department}.syn_team_{i:04d}",
                        kind="team",
                        department=department,
                        name=self.unique(f"{town.name}{label}志愿服务队"),
                        name_en=(
                            f"{self.registry.departments[department].name_en} volunteer team "
                            f"(synthetic), {town.code}"
                        ),
                        place_code=town.code,
                        categories=_union([t.category] for t in templates),
                        audiences=_union(t.audiences for t in templates),
                        tags=_union(t.tags for t in templates),
                        skills=_union(t.skills for t in templates),
                        capacity=max(t.capacity for t in templates),
                        members=self.rng.randint(12, 150),
                        lng=town.lng,
                        lat=town.lat,
                        extra={"templates": [key for key, _ in chosen]},
                        seed=self.seed,
                    )
                )
        return out


def _near(code: str, village: Village) -> tuple[float, float]:
    """A point's approximate position: the importer's estimate near its village."""
    from wenming.network import geo
    from wenming.network.importer import APPROX_RADIUS_KM

    return geo.spread(code, (village.lng, village.lat), APPROX_RADIUS_KM["practice_point"])


def _resource(
    *,
    key: str,
    kind: str,
    department: str,
    name: str,
    name_en: str,
    place_code: str,
    seed: int,
    site_type: str | None = None,
    template: str | None = None,
    categories: Sequence[str] = (),
    audiences: Sequence[str] = (),
    tags: Sequence[str] = (),
    skills: Sequence[str] = (),
    months: Sequence[int] = (),
    capacity: int = 30,
    members: int = 0,
    lng: float | None = None,
    lat: float | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``wm_resource`` row with every column given (Core inserts skip model defaults)."""
    return {
        "key": key,
        "kind": kind,
        "department": department,
        "name": name,
        "name_en": name_en,
        "place_code": place_code,
        "template": template,
        "site_type": site_type,
        "categories": list(categories),
        "audiences": list(audiences),
        "tags": list(tags),
        "skills": list(skills),
        "months": list(months),
        "capacity": int(capacity),
        "members": int(members),
        "lng": lng,
        "lat": lat,
        "reach_km": None,
        "synthetic": True,
        "status": "published",
        "extra": {**(extra or {}), "generator": "wenming.synthetic", "seed": seed},
    }


def plan(
    registry: Registry,
    territory: Territory,
    *,
    points: int = SEED_POINTS,
    venues: int = SEED_VENUES,
    projects: int = SEED_PROJECTS,
    teams: int = SEED_TEAMS,
    pairings: int = DEFAULT_PAIRINGS,
    seed: int = DEFAULT_SEED,
) -> Synthesis:
    """Generate the rows (nothing is written): the same inputs and seed give the same rows."""
    for label, value in (
        ("points", points),
        ("venues", venues),
        ("projects", projects),
        ("teams", teams),
        ("pairings", pairings),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SynthesisError(f"{label} must be a whole number ≥ 0, got {value!r}")
    if not territory.villages and (points or projects or teams):
        raise SynthesisError(
            "the database has no stations to place synthetic records in: "
            "run 'wenming network load' first"
        )
    planner = _Planner(registry, territory, seed)
    sites = planner.points(points)
    result = Synthesis(seed=seed, sites=sites)
    result.pairings = planner.pairings(sites, pairings)
    result.resources = [
        *planner.venues(venues, sites),
        *planner.projects(projects, sites),
        *planner.teams(teams),
    ]
    return result


# ----------------------------------------------------------------------------- writing


@define
class SynthesisReport:
    """What :func:`synthesize` wrote."""

    seed: int
    points: int
    pairings: int
    venues: int
    projects: int
    teams: int
    departments: dict[str, dict[str, int]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "points": self.points,
            "pairings": self.pairings,
            "venues": self.venues,
            "projects": self.projects,
            "teams": self.teams,
            "departments": self.departments,
        }


def synthesis_record(storage: Storage) -> dict[str, Any] | None:
    """The summary of the synthesis recorded in this database, or ``None``."""
    from sqlalchemy import select

    from wenming.storage.tables import Meta

    t = Meta.__table__
    with storage.engine.connect() as conn:
        value = conn.execute(select(t.c.value).where(t.c.key == META_KEY)).scalar()
    return json.loads(value) if value is not None else None


def synthesize(
    storage: Storage,
    registry: Registry,
    *,
    points: int = SEED_POINTS,
    venues: int = SEED_VENUES,
    projects: int = SEED_PROJECTS,
    teams: int = SEED_TEAMS,
    pairings: int = DEFAULT_PAIRINGS,
    seed: int = DEFAULT_SEED,
) -> SynthesisReport:
    """Generate and store seed-scale synthetic points, pairings and resources, all or nothing.

    Needs the territorial network and the sub-centers loaded (``wenming network load``).
    Runs once per database: a second call raises :class:`SynthesisError` naming the first.
    """
    storage.check()
    done = synthesis_record(storage)
    if done is not None:
        raise SynthesisError(
            f"this database was synthesized already (seed {done['seed']}: {done['points']} "
            f"points, {done['venues']} venues, {done['projects']} projects, {done['teams']} "
            "teams); start from a new database to generate other counts"
        )
    synthesis = plan(
        registry,
        read_territory(storage),
        points=points,
        venues=venues,
        projects=projects,
        teams=teams,
        pairings=pairings,
        seed=seed,
    )
    summary = synthesis.summary()
    _write(storage, registry, synthesis, summary)
    return SynthesisReport(**summary)


def _write(
    storage: Storage, registry: Registry, synthesis: Synthesis, summary: dict[str, Any]
) -> None:
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from wenming.network.importer import check_sites
    from wenming.storage.tables import Meta, Pairing, ResourceRow, Site
    from wenming.storage.types import utcnow

    # The importer's checker: a synthetic point obeys exactly the rules of an imported one.
    sites = check_sites(storage, registry, synthesis.sites, source="synthetic practice points")
    now = utcnow()
    pairing_rows = [
        {"industry_code": ind, "territorial_code": terr, "created_at": now, "note": "synthetic"}
        for ind, terr in synthesis.pairings
    ]
    marker = {**summary, "at": now.isoformat()}
    try:
        with storage.engine.begin() as conn:
            conn.execute(
                Meta.__table__.insert(),
                [{"key": META_KEY, "value": json.dumps(marker, ensure_ascii=False)}],
            )
            for table, rows in (
                (Site.__table__, sites),
                (Pairing.__table__, pairing_rows),
                (ResourceRow.__table__, synthesis.resources),
            ):
                for start in range(0, len(rows), CHUNK):
                    conn.execute(table.insert(), rows[start : start + CHUNK])
    except IntegrityError as exc:
        taken = []
        keys = [r["key"] for r in synthesis.resources]
        t = ResourceRow.__table__
        with storage.engine.connect() as conn:
            for start in range(0, len(keys), CHUNK):
                found = conn.execute(
                    select(t.c.key).where(t.c.key.in_(keys[start : start + CHUNK]))
                )
                taken.extend(r.key for r in found)
        if taken:
            raise SynthesisError(
                f"resource key {sorted(taken)[0]!r} is taken already ({len(taken)} of the "
                "synthetic keys are); nothing was written"
            ) from None
        raise SynthesisError(
            f"a row was written by someone else meanwhile ({exc.orig}); nothing was written"
        ) from None
