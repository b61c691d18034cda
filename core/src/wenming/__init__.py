"""wenming: a plugin-based framework for a city's New Era Civilization Practice network.

Import what you need from the submodules; this package itself stays light so that
``wenming --help`` starts fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pluggy

__version__ = "0.1.0"

#: The version of the plugin contract (hooks and records). A plugin declares the
#: version it was written for as ``WENMING_API = "1.0"`` in its entry-point module;
#: it loads when the major versions agree and its minor is not newer than core's.
API_VERSION = "1.0"

#: Marker for hook implementations in plugins.
hookimpl = pluggy.HookimplMarker("wenming")


def contributes(*records: Any | Iterable[Any], doc: str) -> Callable[..., None]:
    """A ``register_*`` hook implementation that registers fixed records.

    Most department plugins contribute data, not logic; instead of writing the same
    loop in every hook, assign the result to the hook's name in the plugin module::

        register_site_types = contributes(SITE_TYPES, doc="Waterworks and promenades.")

    pluggy matches hooks by the module attribute's name. ``records`` may be single
    records or tuples/lists of them; ``doc`` becomes the hook's docstring, which the
    conformance check requires.
    """
    items: list[Any] = []
    for record in records:
        if isinstance(record, list | tuple):
            items.extend(record)
        else:
            items.append(record)
    frozen = tuple(items)

    def hook(register: Callable[[Any], None]) -> None:
        for record in frozen:
            register(record)

    hook.__doc__ = doc
    return hookimpl(hook)


__all__ = ["API_VERSION", "__version__", "contributes", "hookimpl"]
