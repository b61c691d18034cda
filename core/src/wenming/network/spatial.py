"""A spatial index over the network's sites for radius and k-nearest queries.

A uniform grid in longitude/latitude, stored CSR-style in NumPy: points sorted by cell
(row-major), with the offset of each cell's first point, so the points of one row of
cells are one contiguous slice. A radius query visits only the rows of cells whose box
covers the query's disc (its exact great-circle extent in latitude and longitude) and
measures those candidates exactly. A k-nearest query first grows a box of cells around
the query's cell until a summed-area table of cell counts says it holds ``k`` points;
the k-th nearest of those bounds the answer, so one radius query of that radius finds
the true ``k`` nearest. Distances are chord lengths between
unit-sphere (x, y, z) points, which order points exactly as great-circle distances do
(``d = 2R·asin(c/2)``): no flat-earth error. The cell size is chosen so that a cell
holds about :data:`POINTS_PER_CELL` points on average.

A filtered query (a site type, a level, a department) uses a grid over just the
matching points, built on first use (≈ 1 ms for Suzhou) and kept. Plain NumPy, so it
costs no import beyond what the network already needs; not meant for regions that
straddle the antimeridian or reach the poles (a city is neither).

:meth:`SpatialIndex.scan_nearest` and :meth:`SpatialIndex.scan_within` answer the same
by a linear NumPy scan over every point: the baseline of
``benchmarks/bench_network.py`` and the oracle of the tests.
"""

from __future__ import annotations

import math
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


def _point(lng: float, lat: float) -> np.ndarray:
    lam, phi = math.radians(lng), math.radians(lat)
    return np.array((math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)))


def _chord_to_km(chord: np.ndarray) -> np.ndarray:
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))


def _km_to_chord(km: float) -> float:
    return 2.0 * math.sin(min(km / EARTH_RADIUS_KM, math.pi) / 2.0)


POINTS_PER_CELL = 4.0


