"""The consumer trace page's "test results" section: each tested lot's latest conclusion
with a link to its certificate (registered with ``trace.resolver.story`` in ``apps.py``)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from daodi.trace.resolver import story

from . import queries

CERTIFICATION_INFO = "https://gs1.org/voc/certificationInfo"
SHOWN = 3  # the scanned lot's certificate and those of the nearest lots it came from


def public_urls(certificate) -> tuple[str, str]:
    """The verification page and the PDF of a certificate, as absolute public links."""
    base = settings.DIGITAL_LINK_BASE.rstrip("/")
    query = f"?h={certificate.content_hash}"
    return (
        base + reverse("quality:certificate_verify", args=[certificate.number]) + query,
        base + reverse("quality:certificate_public_pdf", args=[certificate.number]) + query,
    )


def test_results(ctx: story.Context) -> story.Section | None:
    """One query: the newest valid certificate of every lot of the lineage. A lineage with
    no certificate of ours keeps the trace app's own section (inspection events that other
    systems captured, with their certificate links)."""
    by_id = {lot.pk: lot for lot in ctx.lots.values()}
    found = queries.latest_certificates(by_id)
    if not found:
        return story._test_results(ctx)
    root = ctx.lots.get(ctx.root)
    ordered = sorted(
        found.values(),
        key=lambda c: (root is None or c.lot_id != root.pk, -c.issued_at.timestamp()),
    )[:SHOWN]
    rows, links = [], []
    for cert in ordered:
        page, pdf = public_urls(cert)
        rows.append(
            {
                "conclusion": cert.conclusion,
                "label": cert.get_conclusion_display(),
                "number": cert.number,
                "lab": cert.lab.name,
                "date": timezone.localtime(cert.issued_at).date(),
                "this_lot": root is not None and cert.lot_id == root.pk,
                "href": page,
                "pdf": pdf,
            }
        )
        links.append(
            {"href": page, "title": _("Certificate of analysis"), "rel": CERTIFICATION_INFO}
        )
    return story.Section(
        "tests", _("Test results"), "quality/resolver_section.html", {"results": rows}, links=links
    )
