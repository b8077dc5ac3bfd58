"""Form plumbing shared by every page: Bootstrap widget classes and domain errors as form errors.

Forms here only parse input. The rules live in the actions (and the models they validate),
so a form never runs model validation itself: an action's ``DomainError`` comes back onto
the form as field errors plus one non-field message.
"""

from __future__ import annotations

from django import forms

from daodi.core import texts
from daodi.core.errors import DomainError


def widget_class(widget: forms.Widget) -> str:
    """The Bootstrap class a widget needs."""
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, (forms.Select, forms.SelectMultiple, forms.NullBooleanSelect)):
        return "form-select"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return ""
    return "form-control"


def style(form: forms.BaseForm) -> forms.BaseForm:
    """Give every widget of ``form`` its Bootstrap class (works for filter forms too), and
    name the records a choice offers in the reader's language."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            field.label_from_instance = texts.name_of
        cls = widget_class(field.widget)
        if cls and cls not in field.widget.attrs.get("class", ""):
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {cls}".strip()
    return form


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a refused action on ``form``: named fields get their messages, the rest is general."""
    for name, messages in exc.fields.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, str(message))
    form.add_error(None, str(exc.message))


def scope_pickers(form: forms.BaseForm, user) -> None:
    """Give each picker field of ``form`` the choices ``user`` may make (see core.pickers)."""
    for field in form.fields.values():
        if hasattr(field, "for_user"):
            field.for_user(user)


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class ActionModelForm(forms.ModelForm):
    """A model form that parses input for an action and leaves validation to it.

    ``ModelForm`` would copy the input onto ``instance`` and run ``full_clean`` while
    validating; the action does both, with the record's old values still intact for the
    audit trail and the permission checks, so that step is skipped here.
    """

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        style(self)
        scope_pickers(self, user)

    def _post_clean(self):
        pass

    def action_data(self) -> dict:
        """The parsed input, keyed like the action's keyword arguments."""
        return dict(self.cleaned_data)
