"""wenming: a plugin-based framework for a city's New Era Civilization Practice network.

Import what you need from the submodules; this package itself stays light so that
``wenming --help`` starts fast.
"""

from __future__ import annotations

import pluggy

__version__ = "0.1.0"

#: The version of the plugin contract (hooks and records). A plugin declares the
#: version it was written for as ``WENMING_API = "1.0"`` in its entry-point module;
#: it loads when the major versions agree and its minor is not newer than core's.
API_VERSION = "1.0"

#: Marker for hook implementations in plugins.
hookimpl = pluggy.HookimplMarker("wenming")

__all__ = ["API_VERSION", "__version__", "hookimpl"]
