from django import forms
from django.utils.translation import gettext_lazy as _

from daodi.core.forms import StyledForm, scope_pickers

from .pickers import LotField


class RecallForm(StyledForm):
    identifier = LotField(label=_("Lot or item to recall"), purpose="visible", any_known=True)
    reason = forms.CharField(label=_("Recall reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope_pickers(self, user)

    def clean_identifier(self):
        return self.cleaned_data["identifier"].identifier


class LabelForm(StyledForm):
    copies = forms.IntegerField(label=_("Copies"), min_value=1, max_value=200, initial=2)
