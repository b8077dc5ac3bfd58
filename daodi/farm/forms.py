"""Forms of the farm pages. They parse input; the actions decide."""

from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from daodi.catalog.models import Grade
from daodi.core.forms import ActionModelForm, StyledForm, scope_pickers
from daodi.orgs import policy
from daodi.orgs.choices import DivisionLevel
from daodi.orgs.models import Division, Organisation
from daodi.orgs.pickers import OrganisationField
from daodi.orgs.pickers import register as register_org_purpose
from daodi.trace.choices import LotStatus
from daodi.trace.models import Lot
from daodi.trace.pickers import LotField, LotsField

from . import queries
from .choices import DryingMethod, HarvestMethod, ProcessKind
from .models import GROWER_KINDS, BannedPesticide, FarmRecord, Plot

NUMBER = {"inputmode": "decimal", "step": "0.01"}


def kg_field(label, required=True):
    return forms.DecimalField(
        label=label, max_digits=12, decimal_places=2, min_value=Decimal("0"), required=required,
        widget=forms.NumberInput(attrs=NUMBER),
    )  # fmt: skip


class ActionForm(StyledForm):
    def __init__(self, *args, user=None, instance=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        scope_pickers(self, user)

    def action_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def growers(user):
    """Households and co-operatives whose records ``user`` may change (a plot's holder)."""
    return Organisation.objects.filter(policy.org_q(user, write=True), kind__in=GROWER_KINDS)


register_org_purpose("grower", growers)


def hint_when_none(field, user) -> None:
    """Tell a user whose lot list is empty why, and where their lots will come from."""
    if field.queryset.exists():
        return
    held = (
        Lot.objects.filter(
            policy.org_q(user, write=True, prefix="holder__"), status=LotStatus.ON_HOLD
        )
        .exclude(batch="")
        .count()
    )
    if held:
        field.help_text = _(
            "You hold no lot that can be used here; %(count)s of your lots are on hold. A lot "
            "sent to you appears once its arrival is recorded (Dispatches → Record receipt)."
        ) % {"count": held}
        return
    field.help_text = _(
        "You hold no lot that can be used here. A lot sent to you appears once its arrival "
        "is recorded (Dispatches → Record receipt); lots in transit, on hold, recalled or "
        "used up are not listed."
    )


DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PlotForm(ActionModelForm):
    class Meta:
        model = Plot
        fields = [
            "holder", "name", "village", "area_mu", "herb", "variety", "year_planted",
            "gap_base", "gap_certificate", "geometry", "is_active",
        ]  # fmt: skip
        widgets = {"geometry": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"] = OrganisationField(
            purpose="grower", queryset=growers(self.user),
            label=Plot._meta.get_field("holder").verbose_name,
        )  # fmt: skip
        self.fields["village"].queryset = Division.objects.filter(level=DivisionLevel.VILLAGE)
        if self.instance.pk is None:
            del self.fields["is_active"]
        else:
            self.fields["holder"].disabled = True

    def action_data(self):
        data = dict(self.cleaned_data)
        if self.instance.pk is not None:
            data.pop("holder", None)
        return data


class FarmRecordForm(ActionModelForm):
    class Meta:
        model = FarmRecord
        fields = [
            "plot", "kind", "date", "operator", "seed_lot", "supplier", "supplier_batch",
            "variety", "product", "active_ingredient", "dose", "area_mu",
            "pre_harvest_interval_days", "water_m3", "method", "findings",
        ]  # fmt: skip
        widgets = {"date": DATE, "findings": forms.Textarea(attrs={"rows": 3})}

    # On a phone the field opens the camera; the action keeps the photo (JPEG, PNG, WebP).
    photo = forms.ImageField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    seed_lot = LotField(
        label=_("Seed lot (ours)"), purpose="visible", any_known=True, required=False,
        help_text=_("A lot of ours the seed came from: its number, printed code, or scan it."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plot"].queryset = queries.plots(self.user, write=True)

    def clean_seed_lot(self):
        lot = self.cleaned_data.get("seed_lot")
        return lot.identifier if lot else ""

    def action_data(self):
        data = super().action_data()
        if not data.get("photo"):
            data.pop("photo", None)  # no new photo: the record keeps its own
        return data


class HarvestForm(ActionForm):
    plots = forms.ModelMultipleChoiceField(label=_("Plots"), queryset=Plot.objects.none())
    harvested_on = forms.DateField(label=_("Harvest date"), widget=DATE)
    fresh_kg = kg_field(_("Fresh weight (kg)"))
    herb_age_years = forms.IntegerField(label=_("Herb age (years)"), min_value=0, required=False)
    method = forms.ChoiceField(label=_("Method"), choices=HarvestMethod.choices)
    grade = forms.ModelChoiceField(
        label=_("Grade"), queryset=Grade.objects.select_related("herb"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plots"].queryset = queries.plots(self.user, write=True).filter(is_active=True)

    def action_data(self):
        data = super().action_data()
        data["plots"] = list(self.cleaned_data["plots"])
        return data


class ProcessingForm(ActionForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProcessKind.choices)
    lots = LotsField(label=_("Input lots (whole)"))
    output_kg = kg_field(_("Output weight (kg)"))
    grade = forms.ModelChoiceField(
        label=_("Grade"), queryset=Grade.objects.select_related("herb"), required=False
    )
    started_at = forms.DateTimeField(label=_("Started"), widget=DATETIME)
    finished_at = forms.DateTimeField(label=_("Finished"), widget=DATETIME)
    method = forms.ChoiceField(
        label=_("Drying method"), choices=DryingMethod.choices, required=False
    )
    temperature_c = forms.DecimalField(label=_("Temperature (°C)"), required=False)
    hours = forms.DecimalField(label=_("Hours"), required=False)
    sensor_readings = forms.CharField(
        label=_("Sensor readings (JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('[{"time": "2026-09-01T08:00:00+08:00", "temperature": 55, "humidity": 30}]'),
    )  # fmt: skip
    no_sulphur = forms.BooleanField(label=_("No sulphur fumigation"), required=False)
    no_dye = forms.BooleanField(label=_("No dyeing"), required=False)
    no_weighting = forms.BooleanField(label=_("No weighting agents"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hint_when_none(self.fields["lots"], self.user)

    def clean_sensor_readings(self):
        text = self.cleaned_data["sensor_readings"].strip()
        if not text:
            return []
        try:
            return json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("Enter the readings as JSON.")) from exc

    def action_data(self):
        data = dict(self.cleaned_data)
        data["inputs"] = [(lot.identifier, lot.quantity) for lot in data.pop("lots")]
        return {k: v for k, v in data.items() if v is not None}


class BannedPesticideForm(ActionModelForm):
    class Meta:
        model = BannedPesticide
        fields = ["name", "name_en", "aliases", "loq_mg_per_kg", "source", "is_active"]
        widgets = {"aliases": forms.Textarea(attrs={"rows": 3})}
