"""Small template helpers for the shared page templates."""

from __future__ import annotations

import datetime as dt

from django import template
from django.db import models
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from daodi.core.forms import widget_class

register = template.Library()


@register.filter
def cell(value):
    """A value as shown in a table cell or a detail field."""
    if value is None or value == "":
        return mark_safe('<span class="text-body-tertiary">—</span>')
    if isinstance(value, bool):
        if value:
            return format_html(
                '<span class="badge bg-success-subtle text-success-emphasis">{}</span>',
                _("Yes"),
            )
        return format_html(
            '<span class="badge bg-secondary-subtle text-secondary-emphasis">{}</span>', _("No")
        )
    if isinstance(value, dt.datetime):
        return date_filter(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, dt.date):
        return date_filter(value, "Y-m-d")
    if isinstance(value, models.Model):
        return str(value)
    return value


@register.simple_tag
def widget(bound_field):
    """Render a form field's widget with its Bootstrap class and the invalid state."""
    classes = [widget_class(bound_field.field.widget)]
    if bound_field.errors:
        classes.append("is-invalid")
    attrs = {"class": " ".join(c for c in classes if c)}
    if bound_field.help_text:
        attrs["aria-describedby"] = f"{bound_field.auto_id}_help"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(bound_field) -> bool:
    return bound_field.widget_type == "checkbox"
