"""Columnar arrays of resources and demands, the input every rule kind evaluates.

Strings become bits: categories, audiences and tags (with skills) are bitmasks of
``uint64`` words (a trailing axis of width ``W``), compared with ``&`` and counted
with ``np.bitwise_count``. Positions are unit vectors on the sphere (float64, so
city-scale distances keep metre precision). Months are ``uint16`` masks, bit ``m``
for month ``m``.

A :class:`Columns` object gives a rule kind the columns of one side as attributes
(``res.capacity``, ``dem.tag``), already shaped so that resource and demand
columns broadcast against each other: one demand against every resource, a block of
demands × resources, or aligned pairs. Kinds therefore write plain element-wise
NumPy and reduce bitmask words over the last axis.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np

EARTH_RADIUS_KM = 6371.0088
#: Bits 1–12 set: every month.
ALL_MONTHS = 0x1FFE
KINDS: tuple[str, ...] = ("venue", "project", "team")


class Vocab:
    """A growing list of names, each with a bit position."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.index: dict[str, int] = {}
        self.add(names)

    def add(self, names: Iterable[str]) -> None:
        for name in names:
            if name not in self.index:
                self.index[name] = len(self.index)

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, name: object) -> bool:
        return name in self.index

    @property
    def words(self) -> int:
        """``uint64`` words needed for one mask (at least one)."""
        return max(1, math.ceil(len(self.index) / 64))

    def mask(self, names: Iterable[str]) -> np.ndarray:
        """One mask of shape ``(words,)``; names not in the vocabulary are ignored."""
        return self.masks([names])[0]

    def masks(self, rows: Sequence[Iterable[str]]) -> np.ndarray:
        """Masks of shape ``(len(rows), words)``; unknown names are ignored."""
        out = np.zeros((len(rows), self.words), dtype=np.uint64)
        r_idx: list[int] = []
        bits: list[int] = []
        for r, names in enumerate(rows):
            for name in names:
                bit = self.index.get(name)
                if bit is not None:
                    r_idx.append(r)
                    bits.append(bit)
        if bits:
            b = np.asarray(bits, dtype=np.int64)
            values = np.left_shift(np.uint64(1), (b % 64).astype(np.uint64))
            np.bitwise_or.at(out, (np.asarray(r_idx), b // 64), values)
        return out

    def codes(self, names: Sequence[str | None]) -> np.ndarray:
        """Integer codes (``-1`` for ``None`` or unknown names)."""
        return np.fromiter(
            (self.index.get(n, -1) if n is not None else -1 for n in names),
            dtype=np.int32,
            count=len(names),
        )


def overlaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether two broadcastable bitmask arrays share a bit (reduces the word axis)."""
    if a.shape[-1] == 1 and b.shape[-1] == 1:
        return (a[..., 0] & b[..., 0]) != 0
    return ((a & b) != 0).any(axis=-1)


def popcount(a: np.ndarray) -> np.ndarray:
    """Set bits per mask (reduces the word axis)."""
    if a.shape[-1] == 1:
        return np.bitwise_count(a[..., 0])
    return np.bitwise_count(a).sum(axis=-1, dtype=np.int64)


def unit_vectors(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS-84 degrees → unit vectors (NaN where the position is unknown)."""
    lam = np.radians(lng)
    phi = np.radians(lat)
    cos_phi = np.cos(phi)
    return cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)


def km_between(x1, y1, z1, x2, y2, z2) -> np.ndarray:
    """Great-circle distance in km between broadcastable unit vectors.

    From the chord length (``2·asin(c/2)``), which keeps short distances exact to the
    millimetre; ``arccos`` of the dot product loses centimetres below a kilometre.
    """
    chord = np.sqrt((x1 - x2) ** 2 + (y1 - y2) ** 2 + (z1 - z2) ** 2)
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(chord / 2.0, 1.0))


def month_mask(months: Iterable[int]) -> int:
    """Season mask of the given months; no months means all year."""
    mask = 0
    for m in months:
        mask |= 1 << int(m)
    return mask or ALL_MONTHS


def window_mask(start: date | None, end: date | None) -> int:
    """Mask of the months a date window touches (0: undated)."""
    start = start or end
    end = end or start
    if start is None or end is None:
        return 0
    mask = 0
    y, m = start.year, start.month
    for _ in range(12):
        mask |= 1 << m
        if (y, m) >= (end.year, end.month):
            break
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return mask


class Columns:
    """Named columns of one side, possibly gathered (``index``) and shaped (``axis``).

    ``axis="row"`` puts items along a trailing axis (resources of a block: ``(1, n)``),
    ``axis="col"`` along a leading one (demands of a block: ``(m, 1)``); bitmask
    columns keep their word axis last. An integer ``index`` selects one item, so
    its columns are scalars (and bitmasks single words): that is the single-demand
    and the one-pair shape. Gathered columns are cached on the view.
    """

    __slots__ = ("_axis", "_base", "_cache", "_index", "size")

    def __init__(
        self,
        base: Mapping[str, np.ndarray],
        index: Any = None,
        axis: str | None = None,
        size: int | None = None,
    ) -> None:
        self._base = base
        self._index = index
        self._axis = axis
        self._cache: dict[str, np.ndarray] = {}
        self.size = size if size is not None else _size(base, index)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._cache[name]
        except KeyError:
            pass
        try:
            arr = self._base[name]
        except KeyError:
            raise AttributeError(f"no column {name!r} (known: {', '.join(self._base)})") from None
        if self._index is not None:
            arr = arr[self._index]
        if self._axis == "row":
            arr = arr[None, ...]
        elif self._axis == "col":
            arr = arr[:, None, ...]
        self._cache[name] = arr
        return arr

    def names(self) -> list[str]:
        return list(self._base)


def _size(base: Mapping[str, np.ndarray], index: Any) -> int:
    if index is None:
        return len(next(iter(base.values())))
    if isinstance(index, slice):
        return len(range(*index.indices(len(next(iter(base.values()))))))
    if np.ndim(index) == 0:
        return 1
    index = np.asarray(index)
    return int(index.sum()) if index.dtype == bool else len(index)


def fill(names: Sequence[str], values: Mapping[str, Any] | None, default: Any) -> list[Any]:
    """Values for each name from a mapping, ``default`` where absent."""
    if not values:
        return [default] * len(names)
    return [values.get(n, default) for n in names]
