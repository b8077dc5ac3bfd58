"""Composed, scoped reads of the farm app."""

from __future__ import annotations

from daodi.orgs import policy
from daodi.orgs.choices import SiteKind
from daodi.orgs.models import Site

from . import geo
from .models import BannedPesticide, FarmRecord, Harvest, Plot, Processing


def plots(user, *, write=False):
    return policy.scope(
        Plot.objects.select_related("holder", "site", "village", "herb"), user, write=write
    )


def records(user, *, write=False):
    return policy.scope(
        FarmRecord.objects.select_related("plot__holder", "plot__herb"), user, write=write
    )


def harvests(user, *, write=False):
    return policy.scope(
        Harvest.objects.select_related("holder", "herb", "grade").prefetch_related("plots"),
        user,
        write=write,
    )


def processings(user, *, write=False):
    return policy.scope(
        Processing.objects.select_related("holder", "herb", "grade").prefetch_related("lots"),
        user,
        write=write,
    )


def banned():
    return BannedPesticide.objects.all()


NEIGHBOURS = 200  # plots of the village drawn around a plot, at most


def plot_map(plot: Plot, user) -> dict | None:
    """What a plot's map draws: its shape or point, the other plots of its village that
    ``user`` may see (shapes only, unnamed), the village's name at its centre (its sites
    that are not plots, else its plots), and the extent to show. None without a location."""
    own = geo.positions(plot.geometry)
    if not own:
        return None
    others = [
        g
        for g in plots(user)
        .filter(village_id=plot.village_id)
        .exclude(pk=plot.pk)
        .values_list("geometry", flat=True)[:NEIGHBOURS]
        if geo.positions(g)
    ]
    places = [
        (float(lon), float(lat))
        for lon, lat in Site.objects.filter(division_id=plot.village_id, latitude__isnull=False)
        .exclude(kind=SiteKind.PLOT)
        .values_list("longitude", "latitude")
    ] or [p for g in [plot.geometry, *others] for p in geo.positions(g)]
    centre = [
        round(sum(p[0] for p in places) / len(places), 6),
        round(sum(p[1] for p in places) / len(places), 6),
    ]
    lat, lon = geo.centre(plot.geometry)
    return {
        "plot": {"name": plot.name, "geometry": plot.geometry},
        "others": others,
        "village": {"name": plot.village.name, "coord": centre},
        "extent": geo.extent(own + [centre] + [p for g in others for p in geo.positions(g)]),
        "latitude": round(lat, 6),
        "longitude": round(lon, 6),
    }
