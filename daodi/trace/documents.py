"""Printed traceability documents: QR label sheets and the recall report (PDF and XLSX).

Inputs are plain dataclasses filled by the caller (an action, a view or a command), so the
documents know nothing about the ORM and can be rendered in tests from literal values.
Every label's QR code carries the GS1 Digital Link URI the platform resolves; the GS1
element string printed beside it lets a person key the code in when a scan fails.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from daodi.core.documents import XlsxColumn, XlsxSheet, qr_svg, render_pdf, write_xlsx

from .epcis.identifiers import IdentifierError, parse

Number = decimal.Decimal | int | float


# --- identifiers as printed -----------------------------------------------------------------
def element_string_parts(identifier: str) -> list[str]:
    """The GS1 element string of an identifier, one "(AI)value" per element.

    ``https://id.gs1.org/01/09521234000013/10/LP2026-001`` gives
    ``["(01)09521234000013", "(10)LP2026-001"]``; anything that is not a GS1 identifier
    gives an empty list (the caller then prints the identifier itself).
    """
    try:
        ident = parse(identifier)
    except IdentifierError:
        return []
    return [f"({ai}){value}" for ai, value in ((ident.ai, ident.key), *ident.qualifiers)]


def element_string(identifier: str) -> str:
    """The human-readable GS1 element string, e.g. "(01)09521234000013(10)LP2026-001"."""
    return "".join(element_string_parts(identifier))


def identifier_kind(identifier: str) -> Literal["lot", "item", "other"]:
    """Whether an identifier names a lot (GTIN + batch), a serialised item or another thing."""
    try:
        ident = parse(identifier)
    except IdentifierError:
        return "other"
    if ident.ai == "01" and ident.qualifier("21") is not None:
        return "item"
    if ident.ai == "01" and ident.qualifier("10") is not None:
        return "lot"
    return "other"


def format_quantity(value: Number | None) -> str:
    """A quantity as printed: no exponent, no trailing zeros ("12.5", "300"); "" for none."""
    if value is None:
        return ""
    number = value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))
    text = format(number.normalize(), "f")
    return text[:-2] if text.endswith(".0") else text


# --- label sheets ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LabelSpec:
    """One label: its title (herb and grade), a few short lines, and the URI its QR encodes."""

    title: str
    lines: Sequence[str]
    uri: str

    @property
    def element_string_parts(self) -> list[str]:
        return element_string_parts(self.uri)


@dataclass(frozen=True)
class LabelFormat:
    """A sheet of labels in a grid on A4 paper; lengths in millimetres."""

    width: float
    height: float
    columns: int
    rows: int
    qr: float  # side of the QR code, quiet zone included
    padding: float
    gap: float  # between the QR code and the text
    page_width: float = 210
    page_height: float = 297

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def left(self) -> float:
        """Left margin that centres the grid on the page (label stock is made that way)."""
        return (self.page_width - self.columns * self.width) / 2

    @property
    def top(self) -> float:
        return (self.page_height - self.rows * self.height) / 2


# Common A4 label stock: 10 lot labels of 105 × 57 mm, 40 package labels of 48.5 × 25.4 mm.
LABEL_FORMATS: dict[str, LabelFormat] = {
    "lot": LabelFormat(width=105, height=57, columns=2, rows=5, qr=36, padding=5, gap=4),
    "item": LabelFormat(width=48.5, height=25.4, columns=4, rows=10, qr=18, padding=1.8, gap=1.2),
}


def _mm(value: float) -> str:
    return f"{value:.2f}mm"


def label_sheet_pdf(
    labels: Sequence[LabelSpec],
    *,
    kind: Literal["lot", "item"] = "lot",
    skip: int = 0,
    borders: bool = False,
    language: str | None = None,
) -> bytes:
    """A4 sheets of QR labels, as many pages as the labels need.

    ``skip`` leaves the first positions of the first sheet empty, to print on a partly
    used sheet. ``borders`` draws the label outlines, for plain paper cut by hand.
    """
    if kind not in LABEL_FORMATS:
        raise ValueError(f"unknown label kind {kind!r}")
    if skip < 0:
        raise ValueError("skip must not be negative")
    fmt = LABEL_FORMATS[kind]
    skip %= fmt.per_page
    slots: list[LabelSpec | None] = [None] * skip + list(labels)
    pages = []
    for start in range(0, len(slots), fmt.per_page):
        cells = []
        for index, label in enumerate(slots[start : start + fmt.per_page]):
            if label is None:
                continue
            row, column = divmod(index, fmt.columns)
            cells.append(
                {
                    "label": label,
                    "left": _mm(fmt.left + column * fmt.width),
                    "top": _mm(fmt.top + row * fmt.height),
                    "qr": qr_svg(label.uri, size_mm=fmt.qr),
                    "hri": label.element_string_parts,
                }
            )
        pages.append(cells)
    context = {
        "pages": pages,
        "kind": kind,
        "borders": borders,
        "fmt": {
            "width": _mm(fmt.width),
            "height": _mm(fmt.height),
            "padding": _mm(fmt.padding),
            "qr": _mm(fmt.qr),
        },
        "text_left": _mm(fmt.padding + fmt.qr + fmt.gap),
    }
    return render_pdf("trace/documents/label_sheet.html", context, language=language)


# --- recall report --------------------------------------------------------------------------
@dataclass(frozen=True)
class RecallRow:
    """One recalled lot or item, where it is and who holds it."""

    identifier: str
    herb: str
    grade: str
    quantity: Number | None
    unit: str
    holder: str
    holder_phone: str
    place: str
    status: str

    @property
    def kind(self) -> str:
        return identifier_kind(self.identifier)

    @property
    def display_identifier(self) -> list[str]:
        """The identifier as printed: its element string, or the identifier itself."""
        return element_string_parts(self.identifier) or [self.identifier]

    @property
    def quantity_text(self) -> str:
        return format_quantity(self.quantity)


@dataclass(frozen=True)
class HolderSummary:
    """A holder to contact: how many recalled lots and items they hold, and how much."""

    name: str
    phone: str
    count: int
    totals: list[tuple[str, str]]  # (quantity text, unit)


@dataclass
class RecallReport:
    """What a recall found: the recalled identifier, why, and every lot and item downstream."""

    reference: str
    identifier: str
    identifier_label: str
    reason: str
    started_at: dt.datetime
    started_by: str
    rows: list[RecallRow] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for row in self.rows if row.kind == kind)

    @staticmethod
    def _totals(rows: Sequence[RecallRow]) -> list[tuple[str, str]]:
        sums: dict[str, decimal.Decimal] = {}
        for row in rows:
            if row.quantity is not None:
                sums[row.unit] = sums.get(row.unit, decimal.Decimal(0)) + decimal.Decimal(
                    str(row.quantity)
                )
        return [(format_quantity(total), unit) for unit, total in sums.items()]

    def totals_by_unit(self) -> list[tuple[str, str]]:
        """Total recalled quantity per unit, units in order of first appearance."""
        return self._totals(self.rows)

    def holders(self) -> list[HolderSummary]:
        """Every holder with what they hold, in order of first appearance."""
        groups: dict[tuple[str, str], list[RecallRow]] = {}
        for row in self.rows:
            groups.setdefault((row.holder, row.holder_phone), []).append(row)
        return [
            HolderSummary(name, phone, len(rows), self._totals(rows))
            for (name, phone), rows in groups.items()
        ]


def _totals_text(totals: list[tuple[str, str]]) -> str:
    return "；".join(f"{quantity} {unit}".strip() for quantity, unit in totals) or "—"


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


# Beyond this many rows the PDF groups serialised items by lot and holder: WeasyPrint lays a
# long table out at roughly 20 ms a row, and nobody reads thousands of serial numbers on
# paper. The workbook always lists every row.
PDF_ROW_LIMIT = 300


@dataclass(frozen=True)
class PrintedRow:
    """A row of the PDF table: one recalled lot or item, or several items of one lot."""

    identifier: list[str]
    herb: str
    grade: str
    quantity: str
    unit: str
    holder: str
    holder_phone: str
    place: str
    status: str


def printed_rows(rows: Sequence[RecallRow], limit: int = PDF_ROW_LIMIT) -> list[PrintedRow]:
    """The rows as printed; over ``limit``, items of one lot at one holder share a row."""
    if len(rows) <= limit:
        return [
            PrintedRow(
                r.display_identifier,
                r.herb,
                r.grade,
                r.quantity_text,
                r.unit,
                r.holder,
                r.holder_phone,
                r.place,
                r.status,
            )
            for r in rows
        ]
    groups: dict[tuple, list[RecallRow]] = {}
    for r in rows:
        is_item = r.kind == "item"
        lot_parts = tuple(p for p in r.display_identifier if not (is_item and p.startswith("(21)")))
        place = (r.herb, r.grade, r.unit, r.holder, r.holder_phone, r.place, r.status)
        groups.setdefault((lot_parts, is_item, place), []).append(r)
    printed = []
    for (lot_parts, is_item, place), members in groups.items():
        identifier = list(lot_parts)
        if is_item:
            identifier.append(_("(21) × %(count)s serial numbers") % {"count": len(members)})
        herb, grade, unit, holder, phone, where, status = place
        totals = RecallReport._totals(members)
        quantity = totals[0][0] if totals else ""
        printed.append(
            PrintedRow(identifier, herb, grade, quantity, unit, holder, phone, where, status)
        )
    return printed


def _recall_context(report: RecallReport) -> dict:
    holders = report.holders()
    rows = printed_rows(report.rows)
    return {
        "rows": rows,
        "grouped": len(rows) != len(report.rows),
        "report": report,
        "identifier_hri": element_string_parts(report.identifier),
        "started_at": _local(report.started_at),
        "lots": report.count("lot"),
        "items": report.count("item"),
        "others": report.count("other"),
        "totals": _totals_text(report.totals_by_unit()),
        "holders": [(h, _totals_text(h.totals)) for h in holders],
    }


def recall_report_pdf(report: RecallReport, *, language: str | None = None) -> bytes:
    """The recall report as a PDF (Chinese unless ``language`` says otherwise)."""
    return render_pdf(
        "trace/documents/recall_report.html", _recall_context(report), language=language
    )


def _kind_label(kind: str) -> str:
    return {"lot": _("Lot"), "item": _("Item")}.get(kind, _("Other"))


def recall_report_xlsx(
    report: RecallReport, file: str | Path | IO[bytes], *, language: str | None = None
) -> None:
    """The recall report as a workbook: the recalled lots and items, the holders, a summary."""
    with translation.override(language or settings.LANGUAGE_CODE):
        title = f"{_('Recall report')} {report.reference}"
        rows_sheet = XlsxSheet(
            name=_("Recalled lots and items"),
            title=f"{title} · {report.identifier_label}",
            columns=[
                XlsxColumn(_("No.")),
                XlsxColumn(_("Kind")),
                XlsxColumn(_("Identifier"), width=56),
                XlsxColumn(_("GS1 element string"), width=40),
                XlsxColumn(_("Herb")),
                XlsxColumn(pgettext("herb grade", "Grade")),
                XlsxColumn(_("Quantity"), number_format="0.###"),
                XlsxColumn(_("Unit")),
                XlsxColumn(_("Holder")),
                XlsxColumn(_("Holder phone")),
                XlsxColumn(_("Place")),
                XlsxColumn(_("Status")),
            ],
            rows=[
                [
                    n,
                    _kind_label(row.kind),
                    row.identifier,
                    element_string(row.identifier),
                    row.herb,
                    row.grade,
                    None if row.quantity is None else decimal.Decimal(str(row.quantity)),
                    row.unit,
                    row.holder,
                    row.holder_phone,
                    row.place,
                    row.status,
                ]
                for n, row in enumerate(report.rows, start=1)
            ],
        )
        holders_sheet = XlsxSheet(
            name=_("Holders to contact"),
            title=f"{title} · {_('Holders to contact')}",
            columns=[
                XlsxColumn(_("Holder")),
                XlsxColumn(_("Holder phone")),
                XlsxColumn(_("Lots and items")),
                XlsxColumn(_("Quantity")),
            ],
            rows=[[h.name, h.phone, h.count, _totals_text(h.totals)] for h in report.holders()],
        )
        started = _local(report.started_at)
        summary_sheet = XlsxSheet(
            name=_("Summary"),
            title=title,
            columns=[XlsxColumn(_("Field"), width=18), XlsxColumn(_("Value"), width=70)],
            rows=[
                [_("Recall reference"), report.reference],
                [_("Recalled identifier"), report.identifier_label],
                [_("GS1 element string"), element_string(report.identifier)],
                [_("Identifier"), report.identifier],
                [_("Recall reason"), report.reason],
                [_("Started at"), date_format(started, "Y-m-d H:i")],
                [_("Started by"), report.started_by],
                [_("Lots"), report.count("lot")],
                [_("Items"), report.count("item")],
                [_("Other units"), report.count("other")],
                [_("Total quantity"), _totals_text(report.totals_by_unit())],
                [_("Holders to contact"), len(report.holders())],
            ],
        )
        write_xlsx(file, [rows_sheet, holders_sheet, summary_sheet])
