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
from django.utils.translation import pgettext

from daodi.core import audit, texts
from daodi.core.forms import widget_class
from daodi.trace import vocabulary

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
        return texts.name_of(value)
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


@register.filter
def word(value) -> str:
    """Any vocabulary code as its name: a business step, disposition or event type (bare
    word, Web URI or URN, ours or the CBV's), an EPCIS action, a unit code (KGM → kg)."""
    return vocabulary.name(value)


@register.filter
def audit_action(action: str, with_record: bool = False) -> str:
    """An audit row's action as a reader says it (``purchase.create`` → 新建)."""
    return audit.action_name(action, with_record=bool(with_record))


@register.filter
def channel(value: str) -> str:
    """How a change came in: 网页, API, 命令行, 系统."""
    return audit.channel_name(value)


@register.filter
def person(user) -> str:
    """A person by name (family name first for Chinese names); the system when none."""
    if user is None or user == "":
        return audit.channel_name("system")
    return getattr(user, "display_name", None) or str(user)


@register.filter
def listing(values) -> str:
    """Items joined as the language lists them (甲、乙、丙 / a, b, c)."""
    return pgettext("list separator", ", ").join(str(v) for v in values)


@register.filter
def named(record) -> str:
    """A record's name in the reader's language (English names of herbs, grades, packs and
    test items on English pages, where the catalogue has them)."""
    return texts.name_of(record) if record is not None else ""
