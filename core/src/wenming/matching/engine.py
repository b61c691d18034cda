"""The matching engine: the registry's rules compiled into vectorised scoring.

:class:`Engine` is built once per deployment (or per set of resources). It
normalises resources into columns sorted by key, imports each rule kind's
implementation and compiles every rule of the registry into a kind instance, a
resource scope (index array) and a demand scope (category codes). After that, no
plugin code and no per-pair Python call runs while scoring: each rule is evaluated
over whole arrays.

Evaluation is two-phase. Filters (rules in mode ``filter`` or ``both``) run first
over every resource (one demand) or over blocks of demands × resources (batch);
scores (modes ``score`` and ``both``) then run only on the pairs that passed. A
pair's score is the sum, in rule-ID order, of weight × the rule's 0–1 score over
the rules that judge it. Rankings are sorted by score, highest first, then by
resource key; exclusions name the first failing rule in rule-ID order.
"""

from __future__ import annotations

from wenming.matching.batching import Batcher
from wenming.matching.compile import Compiler
from wenming.matching.joint_orders import Joiner
from wenming.matching.rank import Ranker
from wenming.matching.slots import default_slots

__all__ = ["Engine", "default_slots"]


class Engine(Compiler, Ranker, Batcher, Joiner):
    """Ranks, batch-assigns and composes joint orders over a fixed set of resources.

    ``resources`` may hold registry records (``Resource`` objects of
    ``registry.resources``, or ``(key, Resource)`` pairs, or a mapping key →
    ``Resource``) and stored ``ResourceRow`` rows (keyed by ``.key``). ``config``
    gives rule re-weighting and the default reach; ``reputation`` maps resource key
    → ``(mean rating, count)``, ``load`` key → open dispatches, ``slots`` key →
    demands per day (see :func:`default_slots`). Missing keys get neutral values.

    The work is split by question: :class:`~wenming.matching.compile.Compiler` builds
    the columns and rules once, :class:`~wenming.matching.rank.Ranker` ranks one demand,
    :class:`~wenming.matching.batching.Batcher` assigns many and
    :class:`~wenming.matching.joint_orders.Joiner` composes joint orders.
    """
