"""Coordinates and map links in message text.

Recognised (first match wins):
  - Google Maps: .../@44.95,-93.25,17z  ...?q=44.95,-93.25  ...!3d44.95!4d-93.25  ...?ll=  &query=
  - OpenStreetMap: #map=17/44.95/-93.25  ?mlat=44.95&mlon=-93.25
  - Apple Maps: ?ll=44.95,-93.25  &q=  &sll=  coordinate=
  - geo: URIs (geo:44.95,-93.25)
  - plain decimal pairs "44.95551, -93.24795" (also "lat 44.95 lon -93.25"), either order in Minnesota
  - degrees-minutes-seconds 44°57'20"N 93°14'53"W
Short links (goo.gl, maps.app.goo.gl) cannot be expanded offline and are ignored.
"""
from __future__ import annotations

import re

_NUM = r"[-+]?\d{1,3}\.\d{2,}"
_PATTERNS = [
    re.compile(rf"!3d({_NUM})!4d({_NUM})"),
    re.compile(rf"[?&#]mlat=({_NUM})&(?:amp;)?mlon=({_NUM})"),
    re.compile(rf"map=\d{{1,2}}(?:\.\d+)?/({_NUM})/({_NUM})"),
    re.compile(rf"(?:[@=:]|\bll=|\bq=|\bsll=|query=|coordinate=|center=|geo:)\s*({_NUM})\s*(?:,|%2C)\s*({_NUM})", re.I),
    re.compile(rf"(?<![\d.])({_NUM})\s*[,;/ ]\s*({_NUM})(?![\d.])"),
    re.compile(rf"\blat(?:itude)?\s*[:=]?\s*({_NUM})\D{{1,20}}?lon(?:g|gitude)?\s*[:=]?\s*({_NUM})", re.I),
]
_DMS = re.compile(
    r"(\d{1,2})\s*[°º]\s*(\d{1,2})\s*['′]\s*(\d{1,2}(?:\.\d+)?)\s*(?:\"|″|'')?\s*([NS])[\s,]*"
    r"(\d{1,3})\s*[°º]\s*(\d{1,2})\s*['′]\s*(\d{1,2}(?:\.\d+)?)\s*(?:\"|″|'')?\s*([EW])", re.I)

_HAS_COORD = re.compile(r"\d\.\d\d|\d\s*[°º]")

# plausible area for pins: a generous box around Minnesota
LAT_RANGE = (43.0, 49.5)
LON_RANGE = (-97.5, -89.0)


def _plausible(lat: float, lon: float) -> bool:
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]


def _order(a: float, b: float) -> tuple[float, float] | None:
    if _plausible(a, b):
        return a, b
    if _plausible(b, a):
        return b, a
    return None


def find_pin(text: str) -> tuple[float, float, int, int] | None:
    """Return (lat, lon, start, end) of the first usable coordinate in text, or None."""
    if not text or not _HAS_COORD.search(text):
        return None
    m = _DMS.search(text)
    if m:
        lat = int(m.group(1)) + int(m.group(2)) / 60 + float(m.group(3)) / 3600
        lon = int(m.group(5)) + int(m.group(6)) / 60 + float(m.group(7)) / 3600
        if m.group(4).upper() == "S":
            lat = -lat
        if m.group(8).upper() == "W":
            lon = -lon
        if _plausible(lat, lon):
            return lat, lon, m.start(), m.end()
    for pat in _PATTERNS:
        for m in pat.finditer(text):
            ll = _order(float(m.group(1)), float(m.group(2)))
            if ll:
                return ll[0], ll[1], m.start(), m.end()
    return None
