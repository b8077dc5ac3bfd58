"""The buying network's documents: the purchase receipt (a small thermal printer's roll),
the daily settlement of a point (XLSX)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from daodi.core.documents import XlsxColumn, XlsxSheet, qr_svg, render_pdf, write_xlsx
from daodi.trace.labels import digital_link
from daodi.trace.models import Lot

from .models import Purchase

RECEIPT_WIDTH_MM = 58  # the common roll of Bluetooth receipt printers at buying points


def receipt_pdf(purchase: Purchase) -> bytes:
    """The seller's receipt: weights, price, amount, and the lot's Digital Link as a QR."""
    lot = Lot.objects.filter(identifier=purchase.lot).first()
    link = digital_link(lot) if lot is not None else purchase.lot
    return render_pdf(
        "sourcing/receipt.html",
        {
            "purchase": purchase,
            "link": link,
            "qr": qr_svg(link, size_mm=38),
            "width_mm": RECEIPT_WIDTH_MM,
            "corrected": corrected(purchase),
        },
    )


def corrected(purchase: Purchase) -> str:
    """Why the purchase was last corrected, and when ("" when never)."""
    last = max(purchase.corrections.all(), key=lambda c: (c.created_at, c.pk), default=None)
    if last is None:
        return ""
    return _("Corrected %(time)s: %(why)s") % {
        "time": timezone.localtime(last.created_at).strftime("%m-%d %H:%M"),
        "why": last.note,
    }


def settlement_rows(point, day: dt.date):
    start = timezone.make_aware(dt.datetime(day.year, day.month, day.day))
    return list(
        Purchase.objects.filter(
            point=point,
            bought_at__gte=start,
            bought_at__lt=start + dt.timedelta(days=1),
            voided=False,  # a voided purchase did not take place
        )
        .select_related("seller", "herb", "grade")
        .prefetch_related("corrections")
        .order_by("bought_at", "id")
    )


def settlement_xlsx(point, day: dt.date, file: IO[bytes]) -> int:
    """One point's purchases of one day: every purchase, then totals by seller and herb."""
    rows = settlement_rows(point, day)
    money = "#,##0.00"
    weight = "#,##0.00"
    title = _("Daily settlement of %(point)s, %(day)s") % {"point": point, "day": day.isoformat()}
    purchases = XlsxSheet(
        _("Purchases"),
        title,
        [
            XlsxColumn(_("Receipt"), 18),
            XlsxColumn(_("Time")),
            XlsxColumn(_("Seller"), 14),
            XlsxColumn(_("Herb")),
            XlsxColumn(_("Grade")),
            XlsxColumn(_("Gross (kg)"), number_format=weight),
            XlsxColumn(_("Tare (kg)"), number_format=weight),
            XlsxColumn(_("Net (kg)"), number_format=weight),
            XlsxColumn(_("Moisture (%)")),
            XlsxColumn(_("Price per kg"), number_format=money),
            XlsxColumn(_("Amount"), number_format=money),
            XlsxColumn(_("Amount paid"), number_format=money),
            XlsxColumn(_("Payment method")),
            XlsxColumn(_("Lot"), 28),
            XlsxColumn(_("Corrected"), 24),
        ],
        [
            [
                p.receipt_no,
                timezone.localtime(p.bought_at).strftime("%H:%M"),
                p.seller.name,
                p.herb.name,
                p.grade.label if p.grade_id else "",
                p.gross_kg,
                p.tare_kg,
                p.net_kg,
                p.moisture_pct,
                p.price_per_kg,
                p.amount,
                p.amount_paid,
                p.get_payment_method_display(),
                p.lot.rsplit("/", 1)[-1],
                corrected(p),
            ]
            for p in rows
        ],
    )

    def totals(key, label) -> list[list]:
        """Under two label columns, net weight, amount, paid and owed per ``key`` of a
        purchase, then the day's."""
        by: dict = {}
        for p in rows:
            acc = by.setdefault(key(p), [*label(p), Decimal(0), Decimal(0), Decimal(0)])
            acc[-3] += p.net_kg
            acc[-2] += p.amount
            acc[-1] += p.amount_paid
        lines = [[*acc, acc[-2] - acc[-1]] for acc in by.values()]
        day = [sum((p.net_kg for p in rows), Decimal(0)), sum((p.amount for p in rows), Decimal(0))]
        day += [
            sum((p.amount_paid for p in rows), Decimal(0)),
            sum((p.owed for p in rows), Decimal(0)),
        ]
        return lines + [[_("Total"), "", *day]]

    sums = [
        XlsxColumn(_("Net (kg)"), number_format=weight),
        XlsxColumn(_("Amount"), number_format=money),
        XlsxColumn(_("Amount paid"), number_format=money),
        XlsxColumn(_("Owed"), number_format=money),
    ]
    # By seller, not by name: two households of a village often share one.
    sellers = XlsxSheet(
        _("Sellers"),
        title,
        [XlsxColumn(_("Seller"), 14), XlsxColumn(_("Seller code"), 12), *sums],
        totals(lambda p: p.seller_id, lambda p: [p.seller.name, p.seller.code]),
    )
    herbs = XlsxSheet(
        _("Herbs"),
        title,
        [XlsxColumn(_("Herb")), XlsxColumn(_("Grade")), *sums],
        totals(
            lambda p: (p.herb_id, p.grade_id),
            lambda p: [p.herb.name, p.grade.label if p.grade_id else ""],
        ),
    )
    write_xlsx(file, [purchases, sellers, herbs])
    return len(rows)
