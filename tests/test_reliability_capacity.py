"""Daily slots hold against everything already dispatched: sequential batches, batches
racing in separate processes, hand dispatches racing, and a rerun after a crash leave
0 overbooked resource-days, on SQLite and PostgreSQL. ``overbooked`` counts live
dispatches in ``wm_order_dispatch`` per resource and day, independently of the slot
table that enforces the limit."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal

import pytest

from wenming import hookimpl
from wenming.orders import Actor
from wenming.orders.capacity import FullyBooked, overbooked
from wenming.orders.integrity import verify
from wenming.orders.testing import make_workflow
from wenming.records import Department, Resource

OPS = Actor("ops", "city_dispatcher")
STATION = Actor("station", "station_operator", area="320505001002")
DAY = dt.date(2027, 8, 1)
HALLS = ("halls.east", "halls.west")  # two venues: 2 sessions a day each


class Halls:
    """One department with two venues (2 slots a day each) and nothing else to match."""

    @hookimpl
    def register_department(register):
        register(
            Department(
                code="halls",
                name_zh="场馆部门",
                name_en="Halls",
                subcenter_zh="场馆分中心",
                subcenter_en="Halls sub-center",
                corps_zh="场馆总队",
                corps_en="Halls corps",
            )
        )

    @hookimpl
    def register_resources(register):
        for name in ("east", "west"):
            register(
                Resource(
                    name=name,
                    kind="venue",
                    name_zh=f"{name}馆",
                    name_en=f"{name} hall",
                    place="3205",
                    categories=["science"],
                    capacity=200,
                )
            )


class CrashAfter:
    """Kills its own process (SIGKILL) right after the n-th dispatch commits."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.seen = 0

    @hookimpl
    def after_transition(self, transition):
        if transition.action == "dispatch":
            self.seen += 1
            if self.seen >= self.n:
                os.kill(os.getpid(), signal.SIGKILL)


def workflow(url, *extra, create=True):
    return make_workflow(url, [("halls", Halls), *extra], create=create)


def submit(wf, n, day=DAY):
    return [
        wf.submit(STATION, category="science", place="320505001002", start=day, headcount=10).id
        for _ in range(n)
    ]


def live(wf):
    with wf.storage.session() as s:
        return overbooked(s, wf.registry)


def dispatched(wf):
    return sum(
        len([d for d in wf.dispatches(o.id) if d.outcome == "open"])
        for o in wf.orders(limit=10_000)
    )


@pytest.fixture
def url(wenming_database_url):
    return wenming_database_url


@pytest.fixture
def wf(url):
    w = workflow(url)
    yield w
    w.deployment.close()


def test_sequential_batches_never_overbook(wf):
    for _round in range(3):  # the probe: submit ×3 + dispatch --batch, three times
        submit(wf, 3)
        wf.batch_dispatch(OPS)
    assert live(wf) == []
    assert dispatched(wf) == 4  # 2 venues × 2 sessions
    result = wf.batch_dispatch(OPS)
    assert result.dispatched == {}
    assert all("fully booked" in why for why in result.unassigned.values()), result.unassigned
    assert verify(wf.storage).ok


def test_a_full_day_refuses_a_hand_dispatch_and_a_decline_or_cancel_frees_it(wf):
    ids = submit(wf, 5)
    for order_id in ids[:2]:
        wf.dispatch(OPS, order_id, "halls.east")
    with pytest.raises(FullyBooked, match=r"halls.east is fully booked on 2027-08-01 \(2 slot"):
        wf.dispatch(OPS, ids[2], "halls.east")
    assert wf.order(ids[2]).state == "submitted", "nothing was written"
    wf.decline(Actor("lead", "team_leader", team="halls.east"), ids[0], "closed for repairs")
    wf.dispatch(OPS, ids[2], "halls.east")  # the declined dispatch's slot is free again
    wf.cancel(STATION, ids[1], "no longer needed")
    wf.dispatch(OPS, ids[3], "halls.east")  # and the cancelled one's
    with pytest.raises(FullyBooked):
        wf.dispatch(OPS, ids[4], "halls.east")
    other_day = submit(wf, 1, day=DAY + dt.timedelta(days=1))[0]
    wf.dispatch(OPS, other_day, "halls.east")  # another day has its own slots
    assert live(wf) == []
    assert verify(wf.storage).ok


