"""A spatial index over the network's sites for radius and k-nearest queries.

Sites are points on the unit sphere (x, y, z); a k-d tree (``scipy.spatial.cKDTree``)
over them answers "the k nearest" and "all within r" by the chord length, which is a
monotonic function of the great-circle distance (``d = 2R·asin(c/2)``), so the
answers are exact great-circle answers with no flat-earth error. A filtered query (a
site type, a level, a department) uses a tree built over just the matching sites,
built on first use and kept.

:meth:`SpatialIndex.scan_nearest` and :meth:`SpatialIndex.scan_within` do the same by
a linear NumPy scan over every site: the baseline of ``benchmarks/bench_network.py``
and the oracle of the tests.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from attrs import frozen

from wenming.network.geo import EARTH_RADIUS_KM


@frozen
class Hit:
    """One site found by a query: its position in the index and its distance in km."""

    index: int
    distance_km: float


def _xyz(lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lam, phi = np.radians(lng), np.radians(lat)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def _chord_to_km(chord: np.ndarray) -> np.ndarray:
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))


def _km_to_chord(km: float) -> float:
    return 2.0 * float(np.sin(min(km / EARTH_RADIUS_KM, np.pi) / 2.0))


class SpatialIndex:
    """Points with optional attributes; queries return :class:`Hit` sorted by distance.

    ``levels``, ``site_types`` and ``departments`` are per-point attributes that
    queries can filter on (``None`` entries never match a filter on that attribute).
    """

    def __init__(
        self,
        lng: Sequence[float],
        lat: Sequence[float],
        *,
        levels: Sequence[str | None] | None = None,
        site_types: Sequence[str | None] | None = None,
        departments: Sequence[str | None] | None = None,
    ) -> None:
        self.xyz = _xyz(np.asarray(lng, dtype=np.float64), np.asarray(lat, dtype=np.float64))
        n = len(self.xyz)
        self.attrs = {
            "level": np.asarray(levels if levels is not None else [None] * n, dtype=object),
            "site_type": np.asarray(
                site_types if site_types is not None else [None] * n, dtype=object
            ),
            "department": np.asarray(
                departments if departments is not None else [None] * n, dtype=object
            ),
        }
        self._trees: dict[tuple, tuple[np.ndarray, object]] = {}

    def __len__(self) -> int:
        return len(self.xyz)

    def _subset(self, filters: dict[str, str | None]) -> np.ndarray:
        mask = np.ones(len(self.xyz), dtype=bool)
        for name, value in filters.items():
            if value is not None:
                mask &= self.attrs[name] == value
        return np.flatnonzero(mask)

    def _tree(self, level: str | None, site_type: str | None, department: str | None):
        key = (level, site_type, department)
        if key not in self._trees:
            from scipy.spatial import cKDTree

            ids = self._subset({"level": level, "site_type": site_type, "department": department})
            tree = cKDTree(self.xyz[ids]) if len(ids) else None
            self._trees[key] = (ids, tree)
        return self._trees[key]

    def nearest(
        self,
        lng: float,
        lat: float,
        k: int = 10,
        *,
        level: str | None = None,
        site_type: str | None = None,
        department: str | None = None,
        max_km: float | None = None,
    ) -> list[Hit]:
        """The ``k`` nearest points (optionally only those within ``max_km``)."""
        ids, tree = self._tree(level, site_type, department)
        if tree is None or k <= 0:
            return []
        k = min(k, len(ids))
        bound = _km_to_chord(max_km) if max_km is not None else np.inf
        chord, pos = tree.query(
            _xyz(np.array([lng]), np.array([lat]))[0], k=k, distance_upper_bound=bound
        )
        chord, pos = np.atleast_1d(chord), np.atleast_1d(pos)
        keep = np.isfinite(chord)
        km = _chord_to_km(chord[keep])
        return [Hit(int(ids[p]), float(d)) for p, d in zip(pos[keep], km, strict=True)]

    def within(
        self,
        lng: float,
        lat: float,
        radius_km: float,
        *,
        level: str | None = None,
        site_type: str | None = None,
        department: str | None = None,
    ) -> list[Hit]:
        """Every point within ``radius_km``, nearest first."""
        ids, tree = self._tree(level, site_type, department)
        if tree is None:
            return []
        point = _xyz(np.array([lng]), np.array([lat]))[0]
        found = np.asarray(tree.query_ball_point(point, _km_to_chord(radius_km)), dtype=np.intp)
        if not len(found):
            return []
        chord = np.linalg.norm(self.xyz[ids[found]] - point, axis=1)
        order = np.argsort(chord, kind="stable")
        km = _chord_to_km(chord[order])
        return [Hit(int(i), float(d)) for i, d in zip(ids[found[order]], km, strict=True)]

    # -------------------------------------------------- the linear scan (baseline, oracle)

    def _scan(self, lng: float, lat: float, filters: dict[str, str | None]):
        ids = self._subset(filters)
        point = _xyz(np.array([lng]), np.array([lat]))[0]
        return ids, np.linalg.norm(self.xyz[ids] - point, axis=1)

    def scan_nearest(
        self,
        lng: float,
        lat: float,
        k: int = 10,
        *,
        level: str | None = None,
        site_type: str | None = None,
        department: str | None = None,
    ) -> list[Hit]:
        """:meth:`nearest` by scanning every point (no index)."""
        ids, chord = self._scan(
            lng, lat, {"level": level, "site_type": site_type, "department": department}
        )
        k = min(k, len(ids))
        if k <= 0:
            return []
        part = np.argpartition(chord, k - 1)[:k] if k < len(ids) else np.arange(len(ids))
        order = part[np.argsort(chord[part], kind="stable")]
        km = _chord_to_km(chord[order])
        return [Hit(int(i), float(d)) for i, d in zip(ids[order], km, strict=True)]

    def scan_within(
        self,
        lng: float,
        lat: float,
        radius_km: float,
        *,
        level: str | None = None,
        site_type: str | None = None,
        department: str | None = None,
    ) -> list[Hit]:
        """:meth:`within` by scanning every point (no index)."""
        ids, chord = self._scan(
            lng, lat, {"level": level, "site_type": site_type, "department": department}
        )
        hit = np.flatnonzero(chord <= _km_to_chord(radius_km))
        order = hit[np.argsort(chord[hit], kind="stable")]
        km = _chord_to_km(chord[order])
        return [Hit(int(i), float(d)) for i, d in zip(ids[order], km, strict=True)]
