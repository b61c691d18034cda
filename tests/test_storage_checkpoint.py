"""SQLite's WAL checkpoints run in a thread of their own, not in the writers' commits:
what is committed reaches the database file itself within the interval, the writers
keep a checkpoint of their own only past a large log, and the thread ends with its
storage."""

from __future__ import annotations

import gc
import shutil
import sqlite3
import time

from sqlalchemy import text

from wenming.storage import Storage, checkpoint


def _rows_in_the_file_alone(db, tmp_path) -> int:
    """The rows the database file holds without its log (a copy of the file alone)."""
    alone = tmp_path / "alone.db"
    shutil.copyfile(db, alone)
    with sqlite3.connect(alone) as conn:
        try:
            return conn.execute("SELECT count(*) FROM t").fetchone()[0]
        except sqlite3.OperationalError:  # the table itself is still in the log only
            return 0


def _write(storage: Storage, rows: int) -> None:
    with storage.engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
    for i in range(rows):
        with storage.engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": i})


def _wait_for(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_commits_reach_the_database_file_within_the_interval(tmp_path):
    db = tmp_path / "w.db"
    storage = Storage(f"sqlite:///{db}")
    try:
        assert storage.checkpointer is not None and storage.checkpointer.alive
        _write(storage, 20)
        assert _wait_for(lambda: _rows_in_the_file_alone(db, tmp_path) == 20)
        assert storage.checkpointer.checkpoints >= 1
    finally:
        storage.dispose()


def test_without_the_thread_commits_stay_in_the_log(tmp_path):
    """The control: the writers' own checkpoints wait for a large log, so with the
    thread stopped the same commits are not in the file."""
    db = tmp_path / "w.db"
    storage = Storage(f"sqlite:///{db}")
    try:
        storage.checkpointer.stop()
        _write(storage, 20)
        time.sleep(3 * checkpoint.INTERVAL)
        assert _rows_in_the_file_alone(db, tmp_path) == 0
        with storage.engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
        assert pages == checkpoint.WRITER_PAGES
    finally:
        storage.dispose()


def test_the_thread_ends_with_its_storage(tmp_path):
    storage = Storage(f"sqlite:///{tmp_path / 'a.db'}")
    worker = storage.checkpointer
    storage.dispose()
    assert not worker.alive

    forgotten = Storage(f"sqlite:///{tmp_path / 'b.db'}")  # never disposed
    thread = forgotten.checkpointer._thread
    del forgotten
    gc.collect()
    thread.join(5 * checkpoint.INTERVAL)
    assert not thread.is_alive()


def _alive_in_child(storage, answer) -> None:
    answer.put(storage.checkpointer.alive)


def test_a_forked_process_gets_its_own_thread(tmp_path):
    import multiprocessing

    storage = Storage(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        ctx = multiprocessing.get_context("fork")
        answer = ctx.Queue()
        child = ctx.Process(target=_alive_in_child, args=(storage, answer))
        child.start()
        assert answer.get(timeout=10) is True
        child.join(10)
    finally:
        storage.dispose()


def test_the_thread_creates_no_file_where_the_database_is_gone(tmp_path):
    folder = tmp_path / "gone"
    folder.mkdir()
    db = folder / "w.db"
    storage = Storage(f"sqlite:///{db}")
    try:
        _write(storage, 1)
        storage.engine.dispose()  # the writers' connections closed
        shutil.rmtree(folder)
        folder.mkdir()
        time.sleep(3 * checkpoint.INTERVAL)
        assert storage.checkpointer.alive
        assert not db.exists()
    finally:
        storage.dispose()


def test_memory_databases_have_no_thread():
    assert Storage("sqlite://").checkpointer is None


def _read_in_child(db, answer) -> None:
    with sqlite3.connect(db) as conn:  # SQLite in the child: its mutexes must be free
        answer.put(conn.execute("SELECT count(*) FROM t").fetchone()[0] > 0)


def test_a_fork_while_checkpoints_run_does_not_hang(tmp_path):
    """A process forked while the thread is inside SQLite would inherit SQLite's
    mutexes held for ever; the fork waits until the thread is out. (Only the thread
    uses SQLite during the forks: another thread of the test inside SQLite then would
    hang the child whatever wenming does.)"""
    import multiprocessing

    db = tmp_path / "w.db"
    storage = Storage(f"sqlite:///{db}")
    busy = checkpoint.Checkpointer(db, interval=0.0005)  # checkpoints back to back
    try:
        ctx = multiprocessing.get_context("fork")
        for _ in range(80):
            _write(storage, 20)  # pages for the checkpoints to copy
            answer = ctx.Queue()
            child = ctx.Process(target=_read_in_child, args=(str(db), answer))
            child.start()
            child.join(20)
            hung = child.is_alive()
            if hung:
                child.kill()
            assert not hung and answer.get(timeout=1) is True
    finally:
        busy.stop()
        storage.dispose()
