"""Out-of-specification results as findings a regulator follows up (``core.followups``):
the key is the certificate's id, the organisation concerned the lot's holder."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from daodi.core.followups import Finding

from . import judgement
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
