"""Forms of the buying network's pages. They parse input; the actions decide."""

from __future__ import annotations

import contextlib
import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from daodi.catalog.models import GeographicIndication, Grade, Herb, TradeItem
from daodi.core.forms import StyledForm, style
from daodi.farm.forms import NUMBER, ActionForm, held_lots, hint_when_none, kg_field, lot_label
from daodi.orgs import policy
from daodi.orgs.choices import DivisionLevel
from daodi.orgs.models import Division, Organisation
from daodi.trace.choices import LotStatus
from daodi.trace.epcis import identifiers
from daodi.trace.models import Lot

from . import queries
from .choices import ClaimPurpose, LossReason, PaymentMethod, PriceUnit

SHOWN = 500
SELLERS_SHOWN = 50  # the seller search finds the others (a hub reads thousands)


def lot_number(identifier: str) -> str:
    """The lot number (batch) of a lot's identifier, as printed on its bag; the identifier
    itself when it names no batch."""
    try:
        return identifiers.parse(identifier, verify=False).qualifier("10") or identifier
    except identifiers.IdentifierError:
        return identifier


def _show_first(form, name: str, count: int) -> None:
    """Render only the first ``count`` choices of a model choice field (and the chosen
    one); its query set still decides what is valid."""
    field = form[name].field
    chosen = form.data.get(form.add_prefix(name)) if form.is_bound else form.initial.get(name)
    shown = list(field.queryset[:count])
    key = field.to_field_name or "pk"
    if chosen and all(str(getattr(o, key)) != str(chosen) for o in shown):
        # Not a valid choice at all: the field says so when the form is cleaned.
        with contextlib.suppress(ValueError, ValidationError):
            shown += list(field.queryset.filter(**{key: chosen})[:1])
    field.widget.choices = [("", field.empty_label or "")] + [
        (getattr(o, key), field.label_from_instance(o)) for o in shown
    ]


def confirmed(form) -> bool:
    """The confirm step's button was pressed (it sends confirm=1 beside the hidden field)."""
    return "1" in form.data.getlist(form.add_prefix("confirm"))


def keep_confirm_step(form, field, error) -> None:
    """Add an error, but not the refusal's general message once the confirm step (which
    lists what to check) is shown."""
    if field is None and "confirm" in form.errors:
        return
    forms.Form.add_error(form, field, error)


class PurchaseForm(ActionForm):
    """A purchase on a phone: the seller found by name, phone or ID card; weights; money."""

    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    point = forms.ModelChoiceField(label=_("Buying point"), queryset=Organisation.objects.none())
    seller = forms.ModelChoiceField(label=_("Seller"), queryset=Organisation.objects.none())
    lot = forms.ModelChoiceField(
        label=_("Seller's harvest lot"),
        queryset=Lot.objects.none(),
        required=False,
        to_field_name="identifier",
        help_text=_("When the grower brings a recorded harvest; otherwise a new lot is made."),
    )
    herb = forms.ModelChoiceField(label=_("Herb"), queryset=Herb.objects.filter(is_active=True))
    grade = forms.ModelChoiceField(
        label=_("Grade"), queryset=Grade.objects.select_related("herb"), required=False
    )
    gross_kg = kg_field(_("Gross (kg)"))
    tare_kg = kg_field(_("Tare (kg)"), required=False)
    moisture_pct = forms.DecimalField(
        label=_("Moisture (%)"), max_digits=5, decimal_places=1, required=False,
        widget=forms.NumberInput(attrs=NUMBER),
    )  # fmt: skip
    price = forms.DecimalField(
        label=_("Price"), max_digits=10, decimal_places=2, widget=forms.NumberInput(attrs=NUMBER)
    )
    price_unit = forms.ChoiceField(label=_("Price unit"), choices=PriceUnit.choices)
    amount_paid = forms.DecimalField(
        label=_("Amount paid"), max_digits=12, decimal_places=2, required=False,
        help_text=_("Empty: paid in full (on credit: nothing paid yet)."),
        widget=forms.NumberInput(attrs=NUMBER),
    )  # fmt: skip
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    id_card = forms.CharField(
        label=_("ID card number"), max_length=20, required=False,
        help_text=_("Optional; stored masked."),
    )  # fmt: skip
    # Sent as 1 by the confirm step a purchase outside the herb's plausible ranges gets.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        points = queries.points(self.user)
        self.fields["point"].queryset = points
        if not self.is_bound and points.count() == 1:
            self.fields["point"].initial = points.first().pk
        # Any seller and lot the user may buy from is accepted; the lists show the first
        # SHOWN (a hub reads thousands of households) and what was chosen, and the seller
        # search finds the others.
        sellers = queries.sellers(self.user, limit=None)
        self.fields["seller"].queryset = sellers
        self.fields["lot"].queryset = Lot.objects.filter(
            holder__in=sellers.values("pk"), status=LotStatus.ACTIVE
        ).select_related("herb")
        self.fields["lot"].label_from_instance = lot_label
        _show_first(self, "seller", SELLERS_SHOWN)
        _show_first(self, "lot", SHOWN)
        if not self.is_bound:
            # The key is made when the form is shown: sending the same page twice repeats it.
            self.initial.setdefault("client_key", uuid.uuid4().hex)
        for name in ("seller", "lot"):
            self.fields[name].widget.attrs["data-testid"] = name

    def clean(self):
        data = super().clean()
        lot = data.get("lot")
        data["lot"] = lot.identifier if lot else ""
        data["confirm"] = confirmed(self)
        return data

    def add_error(self, field, error):
        keep_confirm_step(self, field, error)

    def action_data(self):
        data = dict(self.cleaned_data)
        for name in ("tare_kg", "moisture_pct", "amount_paid", "grade", "confirm"):
            if data.get(name) in (None, ""):
                data.pop(name, None)
        return data


