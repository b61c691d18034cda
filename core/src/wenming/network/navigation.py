"""One-click navigation (一键导航): deep links that open a site in a navigation app.

Each service wants its own datum, so the stored WGS-84 position is converted first:

- **Amap** (高德, ``uri.amap.com/navigation``): GCJ-02, ``coordinate=gaode``; opens the
  app's route to the site (from the current position), or the web page without the app.
- **Baidu Maps** (``api.map.baidu.com/marker``): BD-09, ``coord_type=bd09ll``. Baidu's
  web route API requires an origin, which a static link cannot know, so the link opens
  the site as a marker, whose "到这去" button starts the route.
- **geo:** (RFC 5870): WGS-84, ``geo:lat,lng?q=lat,lng(name)``, which Android hands to
  whatever maps app the user has.

Coordinates are written with 6 decimals (≈ 0.1 m).
"""

from __future__ import annotations

from urllib.parse import quote

from attrs import frozen

from wenming.network import geo

SOURCE = "wenming"


@frozen
class NavigationLinks:
    """The three links for one point, with the converted coordinates they use."""

    amap: str
    baidu: str
    geo: str
    gcj02: tuple[float, float]
    bd09: tuple[float, float]

    def as_dict(self) -> dict[str, str]:
        return {"amap": self.amap, "baidu": self.baidu, "geo": self.geo}


#: URL templates shared with the map's JavaScript, so both build the same links. Values
#: are substituted already formatted: coordinates with 6 decimals, the name
#: percent-encoded (every reserved character, like ``quote(name, safe="")``).
TEMPLATES: dict[str, str] = {
    "amap": (
        "https://uri.amap.com/navigation?to={gcj_lng},{gcj_lat},{name}"
        "&mode=car&coordinate=gaode&callnative=1&src=" + SOURCE
    ),
    "baidu": (
        "https://api.map.baidu.com/marker?location={bd_lat},{bd_lng}"
        "&title={name}&content={name}&output=html&coord_type=bd09ll&src=" + SOURCE
    ),
    "geo": "geo:{lat},{lng}?q={lat},{lng}({name})",
}


def _q(text: str) -> str:
    return quote(text, safe="")


def _fmt(value: float) -> str:
    return f"{value:.6f}"


def amap_link(gcj_lng: float, gcj_lat: float, name: str) -> str:
    """Amap navigation to a GCJ-02 point."""
    return TEMPLATES["amap"].format(gcj_lng=_fmt(gcj_lng), gcj_lat=_fmt(gcj_lat), name=_q(name))


def baidu_link(bd_lng: float, bd_lat: float, name: str) -> str:
    """Baidu Maps marker at a BD-09 point (latitude first, as Baidu wants)."""
    return TEMPLATES["baidu"].format(bd_lng=_fmt(bd_lng), bd_lat=_fmt(bd_lat), name=_q(name))


def geo_uri(lng: float, lat: float, name: str) -> str:
    """An RFC 5870 ``geo:`` URI for a WGS-84 point, with Android's ``q`` label."""
    return TEMPLATES["geo"].format(lng=_fmt(lng), lat=_fmt(lat), name=_q(name))


def coordinates(lng: float, lat: float) -> dict[str, str]:
    """The formatted values the templates take (except ``name``) for a WGS-84 point."""
    gcj = geo.wgs84_to_gcj02(lng, lat)
    bd = geo.gcj02_to_bd09(*gcj)
    return {
        "lng": _fmt(lng),
        "lat": _fmt(lat),
        "gcj_lng": _fmt(gcj[0]),
        "gcj_lat": _fmt(gcj[1]),
        "bd_lng": _fmt(bd[0]),
        "bd_lat": _fmt(bd[1]),
    }


def links(lng: float, lat: float, name: str) -> NavigationLinks:
    """Navigation links for a WGS-84 point (a stored site position)."""
    geo.check_lnglat(lng, lat)
    gcj = geo.wgs84_to_gcj02(lng, lat)
    bd = geo.gcj02_to_bd09(*gcj)
    return NavigationLinks(
        amap=amap_link(*gcj, name),
        baidu=baidu_link(*bd, name),
        geo=geo_uri(lng, lat, name),
        gcj02=gcj,
        bd09=bd,
    )
