"""Writing audit rows and computing what changed."""

from __future__ import annotations

import datetime as dt
import decimal

from django.apps import apps
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .actor import Actor
from .models import AuditEntry


def _plain(value):
    """Turn a field value into something JSON can hold, for the audit trail."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (dt.date, dt.datetime, decimal.Decimal)):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model) -> dict:
    """The concrete field values of a record, keyed by attribute name."""
    return {f.attname: _plain(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


def diff(before: dict, after: dict) -> dict:
    """Fields whose value changed, as {field: [old, new]}; secrets are never logged."""
    return {
        k: [before.get(k), v]
        for k, v in after.items()
        if before.get(k) != v and k not in {"password", "key_hash"}
    }


def record(actor: Actor, action: str, obj: models.Model, changes: dict | None = None):
    """Write one audit row for ``action`` on ``obj``."""
    return AuditEntry.objects.create(
        actor=actor.user,
        channel=actor.channel,
        action=action,
        target_type=obj._meta.label_lower,
        target_id=str(obj.pk),
        target_repr=str(obj)[:200],
        changes=changes or {},
    )


# What an audit row's action did, by its verb (``purchase.create`` → 新建). Actions are
# "<model name>.<verb>"; the record type is the model's own translated name.
VERBS = {
    "create": pgettext_lazy("audit", "Created"),
    "update": pgettext_lazy("audit", "Changed"),
    "delete": pgettext_lazy("audit", "Deleted"),
    "issue": pgettext_lazy("audit", "Issued"),
    "supersede": pgettext_lazy("audit", "Superseded"),
    "start": pgettext_lazy("audit", "Started"),
    "capture": pgettext_lazy("audit", "Events captured"),
    "create_named_query": pgettext_lazy("audit", "Saved query created"),
    "delete_named_query": pgettext_lazy("audit", "Saved query deleted"),
    "remove": pgettext_lazy("audit", "Removed"),
    "void": pgettext_lazy("audit", "Voided"),
    "cancel": pgettext_lazy("audit", "Cancelled"),
    "correct": pgettext_lazy("audit", "Corrected"),
    "release": pgettext_lazy("audit", "Released"),
    "hold": pgettext_lazy("audit", "Put on hold"),
    "approve": pgettext_lazy("audit", "Approved"),
    "reject": pgettext_lazy("audit", "Returned"),
    "review": pgettext_lazy("audit", "Reviewed"),
    "acknowledge": pgettext_lazy("audit", "Acknowledged"),
    "close": pgettext_lazy("audit", "Closed"),
    "notify": pgettext_lazy("audit", "Organisation notified"),
}
CHANNEL_NAMES = {
    "web": _("web"),
    "api": _("API"),
    "cli": _("command line"),
    "system": _("system"),
}


def _model_named(name: str):
    for model in apps.get_models():
        if model._meta.model_name == name:
            return model
    return None


def action_name(action: str, *, with_record: bool = False) -> str:
    """An audit action as a reader says it (``purchase.create`` → 新建); ``with_record``
    names the record type too, for a list of rows about many records (收购记录 · 新建)."""
    record, _dot, verb = action.rpartition(".")
    # An action whose verb has no name yet still says that the record changed.
    said = str(VERBS.get(verb, VERBS["update"]))
    model = _model_named(record) if with_record else None
    return f"{capfirst(model._meta.verbose_name)} · {said}" if model else said


def channel_name(channel: str) -> str:
    """How a change came in (网页, API, 命令行, 系统)."""
    return str(CHANNEL_NAMES.get(channel, channel))
