"""Demo step: three wishes in the requesters' own words — from the platform, a
door-to-door visit and the practice mailbox — read, filed and dispatched.

Called from ``examples/demo.py`` with its ``run`` and ``capture`` helpers, so every
command is printed and can be repeated by hand. The wishes are dated 2027-06-15
(``--today``) so that 暑假 and 下周三 mean the same days on every run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TODAY = ["--today", "2027-06-15"]
OPS = ["--actor", "guidance-center", "--role", "city_dispatcher"]

#: (channel, station code, the words as the requester gave them)
WISHES = (
    ("platform", "320585100203", "电站村想给村里约40名小学生上一堂节水课，暑假里每周一次。"),
    (
        "visit",
        "320585100203",
        "走访时发现一户困难退役军人家庭，老人腿脚不便，下周三需要有人陪同就医、联系医生。",
    ),
    (
        "mailbox",
        "320505001002",
        "信箱留言：横塘社区的老人常接到冒充公检法的诈骗电话，想请司法局来讲一场防诈骗讲座，八十人左右。",
    ),
)


def intake_demo(run: Callable[..., None], capture: Callable[..., Any]) -> None:
    """File each wish as words (shown field by field, then confirmed with --yes) and
    dispatch it: a single order to the engine's first choice, a joint one part by part."""
    print("\n# 点单 in the requester's own words: read, filed, dispatched")
    for channel, station, text in WISHES:
        who = ["--actor", f"station-{station}", "--role", "station_operator", "--area", station]
        print(f"\n# {channel}: {text}")
        run("match", "--text", text, "--place", station, "--k", "3", *TODAY)
        order = capture(
            "order", "submit", "--text", text, "--yes", "--channel", channel,
            "--site", station, *TODAY, *who,
        )  # fmt: skip
        oid = str(order["id"])
        if len(order["parts"]) > 1:
            capture("joint", "dispatch", oid, *OPS)
        else:
            capture("dispatch", oid, "--rank", "1", *OPS)
        run("order", "show", oid)
