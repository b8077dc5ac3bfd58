"""Forms of the buying network's pages. They parse input; the actions decide."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from daodi.catalog.models import GeographicIndication, Grade, Herb
from daodi.core.forms import StyledForm, scope_pickers
from daodi.farm.forms import NUMBER, ActionForm, kg_field
from daodi.orgs import pickers as org_pickers
from daodi.orgs import policy
from daodi.orgs.models import Organisation
from daodi.orgs.pickers import OrganisationField
from daodi.trace import pickers as lot_pickers
from daodi.trace.choices import LotStatus
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
    """The stations and points ``user`` may send from."""
    return Organisation.objects.filter(policy.org_q(user, write=True), kind__in=queries.NETWORK[1:])


def dispatch_destinations(user):
    """Where a dispatch may go: the hub and the stations."""
    return Organisation.objects.filter(kind__in=queries.NETWORK[:2], is_active=True)


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
org_pickers.register("dispatch_destination", dispatch_destinations)


def dispatch_lots(user):
    """The lots a dispatch may carry: held by a place ``user`` may send from."""
    return lot_pickers.held_lots(user).filter(holder__in=dispatch_sources(user))


lot_pickers.register("seller_lot", seller_lots)
lot_pickers.register("dispatch", dispatch_lots)


class PurchaseForm(ActionForm):
    """A purchase on a phone: the seller found by name, phone or ID card; weights; money."""

    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
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
        return data

    def action_data(self):
        data = dict(self.cleaned_data)
        for name in ("tare_kg", "moisture_pct", "amount_paid", "grade"):
            if data.get(name) in (None, ""):
                data.pop(name, None)
        return data


class DispatchForm(ActionForm):
    source = OrganisationField(label=_("From"), purpose="dispatch_source")
    destination = OrganisationField(label=_("To"), purpose="dispatch_destination")
    lots = LotsField(label=_("Lots"), purpose="dispatch")
    vehicle = forms.CharField(label=_("Vehicle"), max_length=40, required=False)

    def action_data(self):
        data = super().action_data()
        data["lots"] = [lot.identifier for lot in self.cleaned_data["lots"]]
        return data


class ReceiptForm(StyledForm):
    """The weight found for each lot of a dispatch (one field per lot)."""

    def __init__(self, *args, dispatch=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(dispatch.lines.all())
        for i, line in enumerate(self.lines):
            self.fields[f"kg_{i}"] = kg_field(line.lot.rsplit("/", 1)[-1])
            self.initial.setdefault(f"kg_{i}", line.sent_kg)
        from daodi.core.forms import style

        style(self)

    def weights(self) -> dict:
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
    reason = forms.ChoiceField(label=_("Reason"), choices=LossReason.choices)
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


class LedgerImportForm(StyledForm):
    point = OrganisationField(label=_("Buying point"), purpose="point")
    file = forms.FileField(label=_("Purchase ledger (.xlsx)"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope_pickers(self, user)
