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


def _q(text: str) -> str:
    return quote(text, safe="")


def amap_link(gcj_lng: float, gcj_lat: float, name: str) -> str:
    """Amap navigation to a GCJ-02 point."""
    return (
        f"https://uri.amap.com/navigation?to={gcj_lng:.6f},{gcj_lat:.6f},{_q(name)}"
        f"&mode=car&coordinate=gaode&callnative=1&src={SOURCE}"
    )


def baidu_link(bd_lng: float, bd_lat: float, name: str) -> str:
    """Baidu Maps marker at a BD-09 point (latitude first, as Baidu wants)."""
    return (
        f"https://api.map.baidu.com/marker?location={bd_lat:.6f},{bd_lng:.6f}"
        f"&title={_q(name)}&content={_q(name)}&output=html&coord_type=bd09ll&src={SOURCE}"
    )


def geo_uri(lng: float, lat: float, name: str) -> str:
    """An RFC 5870 ``geo:`` URI for a WGS-84 point, with Android's ``q`` label."""
    return f"geo:{lat:.6f},{lng:.6f}?q={lat:.6f},{lng:.6f}({_q(name)})"


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
