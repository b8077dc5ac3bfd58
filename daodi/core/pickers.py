"""Search-as-you-type pickers: the widget every lot and organisation field renders.

A picker is a plain text input first: without JavaScript the person types a lot number or
an organisation's name or code and the field resolves it on the server. With JavaScript
(``web/static/web/picker.js``) the input asks its JSON endpoint as the person types
(``{"results": [{"id", "text", "hint"}]}``) and shows the matches under it; a lot picker
also opens the phone's camera to read a QR code. A picked organisation's id travels in a
hidden ``<name>__id`` input beside the text, so two households of one name stay apart; a
picked lot's id is its printed GS1 code, readable and unambiguous, so it goes into the text
itself. A multiple picker is a textarea holding one entry per line.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

ID_SUFFIX = "__id"


class PickerWidget(forms.Widget):
    """A text input (or a textarea of lines) wired to a picker endpoint."""

    def __init__(
        self, url_name: str, purpose: str, *, multiple=False, scan=False, hidden_id=False,
        attrs=None,
    ):  # fmt: skip
        super().__init__(attrs)
        self.url_name, self.purpose = url_name, purpose
        self.multiple, self.scan, self.hidden_id = multiple, scan, hidden_id
        self.label_for = None  # the field sets it: value → (text shown, id kept)

    def value_from_datadict(self, data, files, name):
        if self.multiple:
            values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name) or ""]
            return [line.strip() for v in values for line in str(v).splitlines() if line.strip()]
        picked = data.get(name + ID_SUFFIX) if self.hidden_id else None
        return picked or data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + ID_SUFFIX not in data

    def _shown(self, value):
        if value in (None, ""):
            return "", ""
        if self.label_for is not None:
            return self.label_for(value)
        return str(value), ""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs.setdefault("id", f"id_{name}")
        testid = attrs.get("data-testid", name)
        css = attrs.pop("class", "form-control")
        list_id = f"{attrs['id']}_list"
        if self.multiple:
            lines = [self._shown(v)[0] for v in (value or [])]
            field = format_html(
                '<textarea name="{}" id="{}" class="{}" rows="{}" data-pick-lines '
                'data-testid="{}" aria-describedby="{}_help">{}</textarea>',
                name, attrs["id"], css, max(2, len(lines) + 1), testid, attrs["id"],
                "\n".join(lines),
            )  # fmt: skip
            search = format_html(
                '<input type="search" id="{}_q" class="{}" autocomplete="off" role="combobox" '
                'aria-autocomplete="list" aria-expanded="false" aria-controls="{}" '
                'placeholder="{}" data-testid="{}-search" data-pick-text>',
                attrs["id"], css, list_id, _("Search to add…"), testid,
            )  # fmt: skip
        else:
            text, picked = self._shown(value)
            field = ""
            search = format_html(
                '<input type="text" name="{}" id="{}" value="{}" class="{}" autocomplete="off" '
                'role="combobox" aria-autocomplete="list" aria-expanded="false" '
                'aria-controls="{}"{} data-testid="{}" data-pick-text>',
                name, attrs["id"], text, css, list_id,
                mark_safe(" required") if attrs.get("required") else "", testid,
            )  # fmt: skip
            if self.hidden_id:
                search += format_html(
                    '<input type="hidden" name="{}{}" value="{}" data-pick-id>',
                    name, ID_SUFFIX, picked,
                )  # fmt: skip
        scan = (
            format_html(
                '<button type="button" class="btn btn-outline-secondary" data-pick-scan hidden>'
                "{}</button>",
                _("Scan"),
            )
            if self.scan
            else ""
        )
        return format_html(
            '<div class="dd-picker" data-picker data-pick-url="{}" data-testid="picker-{}">'
            '<div class="input-group">{}{}</div>'
            '<ul class="dd-pick-list list-group" id="{}" role="listbox" hidden></ul>{}</div>',
            f"{reverse(self.url_name)}?{urlencode({'purpose': self.purpose})}",
            testid, search, scan, list_id, field,
        )  # fmt: skip


def choices_text(choices, limit=8) -> str:
    """Up to ``limit`` candidates named in an error, separated as the language writes lists."""
    shown = str(_("; ")).join(str(c) for c in choices[:limit])
    if len(choices) > limit:
        shown += " …"
    return shown


# Filter forms of the list pages: a choice filter over a model registered here (by its
# ``app_label.Model``) is swapped for that model's picker, so no list page sends a <select>
# of every organisation. The app owning the model registers the factory (orgs, from its
# pickers module): ``(field, user) -> forms.Field``.
FILTER_FIELDS: dict = {}


def register_filter_field(model_label: str, factory) -> None:
    FILTER_FIELDS[model_label] = factory


def swap_filter_fields(form: forms.BaseForm, user) -> None:
    for name, field in list(form.fields.items()):
        if isinstance(field, forms.ModelChoiceField) and not isinstance(
            field, forms.ModelMultipleChoiceField
        ):
            factory = FILTER_FIELDS.get(field.queryset.model._meta.label)
            if factory is not None:
                form.fields[name] = factory(field, user)
