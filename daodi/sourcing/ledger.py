"""Import of an existing purchase ledger (收购台账) from XLSX: every row through the real
purchase action, all or nothing, errors by row and column.

A row's ledger number becomes its submission key (``ledger:<number>``), so importing the
same ledger twice records nothing the second time.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from daodi.catalog.models import Grade, Herb
from daodi.core.actor import Actor
from daodi.core.errors import DomainError
from daodi.core.exchange import ImportResult, KindCount
from daodi.core.xlsx import (
    CellError,
    Choice,
    CodeText,
    Column,
    ColumnType,
    Context,
    Number,
    Term,
    is_blank,
    norm,
)
from daodi.orgs.models import Organisation

from . import actions, queries
from .choices import PaymentMethod, PriceUnit

MAX_BYTES = 10 * 1024 * 1024


class When(ColumnType):
    empty = None

    def parse_text(self, text, raw, ctx):
        import datetime as dt

        from django.utils import timezone

        value = raw if isinstance(raw, dt.datetime) else None
        if value is None:
            try:
                value = dt.datetime.fromisoformat(text.replace("/", "-"))
            except ValueError as exc:
                raise CellError(_("Enter a date and time, e.g. 2026-09-16 09:30.")) from exc
        return timezone.make_aware(value) if timezone.is_naive(value) else value

    def describe(self):
        return _("Date and time")


class Seller(ColumnType):
    """A seller by code, name or phone, among the point's growers."""

    empty = None

    def parse_text(self, text, raw, ctx):
        if ctx.actor.user is not None:
            found = list(queries.sellers(ctx.actor.user, text, point=ctx.point, limit=5))
        else:  # the system (the demo loader, a command without a user)
            found = list(
                Organisation.objects.filter(path__startswith=ctx.point.path).filter(
                    models.Q(name=text) | models.Q(code=text) | models.Q(phone=text)
                )[:5]
            )
        exact = [o for o in found if text in (o.code, o.name, o.phone)]
        if len(exact) != 1:
            raise CellError(_("No single seller of this point is “%(seller)s”.") % {"seller": text})
        return exact[0]


class ByName(ColumnType):
    empty = None

    def __init__(self, model):
        self.model = model

    def parse_text(self, text, raw, ctx):
        if self.model is Herb:
            found = Herb.objects.filter(name=text).first() or Herb.objects.filter(code=text).first()
        else:
            herb = ctx.herb
            found = next(
                (g for g in Grade.objects.filter(herb=herb) if text in (g.label, g.grade)), None
            )
        if found is None:
            raise CellError(_("Unknown value “%(value)s”.") % {"value": text})
        return found


COLUMNS = (
    Column("number", Term(gettext_lazy("Ledger number"), "台账编号"), CodeText(), required=True),
    Column("bought_at", Term(gettext_lazy("Date and time"), "日期时间"), When(), required=True),
    Column("seller", Term(gettext_lazy("Seller"), "卖方"), Seller(), required=True),
    Column("herb", Term(gettext_lazy("Herb"), "品种"), ByName(Herb), required=True),
    Column("grade", Term(gettext_lazy("Grade"), "等级"), ByName(Grade)),
    Column("gross_kg", Term(gettext_lazy("Gross (kg)"), "毛重（kg）"), Number(), required=True),
    Column("tare_kg", Term(gettext_lazy("Tare (kg)"), "皮重（kg）"), Number()),
    Column("moisture_pct", Term(gettext_lazy("Moisture (%)"), "水分（%）"), Number()),
    Column("price", Term(gettext_lazy("Price"), "单价"), Number(), required=True),
    Column("price_unit", Term(gettext_lazy("Price unit"), "计价单位"), Choice(PriceUnit)),
    Column("amount_paid", Term(gettext_lazy("Amount paid"), "已付金额"), Number()),
    Column(
        "payment_method", Term(gettext_lazy("Payment method"), "付款方式"), Choice(PaymentMethod)
    ),
)


class _Ctx(Context):
    def __init__(self, actor, point):
        super().__init__(actor=actor)
        self.point = point
        self.herb = None


def _column(header: Any) -> Column | None:
    key = norm(header)
    return next((c for c in COLUMNS if key in c.header.variants()), None)


def import_ledger(
    *, actor: Actor, point: Organisation, file, confirm: bool = False
) -> ImportResult:
    """Import every row of the ledger's first sheet as purchases at ``point``; all or nothing.

    A row outside its herb's plausible ranges is an error of its row unless ``confirm``
    (the rows were checked on paper): the same rule as the purchase form's confirm step.
    """
    result = ImportResult()
    sheet_title = _("Purchase ledger")
    try:
        data = file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            result.error("", None, "", _("The file is larger than 10 MB."))
            return result
        import io

        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = workbook.worksheets[0]
        rows = [
            (n, tuple(values))
            for n, values in enumerate(ws.iter_rows(values_only=True), start=1)
            if any(not is_blank(v) for v in values)
        ]
        workbook.close()
    except Exception:  # openpyxl raises many kinds of errors for a damaged file
        result.error("", None, "", _("This file is not an Excel workbook (.xlsx)."))
        return result
    if len(rows) < 2:
        result.error(sheet_title, None, "", _("The file holds no rows to import."))
        return result
    columns: dict[int, Column] = {}
    for index, cell in enumerate(rows[0][1]):
        if is_blank(cell):
            continue
        column = _column(cell)
        if column is None:
            result.error(sheet_title, 1, str(cell), _("Unknown column."))
        else:
            columns[index] = column
    for column in COLUMNS:
        if column.required and column not in columns.values():
            result.error(sheet_title, 1, column.header, _("This required column is missing."))
    if not result.ok:
        return result

    count = KindCount("purchases", str(_("Purchases")))
    ctx = _Ctx(actor, point)
    seen: dict[str, int] = {}
    with transaction.atomic():
        for number, cells in rows[1:]:
            values, bad = {}, False
            ordered = sorted(columns.items(), key=lambda item: item[1].field == "grade")
            for index, column in ordered:  # the herb before its grade
                raw = cells[index] if index < len(cells) else None
                try:
                    values[column.field] = column.parse(raw, ctx)
                except CellError as exc:
                    result.error(sheet_title, number, column.header, exc)
                    bad = True
                if column.field == "herb":
                    ctx.herb = values.get("herb")
            if bad:
                continue
            key = f"ledger:{values.pop('number')}"
            if key in seen:
                result.error(
                    sheet_title,
                    number,
                    "",
                    _("The same ledger number as row %(row)s.") % {"row": seen[key]},
                )
                continue
            seen[key] = number
            args = {k: v for k, v in values.items() if v not in (None, "")}
            try:
                with transaction.atomic():
                    purchase = actions.record_purchase(
                        actor=actor, point=point, client_key=key, confirm=confirm, **args
                    )
            except DomainError as exc:
                for field, messages in exc.fields.items():
                    column = next((c for c in COLUMNS if c.field == field), None)
                    for message in messages:
                        header = column.header if column else ""  # confirm: the row's
                        result.error(sheet_title, number, header, message)
                if not exc.fields:
                    result.error(sheet_title, number, "", exc.message)
                continue
            if purchase.replayed:
                count.unchanged += 1
            else:
                count.created += 1
        if not result.ok:
            transaction.set_rollback(True)
    if result.ok:
        result.counts.append(count)
    return result
