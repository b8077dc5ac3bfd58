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
        },
    )


def settlement_rows(point, day: dt.date):
    start = timezone.make_aware(dt.datetime(day.year, day.month, day.day))
    return list(
        Purchase.objects.filter(
            point=point, bought_at__gte=start, bought_at__lt=start + dt.timedelta(days=1)
        )
        .select_related("seller", "herb", "grade")
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
            ]
            for p in rows
        ],
    )
    by_seller: dict[str, list[Decimal]] = {}
    for p in rows:
        totals = by_seller.setdefault(p.seller.name, [Decimal(0)] * 3)
        totals[0] += p.net_kg
        totals[1] += p.amount
        totals[2] += p.amount_paid
    sellers = XlsxSheet(
        _("Sellers"),
        title,
        [
            XlsxColumn(_("Seller"), 14),
            XlsxColumn(_("Net (kg)"), number_format=weight),
            XlsxColumn(_("Amount"), number_format=money),
            XlsxColumn(_("Amount paid"), number_format=money),
            XlsxColumn(_("Owed"), number_format=money),
        ],
        [[name, kg, amount, paid, amount - paid] for name, (kg, amount, paid) in by_seller.items()]
        + [
            [
                _("Total"),
                sum((r.net_kg for r in rows), Decimal(0)),
                sum((r.amount for r in rows), Decimal(0)),
                sum((r.amount_paid for r in rows), Decimal(0)),
                sum((r.owed for r in rows), Decimal(0)),
            ]
        ],
    )
    write_xlsx(file, [purchases, sellers])
    return len(rows)