class _Grid:
    """Points of one filter in a lng/lat grid; ``ids`` map back to the index's points."""

    def __init__(self, ids: np.ndarray, lng: np.ndarray, lat: np.ndarray, xyz: np.ndarray) -> None:
        self.ids = ids
        n = len(ids)
        if n == 0:
            return
        self.lng0, self.lat0 = float(lng.min()), float(lat.min())
        span_lng = max(float(lng.max()) - self.lng0, 1e-9)
        span_lat = max(float(lat.max()) - self.lat0, 1e-9)
        # square cells in km: a cell's longitude side is stretched by 1/cos(latitude)
        aspect = max(np.cos(np.radians(float(lat.mean()))), 0.05)
        area = span_lng * aspect * span_lat
        side = max(np.sqrt(area * POINTS_PER_CELL / n), 1e-6)
        self.dlat = float(side)
        self.dlng = float(side / aspect)
        self.nx = int(span_lng / self.dlng) + 1
        self.ny = int(span_lat / self.dlat) + 1
        ix = ((lng - self.lng0) / self.dlng).astype(np.int64).clip(0, self.nx - 1)
        iy = ((lat - self.lat0) / self.dlat).astype(np.int64).clip(0, self.ny - 1)
        cell = iy * self.nx + ix
        order = np.argsort(cell, kind="stable")
        self.order = order  # grid position → position in ``ids``
        self.xyz = xyz[order]
        self.starts = np.searchsorted(cell[order], np.arange(self.nx * self.ny + 1))
        self.starts_list = self.starts.tolist()
        # summed-area table of the cell counts: points in any box of cells in O(1)
        counts = np.diff(self.starts).reshape(self.ny, self.nx)
        sat = np.zeros((self.ny + 1, self.nx + 1), dtype=np.int64)
        sat[1:, 1:] = counts.cumsum(axis=0).cumsum(axis=1)
        self.sat = sat.tolist()

    def count(self, x0: int, x1: int, y0: int, y1: int) -> int:
        """Points in the cells x0..x1 × y0..y1 (inclusive)."""
        s = self.sat
        return s[y1 + 1][x1 + 1] - s[y0][x1 + 1] - s[y1 + 1][x0] + s[y0][x0]

    def box_holding(self, lng: float, lat: float, k: int) -> tuple[int, int, int, int] | None:
        """The smallest square box of cells around the query's cell that holds ``k`` points
        (counted with the summed-area table, no distances); ``None`` if only the whole
        grid does."""
        cx = min(max(math.floor((lng - self.lng0) / self.dlng), 0), self.nx - 1)
        cy = min(max(math.floor((lat - self.lat0) / self.dlat), 0), self.ny - 1)
        w = 0
        while True:
            x0, x1 = max(cx - w, 0), min(cx + w, self.nx - 1)
            y0, y1 = max(cy - w, 0), min(cy + w, self.ny - 1)
            if self.count(x0, x1, y0, y1) >= k:
                return x0, x1, y0, y1
            if x0 == 0 and y0 == 0 and x1 == self.nx - 1 and y1 == self.ny - 1:
                return None
            w = w + 1 if w < 8 else w * 2

    def _box(self, lng: float, lat: float, radius_km: float) -> tuple[int, int, int, int]:
        """Cell ranges covering the disc of ``radius_km`` around (lng, lat), clipped.

        The disc's exact extent: ±ang in latitude, and in longitude asin(sin ang / cos φ)
        at the latitude φ farthest from the equator within the disc.
        """
        ang = radius_km / EARTH_RADIUS_KM
        if ang >= math.pi:
            return 0, self.nx - 1, 0, self.ny - 1
        dlat = math.degrees(ang)
        lat_lo, lat_hi = lat - dlat, lat + dlat
        far = max(abs(lat_lo), abs(lat_hi))
        sin_ang = math.sin(ang)
        if far >= 90.0 or sin_ang >= math.cos(math.radians(far)):
            x0, x1 = 0, self.nx - 1
        else:
            dlng = math.degrees(math.asin(sin_ang / math.cos(math.radians(far))))
            x0 = max(math.floor((lng - dlng - self.lng0) / self.dlng), 0)
            x1 = min(math.floor((lng + dlng - self.lng0) / self.dlng), self.nx - 1)
        y0 = max(math.floor((lat_lo - self.lat0) / self.dlat), 0)
        y1 = min(math.floor((lat_hi - self.lat0) / self.dlat), self.ny - 1)
        return x0, x1, y0, y1

    def candidates(
        self, lng: float, lat: float, point: np.ndarray, radius_km: float
    ) -> tuple[np.ndarray, np.ndarray, tuple[int, int, int, int]]:
        """Positions (in ``ids``) of the points in the cells around the disc, their chords,
        and the cell box visited."""
        box = self._box(lng, lat, radius_km)
        cand, chord = self.gather(box, point)
        return cand, chord, box

    def gather(
        self, box: tuple[int, int, int, int], point: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions (in ``ids``) and chords to ``point`` of the points in a box of cells."""
        x0, x1, y0, y1 = box
        if x0 > x1 or y0 > y1:
            return np.empty(0, dtype=np.intp), np.empty(0)
        starts, nx = self.starts_list, self.nx
        spans = [
            (starts[row + x0], starts[row + x1 + 1]) for row in range(y0 * nx, (y1 + 1) * nx, nx)
        ]
        spans = [(a, b) for a, b in spans if b > a]
        if not spans:
            return np.empty(0, dtype=np.intp), np.empty(0)
        if len(spans) == 1:
            a, b = spans[0]
            xyz, cand = self.xyz[a:b], self.order[a:b]
        else:
            xyz = np.concatenate([self.xyz[a:b] for a, b in spans])
            cand = np.concatenate([self.order[a:b] for a, b in spans])
        diff = xyz - point
        return cand, np.sqrt(np.einsum("ij,ij->i", diff, diff))


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
        self.lng = np.asarray(lng, dtype=np.float64)
        self.lat = np.asarray(lat, dtype=np.float64)
        self._grids: dict[tuple, _Grid] = {}

    def __len__(self) -> int:
        return len(self.xyz)

    def _subset(self, filters: dict[str, str | None]) -> np.ndarray:
        mask = np.ones(len(self.xyz), dtype=bool)
        for name, value in filters.items():
            if value is not None:
                mask &= self.attrs[name] == value
        return np.flatnonzero(mask)

    def _grid(self, level: str | None, site_type: str | None, department: str | None) -> _Grid:
        key = (level, site_type, department)
        grid = self._grids.get(key)
        if grid is None:
            ids = self._subset({"level": level, "site_type": site_type, "department": department})
            grid = _Grid(ids, self.lng[ids], self.lat[ids], self.xyz[ids])
            self._grids[key] = grid
        return grid

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
        """The ``k`` nearest points (optionally only those within ``max_km``), nearest first."""
        grid = self._grid(level, site_type, department)
        if k <= 0 or not len(grid.ids):
            return []
        point = _point(lng, lat)
        k = min(k, len(grid.ids))
        box = grid.box_holding(lng, lat, k)
        if box is None:  # only the whole grid holds k points: rank every point
            radius = math.pi * EARTH_RADIUS_KM
        else:
            # k real points are in the box, so the k-th nearest is no farther than the
            # k-th nearest of them; every point that close is in the disc of that radius
            _cand, chord = grid.gather(box, point)
            kth = float(np.partition(chord, k - 1)[k - 1])
            radius = 2.0 * EARTH_RADIUS_KM * math.asin(min(kth / 2.0, 1.0)) * (1 + 1e-9) + 1e-9
        if max_km is not None:
            radius = min(radius, max_km)
        cand, chord, _box = grid.candidates(lng, lat, point, radius)
        inside = np.flatnonzero(chord <= _km_to_chord(radius))
        ids, chord = grid.ids[cand[inside]], chord[inside]
        order = np.lexsort((ids, chord))[:k]  # nearest first, ties by index
        km = _chord_to_km(chord[order])
        return [Hit(i, d) for i, d in zip(ids[order].tolist(), km.tolist(), strict=True)]

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
        grid = self._grid(level, site_type, department)
        if not len(grid.ids):
            return []
        point = _point(lng, lat)
        cand, chord, _box = grid.candidates(lng, lat, point, radius_km)
        inside = np.flatnonzero(chord <= _km_to_chord(radius_km))
        ids, chord = grid.ids[cand[inside]], chord[inside]
        order = np.lexsort((ids, chord))  # nearest first, ties by index
        km = _chord_to_km(chord[order])
        return [Hit(i, d) for i, d in zip(ids[order].tolist(), km.tolist(), strict=True)]

    # -------------------------------------------------- the linear scan (baseline, oracle)

    def _scan(self, lng: float, lat: float, filters: dict[str, str | None]):
        ids = self._subset(filters)
        point = _point(lng, lat)
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
        return [Hit(i, d) for i, d in zip(ids[order].tolist(), km.tolist(), strict=True)]

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
        order = hit[np.lexsort((ids[hit], chord[hit]))]
        km = _chord_to_km(chord[order])
        return [Hit(i, d) for i, d in zip(ids[order].tolist(), km.tolist(), strict=True)]
