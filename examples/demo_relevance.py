"""Demo step: relevance first — the engine chooses what a dispatcher would choose.

Called from ``examples/demo.py`` after the network is loaded and synthesized. Two of
the seed's cases, from 电站村 (太仓市城厢镇, 320585100203), where the health department's
herb garden, the justice department's rule-of-law park and the veterans' defence park
stand next door:

- a water-saving class for pupils goes to the water department's projects, with the
  subject's points in the breakdown (the herb garden on the spot comes later);
- an outdoor group wedding in a garden (江南美学: civil affairs + gardens) finds a
  garden across the city — a destination the couples travel to — with its reasons.
"""

from __future__ import annotations

from collections.abc import Callable

DIANZHAN = "320585100203"


def relevance_demo(run: Callable[..., None]) -> None:
    """Show the words a station uses, the vocabulary they resolve through, and the
    rankings that come out, rule by rule."""
    run("vocabulary", "--kind", "categories")
    run(
        "match",
        "--category",
        "科学普及",
        "--tag",
        "节约用水",
        "--audience",
        "minors",
        "--headcount",
        "40",
        "--place",
        DIANZHAN,
        "--k",
        "5",
        "--explain",
    )
    run(
        "match",
        "--joint",
        "--category",
        "culture_arts",
        "--tag",
        "婚礼",
        "--tag",
        "园林",
        "--audience",
        "newlyweds",
        "--headcount",
        "40",
        "--place",
        DIANZHAN,
        "--date",
        "2027-05-20",
        "--k",
        "2",
        "--explain",
    )
    # a template out of season: its own resources are refused, and the ranking says why
    run(
        "match",
        "--template",
        "gardens.wetland_observer",
        "--place",
        DIANZHAN,
        "--date",
        "2027-07-10",
        "--k",
        "3",
    )
