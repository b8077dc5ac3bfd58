"""Forms of the quality pages. They parse input; ``actions.py`` checks and writes."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from daodi.core.forms import ActionModelForm, StyledForm, scope_pickers
from daodi.orgs import pickers as org_pickers
from daodi.orgs import policy
from daodi.orgs.models import Organisation
from daodi.orgs.pickers import OrganisationField
from daodi.trace.models import Lot
from daodi.trace.pickers import LotField

from . import queries
from .actions import ITEM_FIELDS, MAPPING_FIELDS
from .choices import ProductForm, SampleUnit
from .models import ColumnMapping, Result, SpecItem, SpecSet


def writable_orgs(user):
    return Organisation.objects.filter(policy.org_q(user, write=True)).order_by("name")


org_pickers.register("lab", lambda user: queries.all_labs())


class SpecSetForm(ActionModelForm):
    class Meta:
        model = SpecSet
        fields = ["code", "name", "authority", "edition", "organisation", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = OrganisationField(
            purpose="writable", queryset=writable_orgs(self.user), required=False,
            label=SpecSet._meta.get_field("organisation").verbose_name,
        )  # fmt: skip
        self.fields["code"].required = False
        self.fields["code"].help_text = _("Leave empty to derive it from authority and edition.")
        if self.instance.pk:
            for name in ("code", "organisation"):
                self.fields.pop(name)

    def action_data(self):
        data = dict(self.cleaned_data)
        if self.instance.pk is None and data.get("organisation") is None:
            data.pop("organisation", None)
        return data


class SpecItemForm(ActionModelForm):
    class Meta:
        model = SpecItem
        fields = [f for f in ITEM_FIELDS if f not in ("verified_by", "verified_at", "sort_order")]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class SpecImportForm(StyledForm):
    file = forms.FileField(
        label=_("Specification file (CSV or XLSX)"),
        required=False,
    )
    organisation = OrganisationField(
        label=_("Owner"),
        purpose="writable",
        required=False,
        help_text=_("Empty: a set of the platform (platform administrators only)."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope_pickers(self, user)
        # The column names are typed as they are in the file: not words of the page.
        self.fields["file"].help_text = format_html(
            gettext("Columns: {columns}; optional: {optional}."),
            columns=format_html('<span translate="no">{}</span>', SPEC_COLUMNS),
            optional=format_html('<span translate="no">{}</span>', SPEC_OPTIONAL),
        )


SPEC_COLUMNS = (
    "herb, variant, test_item, op, limit, unit, basis, method, source, confidence, edition, "
    "authority"
)
SPEC_OPTIONAL = "product_form, panel, loq, required, verified_by, verified_at, note"


class SampleForm(StyledForm):
    lot = LotField(label=_("Lot or item"), purpose="visible", any_known=True)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=10, decimal_places=3)
    unit = forms.ChoiceField(label=_("Unit"), choices=SampleUnit.choices, initial=SampleUnit.GRAM)
    taken_at = forms.DateTimeField(
        label=_("Taken at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    sampler = forms.CharField(label=_("Sampler"), max_length=60, required=False)
    product_form = forms.ChoiceField(
        label=_("Product form"), choices=ProductForm.choices, initial=ProductForm.CRUDE
    )
    variant = forms.CharField(
        label=_("Variant"),
        max_length=40,
        required=False,
        help_text=_("e.g. 青翘; empty takes the lot's specification (规格)."),
    )
    organisation = OrganisationField(
        label=_("Sampled by"),
        purpose="writable",
        required=False,
        help_text=_("Empty: your organisation that holds or manages the lot."),
    )
    lab = OrganisationField(label=_("Send to lab"), purpose="lab", required=False)
    spec_sets = forms.ModelMultipleChoiceField(
        label=_("Judge against"),
        queryset=SpecSet.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user=None, instance=None, **kwargs):
        kwargs.setdefault("initial", {})
        initial = kwargs["initial"]
        if "lot" in initial and str(initial["lot"]).isdigit():
            found = Lot.objects.filter(pk=initial["lot"]).first()
            initial["lot"] = found.identifier if found else ""
        initial.setdefault("taken_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
        super().__init__(*args, **kwargs)
        scope_pickers(self, user)
        self.fields["spec_sets"].queryset = queries.spec_sets(user).filter(status="approved")

    def action_data(self):
        data = dict(self.cleaned_data)
        if not data.get("variant"):
            data["variant"] = None  # the lot's own specification
        return data


class OrderForm(StyledForm):
    lab = OrganisationField(label=_("Lab"), purpose="lab")
    spec_sets = forms.ModelMultipleChoiceField(
        label=_("Judge against"),
        queryset=SpecSet.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope_pickers(self, user)
        self.fields["spec_sets"].queryset = queries.spec_sets(user).filter(status="approved")


class ResultForm(ActionModelForm):
    class Meta:
        model = Result
        fields = ["test_item", "value", "unit", "lod", "loq", "method", "instrument", "tested_on"]
        widgets = {"tested_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        if items:
            self.fields["test_item"] = forms.ChoiceField(
                label=self.fields["test_item"].label, choices=[(i, i) for i in items]
            )
            self.fields["test_item"].widget.attrs["class"] = "form-select"


class CorrectionForm(ActionModelForm):
    reason = forms.CharField(label=_("Why it is corrected"), max_length=200)

    class Meta:
        model = Result
        fields = ["value", "unit", "lod", "loq", "method", "instrument", "tested_on"]
        widgets = {"tested_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class RetestForm(StyledForm):
    value = forms.CharField(label=_("Retest value as reported"), max_length=40)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    loq = forms.CharField(label=_("LOQ"), max_length=20, required=False)
    tested_on = forms.DateField(
        label=_("Tested on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Why it is retested"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(StyledForm):
    reason = forms.CharField(
        label=_("What the analyst should check"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ImportResultsForm(StyledForm):
    mapping = forms.ModelChoiceField(
        label=_("Column mapping"), queryset=ColumnMapping.objects.none()
    )
    file = forms.FileField(label=_("Instrument export (CSV)"))

    def __init__(self, *args, user=None, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = queries.mappings(user).filter(is_active=True)
        if order is not None:
            qs = [m for m in qs if order.lab.path.startswith(m.lab.path)]
            self.fields["mapping"].queryset = ColumnMapping.objects.filter(
                pk__in=[m.pk for m in qs]
            )
        else:
            self.fields["mapping"].queryset = qs


class MappingForm(ActionModelForm):
    class Meta:
        model = ColumnMapping
        fields = ["lab", *MAPPING_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lab"].queryset = queries.labs(self.user)


class VerifyUploadForm(StyledForm):
    pdf = forms.FileField(label=_("The certificate's PDF file"))
