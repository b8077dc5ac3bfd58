"""The farm's section of the consumer trace page: the plots a lot comes from and their
GACP records (two queries, whatever the lineage's length).

Farm records reach the page without an event on the lineage (a spraying is an event of
the plot, not of the lot), so recording one invalidates cached stories.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    from .models import FarmRecord, Plot

    # Only harvests recorded with their plots (ILMD "daodi:plots") have farm records: a
    # lineage without any costs the page no query.
    glns = set()
    for event in ctx.events:
        doc = event.document
        named = story.extension(doc, "plots", doc.get("ilmd") or {})
        if isinstance(named, list):
            glns.update(g for g in map(_gln, named) if g)
    if not glns:
        return None
    plots = list(Plot.objects.filter(site__gln__in=glns).select_related("site", "herb", "village"))
    if not plots:
        return None
    records = FarmRecord.objects.filter(plot__in=plots, kind__in=PUBLIC_KINDS).order_by(
        "date", "id"
    )
    by_plot = {p.pk: [] for p in plots}
    for r in records:
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
# Words of our steps the page does not know yet.
story.STEP_LABELS.setdefault("stock_taking", gettext_lazy("Weighing"))
