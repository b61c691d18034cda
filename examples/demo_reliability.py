"""Demo step: the event log checked end to end, and a damaged derived row rebuilt.

Called by ``examples/demo.py`` after the orders demo, on the same ``.demo/`` deployment.
"""

from __future__ import annotations


def reliability_demo(run, scratch) -> None:
    """``order verify`` (chains and every derived table, the head to keep outside the
    database), a volunteer's name edited behind wenming's back, found and repaired."""
    import sqlite3

    print("\n# The tamper-evident log: verify, damage a derived row, verify, repair")
    run("order", "verify")
    db = sqlite3.connect(scratch / "wenming.db")
    with db:
        db.execute(
            "UPDATE wm_order_service SET volunteer = '王五' WHERE order_id = 1 AND volunteer = '张敏'"
        )
    db.close()
    run("order", "verify", check=False)  # exit 1: the hours no longer match the events
    run("order", "repair")
    run("order", "verify")
