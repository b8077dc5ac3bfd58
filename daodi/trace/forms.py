from django import forms
from django.utils.translation import gettext_lazy as _

from daodi.core.forms import StyledForm


class RecallForm(StyledForm):
    identifier = forms.CharField(
        label=_("Lot or item to recall"),
        max_length=255,
        help_text=_("EPC URN or GS1 Digital Link, e.g. scanned from the label."),
    )
    reason = forms.CharField(label=_("Recall reason"), widget=forms.Textarea(attrs={"rows": 3}))


class LabelForm(StyledForm):
    copies = forms.IntegerField(label=_("Copies"), min_value=1, max_value=200, initial=2)
