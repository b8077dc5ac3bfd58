"""Validated, audited create and update of plain records.

App actions call these after checking their own domain rules, so the single-row rules in
``Model.clean()`` and the audit trail are applied the same way for every model.
"""

from __future__ import annotations

from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from . import audit
from .actor import Actor
from .errors import Conflict, DomainError


def _validate(obj: models.Model, known: Collection[str] = (), unique_in_database=False) -> None:
    try:
        obj.full_clean(
            exclude=known,
            validate_unique=not unique_in_database,
            validate_constraints=not unique_in_database,
        )
    except ValidationError as exc:
        raise DomainError.from_validation_error(exc) from exc


def _write(obj: models.Model, m2m: dict | None, savepoint: bool = True) -> None:
    try:
        with transaction.atomic(savepoint=savepoint):
            obj.save()
    except IntegrityError as exc:  # a race past full_clean's uniqueness check
        raise Conflict() from exc
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)


def build(
    model: type[models.Model],
    *,
    known: Collection[str] = (),
    unique_in_database: bool = False,
    **fields,
) -> models.Model:
    """An unsaved record of ``model``, validated as :func:`create` validates one.

    A hot action may name in ``known`` the fields it sets itself: foreign keys to rows it
    has just read or written (validating them would read each row again) and values it
    fills in later; with ``unique_in_database`` it leaves uniqueness to the database's
    constraints (a breach then raises :class:`Conflict` instead of a validation error
    naming the field). Built and checked before the action's transaction, the record is
    written inside it by :func:`insert`.
    """
    obj = model(**fields)
    _validate(obj, known, unique_in_database)
    return obj


def insert(actor: Actor, obj: models.Model, *, m2m: dict | None = None, savepoint=True):
    """Write and audit a record :func:`build` made. Without ``savepoint`` (inside the
    action's transaction, which any failure ends as a whole) no savepoint is set around
    the insert: on PostgreSQL each costs a round trip."""
    with transaction.atomic(savepoint=savepoint):
        _write(obj, m2m, savepoint)
        audit.record(
            actor,
            f"{obj._meta.model_name}.create",
            obj,
            audit.diff({}, audit.snapshot(obj)),
        )
    return obj


def create(
    actor: Actor,
    model: type[models.Model],
    *,
    m2m: dict | None = None,
    known: Collection[str] = (),
    unique_in_database: bool = False,
    savepoint: bool = True,
    **fields,
):
    """Create, validate and audit one record of ``model`` (see :func:`build`)."""
    obj = build(model, known=known, unique_in_database=unique_in_database, **fields)
    return insert(actor, obj, m2m=m2m, savepoint=savepoint)


@transaction.atomic
def update(actor: Actor, obj: models.Model, *, m2m: dict | None = None, **fields):
    """Change fields of ``obj``, validate, save and audit old and new values."""
    before = audit.snapshot(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    _validate(obj)
    _write(obj, m2m)
    changes = audit.diff(before, audit.snapshot(obj))
    if m2m:
        changes.update({k: [None, [getattr(v, "pk", v) for v in vals]] for k, vals in m2m.items()})
    if changes:
        audit.record(actor, f"{obj._meta.model_name}.update", obj, changes)
    return obj