def test_a_completed_dispatch_keeps_its_slot(wf):
    ids = submit(wf, 3)
    lead = Actor("lead", "team_leader", team="halls.east")
    for order_id in ids[:2]:
        wf.dispatch(OPS, order_id, "halls.east")
    wf.accept(lead, ids[0])
    wf.start(lead, ids[0])
    wf.complete(lead, ids[0], {"张敏": 2})
    with pytest.raises(FullyBooked):
        wf.dispatch(OPS, ids[2], "halls.east")


def test_ranked_dispatch_and_candidates_leave_out_a_fully_booked_resource(wf):
    ids = submit(wf, 5)
    first = {c.key for c in wf.candidates(ids[0], k=5)}
    assert first == set(HALLS)
    for order_id in ids[:2]:
        wf.dispatch(OPS, order_id, "halls.east")
    assert [c.key for c in wf.candidates(ids[2], k=5)] == ["halls.west"]
    assert wf.dispatch(OPS, ids[2]).parts[0].resource == "halls.west"  # the engine's pick
    wf.dispatch(OPS, ids[3])
    assert wf.candidates(ids[4], k=5) == []


def _batch_worker(url, barrier, out):
    w = workflow(url, create=False)
    try:
        barrier.wait(60)
        result = w.batch_dispatch(OPS)
        out.put(("ok", len(result.dispatched)))
    except BaseException as exc:  # reported to the parent, which fails the test
        out.put(("error", repr(exc)))
    finally:
        w.deployment.close()


def _hand_worker(url, order_id, barrier, out):
    w = workflow(url, create=False)
    try:
        barrier.wait(60)
        w.dispatch(OPS, order_id, "halls.east")
        out.put(("ok", order_id))
    except FullyBooked:
        out.put(("full", order_id))
    except BaseException as exc:
        out.put(("error", repr(exc)))
    finally:
        w.deployment.close()


def _run_processes(target, args_list):
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(args_list))
    out = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, barrier, out)) for args in args_list]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
    assert [r for r in results if r[0] == "error"] == []
    return results


def test_batches_racing_in_separate_processes_never_overbook(wf, url):
    submit(wf, 12)
    submit(wf, 6, day=DAY + dt.timedelta(days=1))
    results = _run_processes(_batch_worker, [(url,)] * 4)
    assert live(wf) == []
    assert dispatched(wf) == 8  # every slot of both days taken, none twice
    assert sum(n for _, n in results) == 8
    assert verify(wf.storage).ok


def test_hand_dispatches_racing_in_separate_processes_take_exactly_the_slots(wf, url):
    ids = submit(wf, 6)
    results = _run_processes(_hand_worker, [(url, i) for i in ids])
    assert sorted(kind for kind, _ in results) == ["full"] * 4 + ["ok"] * 2
    assert live(wf) == []
    assert verify(wf.storage).ok


def _crashing_batch(url):
    w = workflow(url, ("crash", CrashAfter(2)), create=False)
    w.batch_dispatch(OPS)  # killed after its second dispatch commits


def test_a_rerun_after_a_crash_does_not_overbook(wf, url):
    submit(wf, 5)
    ctx = multiprocessing.get_context("fork")
    proc = ctx.Process(target=_crashing_batch, args=(url,))
    proc.start()
    proc.join(120)
    assert proc.exitcode == -signal.SIGKILL
    assert dispatched(wf) == 2
    wf.batch_dispatch(OPS)  # the rerun
    wf.batch_dispatch(OPS)  # and once more
    assert live(wf) == []
    assert dispatched(wf) == 4
    assert verify(wf.storage).ok
