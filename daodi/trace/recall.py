"""Recall helpers: the recall events, the reference numbers and the reports.

The recall itself is the action ``trace.actions.start_recall``.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from daodi.core.actor import Actor

from .choices import LotStatus
from .documents import (
    RecallReport,
    RecallRow,
    element_string,
    recall_report_pdf,
    recall_report_xlsx,
)
from .models import Lot, Recall

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CHUNK = 500


def next_reference() -> str:
    year = timezone.localdate().year
    count = Recall.objects.filter(reference__startswith=f"RC-{year}-").count()
    return f"RC-{year}-{count + 1:04d}"


def recall_events(lots: list[Lot], *, reference: str, reason: str, when) -> list[dict]:
    """EPCIS events that set disposition ``recalled`` on every lot and item (pure)."""
    stamp = when.isoformat(timespec="milliseconds")
    offset = stamp[-6:] if stamp[-6] in "+-" else "+00:00"
    events = []
    for start in range(0, len(lots), CHUNK):
        chunk = lots[start : start + CHUNK]
        items = [lot.identifier for lot in chunk if lot.serial or not lot.batch]
        classes = [lot.identifier for lot in chunk if lot.batch and not lot.serial]
        event = {
            "type": "ObjectEvent",
            "eventTime": stamp,
            "eventTimeZoneOffset": offset,
            "action": "OBSERVE",
            "bizStep": "holding",
            "disposition": "recalled",
            "epcList": items,
            "daodi:recallReference": reference,
            "daodi:recallReason": reason,
        }
        if classes:
            event["quantityList"] = [{"epcClass": c} for c in classes]
        events.append(event)
    return events


def report_of(recall: Recall) -> RecallReport:
    """The recall as the documents layer reads it."""
    return RecallReport(
        reference=recall.reference,
        identifier=recall.identifier,
        identifier_label=element_string(recall.identifier) or recall.identifier,
        reason=recall.reason,
        started_at=recall.started_at,
        started_by=str(recall.started_by or _("system")),
        rows=[
            RecallRow(
                **{
                    **row,
                    "quantity": Decimal(row["quantity"]) if row["quantity"] else None,
                    "status": str(LotStatus(row["status"]).label),
                }
            )
            for row in recall.rows
        ],
    )


def write_reports(recall: Recall) -> None:
    """Render the recall report as PDF and XLSX (Chinese) and keep both with the recall."""
    report = report_of(recall)
    recall.report_pdf.save(
        f"{recall.reference}.pdf", ContentFile(recall_report_pdf(report)), save=False
    )
    buffer = io.BytesIO()
    recall_report_xlsx(report, buffer)
    recall.report_xlsx.save(f"{recall.reference}.xlsx", ContentFile(buffer.getvalue()), save=False)
    recall.save(update_fields=["report_pdf", "report_xlsx"])


def acting_org(actor: Actor, lot: Lot):
    memberships = list(actor.user.memberships.select_related("organisation"))
    for m in memberships:
        if lot.holder_id and lot.holder.path.startswith(m.organisation.path):
            return m.organisation
    return memberships[0].organisation if memberships else None


def row(lot: Lot) -> dict:
    return {
        "identifier": lot.identifier,
        "herb": lot.herb.name if lot.herb_id else "",
        "grade": lot.grade.label if lot.grade_id else "",
        "quantity": str(lot.quantity) if lot.quantity is not None else "",
        "unit": lot.unit,
        "holder": lot.holder.name if lot.holder_id else "",
        "holder_phone": lot.holder.phone if lot.holder_id else "",
        "place": lot.site.name if lot.site_id else lot.location,
        "status": lot.status,
    }
