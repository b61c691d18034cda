"""The practice network (新时代文明实践 "双棋盘"): territorial blocks × industry lines.

One site entity on two axes (:class:`wenming.storage.tables.Site`): the territorial
hierarchy station → institute → center → city (the guidance center), and the
industry line practice point → sub-center → guidance center, tied together by
pairings (结对共建). This package holds:

- :mod:`.geo`: datum conversions (WGS-84 / GCJ-02 / BD-09), distances, approximate positions
- :mod:`.regions`: region datasets (a city's divisions) and :func:`locate`
- :mod:`.importer`: the all-or-nothing CSV/JSON site importer and the region loader
- :mod:`.service`: queries (hierarchy, near, coverage, stats), pairings, export
- :mod:`.spatial`: the spatial index for radius and k-nearest queries
- :mod:`.navigation`: one-click navigation links (Amap, Baidu, ``geo:``)
- :mod:`.mapview`: the self-contained offline HTML map
- :mod:`.names`: search forms of Chinese names (pinyin syllables, full pinyin, initials)

This module imports only the light :func:`locate`; the database-backed parts import
SQLAlchemy and NumPy when first used.
"""

from __future__ import annotations

from wenming.network.regions import locate

__all__ = ["locate"]
