"""The farm's section of the consumer trace page: the plots a lot comes from and their
GACP records of the crop that was harvested (three queries, whatever the lineage's length).

Farm records reach the page without an event on the lineage (a spraying is an event of
the plot, not of the lot), so recording one invalidates cached stories.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from daodi.trace.resolver import story

from .choices import RecordKind

PUBLIC_KINDS = (
    RecordKind.SEED_SOURCE,
    RecordKind.SOWING,
    RecordKind.TRANSPLANTING,
    RecordKind.FERTILISER,
    RecordKind.PESTICIDE,
    RecordKind.IRRIGATION,
    RecordKind.INSPECTION,
)


def _gln(value) -> str | None:
    if not isinstance(value, str) or "/414/" not in value:
        return None
    return value.rsplit("/414/", 1)[1].split("/")[0] or None


def farm_records(ctx: story.Context) -> story.Section | None:
    from .models import FarmRecord, Harvest, Plot

    # Only harvests recorded with their plots (ILMD "daodi:plots") have farm records: a
    # lineage without any costs the page no query.
    harvested: dict[str, list] = {}  # plot GLN: the days this lineage's harvests were made
    for event in ctx.events:
        doc = event.document
        named = story.extension(doc, "plots", doc.get("ilmd") or {})
        if isinstance(named, list):
            day = timezone.localtime(event.event_time).date()
            for gln in filter(None, map(_gln, named)):
                harvested.setdefault(gln, []).append(day)
    if not harvested:
        return None
    plots = list(
        Plot.objects.filter(site__gln__in=harvested).select_related("site", "herb", "village")
    )
    if not plots:
        return None
    # The crop's records: after the plot's last harvest of an earlier year (a crop taken in
    # parts within a season is one crop; a perennial's sowing years ago stays in), up to
    # its last harvest in the lineage.
    first = {p.pk: min(harvested[p.gln]) for p in plots}
    window = {p.pk: (None, max(harvested[p.gln])) for p in plots}
    for plot_id, day in Harvest.plots.through.objects.filter(plot__in=plots).values_list(
        "plot_id", "harvest__harvested_on"
    ):
        after, last = window[plot_id]
        if day.year < first[plot_id].year and (after is None or day > after):
            window[plot_id] = (day, last)
    records = FarmRecord.objects.filter(plot__in=plots, kind__in=PUBLIC_KINDS).order_by(
        "date", "id"
    )
    by_plot = {p.pk: [] for p in plots}
    for r in records:
        after, last = window[r.plot_id]
        if r.date > last or (after is not None and r.date <= after):
            continue
        by_plot[r.plot_id].append(
            {
                "kind": r.get_kind_display(),
                "date": r.date,
                "what": " ".join(
                    filter(None, [r.product, r.dose, r.supplier, r.variety, r.method])
                ),
                "interval": r.pre_harvest_interval_days,
            }
        )
    data = [
        {
            "name": p.name,
            "gln": p.gln,
            "area_mu": p.area_mu,
            "variety": p.variety,
            "year_planted": p.year_planted,
            "gap": p.gap_certificate if p.gap_base else "",
            "records": by_plot[p.pk],
        }
        for p in sorted(plots, key=lambda p: p.name)
    ]
    return story.Section("farm", _("Plots and farm records"), "farm/resolver_section.html", data)


story.register_section("farm", farm_records, order=20)
