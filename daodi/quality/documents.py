"""Printed quality documents: the certificate of analysis and the sample label (PDF).

Both render from plain data — the certificate from its hashed content, so the PDF says
exactly what the verification page confirms — through ``core.documents`` (WeasyPrint,
Noto Sans CJK, QR codes as inline SVG).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from daodi.core.documents import qr_svg, render_pdf


def certificate_context(content: dict, url: str) -> dict:
    return {
        "c": content,
        "qr": qr_svg(url, size_mm=30),
        "verify_url": url,
        "fingerprint": url.rsplit("h=", 1)[-1][:16],
        "unverified": sum(s["unverified"] for s in content["sets"]),
    }


def certificate_pdf(content: dict, url: str, *, language: str | None = None) -> bytes:
    """The certificate of analysis (检验报告), in Chinese unless ``language`` says otherwise."""
    return render_pdf(
        "quality/documents/certificate.html", certificate_context(content, url), language=language
    )


def sample_url(sample) -> str:
    return settings.DIGITAL_LINK_BASE.rstrip("/") + reverse(
        "quality:sample_detail", args=[sample.pk]
    )


def sample_label_pdf(sample, *, copies: int = 2) -> bytes:
    """Labels for the sample's bag and its retained part: code, lot, herb, QR to its page."""
    return render_pdf(
        "quality/documents/sample_label.html",
        {
            "sample": sample,
            "copies": range(copies),
            "qr": qr_svg(sample_url(sample), size_mm=24),
        },
    )
