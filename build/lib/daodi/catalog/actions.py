"""Every write of the herb catalogue. The catalogue is shared reference data: only
platform administrators change it; everyone signed in reads it."""

from __future__ import annotations

from django.db import transaction

from daodi.core import records
from daodi.core.actor import Actor
from daodi.orgs import policy

from .models import GeographicIndication, Grade, Herb, TradeItem, Unit


def _create(actor: Actor, model, m2m=None, **fields):
    policy.require_platform_admin(actor)
    return records.create(actor, model, m2m=m2m, **fields)


def _update(actor: Actor, obj, m2m=None, **fields):
    policy.require_platform_admin(actor)
    return records.update(actor, obj, m2m=m2m, **fields)


@transaction.atomic
def create_herb(*, actor: Actor, **fields) -> Herb:
    """Add a herb to the catalogue."""
    return _create(actor, Herb, **fields)


@transaction.atomic
def update_herb(*, actor: Actor, herb: Herb, **fields) -> Herb:
    """Change a herb."""
    return _update(actor, herb, **fields)


@transaction.atomic
def create_grade(*, actor: Actor, **fields) -> Grade:
    """Add a specification/grade (规格等级) to a herb."""
    return _create(actor, Grade, **fields)


@transaction.atomic
def update_grade(*, actor: Actor, target: Grade, **fields) -> Grade:
    """Change a grade. (``target``, not ``grade``: that is one of the Grade's own fields.)"""
    return _update(actor, target, **fields)


@transaction.atomic
def create_indication(*, actor: Actor, divisions=(), **fields) -> GeographicIndication:
    """Register a geographic indication with the divisions its area covers."""
    return _create(actor, GeographicIndication, m2m={"divisions": list(divisions)}, **fields)


@transaction.atomic
def update_indication(
    *, actor: Actor, indication: GeographicIndication, divisions=None, **fields
) -> GeographicIndication:
    """Change a geographic indication (and, if given, its covered divisions)."""
    m2m = None if divisions is None else {"divisions": list(divisions)}
    return _update(actor, indication, m2m=m2m, **fields)


@transaction.atomic
def create_unit(*, actor: Actor, **fields) -> Unit:
    """Add a unit of measure."""
    return _create(actor, Unit, **fields)


@transaction.atomic
def create_trade_item(*, actor: Actor, gtin: str = "", **fields) -> TradeItem:
    """Register a GS1 trade item; without a GTIN the next one under our prefix is allocated."""
    return _create(actor, TradeItem, gtin=gtin or TradeItem.next_gtin(), **fields)


@transaction.atomic
def update_trade_item(*, actor: Actor, trade_item: TradeItem, **fields) -> TradeItem:
    """Change a trade item."""
    return _update(actor, trade_item, **fields)
