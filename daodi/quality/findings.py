"""Out-of-specification results as findings a regulator follows up (``core.followups``):
the key is the certificate's id, the organisation concerned the lot's holder."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from daodi.core.choices import FollowUpKind
from daodi.core.followups import Finding, closed_keys

from . import judgement, queries
from .models import Certificate


def out_of_spec(key: str) -> Finding | None:
    cert = (
        Certificate.objects.select_related("lot__holder", "lot__herb")
        .exclude(conclusion=judgement.CONFORM)
        .filter(pk=int(key))
        .first()
        if key.isdigit()
        else None
    )
    if cert is None:
        return None
    return Finding(
        _("%(certificate)s: %(conclusion)s (%(herb)s)")
        % {
            "certificate": cert.number,
            "conclusion": cert.get_conclusion_display(),
            "herb": cert.lot.herb.name if cert.lot.herb_id else "—",
        },
        cert.lot.holder,
        reverse("quality:certificate_detail", args=[cert.pk]),
    )


def open_out_of_spec(user, start=None, end=None):
    """Out-of-specification certificates the user may read, issued between two dates, whose
    follow-up is not closed."""
    qs = queries.out_of_spec(user).select_related("lot__holder")
    if start:
        qs = qs.filter(issued_at__date__gte=start)
    if end:
        qs = qs.filter(issued_at__date__lte=end)
    closed = [int(k) for k in closed_keys(FollowUpKind.OUT_OF_SPEC) if k.isdigit()]
    return qs.exclude(pk__in=closed)
