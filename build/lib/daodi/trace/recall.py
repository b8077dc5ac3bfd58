"""Recall: find everything made from a lot, mark it recalled with EPCIS events, report it."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daodi.core import audit
from daodi.core.actor import Actor
from daodi.core.errors import DomainError, NotFound
from daodi.orgs import policy

from . import queries
from .capture import capture_events
from .documents import (
    RecallReport,
    RecallRow,
    element_string,
    recall_report_pdf,
    recall_report_xlsx,
)
from .epcis import identifiers
from .epcis.profile import NAMESPACE
from .choices import LotStatus
from .models import Capture, Lot, Recall

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CHUNK = 500


def _next_reference() -> str:
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


@transaction.atomic
def start_recall(*, actor: Actor, identifier: str, reason: str) -> Recall:
    """Recall ``identifier`` and everything downstream of it; returns the recorded recall.

    Only platform administrators, regulators' platform admins or an organisation holding the
    recalled lot may start one.
    """
    if not reason.strip():
        raise DomainError(
            _("Give the reason for the recall."),
            code="reason_required",
            fields={"reason": [_("This field is required.")]},
        )
    try:
        root = identifiers.canonical(identifier)
    except identifiers.IdentifierError as exc:
        raise DomainError(
            _("Not a valid lot or item identifier."),
            code="bad_identifier",
            fields={"identifier": [str(exc)]},
        ) from exc
    root_lot = Lot.objects.filter(identifier=root).select_related("holder").first()
    if root_lot is None:
        raise NotFound(_("No lot or item with this identifier is known."))
    if not actor.is_system and not policy.is_platform_admin(actor.user):
        policy.require_write(actor, root_lot.holder)
    found = queries.downstream(root)
    reference = _next_reference()
    organisation = root_lot.holder if actor.is_system else _acting_org(actor, root_lot)
    capture = Capture.objects.create(organisation=organisation, user=actor.user)
    events = recall_events(
        found, reference=reference, reason=reason.strip(), when=timezone.localtime()
    )
    outcome = capture_events(
        enumerate(events),
        capture=capture,
        prefixes={"daodi": NAMESPACE},
        organisation=organisation,
    )
    if outcome.errors:  # our own events: a failure here is a bug, never the user's input
        raise RuntimeError(f"recall events refused: {outcome.errors}")
    fresh = queries.lots([lot.identifier for lot in found])
    recall = Recall.objects.create(
        reference=reference,
        identifier=root,
        reason=reason.strip(),
        organisation=organisation,
        started_by=actor.user,
        capture=capture,
        rows=[_row(fresh[lot.identifier]) for lot in found],
    )
    write_reports(recall)
    audit.record(
        actor, "recall.start", recall, {"identifier": [None, root], "lots": [None, len(found)]}
    )
    return recall


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


def _acting_org(actor: Actor, lot: Lot):
    memberships = list(actor.user.memberships.select_related("organisation"))
    for m in memberships:
        if lot.holder_id and lot.holder.path.startswith(m.organisation.path):
            return m.organisation
    return memberships[0].organisation if memberships else None


def _row(lot: Lot) -> dict:
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