def villages(user):
    """Villages of the townships the user's buying points lie in (where their growers live)."""
    points = queries.points(user).exclude(division=None).select_related("division")
    townships = set()
    for point in points[:50]:
        division = point.division
        townships.add(
            division.parent_id if division.level == DivisionLevel.VILLAGE else division.pk
        )
    found = Division.objects.filter(level=DivisionLevel.VILLAGE).order_by("code")
    # A point placed in no division yet offers every village (the list is searchable).
    return found.filter(parent__in=townships) if townships else found


class SellerForm(ActionForm):
    """A new grower household, registered from inside the purchase form."""

    point = forms.ModelChoiceField(label=_("Buying point"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("Name (family name first)"), max_length=120)
    id_card = forms.CharField(label=_("ID card number"), max_length=20)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    village = forms.ModelChoiceField(label=_("Village"), queryset=Division.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="new_seller", **kwargs)
        points = queries.points(self.user)
        self.fields["point"].queryset = points
        if not self.is_bound and points.count() == 1:
            self.fields["point"].initial = points.first().pk
        self.fields["village"].queryset = villages(self.user)


class CorrectionForm(ActionForm):
    """A purchase's values as recorded, to correct, and why."""

    seller = forms.ModelChoiceField(label=_("Seller"), queryset=Organisation.objects.none())
    gross_kg = kg_field(_("Gross (kg)"))
    tare_kg = kg_field(_("Tare (kg)"), required=False)
    moisture_pct = PurchaseForm.base_fields["moisture_pct"]
    price = PurchaseForm.base_fields["price"]
    price_unit = PurchaseForm.base_fields["price_unit"]
    amount_paid = PurchaseForm.base_fields["amount_paid"]
    payment_method = PurchaseForm.base_fields["payment_method"]
    note = forms.CharField(label=_("Why"), max_length=200)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, purchase=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.purchase = purchase
        sellers = queries.sellers(self.user, point=purchase.point, limit=None)
        self.fields["seller"].queryset = sellers
        if not self.is_bound:
            for name in self.fields:
                value = getattr(purchase, name, None)
                if isinstance(value, Decimal):  # 2.400 kg is shown as 2.4
                    value = format(value.normalize(), "f")
                if value is not None:
                    self.initial[name] = value
            self.initial["seller"] = purchase.seller_id
            if purchase.amount_paid == purchase.amount:  # paid in full: left empty
                self.initial["amount_paid"] = None
        _show_first(self, "seller", SELLERS_SHOWN)
        if not self.is_bound and purchase.seller_id not in [
            c[0] for c in self.fields["seller"].widget.choices
        ]:
            self.fields["seller"].widget.choices.append((purchase.seller_id, str(purchase.seller)))

    def clean(self):
        data = super().clean()
        data["confirm"] = confirmed(self)
        return data

    def add_error(self, field, error):
        keep_confirm_step(self, field, error)

    def action_data(self):
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("note", "confirm")}
        data["tare_kg"] = data.get("tare_kg") or 0  # empty: no tare; amount paid empty: in full
        return data


class NoteForm(StyledForm):
    """Why a purchase is voided or a dispatch cancelled."""

    note = forms.CharField(label=_("Why"), max_length=200)


