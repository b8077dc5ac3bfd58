"""The home page: a product landing page for visitors, a dashboard for signed-in users."""

from django.db.models import Count
from django.shortcuts import render

from daodi.catalog.models import GeographicIndication, Herb
from daodi.orgs import queries
from daodi.orgs.choices import OrgKind


def home(request):
    if not request.user.is_authenticated:
        return render(request, "web/landing.html")
    orgs = queries.organisations(request.user)
    counts = dict(orgs.values_list("kind").annotate(n=Count("id")).order_by())
    by_kind = [(kind, label, counts[kind]) for kind, label in OrgKind.choices if counts.get(kind)]
    return render(
        request,
        "web/dashboard.html",
        {
            "org_total": sum(counts.values()),
            "orgs_by_kind": by_kind,
            "site_total": queries.sites(request.user).count(),
            "herb_total": Herb.objects.filter(is_active=True).count(),
            "indication_total": GeographicIndication.objects.count(),
            "can_add_org": queries.organisations(request.user, write=True).exists(),
        },
    )
