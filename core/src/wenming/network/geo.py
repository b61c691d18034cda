"""Coordinates: datum conversions (WGS-84, GCJ-02, BD-09), distances, approximate positions.

wenming stores WGS-84. Chinese map services use two other datums: GCJ-02 (the
obfuscated national datum used by Amap/AutoNavi, Tencent and DataV) and BD-09 (Baidu's
further offset of GCJ-02). Around Suzhou the WGS-84 → GCJ-02 offset is about 450 m,
so a point shown on the wrong datum lands in the wrong street.

GCJ-02 has no closed-form inverse; :func:`gcj02_to_wgs84` inverts the forward
transform by fixed-point iteration until the round trip is exact to 1e-10° (≈ 0.01 mm).

Pure Python (``math`` and ``hashlib`` only), so it is cheap to import anywhere.
"""

from __future__ import annotations

import hashlib
import math

#: Krasovsky 1940 ellipsoid, as the GCJ-02 transform uses it.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180.0


def check_lnglat(lng: float, lat: float) -> None:
    """Raise ``ValueError`` unless ``lng``/``lat`` are finite degrees in range."""
    if not (isinstance(lng, int | float) and math.isfinite(lng) and -180.0 <= lng <= 180.0):
        raise ValueError(f"longitude must be between -180 and 180, got {lng!r}")
    if not (isinstance(lat, int | float) and math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise ValueError(f"latitude must be between -90 and 90, got {lat!r}")


def in_china(lng: float, lat: float) -> bool:
    """The rough bounding box inside which GCJ-02 applies its offset (outside it is WGS-84)."""
    return 72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271


def _delta_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _delta_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """WGS-84 → GCJ-02 (the published forward transform; identity outside China)."""
    if not in_china(lng, lat):
        return lng, lat
    dlat = _delta_lat(lng - 105.0, lat - 35.0)
    dlng = _delta_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float, *, tolerance: float = 1e-10) -> tuple[float, float]:
    """GCJ-02 → WGS-84, the exact inverse of :func:`wgs84_to_gcj02` by iteration.

    The offset field is smooth (its gradient is ~1e-5 per degree), so fixed-point
    iteration converges in 2–4 steps.
    """
    wlng, wlat = lng, lat
    for _ in range(30):
        glng, glat = wgs84_to_gcj02(wlng, wlat)
        dlng, dlat = lng - glng, lat - glat
        wlng, wlat = wlng + dlng, wlat + dlat
        if abs(dlng) < tolerance and abs(dlat) < tolerance:
            break
    return wlng, wlat


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → BD-09 (Baidu's standard transform)."""
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """BD-09 → GCJ-02 (Baidu's standard approximate inverse; good to ~1e-6°, 0.1 m)."""
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def wgs84_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


#: Datum names accepted by importers, with their conversion to WGS-84.
TO_WGS84 = {
    "wgs84": lambda lng, lat: (lng, lat),
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}


def to_wgs84(lng: float, lat: float, datum: str) -> tuple[float, float]:
    """Convert a point in ``datum`` (``wgs84``, ``gcj02`` or ``bd09``) to WGS-84."""
    try:
        convert = TO_WGS84[datum.lower().replace("-", "")]
    except KeyError:
        raise ValueError(f"unknown datum {datum!r} (known: wgs84, gcj02, bd09)") from None
    return convert(lng, lat)


def haversine_km(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in km between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def offset_km(lng: float, lat: float, east_km: float, north_km: float) -> tuple[float, float]:
    """The point ``east_km``/``north_km`` away from (lng, lat), on a local flat approximation."""
    dlat = north_km / KM_PER_DEGREE
    dlng = east_km / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return lng + dlng, lat + dlat


def spread(code: str, anchor: tuple[float, float], radius_km: float) -> tuple[float, float]:
    """A deterministic pseudo-random point for ``code`` within ``radius_km`` of ``anchor``.

    Two numbers from SHA-256 of the code pick a point uniformly in the disc (radius
    ``r·√u``, angle ``2πv``), so the same code always lands on the same spot, on every
    machine and Python version, and sibling sites do not pile up on one point. Used
    where no coordinate is known; such positions are marked ``approximate``.
    """
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    u = int.from_bytes(digest[:8], "big") / 2.0**64
    v = int.from_bytes(digest[8:16], "big") / 2.0**64
    r = radius_km * math.sqrt(u)
    angle = 2.0 * math.pi * v
    return offset_km(anchor[0], anchor[1], r * math.cos(angle), r * math.sin(angle))
