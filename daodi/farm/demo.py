"""The farm's part of the demo county: plot records for the demo's plot sites, in bulk."""

from __future__ import annotations

from decimal import Decimal

from daodi.catalog.models import Herb
from daodi.orgs.models import Site

from .models import Plot


def plots_for_sites(plans) -> int:
    """A ``Plot`` for each planned plot (``demo.history.Plot``) whose site exists and has
    none yet: the site is the plot's place in events, the plot its farm record."""
    sites = {
        s.gln: s
        for s in Site.objects.filter(gln__in=[p.gln for p in plans]).filter(plot__isnull=True)
    }
    herbs = dict(Herb.objects.values_list("code", "id"))
    rows = [
        Plot(
            holder_id=sites[p.gln].organisation_id,
            site=sites[p.gln],
            name=sites[p.gln].name,
            village_id=sites[p.gln].division_id,
            geometry={"type": "Point", "coordinates": [p.longitude, p.latitude]},
            area_mu=Decimal(f"{p.area_mu:.2f}"),
            herb_id=herbs[p.herb],
            year_planted=p.planted,
        )
        for p in plans
        if p.gln in sites and p.herb in herbs
    ]
    Plot.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
