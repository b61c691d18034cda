"""SQLite: WAL checkpoints off the writers' path.

In WAL mode a commit appends its pages to the write-ahead log; a *checkpoint* copies
them back into the database file and, with ``synchronous=NORMAL``, is where both files
are synced to disk. SQLite's default runs one inside whichever commit takes the log
past 1,000 pages — about every fifty transitions here — so that commit waits for the
copy and two fsyncs: the 5 ms p99 of a transition, against a 0.5 ms median (see
docs/performance.md).

A :class:`Checkpointer` runs them in a thread of the process instead, on its own
connection, every :data:`INTERVAL` seconds when the log has pages to copy. SQLite
releases Python's lock while it copies, so the writers go on meanwhile; a passive
checkpoint never blocks them. Writers keep a checkpoint of their own only as a safety
net, once the log passes :data:`WRITER_PAGES` (the thread stopped, or outrun).

Durability is bounded in time as a result: with ``synchronous=NORMAL`` a commit is on
disk once a checkpoint has synced the log, and that now happens within about
:data:`INTERVAL` seconds of any commit, however quiet the deployment (before, a
commit could wait for forty-nine more). An application crash loses nothing either way;
a power cut, at most the last :data:`INTERVAL` seconds.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import threading
import weakref
from pathlib import Path
from typing import Any

#: Seconds between the thread's checkpoints (the longest a commit waits for its sync).
INTERVAL = 0.5
#: Seconds to the next checkpoint while commits keep coming (the last one copied pages).
BUSY_INTERVAL = 0.05
#: A writer checkpoints itself once the log holds this many pages (64 MiB at 4 KiB).
WRITER_PAGES = 16_384
#: The log file is cut back to this size when it starts over after a checkpoint.
LOG_LIMIT_BYTES = 64 * 1024 * 1024

_running: weakref.WeakSet[Checkpointer] = weakref.WeakSet()


class Checkpointer:
    """A daemon thread checkpointing one SQLite file's log; :meth:`stop` ends it (the
    storage's ``dispose()`` does, and so does the end of the process)."""

    def __init__(self, path: str | Path, interval: float = INTERVAL) -> None:
        self.path = Path(path)
        self.interval = interval
        self._copied = [0]
        self._stop = threading.Event()
        self._start()
        _running.add(self)
        weakref.finalize(self, self._stop.set)  # a storage never disposed

    def _start(self) -> None:
        self._thread = threading.Thread(
            target=_run,
            args=(self.path, self.interval, self._stop, self._copied),
            name="wenming-checkpoint",
            daemon=True,
        )
        self._thread.start()

    @property
    def checkpoints(self) -> int:
        """The checkpoints so far that copied pages into the database file."""
        return self._copied[0]

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread, after the checkpoint it may be running."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)


#: Held while a thread is inside SQLite; a fork waits for it. A process forked while
#: another thread holds one of SQLite's mutexes would find it held for ever.
_IN_SQLITE = threading.Lock()


def _run(path: Path, interval: float, stop: threading.Event, copied: list[int]) -> None:
    """The thread: holds no reference to its :class:`Checkpointer`, so that one is
    collected (and stopped) with its storage. Its connection lives for one checkpoint
    only, inside :data:`_IN_SQLITE`: between checkpoints it holds nothing of SQLite's
    that a forked process could inherit half-used."""
    uri = f"{path.resolve().as_uri()}?mode=rw"  # never creates a file that is gone
    wait = interval
    while not stop.wait(wait):
        wait = interval
        with _IN_SQLITE:
            try:
                conn = sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None)
            except sqlite3.Error:  # gone: try again later
                continue
            try:
                conn.execute("PRAGMA synchronous=NORMAL")  # sync log and file
                _busy, log, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error:  # locked by a writer's own checkpoint: later
                continue
            finally:
                conn.close()
        if log > 0 and done > 0:
            copied[0] += 1
            wait = min(interval, BUSY_INTERVAL)


def on_connect(dbapi_connection: Any, _record: Any) -> None:
    """The writers' connections: their own checkpoints only as a safety net."""
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={WRITER_PAGES}")
    dbapi_connection.execute(f"PRAGMA journal_size_limit={LOG_LIMIT_BYTES}")


@atexit.register
def _stop_all() -> None:
    for checkpointer in list(_running):
        checkpointer.stop(timeout=1.0)


def _restart_in_child() -> None:
    """A forked process has none of its parent's threads: a storage it inherited gets
    its checkpoints back (one stopped before the fork stays stopped)."""
    _IN_SQLITE.release()
    for checkpointer in list(_running):
        if not checkpointer._stop.is_set():
            checkpointer._start()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_IN_SQLITE.acquire,
        after_in_parent=_IN_SQLITE.release,
        after_in_child=_restart_in_child,
    )
