"""Forms of the buying network's pages. They parse input; the actions decide."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from daodi.catalog.models import GeographicIndication, Grade, Herb, TradeItem
from daodi.core.forms import StyledForm, scope_pickers, style
from daodi.farm.forms import NUMBER, ActionForm, hint_when_none, kg_field
from daodi.orgs import pickers as org_pickers
from daodi.orgs import policy
from daodi.orgs.choices import DivisionLevel
from daodi.orgs.models import Division, Organisation
from daodi.orgs.pickers import OrganisationField
from daodi.trace import pickers as lot_pickers
from daodi.trace.choices import LotStatus
from daodi.trace.epcis import identifiers
from daodi.trace.models import Lot
from daodi.trace.pickers import LotField, LotsField

from . import queries
from .choices import ClaimPurpose, LossReason, PaymentMethod, PriceUnit


def _seller_search(user, qs, q):
    """Sellers by name, phone, code or ID card (what a grower tells the point)."""
    return qs.filter(pk__in=queries.sellers(user, q, limit=None).values("pk"))


def seller_lots(user):
    """Recorded harvest lots of the sellers ``user`` may buy from."""
    sellers = queries.sellers(user, limit=None)
    return Lot.objects.filter(
        holder__in=sellers.values("pk"), status=LotStatus.ACTIVE
    ).select_related("herb", "holder")


def dispatch_sources(user):
    """The hub, stations and points ``user`` may send from."""
    return Organisation.objects.filter(policy.org_q(user, write=True), kind__in=queries.NETWORK)


def _seller_hint(org) -> str:
    """A seller told apart as the point knows them: place, phone, the masked ID card."""
    identity = getattr(org, "identity", None)
    parts = [org.division.name if org.division_id else "", org.phone]
    parts.append(identity.id_card_masked if identity is not None else "")
    return " · ".join(p for p in parts if p) or org_pickers.hint(org)


org_pickers.register(
    "seller", lambda user: queries.sellers(user, limit=None), _seller_search, _seller_hint
)
org_pickers.register("point", queries.points)
org_pickers.register("dispatch_source", dispatch_sources)
org_pickers.register("dispatch_destination", queries.destinations)


def dispatch_lots(user):
    """The lots a dispatch may carry: held by a place ``user`` may send from."""
    return lot_pickers.held_lots(user).filter(holder__in=dispatch_sources(user))


lot_pickers.register("seller_lot", seller_lots)
lot_pickers.register("dispatch", dispatch_lots)


def lot_number(identifier: str) -> str:
    """The lot number (batch) of a lot's identifier, as printed on its bag; the identifier
    itself when it names no batch."""
    try:
        return identifiers.parse(identifier, verify=False).qualifier("10") or identifier
    except identifiers.IdentifierError:
        return identifier


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
    # Set by the browser when the purchase was made offline and is sent later: the purchase
    # keeps the time it happened (and its day's settlement), not the time it was uploaded.
    bought_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    point = OrganisationField(label=_("Buying point"), purpose="point")
    seller = OrganisationField(
        label=_("Seller"), purpose="seller",
        help_text=_("Type the name, phone number or the last digits of the ID card."),
    )  # fmt: skip
    lot = LotField(
        label=_("Seller's harvest lot"),
        purpose="seller_lot",
        required=False,
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
        points = self.fields["point"].queryset
        if not self.is_bound and points.count() == 1:
            self.fields["point"].initial = points.first()
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
        for name in ("tare_kg", "moisture_pct", "amount_paid", "grade", "bought_at", "confirm"):
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

    point = OrganisationField(label=_("Buying point"), purpose="point")
    name = forms.CharField(label=_("Name (family name first)"), max_length=120)
    id_card = forms.CharField(label=_("ID card number"), max_length=20)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    village = forms.ModelChoiceField(label=_("Village"), queryset=Division.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="new_seller", **kwargs)
        points = self.fields["point"].queryset
        if not self.is_bound and points.count() == 1:
            self.fields["point"].initial = points.first()
        self.fields["village"].queryset = villages(self.user)


class CorrectionForm(ActionForm):
    """A purchase's values as recorded, to correct, and why."""

    seller = OrganisationField(label=_("Seller"), purpose="seller")
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
    source = OrganisationField(label=_("From"), purpose="dispatch_source")
    destination = OrganisationField(
        label=_("To"), purpose="dispatch_destination",
        help_text=_(
            "Up the network to your station or hub; from the county hub also on to a "
            "processor, manufacturer or trader."
        ),
    )  # fmt: skip
    lots = LotsField(label=_("Lots"), purpose="dispatch")
    vehicle = forms.CharField(label=_("Vehicle"), max_length=40, required=False)

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
    lots = LotsField(label=_("Lots"))

    def action_data(self):
        return {"inputs": [(lot.identifier, lot.quantity) for lot in self.cleaned_data["lots"]]}


class PalletForm(ComminglingForm):
    def action_data(self):
        return {"lots": [lot.identifier for lot in self.cleaned_data["lots"]]}


class LossForm(ActionForm):
    lot = LotField(label=_("Lot"))
    kg = kg_field(_("Weight (kg)"))
    reason = forms.ChoiceField(label=_("Loss reason"), choices=LossReason.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

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

    lot = LotField(label=_("Lot to pack"))
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
        self.fields["lot"].queryset = lot_pickers.held_lots(self.user).select_related("grade")
        hint_when_none(self.fields["lot"], self.user)

    def action_data(self):
        data = super().action_data()
        data["lot"] = self.cleaned_data["lot"].identifier
        return data


class LedgerImportForm(StyledForm):
    point = OrganisationField(label=_("Buying point"), purpose="point")
    file = forms.FileField(label=_("Purchase ledger (.xlsx)"))
    confirm = forms.BooleanField(
        label=_("Weights and prices outside the herbs' usual ranges were checked"),
        required=False,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope_pickers(self, user)