class DispatchForm(ActionForm):
    source = forms.ModelChoiceField(label=_("From"), queryset=Organisation.objects.none())
    destination = forms.ModelChoiceField(label=_("To"), queryset=Organisation.objects.none())
    lots = forms.ModelMultipleChoiceField(
        label=_("Lots"), queryset=Lot.objects.none(), to_field_name="identifier",
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    vehicle = forms.CharField(label=_("Vehicle"), max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mine = Organisation.objects.filter(
            policy.org_q(self.user, write=True), kind__in=queries.NETWORK
        )
        self.fields["source"].queryset = mine
        self.fields["destination"].queryset = queries.destinations(self.user)
        self.fields["destination"].label_from_instance = lambda org: (
            _("%(name)s (%(kind)s)")
            % {
                "name": org.name,
                "kind": org.get_kind_display(),
            }
        )
        self.fields["destination"].help_text = _(
            "Up the network to your station or hub; from the county hub also on to a "
            "processor, manufacturer or trader."
        )
        self.fields["lots"].queryset = held_lots(self.user).filter(holder__in=mine)
        self.fields["lots"].label_from_instance = lot_label

    def action_data(self):
        data = super().action_data()
        data["lots"] = [lot.identifier for lot in self.cleaned_data["lots"]]
        return data


class ReceiptForm(StyledForm):
    """The weight found for each lot of a dispatch (one field per line), proposed as sent.

    Each line carries what the receiver checks against the delivery: herb, grade, lot
    number, weight sent and its unit. The fields take the weights as the dispatch keeps
    them (to the gram), so the proposed weights are accepted as they stand.
    """

    def __init__(self, *args, dispatch=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(dispatch.lines.select_related("herb", "grade"))
        for i, line in enumerate(self.lines):
            self.fields[f"kg_{i}"] = forms.DecimalField(
                label=_("Weight found (kg)"), max_digits=14, decimal_places=3,
                min_value=Decimal("0"), initial=line.sent_kg,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.001"}),
            )  # fmt: skip
            line.field = self[f"kg_{i}"]
            line.batch = lot_number(line.lot)
        style(self)

    def weights(self, *, as_sent: bool = False) -> dict:
        """The weight found per lot; ``as_sent``: every lot arrived as it was sent."""
        if as_sent:
            return {line.lot: line.sent_kg for line in self.lines}
        return {line.lot: self.cleaned_data[f"kg_{i}"] for i, line in enumerate(self.lines)}


class ComminglingForm(ActionForm):
    lots = forms.ModelMultipleChoiceField(
        label=_("Lots"), queryset=Lot.objects.none(), to_field_name="identifier",
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lots"].queryset = held_lots(self.user)
        self.fields["lots"].label_from_instance = lot_label

    def action_data(self):
        return {"inputs": [(lot.identifier, lot.quantity) for lot in self.cleaned_data["lots"]]}


class PalletForm(ComminglingForm):
    def action_data(self):
        return {"lots": [lot.identifier for lot in self.cleaned_data["lots"]]}


class LossForm(ActionForm):
    lot = forms.ModelChoiceField(
        label=_("Lot"), queryset=Lot.objects.none(), to_field_name="identifier"
    )
    kg = kg_field(_("Weight (kg)"))
    reason = forms.ChoiceField(label=_("Loss reason"), choices=LossReason.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = held_lots(self.user)
        self.fields["lot"].label_from_instance = lot_label

    def action_data(self):
        data = super().action_data()
        data["lot"] = self.cleaned_data["lot"].identifier
        return data


class GIClaimForm(LossForm):
    indication = forms.ModelChoiceField(
        label=_("Geographic indication"), queryset=GeographicIndication.objects.all()
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ClaimPurpose.choices)
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reason"], self.fields["note"]


class PackingForm(ActionForm):
    """A packing run: the lot packed from (one the user holds), the retail pack, how many."""

    lot = forms.ModelChoiceField(
        label=_("Lot to pack"), queryset=Lot.objects.none(), to_field_name="identifier"
    )
    trade_item = forms.ModelChoiceField(
        label=_("Retail pack"),
        queryset=TradeItem.objects.filter(net_quantity__isnull=False).select_related(
            "herb", "grade", "unit"
        ),
        help_text=_("The trade item (GTIN) printed on each pack; of the lot's herb."),
    )
    count = forms.IntegerField(
        label=_("Number of packs"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    per_case = forms.IntegerField(
        label=_("Packs per case"), min_value=0, initial=20, required=False,
        help_text=_("Each full case gets its own SSCC; 0: no cases."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = held_lots(self.user).select_related("grade")
        self.fields["lot"].label_from_instance = lot_label
        hint_when_none(self.fields["lot"], self.user)

    def action_data(self):
        data = super().action_data()
        data["lot"] = self.cleaned_data["lot"].identifier
        return data


class LedgerImportForm(StyledForm):
    point = forms.ModelChoiceField(label=_("Buying point"), queryset=Organisation.objects.none())
    file = forms.FileField(label=_("Purchase ledger (.xlsx)"))
    confirm = forms.BooleanField(
        label=_("Weights and prices outside the herbs' usual ranges were checked"),
        required=False,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = queries.points(user)
