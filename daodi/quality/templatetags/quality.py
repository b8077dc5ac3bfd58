"""Template helpers of the quality pages and documents: limits, verdicts and conclusions."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import judgement, names
from ..choices import Conclusion, Operator, Verdict

register = template.Library()


@register.filter
def limit_text(line: dict) -> str:
    """A certificate line's limit as printed: "≤ 12.0 %", "≥ 9.0 %", "未检出 (LOQ 0.05 mg/kg)"."""
    op, limit = line.get("op"), line.get("limit", "")
    unit = line.get("limit_unit", "")
    unit = f" {unit}" if unit else ""
    if line.get("panel"):
        return _("not detected (%(count)s analytes)") % {"count": line.get("analyte_count", 0)}
    if op == judgement.LE:
        return f"≤ {limit}{unit}"
    if op == judgement.GE:
        return f"≥ {limit}{unit}"
    if op == judgement.RANGE:
        return f"{limit}{unit}"
    if op == judgement.ND:
        return _("not detected (LOQ %(loq)s)") % {"loq": f"{limit}{unit}"}
    return str(Operator.CONFORMS.label)


@register.filter
def item_limit(item) -> str:
    """A specification item's limit as the pages show it."""
    limit = (item.loq or item.limit) if item.op == judgement.ND else item.limit
    return limit_text({"op": item.op, "limit": limit, "limit_unit": item.unit})


@register.filter
def verdict_label(value: str) -> str:
    try:
        return str(Verdict(value).label)
    except ValueError:
        return value


@register.filter
def conclusion_label(value: str) -> str:
    try:
        return str(Conclusion(value).label)
    except ValueError:
        return value


@register.filter
def verdict_class(value: str) -> str:
    """Bootstrap colour of a verdict or a conclusion."""
    return {
        judgement.PASS: "success",
        judgement.CONFORM: "success",
        judgement.FAIL: "danger",
        judgement.NOT_CONFORM: "danger",
    }.get(value, "warning")


@register.filter
def reason_text(reason: dict) -> str:
    """A stored reason ({"zh-hans": …, "en": …}) in the active language."""
    from django.utils.translation import get_language

    if not isinstance(reason, dict):
        return str(reason or "")
    language = get_language() or "zh-hans"
    return reason.get("zh-hans" if language.startswith("zh") else "en") or ""


@register.filter
def test_item(name: str) -> str:
    """A test item's name in the reader's language (English where one is known)."""
    if name and (get_language() or "").startswith("en"):
        return names.english(name) or name
    return name


@register.filter
def provenance(item):
    """An item's sources in the reader's language and its working notes (quality.provenance)."""
    from daodi.quality.provenance import describe

    return describe(item.source, item.note)
