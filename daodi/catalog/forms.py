"""Forms of the catalogue pages. They parse input; ``actions.py`` validates and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from daodi.core.forms import ActionModelForm
from daodi.orgs.choices import OrgKind
from daodi.orgs.models import Division, Organisation
from daodi.orgs.pickers import OrganisationField
from daodi.orgs.pickers import register as register_org_purpose

from .models import GeographicIndication, Grade, Herb, TradeItem


class HerbForm(ActionModelForm):
    class Meta:
        model = Herb
        fields = [
            "code",
            "name",
            "trade_name",
            "pinyin",
            "latin_name",
            "material_name",
            "material_latin",
            "part_used",
            "yield_min_kg_per_mu",
            "yield_max_kg_per_mu",
            "dry_ratio_min",
            "dry_ratio_max",
            "price_min_per_kg",
            "price_max_per_kg",
            "max_purchase_kg",
            "arrival_tolerance_pct",
            "balance_tolerance_pct",
            "is_active",
        ]

    _DEFAULTED = ("arrival_tolerance_pct", "balance_tolerance_pct")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, a tolerance keeps the herb's current value (the default when new).
        for name in self._DEFAULTED:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self._DEFAULTED:
            if cleaned.get(name) is None:
                current = getattr(self.instance, name, None)
                cleaned[name] = (
                    current if current is not None else Herb._meta.get_field(name).default
                )
        return cleaned


class GradeForm(ActionModelForm):
    class Meta:
        model = Grade
        fields = ["herb", "specification", "grade", "name_en", "description", "sort_order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class DivisionChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.code})"


def gi_holders(user):
    """Who may hold a geographic indication: any organisation but a household."""
    return Organisation.objects.exclude(kind=OrgKind.HOUSEHOLD)


register_org_purpose("gi_holder", gi_holders)


class IndicationForm(ActionModelForm):
    class Meta:
        model = GeographicIndication
        fields = [
            "name",
            "herb",
            "kind",
            "registration_no",
            "holder",
            "holder_org",
            "registered_on",
            "divisions",
            "description",
        ]
        field_classes = {"divisions": DivisionChoice}
        widgets = {
            "registered_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "divisions": forms.SelectMultiple(attrs={"size": 8}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Areas are drawn at county level and below; households never hold an indication.
        self.fields["divisions"].queryset = Division.objects.select_related(
            "parent__parent__parent__parent"
        ).exclude(level="province")
        self.fields["holder_org"] = OrganisationField(
            purpose="gi_holder", queryset=gi_holders(self.user), required=False,
            label=self.fields["holder_org"].label,
        )  # fmt: skip


class TradeItemForm(ActionModelForm):
    class Meta:
        model = TradeItem
        fields = ["gtin", "herb", "grade", "pack", "pack_en", "net_quantity", "unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].queryset = Grade.objects.select_related("herb")
        if self.instance.pk is None:
            self.fields["gtin"].required = False
            self.fields["gtin"].help_text = _(
                "Leave empty to allocate the next GTIN under this deployment's company prefix."
            )
