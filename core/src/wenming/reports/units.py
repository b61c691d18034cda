"""Civilized units (文明单位) and their dynamic points (动态积分).

Units run practice points and teams; the city's civilization office rewards what they
do with points. Rules are data (:class:`PointRule`, from core, plugins through
``register_point_rules``): a task, points per instance, a cap per period, the evidence
it needs, and whether points carry over into the next period. A unit submits a claim
with evidence (files kept once by SHA-256, type and size checked); a reviewer approves
(points enter the ledger, up to the cap) or rejects with a reason; the unit may appeal a
rejection once. The ledger is append-only and a unit's balance is the sum of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs
from attrs import field, frozen
from sqlalchemy import func, insert, select, update

from wenming.errors import WenmingError
from wenming.orders.errors import NotFound, PermissionDenied
from wenming.reports import periods
from wenming.reports.tables import Evidence, PointClaim, PointEntry, Unit, UnitLink
from wenming.storage.types import utcnow

if TYPE_CHECKING:
    from wenming.deployment import Deployment
    from wenming.orders.roles import Actor

T_UNIT = Unit.__table__
T_LINK = UnitLink.__table__
T_CLAIM = PointClaim.__table__
T_LEDGER = PointEntry.__table__
T_EVIDENCE = Evidence.__table__

#: Evidence accepted, recognised by its first bytes (never by the file name).
MEDIA_TYPES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),  # docx / xlsx are zip containers
)
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

PERIODS: tuple[str, ...] = ("month", "quarter", "year")


def _positive(_inst: Any, attribute: attrs.Attribute, value: float) -> None:
    if not isinstance(value, int | float) or not 0 < value <= 10_000:
        raise ValueError(f"{attribute.name} must be a number in (0, 10000], got {value!r}")


@frozen
class PointRule:
    """A task a civilized unit earns points for.

    ``points`` per instance claimed; ``cap`` the most one unit earns from this rule in
    one ``period``; ``evidence`` how many files a claim needs; ``carry_over`` whether
    points earned count in later periods' balances too (else they reset).
    """

    name: str
    name_zh: str
    name_en: str
    points: float = field(validator=_positive)
    cap: float = field(validator=_positive)
    period: str = field(default="year", validator=attrs.validators.in_(PERIODS))
    evidence: int = field(default=1, validator=attrs.validators.instance_of(int))
    carry_over: bool = False
    description: str = ""

    def __attrs_post_init__(self) -> None:
        from wenming.records import ID_RE

        if not ID_RE.match(self.name):
            raise ValueError(f"point rule name must be an identifier, got {self.name!r}")
        if self.cap < self.points:
            raise ValueError(f"point rule {self.name}: cap {self.cap} is below one instance")
        if not 0 <= self.evidence <= 20:
            raise ValueError(f"point rule {self.name}: evidence must be 0–20 files")

    def as_dict(self) -> dict[str, Any]:
        """The rule as the API and ``wenming points rules --json`` show it."""
        return attrs.asdict(self)


#: Rules from the seed's own words: units 提供特色资源、开展专业化志愿服务活动, run
#: practice points (1,143 units each built one) and pair with stations (结对共建).
CORE_RULES: tuple[PointRule, ...] = (
    PointRule(
        "practice_point",
        "建立文明实践点",
        "Runs a practice point",
        20,
        20,
        description="The unit built and runs a civilization practice point.",
    ),
    PointRule(
        "share_resource",
        "提供特色资源",
        "Shares a resource",
        10,
        50,
        description="A venue, project or team of the unit published for stations to order.",
    ),
    PointRule(
        "service_activity",
        "开展专业化志愿服务活动",
        "Professional volunteer service",
        5,
        100,
        period="quarter",
        description="One delivered activity, with photos or a sign-in sheet.",
    ),
    PointRule(
        "pairing",
        "结对共建",
        "Pairs with a station",
        10,
        30,
        description="A signed pairing agreement with a station or institute.",
    ),
    PointRule(
        "honour",
        "获评先进典型",
        "Recognised as exemplary",
        30,
        60,
        carry_over=True,
        description="A provincial or national volunteer-service award; counts on.",
    ),
)


def collect_rules(deployment: Deployment) -> dict[str, PointRule]:
    found = {r.name: r for r in CORE_RULES}
    hook = getattr(deployment.pm.hook, "register_point_rules", None)
    if hook is None:
        return found
    for impl in reversed(hook.get_hookimpls()):
        plugin = impl.plugin_name

        def register(rule: PointRule, _plugin: str = plugin) -> None:
            if not isinstance(rule, PointRule):
                raise WenmingError(
                    f"plugin {_plugin}: register_point_rules expects PointRule records"
                )
            name = rule.name if _plugin == "core" else f"{_plugin}.{rule.name}"
            if name in found:
                raise WenmingError(f"plugin {_plugin}: point rule {name!r} registered twice")
            found[name] = attrs.evolve(rule, name=name) if name != rule.name else rule

        impl.function(register=register)
    return found


def media_type(content: bytes) -> str | None:
    for magic, kind in MEDIA_TYPES:
        if content.startswith(magic):
            return kind
    return None


def rule_period(rule: PointRule, day: dt.date) -> str:
    month, quarter, year = periods.keys(day)
    return {"month": month, "quarter": quarter, "year": year}[rule.period]


class Units:
    """Civilized units, their links, points claims and the ledger of one deployment."""

    def __init__(self, deployment: Deployment, *, clock=utcnow) -> None:
        self.deployment = deployment
        self.storage = deployment.storage
        self.clock = clock
        self.rules = collect_rules(deployment)

    # ----------------------------------------------------------------- units

    def add(
        self,
        code: str,
        name: str,
        *,
        place: str | None = None,
        department: str | None = None,
        level: str = "city",
    ) -> None:
        if not code or len(code) > 64 or not name.strip():
            raise WenmingError("a unit needs a code (≤ 64 characters) and a name")
        with self.storage.session() as s:
            if s.execute(select(T_UNIT.c.id).where(T_UNIT.c.code == code)).first():
                raise WenmingError(f"unit {code} exists already")
            s.execute(
                insert(T_UNIT).values(
                    code=code,
                    name=name.strip(),
                    place_code=place,
                    department=department,
                    level=level,
                )
            )

    def unit(self, code: str) -> dict[str, Any]:
        with self.storage.session() as s:
            row = s.execute(select(T_UNIT).where(T_UNIT.c.code == code)).mappings().first()
            if row is None:
                raise NotFound(f"no civilized unit {code}")
            links = s.execute(
                select(T_LINK.c.kind, T_LINK.c.ref).where(T_LINK.c.unit_code == code)
            ).all()
        return {**dict(row), "links": [{"kind": k, "ref": r} for k, r in links]}

    def units(self, *, synthetic: bool | None = None) -> list[dict[str, Any]]:
        stmt = select(T_UNIT).order_by(T_UNIT.c.code)
        if synthetic is not None:
            stmt = stmt.where(T_UNIT.c.synthetic == synthetic)
        with self.storage.session() as s:
            return [dict(r) for r in s.execute(stmt).mappings()]

    def link(self, code: str, *, site: str | None = None, resource: str | None = None) -> None:
        """Link a unit to a practice point or a resource, then recount unit counters."""
        if (site is None) == (resource is None):
            raise WenmingError("link a unit to one site or one resource")
        kind, ref = ("site", site) if site else ("resource", resource)
        self.unit(code)
        with self.storage.session() as s:
            taken = s.execute(
                select(T_LINK.c.unit_code).where(T_LINK.c.kind == kind, T_LINK.c.ref == ref)
            ).scalar()
            if taken is not None:
                raise WenmingError(f"{kind} {ref} belongs to unit {taken} already")
            s.execute(insert(T_LINK).values(unit_code=code, kind=kind, ref=ref))
        from wenming.reports.counters import counters_of

        # which unit an event counts for follows the links: recount from the log
        counters_of(self.deployment).rebuild()

    # ----------------------------------------------------------------- evidence

    def store_evidence(self, content: bytes, name: str = "") -> str:
        """Keep a file of evidence once, by its SHA-256; returns the digest."""
        if not content:
            raise WenmingError(f"evidence {name or ''}: the file is empty".replace("  ", " "))
        if len(content) > MAX_EVIDENCE_BYTES:
            raise WenmingError(
                f"evidence {name}: {len(content):,} bytes, more than the "
                f"{MAX_EVIDENCE_BYTES // (1024 * 1024)} MiB allowed"
            )
        kind = media_type(content)
        if kind is None:
            raise WenmingError(
                f"evidence {name}: not a PDF, PNG, JPEG or Office file (checked by content)"
            )
        digest = hashlib.sha256(content).hexdigest()
        with self.storage.session() as s:
            if s.get(Evidence, digest) is None:
                s.execute(
                    insert(T_EVIDENCE).values(
                        sha256=digest,
                        media_type=kind,
                        size=len(content),
                        name=name[:200],
                        content=content,
                        at=self.clock(),
                    )
                )
        return digest

    def evidence(self, digest: str) -> tuple[str, bytes]:
        with self.storage.session() as s:
            row = s.execute(
                select(T_EVIDENCE.c.media_type, T_EVIDENCE.c.content).where(
                    T_EVIDENCE.c.sha256 == digest
                )
            ).first()
        if row is None:
            raise NotFound(f"no evidence {digest}")
        return row[0], row[1]

    # ----------------------------------------------------------------- claims

    def submit(
        self,
        actor: Actor,
        unit: str,
        rule: str,
        *,
        evidence: Iterable[str] = (),
        quantity: int = 1,
        note: str = "",
        day: dt.date | None = None,
    ) -> int:
        """A unit's claim for a rule, with the digests of its stored evidence."""
        self._own_unit(actor, unit, "submit a points claim")
        spec = self._rule(rule)
        if not isinstance(quantity, int) or not 1 <= quantity <= 1000:
            raise WenmingError(f"quantity must be 1–1000, got {quantity!r}")
        digests = list(dict.fromkeys(evidence))
        if len(digests) < spec.evidence:
            raise WenmingError(
                f"rule {rule} needs {spec.evidence} file(s) of evidence, got {len(digests)}"
            )
        now = self.clock()
        period = rule_period(spec, day or periods.local_date(now))
        with self.storage.session() as s:
            self.unit(unit)
            known = set(
                s.execute(
                    select(T_EVIDENCE.c.sha256).where(T_EVIDENCE.c.sha256.in_(digests))
                ).scalars()
            )
            missing = [d for d in digests if d not in known]
            if missing:
                raise WenmingError(f"evidence {missing[0]} is not stored; store the file first")
            history = [{"action": "submit", "actor": actor.id, "at": now.isoformat()}]
            return s.execute(
                insert(T_CLAIM)
                .values(
                    unit_code=unit,
                    rule=rule,
                    period=period,
                    quantity=quantity,
                    note=note,
                    evidence=digests,
                    submitted_by=actor.id,
                    submitted_at=now,
                    history=history,
                    state="submitted",
                )
                .returning(T_CLAIM.c.id)
            ).scalar_one()

    def review(self, actor: Actor, claim_id: int, *, approve: bool, reason: str = "") -> dict:
        """Approve (points enter the ledger, up to the rule's cap) or reject with a reason."""
        if actor.role != "points_reviewer":
            raise PermissionDenied(
                actor.role,
                actor.scope,
                "review points claims",
                "only the points reviewer (文明办) approves or rejects",
            )
        if not approve and not reason.strip():
            raise WenmingError("a rejection needs a reason the unit can act on")
        return self._decide(
            actor,
            claim_id,
            approve,
            reason,
            {"submitted": "approved", "appealed": "appeal_approved"}
            if approve
            else {"submitted": "rejected", "appealed": "appeal_rejected"},
        )

    def appeal(self, actor: Actor, claim_id: int, reason: str) -> dict:
        """Appeal a rejection, once, with a reason."""
        claim = self.claim(claim_id)
        self._own_unit(actor, claim["unit_code"], "appeal a points decision")
        if not reason.strip():
            raise WenmingError("an appeal needs a reason")
        if claim["state"] != "rejected":
            raise WenmingError(
                f"claim {claim_id} is {claim['state']}: only a rejected claim may be appealed, "
                "and only once"
            )
        return self._move(claim, "appealed", actor, reason)

    def claim(self, claim_id: int) -> dict[str, Any]:
        with self.storage.session() as s:
            row = s.execute(select(T_CLAIM).where(T_CLAIM.c.id == claim_id)).mappings().first()
        if row is None:
            raise NotFound(f"no points claim {claim_id}")
        return dict(row)

    def claims(self, *, unit: str | None = None, state: str | None = None) -> list[dict]:
        stmt = select(T_CLAIM).order_by(T_CLAIM.c.id)
        if unit:
            stmt = stmt.where(T_CLAIM.c.unit_code == unit)
        if state:
            stmt = stmt.where(T_CLAIM.c.state == state)
        with self.storage.session() as s:
            return [dict(r) for r in s.execute(stmt).mappings()]

    # ----------------------------------------------------------------- the ledger

    def ledger(self, unit: str) -> list[dict[str, Any]]:
        with self.storage.session() as s:
            rows = s.execute(
                select(T_LEDGER).where(T_LEDGER.c.unit_code == unit).order_by(T_LEDGER.c.id)
            ).mappings()
            return [dict(r) for r in rows]

    def balance(self, unit: str, year: int | None = None) -> float:
        """Points that count in ``year`` (this year by default): that year's points, plus
        earlier years' points of rules that carry over."""
        year = year or periods.local_date(self.clock()).year
        total = 0.0
        for entry in self.ledger(unit):
            entry_year = int(entry["period"][:4])
            rule = self.rules.get(entry["rule"])
            carries = rule is not None and rule.carry_over
            if entry_year == year or (carries and entry_year < year):
                total += entry["points"]
        return round(total, 6)

    def standings(self, year: int | None = None, limit: int = 50) -> list[tuple[str, float]]:
        """Units by balance, best first."""
        with self.storage.session() as s:
            codes = list(s.execute(select(T_UNIT.c.code)).scalars())
        rows = [(c, self.balance(c, year)) for c in codes]
        rows.sort(key=lambda r: (-r[1], r[0]))
        return rows[:limit]

    def rule(self, name: str) -> PointRule:
        """A point rule by name; the refusal lists the rules there are."""
        return self._rule(name)

    # ----------------------------------------------------------------- internals

    def _rule(self, name: str) -> PointRule:
        try:
            return self.rules[name]
        except KeyError:
            raise WenmingError(
                f"no point rule {name!r}; rules: {', '.join(sorted(self.rules))}"
            ) from None

    def _own_unit(self, actor: Actor, unit: str, action: str) -> None:
        if actor.role != "unit_operator":
            raise PermissionDenied(
                actor.role,
                actor.scope,
                action,
                "only a unit's own operator acts for a civilized unit",
            )
        if actor.unit != unit:
            raise PermissionDenied(
                actor.role,
                actor.scope,
                action,
                f"a unit operator acts only for its own unit, not {unit}",
            )

    def _decide(
        self, actor: Actor, claim_id: int, approve: bool, reason: str, moves: dict[str, str]
    ) -> dict:
        claim = self.claim(claim_id)
        to = moves.get(claim["state"])
        if to is None:
            raise WenmingError(f"claim {claim_id} is {claim['state']}: nothing to review")
        return self._move(claim, to, actor, reason, grant=approve)

    def _move(
        self, claim: dict, to: str, actor: Actor, reason: str, *, grant: bool = False
    ) -> dict:
        now = self.clock()
        history = [
            *claim["history"],
            {"action": to, "actor": actor.id, "at": now.isoformat(), "reason": reason},
        ]
        with self.storage.session() as s:
            done = s.execute(
                update(T_CLAIM)
                .where(T_CLAIM.c.id == claim["id"], T_CLAIM.c.version == claim["version"])
                .values(state=to, version=claim["version"] + 1, history=history)
            )
            if done.rowcount != 1:
                raise WenmingError(f"claim {claim['id']} changed meanwhile; read it again")
            granted = 0.0
            if grant:
                granted = self._grant(s, claim, actor, reason, now)
        return {
            **claim,
            "state": to,
            "version": claim["version"] + 1,
            "history": history,
            "granted": granted,
        }

    def _grant(self, s, claim: dict, actor: Actor, reason: str, now: dt.datetime) -> float:
        spec = self._rule(claim["rule"])
        # one grant per unit at a time, so two approvals cannot both pass the cap
        s.execute(select(T_UNIT.c.id).where(T_UNIT.c.code == claim["unit_code"]).with_for_update())
        earned = s.execute(
            select(func.coalesce(func.sum(T_LEDGER.c.points), 0.0)).where(
                T_LEDGER.c.unit_code == claim["unit_code"],
                T_LEDGER.c.rule == claim["rule"],
                T_LEDGER.c.period == claim["period"],
            )
        ).scalar()
        points = min(spec.points * claim["quantity"], max(spec.cap - float(earned), 0.0))
        note = reason or "approved"
        if points < spec.points * claim["quantity"]:
            note += f" (capped at {spec.cap:g} per {spec.period})"
        if points > 0:
            s.execute(
                insert(T_LEDGER).values(
                    unit_code=claim["unit_code"],
                    rule=claim["rule"],
                    period=claim["period"],
                    points=points,
                    claim_id=claim["id"],
                    reason=note,
                    actor=actor.id,
                    at=now,
                )
            )
        return points
