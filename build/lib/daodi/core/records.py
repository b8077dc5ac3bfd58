"""Validated, audited create and update of plain records.

App actions call these after checking their own domain rules, so the single-row rules in
``Model.clean()`` and the audit trail are applied the same way for every model.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from . import audit
from .actor import Actor
from .errors import Conflict, DomainError


def _save(obj: models.Model, m2m: dict | None):
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise DomainError.from_validation_error(exc) from exc
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a race past full_clean's uniqueness check
        raise Conflict() from exc
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)


@transaction.atomic
def create(actor: Actor, model: type[models.Model], *, m2m: dict | None = None, **fields):
    """Create, validate and audit one record of ``model``."""
    obj = model(**fields)
    _save(obj, m2m)
    audit.record(
        actor, f"{model._meta.model_name}.create", obj, audit.diff({}, audit.snapshot(obj))
    )
    return obj


@transaction.atomic
def update(actor: Actor, obj: models.Model, *, m2m: dict | None = None, **fields):
    """Change fields of ``obj``, validate, save and audit old and new values."""
    before = audit.snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    _save(obj, m2m)
    changes = audit.diff(before, audit.snapshot(obj))
    if m2m:
        changes.update({k: [None, [getattr(v, "pk", v) for v in vals]] for k, vals in m2m.items()})
    if changes:
        audit.record(actor, f"{obj._meta.model_name}.update", obj, changes)
    return obj
