"""The home page: a product landing page for visitors; for signed-in users, the work waiting
for each of their roles (``web.home``), or the overview for those with none."""

from django.db.models import Count
from django.shortcuts import render

from daodi.catalog.models import GeographicIndication, Herb
from daodi.core.views import date_range
from daodi.orgs import queries
from daodi.orgs.choices import OrgKind

from . import home as homes


def _overview(user) -> dict:
    orgs = queries.organisations(user)
    counts = dict(orgs.values_list("kind").annotate(n=Count("id")).order_by())
    return {
        "org_total": sum(counts.values()),
        "orgs_by_kind": [
            (kind, label, counts[kind]) for kind, label in OrgKind.choices if counts.get(kind)
        ],
        "site_total": queries.sites(user).count(),
        "herb_total": Herb.objects.filter(is_active=True).count(),
        "indication_total": GeographicIndication.objects.count(),
        "can_add_org": queries.organisations(user, write=True).exists(),
    }


def home(request):
    if not request.user.is_authenticated:
        return render(request, "web/landing.html")
    start, end = date_range(request)
    sections = homes.sections(request.user, start, end)
    context = {
        "sections": sections,
        "notices": homes.notices(request.user),
        "date_from": start,
        "date_to": end,
        "has_regulator": any(s.key == "regulator" for s in sections),
    }
    if not sections:
        context.update(_overview(request.user))
    return render(request, "web/dashboard.html", context)
