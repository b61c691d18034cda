"""The journal: an order's snapshot in, events out, under an optimistic version.

Every state change is one transaction. :meth:`Journal.run` reads the order and its
parts (:meth:`Journal.load`), lets a *plan* decide (the pure core,
:mod:`wenming.orders.decide`, plus the facts the plan looks up), asks the
``before_transition`` hooks (a veto writes nothing), then :meth:`Journal.append`
writes with a conditional ``UPDATE wm_order … WHERE version = :seen``: the rows the
events project to (dispatches and their daily slots, evaluations, hours), the changed
parts, one append-only event per transition (``seq`` = the new version), hash-chained
onto the order's previous event and into the deployment-wide chain
(:mod:`wenming.orders.integrity`; the chain head ``wm_log_head`` is locked until the
commit, so the events go last), and whatever the in-transaction observers registered
with :meth:`Journal.on_append` write. If the
conditional update finds the order changed, the transaction is retried on fresh
state: when the action still applies it goes through (two teams accepting two parts
of one joint order both succeed); when it no longer applies the caller lost a race
and gets a :class:`~wenming.orders.errors.ConflictError`. ``after_transition``
observers run after the commit, one plugin at a time; one that raises is logged with
its plugin's name and the transition stands.

The hot path runs plain statements on the driver's cursor (:mod:`wenming.orders.sql`;
no ORM objects, the order and its parts loaded in one query), and the lifecycle
hooks' implementations are looked up once, when the journal is made:
plugins are fixed when a deployment starts (:meth:`Journal.refresh_hooks` re-reads
them). With no implementation, no :class:`~wenming.records.Transition` is even built.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from attrs import define
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from wenming.orders import inputs, integrity, pipeline
from wenming.orders import statements as st
from wenming.orders.decide import Event, PartSnapshot, Snapshot, evolve, jsonable
from wenming.orders.errors import (
    ConflictError,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Vetoed,
)
from wenming.orders.sql import Driver
from wenming.orders.statements import T_EVENT, T_ORDER, T_PART  # noqa: F401 (re-exported)
from wenming.records import Transition, Veto

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from wenming.storage import Storage

log = logging.getLogger("wenming.orders")


_LAST = (
    select(T_EVENT.c.action, T_EVENT.c.actor, T_EVENT.c.role, T_EVENT.c.seq)
    .where(T_EVENT.c.order_id == bindparam("oid"), T_EVENT.c.seq > bindparam("seen"))
    .order_by(T_EVENT.c.seq.desc())
    .limit(1)
)

#: A writer of the rows one event projects to (a dispatch, an answer's outcome, hours,
#: evaluations). It may return data to add to the stored event (the dispatch's ID).
Writer = Callable[["Connection", Event, "Loaded"], Mapping[str, Any] | None]
#: An in-transaction observer: called with the connection and the events just
#: appended, before the commit; an exception rolls the whole transition back.
AppendObserver = Callable[["Connection", Sequence[Event]], None]


class Lost(Exception):
    """The conditional update found the order changed since it was read."""


@define
class Loaded:
    """An order as read in one transaction: its row and part rows (for views) and the
    pure :class:`~wenming.orders.decide.Snapshot` the core decides on."""

    row: dict[str, Any]
    parts: list[dict[str, Any]]
    snapshot: Snapshot | None  # None while the order is being created

    def part_id(self, seq: int | None) -> int | None:
        if seq is None:
            return None
        for p in self.parts:
            if p["seq"] == seq:
                return p["id"]
        return None


def snapshot_of(row: Mapping[str, Any], parts: Sequence[Mapping[str, Any]]) -> Snapshot:
    """The pure snapshot of a stored order (rating and hours are not needed to decide)."""
    return Snapshot(
        id=row["id"],
        state=row["state"],
        version=row["version"],
        requester=row["requester"],
        category=row["category"],
        place=row["place_code"],
        headcount=row["headcount"],
        site=row["site_code"],
        window_end=row["window_end"],
        parts={
            p["seq"]: PartSnapshot(
                seq=p["seq"],
                department=p["department"],
                state=p["state"],
                resource=p["resource_key"],
                excluded=list(p["excluded"]),
                resource_kinds=tuple(p["resource_kinds"]),
                dispatch_id=p["dispatch_id"],
                id=p["id"],
            )
            for p in parts
        },
    )


def transition(event: Event, part_id: int | None = None) -> Transition:
    """What the lifecycle hooks see of an event."""
    return Transition(
        order_id=event.order_id,
        action=event.action,
        from_state=event.from_state,
        to_state=event.to_state,
        actor=event.actor,
        role=event.role,
        at=event.at,
        reason=event.reason,
        part_id=part_id,
        data=event.data,
    )


class Journal:
    """Loads snapshots and appends events for one deployment's storage and plugins."""

    max_attempts = 20

    def __init__(self, storage: Storage, pm: Any, clock: Callable[[], dt.datetime]) -> None:
        self.storage = storage
        self.pm = pm
        self.clock = clock
        self._on_append: list[AppendObserver] = []
        self._prefetch: list[AppendObserver] = []
        #: transactions retried, by cause (``lost``: the order moved under the write;
        #: ``busy``: the database was locked; ``integrity``: an event's seq was taken;
        #: ``disconnect``: the server had dropped the pooled connection; ``prepared``: a
        #: statement prepared on the connection had been deallocated)
        self.retries: Counter[str] = Counter()
        self.sql = Driver(storage.backend, st.tables(), storage.engine.dialect.dbapi)
        self.pg = storage.backend == "postgresql"
        self._head = st.HEAD_POSTGRESQL if self.pg else st.HEAD_SQLITE
        self.refresh_hooks()

    # ------------------------------------------------------------------ extension

    def on_append(
        self, fn: AppendObserver, *, prefetch: AppendObserver | None = None
    ) -> AppendObserver:
        """Run ``fn(connection, events)`` inside every writing transaction, after the
        events are written and before the commit (counters, sign-in records). It sees
        the events with their order IDs and the data as stored; if it raises, nothing
        of the transition is written. Returns ``fn``, so it works as a decorator.

        ``prefetch(connection, events)``, if given, is called with the same events
        before the chain head is read: reads ``fn`` will need, sent there with
        :meth:`~wenming.orders.sql.Driver.read_later`, share the head's round trip."""
        self._on_append.append(fn)
        if prefetch is not None:
            self._prefetch.append(prefetch)
        return fn

    def refresh_hooks(self) -> None:
        """Look the lifecycle hooks' implementations up again (after registering a
        plugin on a running deployment)."""

        def impls(name: str) -> list[Any]:
            caller = getattr(self.pm.hook, name, None)
            if caller is None:
                return []
            return [i for i in reversed(caller.get_hookimpls()) if not (i.hookwrapper or i.wrapper)]

        self._vetoes = impls("before_transition")
        self._observers = impls("after_transition")

    @property
    def hooked(self) -> bool:
        """Whether any plugin vetoes or observes transitions."""
        return bool(self._vetoes or self._observers)

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One unit of work: committed on success, rolled back on error. On
        PostgreSQL its statements go in a pipeline (:mod:`wenming.orders.pipeline`)
        and the writes nobody waits for go with the commit."""
        with self.storage.engine.begin() as conn:
            self.sql.begin(conn)
            yield conn
            self.sql.commit(conn)

    def load(self, conn: Connection, order_id: int) -> Loaded:
        found = self.sql.tuples(conn, st.LOAD, {"oid": order_id})
        if not found:
            raise NotFound(f"no order {order_id}")
        row, parts = self.split(found)
        return Loaded(row, parts, snapshot_of(row, parts))

    def split(self, found: Sequence[Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The order row and part rows of an :func:`order_sql` result, converted."""
        n = len(st.ORDER_COLUMNS)
        row = self.sql.row(st.ORDER_COLUMNS, found[0][:n])
        parts = [self.sql.row(st.PART_COLUMNS, r[n:]) for r in found if r[n] is not None]
        return row, parts

    def run(
        self,
        order_id: int,
        plan: Callable[[Connection, Loaded, dt.datetime], list[tuple[Event, Writer | None]]],
        *,
        ahead: Callable[[Connection], None] | None = None,
    ) -> Loaded:
        """Read, decide, ask the hooks, append conditionally; retry on a lost race.
        Returns the order as written. ``ahead(connection)``, if given, runs in each
        attempt's transaction before the order is read: reads the plan will need, sent
        there with :meth:`~wenming.orders.sql.Driver.read_later`, share the order's
        round trip."""
        order_id = inputs.order_id(order_id)  # out of the database's range: no order
        seen: int | None = None
        for _attempt in range(self.max_attempts):
            try:
                with self.transaction() as conn:
                    if ahead is not None:
                        ahead(conn)
                    loaded = self.load(conn, order_id)
                    assert loaded.snapshot is not None
                    if seen is None:
                        seen = loaded.snapshot.version
                    try:
                        steps = plan(conn, loaded, self.clock())
                    except (IllegalTransition, PermissionDenied, InvalidInput) as exc:
                        if loaded.snapshot.version != seen:
                            raise self._conflict(conn, order_id, seen, exc) from None
                        raise
                    told = self.vet(loaded, [event for event, _ in steps])
                    after = self.append(conn, loaded, steps)
            except Lost:
                self.retries["lost"] += 1
                continue
            except OperationalError as exc:
                if exc.connection_invalidated:  # a pooled connection the server dropped
                    self.retries["disconnect"] += 1
                    continue
                if any(w in str(exc.orig) for w in ("locked", "busy", "deadlock")):
                    self.retries["busy"] += 1
                    continue
                raise
            except IntegrityError as exc:
                if "wm_order_event" in str(exc.orig) or "seq" in str(exc.orig):
                    self.retries["integrity"] += 1
                    continue
                raise
            except DBAPIError as exc:
                if pipeline.deallocated(exc):  # prepared again in the next attempt
                    self.retries["prepared"] += 1
                    continue
                raise
            self.observe(told)
            return after
        raise ConflictError(
            f"order {order_id} kept changing under {self.max_attempts} attempts; try again"
        )

    def _conflict(
        self, conn: Connection, order_id: int, seen: int, exc: Exception
    ) -> ConflictError:
        last = conn.execute(_LAST, {"oid": order_id, "seen": seen}).first()
        who = f"{last.action} by {last.actor} ({last.role})" if last else "another writer"
        return ConflictError(
            f"order {order_id} changed while you acted ({who} came first); "
            f"now nothing was written: {exc}"
        )

    def append(
        self, conn: Connection, loaded: Loaded, steps: Sequence[tuple[Event, Writer | None]]
    ) -> Loaded:
        """The one place events are written: bump the order's version conditionally,
        write each event's projected rows, update the changed parts, append the events
        sealed into the hash chains (last: it locks the chain head until the commit),
        run the in-transaction observers. Raises :class:`Lost` when the version moved.
        Returns the order as written (``loaded`` itself is not changed)."""
        if not steps:
            return loaded
        before = loaded.snapshot  # None: an order being created (its row is at version 0)
        last = steps[-1][0]
        at = last.at
        moved = before is None or last.to_state != before.state
        # sent without waiting on PostgreSQL: its row count comes with the chain head
        bump = self.sql.later(
            conn,
            st.BUMP_MOVED if moved else st.BUMP,
            {
                "oid": before.id if before is not None else last.order_id,
                "seen": before.version if before is not None else 0,
                "version": last.seq,
                "state": last.to_state,
                "updated_at": at,
            },
        )
        if bump.rowcount is not None and bump.rowcount != 1:  # known at once on SQLite
            raise Lost
        written: list[Event] = []
        snap = before
        base = before
        try:
            for event, write in steps:
                extra = write(conn, event, loaded) if write is not None else None
                if extra:
                    event = event.evolve(data={**event.data, **extra})
                written.append(event)
                snap = evolve(snap, event)
                if base is None:  # the part rows were inserted as the submit left them
                    base = snap
        except Exception:
            if self._lost(conn, bump):  # the order moved first: that is the news
                raise Lost from None
            raise
        assert snap is not None and base is not None
        row = dict(loaded.row, state=snap.state, version=snap.version, updated_at=at)
        if moved:
            row["state_since"] = at
        parts = []
        changes = []
        for p in loaded.parts:
            new = snap.parts[p["seq"]]
            old = base.parts[p["seq"]]
            if new != old:
                p = dict(
                    p,
                    state=new.state,
                    resource_key=new.resource,
                    dispatch_id=new.dispatch_id,
                    excluded=list(new.excluded),
                    state_since=at if new.state != old.state else p["state_since"],
                )
                changes.append({"pid": p["id"], **{c: p[c] for c in st.PART_COLUMNS_CHANGED}})
            parts.append(p)
        for fn in self._prefetch:
            fn(conn, written)
        self._append_events(conn, written, changes, {p["id"]: p for p in loaded.parts})
        if self.sql.count(conn, bump) != 1:
            raise Lost
        for fn in self._on_append:
            fn(conn, written)
        return Loaded(row, parts, snap)

    def _lost(self, conn: Connection, bump: Any) -> bool:
        """Whether the version bump found the order changed (a writer failed after
        it was sent: a lost race explains the failure better)."""
        try:
            return self.sql.count(conn, bump) != 1
        except Exception:  # the pipeline's own error: the writer's error says more
            return False

    def _append_events(
        self,
        conn: Connection,
        events: Sequence[Event],
        changes: Sequence[Mapping[str, Any]] = (),
        loaded_parts: Mapping[int, Mapping[str, Any]] | None = None,
    ) -> None:
        """Update the changed parts and insert ``events`` sealed into their order's
        chain and the deployment-wide chain: the head read and locked (``FOR UPDATE``
        on PostgreSQL; SQLite's writer already holds the database) together with the
        previous hash of the first event's order, the hashes computed here, one insert,
        the head moved.

        On PostgreSQL a single part's update rides in the head's statement and a single
        event's insert in the head move's (data-modifying ``WITH``): two statements
        fewer, each a round trip and a parse, bind and execute on both sides."""
        rows = [_row(e) for e in events]
        first = rows[0]
        args = {"oid": first["order_id"], "seq": first["seq"] - 1}
        if self.pg and len(changes) == 1:
            found = self.sql.tuples(conn, st.PART_AND_HEAD, {**changes[0], **args})
        else:
            if self.pg and changes:
                self.sql.later(conn, st.PART, changes, many=True)
            elif changes:
                for sql, params in st.part_updates(changes, loaded_parts or {}):
                    self.sql.later(conn, sql, params)
            found = self.sql.tuples(conn, self._head, args)
        if not found:
            raise integrity.IntegrityError(
                "the event log has no chain head (wm_log_head); run 'wenming init'"
            )
        head, head_hash, before = found[0]
        previous: dict[int, str] = {first["order_id"]: before or ""}
        for r in rows:  # events of further orders (none from the workflow's own plans)
            if r["order_id"] not in previous:
                previous[r["order_id"]] = self._previous_hash(conn, r["order_id"], r["seq"])
        seq, hash_ = integrity.seal(rows, previous, (int(head), head_hash))
        if self.pg and len(rows) == 1:  # the head moves to the one event's own place
            self.sql.later(conn, st.event_and_head(tuple(first)), first)
            return
        self.sql.insert_many(conn, "wm_order_event", rows)
        self.sql.later(conn, st.HEAD_MOVE, {"seq": seq, "hash": hash_})

    def _previous_hash(self, conn: Connection, order_id: int, seq: int) -> str:
        if seq <= 1:
            return ""
        found = self.sql.tuples(conn, st.PREVIOUS_HASH, {"oid": order_id, "seq": seq - 1})
        return (found[0][0] if found else "") or ""

    # ------------------------------------------------------------------ hooks

    def vet(self, loaded: Loaded | None, events: Sequence[Event]) -> list[Transition]:
        """Ask each ``before_transition`` implementation in turn; the first veto (or a
        hook that raises) refuses the transition, naming the plugin. Returns the
        transitions to tell the observers after the commit (none when nobody listens)."""
        if not self.hooked:
            return []
        told = [
            transition(e, loaded.part_id(e.part_seq) if loaded is not None else None)
            for e in events
        ]
        for t in told:
            self._veto(t)
        return told

    def _veto(self, t: Transition) -> None:
        for impl in self._vetoes:
            try:
                result = impl.function(**{n: t for n in impl.argnames if n == "transition"})
            except Exception as exc:
                raise Vetoed(
                    impl.plugin_name,
                    t.action,
                    t.order_id or None,
                    f"its before_transition hook raised {type(exc).__name__}: {exc}",
                ) from exc
            if isinstance(result, Veto):
                raise Vetoed(impl.plugin_name, t.action, t.order_id or None, result.reason)

    def observe(self, told: Sequence[Transition]) -> None:
        """Tell each ``after_transition`` observer, one plugin at a time."""
        for t in told:
            for impl in self._observers:
                try:
                    impl.function(**{n: t for n in impl.argnames if n == "transition"})
                except Exception:
                    log.exception(
                        "after_transition observer of plugin %r raised on %s of order %s; "
                        "the transition stands",
                        impl.plugin_name,
                        t.action,
                        t.order_id,
                    )


def _row(e: Event) -> dict[str, Any]:
    return {
        "order_id": e.order_id,
        "seq": e.seq,
        "part_seq": e.part_seq,
        "action": e.action,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "part_from": e.part_from,
        "part_to": e.part_to,
        "actor": e.actor,
        "role": e.role,
        "at": e.at,
        "reason": e.reason,
        "data": jsonable(dict(e.data)),  # dates as text, as the event's JSON holds them
    }
