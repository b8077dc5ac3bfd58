"""Lot pickers: a lot or item named in any of its four written forms, or found as one types.

:mod:`daodi.trace.epcis.lotinput` reads the input (batch number, printed GS1 text, EPC URN,
Digital Link); this module finds the lot among those the form allows. A *purpose* names that
set (``held``: active lots the user's organisations hold and may change; ``visible``: every
lot the user may read), registered once with its scoped query, so the form field and the
JSON endpoint ``GET /trace/lots/pick/?purpose=<purpose>&q=…`` (``{"results": [{"id",
"text", "hint"}]}``) always agree. A picked lot's ``id`` is its printed GS1 code.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from daodi.core.pickers import PickerWidget, choices_text
from daodi.orgs import policy

from .choices import IN_TRANSIT, LotStatus
from .epcis.lotinput import LotInputError, element_text, parse
from .models import Lot

LIMIT = 20
PURPOSES: dict[str, Callable] = {}  # purpose → (user) -> QuerySet[Lot]


def register(name: str, choices: Callable) -> None:
    PURPOSES[name] = choices


def held_lots(user) -> QuerySet:
    """Active lots held by organisations ``user`` may change, not on the road."""
    return (
        Lot.objects.filter(
            policy.org_q(user, write=True, prefix="holder__"), status=LotStatus.ACTIVE
        )
        .exclude(batch="")
        .exclude(disposition=IN_TRANSIT)
        .select_related("herb", "holder")
        .order_by("-id")
    )


def visible_lots(user) -> QuerySet:
    """Every lot ``user`` may read."""
    return Lot.objects.filter(policy.org_q(user, prefix="holder__")).select_related(
        "herb", "holder"
    )


register("held", held_lots)
register("visible", visible_lots)


def code(lot: Lot) -> str:
    """How a person reads the lot off its label: the printed GS1 text, else its identifier."""
    if lot.gtin:
        return element_text(lot.gtin, lot.batch, lot.serial)
    return lot.identifier


def label(lot: Lot) -> str:
    """The lot as a choice: its number first, then what it is and how much."""
    herb = lot.herb.name if lot.herb_id else ""
    number = lot.batch + (f"·{lot.serial}" if lot.serial else "") if lot.batch else lot.identifier
    qty = f"{lot.quantity.normalize():f} kg" if lot.quantity is not None else ""
    return " · ".join(p for p in (number, herb, qty) if p)


def result(lot: Lot) -> dict:
    holder = lot.holder.name if lot.holder_id else ""
    return {"id": code(lot), "text": label(lot), "hint": holder}


def search(qs: QuerySet, q: str, limit: int = LIMIT) -> list[Lot]:
    """Lots of ``qs`` whose number, code or herb matches ``q``; the newest first."""
    q = (q or "").strip()
    if q:
        try:
            parsed = parse(q)
        except LotInputError:
            parsed = None
        if parsed is not None and parsed.identifier:
            qs = qs.filter(identifier=parsed.identifier)
        else:
            qs = qs.filter(
                Q(batch__istartswith=q) | Q(batch__icontains=q) | Q(herb__name__icontains=q)
            )
    return list(qs.order_by("-id")[:limit])


def resolve(qs: QuerySet, text: str, *, known: QuerySet | None = None) -> Lot:
    """The one lot of ``qs`` that ``text`` names; ``ValidationError`` saying why not.

    A full identifier is looked up in ``known`` when given (forms whose action decides who
    may act on which lot), a bare batch number always among ``qs``: the lots the user may
    see. A batch shared by several lots (two trade items, or a lot and its items) is
    ambiguous unless exactly one is the lot itself; the error lists the choices.
    """
    try:
        parsed = parse(text)
    except LotInputError as exc:
        raise forms.ValidationError(exc.message) from exc
    if parsed.identifier:
        lot = (known if known is not None else qs).filter(identifier=parsed.identifier).first()
        if lot is None:
            raise forms.ValidationError(
                _("No lot or item you may choose here has the code %(code)s.")
                % {"code": text.strip()[:60]}
            )
        return lot
    found = list(qs.filter(batch=parsed.batch).order_by("-id")[:20])
    whole = [lot for lot in found if not lot.serial]
    if len(whole) == 1:
        return whole[0]
    if not found:
        raise forms.ValidationError(
            _("No lot you may choose here has the number %(batch)s.") % {"batch": parsed.batch}
        )
    raise forms.ValidationError(
        _("Several lots have the number %(batch)s: %(choices)s. Enter the full code.")
        % {
            "batch": parsed.batch,
            "choices": choices_text([f"{code(lot)}（{label(lot)}）" for lot in found]),
        }
    )


class LotField(forms.Field):
    """One lot, typed, pasted, picked or scanned; cleans to the ``Lot``.

    ``purpose`` names the lots offered and accepted (the form may narrow ``queryset``);
    ``any_known`` accepts a full identifier of any lot the platform knows, for forms whose
    action itself decides (a sample, a recall).
    """

    def __init__(self, *, purpose: str = "held", any_known: bool = False, **kwargs):
        self.purpose, self.any_known, self.queryset = purpose, any_known, None
        kwargs.setdefault("widget", PickerWidget("trace:lot_pick", purpose, scan=True))
        kwargs.setdefault(
            "help_text", _("The lot number, the code printed under the barcode, or scan it.")
        )
        super().__init__(**kwargs)
        self.widget.label_for = _shown

    def for_user(self, user) -> None:
        if self.queryset is None:
            self.queryset = PURPOSES[self.purpose](user)

    def prepare_value(self, value):
        return code(value) if isinstance(value, Lot) else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Lot):
            return value
        known = Lot.objects.select_related("herb", "holder") if self.any_known else None
        return resolve(self.queryset, str(value), known=known)


class LotsField(LotField):
    """Several lots, one a line (or repeated values); cleans to a list of distinct lots."""

    def __init__(self, **kwargs):
        purpose = kwargs.get("purpose", "held")
        kwargs.setdefault(
            "widget", PickerWidget("trace:lot_pick", purpose, multiple=True, scan=True)
        )
        kwargs.setdefault(
            "help_text",
            _("One lot a line: its number or printed code; search or scan to add one."),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        values = [v for v in (value or []) if v not in self.empty_values]
        lots, errors = [], []
        for entry in values:
            try:
                lot = super().to_python(entry)
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
                continue
            if lot not in lots:
                lots.append(lot)
        if errors:
            raise forms.ValidationError(errors)
        return lots

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


def _shown(value):
    return (code(value) if isinstance(value, Lot) else str(value)), ""
