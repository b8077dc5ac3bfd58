"""GeoJSON locations of plots: validation and a representative point. Pure, no ORM."""

from __future__ import annotations

from numbers import Real

from django.utils.translation import gettext as _


def _position(value) -> bool:
    return (
        isinstance(value, (list, tuple))
        and len(value) in (2, 3)
        and all(isinstance(v, Real) and not isinstance(v, bool) for v in value)
        and -180 <= value[0] <= 180
        and -90 <= value[1] <= 90
    )


def problem(geometry) -> str | None:
    """Why ``geometry`` is not a usable plot location (a GeoJSON Point or Polygon), or None."""
    if not isinstance(geometry, dict):
        return _("Enter a GeoJSON object.")
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return None if _position(coords) else _("A point is [longitude, latitude].")
    if kind == "Polygon":
        if not isinstance(coords, list) or not coords:
            return _("A polygon needs at least one ring of positions.")
        for ring in coords:
            if not isinstance(ring, list) or len(ring) < 4 or not all(map(_position, ring)):
                return _("Each ring needs at least four [longitude, latitude] positions.")
            if list(ring[0][:2]) != list(ring[-1][:2]):
                return _("A ring must end where it starts.")
        return None
    return _("Only Point and Polygon locations are supported.")


def centre(geometry) -> tuple[float, float] | None:
    """(latitude, longitude) of a point, or the mean vertex of a polygon's outer ring."""
    if not isinstance(geometry, dict) or problem(geometry):
        return None
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"][:2]
        return float(lat), float(lon)
    ring = geometry["coordinates"][0][:-1]
    return (
        sum(float(p[1]) for p in ring) / len(ring),
        sum(float(p[0]) for p in ring) / len(ring),
    )


def positions(geometry) -> list[tuple[float, float]]:
    """Every (longitude, latitude) of a usable point or polygon, else none."""
    if not isinstance(geometry, dict) or problem(geometry):
        return []
    if geometry["type"] == "Point":
        return [tuple(float(v) for v in geometry["coordinates"][:2])]
    return [(float(p[0]), float(p[1])) for ring in geometry["coordinates"] for p in ring]


def extent(points: list[tuple[float, float]], margin: float = 0.002) -> list[list[float]]:
    """[[west, south], [east, north]] around ``points`` with a margin in degrees (about
    200 m), so a single point still has a map around it."""
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return [
        [round(min(lons) - margin, 6), round(min(lats) - margin, 6)],
        [round(max(lons) + margin, 6), round(max(lats) + margin, 6)],
    ]
