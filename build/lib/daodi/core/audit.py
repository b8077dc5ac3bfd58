"""Writing audit rows and computing what changed."""

from __future__ import annotations

import datetime as dt
import decimal

from django.db import models

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
