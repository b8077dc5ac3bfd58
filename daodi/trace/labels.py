"""Label printing for lots and items: GS1 Digital Link QR codes on a PDF sheet."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils.translation import gettext as _

from daodi.core.errors import DomainError

from . import queries, usability
from .documents import LabelSpec, label_sheet_pdf
from .epcis import identifiers
from .models import Lot


def digital_link(lot: Lot) -> str:
    """The URI printed in the lot's QR code: our resolver, GTIN, lot and serial."""
    parsed = identifiers.parse(lot.identifier, verify=False)
    return parsed.digital_link(settings.DIGITAL_LINK_BASE)


def _spec(lot: Lot, packed_from: str = "") -> LabelSpec:
    title = " ".join(
        filter(
            None, [lot.herb.name if lot.herb_id else "", lot.grade.label if lot.grade_id else ""]
        )
    )
    lines = [
        f"{_('Lot')} {lot.batch or packed_from}" if lot.batch or packed_from else "",
        f"{_('Serial')} {lot.serial}" if lot.serial else "",
        lot.holder.name if lot.holder_id else "",
    ]
    return LabelSpec(title=title or lot.gtin, lines=[x for x in lines if x], uri=digital_link(lot))


def lot_labels_pdf(lot: Lot, *, copies: int = 1) -> bytes:
    """A sheet of ``copies`` labels for the lot itself; never for a lot held, failed or
    recalled, itself or through what it was made from."""
    usability.ensure_usable([lot], doing=usability.LABEL)
    return label_sheet_pdf([_spec(lot)] * copies, kind="lot")


def item_labels_pdf(lot: Lot) -> bytes:
    """One small label per serialised item made from the lot (found through its lineage)."""
    usability.ensure_usable([lot], doing=usability.LABEL)
    graph = queries.graph(lot.identifier, direction="forward")
    items = [
        lot
        for lot in queries.lots({n["identifier"] for n in graph["nodes"]}).values()
        if lot.serial
    ]
    if not items:
        raise DomainError(_("No serialised items were made from this lot."), code="no_items")
    usability.ensure_usable(items, doing=usability.LABEL)
    return label_sheet_pdf(
        [_spec(item) for item in sorted(items, key=lambda i: i.serial)], kind="item"
    )


def packed_labels_pdf(items: Sequence[Lot], *, packed_from: str = "") -> bytes:
    """One small label per item of a packing run, in the order given; ``packed_from``: the
    number of the lot they were packed from, printed on each."""
    if not items:
        raise DomainError(_("No serialised items were made from this lot."), code="no_items")
    usability.ensure_usable(items, doing=usability.LABEL)
    return label_sheet_pdf([_spec(item, packed_from) for item in items], kind="item")
